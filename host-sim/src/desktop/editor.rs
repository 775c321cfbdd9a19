//! The "Notes" text editor window: its text, caret, scrolling, drawing and the
//! screen areas each edit changes.

use embedded_graphics::pixelcolor::Rgb888;

use super::framebuffer::Framebuffer;
use super::geometry::Rect;
use super::keyboard::EditKey;
use super::render::{self, cell_h, cell_w, EDITOR_FONT, MUTED, TEXT, UI_FONT, WHITE};

/// Tab stops every this many columns.
const TAB: usize = 4;
/// Padding around the text inside the white text area.
const PAD: i32 = 6;
/// Height of the footer showing the caret position.
const FOOTER_H: i32 = 20;
/// Lines scrolled per wheel detent.
const WHEEL_LINES: usize = 3;
const ACCENT: Rgb888 = Rgb888::new(46, 94, 170);
const CARET: Rgb888 = Rgb888::new(20, 60, 200);

/// A plain-text editor that always has the keyboard focus.
#[derive(Debug, Clone)]
pub(crate) struct Editor {
    frame: Rect,
    lines: Vec<Vec<char>>,
    /// Caret line and column (in characters).
    line: usize,
    col: usize,
    /// First visible line and first visible display column.
    top: usize,
    left: usize,
}

/// Which text changed, for damage.
enum Change {
    None,
    /// One line from this display column to its end.
    Line(usize, usize),
    /// This line from the display column and every line below it.
    Below(usize, usize),
}

fn line_h() -> i32 {
    cell_h(EDITOR_FONT) + 2
}

impl Editor {
    pub fn new(frame: Rect) -> Editor {
        Editor {
            frame,
            lines: vec![Vec::new()],
            line: 0,
            col: 0,
            top: 0,
            left: 0,
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.extend(l.iter());
        }
        out
    }

    pub fn caret(&self) -> (usize, usize) {
        (self.line, self.col)
    }

    /// The white area the text is drawn in.
    fn text_area(&self) -> Rect {
        let body = render::window_body(self.frame);
        Rect::new(body.x, body.y, body.w, body.h - FOOTER_H)
    }

    fn footer(&self) -> Rect {
        let a = self.text_area();
        Rect::new(a.x, a.bottom(), a.w, FOOTER_H)
    }

    /// The part of the footer its text can cover (what changes when the
    /// caret moves).
    fn footer_text(&self) -> Rect {
        let f = self.footer();
        Rect::new(f.x, f.y + 1, f.w.min(8 + 40 * cell_w(UI_FONT)), f.h - 1)
    }

    /// Where the first character cell starts.
    fn origin(&self) -> (i32, i32) {
        let a = self.text_area();
        (a.x + PAD, a.y + PAD)
    }

    fn rows(&self) -> usize {
        ((self.text_area().h - 2 * PAD) / line_h()).max(1) as usize
    }

    fn cols(&self) -> usize {
        ((self.text_area().w - 2 * PAD) / cell_w(EDITOR_FONT)).max(1) as usize
    }

    /// Display column of character `col` on `line` (tabs expanded).
    fn vcol(&self, line: usize, col: usize) -> usize {
        let mut v = 0;
        for &c in self.lines[line].iter().take(col) {
            v = if c == '\t' {
                (v / TAB + 1) * TAB
            } else {
                v + 1
            };
        }
        v
    }

    /// The character index on `line` nearest to display column `v`.
    fn col_at(&self, line: usize, v: usize) -> usize {
        let mut cur = 0;
        for (i, &c) in self.lines[line].iter().enumerate() {
            let next = if c == '\t' {
                (cur / TAB + 1) * TAB
            } else {
                cur + 1
            };
            if v < next {
                return if v - cur <= (next - cur) / 2 {
                    i
                } else {
                    i + 1
                };
            }
            cur = next;
        }
        self.lines[line].len()
    }

    /// The screen row of a line, if it is scrolled into view.
    fn row_rect(&self, line: usize) -> Option<Rect> {
        if line < self.top || line >= self.top + self.rows() {
            return None;
        }
        let (x, y) = self.origin();
        let a = self.text_area();
        let y = y + (line - self.top) as i32 * line_h();
        Some(Rect::new(x, y, a.right() - x, line_h()).intersect(&a))
    }

