//! The simulated desktop: a screen with a wallpaper and top bar, a "Notes"
//! text editor that has the keyboard focus, a "Greeter" window with a button
//! that counts clicks, the "Beckon" status panel and a mouse cursor.
//!
//! Input arrives as [`InputEvent`]s through [`Desktop::apply`], the way an
//! injected USB keyboard and mouse would deliver it. Every change records the
//! screen areas it affects ([`Desktop::take_damage`]) and only those areas
//! are repainted, so typing a character costs a few thousand pixels, not a
//! whole screen. Everything is deterministic: the same inputs always give
//! the same pixels.
//!
//! ```
//! use beckon_core::keymap::Layout;
//! use beckon_core::message::InputEvent;
//! use beckon_host_sim::desktop::Desktop;
//!
//! let mut d = Desktop::new(640, 480, Layout::Us);
//! d.apply(InputEvent::Key { usage: 0x0B, down: true }); // h
//! d.apply(InputEvent::Key { usage: 0x0B, down: false });
//! assert_eq!(d.editor_text(), "h");
//! assert_eq!(d.pixels().len(), 640 * 480 * 4);
//! ```

mod button;
mod damage;
mod editor;
mod framebuffer;
mod geometry;
mod keyboard;
pub mod png;
mod pointer;
mod render;
mod status;

use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;

pub use damage::DamageRect;

use button::Greeter;
use damage::DamageSet;
use editor::Editor;
use framebuffer::Framebuffer;
use geometry::Rect;
use keyboard::Keyboard;
use pointer::Pointer;
use status::StatusPanel;

/// The pointer button that clicks things.
const LEFT_BUTTON: u8 = 0;

/// A simulated desktop screen with its keyboard and mouse.
#[derive(Debug, Clone)]
pub struct Desktop {
    width: u16,
    height: u16,
    /// What the screen shows, current except for `repaint`.
    screen: Framebuffer,
    /// The wallpaper and top bar background, drawn once.
    background: Framebuffer,
    /// Areas still to repaint before the pixels are read.
    repaint: DamageSet,
    /// Areas changed since the last `take_damage`.
    damage: DamageSet,
    keyboard: Keyboard,
    pointer: Pointer,
    editor: Editor,
    greeter: Greeter,
    status: StatusPanel,
    clock: String,
}

impl Desktop {
    /// A desktop of `width` × `height` pixels (each at least 1; 0 is taken
    /// as 1) whose keyboard uses `layout`. The pointer starts in the middle.
    pub fn new(width: u16, height: u16, layout: Layout) -> Desktop {
        let (width, height) = (width.max(1), height.max(1));
        let (w, h) = (i32::from(width), i32::from(height));
        let screen_rect = Rect::new(0, 0, w, h);

        let margin = 28;
        let top = render::TOP_BAR_H + margin;
        let side_w = (w / 3).clamp(160, 380);
        let editor = Rect::new(margin, top, w - side_w - 3 * margin, h - top - margin);
        let side_x = editor.right() + margin;
        let status = Rect::new(side_x, top, side_w, 150);
        let greeter = Rect::new(side_x, status.bottom() + margin, side_w, 170);

        let mut d = Desktop {
            width,
            height,
            screen: Framebuffer::new(width, height),
            background: render::background(width, height),
            repaint: DamageSet::new(screen_rect),
            damage: DamageSet::new(screen_rect),
            keyboard: Keyboard::new(layout),
            pointer: Pointer::new(width, height),
            editor: Editor::new(editor),
            greeter: Greeter::new(greeter),
            status: StatusPanel::new(status),
            clock: String::new(),
        };
        d.invalidate();
        d
    }

    /// Screen width in pixels.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Screen height in pixels.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// The screen: RGBA8, 4 bytes per pixel (alpha always 255), row after
    /// row, `width * height * 4` bytes. Areas changed since the last call are
    /// repainted first.
    pub fn pixels(&mut self) -> &[u8] {
        for r in self.repaint.take() {
            self.paint(r);
        }
        self.screen.data()
    }

    /// Applies one injected input event through the simulated keyboard or
    /// mouse.
    pub fn apply(&mut self, event: InputEvent) {
        match event {
            InputEvent::Key { usage, down } => {
                for step in self.keyboard.key(usage, down) {
                    for r in self.editor.apply(step) {
                        self.touch(r);
                    }
                }
            }
            InputEvent::PointerAbs { x, y } => {
                let old = self.pointer.cursor_rect();
                self.pointer.move_abs(x, y);
                self.pointer_moved(old);
            }
            InputEvent::PointerRel { dx, dy } => {
                let old = self.pointer.cursor_rect();
                self.pointer.move_rel(dx, dy);
                self.pointer_moved(old);
            }
            InputEvent::Button { button, down } => {
                if !self.pointer.button(button, down) || button != LEFT_BUTTON {
                    return;
                }
                let (x, y) = self.pointer.pos();
                let (x, y) = (i32::from(x), i32::from(y));
                if down {
                    if let Some(r) = self.greeter.press(x, y) {
                        self.touch(r);
                    }
                    for r in self.editor.click(x, y) {
                        self.touch(r);
                    }
                } else if let Some(r) = self.greeter.release(x, y) {
                    self.touch(r);
                }
            }
            InputEvent::Wheel { dx, dy } => {
                self.pointer.wheel(dx, dy);
                if let Some(r) = self.editor.scroll(dy) {
                    self.touch(r);
                }
            }
        }
    }

