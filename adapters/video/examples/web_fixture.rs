//! Writes the web frames that `cargo xtask bench-web` times in a browser:
//!
//! ```text
//! cargo run -p beckon-video --release --example web_fixture -- OUTDIR
//! ```
//!
//! Each fixture is a pair of messages for a 1920×1080 screen: `NAME.base.bin`
//! puts the screen in a known state and `NAME.bin` is the update that is
//! timed, so applying them in turn makes every timed run a real change.
//! `fixtures.json` lists them, each with a fingerprint (FNV-1a) of the
//! screen this crate's decoder shows after both, which the browser's canvas
//! must match. The pictures are drawn here, procedurally: a
//! photograph-like landscape (gradients, grain, hard edges) and a desktop
//! with an editor full of anti-aliased, syntax-coloured text.

use std::error::Error;
use std::path::PathBuf;

use beckon_video::webframe::{self, WebFrameWriter};
use beckon_video::{EncodedRect, Encoder, EncoderConfig, Encoding, Screen};

const W: u16 = 1920;
const H: u16 = 1080;
/// The quality the best rung of the quality ladder asks for.
const JPEG_QUALITY: u8 = 85;

/// Text cells, in pixels.
const CELL_W: usize = 8;
const CELL_H: usize = 16;
/// The editor's text area: left edge, top edge, columns, rows.
const EDITOR: (usize, usize, usize, usize) = (260, 90, 200, 58);

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: web_fixture OUTDIR")?);
    std::fs::create_dir_all(&out)?;

    // A dark grey screen: the base that the full changes replace.
    let black = [24, 24, 24, 255].repeat(usize::from(W) * usize::from(H));
    let photo = photo(W, H);
    let text = desktop(W, H);
    let mut typed = text.clone();
    type_char(&mut typed);

    let fixtures = [
        ("photo_lossless", full(&black, None), full(&photo, None)),
        (
            "photo_jpeg",
            full(&black, None),
            full(&photo, Some(JPEG_QUALITY)),
        ),
        ("text_full", full(&black, None), full(&text, None)),
        ("typing", full(&text, None), change(&text, &typed)),
    ];
    let mut list = Vec::new();
    for (name, (base, _), (frame, rects)) in &fixtures {
        std::fs::write(out.join(format!("{name}.base.bin")), base)?;
        std::fs::write(out.join(format!("{name}.bin")), frame)?;
        println!("{name}: {} bytes, {}", frame.len(), summary(rects));
        let mut screen = Screen::new(1, 1);
        webframe::apply(&mut screen, base)?;
        webframe::apply(&mut screen, frame)?;
        let fnv = fnv1a(screen.pixels());
        list.push(format!(
            "{{\"name\":\"{name}\",\"frame\":\"{name}.bin\",\"base\":\"{name}.base.bin\",\"fnv1a\":{fnv}}}"
        ));
    }
    std::fs::write(
        out.join("fixtures.json"),
        format!("[\n{}\n]\n", list.join(",\n")),
    )?;
    Ok(())
}

/// The whole of `pixels` as the first frame of a fresh encoder.
fn full(pixels: &[u8], jpeg: Option<u8>) -> (Vec<u8>, Vec<EncodedRect>) {
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(jpeg);
    pack(&mut encoder, pixels)
}

/// The update from `before` to `after`.
fn change(before: &[u8], after: &[u8]) -> (Vec<u8>, Vec<EncodedRect>) {
    let mut encoder = Encoder::new(EncoderConfig::default());
    pack(&mut encoder, before);
    pack(&mut encoder, after)
}

fn pack(encoder: &mut Encoder, pixels: &[u8]) -> (Vec<u8>, Vec<EncodedRect>) {
    // The fixtures are fixed sizes of correct length: an error is a bug here.
    let rects = encoder
        .encode(W, H, pixels, None)
        .unwrap_or_else(|e| panic!("encode: {e}"));
    let mut writer = WebFrameWriter::begin(W, H);
    writer.rects(&rects).unwrap_or_else(|e| panic!("pack: {e}"));
    writer.cursor(EDITOR.0 as u16, EDITOR.1 as u16);
    (writer.finish(), rects)
}