    fn caret_rect(&self) -> Rect {
        let Some(row) = self.row_rect(self.line) else {
            return Rect::default();
        };
        let v = self.vcol(self.line, self.col) as i32 - self.left as i32;
        let x = self.origin().0 + v * cell_w(EDITOR_FONT) - 1;
        Rect::new(x, row.y, 2, row.h).intersect(&self.text_area())
    }

    /// Scrolls so the caret is visible; returns whether the view moved.
    fn reveal_caret(&mut self) -> bool {
        let (top, left) = (self.top, self.left);
        let rows = self.rows();
        if self.line < self.top {
            self.top = self.line;
        } else if self.line >= self.top + rows {
            self.top = self.line + 1 - rows;
        }
        let v = self.vcol(self.line, self.col);
        let cols = self.cols();
        if v < self.left {
            self.left = v;
        } else if v >= self.left + cols {
            self.left = v + 1 - cols;
        }
        (top, left) != (self.top, self.left)
    }

    /// Applies one editing step; returns the screen areas that changed.
    pub fn apply(&mut self, key: EditKey) -> Vec<Rect> {
        let before = (self.line, self.col);
        let old_end = self.vcol(self.line, self.lines[self.line].len());
        let old_caret = self.caret_rect();
        let change = self.edit(key);
        let mut out = Vec::new();
        if self.reveal_caret() {
            out.push(self.text_area());
        } else {
            match change {
                Change::None => {}
                Change::Line(l, v) => {
                    let end = old_end.max(self.vcol(l, self.lines[l].len()));
                    out.extend(self.damage_from(l, v, Some(end)));
                }
                Change::Below(l, v) => out.extend(self.damage_from(l, v, None)),
            }
            out.push(old_caret);
            out.push(self.caret_rect());
        }
        if before != (self.line, self.col) || !matches!(change, Change::None) {
            out.push(self.footer_text());
        }
        out
    }

    /// The area of `line` from display column `v` to `end` (exclusive), or
    /// with `end` of `None` to the right edge and every row below.
    fn damage_from(&self, line: usize, v: usize, end: Option<usize>) -> Vec<Rect> {
        let a = self.text_area();
        let mut out = Vec::new();
        let first = line.max(self.top);
        let Some(row) = self.row_rect(first) else {
            return out;
        };
        let x = if first == line {
            let vis = v.saturating_sub(self.left) as i32;
            // One column to the left too, for the caret's overhang.
            row.x + (vis - 1).max(0) * cell_w(EDITOR_FONT)
        } else {
            row.x
        };
        let cw = cell_w(EDITOR_FONT);
        let right = match end {
            Some(e) => (row.x + (e.saturating_sub(self.left) as i32 + 1) * cw).min(row.right()),
            None => row.right(),
        };
        out.push(Rect::new(x, row.y, right - x, row.h));
        if end.is_none() {
            out.push(Rect::new(a.x, row.bottom(), a.w, a.bottom() - row.bottom()));
        }
        out
    }

    fn edit(&mut self, key: EditKey) -> Change {
        let (l, c) = (self.line, self.col);
        let len = self.lines[l].len();
        match key {
            EditKey::Insert(ch) => {
                let v = self.vcol(l, c);
                self.lines[l].insert(c, ch);
                self.col += 1;
                Change::Line(l, v)
            }
            EditKey::Tab => self.edit(EditKey::Insert('\t')),
            EditKey::Newline => {
                let v = self.vcol(l, c);
                let rest = self.lines[l].split_off(c);
                self.lines.insert(l + 1, rest);
                self.line += 1;
                self.col = 0;
                Change::Below(l, v)
            }
            EditKey::Backspace if c > 0 => {
                self.col -= 1;
                let v = self.vcol(l, c - 1);
                self.lines[l].remove(c - 1);
                Change::Line(l, v)
            }
            EditKey::Backspace if l > 0 => {
                let cur = self.lines.remove(l);
                self.line -= 1;
                self.col = self.lines[l - 1].len();
                let v = self.vcol(l - 1, self.col);
                self.lines[l - 1].extend(cur);
                Change::Below(l - 1, v)
            }
            EditKey::Delete if c < len => {
                let v = self.vcol(l, c);
                self.lines[l].remove(c);
                Change::Line(l, v)
            }
            EditKey::Delete if l + 1 < self.lines.len() => {
                let next = self.lines.remove(l + 1);
                let v = self.vcol(l, c);
                self.lines[l].extend(next);
                Change::Below(l, v)
            }
            EditKey::Backspace | EditKey::Delete => Change::None,
            EditKey::Left => {
                if c > 0 {
                    self.col -= 1;
                } else if l > 0 {
                    self.line -= 1;
                    self.col = self.lines[l - 1].len();
                }
                Change::None
            }
            EditKey::Right => {
                if c < len {
                    self.col += 1;
                } else if l + 1 < self.lines.len() {
                    self.line += 1;
                    self.col = 0;
                }
                Change::None
            }
            EditKey::Up | EditKey::Down => {
                let target = match key {
                    EditKey::Up if l > 0 => l - 1,
                    EditKey::Down if l + 1 < self.lines.len() => l + 1,
                    _ => return Change::None,
                };
                let v = self.vcol(l, c);
                self.line = target;
                self.col = self.col_at(target, v);
                Change::None
            }
            EditKey::Home => {
                self.col = 0;
                Change::None
            }
            EditKey::End => {
                self.col = len;
                Change::None
            }
        }
    }

