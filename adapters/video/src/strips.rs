//! Pixel-precise copies: runs of rows that moved, wherever the tiles are.
//!
//! A terminal's text area rarely lines up with the tiles: when `less`
//! scrolls a line, the tiles along the window's border, the newly exposed
//! line and the status line each hold some moved text and something else, so
//! none of them equals the previous screen at the vector and whole-tile
//! copies ([`scroll`](crate::scroll)) miss them. Rows do not have that
//! problem: over the columns that changed, every row of the scrolled text
//! equals a row of the previous screen at the vector, and the border, the
//! new line and the status line do not. So this module compares whole rows
//! of the changed area and sends each long enough run of matching rows as
//! one copy; what is left (the new line, the status line) is found by the
//! usual tile comparison against the screen as those copies leave it.

use crate::bounds;
use crate::rect::Rect;
use crate::scroll::Vector;
use crate::tiles::{self, Grid};

/// Fewest rows a run must have to become a copy. Shorter runs are mostly
/// coincidences (the blank rows between two lines of unrelated text): a copy
/// of them would only cut the pixels around them into more rectangles.
pub(crate) const MIN_RUN: u16 = 8;

/// The areas in which rows are compared: for each run of neighbouring tile
/// columns that hold changed tiles, the box around the pixels that changed
/// there (so a window border or a desktop beside the text, which did not
/// change, does not stop rows from matching).
///
/// Runs of columns are kept apart because with a vertical vector a copy
/// stays within its columns, so one window scrolling does not have to match
/// across another part of the screen that changed for another reason (a
/// clock in a panel).
pub(crate) fn spans(grid: &Grid, previous: &[u8], current: &[u8], changed: &[usize]) -> Vec<Rect> {
    let cols = usize::from(grid.cols.max(1));
    // Per tile column: the first and last tile row with a change.
    let mut rows: Vec<Option<(usize, usize)>> = vec![None; cols];
    for &t in changed {
        if let Some(r) = rows.get_mut(t % cols) {
            let row = t / cols;
            *r = Some(r.map_or((row, row), |(a, b)| (a.min(row), b.max(row))));
        }
    }
    let mut out = Vec::new();
    let mut col = 0;
    while col < cols {
        let Some((mut r0, mut r1)) = rows.get(col).copied().flatten() else {
            col += 1;
            continue;
        };
        let first = col;
        while let Some(Some((a, b))) = rows.get(col + 1) {
            (r0, r1) = (r0.min(*a), r1.max(*b));
            col += 1;
        }
        let (Ok(c0), Ok(c1), Ok(r0), Ok(r1)) = (
            u16::try_from(first),
            u16::try_from(col),
            u16::try_from(r0),
            u16::try_from(r1),
        ) else {
            break;
        };
        let (a, b) = (grid.tile_rect(c0, r0), grid.tile_rect(c1, r1));
        let area = Rect::new(a.x, a.y, b.x + b.w - a.x, b.y + b.h - a.y);
        out.extend(bounds::changed_box(grid.width, area, previous, current));
        col += 1;
    }
    out
}

