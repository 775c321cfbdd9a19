//! End-to-end sessions between the core's novice and expert state machines,
//! over an in-memory link with real Noise handshakes and records. Named after
//! the requirements they prove.

mod support;

use beckon_core::control::{LocalInput, USAGE_C, USAGE_ESCAPE, USAGE_LEFT_CTRL};
use beckon_core::handshake::StaticKeypair;
use beckon_core::message::{Encoding, InputEvent};
use beckon_core::policy::{HelperCertificate, PolicyEntry, Subject};
use beckon_core::reason::{ControlRefusal, EndReason, Level, Permission, Side, StopMethod};
use beckon_core::session::{
    ExpertSession, FileOutcome, FrameRect, NoviceSession, NoviceState, SendError,
};
use sha2::{Digest, Sha256};
use support::*;

fn key(usage: u8, down: bool) -> InputEvent {
    InputEvent::Key { usage, down }
}

fn invited_pair(seed: u64, password: Option<&str>, typed: Option<&str>) -> (Machine, Pair) {
    let mut r = rng(seed);
    let mut machine = Machine::new(&mut r);
    let invitation = machine.invite(&mut r, password);
    let pair = Pair::invitation(&mut machine, &mut r, &invitation, typed);
    (machine, pair)
}

#[test]
fn inv_01_08_invitation_with_password_consent_then_view() {
    let (mut machine, mut p) = invited_pair(1, Some("tulip"), Some("tulip"));
    p.pump();
    assert_eq!(p.novice_events, [Ev::Authenticate]);
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.pump();
    assert_eq!(
        p.novice_events.last(),
        Some(&Ev::ConsentRequested("Henk".into()))
    );
    assert_eq!(p.expert_events, [Ev::Admitted("Oma Jansen".into())]);
    assert_eq!(p.expert.permission(), Permission::Waiting);

    p.novice.consent(p.now, true).unwrap();
    p.pump();
    assert_eq!(p.expert_events.last(), Some(&Ev::Started));
    assert_eq!(p.novice.state(), NoviceState::Viewing);
    assert_eq!(p.expert.permission(), Permission::ScreenView);

    // The screen flows: one frame with one solid rectangle.
    let frame = p.novice.begin_frame(1280, 800, 1).unwrap();
    p.novice
        .send_rect(
            frame,
            (0, 0, 1280, 800),
            Encoding::Solid,
            4,
            0,
            &[10, 20, 30, 255],
        )
        .unwrap();
    p.novice.end_frame(frame).unwrap();
    p.pump();
    assert!(p.expert_events.contains(&Ev::FrameStart(frame, 1280, 800)));
    assert!(p
        .expert_events
        .contains(&Ev::Rect(frame, vec![10, 20, 30, 255])));
    assert!(p.expert_events.contains(&Ev::FrameEnd(frame)));
    assert_eq!(p.expert.screen_size(), Some((1280, 800)));
}

/// A whole small frame (a typed character) goes in one record, and the
/// expert still sees it as start, rectangles and end, in order.
#[test]
fn ses_12_small_frame_is_one_record() {
    let (mut machine, mut p) = invited_pair(41, None, None);
    p.admit_and_accept(&mut machine);
    p.pump();
    p.expert_events.clear();
    let rects = [
        FrameRect {
            x: 3,
            y: 4,
            w: 6,
            h: 13,
            encoding: Encoding::Raw,
            data: &[7; 6 * 13 * 4],
        },
        FrameRect {
            x: 9,
            y: 4,
            w: 1,
            h: 1,
            encoding: Encoding::Solid,
            data: &[1, 2, 3, 255],
        },
    ];
    let frame = p.novice.send_frame(640, 480, &rects).unwrap();
    let wire = p.novice.poll_transmit().unwrap();
    let body = usize::from(u16::from_be_bytes([wire[0], wire[1]]));
    assert_eq!(wire.len(), 2 + body, "exactly one record");
    p.pump();
    assert_eq!(
        p.expert_events,
        [
            Ev::FrameStart(frame, 640, 480),
            Ev::Rect(frame, vec![7; 6 * 13 * 4]),
            Ev::Rect(frame, vec![1, 2, 3, 255]),
            Ev::FrameEnd(frame),
        ]
    );
    assert_eq!(
        p.novice.frame_sender().in_flight(),
        0,
        "the expert acked it"
    );

    // A frame too large for one record is refused whole, and nothing left.
    let big = [0u8; beckon_core::message::MAX_DATA_BYTES];
    let two = [
        FrameRect {
            x: 0,
            y: 0,
            w: 64,
            h: 64,
            encoding: Encoding::Lz4,
            data: &big,
        },
        FrameRect {
            x: 64,
            y: 0,
            w: 64,
            h: 64,
            encoding: Encoding::Lz4,
            data: &big,
        },
    ];
    assert_eq!(p.novice.send_frame(640, 480, &two), Err(SendError::Invalid));
    assert_eq!(p.novice.poll_transmit(), None);
    let next = p.novice.send_frame(640, 480, &rects[1..]).unwrap();
    assert_eq!(next, frame + 1, "the refused frame used no number");
}

