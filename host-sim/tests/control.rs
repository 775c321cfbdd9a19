//! Shared control, end to end: asking, refusing, typing, stopping (SES-02…05).

mod support;

use beckon_core::message::InputEvent;
use beckon_core::reason::{ControlRefusal, Permission, Side, StopMethod};
use beckon_host_sim::agent::Prompt;
use beckon_host_sim::events::Ev;
use beckon_host_sim::Sim;
use support::*;

#[test]
fn ses_03_control_request_on_a_machine_where_it_is_off_is_refused_and_the_session_goes_on() {
    let mut sim = Sim::new(20);
    assert!(!sim.agent.settings.allow_remote_control, "off by default");
    let k = started(&mut sim);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "refusal", |s| {
        s.experts[k].saw(&Ev::ControlRefused(ControlRefusal::DisabledOnMachine))
    });
    assert!(sim.prompts().is_empty(), "the person is not even asked");
    assert!(sim
        .transcript
        .mentions("remote control is disabled on this machine"));
    // Typing goes nowhere, and the session is still on: chat works.
    sim.expert_types(k, "rm").expect("typable");
    sim.run_for(1_000);
    assert_eq!(sim.editor_text(), "");
    sim.expert_chats(k, "Control is off on your machine; I will guide you.")
        .expect("chat");
    sim.run_for(500);
    assert_eq!(sim.agent.conns[k].session.chat().len(), 1);
    assert!(sim.experts[k].ended.is_none());
}

#[test]
fn ses_02_person_is_asked_and_can_say_no() {
    let mut sim = Sim::new(21);
    sim.agent
        .set_settings(beckon_core::policy::MachineSettings {
            allow_remote_control: true,
            ..Default::default()
        });
    let k = started(&mut sim);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "control prompt", |s| {
        !s.prompts().is_empty()
    });
    assert_eq!(sim.prompts(), [Prompt::Control { conn: k }]);
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::ControlRequested
    );
    // Before the answer, input does nothing.
    sim.expert_types(k, "no").expect("typable");
    sim.run_for(500);
    assert_eq!(sim.editor_text(), "");
    sim.person_answers_control(k, false).expect("answer");
    wait_for(&mut sim, 5_000, "refusal", |s| {
        s.experts[k].saw(&Ev::ControlRefused(ControlRefusal::Declined))
    });
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::ScreenView
    );
}

#[test]
fn ses_02_04_granted_control_types_hello_into_the_editor_and_the_helper_sees_it() {
    let mut sim = Sim::new(22);
    let k = in_control(&mut sim);
    // The person was told how to stop: the status panel says it.
    assert!(sim
        .agent
        .desktop
        .status_lines()
        .iter()
        .any(|l| l.contains("Esc") && l.contains("Ctrl+C") && l.contains("Stop control")));
    sim.expert_types(k, "hello").expect("typable");
    wait_for(&mut sim, 5_000, "hello in the editor", |s| {
        s.editor_text() == "hello"
    });
    sim.run_for(1_000);
    assert!(
        sim.expert_sees_the_screen(k),
        "the helper sees the typed text"
    );
    assert!(nothing_held(&sim));
}

#[test]
fn ses_04_05_local_esc_halfway_ends_control_and_the_rest_is_not_typed() {
    let mut sim = Sim::new(23);
    let k = in_control(&mut sim);
    let sentence = "please open the settings";
    sim.expert_types(k, sentence).expect("typable");
    // About a third of the way through, the person presses Esc.
    wait_for(&mut sim, 5_000, "some typing", |s| {
        s.editor_text().len() >= 8
    });
    sim.person_presses(ESC);
    wait_for(&mut sim, 5_000, "control ended at the expert", |s| {
        s.experts[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::EscKey))
    });
    assert!(sim.agent.conns[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::EscKey)));
    sim.run_for(3_000);
    let typed = sim.editor_text();
    assert!(sentence.starts_with(&typed), "{typed:?}");
    assert!(
        typed.len() < sentence.len(),
        "the rest was not typed: {typed:?}"
    );
    assert!(nothing_held(&sim), "no stuck keys");
    // The session goes on, view only.
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::ScreenView
    );
    assert!(sim.experts[k].ended.is_none());
    assert!(sim.expert_sees_the_screen(k));
}

