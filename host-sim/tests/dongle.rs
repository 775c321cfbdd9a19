//! Firmware-in-the-loop: the dongle's own firmware app (`beckon-dongle`)
//! with a simulated target computer, button, console and LED, against the
//! real expert client over simulated links.

use beckon_core::invitation::Invitation;
use beckon_core::message::InputEvent;
use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};
use beckon_dongle::hw::LedState;
use beckon_dongle_kit::hid::KeyboardReport;
use beckon_host_sim::dongle::target::Machine;
use beckon_host_sim::dongle::{ConnectError, DongleSim};
use beckon_host_sim::events::{Ev, Seen};
use beckon_host_sim::net::{CutNotice, Fault, Toward, Trigger};

/// HID usage of Left Shift.
const LEFT_SHIFT: u8 = 0xE1;

fn wait_for(
    sim: &mut DongleSim,
    limit_ms: u64,
    what: &str,
    done: impl FnMut(&mut DongleSim) -> bool,
) {
    assert!(
        sim.run_until(limit_ms, done),
        "{what}: not within {limit_ms} ms"
    );
}

/// The invitation the person makes on the dongle's console.
fn console_invitation(sim: &mut DongleSim) -> Invitation {
    sim.console_invite()
        .expect("the console prints an invitation")
}

/// Henk connects with `inv`, the dongle asks, the person presses the
/// button: the session runs. Returns the connection.
fn started(sim: &mut DongleSim, inv: &Invitation, password: Option<&str>) -> usize {
    let k = sim
        .connect_invitation("Henk", inv, password)
        .expect("connect");
    wait_for(sim, 5_000, "the dongle asks", |s| {
        s.console_mentions("Henk wants to see this screen")
    });
    sim.press_button();
    wait_for(sim, 5_000, "the session starts", |s| {
        s.experts[k].saw(&Ev::Started)
    });
    k
}

/// As [`started`], on a dongle whose owner allowed control, with control
/// asked for and granted with the button.
fn in_control(sim: &mut DongleSim) -> usize {
    sim.console("control on");
    let inv = console_invitation(sim);
    let k = started(sim, &inv, None);
    sim.expert_requests_control(k).expect("request");
    wait_for(sim, 5_000, "the dongle asks for control", |s| {
        s.console_mentions("Henk asks to share control")
    });
    sim.press_button();
    wait_for(sim, 5_000, "control granted", |s| {
        s.experts[k].saw(&Ev::ControlGranted)
    });
    assert_eq!(sim.led().now(), Some(LedState::Control));
    k
}

/// The expert's picture matches the target's screen, once frames settle.
fn wait_until_seen(sim: &mut DongleSim, k: usize) {
    wait_for(sim, 5_000, "the helper's view matches the target", |s| {
        s.expert_sees_the_target(k)
    });
}

/// How the helper's side of connection `k` ended, within `limit_ms`.
fn expert_end(sim: &mut DongleSim, k: usize, limit_ms: u64) -> EndReason {
    wait_for(sim, limit_ms, "the helper's session ends", |s| {
        s.experts[k].ended.is_some()
    });
    sim.experts[k].ended.expect("ended")
}

/// After whatever happened, the dongle takes the next helper.
fn serves_the_next_helper(sim: &mut DongleSim) {
    wait_for(sim, 5_000, "the dongle is free again", |s| !s.is_busy());
    assert_eq!(sim.led().now(), Some(LedState::Idle));
    let inv = console_invitation(sim);
    let j = sim.connect_invitation("Ria", &inv, None).expect("connect");
    wait_for(sim, 5_000, "the dongle asks about Ria", |s| {
        s.console_mentions("Ria wants to see this screen")
    });
    sim.press_button();
    wait_for(sim, 5_000, "Ria's session starts", |s| {
        s.experts[j].saw(&Ev::Started)
    });
    wait_until_seen(sim, j);
}

