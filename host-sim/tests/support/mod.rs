//! Shared steps of the scenarios.

#![allow(dead_code)]

use beckon_core::invitation::Invitation;
use beckon_core::policy::MachineSettings;
use beckon_core::reason::EndReason;
use beckon_host_sim::events::Ev;
pub use beckon_host_sim::events::Seen;
use beckon_host_sim::Sim;

/// One hour in ms.
pub const HOUR: u64 = 3_600_000;

/// HID usage of Esc.
pub const ESC: u8 = 0x29;

/// Run, failing with the transcript when `done` never holds.
pub fn wait_for(sim: &mut Sim, limit_ms: u64, what: &str, done: impl FnMut(&mut Sim) -> bool) {
    if !sim.run_until(limit_ms, done) {
        panic!(
            "{what}: not within {limit_ms} ms\n---- transcript ----\n{}",
            sim.transcript
        );
    }
}

/// A fresh invitation with this password, valid for an hour.
pub fn invitation(sim: &mut Sim, password: Option<&str>) -> Invitation {
    let now = sim.now();
    sim.agent
        .invite(now, "Oma Jansen", password, HOUR)
        .expect("invitation")
}

/// A helper named Henk connects with a password-protected invitation and
/// the person accepts: the session is viewing. Returns the connection.
pub fn started(sim: &mut Sim) -> usize {
    let inv = invitation(sim, Some("tulip"));
    let k = sim
        .connect_invitation("Henk", &inv, Some("tulip"))
        .expect("connect");
    wait_for(sim, 5_000, "consent prompt", |s| !s.prompts().is_empty());
    sim.person_consents(k, true).expect("consent");
    wait_for(sim, 5_000, "session start", |s| {
        s.experts[k].saw(&Ev::Started)
    });
    k
}

/// As [`started`], on a machine that allows control, with control granted.
pub fn in_control(sim: &mut Sim) -> usize {
    sim.agent.set_settings(MachineSettings {
        allow_remote_control: true,
        ..MachineSettings::default()
    });
    let k = started(sim);
    sim.expert_requests_control(k).expect("request");
    wait_for(sim, 5_000, "control prompt", |s| {
        s.agent.conns[k].saw(&Ev::ControlRequested)
    });
    sim.person_answers_control(k, true).expect("answer");
    wait_for(sim, 5_000, "control granted", |s| {
        s.experts[k].saw(&Ev::ControlGranted)
    });
    k
}

/// How connection `k` ended on the expert's side, after waiting for it.
pub fn expert_end(sim: &mut Sim, k: usize, limit_ms: u64) -> EndReason {
    wait_for(sim, limit_ms, "the expert's session to end", |s| {
        s.experts[k].ended.is_some()
    });
    sim.experts[k].ended.expect("ended")
}

/// How connection `k` ended on the novice's side, after waiting for it.
pub fn novice_end(sim: &mut Sim, k: usize, limit_ms: u64) -> EndReason {
    wait_for(sim, limit_ms, "the novice's session to end", |s| {
        s.agent.conns[k].ended.is_some()
    });
    sim.agent.conns[k].ended.expect("ended")
}

/// Whether anything the expert injected is still held on the desktop.
pub fn nothing_held(sim: &Sim) -> bool {
    sim.agent.desktop.held_keys().is_empty() && sim.agent.desktop.held_buttons().is_empty()
}
