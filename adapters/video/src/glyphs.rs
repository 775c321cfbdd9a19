//! Text on a plain background, glyph by glyph: [`Encoding::Glyphs`].
//!
//! A new page in a terminal is thousands of characters drawn from a few
//! dozen glyphs. Packed and deflated as pixels (`PaletteZ`) it still costs
//! about six bytes a character, because deflate's window holds a few lines
//! of pixels and a glyph's rows lie far apart in them. Cut into glyphs, a
//! character that the viewer already holds costs its place and a 2-byte
//! key, and a line that repeats words repeats those bytes, which deflate
//! then finds.
//!
//! ## Format
//! ```text
//! [background: RGBA]  [n: u32 LE]  [raw deflate of n bytes of items]
//! items, until they end, one band after another:
//!   band    [skip] [height] [count]    rows of background above the band
//!                                      (from the rectangle's top or the
//!                                      last band's bottom), its rows, and
//!                                      its glyphs, left to right:
//!   glyph   [dx] [dy] [kind]           columns of background before it
//!                                      (from the left or the last glyph's
//!                                      right edge), rows from the band's
//!                                      top to its top, and then
//!     kind 0: [short key: u16 LE]      a glyph the viewer holds
//!     kind 1: [w] [h] [w × h × RGBA]   a new glyph, kept by the viewer
//! ```
//! `[skip]`, `[height]`, `[count]`, `[dx]`, `[dy]`, `[w]` and `[h]` are
//! LEB128 varints. Every pixel not in a glyph is the background. A band is
//! a run of rows with ink (pixels not the background); a glyph is a run of
//! columns with ink in its band, cut down to the rows it has ink in.
//!
//! ## Keeping both sides the same
//! Glyphs are kept like [`Encoding::Cached`] rectangles (`cache.rs`), in a
//! cache of their own with [`CAPACITY`] entries, without their size in the
//! key: a new glyph becomes the newest entry, a known glyph is the newest
//! entry with its short key and becomes the newest. The encoder forgets them
//! all with the rest ([`crate::Encoder::refresh`]).
//!
//! A rectangle's glyphs are worked out against the cache as it was before
//! it (`Overlay`), and the cache changes only once the whole rectangle is
//! encoded and chosen, or decoded without an error. One thing differs from
//! doing them one by one: a new glyph may push out the cache's oldest entry
//! before a later glyph of the rectangle names it. So the encoder names no
//! entry among the [`MAX_NEW`] oldest when the cache is nearly full, and
//! gives up on a rectangle with more new glyphs than that.

use std::collections::HashMap;

use crate::cache::{content_key, short_key, RectCache};
use crate::rect::Rect;
use crate::BYTES_PER_PIXEL;

/// Glyphs each side keeps: every glyph of a few scripts and sizes.
pub(crate) const CAPACITY: usize = 1024;

/// Widest glyph, in pixels: wider runs of ink are not text.
pub(crate) const MAX_W: u16 = 32;

/// Tallest band, in pixels: taller runs of rows with ink are not text.
pub(crate) const MAX_H: u16 = 64;

/// Most new glyphs in one rectangle.
pub(crate) const MAX_NEW: usize = 256;

/// Deflate level of the items: they are small next to the pixels.
const LEVEL: u8 = 6;

const KIND_KNOWN: u8 = 0;
const KIND_NEW: u8 = 1;

/// Background colour and inflated length, before the deflated items.
const HEADER_LEN: usize = 8;

/// Why `Glyphs` data does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GlyphError {
    /// Too short, corrupt deflate, or not the declared length.
    #[error("malformed glyph data")]
    Malformed,
    /// A band or glyph reaches outside the rectangle or past the limits.
    #[error("glyph outside its rectangle")]
    OutOfPlace,
    /// A short key that names no glyph the viewer holds.
    #[error("glyph the viewer does not hold")]
    NotHeld,
}

/// One change to the cache, in order.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// A known glyph became the newest.
    Touch(u64),
    /// A new glyph, as `pending[key]`.
    Insert(u64),
}