#[test]
fn ses_05_local_ctrl_c_ends_control() {
    let mut sim = Sim::new(24);
    let k = in_control(&mut sim);
    sim.expert_types(k, "abcdefghijklmnop").expect("typable");
    wait_for(&mut sim, 5_000, "some typing", |s| {
        s.editor_text().len() >= 3
    });
    sim.person_presses_ctrl_c();
    wait_for(&mut sim, 5_000, "control ended", |s| {
        s.experts[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::CtrlC))
    });
    sim.run_for(2_000);
    let typed = sim.editor_text();
    // A strict prefix: the rest was not typed, and the person's Ctrl+C
    // typed nothing itself.
    assert!(
        "abcdefghijklmnop".starts_with(&typed) && typed.len() < 16,
        "{typed:?}"
    );
    assert!(nothing_held(&sim));
}

#[test]
fn ses_05_stop_control_button_ends_control() {
    let mut sim = Sim::new(25);
    let k = in_control(&mut sim);
    // The helper holds Shift while typing when the person clicks Stop.
    sim.expert_input(
        k,
        InputEvent::Key {
            usage: 0xE1,
            down: true,
        },
    );
    sim.expert_types(k, "abcdefghij").expect("typable");
    wait_for(&mut sim, 5_000, "some typing", |s| {
        s.editor_text().len() >= 2
    });
    sim.person_clicks_stop_control();
    wait_for(&mut sim, 5_000, "control ended", |s| {
        s.experts[k].saw(&Ev::ControlEnded(Side::Novice, StopMethod::StopButton))
    });
    sim.run_for(2_000);
    assert!(sim.editor_text().len() < 10);
    assert!(
        nothing_held(&sim),
        "Shift was released: {:?}",
        sim.agent.desktop.held_keys()
    );
}

#[test]
fn ses_05_the_helpers_own_esc_does_not_end_control() {
    let mut sim = Sim::new(26);
    let k = in_control(&mut sim);
    sim.expert_presses(k, ESC);
    sim.expert_types(k, "ok").expect("typable");
    wait_for(&mut sim, 5_000, "typing after Esc", |s| {
        s.editor_text() == "ok"
    });
    assert_eq!(
        sim.agent.conns[k].session.permission(),
        Permission::SharedControl
    );
    assert!(!sim.experts[k]
        .events()
        .any(|e| matches!(e, Ev::ControlEnded(..))));
}

#[test]
fn ses_04_the_persons_typing_wins_and_no_word_is_interleaved() {
    let mut sim = Sim::new(27);
    let k = in_control(&mut sim);
    sim.expert_types(k, "helper").expect("typable");
    // The person starts typing while the helper is at it.
    sim.run_for(90);
    sim.person_types("person");
    sim.run_for(3_000);
    let text = sim.editor_text();
    // The person's word is whole; the helper's letters come in order around it.
    let at = text
        .find("person")
        .unwrap_or_else(|| panic!("person's word split: {text:?}"));
    let helper: String = text[..at].to_string() + &text[at + "person".len()..];
    assert_eq!(helper, "helper", "{text:?}");
    assert!(at > 0, "the helper had started: {text:?}");
    assert!(nothing_held(&sim));
}

#[test]
fn ses_05_helper_gives_control_back() {
    let mut sim = Sim::new(28);
    let k = in_control(&mut sim);
    sim.expert_releases_control(k).expect("release");
    wait_for(&mut sim, 5_000, "control ended", |s| {
        s.agent.conns[k].saw(&Ev::ControlEnded(Side::Expert, StopMethod::ExpertReleased))
    });
    sim.expert_types(k, "x").expect("typable");
    sim.run_for(1_000);
    assert_eq!(sim.editor_text(), "");
}

#[test]
fn ses_03_every_session_asks_again() {
    let mut sim = Sim::new(29);
    let k = in_control(&mut sim);
    sim.expert_disconnects(k);
    sim.run_for(1_000);
    let j = started(&mut sim);
    sim.expert_types(j, "x").expect("typable");
    sim.run_for(500);
    assert_eq!(sim.editor_text(), "", "control did not carry over");
    sim.expert_requests_control(j).expect("request");
    wait_for(&mut sim, 5_000, "asked again", |s| {
        s.prompts().contains(&Prompt::Control { conn: j })
    });
}

#[test]
fn ses_04_helper_clicks_the_button_on_the_screen() {
    let mut sim = Sim::new(30);
    let k = in_control(&mut sim);
    let (x, y) = sim.agent.desktop.button_center();
    sim.expert_clicks(k, x, y);
    wait_for(&mut sim, 5_000, "click", |s| {
        s.agent.desktop.button_clicks() == 1
    });
    assert!(nothing_held(&sim));
}