#[test]
fn inv_01_07_08_console_invitation_admits_the_helper_only_after_the_button() {
    let mut sim = DongleSim::new(1);
    let inv = console_invitation(&mut sim);
    // The dongle's book holds it, open.
    let id: String = inv.id.0.iter().map(|b| format!("{b:02x}")).collect();
    let listed = sim.console("invitations");
    assert!(
        listed
            .iter()
            .any(|l| l.starts_with(&id) && l.contains("Open")),
        "{listed:?}"
    );
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "the dongle asks", |s| {
        s.console_mentions("Henk wants to see this screen")
    });
    assert_eq!(sim.led().now(), Some(LedState::Asking));
    // Nobody pressed anything: nothing of the screen reaches the helper.
    sim.run_for(3_000);
    assert!(!sim.experts[k].saw(&Ev::Started));
    assert!(
        sim.experts[k].view.frames.is_empty(),
        "no picture before consent"
    );
    sim.press_button();
    wait_for(&mut sim, 5_000, "the session starts", |s| {
        s.experts[k].saw(&Ev::Started)
    });
    assert_eq!(sim.led().now(), Some(LedState::Viewing));
    assert!(sim.console_mentions("session started: Henk sees this screen"));
}

#[test]
fn inv_08_holding_the_button_says_no() {
    let mut sim = DongleSim::new(2);
    let inv = console_invitation(&mut sim);
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "the dongle asks", |s| {
        s.console_mentions("Henk wants to see this screen")
    });
    sim.hold_button();
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Declined);
    assert!(sim.experts[k].view.frames.is_empty());
    assert_eq!(sim.ends[k], Some(EndReason::Declined));
    serves_the_next_helper(&mut sim);
}

#[test]
fn ses_01_frames_arrive_and_the_helper_sees_the_target_screen() {
    let mut sim = DongleSim::new(3);
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    wait_until_seen(&mut sim, k);
    assert!(!sim.experts[k].view.frames.is_empty());
    assert_eq!(sim.experts[k].view.decode_errors, 0);
    // The comparison can fail: the target's screen is not blank.
    let rgba = sim.target().rgba();
    assert!(rgba.chunks(4).any(|p| p != &rgba[..4]));
}

#[test]
fn ses_03_control_is_off_until_the_owner_enables_it() {
    let mut sim = DongleSim::new(4);
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "refusal", |s| {
        s.experts[k].saw(&Ev::ControlRefused(ControlRefusal::DisabledOnMachine))
    });
    assert!(
        !sim.console_mentions("asks to share control"),
        "nobody is asked"
    );
    sim.expert_types(k, "x").expect("typable");
    sim.run_for(1_000);
    assert_eq!(sim.target().text(), "", "typing goes nowhere");
    assert!(sim.experts[k].ended.is_none(), "the session goes on");
    // The owner allows control: the next request is asked again, in person.
    sim.console("control on");
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "the dongle asks", |s| {
        s.console_mentions("Henk asks to share control")
    });
    assert_eq!(sim.led().now(), Some(LedState::Asking));
}

#[test]
fn ses_02_04_granted_control_types_text_that_shows_on_the_target_and_in_the_picture() {
    let mut sim = DongleSim::new(5);
    let k = in_control(&mut sim);
    sim.expert_types(k, "Hello, dongle!").expect("typable");
    wait_for(&mut sim, 5_000, "the text on the target", |s| {
        s.target().text() == "Hello, dongle!"
    });
    wait_until_seen(&mut sim, k);
    // The text box in the helper's picture holds the target's text pixels.
    let drawn = Machine::text_pixels(&sim.target().rgba());
    let seen = Machine::text_pixels(sim.experts[k].view.screen().pixels());
    assert!(drawn > 100, "the text is drawn: {drawn} pixels");
    assert_eq!(seen, drawn);
}