/// A frame on the same screen as the one before goes in the compact form
/// (no frame number, size or end on the wire), and the expert sees the same
/// events as for the long form; a new screen size goes long again.
#[test]
fn ses_12_following_frame_goes_compact() {
    let (mut machine, mut p) = invited_pair(42, None, None);
    p.admit_and_accept(&mut machine);
    p.pump();
    let glyph = [FrameRect {
        x: 700,
        y: 300,
        w: 7,
        h: 13,
        encoding: Encoding::Cached,
        data: &[0x34, 0x12],
    }];
    let mut sizes = Vec::new();
    let mut frames = Vec::new();
    for (width, height) in [(1920, 1080), (1920, 1080), (1920, 1080), (1280, 1024)] {
        p.expert_events.clear();
        let frame = p.novice.send_frame(width, height, &glyph).unwrap();
        sizes.push(p.novice.poll_transmit().unwrap().len());
        p.pump();
        assert_eq!(
            p.expert_events,
            [
                Ev::FrameStart(frame, width, height),
                Ev::Rect(frame, vec![0x34, 0x12]),
                Ev::FrameEnd(frame),
            ]
        );
        assert_eq!(p.novice.frame_sender().in_flight(), 0, "acked");
        frames.push(frame);
    }
    assert_eq!(
        frames,
        [frames[0], frames[0] + 1, frames[0] + 2, frames[0] + 3]
    );
    assert!(
        sizes[1] + 8 <= sizes[0],
        "compact frame {} bytes, long one {}",
        sizes[1],
        sizes[0]
    );
    assert_eq!(sizes[1], sizes[2]);
    assert_eq!(sizes[3], sizes[0], "a new size goes in the long form");

    // A compact frame without rectangles ends as it starts.
    p.expert_events.clear();
    let empty = p.novice.send_frame(1280, 1024, &[]).unwrap();
    p.pump();
    assert_eq!(
        p.expert_events,
        [Ev::FrameStart(empty, 1280, 1024), Ev::FrameEnd(empty)]
    );
}

#[test]
fn inv_08_nothing_reaches_the_expert_before_consent() {
    let (mut machine, mut p) = invited_pair(2, None, None);
    p.pump();
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.pump();
    assert_eq!(
        p.novice.begin_frame(100, 100, 1),
        Err(SendError::NotAllowed)
    );
    assert_eq!(p.novice.send_chat("hello"), Err(SendError::NotAllowed));
    assert_eq!(p.novice.send_cursor(1, 1), Err(SendError::NotAllowed));
    assert!(p.novice.offer_file("a.txt", 1, [0; 32]).is_err());
    p.pump();
    assert_eq!(p.expert_events, [Ev::Admitted("Oma Jansen".into())]);
}

#[test]
fn inv_08_an_unattended_start_is_announced_to_the_helper() {
    let (mut machine, mut p) = invited_pair(9, None, None);
    p.pump();
    // Not before admission: there is nothing to start yet.
    assert_eq!(p.novice.start_unattended(p.now), Err(SendError::NotAllowed));
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.pump();
    p.novice.start_unattended(p.now).unwrap();
    p.pump();
    assert_eq!(
        p.expert_events,
        [
            Ev::Admitted("Oma Jansen".into()),
            Ev::Unattended,
            Ev::Started
        ]
    );
    assert!(p.novice_events.contains(&Ev::Started));
    // Once started, neither way of starting applies again.
    assert_eq!(p.novice.start_unattended(p.now), Err(SendError::NotAllowed));
    assert_eq!(p.novice.consent(p.now, true), Err(SendError::NotAllowed));
}

