//! Copy detection: content that was already on the viewer's screen
//! somewhere else (a scroll, a window dragged).
//!
//! A frame uses at most one vector `(dx, dy)`: an area at `(x, y)` becomes a
//! [`Copy`](crate::Encoding::Copy) from `(x + dx, y + dy)` of the previous
//! screen when the two are exactly equal. The vector is voted on: rows of
//! the box around the changed pixels are hashed in the previous and the
//! current screen, and every current row whose hash names exactly one
//! previous row votes for that row's distance; columns likewise for `dx`.
//! The winners, their combination and the hints (the previous frame's
//! vector, and windows the windowing system says moved; a diagonal drag
//! defeats a vote on rows or columns alone) are then checked pixel by pixel, on every changed tile and as runs of whole rows
//! of the changed area ([`strips`]), and the vector and way that copy the
//! most pixels win. Hashes only choose candidates; a copy is only ever sent
//! after an exact comparison.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::rect::Rect;
use crate::strips;
use crate::tiles::{self, Grid};
use crate::BYTES_PER_PIXEL;

/// Fewer changed tiles than this are not worth a vote (a typed character,
/// a blinking cursor); the hints are still tried.
const MIN_TILES_TO_VOTE: usize = 4;

/// Widest run of columns hashed for the vertical vote: enough for distinct
/// lines of text, and it bounds the time on a big screen.
const MAX_SPAN: u16 = 256;

/// Tallest run of rows hashed for the horizontal vote. Columns are hashed
/// across the whole screen width, so this is kept shorter; 128 rows still
/// tell columns of a window apart.
const MAX_COLUMN_SPAN: u16 = 64;

/// Least votes for a vector to be considered.
const MIN_VOTES: u32 = 8;

/// A copy vector: the source is at the destination plus `(dx, dy)`.
pub(crate) type Vector = (i32, i32);

/// The outcome of a detection: nothing, whole tiles or runs of rows, each
/// with the one vector of the frame.
#[derive(Debug)]
pub(crate) enum Copies {
    /// No copy is worth sending.
    None,
    /// Changed tiles (indices into the grid) that are copies, in the order
    /// they must be applied.
    Tiles { vector: Vector, tiles: Vec<usize> },
    /// Rectangles of moved rows ([`strips`]), in the order they must be
    /// applied; they may cover parts of tiles.
    Strips { vector: Vector, rects: Vec<Rect> },
}

/// Find the copies among `changed` tiles (grid indices) of `current`
/// against `previous`. `hints` are vectors to try besides the vote's.
/// `exact(index)` says whether the viewer has tile `index` exactly (it is
/// not lossy): sources must lie in exact tiles only.
///
/// Every candidate vector is tried both ways, as whole tiles and as runs of
/// rows ([`strips::find`]), and whichever copies the most pixels wins. Runs
/// of rows win a scroll (they reach the edges of a text area that does not
/// line up with the tiles); whole tiles win where the changed area also
/// holds something that moved differently, such as a scrolled text beside
/// an animation in the same rows, where no row of the whole span matches.
pub(crate) fn detect(
    grid: &Grid,
    previous: &[u8],
    current: &[u8],
    changed: &[usize],
    hints: &[Vector],
    exact: impl Fn(usize) -> bool,
) -> Copies {
    let vote = changed.len() >= MIN_TILES_TO_VOTE;
    if !vote && hints.is_empty() {
        return Copies::None;
    }
    // Where pixels changed (per run of tile columns, and all of it): the
    // votes hash rows and columns of this box only, so that what did not
    // move beside or above the moved content (a border, the desktop, the
    // rest of a window) does not spoil every hash.
    let spans = strips::spans(grid, previous, current, changed);
    // The one area used when the vector moves content sideways, since a
    // copy then reads columns of a neighbouring span.
    let union: Vec<Rect> = Rect::bounding(spans.iter().copied()).into_iter().collect();

    let mut candidates: Vec<Vector> = hints.to_vec();
    if vote {
        if let Some(&span) = union.first() {
            let dy = vote_rows(grid, previous, current, span);
            let dx = vote_columns(grid, previous, current, span);
            candidates.extend(dy.map(|dy| (0, dy)));
            candidates.extend(dx.map(|dx| (dx, 0)));
            if let (Some(dx), Some(dy)) = (dx, dy) {
                candidates.push((dx, dy));
            }
        }
    }
    let mut dedup: Vec<Vector> = Vec::with_capacity(candidates.len());
    for v in candidates {
        if v != (0, 0) && !dedup.contains(&v) {
            dedup.push(v);
        }
    }
    if dedup.is_empty() {
        return Copies::None;
    }

    // The spans are the same for every vector; a sideways vector reads
    // across them, so it gets their union.
    let mut covered = vec![0u32; grid.len()];
    let mut best = Copies::None;
    let mut best_area = 0u64;
    for &v in &dedup {
        let within = if v.0 == 0 { &spans } else { &union };
        let rects = strips::find(grid, previous, current, within, v, &exact);
        covered.fill(0);
        for &r in &rects {
            strips::cover(grid, r, &mut covered);
        }
        // A tile the runs cover wholly matches as a tile too (its rows
        // match over wider columns, from exact sources): no need to compare
        // it again.
        let mut tile_area = 0u64;
        let tiles: Vec<usize> = changed
            .iter()
            .copied()
            .filter(|&t| {
                let Some(rect) = tile_of(grid, t) else {
                    return false;
                };
                let whole = covered.get(t) == Some(&rect.area());
                let hit = whole || matches(grid, previous, current, t, v, &exact);
                if hit {
                    tile_area += u64::from(rect.area());
                }
                hit
            })
            .collect();
        let strip_area = rects.iter().map(|r| u64::from(r.area())).sum();
        // Ties go to the rows: they reach the edges of moved content.
        if strip_area >= tile_area && strip_area > best_area {
            (best, best_area) = (Copies::Strips { vector: v, rects }, strip_area);
        } else if tile_area > strip_area && tile_area > best_area {
            (best, best_area) = (Copies::Tiles { vector: v, tiles }, tile_area);
        }
    }
    if let Copies::Tiles { vector, tiles } = &mut best {
        order(grid, *vector, tiles);
    }
    best
}