#[test]
fn ses_02_holding_the_button_refuses_control() {
    let mut sim = DongleSim::new(6);
    sim.console("control on");
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "the dongle asks", |s| {
        s.console_mentions("Henk asks to share control")
    });
    sim.hold_button();
    wait_for(&mut sim, 5_000, "refusal", |s| {
        s.experts[k].saw(&Ev::ControlRefused(ControlRefusal::Declined))
    });
    assert!(sim.experts[k].ended.is_none(), "the session goes on");
    assert_eq!(sim.led().now(), Some(LedState::Viewing));
}

#[test]
fn ses_04_05_local_esc_ends_control_and_releases_every_key() {
    let mut sim = DongleSim::new(7);
    let k = in_control(&mut sim);
    // The helper holds Shift and a letter down, then the person presses Esc.
    sim.expert_key(k, LEFT_SHIFT, true);
    sim.expert_key(k, 0x04, true);
    wait_for(&mut sim, 5_000, "the target holds the helper's keys", |s| {
        let r = s.target().keyboard();
        r.modifiers != 0 && r.keys.contains(&0x04)
    });
    sim.person_presses("esc");
    wait_for(&mut sim, 5_000, "control ends", |s| {
        s.experts[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::EscKey))
    });
    sim.run_for(500);
    assert_eq!(
        sim.target().keyboard(),
        KeyboardReport::default(),
        "nothing stays held"
    );
    assert!(sim.console_mentions("control ended: you pressed Esc"));
    assert_eq!(sim.led().now(), Some(LedState::Viewing));
    // The helper's typing goes nowhere now; the session goes on.
    sim.expert_types(k, "zz").expect("typable");
    sim.run_for(1_000);
    assert!(!sim.target().text().contains('z'));
    assert!(sim.experts[k].ended.is_none());
}

#[test]
fn ses_05_the_button_takes_control_back() {
    let mut sim = DongleSim::new(8);
    let k = in_control(&mut sim);
    sim.press_button();
    wait_for(&mut sim, 5_000, "control ends", |s| {
        s.experts[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::StopButton))
    });
    assert!(sim.console_mentions("control ended: you pressed the button"));
}

#[test]
fn inv_08_pre_approved_invitation_needs_no_button_and_the_helper_is_told() {
    let mut sim = DongleSim::new(9);
    sim.console("control on");
    let inv = sim.owner_invite(None, true).expect("invitation");
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "the session starts", |s| {
        s.experts[k].saw(&Ev::Started)
    });
    assert!(sim.console_mentions("pre-approved invitation"));
    // The helper is told nobody agreed in person, before the start.
    let told = sim.experts[k]
        .events()
        .position(|e| *e == Ev::Unattended)
        .expect("the helper is told the start is unattended");
    let started = sim.experts[k]
        .events()
        .position(|e| *e == Ev::Started)
        .expect("started");
    assert!(told < started);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "control without a press", |s| {
        s.experts[k].saw(&Ev::ControlGranted)
    });
    sim.expert_types(k, "setup").expect("typable");
    wait_for(&mut sim, 5_000, "typed", |s| s.target().text() == "setup");
    assert!(
        !sim.transcript.mentions("console> button"),
        "nobody pressed the button"
    );
}

#[test]
fn inv_05_06_wrong_password_ends_only_that_attempt() {
    let mut sim = DongleSim::new(10);
    let inv = sim.owner_invite(Some("tulip"), false).expect("invitation");
    let k = sim
        .connect_invitation("Mallory", &inv, Some("tulp"))
        .expect("connect");
    assert_eq!(expert_end(&mut sim, k, 15_000), EndReason::WrongPassword);
    assert!(!sim.console_mentions("Mallory wants to see"));
    // The readable reason, on the person's console too.
    let line = sim
        .console_lines
        .iter()
        .find(|(_, l)| l.starts_with("session ended:"))
        .map(|(_, l)| l.clone())
        .expect("the console says why");
    assert!(line.len() > "session ended: ".len() + 5, "{line}");
    // The right password still works (one wrong guess does not lock it).
    wait_for(&mut sim, 5_000, "the dongle is free again", |s| {
        !s.is_busy()
    });
    let j = started(&mut sim, &inv, Some("tulip"));
    wait_until_seen(&mut sim, j);
}