#[test]
fn inv_08_a_person_s_consent_is_not_announced_as_unattended() {
    let (mut machine, mut p) = invited_pair(10, None, None);
    p.admit_and_accept(&mut machine);
    assert!(!p.expert_events.contains(&Ev::Unattended));
}

#[test]
fn l10n_02_the_machine_s_lock_lights_reach_the_helper_once_started() {
    use beckon_core::message::LED_CAPS_LOCK;
    let (mut machine, mut p) = invited_pair(11, None, None);
    p.pump();
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.pump();
    // Nothing about the machine before the person says yes (INV-08).
    assert_eq!(
        p.novice.send_keyboard_leds(LED_CAPS_LOCK),
        Err(SendError::NotAllowed)
    );
    p.novice.consent(p.now, true).unwrap();
    p.novice.send_keyboard_leds(LED_CAPS_LOCK).unwrap();
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::KeyboardLeds(LED_CAPS_LOCK))
    );
}

#[test]
fn ses_04_the_helper_switches_the_machine_to_a_relative_mouse() {
    let (mut machine, mut p) = invited_pair(12, None, None);
    p.pump();
    assert_eq!(p.expert.set_pointer_mode(true), Err(SendError::NotAllowed));
    p.admit_and_accept(&mut machine);
    p.expert.set_pointer_mode(true).unwrap();
    p.pump();
    assert_eq!(p.novice_events.last(), Some(&Ev::PointerMode(true)));
    p.expert.set_pointer_mode(false).unwrap();
    p.pump();
    assert_eq!(p.novice_events.last(), Some(&Ev::PointerMode(false)));
}

#[test]
fn ses_12_the_viewer_says_which_optional_encodings_it_decodes() {
    use beckon_core::message::DECODES_H264;
    let (mut machine, mut p) = invited_pair(13, None, None);
    p.pump();
    assert_eq!(
        p.expert.announce_decodes(DECODES_H264),
        Err(SendError::NotAllowed)
    );
    p.admit_and_accept(&mut machine);
    p.expert.announce_decodes(DECODES_H264).unwrap();
    p.pump();
    assert_eq!(
        p.novice_events.last(),
        Some(&Ev::ViewerDecodes(DECODES_H264))
    );
}

#[test]
fn inv_08_novice_declines() {
    let (mut machine, mut p) = invited_pair(3, None, None);
    p.pump();
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.pump();
    p.novice.consent(p.now, false).unwrap();
    p.pump();
    assert_eq!(
        p.ended(),
        (Some(EndReason::Declined), Some(EndReason::Declined))
    );
    assert!(p.novice.is_closed() && p.expert.is_closed());
}

#[test]
fn inv_08_consent_prompt_times_out() {
    let (mut machine, mut p) = invited_pair(4, None, None);
    p.pump();
    p.novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book)
        .unwrap();
    p.advance(config().consent_timeout_ms + 1);
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ConsentTimeout),
            Some(EndReason::ConsentTimeout)
        )
    );
}

fn refused_with(machine: &mut Machine, p: &mut Pair) -> EndReason {
    p.pump();
    let verdict = p
        .novice
        .admit_invitation(p.now, &mut p.rng, &mut machine.book);
    p.pump();
    let reason = verdict.expect_err("refused");
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::Ended(reason)),
        "the expert reads the reason"
    );
    assert_eq!(p.novice_events.last(), Some(&Ev::Ended(reason)));
    reason
}

#[test]
fn inv_05_06_wrong_password_is_refused_by_the_novice() {
    let (mut machine, mut p) = invited_pair(5, Some("tulip"), Some("tullip"));
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::WrongPassword);
}

#[test]
fn inv_10_three_wrong_passwords_lock_and_the_right_one_is_then_refused() {
    let mut r = rng(6);
    let mut machine = Machine::new(&mut r);
    let invitation = machine.invite(&mut r, Some("tulip"));
    for _ in 0..3 {
        let mut p = Pair::invitation(&mut machine, &mut r, &invitation, Some("guess"));
        let reason = refused_with(&mut machine, &mut p);
        assert!(matches!(
            reason,
            EndReason::WrongPassword | EndReason::Locked
        ));
    }
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, Some("tulip"));
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::Locked);
}

#[test]
fn inv_07_expired_invitation_is_refused() {
    let (mut machine, mut p) = invited_pair(7, None, None);
    p.now = T0 + 2 * HOUR;
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::Expired);
}

