//! The expert's check of the frame messages an untrusted novice sends.

use crate::message::Encoding;

use super::VideoError;

/// Largest screen width or height accepted, in pixels (8K is 7680 wide).
pub const MAX_DIMENSION: u16 = 8192;

/// Room for an encoding's own headers and tables (JPEG headers, palette,
/// H.264 parameter sets) on top of the pixels, in [`max_rect_bytes`].
pub const RECT_OVERHEAD_BYTES: u32 = 1024;

/// Largest encoded length a `w`×`h` rectangle may declare in `encoding`.
///
/// `Raw` must be exactly 4 bytes per pixel, `Solid` one 4-byte colour,
/// `Copy` one 4-byte source position and `Cached` one
/// [`CACHED_KEY_BYTES`]-byte key (these four are checked for equality, not
/// just the bound). The compressed encodings may not exceed the raw
/// pixels plus LZ4's worst-case expansion (one byte in 255) plus
/// [`RECT_OVERHEAD_BYTES`]: no honest encoder needs more, and the bound keeps a
/// hostile peer from announcing gigabytes the expert would wait for.
pub fn max_rect_bytes(encoding: Encoding, w: u16, h: u16) -> u32 {
    let raw = u64::from(w) * u64::from(h) * 4;
    let bound = match encoding {
        Encoding::Raw => raw,
        Encoding::Solid | Encoding::Copy => 4,
        Encoding::Cached => u64::from(CACHED_KEY_BYTES),
        Encoding::Palette
        | Encoding::PaletteZ
        | Encoding::Glyphs
        | Encoding::Lz4
        | Encoding::Jpeg
        | Encoding::H264 => raw + raw / 255 + u64::from(RECT_OVERHEAD_BYTES),
    };
    u32::try_from(bound).unwrap_or(u32::MAX)
}

/// Bytes of an [`Encoding::Cached`] rectangle: the short key that names
/// content the viewer holds (`beckon-video` defines which).
pub const CACHED_KEY_BYTES: u32 = 2;

/// What one accepted piece of a rectangle means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RectProgress {
    /// More pieces of this rectangle follow.
    Partial {
        /// Bytes of the rectangle received so far.
        received: u32,
        /// The rectangle's total encoded length.
        total: u32,
    },
    /// This piece completes the rectangle: it can be decoded now.
    Complete,
}

impl FrameInProgress {
    fn new(frame: u32, (width, height): (u16, u16), rects: u16, ends_itself: bool) -> Self {
        Self {
            frame,
            width,
            height,
            rects_announced: rects,
            rects_done: 0,
            rect: None,
            ends_itself,
        }
    }
}

/// A frame started by [`FrameAssembler::on_next_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NextFrame {
    /// Its number: one above the last frame started.
    pub frame: u32,
    /// Screen width, as the last frame's.
    pub width: u16,
    /// Screen height, as the last frame's.
    pub height: u16,
    /// It has no rectangles, so it ended as it started.
    pub ended: bool,
}

/// The rectangle being received, as its first piece described it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct RectInProgress {
    x: u16,
    y: u16,
    w: u16,
    h: u16,
    encoding: Encoding,
    total: u32,
    received: u32,
}

/// The frame being received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct FrameInProgress {
    frame: u32,
    width: u16,
    height: u16,
    rects_announced: u16,
    rects_done: u16,
    rect: Option<RectInProgress>,
    /// Started by a `NextFrame`: ends with its last rectangle.
    ends_itself: bool,
}

/// Expert side: validates the `FrameStart`, `Rect`…, `FrameEnd` sequence
/// before the driver hands any bytes to a decoder.
///
/// Rules: frame numbers increase (gaps are fine); one frame at a time; the
/// screen is 1..=[`MAX_DIMENSION`] pixels each way; every rectangle is
/// non-empty and lies inside the screen; a rectangle arrives as pieces in
/// order (each `offset` is the bytes received so far, every piece has bytes,
/// none runs past `total`), one rectangle after another; `total` fits the
/// rectangle's size and encoding ([`max_rect_bytes`]); the frame ends after
/// exactly the announced number of complete rectangles. An error leaves the
/// assembler unchanged.
///
/// Not checked here, because only the decoder sees the bytes: the source of a
/// `Copy` rectangle, and the content of compressed data. The driver should
/// grow its buffer as pieces arrive rather than reserve `total` up front.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FrameAssembler {
    /// The last frame started.
    last_frame: Option<u32>,
    /// The screen size the last `FrameStart` announced.
    screen: Option<(u16, u16)>,
    current: Option<FrameInProgress>,
}

impl FrameAssembler {
    /// An assembler waiting for the first frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// A [`Message::FrameStart`](crate::message::Message::FrameStart) arrived.
    pub fn on_frame_start(
        &mut self,
        frame: u32,
        width: u16,
        height: u16,
        rects: u16,
    ) -> Result<(), VideoError> {
        if self.current.is_some() {
            return Err(VideoError::FrameNotEnded);
        }
        if let Some(last) = self.last_frame {
            if frame <= last {
                return Err(VideoError::FrameNotIncreasing { last, got: frame });
            }
        }
        if !(1..=MAX_DIMENSION).contains(&width) || !(1..=MAX_DIMENSION).contains(&height) {
            return Err(VideoError::BadScreenSize);
        }
        self.last_frame = Some(frame);
        self.screen = Some((width, height));
        self.current = Some(FrameInProgress::new(frame, (width, height), rects, false));
        Ok(())
    }

