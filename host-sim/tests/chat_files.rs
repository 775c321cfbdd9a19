//! Chat and files, end to end (SES-07, SES-08).

mod support;

use beckon_core::reason::Side;
use beckon_core::session::FileOutcome;
use beckon_host_sim::agent::{Answer, Prompt};
use beckon_host_sim::events::Ev;
use beckon_host_sim::Sim;
use support::*;

fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn ses_08_chat_both_ways_with_the_same_history_on_both_sides() {
    let mut sim = Sim::new(40);
    let k = started(&mut sim);
    sim.expert_chats(k, "Hallo Oma, ik zie je scherm.")
        .expect("chat");
    sim.run_for(300);
    sim.person_chats(k, "Fijn! Waar moet ik klikken?")
        .expect("chat");
    // Both write at the same moment: the novice's machine orders them, and
    // both sides end up with that one order.
    sim.expert_chats(k, "Rechtsboven, op het tandwiel ⚙")
        .expect("chat");
    sim.person_chats(k, "Ah, zie ik").expect("chat");
    sim.run_for(1_000);
    let novice: Vec<(Side, String)> = sim.agent.conns[k]
        .session
        .chat()
        .entries()
        .map(|e| (e.from, e.text.to_string()))
        .collect();
    let expert: Vec<(Side, String)> = sim.experts[k]
        .session
        .chat()
        .entries()
        .map(|e| (e.from, e.text.to_string()))
        .collect();
    assert_eq!(novice.len(), 4);
    assert_eq!(novice, expert, "one history, the same order on both sides");
    assert_eq!(
        novice[1],
        (Side::Novice, "Fijn! Waar moet ik klikken?".into())
    );
}

#[test]
fn ses_07_file_from_helper_to_person_accepted_with_progress_and_checksum() {
    let mut sim = Sim::new(41);
    let k = started(&mut sim);
    let data = content(300_000, 1);
    let id = sim
        .expert_sends_file(k, "printer-driver.zip", data.clone(), None)
        .expect("offer");
    wait_for(&mut sim, 5_000, "file prompt", |s| {
        s.prompts().iter().any(|p| matches!(p, Prompt::File { .. }))
    });
    sim.person_answers_file(k, id, true).expect("accept");
    wait_for(&mut sim, 30_000, "file done", |s| {
        s.agent.conns[k]
            .files
            .incoming
            .get(&id)
            .is_some_and(|f| f.outcome.is_some())
    });
    let got = &sim.agent.conns[k].files.incoming[&id];
    assert_eq!(got.outcome, Some(FileOutcome::Ok));
    assert_eq!(got.name, "printer-driver.zip");
    assert_eq!(got.data, data);
    // Progress was reported on both sides, rising to the total.
    let progress: Vec<u64> = sim.experts[k]
        .events()
        .filter_map(|e| match e {
            Ev::FileProgress(i, done, _) if *i == id => Some(*done),
            _ => None,
        })
        .collect();
    assert!(progress.len() > 1, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]));
    assert!(progress.iter().all(|p| *p <= 300_000));
    wait_for(&mut sim, 5_000, "the sender hears it arrived", |s| {
        s.experts[k].saw(&Ev::FileFinished(id, FileOutcome::Ok))
    });
}

#[test]
fn ses_07_file_from_person_to_helper() {
    let mut sim = Sim::new(42);
    let k = started(&mut sim);
    sim.experts[k].file_answer = Answer::Yes;
    let data = content(70_000, 2);
    let id = sim
        .person_sends_file(k, "foutmelding.png", data.clone(), None)
        .expect("offer");
    wait_for(&mut sim, 30_000, "file done", |s| {
        s.experts[k]
            .files
            .incoming
            .get(&id)
            .is_some_and(|f| f.outcome.is_some())
    });
    let got = &sim.experts[k].files.incoming[&id];
    assert_eq!(got.outcome, Some(FileOutcome::Ok));
    assert_eq!(got.data, data);
    wait_for(&mut sim, 5_000, "the sender hears it arrived", |s| {
        s.agent.conns[k].saw(&Ev::FileFinished(id, FileOutcome::Ok))
    });
}

