//! What the screen showed when: the X server's side (a watcher with its own
//! connection, XDamage and MIT-SHM capture) and a viewer's side, as
//! timelines of region signatures, and the matching of the two into
//! latencies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A rectangle of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub x: u16,
    pub y: u16,
    pub w: u16,
    pub h: u16,
}

/// Side of the squares whose mean colour the signature keeps.
const BLOCK: usize = 16;

/// Largest difference of a block's mean colour channel for two pictures to
/// count as "the same, up to lossy coding".
const TOLERANCE: u8 = 8;

/// How much later than a view's picture the watcher may notice the same
/// change on the X server (it polls damage every millisecond).
const WATCHER_SLACK: Duration = Duration::from_millis(5);

/// Capture at least this often, damage or not.
const FALLBACK_POLL: Duration = Duration::from_millis(16);

/// A region's content: an exact hash and the mean colour of each 16x16
/// block (to recognise the same picture after lossy coding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub hash: u64,
    pub means: Vec<u8>,
}

impl Signature {
    /// The signature of `region` of an RGBA screen `width` pixels wide.
    pub fn of_rgba(pixels: &[u8], width: u16, region: Region) -> Signature {
        let (rw, rh) = (usize::from(region.w), usize::from(region.h));
        let bw = rw.div_ceil(BLOCK);
        let bh = rh.div_ceil(BLOCK);
        let mut sums = vec![0u32; bw * bh * 3];
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        for row in 0..rh {
            let y = usize::from(region.y) + row;
            let start = (y * usize::from(width) + usize::from(region.x)) * 4;
            let line = &pixels[start..start + rw * 4];
            let brow = (row / BLOCK) * bw;
            for (col, p) in line.chunks_exact(4).enumerate() {
                let rgb = u64::from(p[0]) << 16 | u64::from(p[1]) << 8 | u64::from(p[2]);
                hash = (hash ^ rgb).wrapping_mul(0x100_0000_01b3).rotate_left(5);
                let b = (brow + col / BLOCK) * 3;
                sums[b] += u32::from(p[0]);
                sums[b + 1] += u32::from(p[1]);
                sums[b + 2] += u32::from(p[2]);
            }
        }
        let mut means = Vec::with_capacity(sums.len());
        for by in 0..bh {
            let h = (rh - by * BLOCK).min(BLOCK) as u32;
            for bx in 0..bw {
                let w = (rw - bx * BLOCK).min(BLOCK) as u32;
                for c in 0..3 {
                    means.push((sums[(by * bw + bx) * 3 + c] / (w * h)) as u8);
                }
            }
        }
        Signature { hash, means }
    }

    /// The same picture up to lossy coding.
    pub fn close_to(&self, other: &Signature) -> bool {
        self.means.len() == other.means.len()
            && self
                .means
                .iter()
                .zip(&other.means)
                .all(|(a, b)| a.abs_diff(*b) <= TOLERANCE)
    }
}

/// A timeline: when each new picture of the region appeared.
pub type Timeline = Vec<(Instant, Signature)>;

/// The X server's side: polls XDamage every millisecond on its own
/// connection and, on damage (or 16 ms without a capture), captures the
/// screen and notes the probe
/// region's signature with the time the damage was seen.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(Timeline, Vec<u8>)>,
}

impl Watcher {
    pub fn start(display: &str, probe: Region) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let mut x = beckon_x11::X11Display::open(Some(display)).expect("watcher: open display");
        let width = x.width();
        // The first damage is the whole screen: the baseline.
        let _ = x.take_damage();
        let base = Signature::of_rgba(x.capture().expect("capture"), width, probe);
        let thread = std::thread::spawn(move || {
            let mut timeline = vec![(Instant::now(), base)];
            let mut last = Instant::now();
            loop {
                let done = flag.load(Ordering::Relaxed);
                let damage = x.take_damage().expect("watcher: damage");
                // XDamage is the trigger, with a capture at least every
                // 16 ms as well: a change XDamage does not report must not
                // go unseen (the comparison would then favour whoever relies
                // on XDamage alone).
                if !damage.is_empty() || done || last.elapsed() >= FALLBACK_POLL {
                    let t = Instant::now();
                    last = t;
                    let pixels = x.capture().expect("watcher: capture");
                    let sig = Signature::of_rgba(pixels, width, probe);
                    if timeline.last().is_none_or(|(_, last)| *last != sig) {
                        timeline.push((t, sig));
                    }
                    if done {
                        return (timeline, pixels.to_vec());
                    }
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        });
        Watcher { stop, thread }
    }

    /// Stop; the timeline and the final screen (RGBA).
    pub fn stop(self) -> (Timeline, Vec<u8>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("watcher thread")
    }
}

/// Latencies of one viewer against the X server's timeline.
#[derive(Debug, Default, Clone)]
pub struct Matched {
    /// Per X picture after the start: from the watcher seeing it to the
    /// viewer showing it or a later picture.
    pub latencies: Vec<Duration>,
    /// X pictures the viewer never caught up with.
    pub missed: usize,
    /// The same for the last X picture alone: the time to the final screen.
    pub to_final: Option<Duration>,
    /// Viewer pictures that matched only up to lossy coding.
    pub approximate: usize,
}

/// Walk the viewer's pictures in order; each one that shows an X picture
/// (exactly, or else up to lossy coding) not older than the last one matched
/// settles every X picture up to it: those the viewer skipped were
/// superseded. Viewer pictures that match nothing (a frame half applied, or
/// a picture the watcher missed) are passed over, which can only make the
/// latencies longer.
pub fn match_timelines(x: &[(Instant, Signature)], view: &[(Instant, Signature)]) -> Matched {
    let mut m = Matched::default();
    let Some(start) = x.get(1).map(|(t, _)| *t) else {
        return m;
    };
    let mut cur = 1;
    for (tv, sv) in view {
        if *tv + WATCHER_SLACK < start || cur >= x.len() {
            continue;
        }
        // The exact version of what was shown approximately: nothing new.
        if x[cur - 1].1 == *sv {
            continue;
        }
        let candidates = || (cur..x.len()).take_while(|&k| x[k].0 <= *tv + WATCHER_SLACK);
        let found = candidates().find(|&k| x[k].1 == *sv).or_else(|| {
            let k = candidates().find(|&k| x[k].1.close_to(sv));
            if k.is_some() {
                m.approximate += 1;
            }
            k
        });
        if let Some(k) = found {
            for (ti, _) in &x[cur..=k] {
                m.latencies.push(tv.saturating_duration_since(*ti));
            }
            if k == x.len() - 1 {
                m.to_final = Some(tv.saturating_duration_since(x[k].0));
            }
            cur = k + 1;
        }
    }
    m.missed = x.len() - cur;
    m
}

pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort();
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    Some(s[i.min(s.len() - 1)])
}
