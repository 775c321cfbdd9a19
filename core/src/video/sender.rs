//! The novice's side of video flow control: frames in flight and link
//! estimates.

use heapless::Deque;

use super::VideoError;

/// Largest window [`FrameSender::new`] accepts; larger values are lowered to it.
pub const MAX_WINDOW: u8 = 8;

/// A throughput estimate is forgotten when no frame has been held back by a
/// full window for this long: the link has stopped being the bottleneck (or
/// got faster), and an old measurement of it would only keep quality low.
pub const THROUGHPUT_STALE_MS: u64 = 10_000;

/// One frame sent and not yet acknowledged.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    frame: u32,
    sent_ms: u64,
    bytes: u64,
    /// The sender wanted to start another frame while this one was in flight
    /// and the window was full: while it was delivered, the link (not the
    /// screen) set the pace.
    link_limited: bool,
}

/// Novice side: numbers frames, keeps at most `window` of them
/// unacknowledged, and estimates round-trip time and throughput from the
/// acks.
///
/// Driver: when the screen changed and the target interval has passed, call
/// [`FrameSender::begin_frame`]; on `Some(frame)` encode and send the frame,
/// reporting its bytes with [`FrameSender::add_bytes`]; on `None` skip it (the
/// next attempt captures a newer screen anyway). Feed every
/// [`Message::FrameAck`](crate::message::Message::FrameAck) to
/// [`FrameSender::on_ack`].
///
/// **Acks are cumulative**: an ack for frame `n` also acknowledges every
/// earlier frame still in flight. The expert acks every frame in order, so
/// this changes nothing while all goes well, and a frame the expert could not
/// decode (and therefore did not ack) does not block the window for good.
#[derive(Debug, Clone)]
pub struct FrameSender {
    window: u8,
    /// Frames in flight, oldest first, in increasing frame order.
    in_flight: Deque<InFlight, { MAX_WINDOW as usize }>,
    /// Number for the next frame; `None` once all are used.
    next_frame: Option<u32>,
    /// Smoothed round-trip time in milliseconds.
    srtt_ms: Option<u32>,
    /// Estimated link throughput in bits per second.
    throughput_bps: Option<u64>,
    /// When the last ack arrived.
    last_ack_ms: Option<u64>,
    /// When the last link-limited throughput sample was taken.
    last_limited_sample_ms: u64,
}

impl FrameSender {
    /// A sender allowing `window` unacknowledged frames, kept within
    /// `1..=MAX_WINDOW` ([`super::DEFAULT_WINDOW`] is the usual choice).
    pub fn new(window: u8) -> Self {
        FrameSender {
            window: window.clamp(1, MAX_WINDOW),
            in_flight: Deque::new(),
            next_frame: Some(0),
            srtt_ms: None,
            throughput_bps: None,
            last_ack_ms: None,
            last_limited_sample_ms: 0,
        }
    }

    /// `true` when a new frame may start now.
    pub fn can_send(&self) -> bool {
        self.in_flight.len() < usize::from(self.window) && self.next_frame.is_some()
    }

    /// The number [`FrameSender::begin_frame`] would give next, without
    /// starting a frame (to encode a frame before committing to it).
    pub fn next_frame(&self) -> Option<u32> {
        self.next_frame
    }

    /// Starts a new frame and returns its number, or `None` when the window
    /// is full. Frame numbers start at 0 and increase by one.
    pub fn begin_frame(&mut self, now_ms: u64) -> Option<u32> {
        self.forget_stale_throughput(now_ms);
        if !self.can_send() {
            self.note_blocked();
            return None;
        }
        let frame = self.next_frame?;
        self.in_flight
            .push_back(InFlight {
                frame,
                sent_ms: now_ms,
                bytes: 0,
                link_limited: false,
            })
            .ok()?;
        self.next_frame = frame.checked_add(1);
        Some(frame)
    }

    /// The screen has something new and the link is not ready for it (the
    /// window or the send buffer is full): the frames in flight are being
    /// delivered at the link's pace, so their acks measure its throughput.
    pub fn note_blocked(&mut self) {
        for frame in self.in_flight.iter_mut() {
            frame.link_limited = true;
        }
    }

    /// Counts `bytes` of encoded data sent for `frame` (for the throughput
    /// estimate). Ignored for a frame that is not in flight.
    pub fn add_bytes(&mut self, frame: u32, bytes: usize) {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        if let Some(entry) = self.in_flight.iter_mut().find(|f| f.frame == frame) {
            entry.bytes = entry.bytes.saturating_add(bytes);
        }
    }