    /// The regions changed since the last call (or since creation: the
    /// first call returns the whole screen), merged, clipped to the screen,
    /// sorted top to bottom.
    pub fn take_damage(&mut self) -> Vec<DamageRect> {
        self.damage
            .take()
            .into_iter()
            .filter_map(Rect::to_damage)
            .collect()
    }

    /// Marks the whole screen as changed, to be repainted from scratch.
    pub fn invalidate(&mut self) {
        self.touch(Rect::new(
            0,
            0,
            i32::from(self.width),
            i32::from(self.height),
        ));
    }

    /// The editor's whole text, lines joined by `'\n'`.
    pub fn editor_text(&self) -> String {
        self.editor.text()
    }

    /// The editor's caret: line and column (in characters), from 0.
    pub fn editor_caret(&self) -> (usize, usize) {
        self.editor.caret()
    }

    /// The pointer position in pixels.
    pub fn pointer(&self) -> (u16, u16) {
        self.pointer.pos()
    }

    /// The pointer position in absolute units (`0..=POINTER_MAX` per axis);
    /// sending it back as `PointerAbs` lands on the same pixel.
    pub fn pointer_abs(&self) -> (u16, u16) {
        self.pointer.pos_abs()
    }

    /// HID usages of the keys held down, ascending.
    pub fn held_keys(&self) -> Vec<u8> {
        self.keyboard.held()
    }

    /// Pointer buttons held down, ascending.
    pub fn held_buttons(&self) -> Vec<u8> {
        self.pointer.held()
    }

    /// How often the on-screen "Say hello" button was clicked (left press
    /// and release both on it).
    pub fn button_clicks(&self) -> u32 {
        self.greeter.clicks()
    }

    /// The middle of the "Say hello" button, in pixels (for tests and demos
    /// that want to click it).
    pub fn button_center(&self) -> (u16, u16) {
        let b = self.greeter.button();
        let clamp = |v: i32, size: u16| v.clamp(0, i32::from(size) - 1) as u16;
        (
            clamp(b.x + b.w / 2, self.width),
            clamp(b.y + b.h / 2, self.height),
        )
    }

    /// The wheel detents received in total, horizontal and vertical.
    pub fn wheel_total(&self) -> (i32, i32) {
        self.pointer.wheel_total()
    }

    /// Sets the lines of the "Beckon" status panel (who is connected, what
    /// they may do, how to stop them). Lines that do not fit are cut.
    pub fn set_status(&mut self, lines: &[&str]) {
        if let Some(r) = self.status.set(lines) {
            self.touch(r);
        }
    }

    /// The lines of the status panel, as last set.
    pub fn status_lines(&self) -> &[String] {
        self.status.lines()
    }

    /// Sets the clock text shown at the right of the top bar (empty for none).
    pub fn set_clock_text(&mut self, text: &str) {
        if self.clock != text {
            self.clock = text.to_string();
            self.touch_top_bar();
        }
    }

    /// The keyboard layout in use.
    pub fn layout(&self) -> Layout {
        self.keyboard.layout()
    }

    /// Changes the keyboard layout (shown in the top bar). A pending dead key
    /// is dropped.
    pub fn set_layout(&mut self, layout: Layout) {
        self.keyboard.set_layout(layout);
        self.touch_top_bar();
    }

    /// The current screen as a PNG file. Encoding into memory cannot fail
    /// for a well-formed screen; should the encoder fail anyway the result
    /// is empty.
    pub fn snapshot_png(&mut self) -> Vec<u8> {
        let (w, h) = (self.width, self.height);
        png::encode_rgba(w, h, self.pixels()).unwrap_or_default()
    }

    fn touch_top_bar(&mut self) {
        self.touch(Rect::new(0, 0, i32::from(self.width), render::TOP_BAR_H));
    }

    fn pointer_moved(&mut self, old: Rect) {
        let new = self.pointer.cursor_rect();
        if new != old {
            self.touch(old);
            self.touch(new);
        }
    }

    /// Records a changed area, for repainting and for `take_damage`.
    fn touch(&mut self, r: Rect) {
        self.repaint.add(r);
        self.damage.add(r);
    }

    /// Repaints one area from the cached background up.
    fn paint(&mut self, r: Rect) {
        let fb = &mut self.screen;
        fb.set_clip(r);
        fb.copy_clip_from(&self.background);
        render::top_bar(
            fb,
            i32::from(self.width),
            self.keyboard.layout().name(),
            &self.clock,
        );
        self.editor.draw(fb);
        self.status.draw(fb);
        self.greeter.draw(fb);
        let (x, y) = self.pointer.pos();
        render::cursor(fb, i32::from(x), i32::from(y));
        fb.set_clip(fb.bounds());
    }
}

/// The simulated desktop is where the agent's pictures come from.
impl beckon_video::stream::FrameSource for Desktop {
    fn width(&self) -> u16 {
        Desktop::width(self)
    }
    fn height(&self) -> u16 {
        Desktop::height(self)
    }
    fn pixels(&mut self) -> &[u8] {
        Desktop::pixels(self)
    }
    fn pointer_abs(&self) -> (u16, u16) {
        Desktop::pointer_abs(self)
    }
}
