//! The H.264 path for a region in full motion: what goes as H.264 and when,
//! the round trip through a viewer's screen, key pictures after the encoder
//! forgot, the console's standalone rectangles, and the decoder on hostile
//! bytes. The tests that need OpenH264 run only with the `h264` feature
//! (`cargo test -p beckon-video --features h264`); the others check that
//! nothing goes as H.264 when it may not.

mod common;

use beckon_video::{EncodedRect, Encoder, EncoderConfig, Encoding, Rect, Screen};
use common::{apply_all, paint, solid_screen, Paint};

const W: u16 = 640;
const H: u16 = 480;
/// Where the "video" plays: 5 by 4 tiles of 64.
const REGION: Rect = Rect::new(128, 64, 320, 256);

/// Frame `i`: a plain desktop, a line of text that never changes, and a
/// photograph-like picture that changes in every frame.
fn frame(i: u32) -> Vec<u8> {
    let mut px = solid_screen(W, H, [30, 40, 60, 255]);
    paint(&mut px, W, H, Rect::new(0, 416, W, 64), Paint::Glyphs(7));
    paint(&mut px, W, H, REGION, Paint::Photo(i * 5));
    px
}

fn encoder(h264: bool) -> Encoder {
    let mut enc = Encoder::new(EncoderConfig::default());
    enc.set_lossy_quality(Some(85));
    enc.set_h264(h264);
    enc
}

/// Encode frames `from..to` into `screen` while the screen keeps changing
/// (no exact re-sends); returns every frame's rectangles.
fn play(
    enc: &mut Encoder,
    screen: &mut Screen,
    frames: std::ops::Range<u32>,
) -> Vec<Vec<EncodedRect>> {
    enc.set_refine(false);
    frames
        .map(|i| {
            let rects = enc.encode(W, H, &frame(i), None).expect("encode");
            apply_all(screen, &rects);
            rects
        })
        .collect()
}

fn h264_rects(frames: &[Vec<EncodedRect>]) -> Vec<&EncodedRect> {
    frames
        .iter()
        .flatten()
        .filter(|r| r.encoding == Encoding::H264)
        .collect()
}

#[test]
fn nothing_goes_as_h264_unless_allowed_and_built_in() {
    // Not allowed: never, whatever the build.
    let mut enc = encoder(false);
    let mut screen = Screen::new(W, H);
    let frames = play(&mut enc, &mut screen, 0..20);
    assert!(h264_rects(&frames).is_empty());
    assert!(frames
        .iter()
        .flatten()
        .any(|r| r.encoding == Encoding::Jpeg));

    // Allowed, but lossless only: never.
    let mut enc = Encoder::new(EncoderConfig::default());
    assert_eq!(enc.set_h264(true), beckon_video::H264);
    let mut screen = Screen::new(W, H);
    assert!(h264_rects(&play(&mut enc, &mut screen, 0..20)).is_empty());

    // Allowed with loss: only in a build that has H.264.
    let mut enc = encoder(true);
    let mut screen = Screen::new(W, H);
    let sent = !h264_rects(&play(&mut enc, &mut screen, 0..20)).is_empty();
    assert_eq!(sent, beckon_video::H264);
}

#[cfg(not(feature = "h264"))]
#[test]
fn without_the_feature_h264_is_unsupported() {
    let mut screen = Screen::new(64, 64);
    assert_eq!(
        screen.apply(Rect::new(0, 0, 16, 16), Encoding::H264, &[0, 0, 0, 1, 0x65]),
        Err(beckon_video::DecodeError::Unsupported(Encoding::H264))
    );
}

#[cfg(feature = "h264")]
mod with_h264 {
    use super::*;
    use proptest::prelude::*;

    /// Whether an access unit holds an IDR slice (NAL type 5).
    fn is_idr(data: &[u8]) -> bool {
        data.windows(4)
            .any(|w| w[..3] == [0, 0, 1] && w[3] & 0x1f == 5)
    }

    /// Peak signal-to-noise ratio of `rect` between two screens, RGB.
    fn psnr(a: &[u8], b: &[u8], rect: Rect) -> f64 {
        let mut sum = 0f64;
        for y in rect.y..rect.y + rect.h {
            for x in rect.x..rect.x + rect.w {
                let i = (usize::from(y) * usize::from(W) + usize::from(x)) * 4;
                for c in 0..3 {
                    let d = f64::from(a[i + c]) - f64::from(b[i + c]);
                    sum += d * d;
                }
            }
        }
        let mse = sum / (f64::from(rect.w) * f64::from(rect.h) * 3.0);
        10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
    }

    #[test]
    fn a_moving_picture_goes_as_h264_and_is_exact_again_at_rest() {
        let mut enc = encoder(true);
        let mut screen = Screen::new(W, H);
        let frames = play(&mut enc, &mut screen, 0..30);
        let h264 = h264_rects(&frames);
        // Found by measuring within a few frames, then every frame.
        assert!(h264.len() >= 25, "only {} H.264 frames", h264.len());
        assert!(
            h264.iter().all(|r| r.rect == REGION),
            "region {:?}",
            h264[0].rect
        );
        assert!(
            is_idr(&h264[0].data),
            "the first picture is not a key picture"
        );
        assert!(
            h264[1..].iter().all(|r| !is_idr(&r.data)),
            "a key picture mid-stream"
        );
        // The text below the region never goes again, and never as H.264.
        assert!(frames[1..]
            .iter()
            .flatten()
            .all(|r| r.rect.y + r.rect.h <= 416));
        let quality = psnr(screen.pixels(), &frame(29), REGION);
        assert!(quality > 32.0, "PSNR {quality:.1} dB");
        // Smaller than the same frames as JPEG tiles.
        let mut jpeg = encoder(false);
        let mut other = Screen::new(W, H);
        let jpeg_frames = play(&mut jpeg, &mut other, 0..30);
        let bytes = |f: &[Vec<EncodedRect>]| -> usize {
            f[10..].iter().flatten().map(|r| r.data.len()).sum()
        };
        assert!(
            bytes(&frames) < bytes(&jpeg_frames),
            "H.264 {} B, JPEG {} B",
            bytes(&frames),
            bytes(&jpeg_frames)
        );

        // At rest, with exact re-sends allowed: exact again, and the region
        // is dropped, so the next motion starts with a key picture.
        enc.set_refine(true);
        let rest = enc.encode(W, H, &frame(29), None).expect("encode");
        apply_all(&mut screen, &rest);
        assert!(rest.iter().all(|r| r.encoding != Encoding::H264));
        assert_eq!(screen.pixels(), frame(29).as_slice());
        assert!(!enc.has_lossy_tiles());
        let again = play(&mut enc, &mut screen, 30..40);
        let h264 = h264_rects(&again);
        assert!(!h264.is_empty());
        assert!(is_idr(&h264[0].data));
    }

