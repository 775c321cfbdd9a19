//! Slow, jittery and broken links; hanging up (SES-09, SES-10, SES-12,
//! NET-01, NET-03).

mod support;

use beckon_core::message::{InputEvent, Quality};
use beckon_core::reason::EndReason;
use beckon_core::session::Config;
use beckon_core::video::LEVELS;
use beckon_host_sim::events::Ev;
use beckon_host_sim::net::{CutNotice, LinkSpec, PipeSpec, Toward};
use beckon_host_sim::Sim;
use support::*;

const TEXT: &str = "the quick brown fox jumps over the lazy dog and then types a long sentence";

/// Frames the expert completed while the helper typed `TEXT`, and the
/// input latencies (ms), on a link.
fn typing_over(spec: LinkSpec, seed: u64) -> (Sim, usize, usize, Vec<u64>) {
    let mut sim = Sim::new(seed);
    sim.set_link(spec);
    let k = in_control(&mut sim);
    // Let the first full picture arrive before measuring.
    wait_for(&mut sim, 60_000, "first picture", |s| {
        s.expert_sees_the_screen(k)
    });
    let start = sim.now();
    sim.expert_types(k, TEXT).expect("typable");
    sim.run_for(TEXT.len() as u64 * 40 + 2_000);
    wait_for(&mut sim, 30_000, "all typed", |s| s.editor_text() == TEXT);
    let frames = sim.experts[k].view.frames_between(start, sim.now());
    let sent = &sim.experts[k].input_times;
    let got = &sim.agent.conns[k].inject_times;
    assert_eq!(sent.len(), got.len(), "every key arrived once");
    let latencies: Vec<u64> = sent.iter().zip(got).map(|(s, g)| g - s).collect();
    (sim, k, frames, latencies)
}

/// The bar for a modest link: at 2 Mb/s and 50 ms round trip,
/// typing stays interactive. Every key arrives within half a round trip plus
/// its own transmission, and the picture that shows it waits behind at most
/// one frame's time of bytes (33 ms at 2 Mb/s), never behind a queue.
#[test]
fn ses_12_typing_at_2_mbps_50_ms_is_never_queued_behind_more_than_one_frame() {
    let (sim, k, frames, latencies) = typing_over(LinkSpec::slow(2_000, 50), 61);
    let queued = &sim.agent.conns[k].queued_at_inject;
    assert_eq!(queued.len(), latencies.len());
    let mut sorted = latencies.clone();
    sorted.sort_unstable();
    println!(
        "2 Mb/s, 50 ms RTT: {frames} frames while typing; input latency p50 {} ms, max {} ms; \
         most bytes ahead of a key's picture {} (simulated time)",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        queued.iter().max().unwrap_or(&0),
    );
    let worst = *latencies.iter().max().expect("keys");
    assert!(
        worst <= 50 / 2 + 5,
        "worst input latency {worst} ms: {latencies:?}"
    );
    // One frame interval at the best level, in bytes at 2 Mb/s.
    let one_frame = 2_000_000 / 8 * 33 / 1000;
    assert!(
        queued.iter().all(|&q| q <= one_frame),
        "bytes ahead of a key's picture: {queued:?}"
    );
    assert!(
        frames as f64 >= TEXT.len() as f64 * 0.5,
        "{frames} frames for {} keys",
        TEXT.len()
    );
}

#[test]
fn ses_12_09_slow_link_lowers_the_frame_rate_but_input_arrives_within_a_round_trip() {
    let (fast, _, fast_frames, _) = typing_over(LinkSpec::lan(), 60);
    drop(fast);
    let (mut sim, k, slow_frames, latencies) = typing_over(LinkSpec::slow(256, 100), 60);
    let mut sorted = latencies.clone();
    sorted.sort_unstable();
    println!(
        "256 kb/s, 100 ms RTT: {slow_frames} frames while typing (LAN: {fast_frames}); \
         input latency p50 {} ms, max {} ms (simulated time)",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    // The frame rate went down by itself (SES-09 automatic)…
    let level = sim.agent.conns[k].video.quality().level();
    assert!(level > 0, "quality level stayed at the best");
    assert!(
        slow_frames < fast_frames,
        "slow link {slow_frames} frames, fast link {fast_frames}"
    );
    // …while every key arrived within about one round trip (SES-12).
    let worst = *latencies.iter().max().expect("keys");
    assert!(
        worst <= 100,
        "worst input latency {worst} ms: {latencies:?}"
    );
    // Nothing queued without bound: the send buffer is the only queue, and
    // the frames in flight stay within the window.
    let pipe = sim.link(k).pipe(Toward::Expert);
    assert!(
        pipe.stats().max_in_flight <= pipe.spec().send_buffer + 64 * 1024,
        "{:?}",
        pipe.stats()
    );
    assert!(
        sim.agent.conns[k].session.frame_sender().in_flight() <= Config::default().frame_window
    );
    // The helper still ends with the exact picture.
    wait_for(&mut sim, 30_000, "final picture", |s| {
        s.expert_sees_the_screen(k)
    });
}

#[test]
fn ses_09_manual_quality_pins_the_level_and_auto_recovers_when_the_link_does() {
    let mut sim = Sim::new(61);
    let k = started(&mut sim);
    sim.expert_sets_quality(k, Quality::Manual(0)).expect("set");
    wait_for(&mut sim, 5_000, "quality heard", |s| {
        s.agent.conns[k].saw(&Ev::Quality(Quality::Manual(0)))
    });
    sim.person_types("x");
    sim.run_for(2_000);
    assert_eq!(sim.agent.conns[k].video.quality().level(), LEVELS - 1);

    // Back to automatic on a slow link: it stays low …
    sim.set_link_spec(k, LinkSpec::slow(256, 100));
    sim.expert_sets_quality(k, Quality::Auto).expect("set");
    for _ in 0..20 {
        sim.person_moves_pointer(100 + sim.elapsed() as u16 % 500, 300);
        sim.run_for(500);
    }
    let low = sim.agent.conns[k].video.quality().level();
    assert!(low > 0);
    // … and climbs back when the link recovers.
    sim.set_link_spec(k, LinkSpec::lan());
    for i in 0..80u16 {
        sim.person_moves_pointer(100 + i * 5, 400);
        sim.run_for(500);
    }
    let high = sim.agent.conns[k].video.quality().level();
    assert!(high < low, "level {low} → {high}");
}

#[test]
fn ses_10_helper_hangs_up_and_the_person_is_told() {
    let mut sim = Sim::new(62);
    let k = started(&mut sim);
    sim.expert_disconnects(k);
    assert_eq!(novice_end(&mut sim, k, 5_000), EndReason::PeerLeft);
    assert_eq!(sim.experts[k].ended, Some(EndReason::LocalLeft));
    assert!(sim.transcript.mentions("the other side disconnected"));
}

#[test]
fn ses_10_person_hangs_up_and_the_helper_is_told() {
    let mut sim = Sim::new(63);
    let k = in_control(&mut sim);
    sim.expert_input(
        k,
        InputEvent::Button {
            button: 0,
            down: true,
        },
    );
    sim.run_for(200);
    sim.person_disconnects(k);
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::PeerLeft);
    assert!(nothing_held(&sim), "the helper's button was released");
}