/// FNV-1a, 32 bits: the same fingerprint `bench/page.js` takes of the canvas.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// How many rectangles of each encoding.
fn summary(rects: &[EncodedRect]) -> String {
    let kinds = [
        Encoding::Raw,
        Encoding::Solid,
        Encoding::Copy,
        Encoding::Palette,
        Encoding::Lz4,
        Encoding::Jpeg,
    ];
    kinds
        .iter()
        .filter_map(|k| {
            let n = rects.iter().filter(|r| r.encoding == *k).count();
            (n > 0).then(|| format!("{k:?} {n}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Deterministic noise without a dependency.
struct XorShift(u32);

impl XorShift {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// A landscape: a sky with a sun, rolling hills, a row of buildings with
/// windows, all with a camera's grain, so lossless encoders do poorly and
/// JPEG well, as on a real photograph.
fn photo(w: u16, h: u16) -> Vec<u8> {
    let (w, h) = (usize::from(w), usize::from(h));
    let mut rng = XorShift(0x2545_F491);
    let mut px = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32, y as f32);
            let hill = 0.62 * h as f32 + 55.0 * (fx / 210.0).sin() + 25.0 * (fx / 67.0 + 1.3).sin();
            let building = (x / 90) % 3 != 0 && fy > 0.45 * h as f32 + ((x / 90) % 5) as f32 * 30.0;
            let mut c = if fy > hill {
                // Grass, darker towards the bottom, with stripes of texture.
                let t = (fy - hill) / h as f32;
                [
                    60.0 - 30.0 * t,
                    130.0 - 60.0 * t + 12.0 * (fx / 9.0 + fy / 5.0).sin(),
                    40.0,
                ]
            } else if building {
                let window = x % 90 > 20 && x % 22 < 12 && y % 40 < 22;
                let shade = 90.0 + 40.0 * ((x % 90) as f32 / 90.0);
                if window {
                    [230.0, 210.0, 140.0]
                } else {
                    [shade, shade * 0.9, shade * 0.85]
                }
            } else {
                // Sky: a vertical gradient and a sun's glow.
                let t = fy / h as f32;
                let (dx, dy) = (fx - 1500.0, fy - 180.0);
                let glow = (1.0 - (dx * dx + dy * dy).sqrt() / 500.0).max(0.0);
                [
                    70.0 + 80.0 * t + 180.0 * glow,
                    130.0 + 60.0 * t + 150.0 * glow,
                    230.0 - 40.0 * t + 20.0 * glow,
                ]
            };
            let grain = (rng.next() % 17) as f32 - 8.0;
            for v in &mut c {
                *v = (*v + grain).clamp(0.0, 255.0);
            }
            px.extend_from_slice(&[c[0] as u8, c[1] as u8, c[2] as u8, 255]);
        }
    }
    px
}

/// A desktop: a gradient background, a side panel, and an editor window
/// with a title bar and a screenful of coloured code.
fn desktop(w: u16, h: u16) -> Vec<u8> {
    let (w, h) = (usize::from(w), usize::from(h));
    let mut px = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let c = if x < 240 {
                [40, 44, 52, 255]
            } else if y < 60 {
                [30 + (y / 4) as u8, 60, 110, 255]
            } else if y < 88 {
                [60, 63, 70, 255]
            } else {
                [250, 250, 248, 255]
            };
            px.extend_from_slice(&c);
        }
    }
    let mut rng = XorShift(0x9E37_79B9);
    // The side panel: a file list in light grey.
    for row in 0..60 {
        let len = 8 + (rng.next() % 18) as usize;
        for col in 0..len {
            let code = rng.next();
            glyph(
                &mut px,
                w,
                12 + col * CELL_W,
                70 + row * CELL_H,
                code,
                [200, 200, 200],
            );
        }
    }
    // The editor: lines of words in three colours, indented like code.
    let (left, top, cols, rows) = EDITOR;
    const INK: [[u8; 3]; 3] = [[30, 30, 30], [0, 90, 200], [160, 40, 120]];
    for row in 0..rows {
        let indent = (rng.next() % 4) as usize * 4;
        let mut col = indent;
        let end = indent + 20 + (rng.next() % (cols as u32 - 40)) as usize;
        while col < end.min(cols) {
            let word = 2 + (rng.next() % 8) as usize;
            let ink = INK[(rng.next() % 3) as usize];
            for _ in 0..word.min(cols - col) {
                glyph(
                    &mut px,
                    w,
                    left + col * CELL_W,
                    top + row * CELL_H,
                    rng.next(),
                    ink,
                );
                col += 1;
            }
            col += 1;
        }
    }
    px
}

/// Type one character at the start of the editor's last line, as a person
/// typing would change it.
fn type_char(px: &mut [u8]) {
    let (left, top, _, rows) = EDITOR;
    glyph(
        px,
        usize::from(W),
        left + 3 * CELL_W,
        top + (rows - 1) * CELL_H,
        0x5A17,
        [30, 30, 30],
    );
}

/// Draw one anti-aliased glyph into the cell at (`x0`, `y0`) on a light
/// background: a 3×5 pattern of strokes, chosen by `code`, drawn two
/// pixels to a stroke, with half-tone pixels to the right of each stroke as
/// a font rasteriser leaves them.
fn glyph(px: &mut [u8], width: usize, x0: usize, y0: usize, code: u32, ink: [u8; 3]) {
    let bits = code.wrapping_mul(0x9E37_79B9) >> 7 | 0b010_000_000_000_010;
    for gy in 0..10 {
        for gx in 0..7 {
            let on = |cx: usize| cx < 3 && bits >> ((gy / 2) * 3 + cx) & 1 == 1;
            let level = if on(gx / 2) {
                3
            } else if gx > 0 && on((gx - 1) / 2) {
                1
            } else {
                continue;
            };
            let i = ((y0 + 3 + gy) * width + x0 + gx) * 4;
            if let Some(p) = px.get_mut(i..i + 3) {
                for (c, &k) in p.iter_mut().zip(&ink) {
                    *c = ((u32::from(*c) * (3 - level) + u32::from(k) * level) / 3) as u8;
                }
            }
        }
    }
}