#[test]
fn inv_04_07_revoked_invitation_is_refused() {
    let mut r = rng(8);
    let mut machine = Machine::new(&mut r);
    let invitation = machine.invite(&mut r, None);
    assert!(machine.book.revoke(&invitation.id));
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::Revoked);
}

#[test]
fn inv_04_revoke_all_refuses_every_invitation() {
    let mut r = rng(9);
    let mut machine = Machine::new(&mut r);
    let first = machine.invite(&mut r, None);
    let second = machine.invite(&mut r, Some("pw"));
    assert_eq!(machine.book.revoke_all(), 2);
    let mut p = Pair::invitation(&mut machine, &mut r, &first, None);
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::Revoked);
    let mut p = Pair::invitation(&mut machine, &mut r, &second, Some("pw"));
    assert_eq!(refused_with(&mut machine, &mut p), EndReason::Revoked);
}

#[test]
fn inv_07_used_invitation_is_refused_the_second_time() {
    let mut r = rng(10);
    let mut machine = Machine::new(&mut r);
    let invitation = machine.invite(&mut r, None);
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    p.admit_and_accept(&mut machine);
    let mut again = Pair::invitation(&mut machine, &mut r, &invitation, None);
    assert_eq!(
        refused_with(&mut machine, &mut again),
        EndReason::AlreadyUsed
    );
}

#[test]
fn inv_11_invitation_with_a_changed_key_is_refused() {
    let mut r = rng(11);
    let mut machine = Machine::new(&mut r);
    let mut invitation = machine.invite(&mut r, None);
    invitation.novice_key[0] ^= 1;
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    p.pump();
    // Nobody on the machine can read the first message: it is refused and
    // the expert's side ends when the link closes.
    assert_eq!(
        p.novice
            .admit_invitation(p.now, &mut p.rng, &mut machine.book),
        Err(EndReason::UnknownInvitation)
    );
    p.expert.handle_close(p.now);
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::Ended(EndReason::HandshakeFailed))
    );
}

#[test]
fn inv_05_password_is_required_before_connecting() {
    let mut r = rng(12);
    let mut machine = Machine::new(&mut r);
    let invitation = machine.invite(&mut r, Some("pw"));
    let made = ExpertSession::<{ beckon_core::session::DEFAULT_OUTBOX }>::for_invitation(
        config(),
        &mut r,
        &invitation,
        None,
        "Henk",
        T0,
    );
    assert!(made.is_err());
}

#[test]
fn ses_03_control_request_refused_when_disabled_and_session_goes_on() {
    let (mut machine, mut p) = invited_pair(13, None, None);
    p.admit_and_accept(&mut machine);
    p.expert.request_control().unwrap();
    p.pump();
    let refusal = Ev::ControlRefused(ControlRefusal::DisabledOnMachine);
    assert_eq!(p.expert_events.last(), Some(&refusal));
    assert!(p.novice_events.contains(&refusal));
    assert!(
        !p.novice_events.contains(&Ev::ControlRequested),
        "the person is not asked"
    );
    // The session goes on: chat still works.
    p.expert.send_chat("ok, just looking then").unwrap();
    p.pump();
    assert!(matches!(
        p.novice_events.last(),
        Some(Ev::Chat(0, Side::Expert, _))
    ));
}

fn controlled_pair(seed: u64) -> (Machine, Pair) {
    let mut r = rng(seed);
    let mut machine = Machine::new(&mut r);
    machine.settings.allow_remote_control = true;
    let invitation = machine.invite(&mut r, None);
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    p.admit_and_accept(&mut machine);
    p.take_control();
    (machine, p)
}

#[test]
fn ses_02_control_declined_by_the_person() {
    let mut r = rng(14);
    let mut machine = Machine::new(&mut r);
    machine.settings.allow_remote_control = true;
    let invitation = machine.invite(&mut r, None);
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    p.admit_and_accept(&mut machine);
    p.expert.request_control().unwrap();
    p.pump();
    assert_eq!(p.expert.permission(), Permission::ControlRequested);
    p.novice.answer_control(p.now, false).unwrap();
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::ControlRefused(ControlRefusal::Declined))
    );
    assert_eq!(
        p.expert.send_input(key(4, true)),
        Err(SendError::NotAllowed)
    );
}

