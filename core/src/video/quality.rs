//! Adaptive picture quality (SES-09, SES-12).
//!
//! The controller walks a ladder of levels. Going down, it first lowers the
//! frame rate to 5 frames a second (a screen that moves less often is still
//! usable; a blurred one may not be), then the lossy quality, and only at
//! the very bottom the frame rate again, to one frame a second. Lossless
//! encodings (raw, solid, copy, palette, LZ4) stay lossless whatever the
//! level: this controller only speaks of the quality of lossy ones (JPEG).
//!
//! ## When it moves
//! It reads the [`FrameSender`](super::FrameSender)'s smoothed frame round
//! trip and throughput:
//! - **Down** when the link is *congested*: frames take longer than one and a
//!   half target intervals (plus 30 ms of jitter) beyond the smallest round
//!   trip seen, so the link cannot carry this level; or the measured
//!   throughput is below what the level needs ([`LEVELS`] levels, each with
//!   a rough bit-rate budget for a typical desktop). A throughput far below
//!   the budget jumps straight to a level it can carry. After a change it
//!   waits [`DOWN_HOLD_MS`] before going down again, so the round trip can
//!   show the effect of the change first.
//! - **Up** one level when the link has been *clear* for [`UP_HOLD_MS`]:
//!   frames arrive within half the next faster level's interval of the
//!   smallest round trip, and the throughput (if measured) is a quarter above
//!   the next better level's budget.
//!
//! Between the two thresholds it stays where it is. The gap between them and
//! the slower way up are the hysteresis that stops it from flapping. A manual
//! [`Quality::Manual`] pins the level until the mode is set back to
//! [`Quality::Auto`].

use crate::message::Quality;

/// One rung of the ladder.
#[derive(Debug, Clone, Copy)]
struct Level {
    /// Target time between frames.
    interval_ms: u32,
    /// Lossy (JPEG) quality, 0..=100.
    quality: u8,
    /// Rough throughput this level needs for a typical desktop, bits per second.
    budget_bps: u64,
}

/// Best first. Frame rate falls first (30, 20, 10, 5 fps), then quality, then
/// the frame rate again.
const LADDER: [Level; 9] = [
    Level {
        interval_ms: 33,
        quality: 85,
        budget_bps: 8_000_000,
    },
    Level {
        interval_ms: 50,
        quality: 85,
        budget_bps: 5_000_000,
    },
    Level {
        interval_ms: 100,
        quality: 85,
        budget_bps: 2_500_000,
    },
    Level {
        interval_ms: 200,
        quality: 85,
        budget_bps: 1_200_000,
    },
    Level {
        interval_ms: 200,
        quality: 70,
        budget_bps: 800_000,
    },
    Level {
        interval_ms: 200,
        quality: 55,
        budget_bps: 500_000,
    },
    Level {
        interval_ms: 200,
        quality: 40,
        budget_bps: 300_000,
    },
    Level {
        interval_ms: 500,
        quality: 40,
        budget_bps: 120_000,
    },
    Level {
        interval_ms: 1000,
        quality: 30,
        budget_bps: 0,
    },
];

/// Number of levels; level 0 is the best, `LEVELS - 1` the most frugal.
pub const LEVELS: u8 = LADDER.len() as u8;

/// The most frugal level.
const FRUGAL: Level = LADDER[LADDER.len() - 1];

/// Least time between two downward steps.
pub const DOWN_HOLD_MS: u64 = 2_000;

/// How long the link must stay clear before each upward step.
pub const UP_HOLD_MS: u64 = 3_000;

/// Extra round trip tolerated as jitter before calling a link congested.
const JITTER_MS: u32 = 30;

/// Chooses the target frame interval and lossy quality (SES-09, SES-12).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QualityController {
    mode: Quality,
    /// Index into `LADDER`.
    level: u8,
    /// Smallest smoothed round trip seen: the link's own latency, without
    /// frames waiting or being pushed through it.
    min_rtt_ms: Option<u32>,
    /// When the level last changed (in automatic mode).
    last_change_ms: Option<u64>,
    /// Since when the link has been clear, while it still is.
    clear_since_ms: Option<u64>,
}

impl QualityController {
    /// Automatic mode, starting at the best level.
    pub fn new() -> Self {
        QualityController {
            mode: Quality::Auto,
            level: 0,
            min_rtt_ms: None,
            last_change_ms: None,
            clear_since_ms: None,
        }
    }

