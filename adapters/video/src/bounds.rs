//! The box around what changed inside one tile.
//!
//! A typed character changes about 6×13 pixels of a 64×64 tile; sending the
//! whole tile costs ~50 times the pixels and, once compressed, ten times the
//! bytes. So a changed tile is narrowed to the smallest rectangle that holds
//! every changed pixel before it is encoded.
//!
//! The search stops at the first difference from each side, so a tile that
//! changed everywhere (a photo, a new page) costs one row compare at the top,
//! one at the bottom and one pixel at each end of every row: nothing next to
//! encoding it.

use crate::rect::Rect;
use crate::tiles::row_range;
use crate::BYTES_PER_PIXEL;

/// The smallest rectangle inside `rect` outside which `old` and `new` (two
/// screens `width` pixels wide) are equal, or `None` when nothing changed.
pub(crate) fn changed_box(width: u16, rect: Rect, old: &[u8], new: &[u8]) -> Option<Rect> {
    let row = |dy: u16| {
        let r = row_range(width, rect, dy);
        (old.get(r.clone()), new.get(r))
    };
    let differs = |dy: u16| {
        let (a, b) = row(dy);
        a != b
    };
    let top = (0..rect.h).find(|&dy| differs(dy))?;
    // `top` differs, so the search from the bottom stops at `top` at the latest.
    let bottom = (top..rect.h).rev().find(|&dy| differs(dy)).unwrap_or(top);

    let (mut left, mut right) = (rect.w, 0u16);
    for dy in top..=bottom {
        let (Some(a), Some(b)) = row(dy) else {
            continue;
        };
        let pixels = || {
            a.chunks_exact(BYTES_PER_PIXEL)
                .zip(b.chunks_exact(BYTES_PER_PIXEL))
        };
        // Only the part outside the box found so far can widen it.
        if let Some(first) = pixels().take(usize::from(left)).position(|(p, q)| p != q) {
            left = first as u16;
        }
        let from = usize::from(right) + 1;
        if let Some(last) = pixels()
            .enumerate()
            .skip(from)
            .rev()
            .find(|(_, (p, q))| p != q)
            .map(|(x, _)| x)
        {
            right = last as u16;
        }
        if left == 0 && right + 1 == rect.w {
            break;
        }
    }
    // A row that differs has at least one differing pixel, so left <= right.
    (left <= right).then(|| {
        Rect::new(
            rect.x + left,
            rect.y + top,
            right - left + 1,
            bottom - top + 1,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn screen(w: u16, h: u16) -> Vec<u8> {
        vec![7; usize::from(w) * usize::from(h) * BYTES_PER_PIXEL]
    }

    fn poke(s: &mut [u8], width: u16, x: u16, y: u16) {
        let at = (usize::from(y) * usize::from(width) + usize::from(x)) * BYTES_PER_PIXEL;
        s[at + 1] ^= 0x55;
    }

    #[test]
    fn nothing_changed_is_none() {
        let s = screen(64, 64);
        assert_eq!(changed_box(64, Rect::new(0, 0, 64, 64), &s, &s), None);
    }

    #[test]
    fn one_glyph_is_its_own_box() {
        let old = screen(128, 64);
        let mut new = old.clone();
        for (x, y) in [(70, 10), (75, 22), (72, 15)] {
            poke(&mut new, 128, x, y);
        }
        assert_eq!(
            changed_box(128, Rect::new(64, 0, 64, 64), &old, &new),
            Some(Rect::new(70, 10, 6, 13))
        );
        // The tile to the left has nothing of it.
        assert_eq!(changed_box(128, Rect::new(0, 0, 64, 64), &old, &new), None);
    }

    proptest! {
        /// The box holds every changed pixel and its edges each hold one.
        #[test]
        fn box_is_tight(points in proptest::collection::vec((0u16..40, 0u16..30), 1..6)) {
            let (w, h) = (40u16, 30u16);
            let old = screen(w, h);
            let mut new = old.clone();
            for &(x, y) in &points {
                poke(&mut new, w, x, y);
            }
            // Poking a pixel twice restores it.
            let changed: Vec<_> = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .filter(|&(x, y)| points.iter().filter(|&&p| p == (x, y)).count() % 2 == 1)
                .collect();
            let got = changed_box(w, Rect::new(0, 0, w, h), &old, &new);
            if changed.is_empty() {
                prop_assert_eq!(got, None);
            } else {
                let x0 = changed.iter().map(|p| p.0).min().unwrap();
                let x1 = changed.iter().map(|p| p.0).max().unwrap();
                let y0 = changed.iter().map(|p| p.1).min().unwrap();
                let y1 = changed.iter().map(|p| p.1).max().unwrap();
                prop_assert_eq!(got, Some(Rect::new(x0, y0, x1 - x0 + 1, y1 - y0 + 1)));
            }
        }
    }
}
