//! The picture over a session: the novice's side turns a screen's damage
//! into frames through the [`Encoder`] and the core's frame window; the
//! expert's side assembles rectangles back into a [`Screen`]. Every driver
//! (the simulator, the desktop app) uses these two.

use std::collections::VecDeque;

use crate::{EncodedRect, Encoder, EncoderConfig, Rect, Screen};
use beckon_core::message::MAX_DATA_BYTES;
use beckon_core::session::{Event, FrameRect, NoviceSession, SendError};
use beckon_core::video::QualityController;

/// Least time between two frames while the link is idle (every frame sent
/// has been acknowledged): one refresh of a 60 Hz display. It bounds the
/// encoder's work on a fast link; on a busy link the controller's interval
/// applies instead.
pub const IDLE_LINK_INTERVAL_MS: u64 = 16;

/// How long the screen must rest before tiles sent as JPEG go again exactly:
/// long enough that a slideshow or a video is not sent twice, once lossy
/// and once exact, short enough that a picture a person stops to look at
/// sharpens at once.
pub const REFINE_AFTER_MS: u64 = 1_000;

/// Where the novice's pictures come from: a simulated desktop, an X11
/// display, a capture chip.
pub trait FrameSource {
    /// Screen width in pixels.
    fn width(&self) -> u16;
    /// Screen height in pixels.
    fn height(&self) -> u16;
    /// The current screen, RGBA, `width * height * 4` bytes.
    fn pixels(&mut self) -> &[u8];
    /// Where the pointer is, in pointer units (`0..=POINTER_MAX`).
    fn pointer_abs(&self) -> (u16, u16);
}

/// A frame being sent, piece by piece, as the send buffer drains.
#[derive(Debug)]
struct FrameOut {
    frame: u32,
    rects: VecDeque<EncodedRect>,
    /// Bytes of the front rectangle already sent.
    offset: usize,
}

/// The novice's video for one session.
#[derive(Debug)]
pub struct Streamer {
    encoder: Encoder,
    /// Damage since the last encode.
    damage: Vec<Rect>,
    /// The first frame has not been encoded yet.
    fresh: bool,
    current: Option<FrameOut>,
    /// When the last frame with changes was encoded.
    last_change_at: u64,
    /// When the last frame started, and the controller's interval then.
    last_at: Option<u64>,
    interval_ms: u64,
    quality: QualityController,
    last_cursor: Option<(u16, u16)>,
    /// The frame slot last skipped for a full window.
    skipped_at: Option<u64>,
    /// Frames sent so far.
    pub frames_sent: u32,
    /// Encoded bytes sent so far.
    pub bytes_sent: u64,
}

impl Default for Streamer {
    fn default() -> Self {
        Streamer {
            encoder: Encoder::new(EncoderConfig::default()),
            damage: Vec::new(),
            fresh: true,
            current: None,
            last_change_at: 0,
            last_at: None,
            interval_ms: 0,
            quality: QualityController::new(),
            last_cursor: None,
            skipped_at: None,
            frames_sent: 0,
            bytes_sent: 0,
        }
    }
}

impl Streamer {
    /// Remember damage for the next frame.
    pub fn add_damage(&mut self, rects: &[Rect]) {
        self.damage.extend_from_slice(rects);
    }

    /// Windows that moved since the last frame, as copy vectors: hints for
    /// the next frame's copy detection ([`Encoder::hint_moves`]).
    pub fn add_moves(&mut self, vectors: &[(i32, i32)]) {
        self.encoder.hint_moves(vectors);
    }

    /// Allow H.264 for a region in full motion ([`Encoder::set_h264`]);
    /// only for a viewer known to decode it. Returns whether it will be
    /// used (never without this crate's `h264` feature).
    pub fn set_h264(&mut self, allowed: bool) -> bool {
        self.encoder.set_h264(allowed)
    }

    /// The helper asked for a quality (SES-09).
    pub fn set_quality(&mut self, q: beckon_core::message::Quality) {
        self.quality.set_mode(q);
    }

    /// The controller, for tests and the status box.
    pub fn quality(&self) -> &QualityController {
        &self.quality
    }

    /// When the streamer wants to run next: at once while a frame's pieces
    /// can go on, at the next frame's time when one is due, and `None` when
    /// it has nothing to send or only the link can let it go on (the send
    /// buffer is full, or the window of frames in flight): then the driver
    /// waits for the socket anyway, and a time already past would only make
    /// it spin.
    pub fn wake_at(&self, s: &NoviceSession) -> Option<u64> {
        if self.current.is_some() {
            return s.has_room().then_some(0);
        }
        if !s.can_send_frame() {
            return None;
        }
        self.due_at(s)
    }

