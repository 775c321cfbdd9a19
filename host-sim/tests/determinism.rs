//! The same seed gives the same run, byte for byte.

mod support;

use beckon_host_sim::net::{LinkSpec, PipeSpec};
use beckon_host_sim::Sim;
use support::*;

/// A busy story on a jittery link: invitation, control, typing, chat, a file.
fn story(seed: u64) -> (Sim, [u8; 32]) {
    let mut sim = Sim::new(seed);
    sim.set_link(LinkSpec::symmetric(
        PipeSpec::slow(2_000, 40).with_jitter(15),
    ));
    let k = in_control(&mut sim);
    sim.expert_types(k, "deterministic").expect("typable");
    sim.person_chats(k, "what are you typing?").expect("chat");
    sim.run_for(3_000);
    let id = sim
        .expert_sends_file(k, "notes.txt", vec![42; 40_000], None)
        .expect("offer");
    wait_for(&mut sim, 5_000, "prompt", |s| !s.prompts().is_empty());
    sim.person_answers_file(k, id, true).expect("accept");
    sim.run_for(5_000);
    sim.expert_disconnects(k);
    sim.run_for(1_000);
    let digest = sim.digest();
    (sim, digest)
}

#[test]
fn same_seed_gives_the_same_run_byte_for_byte() {
    let (a, da) = story(7);
    let (b, db) = story(7);
    assert_eq!(a.transcript.to_string(), b.transcript.to_string());
    assert_eq!(da, db);
    assert_eq!(
        a.link(0).pipe(beckon_host_sim::net::Toward::Expert).stats(),
        b.link(0).pipe(beckon_host_sim::net::Toward::Expert).stats()
    );
}

#[test]
fn another_seed_gives_other_bytes() {
    let (_, da) = story(7);
    let (_, dc) = story(8);
    assert_ne!(da, dc, "keys, nonces and jitter come from the seed");
}