#[test]
fn inv_11_invitation_bound_to_another_key_is_refused_and_the_dongle_goes_on() {
    let mut sim = DongleSim::new(11);
    let mut inv = console_invitation(&mut sim);
    // A forger keeps the id but swaps in a key of their own.
    inv.novice_key = [7u8; 32];
    let k = sim
        .connect_invitation("Mallory", &inv, None)
        .expect("connect");
    let reason = expert_end(&mut sim, k, 15_000);
    assert!(
        matches!(
            reason,
            EndReason::HandshakeFailed | EndReason::UnknownInvitation
        ),
        "{reason:?}"
    );
    assert!(!reason.to_string().is_empty());
    assert!(!sim.console_mentions("Mallory wants to see"));
    serves_the_next_helper(&mut sim);
}

#[test]
fn net_03_tampered_record_toward_the_dongle_ends_that_session_with_a_reason() {
    let mut sim = DongleSim::new(12);
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    sim.run_for(500);
    let at = sim.now();
    sim.inject(k, Toward::Novice, Fault::FlipBit, Trigger::At(at));
    // Something to carry the hit record.
    sim.expert_chats(k, "are you there?").expect("chat");
    wait_for(&mut sim, 10_000, "the dongle ends it", |s| {
        s.ends[k].is_some()
    });
    assert_eq!(sim.ends[k], Some(EndReason::TamperedRecord));
    assert!(sim.console_mentions("session ended:"));
    serves_the_next_helper(&mut sim);
}

#[test]
fn net_03_dropped_link_ends_the_session_on_the_dongle_and_releases_keys() {
    let mut sim = DongleSim::new(13);
    let k = in_control(&mut sim);
    sim.expert_key(k, LEFT_SHIFT, true);
    wait_for(&mut sim, 5_000, "the target holds Shift", |s| {
        s.target().keyboard().modifiers != 0
    });
    sim.cut(k, CutNotice::Both);
    wait_for(&mut sim, 10_000, "the dongle ends it", |s| {
        s.ends[k].is_some()
    });
    assert_eq!(sim.ends[k], Some(EndReason::LinkLost));
    assert_eq!(sim.target().keyboard(), KeyboardReport::default());
    assert_eq!(expert_end(&mut sim, k, 10_000), EndReason::LinkLost);
    serves_the_next_helper(&mut sim);
}

#[test]
fn net_03_silent_link_is_noticed_by_the_dongle_idle_timeout() {
    let mut sim = DongleSim::new(14);
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    sim.black_hole(k);
    wait_for(&mut sim, 120_000, "the dongle gives up", |s| {
        s.ends[k].is_some()
    });
    assert!(
        matches!(sim.ends[k], Some(EndReason::LinkLost)),
        "{:?}",
        sim.ends[k]
    );
    serves_the_next_helper(&mut sim);
}

#[test]
fn ses_10_a_second_helper_is_refused_while_one_is_served() {
    let mut sim = DongleSim::new(15);
    let inv = console_invitation(&mut sim);
    let k = started(&mut sim, &inv, None);
    let other = console_invitation(&mut sim);
    assert!(matches!(
        sim.connect_invitation("Ria", &other, None),
        Err(ConnectError::Busy)
    ));
    sim.expert_disconnects(k);
    wait_for(&mut sim, 5_000, "the dongle ends it", |s| {
        s.ends[k].is_some()
    });
    assert_eq!(sim.ends[k], Some(EndReason::PeerLeft));
    assert!(sim.console_mentions("session ended:"));
    serves_the_next_helper(&mut sim);
}

