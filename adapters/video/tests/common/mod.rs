//! Helpers shared by the integration tests: drawing into RGBA screens and
//! applying encoder output to a viewer's screen with the core's length rules.
#![allow(dead_code)]

use beckon_core::video::max_rect_bytes;
use beckon_video::{EncodedRect, Encoder, EncoderConfig, Encoding, Rect, Screen};

/// What to draw into a rectangle.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    /// One colour: should travel as `Solid`.
    Solid([u8; 4]),
    /// Pseudo-random bytes: incompressible, should travel as `Raw`.
    Noise(u32),
    /// Vertical stripes: compressible, should travel as `Lz4`.
    Stripes(u32),
    /// Text-like blocks in four colours: should travel as `Palette`.
    Glyphs(u32),
    /// A smooth gradient with a little grain, like a photograph: many
    /// colours that LZ4 does poorly on; `Jpeg` when lossy is allowed.
    Photo(u32),
}

/// A small xorshift generator: deterministic noise without a dependency.
pub struct XorShift(u32);

impl XorShift {
    pub fn new(seed: u32) -> Self {
        Self(seed | 1)
    }
    pub fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// A `width`×`height` screen of one colour.
pub fn solid_screen(width: u16, height: u16, colour: [u8; 4]) -> Vec<u8> {
    colour.repeat(usize::from(width) * usize::from(height))
}

/// Draw `paint` into the part of `rect` inside the screen.
pub fn paint(pixels: &mut [u8], width: u16, height: u16, rect: Rect, paint: Paint) {
    let x1 = (u32::from(rect.x) + u32::from(rect.w)).min(u32::from(width));
    let y1 = (u32::from(rect.y) + u32::from(rect.h)).min(u32::from(height));
    let mut rng = XorShift::new(match paint {
        Paint::Noise(s) | Paint::Stripes(s) | Paint::Glyphs(s) | Paint::Photo(s) => s,
        Paint::Solid(_) => 1,
    });
    for y in u32::from(rect.y)..y1 {
        for x in u32::from(rect.x)..x1 {
            let i = ((y * u32::from(width) + x) * 4) as usize;
            let px = match paint {
                Paint::Solid(c) => c,
                Paint::Noise(_) => rng.next().to_le_bytes(),
                Paint::Stripes(s) => {
                    let v = ((x / 3) as u8).wrapping_mul(37) ^ (s as u8);
                    [v, v.wrapping_add(1), 0x40, 255]
                }
                Paint::Glyphs(s) => {
                    // A 6×10 cell per character; its shape from a hash.
                    let (cx, cy) = (x / 6, y / 10);
                    let cell =
                        (cx.wrapping_mul(31) ^ cy.wrapping_mul(17) ^ s).wrapping_mul(0x9E37_79B9);
                    let bit = ((x % 6) + 6 * (y % 10)) % 30;
                    let shade = if y % 10 >= 8 || x % 6 == 5 {
                        0
                    } else {
                        (cell >> bit) & 3
                    };
                    const SHADES: [[u8; 4]; 4] = [
                        [250, 250, 250, 255],
                        [20, 20, 20, 255],
                        [120, 120, 130, 255],
                        [200, 200, 205, 255],
                    ];
                    SHADES[shade as usize]
                }
                Paint::Photo(s) => {
                    // Triangle waves: smooth everywhere, no wrap-around edge.
                    let tri = |v: u32| {
                        let v = v % 512;
                        (if v < 256 { v } else { 511 - v }) as u8
                    };
                    let grain = (rng.next() % 7) as u8;
                    let px = [
                        tri((x * 3 + y) / 4 + s),
                        tri((x + y * 2) / 3),
                        tri(x * y / 64),
                    ];
                    let [r, g, b] = px.map(|c| c.saturating_add(grain));
                    [r, g, b, 255]
                }
            };
            pixels[i..i + 4].copy_from_slice(&px);
        }
    }
}

/// Check one rectangle against the core's length rules for its encoding.
pub fn check_length(r: &EncodedRect) {
    let max = max_rect_bytes(r.encoding, r.rect.w, r.rect.h) as usize;
    assert!(!r.data.is_empty(), "empty rect {r:?}");
    assert!(
        r.data.len() <= max,
        "{:?} {:?}: {} > {max}",
        r.encoding,
        r.rect,
        r.data.len()
    );
    if matches!(
        r.encoding,
        Encoding::Raw | Encoding::Solid | Encoding::Copy | Encoding::Cached
    ) {
        assert_eq!(r.data.len(), max, "{:?} must be exact", r.encoding);
    }
}

/// Apply every rectangle of one frame to `screen`, checking lengths first.
pub fn apply_all(screen: &mut Screen, rects: &[EncodedRect]) {
    screen.begin_frame();
    for r in rects {
        check_length(r);
        screen
            .apply(r.rect, r.encoding, &r.data)
            .unwrap_or_else(|e| panic!("{r:?} refused: {e}"));
    }
}

/// Height of a terminal line in [`Terminal`], as in xterm's default font.
pub const LINE: u16 = 13;

/// A terminal showing a long file in `less`: a window with a border whose
/// text area does not line up with 64-pixel tiles, the file's lines in it and
/// a status line below them, on a plain desktop.
pub struct Terminal {
    /// Where the file's lines are shown.
    pub text: Rect,
    /// The whole file, `text.w` pixels wide, rendered once.
    page: Vec<u8>,
    page_h: u16,
}

impl Terminal {
    /// A terminal whose text area is `text`, over a file `extra` pixels
    /// taller than the text area.
    pub fn new(text: Rect, extra: u16) -> Self {
        let page_h = text.h + extra;
        let mut page = vec![0; usize::from(text.w) * usize::from(page_h) * 4];
        paint(
            &mut page,
            text.w,
            page_h,
            Rect::new(0, 0, text.w, page_h),
            Paint::Glyphs(11),
        );
        Self { text, page, page_h }
    }

