//! The "Beckon" status panel: a few lines the agent sets (who is connected,
//! what they may do, how to stop them).

use embedded_graphics::pixelcolor::Rgb888;

use super::framebuffer::Framebuffer;
use super::geometry::Rect;
use super::render::{self, cell_h, cell_w, BOLD_FONT, TEXT, UI_FONT};

const ACCENT: Rgb888 = Rgb888::new(200, 96, 36);
const LINE_GAP: i32 = 4;

/// The panel window.
#[derive(Debug, Clone)]
pub(crate) struct StatusPanel {
    frame: Rect,
    lines: Vec<String>,
}

impl StatusPanel {
    pub fn new(frame: Rect) -> StatusPanel {
        StatusPanel {
            frame,
            lines: vec![
                "Nobody is connected.".to_string(),
                "Nobody can see or control".to_string(),
                "this computer.".to_string(),
            ],
        }
    }

    /// The lines that fit; the rest are not shown.
    fn capacity(&self) -> usize {
        let body_h = self.frame.h - 2 - render::TITLE_H - 20;
        (body_h / (cell_h(UI_FONT) + LINE_GAP)).max(0) as usize
    }

    fn body(&self) -> Rect {
        render::window_body(self.frame)
    }

    /// The lines as set.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Replaces the lines; returns the area to repaint when they changed.
    pub fn set(&mut self, lines: &[&str]) -> Option<Rect> {
        if self
            .lines
            .iter()
            .map(String::as_str)
            .eq(lines.iter().copied())
        {
            return None;
        }
        self.lines = lines.iter().map(|s| s.to_string()).collect();
        Some(self.body())
    }

    pub fn draw(&self, fb: &mut Framebuffer) {
        if !render::window_outer(self.frame).intersects(&fb.clip()) {
            return;
        }
        let body = render::window(fb, self.frame, "Beckon", ACCENT);
        let max_chars = ((body.w - 28) / cell_w(UI_FONT)).max(0) as usize;
        let step = cell_h(UI_FONT) + LINE_GAP;
        for (i, line) in self.lines.iter().take(self.capacity()).enumerate() {
            let shown: String = line.chars().take(max_chars).collect();
            let y = body.y + 10 + i as i32 * step;
            // The first line is the headline.
            let font = if i == 0 { BOLD_FONT } else { UI_FONT };
            if i == 0 {
                fb.fill(Rect::new(body.x + 10, y + 3, 6, 6), ACCENT);
            }
            render::text(fb, &shown, body.x + 22, y, font, TEXT);
        }
    }
}
