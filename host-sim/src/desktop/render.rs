//! Shared drawing: colours, fonts, text, window frames, the cached wallpaper,
//! the top bar and the cursor.

use embedded_graphics::mono_font::{iso_8859_15, MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::{Drawable, Point};
use embedded_graphics::text::{Baseline, Text};

use super::framebuffer::Framebuffer;
use super::geometry::Rect;
use super::pointer::CURSOR;

/// Text in the editor (Latin-9, so ä, é, ø and € show).
pub(crate) const EDITOR_FONT: &MonoFont<'static> = &iso_8859_15::FONT_9X15;
/// Ordinary interface text.
pub(crate) const UI_FONT: &MonoFont<'static> = &iso_8859_15::FONT_7X13;
/// Window titles and emphasis.
pub(crate) const BOLD_FONT: &MonoFont<'static> = &iso_8859_15::FONT_7X13_BOLD;
/// Button labels.
pub(crate) const BUTTON_FONT: &MonoFont<'static> = &iso_8859_15::FONT_7X14_BOLD;
/// The wallpaper's big lettering.
const BIG_FONT: &MonoFont<'static> = &iso_8859_15::FONT_10X20;

/// Height of the top bar.
pub(crate) const TOP_BAR_H: i32 = 26;
/// Height of a window's title bar.
pub(crate) const TITLE_H: i32 = 24;

/// The part of a window below its title bar and inside its border.
pub(crate) fn window_body(frame: Rect) -> Rect {
    let inner = frame.inset(1);
    Rect::new(inner.x, inner.y + TITLE_H, inner.w, inner.h - TITLE_H)
}
/// How far a window's shadow reaches right and down.
const SHADOW: i32 = 6;

pub(crate) const WHITE: Rgb888 = Rgb888::new(255, 255, 255);
pub(crate) const TEXT: Rgb888 = Rgb888::new(30, 32, 38);
pub(crate) const MUTED: Rgb888 = Rgb888::new(96, 100, 112);
pub(crate) const WINDOW_BODY: Rgb888 = Rgb888::new(238, 239, 242);
const BORDER: Rgb888 = Rgb888::new(70, 74, 86);
const TOP_BAR: Rgb888 = Rgb888::new(24, 27, 34);
const TOP_BAR_TEXT: Rgb888 = Rgb888::new(226, 229, 236);

/// Width of one character cell of `font`.
pub(crate) fn cell_w(font: &MonoFont<'_>) -> i32 {
    (font.character_size.width + font.character_spacing) as i32
}

/// Height of one character cell of `font`.
pub(crate) fn cell_h(font: &MonoFont<'_>) -> i32 {
    font.character_size.height as i32
}

/// Width of `s` in `font`, in pixels.
pub(crate) fn text_w(font: &MonoFont<'_>, s: &str) -> i32 {
    s.chars().count() as i32 * cell_w(font)
}

/// Draws `s` with its top-left corner at `(x, y)` (clipped by the buffer).
pub(crate) fn text(fb: &mut Framebuffer, s: &str, x: i32, y: i32, font: &MonoFont<'_>, c: Rgb888) {
    let clip = fb.clip();
    let r = Rect::new(x, y, text_w(font, s), cell_h(font));
    if !r.intersects(&clip) {
        return;
    }
    // Only the characters whose cells meet the clip: the font code walks
    // every pixel of every glyph it is given.
    let cw = cell_w(font);
    let first = ((clip.x - x) / cw).max(0) as usize;
    let last = ((clip.right() - x + cw - 1) / cw).max(0) as usize;
    let shown: String = s
        .chars()
        .skip(first)
        .take(last.saturating_sub(first))
        .collect();
    let style = MonoTextStyle::new(font, c);
    let at = Point::new(x + first as i32 * cw, y);
    let _ = Text::with_baseline(&shown, at, style, Baseline::Top).draw(fb);
}

/// The area a window with this frame paints, shadow included.
pub(crate) fn window_outer(frame: Rect) -> Rect {
    Rect::new(frame.x, frame.y, frame.w + SHADOW, frame.h + SHADOW)
}

/// Draws a window's shadow, border, title bar and body; returns the body
/// (inside the border, below the title bar).
pub(crate) fn window(fb: &mut Framebuffer, frame: Rect, title: &str, accent: Rgb888) -> Rect {
    fb.darken(
        Rect::new(frame.x + SHADOW, frame.bottom(), frame.w, SHADOW),
        150,
    );
    fb.darken(
        Rect::new(frame.right(), frame.y + SHADOW, SHADOW, frame.h - SHADOW),
        150,
    );
    fb.fill(frame, BORDER);
    let inner = frame.inset(1);
    let bar = Rect::new(inner.x, inner.y, inner.w, TITLE_H);
    fb.fill(bar, accent);
    let ty = bar.y + (TITLE_H - cell_h(BOLD_FONT)) / 2;
    text(fb, title, bar.x + 10, ty, BOLD_FONT, WHITE);
    // Minimise and close boxes.
    let bs = 16;
    let by = bar.y + (TITLE_H - bs) / 2;
    for (i, glyph) in ["_", "×"].iter().enumerate() {
        let bx = bar.right() - 8 - (bs + 6) * (2 - i as i32);
        fb.fill(Rect::new(bx, by, bs, bs), lighten(accent, 40));
        text(
            fb,
            glyph,
            bx + (bs - cell_w(UI_FONT)) / 2,
            by + 1,
            UI_FONT,
            WHITE,
        );
    }
    let body = Rect::new(inner.x, inner.y + TITLE_H, inner.w, inner.h - TITLE_H);
    fb.fill(body, WINDOW_BODY);
    body
}

/// A colour moved towards white by `amount` out of 255.
pub(crate) fn lighten(c: Rgb888, amount: u8) -> Rgb888 {
    use embedded_graphics::pixelcolor::RgbColor;
    let l = |v: u8| (u16::from(v) + (255 - u16::from(v)) * u16::from(amount) / 255) as u8;
    Rgb888::new(l(c.r()), l(c.g()), l(c.b()))
}

/// The wallpaper and the top bar's background, drawn once per desktop.
pub(crate) fn background(width: u16, height: u16) -> Framebuffer {
    let mut fb = Framebuffer::new(width, height);
    let (w, h) = (i32::from(width).max(1), i32::from(height).max(1));
    // A calm diagonal gradient from slate blue to deep teal.
    let from = [62i32, 98, 142];
    let to = [24i32, 72, 88];
    let span = w + h;
    // Pixel (x, y) has the colour of diagonal x + y; each row is a window
    // onto one strip of all diagonals.
    let mut strip = Vec::with_capacity((span as usize) * 4);
    for t in 0..span {
        for i in 0..3 {
            strip.push((from[i] + (to[i] - from[i]) * t / span) as u8);
        }
        strip.push(255);
    }
    for y in 0..h {
        let start = y as usize * 4;
        fb.write_row(y, &strip[start..start + w as usize * 4]);
    }
    let mark = "beckon";
    let mx = w - text_w(BIG_FONT, mark) - 24;
    let my = h - cell_h(BIG_FONT) - 16;
    text(&mut fb, mark, mx, my, BIG_FONT, Rgb888::new(120, 150, 176));
    fb.fill(Rect::new(0, 0, w, TOP_BAR_H), TOP_BAR);
    fb
}

/// The top bar's text: the desktop's name, the keyboard layout and the clock.
pub(crate) fn top_bar(fb: &mut Framebuffer, width: i32, layout: &str, clock: &str) {
    let bar = Rect::new(0, 0, width, TOP_BAR_H);
    if !bar.intersects(&fb.clip()) {
        return;
    }
    let y = (TOP_BAR_H - cell_h(BOLD_FONT)) / 2;
    text(fb, "Simulated desktop", 12, y, BOLD_FONT, TOP_BAR_TEXT);
    let clock_x = width - 12 - text_w(BOLD_FONT, clock);
    text(fb, clock, clock_x, y, BOLD_FONT, TOP_BAR_TEXT);
    let kb = format!("Keyboard: {layout}");
    let gap = if clock.is_empty() { 0 } else { 24 };
    let kb_x = clock_x - gap - text_w(UI_FONT, &kb);
    text(fb, &kb, kb_x, y, UI_FONT, Rgb888::new(170, 176, 190));
}

/// Draws the arrow cursor with its hot spot at `(x, y)`.
pub(crate) fn cursor(fb: &mut Framebuffer, x: i32, y: i32) {
    for (dy, row) in CURSOR.iter().enumerate() {
        for (dx, b) in row.bytes().enumerate() {
            let c = match b {
                b'X' => Rgb888::new(0, 0, 0),
                b'.' => WHITE,
                _ => continue,
            };
            fb.put(x + dx as i32, y + dy as i32, c);
        }
    }
}