    /// The expert acknowledged `frame` (and, cumulatively, every earlier frame
    /// in flight). An ack for a frame not in flight is an error: the peer is
    /// acking a frame never sent, or acking one twice.
    pub fn on_ack(&mut self, frame: u32, now_ms: u64) -> Result<(), VideoError> {
        let Some(acked) = self.in_flight.iter().find(|f| f.frame == frame).copied() else {
            return Err(VideoError::UnknownAck { frame });
        };
        let mut bytes = 0u64;
        let mut oldest_sent_ms = acked.sent_ms;
        let mut link_limited = false;
        while let Some(released) = self.in_flight.pop_front_if(|f| f.frame <= frame) {
            bytes = bytes.saturating_add(released.bytes);
            oldest_sent_ms = oldest_sent_ms.min(released.sent_ms);
            link_limited |= released.link_limited;
        }

        self.sample_rtt(now_ms.saturating_sub(acked.sent_ms));

        // The link worked on these bytes from when they were sent, or from
        // the previous ack if it was still busy with earlier frames then.
        let start_ms = self
            .last_ack_ms
            .map_or(oldest_sent_ms, |last| last.max(oldest_sent_ms));
        let elapsed_ms = now_ms.saturating_sub(start_ms).max(1);
        let sample_bps = bytes.saturating_mul(8_000) / elapsed_ms;
        self.sample_throughput(sample_bps, link_limited, now_ms);
        self.last_ack_ms = Some(now_ms);
        self.forget_stale_throughput(now_ms);
        Ok(())
    }

    /// Smoothed round trip, as TCP's SRTT (RFC 6298): each sample counts for
    /// an eighth.
    fn sample_rtt(&mut self, sample_ms: u64) {
        let sample = u32::try_from(sample_ms).unwrap_or(u32::MAX);
        self.srtt_ms = Some(match self.srtt_ms {
            None => sample,
            Some(srtt) => {
                let smoothed = (u64::from(srtt) * 7 + u64::from(sample)) / 8;
                u32::try_from(smoothed).unwrap_or(u32::MAX)
            }
        });
    }

    /// A sample taken while the link set the pace measures its capacity and
    /// moves the estimate either way (a quarter per sample). A sample taken
    /// while the screen set the pace only shows that the link can carry *at
    /// least* that much, so it may raise the estimate but never lower it, and
    /// it never creates one: without a link-limited sample there is no
    /// evidence that the link is the bottleneck.
    fn sample_throughput(&mut self, sample_bps: u64, link_limited: bool, now_ms: u64) {
        self.throughput_bps = match (self.throughput_bps, link_limited) {
            (None, true) => Some(sample_bps),
            (Some(estimate), true) => Some(estimate / 4 * 3 + sample_bps / 4),
            (Some(estimate), false) => Some(estimate.max(sample_bps)),
            (None, false) => None,
        };
        if link_limited {
            self.last_limited_sample_ms = now_ms;
        }
    }

    fn forget_stale_throughput(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.last_limited_sample_ms) > THROUGHPUT_STALE_MS {
            self.throughput_bps = None;
        }
    }

    /// Frames sent and not yet acknowledged.
    pub fn in_flight(&self) -> u8 {
        u8::try_from(self.in_flight.len()).unwrap_or(u8::MAX)
    }

    /// The window this sender was built with (after clamping).
    pub fn window(&self) -> u8 {
        self.window
    }

    /// Smoothed time from starting a frame to its ack, in milliseconds; `None`
    /// before the first ack. It includes sending the frame itself, so it
    /// grows with frame size on a slow link, which is what the quality
    /// controller needs to see.
    pub fn rtt_ms(&self) -> Option<u32> {
        self.srtt_ms
    }

    /// Estimated throughput of the link in bits per second, measured from
    /// acknowledged bytes while the link was the bottleneck (frames were held
    /// back by a full window); `None` when the link has not been the
    /// bottleneck in the last [`THROUGHPUT_STALE_MS`].
    pub fn throughput_bps(&self) -> Option<u64> {
        self.throughput_bps
    }
}

impl Default for FrameSender {
    fn default() -> Self {
        Self::new(super::DEFAULT_WINDOW)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for FrameSender {
    fn format(&self, fmt: defmt::Formatter<'_>) {
        defmt::write!(
            fmt,
            "FrameSender {{ in_flight: {}/{}, rtt_ms: {}, throughput_bps: {} }}",
            self.in_flight(),
            self.window,
            self.srtt_ms,
            self.throughput_bps
        );
    }
}