#[test]
fn net_01_direct_connection_over_a_jittery_wide_area_link() {
    let mut sim = Sim::new(64);
    sim.set_link(LinkSpec::symmetric(
        PipeSpec::slow(10_000, 60).with_jitter(25),
    ));
    let k = in_control(&mut sim);
    sim.expert_types(k, "over the internet").expect("typable");
    wait_for(&mut sim, 10_000, "typed", |s| {
        s.editor_text() == "over the internet"
    });
    sim.run_for(2_000);
    assert!(sim.expert_sees_the_screen(k));
}

#[test]
fn net_03_cut_mid_session_ends_both_sides_with_a_reason_and_no_key_stays_held() {
    let mut sim = Sim::new(65);
    let k = in_control(&mut sim);
    // The helper is holding Shift when the link dies.
    sim.expert_input(
        k,
        InputEvent::Key {
            usage: 0xE1,
            down: true,
        },
    );
    sim.run_for(100);
    assert_eq!(sim.agent.desktop.held_keys(), [0xE1]);
    sim.cut(k, CutNotice::Both);
    assert_eq!(novice_end(&mut sim, k, 1_000), EndReason::LinkLost);
    assert_eq!(expert_end(&mut sim, k, 1_000), EndReason::LinkLost);
    assert!(nothing_held(&sim));
}

#[test]
fn net_03_cut_that_only_one_side_notices_ends_the_other_within_the_keepalive_timeout() {
    let idle = Config::default().idle_timeout_ms;
    for notice in [CutNotice::NoviceOnly, CutNotice::ExpertOnly] {
        let mut sim = Sim::new(66);
        let k = in_control(&mut sim);
        sim.expert_input(
            k,
            InputEvent::Key {
                usage: 0x04,
                down: true,
            },
        );
        sim.run_for(100);
        sim.cut(k, notice);
        assert_eq!(novice_end(&mut sim, k, idle + 1_000), EndReason::LinkLost);
        assert_eq!(expert_end(&mut sim, k, idle + 1_000), EndReason::LinkLost);
        assert!(nothing_held(&sim), "{notice:?}");
    }
}

#[test]
fn net_03_black_holed_link_ends_both_sides_within_the_keepalive_timeout() {
    let mut sim = Sim::new(67);
    let k = in_control(&mut sim);
    sim.expert_input(
        k,
        InputEvent::Button {
            button: 1,
            down: true,
        },
    );
    sim.run_for(100);
    let lost_at = sim.now();
    sim.black_hole(k);
    let idle = Config::default().idle_timeout_ms;
    assert_eq!(novice_end(&mut sim, k, idle + 1_000), EndReason::LinkLost);
    assert_eq!(expert_end(&mut sim, k, idle + 1_000), EndReason::LinkLost);
    assert!(sim.now() - lost_at <= idle + 1_000);
    assert!(nothing_held(&sim));
}

#[test]
fn net_03_a_slow_jittery_link_keeps_the_session_alive() {
    let mut sim = Sim::new(68);
    sim.set_link(LinkSpec::symmetric(
        PipeSpec::slow(64, 600).with_jitter(200),
    ));
    let k = started(&mut sim);
    sim.run_for(60_000);
    assert!(sim.experts[k].ended.is_none(), "{:?}", sim.experts[k].ended);
    assert!(sim.agent.conns[k].ended.is_none());
    sim.expert_chats(k, "still there?").expect("chat");
    wait_for(&mut sim, 5_000, "chat", |s| {
        s.agent.conns[k].session.chat().len() == 1
    });
}