#[test]
fn ses_04_granted_control_types_hello() {
    let (_machine, mut p) = controlled_pair(15);
    assert_eq!(p.novice.permission(), Permission::SharedControl);
    type_text(&mut p, "hello");
    let downs: Vec<u8> = p
        .injected()
        .into_iter()
        .filter_map(|e| match e {
            InputEvent::Key { usage, down: true } => Some(usage),
            _ => None,
        })
        .collect();
    assert_eq!(downs, [0x0B, 0x08, 0x0F, 0x0F, 0x12]);
}

fn assert_nothing_held(p: &Pair) {
    let mut held = std::collections::BTreeSet::new();
    for e in p.injected() {
        if let InputEvent::Key { usage, down } = e {
            if down {
                held.insert(usage);
            } else {
                held.remove(&usage);
            }
        }
    }
    assert!(held.is_empty(), "keys left held: {held:?}");
}

#[test]
fn ses_05_local_esc_mid_typing_ends_control_and_nothing_stays_held() {
    let (_machine, mut p) = controlled_pair(16);
    // The expert holds Shift and presses h; the novice presses Esc.
    p.expert.send_input(key(0xE1, true)).unwrap();
    p.expert.send_input(key(0x0B, true)).unwrap();
    p.pump();
    p.novice.local_input(
        p.now,
        LocalInput::Key {
            usage: USAGE_ESCAPE,
            down: true,
        },
    );
    p.pump();
    let ended = Ev::ControlEnded(Side::Novice, StopMethod::EscKey);
    assert_eq!(p.novice_events.last(), Some(&ended));
    assert_eq!(p.expert_events.last(), Some(&ended));
    assert_nothing_held(&p);
    // The rest of the expert's typing is refused at the source and would be
    // dropped at the machine.
    let before = p.injected().len();
    assert_eq!(
        p.expert.send_input(key(0x08, true)),
        Err(SendError::NotAllowed)
    );
    p.pump();
    assert_eq!(p.injected().len(), before);
    assert_eq!(p.novice.permission(), Permission::ScreenView);
}

#[test]
fn ses_05_local_ctrl_c_ends_control() {
    let (_machine, mut p) = controlled_pair(17);
    p.novice.local_input(
        p.now,
        LocalInput::Key {
            usage: USAGE_LEFT_CTRL,
            down: true,
        },
    );
    p.novice.local_input(
        p.now,
        LocalInput::Key {
            usage: USAGE_C,
            down: true,
        },
    );
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::ControlEnded(Side::Novice, StopMethod::CtrlC))
    );
}

#[test]
fn ses_05_stop_button_ends_control() {
    let (_machine, mut p) = controlled_pair(18);
    p.expert
        .send_input(InputEvent::Button {
            button: 0,
            down: true,
        })
        .unwrap();
    p.pump();
    p.novice.stop_control(p.now).unwrap();
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::ControlEnded(Side::Novice, StopMethod::StopButton))
    );
    assert_eq!(
        p.injected().last(),
        Some(&InputEvent::Button {
            button: 0,
            down: false
        })
    );
}

#[test]
fn ses_05_expert_esc_does_not_end_control() {
    let (_machine, mut p) = controlled_pair(19);
    p.expert.send_input(key(USAGE_ESCAPE, true)).unwrap();
    p.expert.send_input(key(USAGE_ESCAPE, false)).unwrap();
    p.pump();
    assert_eq!(p.novice.permission(), Permission::SharedControl);
    assert_eq!(
        p.injected(),
        [key(USAGE_ESCAPE, true), key(USAGE_ESCAPE, false)]
    );
}

#[test]
fn ses_04_novice_typing_holds_the_expert_back() {
    let (_machine, mut p) = controlled_pair(20);
    p.novice.local_input(
        p.now,
        LocalInput::Key {
            usage: 0x04,
            down: true,
        },
    );
    type_text(&mut p, "hi");
    assert!(p.injected().is_empty(), "held back during the grace period");
    p.advance(config().grace_ms + 1);
    assert_eq!(p.injected().len(), 4);
}

#[test]
fn ses_05_expert_releases_control() {
    let (_machine, mut p) = controlled_pair(21);
    p.expert.send_input(key(0x04, true)).unwrap();
    p.expert.release_control().unwrap();
    p.pump();
    let ended = Ev::ControlEnded(Side::Expert, StopMethod::ExpertReleased);
    assert!(p.novice_events.contains(&ended));
    assert_nothing_held(&p);
}