    /// When the next frame is due, if one is: the first picture or damage
    /// at the next frame's time, lossy tiles to send again exactly once the
    /// screen has also rested.
    fn due_at(&self, s: &NoviceSession) -> Option<u64> {
        if self.fresh || !self.damage.is_empty() {
            return Some(self.next_at(s));
        }
        self.encoder
            .has_lossy_tiles()
            .then(|| self.next_at(s).max(self.refine_at()))
    }

    /// When lossy tiles may be sent again exactly: once the screen has
    /// rested for [`REFINE_AFTER_MS`].
    fn refine_at(&self) -> u64 {
        self.last_change_at + REFINE_AFTER_MS
    }

    /// When the next frame may start: the controller's interval after the
    /// last one, or sooner, [`IDLE_LINK_INTERVAL_MS`], when every frame sent
    /// has been acknowledged. An idle link has room for it, and waiting
    /// would only make a typed character show up later.
    fn next_at(&self, s: &NoviceSession) -> u64 {
        let Some(last) = self.last_at else {
            return 0;
        };
        let interval = match s.frame_sender().in_flight() {
            0 => self.interval_ms.min(IDLE_LINK_INTERVAL_MS),
            _ => self.interval_ms,
        };
        last + interval
    }

    /// Send what can be sent now. Returns whether anything went.
    pub fn pump(
        &mut self,
        s: &mut NoviceSession,
        desktop: &mut impl FrameSource,
        now: u64,
    ) -> bool {
        let mut moved = self.send_cursor(s, desktop);
        loop {
            if let Some(out) = self.current.as_mut() {
                let (result, sent) = send_pieces(s, out);
                moved |= sent;
                match result {
                    Ok(true) => {
                        let frame = out.frame;
                        self.current = None;
                        if s.end_frame(frame).is_err() {
                            return moved;
                        }
                        self.frames_sent += 1;
                        moved = true;
                    }
                    Ok(false) | Err(_) => return moved,
                }
            }
            let Some(due) = self.due_at(s).filter(|&due| now >= due) else {
                return moved;
            };
            if !s.can_send_frame() {
                // Frames in flight fill the window or the buffer is full:
                // skip, and let damage gather for a later frame (SES-12).
                // Only once per interval, or the estimate would count the
                // same wait many times.
                if self.skipped_at != Some(due) {
                    self.skipped_at = Some(due);
                    s.skip_frame();
                }
                return moved;
            }
            let fs = s.frame_sender();
            self.quality.update(fs.rtt_ms(), fs.throughput_bps(), now);
            self.last_at = Some(now);
            self.interval_ms = u64::from(self.quality.frame_interval_ms());
            // Lossless text stays lossless whatever the level: the encoder
            // only ever uses JPEG for photographic tiles.
            self.encoder.set_lossy_quality(self.quality.lossy());
            let refresh = self.fresh;
            self.encoder.set_refine(now >= self.refine_at());
            let changed = !self.damage.is_empty();
            let hint = (!self.fresh).then_some(self.damage.as_slice());
            let (w, h) = (desktop.width(), desktop.height());
            let rects = match self.encoder.encode(w, h, desktop.pixels(), hint) {
                Ok(r) => r,
                Err(_) => return moved,
            };
            self.fresh = false;
            self.damage.clear();
            if rects.is_empty() {
                return moved;
            }
            if changed {
                self.last_change_at = now;
            }
            let bytes = rects.iter().map(|r| r.data.len() as u64).sum::<u64>();
            let whole = match fits_one_record(bytes, rects.len()) {
                true => s.send_frame(w, h, &frame_rects(&rects)).ok(),
                false => None,
            };
            let started = match whole {
                Some(frame) => Ok(frame),
                None => s.begin_frame(w, h, u16::try_from(rects.len()).unwrap_or(u16::MAX)),
            };
            let Ok(frame) = started else {
                // Could not start after all: send everything next time.
                self.encoder.refresh();
                return moved;
            };
            self.bytes_sent += bytes;
            // What this content needs from the link, for the controller. A
            // whole first picture is a one-off, not what the screen needs
            // from frame to frame, so it is left out.
            if !refresh {
                self.quality.record_frame(bytes, now);
            }
            moved = true;
            if whole.is_some() {
                self.frames_sent += 1;
                continue;
            }
            self.current = Some(FrameOut {
                frame,
                rects: rects.into(),
                offset: 0,
            });
        }
    }

    fn send_cursor(&mut self, s: &mut NoviceSession, desktop: &impl FrameSource) -> bool {
        let at = desktop.pointer_abs();
        if self.fresh || self.last_cursor == Some(at) {
            return false;
        }
        if s.send_cursor(at.0, at.1).is_ok() {
            self.last_cursor = Some(at);
            return true;
        }
        false
    }
}