    /// The status line: one line right below the text area.
    pub fn status(&self) -> Rect {
        Rect::new(self.text.x, self.text.y + self.text.h, self.text.w, LINE)
    }

    /// The `w`×`h` screen with the file scrolled down by `top` pixels; the
    /// status line's last few characters (a percentage) drawn from `status`.
    pub fn screen(&self, w: u16, h: u16, top: u16, status: u32) -> Vec<u8> {
        assert!(top + self.text.h <= self.page_h, "scrolled past the file");
        let mut pixels = solid_screen(w, h, [30, 60, 90, 255]);
        let t = self.text;
        let frame = Rect::new(0, 0, t.x + t.w + 3, t.y + t.h + LINE + 3);
        paint(&mut pixels, w, h, frame, Paint::Solid([90, 90, 100, 255]));
        let inside = Rect::new(1, 1, frame.w - 2, frame.h - 2);
        paint(
            &mut pixels,
            w,
            h,
            inside,
            Paint::Solid([250, 250, 250, 255]),
        );
        let row = usize::from(t.w) * 4;
        for dy in 0..t.h {
            let from = usize::from(top + dy) * row;
            let to = ((usize::from(t.y + dy)) * usize::from(w) + usize::from(t.x)) * 4;
            pixels[to..to + row].copy_from_slice(&self.page[from..from + row]);
        }
        let s = self.status();
        paint(
            &mut pixels,
            w,
            h,
            Rect::new(s.x, s.y, 30 * 6, 10),
            Paint::Glyphs(5),
        );
        paint(
            &mut pixels,
            w,
            h,
            Rect::new(s.x + 31 * 6, s.y, 4 * 6, 10),
            Paint::Glyphs(status),
        );
        pixels
    }
}

/// An encoder and a viewer that both have a `width`×`height` screen of
/// `colour`, and those pixels, to change and encode.
pub fn started(width: u16, height: u16, colour: [u8; 4]) -> (Encoder, Screen, Vec<u8>) {
    let mut encoder = Encoder::new(EncoderConfig::default());
    let mut screen = Screen::new(width, height);
    let pixels = solid_screen(width, height, colour);
    apply_all(
        &mut screen,
        &encoder.encode(width, height, &pixels, None).unwrap(),
    );
    (encoder, screen, pixels)
}