#[test]
fn ses_07_declined_file_sends_nothing() {
    let mut sim = Sim::new(43);
    let k = started(&mut sim);
    let id = sim
        .expert_sends_file(k, "tool.exe", content(50_000, 3), None)
        .expect("offer");
    wait_for(&mut sim, 5_000, "file prompt", |s| !s.prompts().is_empty());
    sim.person_answers_file(k, id, false).expect("decline");
    wait_for(&mut sim, 5_000, "declined", |s| {
        s.experts[k].saw(&Ev::FileDeclined(id))
    });
    sim.run_for(1_000);
    assert!(sim.agent.conns[k].files.incoming[&id].data.is_empty());
    assert!(!sim.agent.conns[k]
        .events()
        .any(|e| matches!(e, Ev::FileData(i, ..) if *i == id)));
}

#[test]
fn ses_07_transfer_cancelled_midway_by_either_side() {
    for canceller in [Side::Novice, Side::Expert] {
        let mut sim = Sim::new(44);
        // A slow link, so there is a middle to cancel in.
        sim.set_link(beckon_host_sim::net::LinkSpec::slow(2_000, 40));
        let k = started(&mut sim);
        let id = sim
            .expert_sends_file(k, "backup.tar", content(2_000_000, 4), None)
            .expect("offer");
        wait_for(&mut sim, 5_000, "file prompt", |s| !s.prompts().is_empty());
        sim.person_answers_file(k, id, true).expect("accept");
        wait_for(&mut sim, 30_000, "a quarter through", |s| {
            s.agent.conns[k].files.incoming[&id].data.len() > 500_000
        });
        match canceller {
            Side::Novice => sim.person_cancels_file(k, id).expect("cancel"),
            Side::Expert => sim.expert_cancels_file(k, id).expect("cancel"),
        }
        wait_for(&mut sim, 5_000, "both told", |s| {
            s.agent.conns[k].saw(&Ev::FileCancelled(id, canceller))
                && s.experts[k].saw(&Ev::FileCancelled(id, canceller))
        });
        let file = &sim.agent.conns[k].files.incoming[&id];
        assert!(
            file.cancelled && file.data.is_empty(),
            "partial file discarded"
        );
        assert!(sim.experts[k].ended.is_none(), "the session goes on");
        sim.expert_chats(k, "still here").expect("chat");
    }
}

#[test]
fn ses_07_corrupted_chunk_is_detected_and_the_file_discarded() {
    let mut sim = Sim::new(45);
    let k = started(&mut sim);
    let data = content(120_000, 5);
    // The sender's copy changes under the transfer at byte 77 777.
    let id = sim
        .expert_sends_file(k, "report.pdf", data, Some(77_777))
        .expect("offer");
    wait_for(&mut sim, 5_000, "file prompt", |s| !s.prompts().is_empty());
    sim.person_answers_file(k, id, true).expect("accept");
    wait_for(&mut sim, 30_000, "file done", |s| {
        s.experts[k]
            .events()
            .any(|e| matches!(e, Ev::FileFinished(i, _) if *i == id))
    });
    assert!(sim.experts[k].saw(&Ev::FileFinished(id, FileOutcome::HashMismatch)));
    let file = &sim.agent.conns[k].files.incoming[&id];
    assert_eq!(file.outcome, Some(FileOutcome::HashMismatch));
    assert!(file.data.is_empty(), "never kept");
    assert!(sim.transcript.mentions("checksum mismatch"));
}

#[test]
fn ses_07_hostile_file_names_are_refused() {
    let mut sim = Sim::new(46);
    let k = started(&mut sim);
    for name in [
        "../../.bashrc",
        "/etc/passwd",
        "C:\\Windows\\evil.dll",
        "",
        "a\0b",
        "..",
        "con\nfusing",
    ] {
        assert!(
            sim.expert_sends_file(k, name, vec![1, 2, 3], None).is_err(),
            "{name:?} was accepted"
        );
    }
    sim.run_for(1_000);
    assert!(sim.prompts().is_empty(), "the person never saw them");
    assert!(sim.experts[k].ended.is_none());
}