/// Whether a frame of `rects` rectangles and `bytes` encoded bytes surely
/// fits one record with its headers (a few dozen bytes a rectangle at most),
/// so it can go whole with [`NoviceSession::send_frame`].
fn fits_one_record(bytes: u64, rects: usize) -> bool {
    const HEADER_ALLOWANCE: u64 = 32;
    bytes + HEADER_ALLOWANCE * (rects as u64 + 2) <= MAX_DATA_BYTES as u64
}

fn frame_rects(rects: &[EncodedRect]) -> Vec<FrameRect<'_>> {
    rects
        .iter()
        .map(|r| FrameRect {
            x: r.rect.x,
            y: r.rect.y,
            w: r.rect.w,
            h: r.rect.h,
            encoding: r.encoding,
            data: &r.data,
        })
        .collect()
}

/// Send rectangle pieces until the frame is done (`Ok(true)`) or the send
/// buffer is full (`Ok(false)`); also says whether any piece went.
fn send_pieces(s: &mut NoviceSession, out: &mut FrameOut) -> (Result<bool, SendError>, bool) {
    let mut sent = false;
    while let Some(rect) = out.rects.front() {
        let total = rect.data.len();
        let end = (out.offset + MAX_DATA_BYTES).min(total);
        let r = rect.rect;
        match s.send_rect(
            out.frame,
            (r.x, r.y, r.w, r.h),
            rect.encoding,
            total as u32,
            out.offset as u32,
            &rect.data[out.offset..end],
        ) {
            Ok(()) => sent = true,
            Err(SendError::WouldBlock) => return (Ok(false), sent),
            Err(e) => return (Err(e), sent),
        }
        if end == total {
            out.rects.pop_front();
            out.offset = 0;
        } else {
            out.offset = end;
        }
    }
    (Ok(true), sent)
}

/// One rectangle put together from the pieces the core delivers it in
/// (a rectangle larger than a record arrives in several).
#[derive(Debug, Clone, Default)]
pub struct RectPieces {
    buf: Vec<u8>,
}

impl RectPieces {
    /// Add the piece at `offset` of a rectangle of `total` bytes; returns
    /// whether the rectangle is now complete ([`RectPieces::take`] it).
    pub fn add(&mut self, offset: u32, total: u32, data: &[u8]) -> bool {
        if offset == 0 {
            self.buf.clear();
        }
        self.buf.extend_from_slice(data);
        self.buf.len() as u64 >= u64::from(total)
    }

    /// The complete rectangle's bytes; the next rectangle starts afresh.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// The expert's view of the novice's screen.
#[derive(Debug, Clone)]
pub struct View {
    screen: Screen,
    piece: RectPieces,
    /// When each frame completed: (time, frame).
    pub frames: Vec<(u64, u32)>,
    /// Rectangles that did not decode (a broken encoder or a hostile peer).
    pub decode_errors: u32,
    /// Where the pointer is, in pointer units.
    pub cursor: Option<(u16, u16)>,
}

impl Default for View {
    fn default() -> Self {
        View {
            screen: Screen::new(1, 1),
            piece: RectPieces::default(),
            frames: Vec::new(),
            decode_errors: 0,
            cursor: None,
        }
    }
}

impl View {
    /// The screen as the expert sees it.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The same, to turn a rectangle it applied into one that stands alone
    /// ([`Screen::standalone`]).
    pub fn screen_mut(&mut self) -> &mut Screen {
        &mut self.screen
    }

    /// Take a video event. Rectangles are applied in arrival order, which is
    /// the encoder's order: a frame's copies read the screen as the frame
    /// before left it (see [`Screen::apply`]).
    pub fn on_event(&mut self, event: &Event<'_>, now: u64) {
        match *event {
            Event::FrameStart { width, height, .. } => {
                if (width, height) != (self.screen.width(), self.screen.height()) {
                    self.screen.resize(width, height);
                }
                self.screen.begin_frame();
            }
            Event::Rect {
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                data,
                ..
            } => {
                let complete = self.piece.add(offset, total, data);
                let rect = Rect { x, y, w, h };
                if complete
                    && self
                        .screen
                        .apply(rect, encoding, &self.piece.take())
                        .is_err()
                {
                    self.decode_errors += 1;
                }
            }
            Event::FrameEnd { frame } => self.frames.push((now, frame)),
            Event::Cursor { x, y } => self.cursor = Some((x, y)),
            _ => {}
        }
    }

    /// Frames completed within `[from, to)`.
    pub fn frames_between(&self, from: u64, to: u64) -> usize {
        self.frames
            .iter()
            .filter(|(t, _)| (from..to).contains(t))
            .count()
    }
}
