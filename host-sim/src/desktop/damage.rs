//! Damage tracking: which parts of the screen changed, merged and clipped.

use super::geometry::Rect;

/// A changed region of the screen, in pixels, always inside the screen and
/// never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DamageRect {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width, at least 1.
    pub w: u16,
    /// Height, at least 1.
    pub h: u16,
}

impl DamageRect {
    /// Whether the pixel `(x, y)` lies inside.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        x >= self.x
            && y >= self.y
            && u32::from(x) < u32::from(self.x) + u32::from(self.w)
            && u32::from(y) < u32::from(self.y) + u32::from(self.h)
    }

    /// Number of pixels covered.
    pub fn area(&self) -> u32 {
        u32::from(self.w) * u32::from(self.h)
    }
}

/// Most rectangles kept before the closest ones are merged.
const MAX_RECTS: usize = 24;

/// A set of screen regions. Overlapping or touching rectangles, and those
/// whose bounding box wastes little, are merged as they are added.
#[derive(Debug, Clone)]
pub(crate) struct DamageSet {
    screen: Rect,
    rects: Vec<Rect>,
}

impl DamageSet {
    pub fn new(screen: Rect) -> DamageSet {
        DamageSet {
            screen,
            rects: Vec::new(),
        }
    }

    pub fn add(&mut self, rect: Rect) {
        let mut r = rect.intersect(&self.screen);
        if r.is_empty() {
            return;
        }
        // Merge with everything it touches or nearly fills a box with.
        loop {
            let found = self.rects.iter().position(|o| worth_merging(o, &r));
            match found {
                Some(i) => {
                    let o = self.rects.swap_remove(i);
                    r = r.union(&o);
                }
                None => break,
            }
        }
        self.rects.push(r);
        while self.rects.len() > MAX_RECTS {
            self.merge_cheapest_pair();
        }
    }

    /// Takes the rectangles out, sorted top to bottom, left to right.
    pub fn take(&mut self) -> Vec<Rect> {
        let mut out = core::mem::take(&mut self.rects);
        out.sort_by_key(|r| (r.y, r.x, r.h, r.w));
        out
    }

    fn merge_cheapest_pair(&mut self) {
        let mut best: Option<(i64, usize, usize)> = None;
        for i in 0..self.rects.len() {
            for j in i + 1..self.rects.len() {
                let (a, b) = (&self.rects[i], &self.rects[j]);
                let waste = a.union(b).area() - a.area() - b.area();
                if best.is_none_or(|(w, _, _)| waste < w) {
                    best = Some((waste, i, j));
                }
            }
        }
        if let Some((_, i, j)) = best {
            let b = self.rects.swap_remove(j);
            let a = self.rects.swap_remove(i);
            self.add(a.union(&b));
        }
    }
}

/// Overlapping rectangles always merge; others merge when their bounding box
/// is at most a little larger than the two together (neighbours, a caret next
/// to its line).
fn worth_merging(a: &Rect, b: &Rect) -> bool {
    if a.intersects(b) {
        return true;
    }
    let sum = a.area() + b.area();
    a.union(b).area() <= sum + (sum / 4).max(256)
}

impl Rect {
    pub(crate) fn to_damage(self) -> Option<DamageRect> {
        if self.is_empty() || self.x < 0 || self.y < 0 {
            return None;
        }
        Some(DamageRect {
            x: u16::try_from(self.x).ok()?,
            y: u16::try_from(self.y).ok()?,
            w: u16::try_from(self.w).ok()?,
            h: u16::try_from(self.h).ok()?,
        })
    }
}

/// Damage is what the encoder compares first.
impl From<DamageRect> for beckon_video::Rect {
    fn from(d: DamageRect) -> Self {
        beckon_video::Rect {
            x: d.x,
            y: d.y,
            w: d.w,
            h: d.h,
        }
    }
}