#[test]
fn l10n_02_helper_types_through_the_targets_german_layout() {
    let mut sim = DongleSim::with_config(beckon_host_sim::dongle::DongleSimConfig {
        seed: 16,
        layout: beckon_core::keymap::Layout::German,
        ..Default::default()
    });
    let k = in_control(&mut sim);
    sim.expert_types(k, "Grüße @ {x}")
        .expect("typable on German");
    wait_for(&mut sim, 5_000, "the text on the target", |s| {
        s.target().text() == "Grüße @ {x}"
    });
    wait_until_seen(&mut sim, k);
}

#[test]
fn same_seed_same_dongle_run() {
    fn run(seed: u64) -> ([u8; 32], String) {
        let mut sim = DongleSim::new(seed);
        let k = in_control(&mut sim);
        sim.expert_types(k, "abc").expect("typable");
        sim.run_for(2_000);
        sim.person_presses("esc");
        sim.run_for(1_000);
        sim.expert_disconnects(k);
        sim.run_for(3_000);
        (sim.digest(), sim.transcript.to_string())
    }
    let (a, ta) = run(40);
    let (b, tb) = run(40);
    assert_eq!(ta, tb);
    assert_eq!(a, b);
    let (c, _) = run(41);
    assert_ne!(a, c, "another seed, other keys and bytes");
}

#[test]
fn ses_04_helper_pointer_reaches_the_target_as_mouse_reports() {
    let mut sim = DongleSim::new(17);
    let k = in_control(&mut sim);
    sim.expert_input(k, InputEvent::PointerAbs { x: 1000, y: 2000 });
    wait_for(&mut sim, 5_000, "a mouse report", |s| {
        s.target().mouse().is_some()
    });
}

#[test]
fn l10n_02_caps_lock_on_the_target_reaches_the_helper_and_typing_comes_out_as_written() {
    use beckon_core::message::LED_CAPS_LOCK;
    let mut sim = DongleSim::with_config(beckon_host_sim::dongle::DongleSimConfig {
        seed: 18,
        layout: beckon_core::keymap::Layout::German,
        ..Default::default()
    });
    let k = in_control(&mut sim);
    // The person switches Caps Lock on with their own keyboard.
    sim.person_presses("capslock");
    wait_for(&mut sim, 5_000, "the helper to see Caps Lock on", |s| {
        s.experts[k].saw(&Ev::KeyboardLeds(LED_CAPS_LOCK))
    });
    sim.expert_types(k, "Käse 42").expect("typable on German");
    wait_for(&mut sim, 5_000, "the text on the target as written", |s| {
        s.target().text() == "Käse 42"
    });
}

#[test]
fn ses_04_the_helper_switches_the_target_to_a_relative_mouse_for_bios_screens() {
    use beckon_dongle_kit::hid::MouseMode;
    let mut sim = DongleSim::new(19);
    let k = in_control(&mut sim);
    sim.expert_sets_pointer_mode(k, true).expect("pointer mode");
    wait_for(&mut sim, 5_000, "the dongle to switch the mouse", |s| {
        s.console_mentions("the helper switched the mouse: relative")
    });
    sim.expert_input(k, InputEvent::PointerRel { dx: 12, dy: -7 });
    wait_for(
        &mut sim,
        5_000,
        "a relative mouse report of that step",
        |s| matches!(s.target().mouse(), Some((MouseMode::Relative, r)) if r.x == 12 && r.y == -7),
    );
    sim.expert_sets_pointer_mode(k, false)
        .expect("pointer mode");
    sim.expert_input(k, InputEvent::PointerAbs { x: 100, y: 200 });
    wait_for(
        &mut sim,
        5_000,
        "an absolute report again",
        |s| matches!(s.target().mouse(), Some((MouseMode::Absolute, r)) if r.x == 100 && r.y == 200),
    );
}
