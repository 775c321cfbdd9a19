//! Encode successive screens, apply the output to a viewer's screen, and
//! check that the viewer sees exactly the source.

mod common;

use beckon_video::{Encoder, EncoderConfig, Rect, Screen};
use common::{apply_all, paint, Paint};
use proptest::prelude::*;

/// How a frame tells the encoder what changed.
#[derive(Debug, Clone, Copy)]
enum Hint {
    /// No hint: compare every tile.
    None,
    /// Exactly the painted rectangles.
    Exact,
    /// The painted rectangles plus some that changed nothing, some of them
    /// overhanging the screen.
    Extra,
}

fn paint_strategy() -> impl Strategy<Value = Paint> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Paint::Solid),
        any::<u32>().prop_map(Paint::Noise),
        any::<u32>().prop_map(Paint::Stripes),
    ]
}

fn rect_strategy() -> impl Strategy<Value = Rect> {
    (0u16..200, 0u16..140, 1u16..90, 1u16..90).prop_map(|(x, y, w, h)| Rect::new(x, y, w, h))
}

fn hint_strategy() -> impl Strategy<Value = Hint> {
    prop_oneof![Just(Hint::None), Just(Hint::Exact), Just(Hint::Extra)]
}

type Frame = (Vec<(Rect, Paint)>, Hint, Vec<Rect>);

fn frame_strategy() -> impl Strategy<Value = Frame> {
    (
        prop::collection::vec((rect_strategy(), paint_strategy()), 0..5),
        hint_strategy(),
        prop::collection::vec(rect_strategy(), 0..3),
    )
}

/// Run `frames` through an encoder and a screen, checking after each frame.
fn run(
    width: u16,
    height: u16,
    tile: u16,
    base: Paint,
    frames: &[Frame],
) -> Result<(), TestCaseError> {
    let mut encoder = Encoder::new(EncoderConfig { tile });
    let mut screen = Screen::new(width, height);
    let mut pixels = vec![0; usize::from(width) * usize::from(height) * 4];
    paint(
        &mut pixels,
        width,
        height,
        Rect::new(0, 0, width, height),
        base,
    );

    let first = encoder.encode(width, height, &pixels, None).unwrap();
    let tiles = u32::from(width.div_ceil(tile)) * u32::from(height.div_ceil(tile));
    // The first call sends every pixel, once.
    let mut covered = vec![0u8; usize::from(width) * usize::from(height)];
    for r in &first {
        let inside = r.rect.w > 0
            && r.rect.h > 0
            && u32::from(r.rect.x) + u32::from(r.rect.w) <= u32::from(width)
            && u32::from(r.rect.y) + u32::from(r.rect.h) <= u32::from(height);
        prop_assert!(inside, "{:?} outside", r.rect);
        for y in r.rect.y..r.rect.y + r.rect.h {
            for x in r.rect.x..r.rect.x + r.rect.w {
                covered[usize::from(y) * usize::from(width) + usize::from(x)] += 1;
            }
        }
    }
    prop_assert!(
        covered.iter().all(|&c| c == 1),
        "the first call sends every pixel once"
    );
    apply_all(&mut screen, &first);
    prop_assert!(screen.pixels() == &pixels[..]);

    for (changes, hint, extra) in frames {
        for &(rect, p) in changes {
            paint(&mut pixels, width, height, rect, p);
        }
        let mut damage: Vec<Rect> = changes.iter().map(|c| c.0).collect();
        damage.extend(extra);
        let damage = match hint {
            Hint::None => None,
            Hint::Exact => Some(&damage[..changes.len()]),
            Hint::Extra => Some(&damage[..]),
        };
        let rects = encoder.encode(width, height, &pixels, damage).unwrap();
        let stats = encoder.last_stats();
        prop_assert_eq!(stats.tiles_sent as usize, rects.len());
        prop_assert_eq!(
            stats.bytes,
            rects.iter().map(|r| r.data.len() as u64).sum::<u64>()
        );
        prop_assert!(stats.tiles_compared <= tiles);
        apply_all(&mut screen, &rects);
        prop_assert!(
            screen.pixels() == &pixels[..],
            "viewer differs after {:?}",
            hint
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn viewer_sees_the_source(
        width in 1u16..200,
        height in 1u16..140,
        tile in prop_oneof![Just(64u16), 1u16..48],
        base in paint_strategy(),
        frames in prop::collection::vec(frame_strategy(), 1..6),
    ) {
        run(width, height, tile, base, &frames)?;
    }

    #[test]
    fn viewer_sees_the_source_at_130x67(
        base in paint_strategy(),
        frames in prop::collection::vec(frame_strategy(), 1..6),
    ) {
        run(130, 67, 64, base, &frames)?;
    }
}

/// A new screen size mid-stream: the encoder sends everything again and the
/// viewer, resized, ends up equal.
#[test]
fn resize_mid_stream() {
    let mut encoder = Encoder::new(EncoderConfig::default());
    let mut screen = Screen::new(130, 67);
    let mut pixels = vec![0; 130 * 67 * 4];
    paint(
        &mut pixels,
        130,
        67,
        Rect::new(0, 0, 130, 67),
        Paint::Stripes(7),
    );
    apply_all(
        &mut screen,
        &encoder.encode(130, 67, &pixels, None).unwrap(),
    );
    assert_eq!(screen.pixels(), &pixels[..]);

    let mut pixels = vec![0; 70 * 150 * 4];
    paint(
        &mut pixels,
        70,
        150,
        Rect::new(0, 0, 70, 150),
        Paint::Noise(3),
    );
    let rects = encoder.encode(70, 150, &pixels, Some(&[])).unwrap();
    assert_eq!(
        rects.len(),
        2 * 3,
        "a new size sends every tile despite the hint"
    );
    screen.resize(70, 150);
    apply_all(&mut screen, &rects);
    assert_eq!(screen.pixels(), &pixels[..]);
}