/// The cache as a rectangle's glyphs leave it, without changing it until
/// [`Overlay::commit`].
struct Overlay<'c> {
    cache: &'c RectCache,
    /// New glyphs of this rectangle: size and pixels.
    pending: HashMap<u64, (u16, u16, Vec<u8>)>,
    ops: Vec<Op>,
    /// Short key → the glyph this rectangle used or added last with it: newer
    /// than anything in the cache.
    recent: HashMap<u16, u64>,
    /// Entries of the cache at or below this stamp are not named (the
    /// encoder's rule, see the module's docs); 0 on the viewer's side.
    floor: u64,
}

impl<'c> Overlay<'c> {
    fn new(cache: &'c RectCache, floor: u64) -> Self {
        Self {
            cache,
            pending: HashMap::new(),
            ops: Vec::new(),
            recent: HashMap::new(),
            floor,
        }
    }

    /// The glyph a short key names: the newest with it, counting this
    /// rectangle's glyphs as newer than anything before.
    fn newest(&self, short: u16) -> Option<u64> {
        if let Some(&key) = self.recent.get(&short) {
            return Some(key);
        }
        self.cache
            .newest_with(short, None)
            .filter(|&k| self.cache.stamp_of(k).is_some_and(|s| s > self.floor))
    }

    /// Size and pixels of a glyph held under `key`.
    fn get(&self, key: u64) -> Option<(u16, u16, &[u8])> {
        match self.pending.get(&key) {
            Some((w, h, p)) => Some((*w, *h, p)),
            None => self.cache.get(key),
        }
    }

    fn touch(&mut self, key: u64) {
        self.ops.push(Op::Touch(key));
        self.recent.insert(short_key(key), key);
    }

    fn insert(&mut self, key: u64, w: u16, h: u16, pixels: &[u8]) {
        self.pending.insert(key, (w, h, pixels.to_vec()));
        self.ops.push(Op::Insert(key));
        self.recent.insert(short_key(key), key);
    }

    /// New glyphs so far: at most this many entries more in the cache.
    fn news(&self) -> usize {
        self.pending.len()
    }

    /// What the cache is to do, in order, to hold what this rectangle left.
    fn into_ops(self) -> Changes {
        Changes {
            ops: self.ops,
            pending: self.pending,
        }
    }
}

/// A rectangle's changes to the glyph cache, to make once it is chosen or
/// decoded.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    ops: Vec<Op>,
    pending: HashMap<u64, (u16, u16, Vec<u8>)>,
}

impl Changes {
    /// Make the changes, in order.
    pub(crate) fn commit(self, cache: &mut RectCache) {
        for op in self.ops {
            match op {
                Op::Touch(key) => {
                    if let Some((w, h)) = cache.size_of(key) {
                        cache.take_up(key, w, h);
                    }
                }
                Op::Insert(key) => {
                    // A glyph new twice in one rectangle is inserted twice,
                    // as the viewer does: the second makes it the newest.
                    if let Some((w, h, pixels)) = self.pending.get(&key) {
                        cache.insert(key, *w, *h, pixels);
                    }
                }
            }
        }
    }
}

/// A rectangle encoded as glyphs.
#[derive(Debug)]
pub(crate) struct Encoded {
    /// The rectangle's data.
    pub(crate) data: Vec<u8>,
    /// The cache changes it makes.
    pub(crate) changes: Changes,
    /// Glyphs named by key.
    pub(crate) known: usize,
    /// Glyphs sent as pixels.
    pub(crate) new: usize,
}

/// Pixel at `(x, y)` of the screen, as one word.
fn pixel(width: u16, screen: &[u8], x: u16, y: u16) -> u32 {
    let at = (usize::from(y) * usize::from(width) + usize::from(x)) * BYTES_PER_PIXEL;
    screen
        .get(at..at + BYTES_PER_PIXEL)
        .map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
        .unwrap_or(0)
}

/// One row of the screen from `x` for `w` pixels, as bytes.
fn row(width: u16, screen: &[u8], x: u16, y: u16, w: u16) -> &[u8] {
    let at = (usize::from(y) * usize::from(width) + usize::from(x)) * BYTES_PER_PIXEL;
    screen
        .get(at..at + usize::from(w) * BYTES_PER_PIXEL)
        .unwrap_or(&[])
}