#[test]
fn ses_08_chat_both_ways_same_history() {
    let (mut machine, mut p) = invited_pair(22, None, None);
    p.admit_and_accept(&mut machine);
    p.novice.send_chat("Hallo Henk!").unwrap();
    p.expert.send_chat("Dag Oma").unwrap();
    p.novice.send_chat("Ik zie een foutmelding").unwrap();
    p.pump();
    let novice: Vec<_> = p
        .novice
        .chat()
        .entries()
        .map(|e| (e.seq, e.from, e.text.clone()))
        .collect();
    let expert: Vec<_> = p
        .expert
        .chat()
        .entries()
        .map(|e| (e.seq, e.from, e.text.clone()))
        .collect();
    assert_eq!(novice.len(), 3);
    assert_eq!(novice, expert);
}

#[test]
fn ses_07_file_transfer_both_ways_with_hash_check() {
    let (mut machine, mut p) = invited_pair(23, None, None);
    p.admit_and_accept(&mut machine);
    let content: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let hash: [u8; 32] = Sha256::digest(&content).into();

    // Expert → novice.
    let id = p
        .expert
        .offer_file("driver.zip", content.len() as u64, hash)
        .unwrap();
    p.pump();
    assert!(p
        .novice_events
        .contains(&Ev::FileOffered(id, "driver.zip".into(), 100_000)));
    p.novice.answer_file(id, true).unwrap();
    p.pump();
    assert!(p.expert_events.contains(&Ev::FileAccepted(id)));
    while let Some((tid, offset, max)) = p.expert.next_file_chunk() {
        let end = (offset as usize + max).min(content.len());
        p.expert
            .send_file_chunk(tid, offset, &content[offset as usize..end])
            .unwrap();
        p.pump();
    }
    p.pump();
    let received: Vec<u8> = p
        .novice_events
        .iter()
        .filter_map(|e| match e {
            Ev::FileData(i, _, d) if *i == id => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(received, content);
    assert!(p
        .novice_events
        .contains(&Ev::FileFinished(id, FileOutcome::Ok)));
    assert!(
        p.expert_events
            .contains(&Ev::FileFinished(id, FileOutcome::Ok)),
        "{:?}",
        p.expert_events
            .iter()
            .filter(|e| !matches!(e, Ev::FileProgress(..)))
            .collect::<Vec<_>>()
    );

    // Novice → expert, with a chunk that does not match the offered hash.
    let id = p
        .novice
        .offer_file("log.txt", 10, Sha256::digest(b"0123456789").into())
        .unwrap();
    p.pump();
    p.expert.answer_file(id, true).unwrap();
    p.pump();
    let (tid, offset, _) = p.novice.next_file_chunk().unwrap();
    p.novice
        .send_file_chunk(tid, offset, b"0123X56789")
        .unwrap();
    p.pump();
    assert!(p
        .expert_events
        .contains(&Ev::FileFinished(id, FileOutcome::HashMismatch)));
    assert!(p
        .novice_events
        .contains(&Ev::FileFinished(id, FileOutcome::HashMismatch)));
}

#[test]
fn ses_07_file_declined_and_cancelled() {
    let (mut machine, mut p) = invited_pair(24, None, None);
    p.admit_and_accept(&mut machine);
    let id = p.novice.offer_file("photo.jpg", 5, [0; 32]).unwrap();
    p.pump();
    p.expert.answer_file(id, false).unwrap();
    p.pump();
    assert!(p.novice_events.contains(&Ev::FileDeclined(id)));

    let id = p.expert.offer_file("big.iso", 10_000_000, [0; 32]).unwrap();
    p.pump();
    p.novice.answer_file(id, true).unwrap();
    p.pump();
    let (tid, offset, max) = p.expert.next_file_chunk().unwrap();
    p.expert
        .send_file_chunk(tid, offset, &vec![0; max])
        .unwrap();
    p.pump();
    p.novice.cancel_file(id).unwrap();
    p.pump();
    assert!(p
        .expert_events
        .contains(&Ev::FileCancelled(id, Side::Novice)));
    assert!(p.expert.next_file_chunk().is_none());
}

#[test]
fn ses_07_hostile_file_names_are_refused_at_the_sender() {
    let (mut machine, mut p) = invited_pair(25, None, None);
    p.admit_and_accept(&mut machine);
    for name in [
        "../etc/passwd",
        "/etc/passwd",
        "C:evil.exe",
        "a/b",
        "a\\b",
        "..",
        "bell\u{7}",
    ] {
        assert_eq!(
            p.expert.offer_file(name, 1, [0; 32]),
            Err(SendError::Invalid),
            "{name}"
        );
    }
}

#[test]
fn ses_10_disconnect_tells_the_other_side() {
    let (_machine, mut p) = controlled_pair(26);
    p.expert.send_input(key(0x04, true)).unwrap();
    p.pump();
    p.expert.disconnect();
    p.pump();
    assert_eq!(
        p.ended(),
        (Some(EndReason::PeerLeft), Some(EndReason::LocalLeft))
    );
    assert_nothing_held(&p);
}

#[test]
fn net_03_black_holed_link_ends_both_sides_and_releases_keys() {
    let (_machine, mut p) = controlled_pair(27);
    p.expert.send_input(key(0x04, true)).unwrap();
    p.pump();
    p.link_up = false;
    p.advance(config().idle_timeout_ms + 1);
    assert_eq!(
        p.ended(),
        (Some(EndReason::LinkLost), Some(EndReason::LinkLost))
    );
    assert_nothing_held(&p);
}

#[test]
fn net_03_keepalives_keep_an_idle_session_open() {
    let (mut machine, mut p) = invited_pair(28, None, None);
    p.admit_and_accept(&mut machine);
    p.advance(5 * config().idle_timeout_ms);
    assert_eq!(p.novice.state(), NoviceState::Viewing);
    assert!(p.expert.rtt_ms().is_some());
}

#[test]
fn net_03_flipped_bit_ends_the_session_with_a_reason() {
    let (mut machine, mut p) = invited_pair(29, None, None);
    p.admit_and_accept(&mut machine);
    p.tamper_to_novice = Some(Box::new(|bytes: &mut Vec<u8>| {
        if let Some(b) = bytes.last_mut() {
            *b ^= 0x40;
        }
    }));
    p.expert.send_chat("hello").unwrap();
    p.pump();
    assert_eq!(
        p.novice_events.last(),
        Some(&Ev::Ended(EndReason::TamperedRecord)),
        "{:?} / {:?}",
        p.novice_events,
        p.expert_events
    );
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::Ended(EndReason::TamperedRecord))
    );
}

