//! HID report state: what the target computer sees of the keyboard and the
//! mouse.
//!
//! Two sources press keys on one emulated keyboard: the person's local
//! keyboard (passed through) and the helper. They are kept apart so that
//! when control ends or the link drops, the helper's keys and buttons are
//! released (DESIGN §3) while a key the person holds stays down.

use beckon_core::message::InputEvent;

/// The boot-protocol keyboard report: modifiers, reserved, six key slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KeyboardReport {
    /// Modifier bits (bit 0 = left Ctrl … bit 7 = right GUI).
    pub modifiers: u8,
    /// Up to six pressed keys (usage ids), zero-padded; all
    /// `ERROR_ROLL_OVER` when more are held.
    pub keys: [u8; 6],
}

/// Usage reported in every slot when more than six keys are held.
pub const ERROR_ROLL_OVER: u8 = 0x01;

impl KeyboardReport {
    /// The 8 bytes on the wire (boot protocol).
    pub fn bytes(&self) -> [u8; 8] {
        let k = self.keys;
        [self.modifiers, 0, k[0], k[1], k[2], k[3], k[4], k[5]]
    }
    /// Whether `usage` is reported as held (modifiers included).
    pub fn holds(&self, usage: u8) -> bool {
        match usage {
            0xE0..=0xE7 => self.modifiers & (1 << (usage - 0xE0)) != 0,
            0 => false,
            u => self.keys.contains(&u),
        }
    }
}

/// Who pressed a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Source {
    /// The person's own keyboard, plugged into the dongle.
    Local,
    /// The helper, through the session.
    Remote,
}

/// Set of held usages, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct KeySet([u32; 8]);

impl KeySet {
    fn set(&mut self, usage: u8, down: bool) -> bool {
        let (w, b) = (usize::from(usage / 32), 1u32 << (usage % 32));
        let before = self.0[w];
        if down {
            self.0[w] |= b;
        } else {
            self.0[w] &= !b;
        }
        before != self.0[w]
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    fn union(&self, other: &KeySet) -> KeySet {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0.iter()) {
            *a |= *b;
        }
        out
    }
    fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..=255).filter(|&u| self.0[usize::from(u / 32)] & (1 << (u % 32)) != 0)
    }
}

/// The keyboard's state from both sources.
#[derive(Debug, Clone, Default)]
pub struct Keyboard {
    local: KeySet,
    remote: KeySet,
    /// Lock LEDs the host set (Num, Caps, Scroll …), bit 0 = Num Lock.
    pub leds: u8,
}

impl Keyboard {
    /// A keyboard with nothing held.
    pub fn new() -> Self {
        Self::default()
    }

    /// A key went down or up; returns whether the report changed.
    pub fn key(&mut self, source: Source, usage: u8, down: bool) -> bool {
        // 0 is "no event" in the report; never hold it.
        if usage == 0 {
            return false;
        }
        let before = self.report();
        match source {
            Source::Local => self.local.set(usage, down),
            Source::Remote => self.remote.set(usage, down),
        };
        self.report() != before
    }

    /// Release every key the helper holds; returns whether the report
    /// changed (so the caller sends it).
    pub fn release_remote(&mut self) -> bool {
        let before = self.report();
        self.remote = KeySet::default();
        self.report() != before
    }

    /// Whether the helper holds any key.
    pub fn remote_holds_any(&self) -> bool {
        !self.remote.is_empty()
    }

    /// The report for the current state.
    pub fn report(&self) -> KeyboardReport {
        let held = self.local.union(&self.remote);
        let mut r = KeyboardReport::default();
        let mut n = 0;
        for u in held.iter() {
            if (0xE0..=0xE7).contains(&u) {
                r.modifiers |= 1 << (u - 0xE0);
            } else if n < 6 {
                r.keys[n] = u;
                n += 1;
            } else {
                r.keys = [ERROR_ROLL_OVER; 6];
            }
        }
        r
    }
}

/// The mouse report: buttons, and either an absolute position
/// (0..=`POINTER_MAX`) or a relative move, with the wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MouseReport {
    /// Button bits (bit 0 = left).
    pub buttons: u8,
    /// Absolute x, or relative dx as two's complement in relative mode.
    pub x: i32,
    /// Absolute y, or relative dy.
    pub y: i32,
    /// Vertical wheel.
    pub wheel: i8,
    /// Horizontal wheel.
    pub pan: i8,
}

