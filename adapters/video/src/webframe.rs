//! The web frame: one whole frame update in one WebSocket binary message,
//! from the `beckon` process to the helper's browser console, which decodes
//! it with this crate compiled to WebAssembly (`beckon-video-wasm`).
//!
//! The browser gets the rectangles exactly as the [`Encoder`](crate::Encoder)
//! made them, never raw pixels: a full screen of text is a few hundred
//! kilobytes instead of eight megabytes.
//!
//! ## Format
//! All numbers little-endian.
//! ```text
//! header   "BKW" [version: u8 = 1] [width: u16] [height: u16]
//! records  until the end of the message, each one of:
//!   [1] [x: u16] [y: u16] [w: u16] [h: u16] [encoding: u8] [len: u32] [len bytes]
//!        a rectangle, applied in order (see `Screen::apply` for the data)
//!   [2] [x: u16] [y: u16]
//!        where the pointer is
//! ```
//! Encodings: 0 Raw, 1 Solid, 2 Copy, 3 Palette, 4 Lz4, 5 Jpeg, 6 H264,
//! 7 Cached, 8 PaletteZ, 9 Glyphs (the console sends plain palettes or
//! pixels instead of 7 to 9: a tab that opened late holds none of what was
//! kept before, nor the start of a frame's stream). Each message is one frame: its
//! `PaletteZ` stream starts with it.
//!
//! Why this shape: the magic and version come first so a console served by
//! another build fails with a clear "version" error, not garbage; the size is
//! in every message so a viewer that joins late, or a resize, needs no other
//! message; records are tagged so a later version can add kinds.
//!
//! ## Errors
//! [`apply`] checks the whole message's structure (header, record lengths,
//! rectangles inside the screen) before it changes anything, so a truncated
//! or malformed message leaves the screen as it was. A rectangle whose data
//! is corrupt (bad LZ4, palette or JPEG) is found only while decoding: the
//! rectangles before it stay applied, and the error says which one failed.

use beckon_core::video::MAX_DIMENSION;

use crate::decode::{DecodeError, Screen};
use crate::encode::EncodedRect;
use crate::rect::Rect;
use crate::Encoding;

/// The first bytes of every web frame.
pub const MAGIC: [u8; 3] = *b"BKW";

/// The format version this build writes and reads.
pub const VERSION: u8 = 1;

/// Magic, version, width and height.
const HEADER_LEN: usize = 8;

/// Record kind: a rectangle.
const RECORD_RECT: u8 = 1;
/// Record kind: the pointer's position.
const RECORD_CURSOR: u8 = 2;

/// x, y, w, h, encoding and data length, after the kind byte.
const RECT_HEAD_LEN: usize = 13;
/// x and y, after the kind byte.
const CURSOR_LEN: usize = 4;

/// Why a web frame could not be written or applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebFrameError {
    /// The message does not start with [`MAGIC`].
    #[error("not a Beckon web frame")]
    BadMagic,
    /// The message is of another format version than this decoder's.
    #[error("web frame version {got}, this decoder reads version {VERSION}: reload the page")]
    Version {
        /// The version in the message.
        got: u8,
    },
    /// The message ends inside its header or a record.
    #[error("web frame truncated at byte {at}")]
    Truncated {
        /// Offset of the header or record that is cut short.
        at: usize,
    },
    /// The screen size is zero or larger than viewers accept.
    #[error("screen size {width}x{height} is not accepted")]
    Size {
        /// Width in the header.
        width: u16,
        /// Height in the header.
        height: u16,
    },
    /// A record of a kind this version does not know.
    #[error("unknown record kind {kind} at byte {at}")]
    UnknownRecord {
        /// The kind byte.
        kind: u8,
        /// Offset of the record.
        at: usize,
    },
    /// A rectangle with an encoding number this version does not know.
    #[error("unknown encoding {0}")]
    UnknownEncoding(u8),
    /// A rectangle that is empty or reaches outside the screen.
    #[error("rectangle {0:?} lies outside the screen")]
    OutOfBounds(Rect),
    /// A rectangle whose data could not be decoded.
    #[error("rectangle {index}: {source}")]
    Rect {
        /// Position of the rectangle among the message's rectangles.
        index: usize,
        /// What was wrong with it.
        source: DecodeError,
    },
    /// The writer was given rectangle data longer than a `u32` can count.
    #[error("rectangle data of {0} bytes is too long for a web frame")]
    DataTooLong(usize),
}