    /// Scrolls the view by wheel detents (positive = up); returns the area to
    /// redraw if the view moved.
    pub fn scroll(&mut self, detents: i8) -> Option<Rect> {
        let max_top = self.lines.len().saturating_sub(self.rows());
        let step = usize::from(detents.unsigned_abs()) * WHEEL_LINES;
        let top = if detents > 0 {
            self.top.saturating_sub(step)
        } else {
            (self.top + step).min(max_top.max(self.top))
        };
        if top == self.top {
            return None;
        }
        self.top = top;
        Some(self.text_area())
    }

    /// A click at `(x, y)`: moves the caret there if it is on the text.
    pub fn click(&mut self, x: i32, y: i32) -> Vec<Rect> {
        let a = self.text_area();
        if !a.contains(x, y) {
            return Vec::new();
        }
        let (ox, oy) = self.origin();
        let row = ((y - oy).max(0) / line_h()) as usize;
        let line = (self.top + row).min(self.lines.len() - 1);
        let cw = cell_w(EDITOR_FONT);
        let v = ((x - ox).max(0) + cw / 2) / cw;
        let col = self.col_at(line, self.left + v as usize);
        let old = self.caret_rect();
        if (line, col) == (self.line, self.col) {
            return Vec::new();
        }
        self.line = line;
        self.col = col;
        if self.reveal_caret() {
            return vec![a, self.footer_text()];
        }
        vec![old, self.caret_rect(), self.footer_text()]
    }

    /// Paints the window (only what lies inside the buffer's clip).
    pub fn draw(&self, fb: &mut Framebuffer) {
        if !render::window_outer(self.frame).intersects(&fb.clip()) {
            return;
        }
        render::window(fb, self.frame, "Notes - untitled.txt", ACCENT);
        let a = self.text_area();
        fb.fill(a, WHITE);
        let clip = fb.clip();
        let cols = self.cols();
        for line in self.top..(self.top + self.rows()).min(self.lines.len()) {
            let Some(row) = self.row_rect(line) else {
                continue;
            };
            if !row.intersects(&clip) {
                continue;
            }
            let shown = self.display(line, cols);
            let ty = row.y + (row.h - cell_h(EDITOR_FONT)) / 2;
            fb.set_clip(clip.intersect(&a));
            render::text(fb, &shown, row.x, ty, EDITOR_FONT, TEXT);
            fb.set_clip(clip);
        }
        fb.fill(self.caret_rect(), CARET);
        let f = self.footer();
        if f.intersects(&clip) {
            fb.fill(Rect::new(f.x, f.y, f.w, 1), Rgb888::new(210, 212, 218));
            let count = self.lines.len();
            let s = format!(
                "Ln {}, Col {}   {count} {}",
                self.line + 1,
                self.col + 1,
                if count == 1 { "line" } else { "lines" }
            );
            render::text(fb, &s, f.x + 8, f.y + 4, UI_FONT, MUTED);
        }
    }

    /// The visible part of a line, tabs expanded, from the view's left edge.
    fn display(&self, line: usize, cols: usize) -> String {
        let mut out = String::new();
        let mut v = 0;
        for &c in &self.lines[line] {
            let next = if c == '\t' {
                (v / TAB + 1) * TAB
            } else {
                v + 1
            };
            for col in v..next {
                if col >= self.left && col < self.left + cols + 1 {
                    out.push(if c == '\t' { ' ' } else { c });
                }
            }
            v = next;
            if v > self.left + cols {
                break;
            }
        }
        out
    }
}
