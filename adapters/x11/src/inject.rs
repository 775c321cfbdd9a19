//! Injecting input with XTEST, and remembering what is held down.

use std::collections::BTreeSet;

use beckon_core::message::InputEvent;
use x11rb::protocol::xproto::{
    Window, BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, KEY_PRESS_EVENT, KEY_RELEASE_EVENT,
    MOTION_NOTIFY_EVENT,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

use crate::echo::{Echo, Echoes};
use crate::error::X11Error;
use crate::keymap::usage_to_keycode;
use crate::scale::abs_to_px;

/// X button numbers for the protocol's buttons 0..=4 (left, right, middle,
/// back, forward).
const BUTTONS: [u8; 5] = [1, 3, 2, 8, 9];
/// X buttons for one wheel detent: up, down, left, right.
const WHEEL_UP: u8 = 4;
const WHEEL_DOWN: u8 = 5;
const WHEEL_LEFT: u8 = 6;
const WHEEL_RIGHT: u8 = 7;

/// XTEST injection for one screen.
#[derive(Debug)]
pub(crate) struct Injector {
    root: Window,
    width: u16,
    height: u16,
    min_keycode: u8,
    max_keycode: u8,
    /// Keycodes this adapter pressed and has not released.
    keys: BTreeSet<u8>,
    /// X buttons this adapter pressed and has not released.
    buttons: BTreeSet<u8>,
}

impl Injector {
    /// An injector for `root`, `width`×`height` pixels, whose server accepts
    /// keycodes `min_keycode..=max_keycode`.
    pub(crate) fn new(
        root: Window,
        width: u16,
        height: u16,
        min_keycode: u8,
        max_keycode: u8,
    ) -> Injector {
        Injector {
            root,
            width,
            height,
            min_keycode,
            max_keycode,
            keys: BTreeSet::new(),
            buttons: BTreeSet::new(),
        }
    }

    /// Send one event (not flushed). Events the server cannot express (an
    /// unknown key usage or button) are logged and dropped: they come from
    /// the other side of a session and must not end it.
    pub(crate) fn inject(
        &mut self,
        conn: &RustConnection,
        echoes: &mut Echoes,
        event: InputEvent,
    ) -> Result<(), X11Error> {
        match event {
            InputEvent::Key { usage, down } => {
                let Some(keycode) = usage_to_keycode(usage)
                    .filter(|k| (self.min_keycode..=self.max_keycode).contains(k))
                else {
                    tracing::debug!("no X key for HID usage {usage:#04x}; dropped");
                    return Ok(());
                };
                self.key(conn, echoes, keycode, down)?;
            }
            InputEvent::PointerAbs { x, y } => {
                let px = abs_to_px(x, self.width);
                let py = abs_to_px(y, self.height);
                // Pixels are below `u16::MAX`; X positions are `i16`.
                let (px, py) = (clamp_i16(i32::from(px)), clamp_i16(i32::from(py)));
                conn.xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, self.root, px, py, 0)?;
                echoes.expect(Echo::Motion);
            }
            InputEvent::PointerRel { dx, dy } => {
                if (dx, dy) != (0, 0) {
                    conn.xtest_fake_input(MOTION_NOTIFY_EVENT, 1, 0, self.root, dx, dy, 0)?;
                    echoes.expect(Echo::Motion);
                }
            }
            InputEvent::Button { button, down } => {
                let Some(&b) = BUTTONS.get(usize::from(button)) else {
                    tracing::debug!("no X button for pointer button {button}; dropped");
                    return Ok(());
                };
                self.button(conn, echoes, b, down)?;
            }
            InputEvent::Wheel { dx, dy } => {
                let up_down = if dy > 0 { WHEEL_UP } else { WHEEL_DOWN };
                let left_right = if dx > 0 { WHEEL_RIGHT } else { WHEEL_LEFT };
                for (button, clicks) in [(up_down, dy), (left_right, dx)] {
                    for _ in 0..clicks.unsigned_abs() {
                        self.button(conn, echoes, button, true)?;
                        self.button(conn, echoes, button, false)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Release everything held (not flushed).
    pub(crate) fn release_all(
        &mut self,
        conn: &RustConnection,
        echoes: &mut Echoes,
    ) -> Result<(), X11Error> {
        for keycode in std::mem::take(&mut self.keys) {
            self.key(conn, echoes, keycode, false)?;
        }
        for button in std::mem::take(&mut self.buttons) {
            self.button(conn, echoes, button, false)?;
        }
        Ok(())
    }

    /// Whether any key or button is held.
    pub(crate) fn holds_anything(&self) -> bool {
        !self.keys.is_empty() || !self.buttons.is_empty()
    }

    fn key(
        &mut self,
        conn: &RustConnection,
        echoes: &mut Echoes,
        keycode: u8,
        down: bool,
    ) -> Result<(), X11Error> {
        let kind = if down {
            KEY_PRESS_EVENT
        } else {
            KEY_RELEASE_EVENT
        };
        conn.xtest_fake_input(kind, keycode, 0, self.root, 0, 0, 0)?;
        echoes.expect(Echo::Key { keycode, down });
        if down {
            self.keys.insert(keycode);
        } else {
            self.keys.remove(&keycode);
        }
        Ok(())
    }

    fn button(
        &mut self,
        conn: &RustConnection,
        echoes: &mut Echoes,
        button: u8,
        down: bool,
    ) -> Result<(), X11Error> {
        let kind = if down {
            BUTTON_PRESS_EVENT
        } else {
            BUTTON_RELEASE_EVENT
        };
        conn.xtest_fake_input(kind, button, 0, self.root, 0, 0, 0)?;
        echoes.expect(Echo::Button { button, down });
        if down {
            self.buttons.insert(button);
        } else {
            self.buttons.remove(&button);
        }
        Ok(())
    }
}

fn clamp_i16(v: i32) -> i16 {
    i16::try_from(v).unwrap_or(if v < 0 { i16::MIN } else { i16::MAX })
}