/// Builds one web frame (server side).
#[derive(Debug, Clone)]
pub struct WebFrameWriter {
    buf: Vec<u8>,
}

impl WebFrameWriter {
    /// Start a frame for a `width`×`height` screen.
    pub fn begin(width: u16, height: u16) -> Self {
        let mut buf = Vec::with_capacity(HEADER_LEN);
        buf.extend_from_slice(&MAGIC);
        buf.push(VERSION);
        buf.extend_from_slice(&width.to_le_bytes());
        buf.extend_from_slice(&height.to_le_bytes());
        Self { buf }
    }

    /// Add one rectangle; rectangles are applied in the order they are
    /// added, which must be the encoder's order.
    pub fn rect(
        &mut self,
        rect: Rect,
        encoding: Encoding,
        data: &[u8],
    ) -> Result<(), WebFrameError> {
        let len = u32::try_from(data.len()).map_err(|_| WebFrameError::DataTooLong(data.len()))?;
        self.buf.reserve(1 + RECT_HEAD_LEN + data.len());
        self.buf.push(RECORD_RECT);
        for v in [rect.x, rect.y, rect.w, rect.h] {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.buf.push(encoding_id(encoding));
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// Add every rectangle of one [`Encoder::encode`](crate::Encoder::encode)
    /// result, in order.
    pub fn rects(&mut self, rects: &[EncodedRect]) -> Result<(), WebFrameError> {
        rects
            .iter()
            .try_for_each(|r| self.rect(r.rect, r.encoding, &r.data))
    }

    /// Tell where the pointer is.
    pub fn cursor(&mut self, x: u16, y: u16) {
        self.buf.push(RECORD_CURSOR);
        self.buf.extend_from_slice(&x.to_le_bytes());
        self.buf.extend_from_slice(&y.to_le_bytes());
    }

    /// The finished message.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// What [`apply`] did to the screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The bounding box of every pixel that may have changed (the whole
    /// screen after a resize), `None` when none did.
    pub dirty: Option<Rect>,
    /// The pointer's position, if the message carried one (the last one).
    pub cursor: Option<(u16, u16)>,
    /// The message had another size than the screen, which was resized
    /// (and so became black before the rectangles were applied).
    pub resized: bool,
}

/// Apply one web frame to `screen`, resizing it first if the frame's size
/// differs.
///
/// Takes any bytes: never panics, allocates nothing for sizes it has not
/// checked (a screen larger than [`MAX_DIMENSION`] is refused), and leaves
/// the screen as it was for any error but [`WebFrameError::Rect`] (see the
/// [module docs](self)).
pub fn apply(screen: &mut Screen, msg: &[u8]) -> Result<Applied, WebFrameError> {
    apply_inner(screen, msg, None)
}

/// A JPEG rectangle that [`apply_deferring_jpeg`] left for the caller to
/// decode (with [`decode_jpeg`], anywhere) and then put on the screen as
/// [`Raw`](Encoding::Raw) pixels, in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferred {
    /// Position of the rectangle among the message's rectangles.
    pub index: usize,
    /// Where it goes.
    pub rect: Rect,
    /// Where its JPEG data starts in the message.
    pub offset: usize,
    /// Length of its JPEG data.
    pub len: usize,
}

/// Like [`apply`], but JPEG rectangles are not decoded: they are listed in
/// `deferred` (cleared first), so a caller with several threads (the
/// browser console's Web Workers) can decode them in parallel. Only when
/// the message has at least `min` JPEG rectangles; with fewer, it is the
/// same as [`apply`] and `deferred` stays empty.
///
/// The result is the same as [`apply`]'s once every deferred rectangle is
/// put on the screen, in any order, because only those JPEG rectangles are
/// deferred that no later rectangle of the message (deferred or not)
/// overlaps or copies from: JPEG data depends on nothing on the screen, so
/// it can be decoded at any time. (The encoder's frames always qualify:
/// copies come first and tiles do not overlap; any other JPEG rectangle is
/// decoded here, in order.)
///
/// The errors are [`apply`]'s; a deferred rectangle's own error is the
/// caller's to report, as [`WebFrameError::Rect`] with its `index`.
pub fn apply_deferring_jpeg(
    screen: &mut Screen,
    msg: &[u8],
    min: usize,
    deferred: &mut Vec<Deferred>,
) -> Result<Applied, WebFrameError> {
    deferred.clear();
    apply_inner(screen, msg, Some((min, deferred)))
}

/// Decode the data of a JPEG rectangle (see [`apply_deferring_jpeg`]) to
/// RGBA pixels, `rect.w * rect.h * 4` bytes.
pub fn decode_jpeg(rect: Rect, data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    crate::jpeg::decode(rect, data).map_err(|_| DecodeError::BadJpeg)
}

fn apply_inner(
    screen: &mut Screen,
    msg: &[u8],
    defer: Option<(usize, &mut Vec<Deferred>)>,
) -> Result<Applied, WebFrameError> {
    let (width, height) = header(msg)?;
    // First pass: the structure, so a malformed message changes nothing.
    let mut cursor = None;
    let mut dirty: Option<Rect> = None;
    let mut jpegs = 0;
    for record in Records::new(msg) {
        match record? {
            Record::Rect { rect, encoding, .. } => {
                if !rect.fits(width, height) {
                    return Err(WebFrameError::OutOfBounds(rect));
                }
                dirty = Some(dirty.map_or(rect, |d| d.union(rect)));
                jpegs += usize::from(encoding == Encoding::Jpeg);
            }
            Record::Cursor { x, y } => cursor = Some((x, y)),
        }
    }

    let resized = (screen.width(), screen.height()) != (width, height);
    if resized {
        screen.resize(width, height);
    }
    screen.begin_frame();
    let rects: Vec<_> = Records::new(msg)
        .filter_map(|r| match r {
            Ok(Record::Rect {
                rect,
                encoding,
                offset,
                data,
            }) => Some((rect, encoding, offset, data)),
            _ => None,
        })
        .collect();
    let mut skip = vec![false; rects.len()];
    if let Some((_, deferred)) = defer.filter(|(min, _)| jpegs >= (*min).max(1)) {
        // From the last rectangle back: the areas later rectangles write or
        // read.
        let mut later: Vec<Rect> = Vec::new();
        for (index, &(rect, encoding, offset, data)) in rects.iter().enumerate().rev() {
            if encoding == Encoding::Jpeg && !later.iter().any(|l| overlap(*l, rect)) {
                skip[index] = true;
                deferred.push(Deferred {
                    index,
                    rect,
                    offset,
                    len: data.len(),
                });
            }
            later.push(rect);
            if let (Encoding::Copy, &[x0, x1, y0, y1]) = (encoding, data) {
                let (x, y) = (u16::from_le_bytes([x0, x1]), u16::from_le_bytes([y0, y1]));
                later.push(Rect::new(x, y, rect.w, rect.h));
            }
        }
        deferred.reverse();
    }
    for (index, &(rect, encoding, _, data)) in rects.iter().enumerate() {
        if skip[index] {
            continue;
        }
        screen
            .apply(rect, encoding, data)
            .map_err(|source| WebFrameError::Rect { index, source })?;
    }
    let dirty = if resized {
        Some(Rect::new(0, 0, width, height))
    } else {
        dirty
    };
    Ok(Applied {
        dirty,
        cursor,
        resized,
    })
}

/// Whether two rectangles share a pixel.
fn overlap(a: Rect, b: Rect) -> bool {
    let (ax1, ay1) = (
        u32::from(a.x) + u32::from(a.w),
        u32::from(a.y) + u32::from(a.h),
    );
    let (bx1, by1) = (
        u32::from(b.x) + u32::from(b.w),
        u32::from(b.y) + u32::from(b.h),
    );
    u32::from(a.x) < bx1 && u32::from(b.x) < ax1 && u32::from(a.y) < by1 && u32::from(b.y) < ay1
}

/// The web format's number for an encoding.
fn encoding_id(encoding: Encoding) -> u8 {
    match encoding {
        Encoding::Raw => 0,
        Encoding::Solid => 1,
        Encoding::Copy => 2,
        Encoding::Palette => 3,
        Encoding::Lz4 => 4,
        Encoding::Jpeg => 5,
        Encoding::H264 => 6,
        Encoding::Cached => 7,
        Encoding::PaletteZ => 8,
        Encoding::Glyphs => 9,
    }
}

/// The encoding for a web format number.
fn encoding_of(id: u8) -> Result<Encoding, WebFrameError> {
    Ok(match id {
        0 => Encoding::Raw,
        1 => Encoding::Solid,
        2 => Encoding::Copy,
        3 => Encoding::Palette,
        4 => Encoding::Lz4,
        5 => Encoding::Jpeg,
        6 => Encoding::H264,
        7 => Encoding::Cached,
        8 => Encoding::PaletteZ,
        9 => Encoding::Glyphs,
        _ => return Err(WebFrameError::UnknownEncoding(id)),
    })
}

/// Check the header; the screen size it declares.
fn header(msg: &[u8]) -> Result<(u16, u16), WebFrameError> {
    let Some((head, _)) = msg.split_first_chunk::<HEADER_LEN>() else {
        return Err(if msg.len() >= MAGIC.len() && msg[..MAGIC.len()] != MAGIC {
            WebFrameError::BadMagic
        } else {
            WebFrameError::Truncated { at: 0 }
        });
    };
    let [m0, m1, m2, version, w0, w1, h0, h1] = *head;
    if [m0, m1, m2] != MAGIC {
        return Err(WebFrameError::BadMagic);
    }
    if version != VERSION {
        return Err(WebFrameError::Version { got: version });
    }
    let (width, height) = (u16::from_le_bytes([w0, w1]), u16::from_le_bytes([h0, h1]));
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(WebFrameError::Size { width, height });
    }
    Ok((width, height))
}