/// Mixes 8 bytes into a running hash. Not cryptographic: a collision only
/// costs a failed exact comparison.
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut h = 0;
    for c in &mut chunks {
        h = mix(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    for &b in chunks.remainder() {
        h = mix(h, u64::from(b));
    }
    h
}

/// A hasher for keys that are hashes already ([`hash_bytes`], [`mix`]):
/// it passes them through instead of hashing them again with SipHash, which
/// was a tenth of a frame's copy detection.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for our keys; anything else is folded in.
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Lines (rows or columns) by hash: `Some(line)` when exactly one line has
/// it, `None` when several do (a blank line matches everywhere and proves
/// nothing).
fn unique(hashes: &[u64]) -> HashMap<u64, Option<u32>, BuildHasherDefault<Prehashed>> {
    let mut map = HashMap::with_capacity_and_hasher(hashes.len(), Default::default());
    for (line, &h) in hashes.iter().enumerate() {
        map.entry(h)
            .and_modify(|v| *v = None)
            .or_insert(u32::try_from(line).ok());
    }
    map
}

/// The distance most current lines moved by, if enough of them agree.
/// `old` hashes every line of the previous screen; `new` the lines of the
/// current one from `first` on.
fn vote(old: &[u64], new: &[u64], first: usize) -> Option<i32> {
    let old = unique(old);
    let new_unique = unique(new);
    let mut votes: HashMap<i32, u32> = HashMap::new();
    for (i, h) in new.iter().enumerate() {
        if !matches!(new_unique.get(h), Some(Some(_))) {
            continue;
        }
        if let Some(Some(from)) = old.get(h) {
            let d = i64::from(*from) - (first + i) as i64;
            if d != 0 {
                *votes.entry(i32::try_from(d).ok()?).or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .filter(|&(_, n)| n >= MIN_VOTES)
        .max_by_key(|&(d, n)| (n, -d.abs()))
        .map(|(d, _)| d)
}

/// Vote on a vertical move: hash each row over (up to [`MAX_SPAN`] of) the
/// span's columns.
fn vote_rows(grid: &Grid, previous: &[u8], current: &[u8], span: Rect) -> Option<i32> {
    let cols = Rect::new(span.x, 0, span.w.min(MAX_SPAN), 1);
    let row_hash = |screen: &[u8], y: u16| {
        let r = Rect::new(cols.x, y, cols.w, 1);
        screen
            .get(tiles::row_range(grid.width, r, 0))
            .map_or(0, hash_bytes)
    };
    let old: Vec<u64> = (0..grid.height).map(|y| row_hash(previous, y)).collect();
    let new: Vec<u64> = (span.y..span.y + span.h)
        .map(|y| row_hash(current, y))
        .collect();
    vote(&old, &new, usize::from(span.y))
}

/// Vote on a horizontal move: hash each column over (up to
/// [`MAX_COLUMN_SPAN`] of) the span's rows, row by row so memory is read in order.
fn vote_columns(grid: &Grid, previous: &[u8], current: &[u8], span: Rect) -> Option<i32> {
    let rows = Rect::new(0, span.y, grid.width, span.h.min(MAX_COLUMN_SPAN));
    let column_hashes = |screen: &[u8], x0: u16, w: u16| {
        let mut hashes = vec![0u64; usize::from(w)];
        for dy in 0..rows.h {
            let r = Rect::new(x0, rows.y + dy, w, 1);
            if let Some(row) = screen.get(tiles::row_range(grid.width, r, 0)) {
                for (h, px) in hashes.iter_mut().zip(row.chunks_exact(BYTES_PER_PIXEL)) {
                    *h = mix(
                        *h,
                        u64::from(u32::from_le_bytes([px[0], px[1], px[2], px[3]])),
                    );
                }
            }
        }
        hashes
    };
    let old = column_hashes(previous, 0, grid.width);
    let new = column_hashes(current, span.x, span.w);
    vote(&old, &new, usize::from(span.x))
}

/// Tile `index` moved by `v`, its source is on the screen and exact on the
/// viewer, and the source in `previous` equals the tile in `current`.
fn matches(
    grid: &Grid,
    previous: &[u8],
    current: &[u8],
    index: usize,
    v: Vector,
    exact: &impl Fn(usize) -> bool,
) -> bool {
    let Some(dest) = tile_of(grid, index) else {
        return false;
    };
    let Some(src) = source(grid, dest, v) else {
        return false;
    };
    if !covering_tiles(grid, src).all(exact) {
        return false;
    }
    (0..dest.h).all(|dy| {
        let a = previous.get(tiles::row_range(grid.width, src, dy));
        let b = current.get(tiles::row_range(grid.width, dest, dy));
        a.is_some() && a == b
    })
}

/// The rectangle of tile `index`.
pub(crate) fn tile_of(grid: &Grid, index: usize) -> Option<Rect> {
    let cols = usize::from(grid.cols.max(1));
    let col = u16::try_from(index % cols).ok()?;
    let row = u16::try_from(index / cols).ok()?;
    (row < grid.rows).then(|| grid.tile_rect(col, row))
}

/// Where `dest` reads from with vector `v`, if that lies on the screen.
pub(crate) fn source(grid: &Grid, dest: Rect, v: Vector) -> Option<Rect> {
    let x = u16::try_from(i64::from(dest.x) + i64::from(v.0)).ok()?;
    let y = u16::try_from(i64::from(dest.y) + i64::from(v.1)).ok()?;
    let src = Rect::new(x, y, dest.w, dest.h);
    src.fits(grid.width, grid.height).then_some(src)
}

/// Indices of the tiles `rect` (inside the screen) touches.
fn covering_tiles(grid: &Grid, rect: Rect) -> impl Iterator<Item = usize> {
    let t = grid.tile.max(1);
    let cols = usize::from(grid.cols);
    let (c0, c1) = (rect.x / t, (rect.x + rect.w - 1) / t);
    let (r0, r1) = (rect.y / t, (rect.y + rect.h - 1) / t);
    (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| usize::from(r) * cols + usize::from(c)))
}

/// Sort the copies so that none reads an area an earlier one of the same
/// frame wrote: by ascending projection of the tile's position on the
/// vector. If tile A overlaps the source of tile B, A's position is B's plus
/// the vector plus less than a tile each way; as tile positions are
/// multiples of the tile size, each component of that difference is zero or
/// has the sign of the vector's, so A projects further along the vector and
/// comes after B. (A tile overlapping its own source is the decoder's job.)
fn order(grid: &Grid, (dx, dy): Vector, tiles: &mut [usize]) {
    tiles.sort_by_key(|&t| {
        tile_of(grid, t).map_or(i64::MAX, |r| {
            i64::from(r.x) * i64::from(dx) + i64::from(r.y) * i64::from(dy)
        })
    });
}