fn has_ink(row: &[u8], bg: [u8; 4]) -> bool {
    row.chunks_exact(BYTES_PER_PIXEL).any(|p| p != bg)
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The colour met most often around `rect`'s edge: the background of
/// text, which a rectangle around changed text mostly shows there (glyphs
/// touch its edge only here and there).
pub(crate) fn background(width: u16, rect: Rect, screen: &[u8]) -> [u8; 4] {
    let (right, bottom) = (rect.x + rect.w - 1, rect.y + rect.h - 1);
    // About 64 samples along each side.
    let (sx, sy) = ((rect.w / 64).max(1), (rect.h / 64).max(1));
    let across = (rect.x..=right).step_by(usize::from(sx));
    let down = (rect.y..=bottom).step_by(usize::from(sy));
    let samples = across
        .clone()
        .map(|x| (x, rect.y))
        .chain(across.map(|x| (x, bottom)))
        .chain(down.clone().map(|y| (rect.x, y)))
        .chain(down.map(|y| (right, y)));
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for (x, y) in samples {
        *counts.entry(pixel(width, screen, x, y)).or_default() += 1;
    }
    // Ties go to the smaller colour, so both sides of a test agree.
    counts
        .into_iter()
        .max_by_key(|&(colour, n)| (n, std::cmp::Reverse(colour)))
        .map_or(0, |(colour, _)| colour)
        .to_le_bytes()
}

/// `rect` grown by a pixel on every side, within a `width`×`height`
/// screen: around a box of a few characters, the ring just outside shows the
/// background where the box's own edge may not (a block cursor fills a
/// third of a keystroke's box, and its whole right side).
pub(crate) fn ring_around(rect: Rect, width: u16, height: u16) -> Rect {
    let (x, y) = (rect.x.saturating_sub(1), rect.y.saturating_sub(1));
    let right = (u32::from(rect.x) + u32::from(rect.w) + 1).min(u32::from(width));
    let bottom = (u32::from(rect.y) + u32::from(rect.h) + 1).min(u32::from(height));
    // Within u16: both ends lie within the screen.
    Rect::new(
        x,
        y,
        (right - u32::from(x)) as u16,
        (bottom - u32::from(y)) as u16,
    )
}

/// Encode `rect` of the screen as glyphs on the colour `bg`, against
/// `cache`. `None` when it is not text: a band taller than
/// [`MAX_H`], a glyph wider than [`MAX_W`], or more than [`MAX_NEW`] new
/// glyphs. The cache is not changed: commit the result's `changes` if the
/// rectangle is sent.
pub(crate) fn encode(
    width: u16,
    rect: Rect,
    screen: &[u8],
    bg: [u8; 4],
    cache: &RectCache,
) -> Option<Encoded> {
    let mut overlay = Overlay::new(cache, cache.floor_for(MAX_NEW));
    let mut items = Vec::new();
    let mut band_items = Vec::new();
    let mut glyph = Vec::new();
    let mut ink_cols = vec![false; usize::from(rect.w)];
    let (mut known, mut y, mut last_bottom) = (0usize, 0u16, 0u16);
    while y < rect.h {
        if !has_ink(row(width, screen, rect.x, rect.y + y, rect.w), bg) {
            y += 1;
            continue;
        }
        // A band: rows with ink from `y`.
        let top = y;
        while y < rect.h && has_ink(row(width, screen, rect.x, rect.y + y, rect.w), bg) {
            y += 1;
            if y - top > MAX_H {
                return None;
            }
        }
        let height = y - top;
        ink_cols.fill(false);
        for dy in top..y {
            let r = row(width, screen, rect.x, rect.y + dy, rect.w);
            for (col, p) in ink_cols.iter_mut().zip(r.chunks_exact(BYTES_PER_PIXEL)) {
                *col |= p != bg;
            }
        }
        band_items.clear();
        let (mut count, mut x, mut last_right) = (0u32, 0u16, 0u16);
        while x < rect.w {
            if !ink_cols[usize::from(x)] {
                x += 1;
                continue;
            }
            let left = x;
            while x < rect.w && ink_cols[usize::from(x)] {
                x += 1;
            }
            let w = x - left;
            if w > MAX_W {
                return None;
            }
            // The glyph's own rows within the band.
            let ink_row = |dy: u16| has_ink(row(width, screen, rect.x + left, rect.y + dy, w), bg);
            let Some(first) = (top..y).find(|&dy| ink_row(dy)) else {
                continue;
            };
            let last = (top..y).rev().find(|&dy| ink_row(dy)).unwrap_or(first);
            let h = last - first + 1;
            glyph.clear();
            for dy in first..=last {
                glyph.extend_from_slice(row(width, screen, rect.x + left, rect.y + dy, w));
            }
            let key = content_key(w, h, &glyph);
            put_varint(&mut band_items, u32::from(left - last_right));
            put_varint(&mut band_items, u32::from(first - top));
            let same = overlay
                .get(key)
                .is_some_and(|(gw, gh, p)| (gw, gh) == (w, h) && p == glyph.as_slice());
            let short = short_key(key);
            if same && overlay.newest(short) == Some(key) {
                band_items.push(KIND_KNOWN);
                band_items.extend_from_slice(&short.to_le_bytes());
                overlay.touch(key);
                known += 1;
            } else {
                if overlay.news() >= MAX_NEW {
                    return None;
                }
                band_items.push(KIND_NEW);
                put_varint(&mut band_items, u32::from(w));
                put_varint(&mut band_items, u32::from(h));
                band_items.extend_from_slice(&glyph);
                overlay.insert(key, w, h, &glyph);
            }
            count += 1;
            last_right = x;
        }
        put_varint(&mut items, u32::from(top - last_bottom));
        put_varint(&mut items, u32::from(height));
        put_varint(&mut items, count);
        items.extend_from_slice(&band_items);
        last_bottom = y;
    }
    let new = overlay.news();
    let mut data = Vec::with_capacity(HEADER_LEN + items.len() / 4);
    data.extend_from_slice(&bg);
    data.extend_from_slice(&u32::try_from(items.len()).ok()?.to_le_bytes());
    data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&items, LEVEL));
    Some(Encoded {
        data,
        changes: overlay.into_ops(),
        known,
        new,
    })
}