/// One record of a message.
enum Record<'a> {
    Rect {
        rect: Rect,
        encoding: Encoding,
        /// Where `data` starts in the message.
        offset: usize,
        data: &'a [u8],
    },
    Cursor {
        x: u16,
        y: u16,
    },
}

/// The records after the header; stops after the first error.
struct Records<'a> {
    msg: &'a [u8],
    at: usize,
}

impl<'a> Records<'a> {
    fn new(msg: &'a [u8]) -> Self {
        Self {
            msg,
            at: HEADER_LEN,
        }
    }

    fn next_record(&mut self) -> Result<Record<'a>, WebFrameError> {
        let start = self.at;
        let truncated = WebFrameError::Truncated { at: start };
        let rest = self.msg.get(start..).ok_or(truncated)?;
        let (&kind, body) = rest.split_first().ok_or(truncated)?;
        let word = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        match kind {
            RECORD_RECT => {
                let (head, tail) = body.split_first_chunk::<RECT_HEAD_LEN>().ok_or(truncated)?;
                let rect = Rect::new(word(head, 0), word(head, 2), word(head, 4), word(head, 6));
                let encoding = encoding_of(head[8])?;
                let len = u32::from_le_bytes([head[9], head[10], head[11], head[12]]);
                let data = usize::try_from(len)
                    .ok()
                    .and_then(|len| tail.get(..len))
                    .ok_or(truncated)?;
                let offset = start + 1 + RECT_HEAD_LEN;
                self.at = offset + data.len();
                Ok(Record::Rect {
                    rect,
                    encoding,
                    offset,
                    data,
                })
            }
            RECORD_CURSOR => {
                let head = body.first_chunk::<CURSOR_LEN>().ok_or(truncated)?;
                self.at = start + 1 + CURSOR_LEN;
                Ok(Record::Cursor {
                    x: word(head, 0),
                    y: word(head, 2),
                })
            }
            kind => Err(WebFrameError::UnknownRecord { kind, at: start }),
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, WebFrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.msg.len() {
            return None;
        }
        let record = self.next_record();
        if record.is_err() {
            // Nothing after a malformed record can be found reliably.
            self.at = self.msg.len();
        }
        Some(record)
    }
}

#[cfg(test)]
mod tests;
