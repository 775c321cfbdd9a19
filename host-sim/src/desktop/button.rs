//! The "Greeter" window: one button that counts its clicks.

use embedded_graphics::pixelcolor::Rgb888;

use super::framebuffer::Framebuffer;
use super::geometry::Rect;
use super::render::{self, cell_h, text_w, BUTTON_FONT, MUTED, TEXT, UI_FONT, WHITE};

const ACCENT: Rgb888 = Rgb888::new(64, 120, 84);
const FACE: Rgb888 = Rgb888::new(52, 120, 220);
const FACE_PRESSED: Rgb888 = Rgb888::new(28, 78, 160);
const LABEL: &str = "Say hello";

/// A small window with a "Say hello" button.
#[derive(Debug, Clone)]
pub(crate) struct Greeter {
    frame: Rect,
    /// The left button went down on the button and has not come up yet.
    pressed: bool,
    clicks: u32,
}

impl Greeter {
    pub fn new(frame: Rect) -> Greeter {
        Greeter {
            frame,
            pressed: false,
            clicks: 0,
        }
    }

    pub fn clicks(&self) -> u32 {
        self.clicks
    }

    fn body(&self) -> Rect {
        render::window_body(self.frame)
    }

    /// The button itself.
    pub fn button(&self) -> Rect {
        let b = self.body();
        let w = 150.min(b.w - 20);
        Rect::new(b.x + (b.w - w) / 2, b.y + 46, w, 36)
    }

    /// Everything inside the window that can change.
    fn live(&self) -> Rect {
        self.body()
    }

    /// Left button pressed at `(x, y)`; returns the area to redraw.
    pub fn press(&mut self, x: i32, y: i32) -> Option<Rect> {
        if !self.button().contains(x, y) {
            return None;
        }
        self.pressed = true;
        Some(self.button())
    }

    /// Left button released at `(x, y)`; a release on the button after a
    /// press on it is a click.
    pub fn release(&mut self, x: i32, y: i32) -> Option<Rect> {
        if !self.pressed {
            return None;
        }
        self.pressed = false;
        if self.button().contains(x, y) {
            self.clicks += 1;
            return Some(self.live());
        }
        Some(self.button())
    }

    pub fn draw(&self, fb: &mut Framebuffer) {
        if !render::window_outer(self.frame).intersects(&fb.clip()) {
            return;
        }
        let body = render::window(fb, self.frame, "Greeter", ACCENT);
        render::text(
            fb,
            "Press the button to say hello.",
            body.x + 14,
            body.y + 16,
            UI_FONT,
            TEXT,
        );

        let b = self.button();
        let (face, shift) = if self.pressed {
            (FACE_PRESSED, 1)
        } else {
            (FACE, 0)
        };
        fb.fill(b, Rgb888::new(20, 40, 80));
        fb.fill(b.inset(1), face);
        let (hi, lo) = if self.pressed {
            (Rgb888::new(16, 50, 110), render::lighten(face, 60))
        } else {
            (render::lighten(face, 90), Rgb888::new(24, 64, 140))
        };
        let i = b.inset(1);
        fb.fill(Rect::new(i.x, i.y, i.w, 1), hi);
        fb.fill(Rect::new(i.x, i.y, 1, i.h), hi);
        fb.fill(Rect::new(i.x, i.bottom() - 1, i.w, 1), lo);
        fb.fill(Rect::new(i.right() - 1, i.y, 1, i.h), lo);
        let lx = b.x + (b.w - text_w(BUTTON_FONT, LABEL)) / 2 + shift;
        let ly = b.y + (b.h - cell_h(BUTTON_FONT)) / 2 + shift;
        render::text(fb, LABEL, lx, ly, BUTTON_FONT, WHITE);

        let msg = match self.clicks {
            0 => "Nobody has said hello yet.".to_string(),
            1 => "Hello! Clicked 1 time.".to_string(),
            n => format!("Hello! Clicked {n} times."),
        };
        let color = if self.clicks == 0 { MUTED } else { TEXT };
        let mx = body.x + (body.w - text_w(UI_FONT, &msg)) / 2;
        render::text(fb, &msg, mx, b.bottom() + 18, UI_FONT, color);
    }
}
