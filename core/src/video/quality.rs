//! Adaptive picture quality (SES-09, SES-12).
//!
//! The controller walks a ladder of levels. Going down, it first lowers the
//! frame rate to 5 frames a second (a screen that moves less often is still
//! usable; a blurred one may not be), then the lossy quality, and only at
//! the very bottom the frame rate again, to one frame a second. Lossless
//! encodings (raw, solid, copy, palette, LZ4) stay lossless whatever the
//! level: this controller only speaks of the quality of lossy ones (JPEG).
//!
//! ## What the content needs
//! The driver reports each frame's encoded size ([`QualityController::record_frame`]);
//! the controller keeps a moving average of bytes per frame, so it knows the
//! bit rate the screen *needs* at each level: that average times the level's
//! frame rate. Typing in a terminal needs a few tens of kilobits a second, a
//! playing video megabits. Until a frame has been reported it assumes a
//! rough budget for a typical desktop at each level instead.
//!
//! ## When it moves
//! It reads the [`FrameSender`](super::FrameSender)'s smoothed frame round
//! trip and throughput:
//! - **Down** when the link is *congested*: frames take longer than one and a
//!   half target intervals (plus 30 ms of jitter) beyond the smallest round
//!   trip seen, so the link cannot carry this level; or the measured
//!   throughput is below what the content needs at this level. It then goes
//!   down at least one level, and straight to the best level whose need the
//!   throughput covers. After a change it waits [`DOWN_HOLD_MS`] before going
//!   down again, so the round trip can show the effect of the change first.
//! - **Up** when the link has been *clear* for [`UP_HOLD_MS`]: frames arrive
//!   within half the next faster level's interval of the smallest round
//!   trip, and the throughput (if measured) is a quarter above what the
//!   content needs at that level. Without a throughput measurement it climbs
//!   one level per clear period; with one, and a known need, it climbs
//!   straight to the best level that stays clear (when the screen calms
//!   down, from a burst of big frames to typing, it need not crawl back).
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
    /// Rough throughput this level needs for a typical desktop, bits per
    /// second; used until the driver reports frames.
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

/// Weight of a new frame in the average of bytes per frame, as a shift: a
/// quarter, so one big frame (a window opening) does not decide alone, yet
/// half a dozen frames of a new kind of content replace the old even at one
/// frame a second.
const FRAME_AVERAGE_SHIFT: u32 = 2;

/// The average of bytes per frame is forgotten after this long without a
/// frame: what the screen needed then says little about what it needs now.
const FRAME_STALE_MS: u64 = 10_000;

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
    /// Moving average of encoded bytes per frame, in 1/256 bytes (see
    /// [`FRAME_AVERAGE_SHIFT`]).
    frame_bytes_x256: Option<u64>,
    /// When the last frame was reported.
    last_frame_ms: u64,
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
            frame_bytes_x256: None,
            last_frame_ms: 0,
        }
    }

    /// Reports a frame that was encoded and sent: `bytes` of rectangle data
    /// at `now_ms`. The controller averages these to know what the content
    /// needs from the link at each level.
    pub fn record_frame(&mut self, bytes: u64, now_ms: u64) {
        self.forget_stale_frames(now_ms);
        let sample = bytes.saturating_mul(256);
        self.frame_bytes_x256 = Some(match self.frame_bytes_x256 {
            None => sample,
            Some(avg) => avg - (avg >> FRAME_AVERAGE_SHIFT) + (sample >> FRAME_AVERAGE_SHIFT),
        });
        self.last_frame_ms = now_ms;
    }

    /// Average encoded bytes per recent frame, if frames were reported in the
    /// last ten seconds.
    pub fn frame_bytes(&self) -> Option<u64> {
        self.frame_bytes_x256.map(|b| b / 256)
    }

    fn forget_stale_frames(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.last_frame_ms) > FRAME_STALE_MS {
            self.frame_bytes_x256 = None;
        }
    }

    /// Bits per second the content needs at `level`: the average frame at
    /// the level's frame rate, or the level's typical-desktop budget before
    /// any frame was reported.
    pub fn need_bps(&self, level: u8) -> u64 {
        let rung = self.rung(level);
        match self.frame_bytes_x256 {
            Some(b) => {
                let bits_per_s = b.saturating_mul(8_000) / 256;
                bits_per_s / u64::from(rung.interval_ms.max(1))
            }
            None => rung.budget_bps,
        }
    }

    /// Lossy quality for the encoder, or `None` when the mode asks for the
    /// best picture (`Manual(100)` and above): then everything stays exact.
    /// Lossless encodings stay lossless either way.
    pub fn lossy(&self) -> Option<u8> {
        match self.mode {
            Quality::Manual(q) if q >= 100 => None,
            _ => Some(self.lossy_quality()),
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
        self.forget_stale_frames(now_ms);
        let here = self.rung(self.level);
        let congested = delay_ms.is_some_and(|d| d > here.interval_ms / 2 * 3 + JITTER_MS)
            || throughput_bps.is_some_and(|t| t < self.need_bps(self.level));
        if congested {
            self.clear_since_ms = None;
            if self.held(now_ms, DOWN_HOLD_MS) {
                let by_throughput = throughput_bps.map_or(0, |t| self.level_carried_by(t));
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
        if !self.clear_at(better, delay_ms, throughput_bps) {
            self.clear_since_ms = None;
            return;
        }
        let clear_since = *self.clear_since_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(clear_since) >= UP_HOLD_MS && self.held(now_ms, UP_HOLD_MS) {
            // With a measured link and a known need, climb as far as stays
            // clear; otherwise one level, and let the next period tell.
            let mut target = better;
            if throughput_bps.is_some() && self.frame_bytes_x256.is_some() {
                while let Some(next) = target.checked_sub(1) {
                    if !self.clear_at(next, delay_ms, throughput_bps) {
                        break;
                    }
                    target = next;
                }
            }
            self.change_to(target, now_ms);
            // The next step up needs its own clear period.
            self.clear_since_ms = Some(now_ms);
        }
    }

    /// Whether the link is clear enough for `level`: frames arrive within
    /// half its interval of the smallest round trip, and the throughput (if
    /// measured) is a quarter above what the content needs there.
    fn clear_at(&self, level: u8, delay_ms: Option<u32>, throughput_bps: Option<u64>) -> bool {
        let rung = self.rung(level);
        let need = self.need_bps(level);
        delay_ms.is_none_or(|d| d < rung.interval_ms / 2)
            && throughput_bps.is_none_or(|t| t >= need / 4 * 5)
    }

    /// The best level whose need `throughput_bps` covers.
    fn level_carried_by(&self, throughput_bps: u64) -> u8 {
        (0..LEVELS)
            .find(|&l| self.need_bps(l) <= throughput_bps)
            .unwrap_or(LEVELS - 1)
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

/// `Manual(100)` is the best level, `Manual(0)` the lowest, evenly between.
fn level_for_manual(q: u8) -> u8 {
    let below_best = u32::from(100 - q.min(100));
    let steps = u32::from(LEVELS - 1);
    u8::try_from((below_best * steps + 50) / 100).unwrap_or(LEVELS - 1)
}
