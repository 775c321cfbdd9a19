//! A plain X client for the tests: draws known content, and owns a window
//! that turns key presses into text through the server's keymap and records
//! button presses.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ChangeWindowAttributesAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask,
    ImageFormat, InputFocus, KeyButMask, Rectangle, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::CURRENT_TIME;

/// How long to wait for events that should come at once.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to the test display.
pub struct Client {
    pub conn: RustConnection,
    pub root: Window,
    pub width: u16,
    pub height: u16,
}

impl Client {
    /// Connect to `display`.
    pub fn connect(display: &str) -> Client {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
        let s = &conn.setup().roots[screen];
        let (root, width, height) = (s.root, s.width_in_pixels, s.height_in_pixels);
        Client {
            conn,
            root,
            width,
            height,
        }
    }

    /// Wait until the server has handled everything sent so far.
    pub fn sync(&self) {
        self.conn.get_input_focus().unwrap().reply().unwrap();
    }

    /// Fill rectangles of `drawable` with a TrueColor pixel value
    /// (`0xRRGGBB` on a 24-bit screen).
    pub fn fill(&self, drawable: u32, pixel: u32, rects: &[Rectangle]) {
        let gc = self.conn.generate_id().unwrap();
        self.conn
            .create_gc(gc, drawable, &CreateGCAux::new().foreground(pixel))
            .unwrap();
        self.conn.poly_fill_rectangle(drawable, gc, rects).unwrap();
        self.conn.free_gc(gc).unwrap();
        self.sync();
    }

    /// Create and map a window with `events` selected, `pixel` background.
    pub fn window(&self, rect: Rectangle, pixel: u32, events: EventMask) -> Window {
        let win = self.conn.generate_id().unwrap();
        self.conn
            .create_window(
                x11rb::COPY_DEPTH_FROM_PARENT,
                win,
                self.root,
                rect.x,
                rect.y,
                rect.width,
                rect.height,
                0,
                WindowClass::INPUT_OUTPUT,
                x11rb::COPY_FROM_PARENT,
                &CreateWindowAux::new()
                    .background_pixel(pixel)
                    .override_redirect(1)
                    .event_mask(events),
            )
            .unwrap();
        self.conn.map_window(win).unwrap();
        self.sync();
        win
    }

    /// The root window as RGBA, straight from `GetImage` (24-bit TrueColor,
    /// 32 bits per pixel, little-endian: what Xvfb serves).
    pub fn root_rgba(&self) -> Vec<u8> {
        let reply = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                0,
                0,
                self.width,
                self.height,
                u32::MAX,
            )
            .unwrap()
            .reply()
            .unwrap();
        assert_eq!(reply.depth, 24);
        assert_eq!(
            reply.data.len(),
            usize::from(self.width) * usize::from(self.height) * 4
        );
        reply
            .data
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0], 255])
            .collect()
    }

    /// The keysyms of one keycode in the core keymap.
    pub fn keysyms(&self, keycode: u8) -> Vec<u32> {
        let reply = self
            .conn
            .get_keyboard_mapping(keycode, 1)
            .unwrap()
            .reply()
            .unwrap();
        reply.keysyms
    }

    /// Next event, waiting at most `timeout`.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(e) = self.conn.poll_for_event().unwrap() {
                return Some(e);
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// A full-screen window with the keyboard focus that turns key presses into
/// text the way a simple X client does: the core keymap (`GetKeyboardMapping`,
/// which XKB keeps in step with the layout), level 2 when Shift is down.
pub struct TextWindow {
    pub window: Window,
    min_keycode: u8,
    per_keycode: usize,
    keysyms: Vec<u32>,
    pub text: String,
}

impl TextWindow {
    /// Create it on `client`'s display and give it the focus.
    pub fn new(client: &Client) -> TextWindow {
        let rect = Rectangle {
            x: 0,
            y: 0,
            width: client.width,
            height: client.height,
        };
        let window = client.window(rect, 0xFFFFFF, EventMask::KEY_PRESS);
        client
            .conn
            .set_input_focus(InputFocus::POINTER_ROOT, window, CURRENT_TIME)
            .unwrap();
        client.sync();
        let mut w = TextWindow {
            window,
            min_keycode: 0,
            per_keycode: 0,
            keysyms: Vec::new(),
            text: String::new(),
        };
        w.reload_keymap(client);
        w
    }

    /// Read the keymap again (after `setxkbmap`).
    pub fn reload_keymap(&mut self, client: &Client) {
        let setup = client.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let reply = client
            .conn
            .get_keyboard_mapping(min, max - min + 1)
            .unwrap()
            .reply()
            .unwrap();
        self.min_keycode = min;
        self.per_keycode = usize::from(reply.keysyms_per_keycode);
        self.keysyms = reply.keysyms;
    }

    /// Read key presses until the text has `chars` characters or nothing
    /// comes for a while.
    pub fn read(&mut self, client: &Client, chars: usize) -> &str {
        while self.text.chars().count() < chars {
            let Some(event) = client.next_event(EVENT_TIMEOUT) else {
                break;
            };
            if let Event::KeyPress(e) = event {
                let shift = e.state.contains(KeyButMask::SHIFT);
                if let Some(c) = self.char_of(e.detail, shift) {
                    self.text.push(c);
                }
            }
        }
        &self.text
    }

    fn char_of(&self, keycode: u8, shift: bool) -> Option<char> {
        let base = usize::from(keycode - self.min_keycode) * self.per_keycode;
        let syms = self.keysyms.get(base..base + self.per_keycode)?;
        let level = if shift && syms.get(1).is_some_and(|s| *s != 0) {
            1
        } else {
            0
        };
        keysym_char(*syms.get(level)?)
    }
}

/// The character a keysym types, for Latin-1 and Unicode keysyms.
fn keysym_char(sym: u32) -> Option<char> {
    match sym {
        0x20..=0x7E | 0xA0..=0xFF => char::from_u32(sym),
        0x0100_0000..=0x0110_FFFF => char::from_u32(sym - 0x0100_0000),
        _ => None,
    }
}

/// Change what events `window` gets.
pub fn select(client: &Client, window: Window, events: EventMask) {
    client
        .conn
        .change_window_attributes(window, &ChangeWindowAttributesAux::new().event_mask(events))
        .unwrap();
    client.sync();
}