    /// A [`Message::NextFrame`](crate::message::Message::NextFrame) arrived:
    /// the frame after the last one started, on the same screen. Returns its
    /// number, the screen size, and whether it is already over (no
    /// rectangles), in which case it is to be acknowledged now.
    pub fn on_next_frame(&mut self, rects: u16) -> Result<NextFrame, VideoError> {
        if self.current.is_some() {
            return Err(VideoError::FrameNotEnded);
        }
        let (Some(last), Some((width, height))) = (self.last_frame, self.screen) else {
            return Err(VideoError::NoFrame);
        };
        let frame = last
            .checked_add(1)
            .ok_or(VideoError::FrameNotIncreasing { last, got: last })?;
        self.last_frame = Some(frame);
        let ended = rects == 0;
        if !ended {
            self.current = Some(FrameInProgress::new(frame, (width, height), rects, true));
        }
        Ok(NextFrame {
            frame,
            width,
            height,
            ended,
        })
    }

    /// A [`Message::Tile`](crate::message::Message::Tile) arrived: a whole
    /// rectangle of `data_len` bytes for the frame in progress. Returns the
    /// frame's number when this tile ended a frame that ends itself (to be
    /// acknowledged as after a frame end).
    pub fn on_tile(
        &mut self,
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        encoding: Encoding,
        data_len: usize,
    ) -> Result<Option<u32>, VideoError> {
        let current = self.current.as_ref().ok_or(VideoError::NoFrame)?;
        if current.rect.is_some() {
            return Err(VideoError::IncompleteRect);
        }
        let frame = current.frame;
        let total = u32::try_from(data_len).map_err(|_| VideoError::RectLength)?;
        // A whole rectangle is one piece at offset 0, so `on_rect` checks it.
        self.on_rect(frame, x, y, w, h, encoding, total, 0, data_len)?;
        match self.current {
            Some(c) if c.ends_itself && c.rects_done == c.rects_announced => {
                self.current = None;
                Ok(Some(frame))
            }
            _ => Ok(None),
        }
    }

    /// A [`Message::Rect`](crate::message::Message::Rect) arrived, carrying
    /// `data_len` bytes at `offset` of the rectangle's `total`.
    #[allow(clippy::too_many_arguments)] // mirrors the fields of Message::Rect
    pub fn on_rect(
        &mut self,
        frame: u32,
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        encoding: Encoding,
        total: u32,
        offset: u32,
        data_len: usize,
    ) -> Result<RectProgress, VideoError> {
        let current = self.current.as_mut().ok_or(VideoError::NoFrame)?;
        if frame != current.frame {
            return Err(VideoError::WrongFrame {
                expected: current.frame,
                got: frame,
            });
        }
        let rect = match current.rect {
            Some(rect) => {
                if (rect.x, rect.y, rect.w, rect.h, rect.encoding, rect.total)
                    != (x, y, w, h, encoding, total)
                {
                    return Err(VideoError::PieceMismatch);
                }
                rect
            }
            None => {
                if current.rects_done >= current.rects_announced {
                    return Err(VideoError::TooManyRects);
                }
                let right = u32::from(x) + u32::from(w);
                let bottom = u32::from(y) + u32::from(h);
                if w == 0
                    || h == 0
                    || right > u32::from(current.width)
                    || bottom > u32::from(current.height)
                {
                    return Err(VideoError::RectOutOfBounds);
                }
                let fits = match encoding {
                    Encoding::Raw | Encoding::Solid | Encoding::Copy | Encoding::Cached => {
                        total == max_rect_bytes(encoding, w, h)
                    }
                    _ => (1..=max_rect_bytes(encoding, w, h)).contains(&total),
                };
                if !fits {
                    return Err(VideoError::RectLength);
                }
                RectInProgress {
                    x,
                    y,
                    w,
                    h,
                    encoding,
                    total,
                    received: 0,
                }
            }
        };
        if offset != rect.received {
            return Err(VideoError::PieceOutOfOrder {
                expected: rect.received,
                got: offset,
            });
        }
        if data_len == 0 {
            return Err(VideoError::EmptyPiece);
        }
        let len = u32::try_from(data_len).map_err(|_| VideoError::PastEnd)?;
        let received = offset.checked_add(len).ok_or(VideoError::PastEnd)?;
        if received > rect.total {
            return Err(VideoError::PastEnd);
        }
        if received == rect.total {
            current.rect = None;
            current.rects_done = current.rects_done.saturating_add(1);
            Ok(RectProgress::Complete)
        } else {
            current.rect = Some(RectInProgress { received, ..rect });
            Ok(RectProgress::Partial {
                received,
                total: rect.total,
            })
        }
    }

    /// A [`Message::FrameEnd`](crate::message::Message::FrameEnd) arrived.
    /// Returns the frame number to put in the
    /// [`Message::FrameAck`](crate::message::Message::FrameAck), to send once
    /// the frame is decoded.
    pub fn on_frame_end(&mut self, frame: u32) -> Result<u32, VideoError> {
        let current = self.current.as_ref().ok_or(VideoError::NoFrame)?;
        if frame != current.frame {
            return Err(VideoError::WrongFrame {
                expected: current.frame,
                got: frame,
            });
        }
        if current.rect.is_some() {
            return Err(VideoError::IncompleteRect);
        }
        if current.ends_itself {
            return Err(VideoError::UnexpectedEnd);
        }
        if current.rects_done != current.rects_announced {
            return Err(VideoError::MissingRects {
                expected: current.rects_announced,
                got: current.rects_done,
            });
        }
        self.current = None;
        Ok(frame)
    }

    /// The screen size announced by the latest frame, if any.
    pub fn screen_size(&self) -> Option<(u16, u16)> {
        self.screen
    }

    /// The number of the frame in progress, if any.
    pub fn frame_in_progress(&self) -> Option<u32> {
        self.current.map(|c| c.frame)
    }

    /// `true` between a frame's start and its end.
    pub fn in_frame(&self) -> bool {
        self.current.is_some()
    }
}