#[test]
fn ses_12_frame_window_limits_frames_in_flight() {
    let (mut machine, mut p) = invited_pair(30, None, None);
    p.admit_and_accept(&mut machine);
    p.link_up = false;
    let mut started = 0;
    while p.novice.can_send_frame() {
        let f = p.novice.begin_frame(64, 64, 0).unwrap();
        p.novice.end_frame(f).unwrap();
        started += 1;
        assert!(started <= 16, "the window never closed");
    }
    assert_eq!(started, usize::from(config().frame_window));
    p.link_up = true;
    p.pump();
    assert!(p.novice.can_send_frame(), "acks reopen the window");
}

// ---- offered help (XX) ----

fn offer_pair(
    seed: u64,
    machine: &mut Machine,
    helper: &StaticKeypair,
    cert: Option<&[u8]>,
) -> Pair {
    let mut r = rng(seed);
    let novice = NoviceSession::new(
        config(),
        &mut r,
        machine.settings,
        &machine.key.secret,
        "Desk 12",
        T0,
    );
    let expert = ExpertSession::for_offer(
        config(),
        &mut r,
        &helper.secret,
        cert,
        Some(machine.key.public),
        "Helpdesk Kari",
        T0,
    )
    .unwrap();
    Pair::new(r, novice, expert)
}

fn offered(p: &mut Pair, machine: &Machine) -> Result<Level, EndReason> {
    p.pump();
    assert_eq!(p.novice_events.last(), Some(&Ev::Authenticate));
    let verdict = p.novice.admit_offer(p.now, &machine.policy);
    p.pump();
    verdict
}

#[test]
fn off_01_02_listed_helper_key_is_admitted_and_still_asked() {
    let mut r = rng(40);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    let helper = StaticKeypair::generate(&mut r);
    machine
        .policy
        .entries
        .push(PolicyEntry {
            subject: Subject::Helper(helper.public),
            name: "Kari".try_into().unwrap(),
            level: None,
        })
        .unwrap();
    let mut p = offer_pair(41, &mut machine, &helper, None);
    assert_eq!(offered(&mut p, &machine), Ok(Level::ViewOnly));
    assert_eq!(
        p.novice_events.last(),
        Some(&Ev::ConsentRequested("Helpdesk Kari".into()))
    );
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::Admitted("Desk 12".into()))
    );
}

