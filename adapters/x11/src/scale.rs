//! Pointer units (`0..=POINTER_MAX` across the screen) ↔ pixels, rounding to
//! the nearest, the same way the simulated desktop does.

use beckon_core::message::POINTER_MAX;

/// An absolute pointer coordinate on a screen `size` pixels wide (or high).
pub(crate) fn abs_to_px(v: u16, size: u16) -> u16 {
    let span = u32::from(size.max(1) - 1);
    let max = u32::from(POINTER_MAX);
    let v = u32::from(v.min(POINTER_MAX));
    // At most `span`, which is a `u16`.
    u16::try_from((v * span + max / 2) / max).unwrap_or(u16::MAX)
}

/// The pointer coordinate nearest to pixel `p` of `size`, which maps back to
/// the same pixel.
pub(crate) fn px_to_abs(p: u16, size: u16) -> u16 {
    let span = u32::from(size.max(1) - 1);
    if span == 0 {
        return 0;
    }
    let max = u32::from(POINTER_MAX);
    let p = u32::from(p).min(span);
    u16::try_from((p * max + span / 2) / span).unwrap_or(POINTER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_centre_and_round_trip() {
        assert_eq!(abs_to_px(0, 1024), 0);
        assert_eq!(abs_to_px(POINTER_MAX, 1024), 1023);
        assert_eq!(abs_to_px(POINTER_MAX / 2, 1024), 511);
        assert_eq!(abs_to_px(u16::MAX, 768), 767);
        assert_eq!(abs_to_px(5, 1), 0);
        for p in 0..1024 {
            assert_eq!(abs_to_px(px_to_abs(p, 1024), 1024), p);
        }
        assert_eq!(px_to_abs(0, 1), 0);
    }
}
