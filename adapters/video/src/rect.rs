//! Rectangles and their bounds arithmetic.

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
}

impl Rect {
    /// A rectangle at (`x`, `y`) of `w`×`h` pixels.
    pub const fn new(x: u16, y: u16, w: u16, h: u16) -> Self {
        Self { x, y, w, h }
    }

    /// Number of pixels. `u32` because 65535² does not fit in a `u16` product
    /// but always fits here.
    pub const fn area(&self) -> u32 {
        self.w as u32 * self.h as u32
    }

    /// The smallest rectangle holding both. Both lie on a screen whose
    /// sides are `u16`s, so the result does too.
    pub fn union(self, other: Rect) -> Rect {
        let x0 = self.x.min(other.x);
        let y0 = self.y.min(other.y);
        let right = |r: Rect| u32::from(r.x) + u32::from(r.w);
        let bottom = |r: Rect| u32::from(r.y) + u32::from(r.h);
        let side = |far: u32, near: u16| u16::try_from(far - u32::from(near)).unwrap_or(u16::MAX);
        Rect::new(
            x0,
            y0,
            side(right(self).max(right(other)), x0),
            side(bottom(self).max(bottom(other)), y0),
        )
    }

    /// The smallest rectangle holding all of `rects`; `None` for none.
    pub fn bounding(rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
        rects.into_iter().reduce(Rect::union)
    }

    /// Whether the rectangle is non-empty and lies entirely within a
    /// `width`×`height` screen. Sums in `u32` so a hostile `x + w` cannot wrap.
    pub(crate) fn fits(&self, width: u16, height: u16) -> bool {
        self.w > 0
            && self.h > 0
            && u32::from(self.x) + u32::from(self.w) <= u32::from(width)
            && u32::from(self.y) + u32::from(self.h) <= u32::from(height)
    }

    /// The part of the rectangle inside a `width`×`height` screen, or `None`
    /// when nothing is left. Damage hints come from the windowing system and
    /// may overhang the screen during a resize, so they are clipped, not
    /// refused.
    pub(crate) fn clip(&self, width: u16, height: u16) -> Option<Rect> {
        let x1 = (u32::from(self.x) + u32::from(self.w)).min(u32::from(width));
        let y1 = (u32::from(self.y) + u32::from(self.h)).min(u32::from(height));
        let (x0, y0) = (u32::from(self.x), u32::from(self.y));
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        // Every value is at most `width`/`height`, which are `u16`s.
        Some(Rect {
            x: self.x,
            y: self.y,
            w: u16::try_from(x1 - x0).ok()?,
            h: u16::try_from(y1 - y0).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Rect;

    #[test]
    fn fits_and_clip() {
        assert!(Rect::new(0, 0, 10, 10).fits(10, 10));
        assert!(!Rect::new(1, 0, 10, 10).fits(10, 10));
        assert!(!Rect::new(0, 0, 0, 10).fits(10, 10));
        assert!(!Rect::new(u16::MAX, 0, u16::MAX, 1).fits(10, 10));
        assert_eq!(
            Rect::new(5, 5, 100, 100).clip(10, 8),
            Some(Rect::new(5, 5, 5, 3))
        );
        assert_eq!(Rect::new(10, 0, 5, 5).clip(10, 10), None);
        assert_eq!(Rect::new(0, 0, 0, 5).clip(10, 10), None);
    }

    #[test]
    fn union_and_bounding() {
        let a = Rect::new(2, 3, 4, 5);
        let b = Rect::new(10, 1, 1, 1);
        assert_eq!(a.union(b), Rect::new(2, 1, 9, 7));
        assert_eq!(b.union(a), a.union(b));
        assert_eq!(Rect::bounding([a, b, a]), Some(a.union(b)));
        assert_eq!(Rect::bounding([]), None);
        let far = Rect::new(u16::MAX - 1, u16::MAX - 1, 1, 1);
        assert_eq!(
            Rect::new(0, 0, 1, 1).union(far),
            Rect::new(0, 0, u16::MAX, u16::MAX)
        );
    }
}