/// The copies with vector `v` inside `spans` (disjoint in columns when `v`
/// is vertical, else one span): in each span, the maximal runs of at least
/// [`MIN_RUN`] rows whose pixels (over the span's columns) equal the
/// previous screen's at the vector, with exact sources only (`exact(tile)`
/// says the viewer has that tile exactly), trimmed of rows that did not
/// change at all.
///
/// Returned in the order they must be applied: in one span the runs are
/// disjoint rows of the same columns, and sorted along the vector none reads
/// rows an earlier one wrote (a run's source lies further along the vector
/// than the run itself, so past every run before it); a run overlapping its
/// own source is the decoder's `move_rect`. Spans of a vertical vector share
/// no columns, so their copies never touch each other's pixels.
pub(crate) fn find(
    grid: &Grid,
    previous: &[u8],
    current: &[u8],
    spans: &[Rect],
    v: Vector,
    exact: &impl Fn(usize) -> bool,
) -> Vec<Rect> {
    let (width, height) = (i64::from(grid.width), i64::from(grid.height));
    let (dx, dy) = (i64::from(v.0), i64::from(v.1));
    let tile = i64::from(grid.tile.max(1));
    let mut out = Vec::new();
    for span in spans {
        // Only the columns whose source is on the screen.
        let x0 = i64::from(span.x).max(-dx);
        let x1 = (i64::from(span.x) + i64::from(span.w)).min(width - dx);
        let (Ok(x), Ok(sx), Ok(w)) = (
            u16::try_from(x0),
            u16::try_from(x0 + dx),
            u16::try_from(x1 - x0),
        ) else {
            continue;
        };
        if w == 0 {
            continue;
        }
        // Per tile row: whether the viewer has every tile the source columns
        // cross there exactly.
        let (c0, c1) = (
            i64::from(sx) / tile,
            (i64::from(sx) + i64::from(w) - 1) / tile,
        );
        let exact_rows: Vec<bool> = (0..i64::from(grid.rows))
            .map(|r| {
                (c0..=c1).all(|c| usize::try_from(r * i64::from(grid.cols) + c).is_ok_and(exact))
            })
            .collect();
        let row = |x: u16, y: u16| tiles::row_range(grid.width, Rect::new(x, y, w, 1), 0);
        let moved = |y: u16| {
            let sy = i64::from(y) + dy;
            let Ok(sy16) = u16::try_from(sy) else {
                return false;
            };
            let exact = usize::try_from(sy / tile)
                .ok()
                .and_then(|r| exact_rows.get(r))
                .copied()
                .unwrap_or(false);
            let now = current.get(row(x, y));
            sy < height && exact && now.is_some() && now == previous.get(row(sx, sy16))
        };
        let unchanged = |y: u16| current.get(row(x, y)) == previous.get(row(x, y));

        let end = span.y + span.h;
        let mut y = span.y;
        while y < end {
            if !moved(y) {
                y += 1;
                continue;
            }
            let start = y;
            while y < end && moved(y) {
                y += 1;
            }
            if y - start < MIN_RUN {
                continue;
            }
            // Rows at either end that were already right need no copy.
            let (mut a, mut b) = (start, y);
            while a < b && unchanged(a) {
                a += 1;
            }
            while b > a && unchanged(b - 1) {
                b -= 1;
            }
            if a < b {
                out.push(Rect::new(x, a, w, b - a));
            }
        }
    }
    // Stable: with a horizontal vector runs in one span read only their own
    // rows and keep any order.
    out.sort_by_key(|r| i64::from(r.y) * dy);
    out
}

/// Add to `covered` (per tile of `grid`) the pixels of `rect` in each tile.
pub(crate) fn cover(grid: &Grid, rect: Rect, covered: &mut [u32]) {
    let t = u32::from(grid.tile.max(1));
    let (x0, y0) = (u32::from(rect.x), u32::from(rect.y));
    let (x1, y1) = (x0 + u32::from(rect.w), y0 + u32::from(rect.h));
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    for row in y0 / t..=(y1 - 1) / t {
        let h = y1.min((row + 1) * t) - y0.max(row * t);
        for col in x0 / t..=(x1 - 1) / t {
            let w = x1.min((col + 1) * t) - x0.max(col * t);
            let index = row as usize * usize::from(grid.cols) + col as usize;
            if let Some(c) = covered.get_mut(index) {
                *c += w * h;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BYTES_PER_PIXEL;

    /// A `w`×`h` screen whose pixel (`x`, `y`) has red `f(x, y)`.
    fn screen(w: u16, h: u16, f: impl Fn(u16, u16) -> u8) -> Vec<u8> {
        let mut s = Vec::with_capacity(usize::from(w) * usize::from(h) * BYTES_PER_PIXEL);
        for y in 0..h {
            for x in 0..w {
                s.extend_from_slice(&[f(x, y), 0, 0, 255]);
            }
        }
        s
    }

    #[test]
    fn a_scrolled_area_off_the_tiles_is_one_run() {
        let (w, h) = (200u16, 150u16);
        let grid = Grid::new(w, h, 64);
        // Text at x 5..105, y 7..127 scrolled up by 13; a border around it.
        let text = |x: u16, y: u16| (x as u8).wrapping_mul(7) ^ (y as u8).wrapping_mul(29);
        let inside = |x: u16, y: u16| (5..105).contains(&x) && (7..127).contains(&y);
        let old = screen(w, h, |x, y| if inside(x, y) { text(x, y) } else { 1 });
        let new = screen(w, h, |x, y| if inside(x, y) { text(x, y + 13) } else { 1 });
        let changed: Vec<usize> = (0..grid.len()).collect();
        let spans = spans(&grid, &old, &new, &changed);
        assert_eq!(spans, [Rect::new(5, 7, 100, 120)]);
        let runs = find(&grid, &old, &new, &spans, (0, 13), &|_| true);
        // The last 13 rows are new text: they are left to the pixels.
        assert_eq!(runs, [Rect::new(5, 7, 100, 107)]);
        // A lossy source tile (y 64..128 on the left) is never read.
        let runs = find(&grid, &old, &new, &spans, (0, 13), &|t| t != 4);
        assert_eq!(runs, [Rect::new(5, 7, 100, 64 - 13 - 7)]);
    }
}