    #[test]
    fn a_frame_never_sent_leads_to_a_key_picture() {
        let mut enc = encoder(true);
        let mut screen = Screen::new(W, H);
        let frames = play(&mut enc, &mut screen, 0..10);
        assert!(h264_rects(&frames).len() >= 5);
        // Frame 10 is encoded, but the driver could not send it.
        let lost = enc.encode(W, H, &frame(10), None).expect("encode");
        assert!(lost.iter().any(|r| r.encoding == Encoding::H264));
        enc.refresh();
        // Everything again, then the region's stream from a key picture,
        // which the viewer (that never saw frame 10) decodes.
        let frames = play(&mut enc, &mut screen, 11..14);
        let h264 = h264_rects(&frames);
        assert!(!h264.is_empty(), "the region was forgotten");
        assert!(is_idr(&h264[0].data), "no key picture after a lost frame");
        let quality = psnr(screen.pixels(), &frame(13), REGION);
        assert!(quality > 32.0, "PSNR {quality:.1} dB");
    }

    #[test]
    fn a_viewer_without_the_key_picture_refuses_later_pictures() {
        let mut enc = encoder(true);
        let mut screen = Screen::new(W, H);
        play(&mut enc, &mut screen, 0..10);
        // A copy of the screen has the pixels but not the decoder's state
        // (a viewer that joined late): it must wait for a key picture
        // instead of decoding against pictures it never had.
        let mut late = screen.clone();
        let next = enc.encode(W, H, &frame(10), None).expect("encode");
        let rect = next
            .iter()
            .find(|r| r.encoding == Encoding::H264)
            .expect("H.264");
        assert!(!is_idr(&rect.data));
        let before = late.clone();
        assert_eq!(
            late.apply(rect.rect, rect.encoding, &rect.data),
            Err(beckon_video::DecodeError::BadH264)
        );
        assert_eq!(late, before);
        // The viewer that had every picture decodes it.
        apply_all(&mut screen, &next);
    }

    #[test]
    fn the_console_gets_h264_as_standalone_pictures() {
        let mut enc = encoder(true);
        let mut screen = Screen::new(W, H);
        let mut console = Screen::new(W, H);
        for i in 0..15 {
            let rects = enc.encode(W, H, &frame(i), None).expect("encode");
            screen.begin_frame();
            console.begin_frame();
            for r in rects {
                screen.apply(r.rect, r.encoding, &r.data).expect("apply");
                let (encoding, data) = screen.standalone(r.rect, r.encoding, r.data);
                assert_ne!(encoding, Encoding::H264);
                console.apply(r.rect, encoding, &data).expect("standalone");
            }
        }
        let quality = psnr(console.pixels(), screen.pixels(), REGION);
        assert!(quality > 32.0, "PSNR {quality:.1} dB");
    }

    #[test]
    fn quality_levels_change_the_size() {
        let sizes: Vec<usize> = [85u8, 40]
            .iter()
            .map(|&q| {
                let mut enc = encoder(true);
                enc.set_lossy_quality(Some(q));
                let mut screen = Screen::new(W, H);
                let frames = play(&mut enc, &mut screen, 0..20);
                h264_rects(&frames).iter().map(|r| r.data.len()).sum()
            })
            .collect();
        assert!(sizes[1] < sizes[0], "{sizes:?}");
    }

    /// One key picture of the region, for mutation.
    fn key_picture() -> &'static EncodedRect {
        static KEY: std::sync::OnceLock<EncodedRect> = std::sync::OnceLock::new();
        KEY.get_or_init(|| {
            let mut enc = encoder(true);
            let mut screen = Screen::new(W, H);
            let frames = play(&mut enc, &mut screen, 0..6);
            h264_rects(&frames)[0].clone()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512),
                                       x in 0u16..80, y in 0u16..60, w in 0u16..90, h in 0u16..70) {
            let mut screen = Screen::new(64, 48);
            let before = screen.clone();
            if screen.apply(Rect::new(x, y, w, h), Encoding::H264, &data).is_err() {
                prop_assert_eq!(screen, before);
            }
        }

        #[test]
        fn a_damaged_key_picture_never_panics(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                              cut in any::<usize>()) {
            let key = key_picture();
            let mut data = key.data.clone();
            for (at, x) in flips {
                let n = data.len();
                data[at % n] ^= x;
            }
            data.truncate(cut % (data.len() + 1));
            let mut screen = Screen::new(W, H);
            let before = screen.clone();
            if screen.apply(key.rect, Encoding::H264, &data).is_err() {
                prop_assert_eq!(screen, before);
            }
        }
    }
}