/// Reads the items, checking each against what is left.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u32, GlyphError> {
        let mut v: u32 = 0;
        for shift in (0..35).step_by(7) {
            let (&b, rest) = self.bytes.split_first().ok_or(GlyphError::Malformed)?;
            self.bytes = rest;
            v |= u32::from(b & 0x7f)
                .checked_shl(shift)
                .ok_or(GlyphError::Malformed)?;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(GlyphError::Malformed)
    }

    /// A varint that must fit in `0..=max`.
    fn at_most(&mut self, max: u16) -> Result<u16, GlyphError> {
        u16::try_from(self.varint()?)
            .ok()
            .filter(|&v| v <= max)
            .ok_or(GlyphError::OutOfPlace)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], GlyphError> {
        if self.bytes.len() < n {
            return Err(GlyphError::Malformed);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
}

/// Decode `data` for `rect` against `cache`: the rectangle's RGBA pixels,
/// and the cache changes to commit once they are applied. On an error
/// nothing has changed.
pub(crate) fn decode(
    rect: Rect,
    data: &[u8],
    cache: &RectCache,
) -> Result<(Vec<u8>, Changes), GlyphError> {
    let (header, packed) = data
        .split_at_checked(HEADER_LEN)
        .ok_or(GlyphError::Malformed)?;
    let bg: [u8; 4] = header[..4].try_into().map_err(|_| GlyphError::Malformed)?;
    let n = u32::from_le_bytes(header[4..].try_into().map_err(|_| GlyphError::Malformed)?);
    // Each glyph covers at least a pixel of the rectangle and takes at most
    // 8 bytes of items besides its pixels, each band at most 8 bytes and a
    // row: more than that is not an honest encoder's, and the bound keeps a
    // small deflate bomb from inflating past it.
    let area = rect.area() as usize;
    let limit = area * (BYTES_PER_PIXEL + 8) + usize::from(rect.h) * 8 + 64;
    let n = usize::try_from(n).map_err(|_| GlyphError::Malformed)?;
    if n > limit {
        return Err(GlyphError::Malformed);
    }
    let items = miniz_oxide::inflate::decompress_to_vec_with_limit(packed, n)
        .map_err(|_| GlyphError::Malformed)?;
    if items.len() != n {
        return Err(GlyphError::Malformed);
    }
    let mut pixels = bg.repeat(area);
    let mut overlay = Overlay::new(cache, 0);
    let mut r = Reader { bytes: &items };
    let mut y = 0u16;
    while !r.bytes.is_empty() {
        let top = y
            .checked_add(r.at_most(rect.h)?)
            .ok_or(GlyphError::OutOfPlace)?;
        let height = r.at_most(MAX_H)?;
        let bottom = top.checked_add(height).ok_or(GlyphError::OutOfPlace)?;
        if height == 0 || bottom > rect.h {
            return Err(GlyphError::OutOfPlace);
        }
        let count = r.varint()?;
        let mut x = 0u16;
        for _ in 0..count {
            let left = x
                .checked_add(r.at_most(rect.w)?)
                .ok_or(GlyphError::OutOfPlace)?;
            let dy = r.at_most(height)?;
            let kind = r.take(1)?[0];
            let (key, w, h) = match kind {
                KIND_KNOWN => {
                    let short = r.take(2)?;
                    let short = u16::from_le_bytes([short[0], short[1]]);
                    let key = overlay.newest(short).ok_or(GlyphError::NotHeld)?;
                    let (w, h, _) = overlay.get(key).ok_or(GlyphError::NotHeld)?;
                    overlay.touch(key);
                    (key, w, h)
                }
                KIND_NEW => {
                    let w = r.at_most(MAX_W)?;
                    let h = r.at_most(MAX_H)?;
                    if w == 0 || h == 0 {
                        return Err(GlyphError::OutOfPlace);
                    }
                    let glyph = r.take(usize::from(w) * usize::from(h) * BYTES_PER_PIXEL)?;
                    let key = content_key(w, h, glyph);
                    overlay.insert(key, w, h, glyph);
                    (key, w, h)
                }
                _ => return Err(GlyphError::Malformed),
            };
            let right = left.checked_add(w).ok_or(GlyphError::OutOfPlace)?;
            if right > rect.w || dy + h > height {
                return Err(GlyphError::OutOfPlace);
            }
            let (_, _, glyph) = overlay.get(key).ok_or(GlyphError::NotHeld)?;
            let stride = usize::from(w) * BYTES_PER_PIXEL;
            for (gy, src) in glyph.chunks_exact(stride).enumerate() {
                let at = ((usize::from(top + dy) + gy) * usize::from(rect.w) + usize::from(left))
                    * BYTES_PER_PIXEL;
                if let Some(dst) = pixels.get_mut(at..at + stride) {
                    dst.copy_from_slice(src);
                }
            }
            x = right;
        }
        y = bottom;
    }
    Ok((pixels, overlay.into_ops()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BG: [u8; 4] = [255, 255, 255, 255];
    const FG: [u8; 4] = [0, 0, 0, 255];

    /// A `w`×`h` screen of lines of made-up 5×9 glyphs in 6×13 cells.
    fn page(w: u16, h: u16, text: &[&str]) -> Vec<u8> {
        let mut px = BG.repeat(usize::from(w) * usize::from(h));
        for (line, s) in text.iter().enumerate() {
            for (col, c) in s.bytes().enumerate() {
                if c == b' ' {
                    continue;
                }
                let bits = u64::from(c).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
                for gy in 0..9usize {
                    for gx in 0..5usize {
                        if bits >> (gy * 5 + gx) & 1 == 1 || gy == 4 {
                            let (x, y) = (col * 6 + gx + 2, line * 13 + gy + 2);
                            let at = (y * usize::from(w) + x) * 4;
                            px[at..at + 4].copy_from_slice(&FG);
                        }
                    }
                }
            }
        }
        px
    }

    fn round_trip(screen: &[u8], w: u16, rect: Rect, enc: &mut RectCache, dec: &mut RectCache) {
        let out = encode(w, rect, screen, BG, enc).expect("text");
        out.changes.commit(enc);
        let (pixels, changes) = decode(rect, &out.data, dec).expect("decodes");
        changes.commit(dec);
        let mut expected = Vec::new();
        crate::tiles::gather(w, rect, screen, &mut expected);
        assert!(pixels == expected, "decoded pixels differ");
    }

    #[test]
    fn a_page_round_trips_and_glyphs_come_again_as_keys() {
        let (w, h) = (200, 60);
        let screen = page(w, h, &["hello world", "world hello", "  low"]);
        let (mut enc, mut dec) = (
            RectCache::with_capacity(CAPACITY),
            RectCache::with_capacity(CAPACITY),
        );
        let rect = Rect::new(0, 0, w, h);
        let first = encode(w, rect, &screen, BG, &enc).unwrap();
        // h, e, l, o, w, r, d: seven glyphs, the rest by key.
        assert_eq!(first.new, 7);
        assert_eq!(first.known, 10 + 10 + 3 - 7);
        round_trip(&screen, w, rect, &mut enc, &mut dec);
        // The same page again: every glyph by key.
        let again = encode(w, rect, &screen, BG, &enc).unwrap();
        assert_eq!(again.new, 0);
        round_trip(&screen, w, Rect::new(3, 5, 150, 50), &mut enc, &mut dec);
    }

    #[test]
    fn the_ring_around_a_box_stays_on_the_screen() {
        // (box, ring) on a 100×100 screen: inside, at a corner, at the far
        // corner, and the whole screen.
        for ((x, y, w, h), ring) in [
            ((10, 20, 12, 13), (9, 19, 14, 15)),
            ((0, 0, 12, 13), (0, 0, 13, 14)),
            ((88, 87, 12, 13), (87, 86, 13, 14)),
            ((0, 0, 100, 100), (0, 0, 100, 100)),
        ] {
            let (rx, ry, rw, rh) = ring;
            assert_eq!(
                ring_around(Rect::new(x, y, w, h), 100, 100),
                Rect::new(rx, ry, rw, rh)
            );
        }
    }

    #[test]
    fn not_text_is_refused() {
        let (w, h) = (100, 100);
        // A tall block of ink: a band taller than MAX_H.
        let mut screen = BG.repeat(100 * 100);
        for y in 0..90 {
            let at = (y * 100 + 5) * 4;
            screen[at..at + 4].copy_from_slice(&FG);
        }
        assert!(encode(w, Rect::new(0, 0, w, h), &screen, BG, &RectCache::default()).is_none());
        // A wide line: a glyph wider than MAX_W.
        let mut screen = BG.repeat(100 * 100);
        for x in 0..60 {
            let at = (50 * 100 + x) * 4;
            screen[at..at + 4].copy_from_slice(&FG);
        }
        assert!(encode(w, Rect::new(0, 0, w, h), &screen, BG, &RectCache::default()).is_none());
    }

    #[test]
    fn bad_data_is_an_error_and_changes_nothing() {
        let (w, h) = (120, 30);
        let screen = page(w, h, &["abc abc"]);
        let rect = Rect::new(0, 0, w, h);
        let mut enc = RectCache::with_capacity(CAPACITY);
        let out = encode(w, rect, &screen, BG, &enc).unwrap();
        out.changes.commit(&mut enc);
        // Every single-byte change and every cut either decodes or errs.
        let dec = RectCache::with_capacity(CAPACITY);
        for i in 0..out.data.len() {
            let mut bad = out.data.clone();
            bad[i] ^= 0x41;
            let _ = decode(rect, &bad, &dec);
            let _ = decode(rect, &out.data[..i], &dec);
        }
        // Known glyphs a fresh viewer does not hold.
        let again = encode(w, rect, &screen, BG, &enc).unwrap();
        assert_eq!(
            decode(rect, &again.data, &dec).err(),
            Some(GlyphError::NotHeld)
        );
        // Items placed outside the rectangle.
        let mut items = Vec::new();
        for v in [0u32, 5, 1, 200, 0, KIND_NEW as u32, 1, 1] {
            put_varint(&mut items, v);
        }
        items.extend_from_slice(&FG);
        let mut data = BG.to_vec();
        data.extend_from_slice(&(items.len() as u32).to_le_bytes());
        data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&items, 1));
        assert_eq!(
            decode(rect, &data, &dec).err(),
            Some(GlyphError::OutOfPlace)
        );
    }
}
