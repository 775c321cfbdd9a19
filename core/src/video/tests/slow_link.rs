//! The sender, the quality controller and a simulated link together: a screen
//! that changes all the time (a video playing) over a link that becomes slow
//! and then fast again (SES-12).

use heapless::Deque;

use crate::message::Quality;
use crate::video::{FrameSender, QualityController, DEFAULT_WINDOW};

/// A link that sends one frame after another at `bps`, `one_way_ms` away.
struct Link {
    bps: u64,
    one_way_ms: u64,
    /// When the link has pushed out everything it was given.
    free_at_ms: u64,
}

impl Link {
    /// Queues `bytes` sent at `now_ms`; returns when the ack is back.
    fn send(&mut self, bytes: u64, now_ms: u64) -> u64 {
        let start = self.free_at_ms.max(now_ms);
        self.free_at_ms = start + (bytes * 8_000).div_ceil(self.bps);
        self.free_at_ms + 2 * self.one_way_ms
    }
}

/// Encoded size of a frame at a lossy quality: bigger with quality.
fn frame_bytes(quality: u8) -> u64 {
    4_000 + 400 * u64::from(quality)
}

struct Sim {
    sender: FrameSender,
    ctrl: QualityController,
    link: Link,
    acks: Deque<(u64, u32), 16>,
    next_frame_ms: u64,
    now_ms: u64,
    frames: u32,
}

impl Sim {
    fn new() -> Self {
        Sim {
            sender: FrameSender::new(DEFAULT_WINDOW),
            ctrl: QualityController::new(),
            link: Link {
                bps: 50_000_000,
                one_way_ms: 10,
                free_at_ms: 0,
            },
            acks: Deque::new(),
            next_frame_ms: 0,
            now_ms: 0,
            frames: 0,
        }
    }

    /// Runs until `until_ms`; returns how often the level changed.
    fn run(&mut self, until_ms: u64) -> u32 {
        let mut changes = 0;
        while self.now_ms < until_ms {
            let now = self.now_ms;
            while let Some(&(at, frame)) = self.acks.front() {
                if at > now {
                    break;
                }
                self.acks.pop_front();
                self.sender.on_ack(frame, now).unwrap();
            }
            if now % 100 == 0 {
                let before = self.ctrl.level();
                self.ctrl
                    .update(self.sender.rtt_ms(), self.sender.throughput_bps(), now);
                changes += u32::from(self.ctrl.level() != before);
            }
            if now >= self.next_frame_ms {
                if let Some(frame) = self.sender.begin_frame(now) {
                    let bytes = frame_bytes(self.ctrl.lossy_quality());
                    self.sender.add_bytes(frame, bytes as usize);
                    let ack_at = self.link.send(bytes, now);
                    self.acks.push_back((ack_at, frame)).unwrap();
                    self.next_frame_ms = now + u64::from(self.ctrl.frame_interval_ms());
                    self.frames += 1;
                }
                // Refused: try again each millisecond until the window opens.
            }
            assert!(self.sender.in_flight() <= DEFAULT_WINDOW);
            self.now_ms += 1;
        }
        changes
    }

    /// Frames started during the next `ms` milliseconds.
    fn frames_in(&mut self, ms: u64) -> u32 {
        let before = self.frames;
        self.run(self.now_ms + ms);
        self.frames - before
    }
}

#[test]
fn ses_12_slow_link_degrades_gracefully_and_recovers() {
    let mut sim = Sim::new();

    // Fast link: 30 frames a second at the best quality, and it stays there.
    assert_eq!(sim.run(20_000), 0);
    assert_eq!(
        (sim.ctrl.frame_interval_ms(), sim.ctrl.lossy_quality()),
        (33, 85)
    );
    assert!(sim.frames_in(1_000) >= 29);

    // The link drops to 500 kbit/s: less than one best-quality frame a second.
    sim.link.bps = 500_000;
    sim.run(50_000);
    assert!(sim.ctrl.frame_interval_ms() > 33, "frame rate lowered");
    assert!(sim.ctrl.lossy_quality() < 85, "then quality lowered");
    // It settled: no flapping while the link stays slow, and the screen keeps
    // moving at a steady, lower rate.
    assert_eq!(sim.run(80_000), 0, "level flapped on a steady slow link");
    let slow_fps = sim.frames_in(10_000);
    assert!((10..=60).contains(&slow_fps), "{slow_fps} frames in 10 s");
    // Round trips stay short enough for input to feel alive (no queue).
    assert!(
        sim.sender.rtt_ms().unwrap() < 1_000,
        "{:?}",
        sim.sender.rtt_ms()
    );

    // The link recovers: so does the picture, all the way.
    sim.link.bps = 50_000_000;
    sim.run(150_000);
    assert_eq!(
        (sim.ctrl.frame_interval_ms(), sim.ctrl.lossy_quality()),
        (33, 85)
    );
    assert!(sim.frames_in(1_000) >= 29);
}

#[test]
fn ses_09_pinned_best_on_slow_link_still_never_queues() {
    let mut sim = Sim::new();
    sim.ctrl.set_mode(Quality::Manual(100));
    sim.link.bps = 500_000;
    sim.run(30_000);
    assert_eq!(sim.ctrl.level(), 0, "the pin holds");
    // The window alone keeps frames from piling up: each round trip is at
    // most two frames' worth of sending.
    let two_frames_ms = 2 * frame_bytes(85) * 8_000 / 500_000 + 20;
    assert!(u64::from(sim.sender.rtt_ms().unwrap()) <= two_frames_ms + 5);
    assert!(sim.frames_in(10_000) < 30, "the frame rate fell by itself");
}