    /// Switches between automatic and a pinned level (from the person's
    /// settings or a [`Message::SetQuality`](crate::message::Message::SetQuality)).
    /// `Manual(q)` maps `q` (0 = lowest, 100 = best; above 100 counts as 100)
    /// onto the ladder. Back in `Auto`, adapting resumes from the current
    /// level.
    pub fn set_mode(&mut self, q: Quality) {
        self.mode = q;
        if let Quality::Manual(pinned) = q {
            self.level = level_for_manual(pinned);
        }
        self.last_change_ms = None;
        self.clear_since_ms = None;
    }

    /// Feeds the latest estimates (from [`FrameSender::rtt_ms`](super::FrameSender::rtt_ms)
    /// and [`FrameSender::throughput_bps`](super::FrameSender::throughput_bps));
    /// call it regularly, e.g. on every ack or every 100 ms.
    pub fn update(&mut self, rtt_ms: Option<u32>, throughput_bps: Option<u64>, now_ms: u64) {
        if let Some(rtt) = rtt_ms {
            self.min_rtt_ms = Some(self.min_rtt_ms.map_or(rtt, |min| min.min(rtt)));
        }
        if self.mode != Quality::Auto {
            return;
        }
        // Extra time frames take beyond the link's own latency.
        let delay_ms = match (rtt_ms, self.min_rtt_ms) {
            (Some(rtt), Some(min)) => Some(rtt.saturating_sub(min)),
            _ => None,
        };
        let here = self.rung(self.level);
        let congested = delay_ms.is_some_and(|d| d > here.interval_ms / 2 * 3 + JITTER_MS)
            || throughput_bps.is_some_and(|t| t < here.budget_bps);
        if congested {
            self.clear_since_ms = None;
            if self.held(now_ms, DOWN_HOLD_MS) {
                let by_throughput = throughput_bps.map_or(0, level_for_throughput);
                let target = self
                    .level
                    .saturating_add(1)
                    .max(by_throughput)
                    .min(LEVELS - 1);
                self.change_to(target, now_ms);
            }
            return;
        }
        let Some(better) = self.level.checked_sub(1) else {
            return;
        };
        let next = self.rung(better);
        let clear = delay_ms.is_none_or(|d| d < next.interval_ms / 2)
            && throughput_bps.is_none_or(|t| t >= next.budget_bps / 4 * 5);
        if !clear {
            self.clear_since_ms = None;
            return;
        }
        let clear_since = *self.clear_since_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(clear_since) >= UP_HOLD_MS && self.held(now_ms, UP_HOLD_MS) {
            self.change_to(better, now_ms);
            // The next step up needs its own clear period.
            self.clear_since_ms = Some(now_ms);
        }
    }

    /// At least `hold_ms` since the last change (or no change yet).
    fn held(&self, now_ms: u64, hold_ms: u64) -> bool {
        self.last_change_ms
            .is_none_or(|last| now_ms.saturating_sub(last) >= hold_ms)
    }

    fn change_to(&mut self, level: u8, now_ms: u64) {
        if level != self.level {
            self.level = level;
            self.last_change_ms = Some(now_ms);
        }
    }

    fn rung(&self, level: u8) -> Level {
        LADDER.get(usize::from(level)).copied().unwrap_or(FRUGAL)
    }

    /// Target time between frames, 33 ms (30 frames a second) to 1000 ms.
    /// The frame window may make frames rarer still.
    pub fn frame_interval_ms(&self) -> u32 {
        self.rung(self.level).interval_ms
    }

    /// Quality for lossy encoders, 0..=100.
    pub fn lossy_quality(&self) -> u8 {
        self.rung(self.level).quality
    }

    /// Current level, 0 (best) to `LEVELS - 1`.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Automatic, or the pinned level.
    pub fn mode(&self) -> Quality {
        self.mode
    }
}

impl Default for QualityController {
    fn default() -> Self {
        Self::new()
    }
}

/// The best level whose budget `throughput_bps` covers.
fn level_for_throughput(throughput_bps: u64) -> u8 {
    let index = LADDER
        .iter()
        .position(|level| level.budget_bps <= throughput_bps)
        .unwrap_or(LADDER.len() - 1);
    u8::try_from(index).unwrap_or(LEVELS - 1)
}

/// `Manual(100)` is the best level, `Manual(0)` the lowest, evenly between.
fn level_for_manual(q: u8) -> u8 {
    let below_best = u32::from(100 - q.min(100));
    let steps = u32::from(LEVELS - 1);
    u8::try_from((below_best * steps + 50) / 100).unwrap_or(LEVELS - 1)
}
