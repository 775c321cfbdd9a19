//! The simulated mouse: position, held buttons, wheel, and the cursor's shape.

use beckon_core::message::POINTER_MAX;

use super::geometry::Rect;

/// Pointer state.
#[derive(Debug, Clone)]
pub(crate) struct Pointer {
    width: u16,
    height: u16,
    x: u16,
    y: u16,
    buttons: [bool; 256],
    wheel: (i32, i32),
}

/// Maps an absolute coordinate (`0..=POINTER_MAX`) onto `0..=size-1`, rounding
/// to the nearest pixel.
pub(crate) fn abs_to_px(v: u16, size: u16) -> u16 {
    let v = u32::from(v.min(POINTER_MAX));
    let span = u32::from(size.max(1) - 1);
    let max = u32::from(POINTER_MAX);
    ((v * span + max / 2) / max) as u16
}

/// The inverse of [`abs_to_px`]: the absolute coordinate nearest to a pixel,
/// which maps back to the same pixel.
pub(crate) fn px_to_abs(p: u16, size: u16) -> u16 {
    let span = u32::from(size.max(1) - 1);
    if span == 0 {
        return 0;
    }
    let p = u32::from(p).min(span);
    let max = u32::from(POINTER_MAX);
    ((p * max + span / 2) / span) as u16
}

impl Pointer {
    /// A pointer in the middle of the screen.
    pub fn new(width: u16, height: u16) -> Pointer {
        Pointer {
            width,
            height,
            x: width / 2,
            y: height / 2,
            buttons: [false; 256],
            wheel: (0, 0),
        }
    }

    pub fn pos(&self) -> (u16, u16) {
        (self.x, self.y)
    }

    pub fn pos_abs(&self) -> (u16, u16) {
        (
            px_to_abs(self.x, self.width),
            px_to_abs(self.y, self.height),
        )
    }

    pub fn move_abs(&mut self, x: u16, y: u16) {
        self.x = abs_to_px(x, self.width);
        self.y = abs_to_px(y, self.height);
    }

    pub fn move_rel(&mut self, dx: i16, dy: i16) {
        let clamp = |v: u16, d: i16, size: u16| -> u16 {
            (i32::from(v) + i32::from(d)).clamp(0, i32::from(size.max(1)) - 1) as u16
        };
        self.x = clamp(self.x, dx, self.width);
        self.y = clamp(self.y, dy, self.height);
    }

    /// Records a button; returns `false` if nothing changed (a repeated press
    /// or a release of a button that was not held).
    pub fn button(&mut self, b: u8, down: bool) -> bool {
        let slot = &mut self.buttons[usize::from(b)];
        let changed = *slot != down;
        *slot = down;
        changed
    }

    pub fn held(&self) -> Vec<u8> {
        (0..=255u8)
            .filter(|&b| self.buttons[usize::from(b)])
            .collect()
    }

    pub fn wheel(&mut self, dx: i8, dy: i8) {
        self.wheel.0 += i32::from(dx);
        self.wheel.1 += i32::from(dy);
    }

    pub fn wheel_total(&self) -> (i32, i32) {
        self.wheel
    }

    /// Where the cursor image covers the screen.
    pub fn cursor_rect(&self) -> Rect {
        Rect::new(
            i32::from(self.x),
            i32::from(self.y),
            CURSOR_W as i32,
            CURSOR[..].len() as i32,
        )
    }
}

/// Cursor width in pixels.
const CURSOR_W: usize = 12;

/// The arrow: `X` outline (black), `.` fill (white), space transparent. The
/// hot spot is the top-left pixel.
pub(crate) const CURSOR: [&str; 19] = [
    "X           ",
    "XX          ",
    "X.X         ",
    "X..X        ",
    "X...X       ",
    "X....X      ",
    "X.....X     ",
    "X......X    ",
    "X.......X   ",
    "X........X  ",
    "X.........X ",
    "X......XXXXX",
    "X...X..X    ",
    "X..XX..X    ",
    "X.X  X..X   ",
    "XX   X..X   ",
    "X     X..X  ",
    "      X..X  ",
    "       XX   ",
];
