//! Bad bytes on purpose: garbage, truncated, replayed, dropped and
//! corrupted records at either side. Each ends only its own session, with a
//! reason, and the novice's agent keeps accepting connections.

mod support;

use beckon_core::invitation::InvitationStatus;
use beckon_core::reason::EndReason;
use beckon_host_sim::events::Ev;
use beckon_host_sim::net::{Fault, Toward, Trigger};
use beckon_host_sim::Sim;
use support::*;

/// A session that has been viewing for a while, then `fault` hits the next
/// record toward `toward`. Returns the reasons on the hit side and the
/// other side.
fn hit_session(seed: u64, toward: Toward, fault: Fault) -> (Sim, usize, EndReason, EndReason) {
    let mut sim = Sim::new(seed);
    let k = started(&mut sim);
    sim.run_for(500);
    let at = sim.now();
    sim.inject(k, toward, fault, Trigger::At(at));
    // Something to carry the hit record: chat one way or the other.
    match toward {
        Toward::Novice => sim.expert_chats(k, "are you there?").expect("chat"),
        Toward::Expert => sim.person_chats(k, "yes, here").expect("chat"),
    }
    let idle = beckon_core::session::Config::default().idle_timeout_ms;
    let novice = novice_end(&mut sim, k, idle + 2_000);
    let expert = expert_end(&mut sim, k, idle + 2_000);
    let (hit, other) = match toward {
        Toward::Novice => (novice, expert),
        Toward::Expert => (expert, novice),
    };
    (sim, k, hit, other)
}

/// After bad input, a genuine helper still gets in and sees the screen.
fn agent_still_serves(sim: &mut Sim) {
    let j = started(sim);
    wait_for(sim, 5_000, "picture", |s| {
        !s.experts[j].view.frames.is_empty()
    });
    sim.run_for(500);
    assert!(sim.expert_sees_the_screen(j));
}

#[test]
fn net_03_corrupted_replayed_dropped_or_garbage_records_end_only_that_session() {
    let cases = [
        (Toward::Novice, Fault::FlipBit, EndReason::TamperedRecord),
        (Toward::Expert, Fault::FlipBit, EndReason::TamperedRecord),
        (Toward::Novice, Fault::Replay, EndReason::TamperedRecord),
        (Toward::Expert, Fault::Replay, EndReason::TamperedRecord),
        (Toward::Novice, Fault::Drop, EndReason::TamperedRecord),
        (Toward::Expert, Fault::Drop, EndReason::TamperedRecord),
        (
            Toward::Novice,
            Fault::Garbage(37),
            EndReason::TamperedRecord,
        ),
        (
            Toward::Expert,
            Fault::Garbage(37),
            EndReason::TamperedRecord,
        ),
    ];
    for (i, (toward, fault, expected)) in cases.into_iter().enumerate() {
        let (mut sim, k, hit, other) = hit_session(100 + i as u64, toward, fault);
        assert_eq!(hit, expected, "{fault:?} toward {toward:?}");
        // The other side is told (the hit side still says goodbye with a
        // reason) or finds out by the keepalive timeout.
        assert!(
            matches!(
                other,
                EndReason::TamperedRecord
                    | EndReason::PeerLeft
                    | EndReason::LinkLost
                    | EndReason::ProtocolError
            ),
            "{fault:?} toward {toward:?}: other side {other:?}"
        );
        assert!(sim.transcript.mentions("tampered"), "a readable reason");
        assert!(nothing_held(&sim));
        let _ = k;
        agent_still_serves(&mut sim);
    }
}

#[test]
fn net_03_truncated_records_end_the_session_with_a_reason() {
    for (i, toward) in [Toward::Novice, Toward::Expert].into_iter().enumerate() {
        // Cut short and followed by more records: the frame boundary is lost.
        let (mut sim, _, hit, _) = hit_session(120 + i as u64, toward, Fault::Truncate);
        assert!(
            matches!(hit, EndReason::TamperedRecord | EndReason::ProtocolError),
            "{toward:?}: {hit:?}"
        );
        agent_still_serves(&mut sim);
        // Cut short and the link closes: a lost link.
        let (mut sim, _, hit, _) = hit_session(130 + i as u64, toward, Fault::TruncateAndClose);
        assert_eq!(hit, EndReason::LinkLost, "{toward:?}");
        agent_still_serves(&mut sim);
    }
}

#[test]
fn inv_11_garbage_instead_of_a_handshake_ends_that_connection_and_spares_the_invitation() {
    let mut sim = Sim::new(140);
    let inv = invitation(&mut sim, Some("tulip"));
    // 1. Random bytes where the preamble should be.
    let k = sim
        .connect_invitation("Noise", &inv, Some("tulip"))
        .expect("connect");
    sim.inject_bytes(k, Toward::Novice, b"GET / HTTP/1.1\r\nHost: beckon\r\n\r\n");
    let r = novice_end(&mut sim, k, 15_000);
    assert!(
        matches!(r, EndReason::UnsupportedVersion | EndReason::ProtocolError),
        "{r:?}"
    );
    // 2. The first handshake message with a flipped bit.
    let j = sim
        .connect_invitation("Flip", &inv, Some("tulip"))
        .expect("connect");
    sim.inject(j, Toward::Novice, Fault::FlipBit, Trigger::Frame(0));
    let r = novice_end(&mut sim, j, 15_000);
    assert!(
        matches!(r, EndReason::HandshakeFailed | EndReason::UnknownInvitation),
        "{r:?}"
    );
    // 3. The novice's handshake answer corrupted on its way to the expert.
    let l = sim
        .connect_invitation("Flip back", &inv, Some("tulip"))
        .expect("connect");
    sim.inject(l, Toward::Expert, Fault::FlipBit, Trigger::Frame(0));
    let r = expert_end(&mut sim, l, 15_000);
    assert_eq!(r, EndReason::HandshakeFailed);
    // None of that counted as a password guess.
    let entry = sim.agent.book.entry(&inv.id).expect("entry");
    assert_eq!(entry.failures(), 0);
    assert_ne!(
        sim.agent.book.status(&inv.id, sim.now()),
        Some(InvitationStatus::Locked)
    );
}

#[test]
fn net_03_a_bad_connection_does_not_disturb_a_good_one_running_beside_it() {
    let mut sim = Sim::new(150);
    let good = in_control(&mut sim);
    let inv = invitation(&mut sim, None);
    let bad = sim
        .connect_invitation("Mallory", &inv, None)
        .expect("connect");
    wait_for(&mut sim, 5_000, "asked", |s| {
        s.agent.conns[bad].saw(&Ev::ConsentRequested("Mallory".into()))
    });
    sim.person_consents(bad, true).expect("consent");
    sim.run_for(500);
    sim.inject(bad, Toward::Novice, Fault::FlipBit, Trigger::At(sim.now()));
    sim.expert_chats(bad, "hi").expect("chat");
    assert_eq!(novice_end(&mut sim, bad, 5_000), EndReason::TamperedRecord);
    // The good session goes on, control and all.
    sim.expert_types(good, "fine").expect("typable");
    wait_for(&mut sim, 5_000, "typed", |s| s.editor_text() == "fine");
    assert!(sim.agent.conns[good].ended.is_none());
}