#[test]
fn off_02_03_group_signed_helper_with_control_level() {
    let mut r = rng(42);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    machine.settings.allow_remote_control = true;
    let group = ed25519_dalek::SigningKey::generate(&mut r);
    machine
        .policy
        .entries
        .push(PolicyEntry {
            subject: Subject::Group(group.verifying_key().to_bytes()),
            name: "IT".try_into().unwrap(),
            level: Some(Level::Control),
        })
        .unwrap();
    let helper = StaticKeypair::generate(&mut r);
    let cert = HelperCertificate::issue(&group, helper.public, "Kari", T0 + HOUR).unwrap();
    let mut buf = [0u8; 512];
    let n = cert.encode(&mut buf).unwrap();
    let mut p = offer_pair(43, &mut machine, &helper, Some(&buf[..n]));
    assert_eq!(offered(&mut p, &machine), Ok(Level::Control));
    p.novice.consent(p.now, true).unwrap();
    p.pump();
    p.take_control();
}

#[test]
fn off_02_unlisted_helper_is_refused() {
    let mut r = rng(44);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    let helper = StaticKeypair::generate(&mut r);
    let mut p = offer_pair(45, &mut machine, &helper, None);
    assert_eq!(offered(&mut p, &machine), Err(EndReason::PolicyDenies));
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::Ended(EndReason::PolicyDenies))
    );
}

#[test]
fn off_01_offered_help_disabled_is_refused() {
    let mut r = rng(46);
    let mut machine = Machine::new(&mut r);
    let helper = StaticKeypair::generate(&mut r);
    let mut p = offer_pair(47, &mut machine, &helper, None);
    assert_eq!(
        offered(&mut p, &machine),
        Err(EndReason::OfferedHelpDisabled)
    );
}

#[test]
fn off_03_view_only_level_refuses_control() {
    let mut r = rng(48);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    machine.settings.allow_remote_control = true;
    let helper = StaticKeypair::generate(&mut r);
    machine
        .policy
        .entries
        .push(PolicyEntry {
            subject: Subject::Helper(helper.public),
            name: "Kari".try_into().unwrap(),
            level: Some(Level::ViewOnly),
        })
        .unwrap();
    let mut p = offer_pair(49, &mut machine, &helper, None);
    offered(&mut p, &machine).unwrap();
    p.novice.consent(p.now, true).unwrap();
    p.pump();
    p.expert.request_control().unwrap();
    p.pump();
    assert_eq!(
        p.expert_events.last(),
        Some(&Ev::ControlRefused(ControlRefusal::PolicyViewOnly))
    );
}

#[test]
fn off_04_policy_change_applies_to_the_next_request() {
    let mut r = rng(50);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    let helper = StaticKeypair::generate(&mut r);
    let mut p = offer_pair(51, &mut machine, &helper, None);
    assert_eq!(offered(&mut p, &machine), Err(EndReason::PolicyDenies));
    machine
        .policy
        .entries
        .push(PolicyEntry {
            subject: Subject::Helper(helper.public),
            name: "Kari".try_into().unwrap(),
            level: None,
        })
        .unwrap();
    let mut p = offer_pair(52, &mut machine, &helper, None);
    assert!(offered(&mut p, &machine).is_ok());
}

#[test]
fn off_06_offered_help_works_with_invitations_disabled() {
    let mut r = rng(53);
    let mut machine = Machine::new(&mut r);
    machine.settings.offered_help = true;
    machine.settings.requested_help = false;
    let helper = StaticKeypair::generate(&mut r);
    machine
        .policy
        .entries
        .push(PolicyEntry {
            subject: Subject::Helper(helper.public),
            name: "Kari".try_into().unwrap(),
            level: None,
        })
        .unwrap();
    let mut p = offer_pair(54, &mut machine, &helper, None);
    assert!(offered(&mut p, &machine).is_ok());
    // …while an invitation is refused with its own reason.
    let invitation = machine.invite(&mut r, None);
    let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
    assert_eq!(
        refused_with(&mut machine, &mut p),
        EndReason::RequestedHelpDisabled
    );
}