/// Which mouse the target sees: the absolute one suits desktops, the
/// relative one is what BIOS setup screens understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MouseMode {
    /// Absolute pointer, 0..=32767 on both axes.
    #[default]
    Absolute,
    /// Relative (boot-protocol) mouse.
    Relative,
}

/// The helper's mouse state.
#[derive(Debug, Clone, Default)]
pub struct Mouse {
    /// The mode the target sees.
    pub mode: MouseMode,
    buttons: u8,
    x: u16,
    y: u16,
}

impl Mouse {
    /// Apply a pointer event from the helper; returns the report to send,
    /// if any. Keys are not pointer events and give `None`.
    pub fn apply(&mut self, ev: InputEvent) -> Option<MouseReport> {
        let mut r = MouseReport {
            buttons: self.buttons,
            ..MouseReport::default()
        };
        match ev {
            InputEvent::PointerAbs { x, y } => {
                match self.mode {
                    MouseMode::Absolute => {
                        r.x = i32::from(x);
                        r.y = i32::from(y);
                    }
                    // A BIOS mouse only moves: send the step from the last
                    // absolute position the helper gave.
                    MouseMode::Relative => {
                        r.x = i32::from(x) - i32::from(self.x);
                        r.y = i32::from(y) - i32::from(self.y);
                    }
                }
                self.x = x;
                self.y = y;
            }
            InputEvent::PointerRel { dx, dy } => {
                r.x = i32::from(dx);
                r.y = i32::from(dy);
            }
            InputEvent::Button { button, down } => {
                if button >= 8 {
                    return None;
                }
                if down {
                    self.buttons |= 1 << button;
                } else {
                    self.buttons &= !(1 << button);
                }
                r.buttons = self.buttons;
                if self.mode == MouseMode::Absolute {
                    r.x = i32::from(self.x);
                    r.y = i32::from(self.y);
                }
            }
            InputEvent::Wheel { dx, dy } => {
                r.wheel = dy;
                r.pan = dx;
                if self.mode == MouseMode::Absolute {
                    r.x = i32::from(self.x);
                    r.y = i32::from(self.y);
                }
            }
            InputEvent::Key { .. } => return None,
        }
        Some(r)
    }

    /// Release every button; the report to send if one was held.
    pub fn release(&mut self) -> Option<MouseReport> {
        if self.buttons == 0 {
            return None;
        }
        self.buttons = 0;
        let absolute = self.mode == MouseMode::Absolute;
        Some(MouseReport {
            x: if absolute { i32::from(self.x) } else { 0 },
            y: if absolute { i32::from(self.y) } else { 0 },
            ..MouseReport::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_remote_keeps_the_persons_keys() {
        let mut k = Keyboard::new();
        k.key(Source::Local, 0xE1, true); // the person holds Shift
        k.key(Source::Remote, 0x04, true); // the helper holds A
        k.key(Source::Remote, 0xE0, true); // and Ctrl
        assert_eq!(k.report().bytes(), [0b11, 0, 0x04, 0, 0, 0, 0, 0]);
        assert!(k.release_remote());
        assert_eq!(k.report().bytes(), [0b10, 0, 0, 0, 0, 0, 0, 0]);
        assert!(!k.release_remote());
    }

    #[test]
    fn seven_keys_roll_over() {
        let mut k = Keyboard::new();
        for u in 0x04..0x0B {
            k.key(Source::Remote, u, true);
        }
        assert_eq!(k.report().keys, [ERROR_ROLL_OVER; 6]);
    }

    #[test]
    fn buttons_are_released_and_relative_mode_sends_steps() {
        let mut m = Mouse::default();
        m.apply(InputEvent::Button {
            button: 0,
            down: true,
        });
        assert_eq!(m.release().map(|r| r.buttons), Some(0));
        assert_eq!(m.release(), None);
        m.mode = MouseMode::Relative;
        m.apply(InputEvent::PointerAbs { x: 100, y: 100 });
        let r = m.apply(InputEvent::PointerAbs { x: 90, y: 130 }).unwrap();
        assert_eq!((r.x, r.y), (-10, 30));
    }
}
