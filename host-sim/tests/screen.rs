//! The picture, the status and typing through layouts (SES-01, SES-06,
//! SES-13, L10N-02).

mod support;

use beckon_core::keymap::Layout;
use beckon_core::reason::Permission;
use beckon_core::session::ExpertState;
use beckon_host_sim::events::Ev;
use beckon_host_sim::{Sim, SimConfig};
use support::*;

#[test]
fn ses_01_the_helper_sees_the_screen_live() {
    let mut sim = Sim::new(200);
    let k = started(&mut sim);
    wait_for(&mut sim, 5_000, "first picture", |s| {
        s.expert_sees_the_screen(k)
    });
    // The person does things; each change reaches the helper within a few
    // frame intervals on a local link.
    for (i, word) in ["dear ", "helper, ", "look ", "here"].iter().enumerate() {
        sim.person_types(word);
        sim.run_for(word.len() as u64 * 40 + 200);
        assert!(sim.expert_sees_the_screen(k), "after word {i}");
        sim.person_moves_pointer(200 + 100 * i as u16, 300);
        sim.run_for(200);
        assert!(sim.expert_sees_the_screen(k), "after moving the pointer");
    }
    // Only changes travel: the frames after the first are small.
    let total = sim.agent.conns[k].video.bytes_sent;
    let frames = sim.agent.conns[k].video.frames_sent;
    assert!(frames > 4, "{frames} frames");
    assert!(sim.experts[k].view.decode_errors == 0);
    assert!(total < 4 * 1280 * 800, "{total} bytes for {frames} frames");
}

#[test]
fn ses_06_status_shows_name_connection_and_permission_on_both_sides() {
    let mut sim = Sim::new(201);
    sim.agent
        .set_settings(beckon_core::policy::MachineSettings {
            allow_remote_control: true,
            ..Default::default()
        });
    let inv = invitation(&mut sim, None);
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "prompt", |s| !s.prompts().is_empty());
    wait_for(&mut sim, 1_000, "admitted", |s| {
        s.experts[k].events().any(|e| matches!(e, Ev::Admitted(_)))
    });
    assert_eq!(sim.agent.conns[k].session.permission(), Permission::Waiting);
    assert_eq!(sim.agent.conns[k].session.expert_name(), "Henk");
    assert_eq!(sim.experts[k].session.state(), ExpertState::AwaitingConsent);
    assert_eq!(sim.experts[k].session.novice_name(), "Oma Jansen");
    sim.person_consents(k, true).expect("consent");
    sim.run_for(500);
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::ScreenView
    );
    assert_eq!(sim.experts[k].session.permission(), Permission::ScreenView);
    assert!(sim
        .agent
        .desktop
        .status_lines()
        .iter()
        .any(|l| l.contains("Henk can see your screen")));
    sim.expert_requests_control(k).expect("request");
    sim.run_for(200);
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::ControlRequested
    );
    assert_eq!(
        sim.experts[k].session.permission(),
        Permission::ControlRequested
    );
    sim.person_answers_control(k, true).expect("allow");
    sim.run_for(200);
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::SharedControl
    );
    assert_eq!(
        sim.experts[k].session.permission(),
        Permission::SharedControl
    );
    assert!(sim
        .agent
        .desktop
        .status_lines()
        .iter()
        .any(|l| l.contains("shares your keyboard and mouse")));
    sim.expert_disconnects(k);
    sim.run_for(500);
    assert!(sim
        .agent
        .desktop
        .status_lines()
        .iter()
        .any(|l| l.contains("Nobody is connected")));
}

#[test]
fn ses_13_the_person_is_reminded_that_the_helper_sees_everything() {
    let mut sim = Sim::new(202);
    let k = started(&mut sim);
    let reminder = "Your helper sees everything on your screen.";
    assert!(sim
        .agent
        .desktop
        .status_lines()
        .iter()
        .any(|l| l == reminder));
    // And the reminder is on the screen the helper sees, too.
    wait_for(&mut sim, 5_000, "picture", |s| s.expert_sees_the_screen(k));
}

fn typing_on(layout: Layout, text: &str, seed: u64) -> String {
    let mut sim = Sim::with_config(SimConfig {
        seed,
        layout,
        ..SimConfig::default()
    });
    let k = in_control(&mut sim);
    sim.expert_types(k, text).expect("typable on this layout");
    sim.run_for(text.chars().count() as u64 * 40 + 1_000);
    assert!(sim.experts[k].saw(&Ev::ControlGranted));
    sim.editor_text()
}

#[test]
fn l10n_02_typing_follows_the_targets_layout() {
    assert_eq!(
        typing_on(Layout::German, "Grüße @ 10 € {ok}", 203),
        "Grüße @ 10 € {ok}"
    );
    assert_eq!(
        typing_on(Layout::Norwegian, "blåbærsyltetøy @ 5 kr", 204),
        "blåbærsyltetøy @ 5 kr"
    );
    assert_eq!(
        typing_on(Layout::UsInternational, "café naïve ñ", 205),
        "café naïve ñ"
    );
    assert_eq!(
        typing_on(Layout::Us, "Hello, World! 42", 206),
        "Hello, World! 42"
    );
}

#[test]
fn l10n_02_characters_the_layout_cannot_type_are_refused_before_sending() {
    let mut sim = Sim::new(207);
    let k = in_control(&mut sim);
    let err = sim
        .expert_types(k, "price: 5 €")
        .expect_err("US has no euro key");
    assert_eq!(err.ch, '€');
    sim.run_for(1_000);
    assert_eq!(sim.editor_text(), "", "nothing half-typed");
}
