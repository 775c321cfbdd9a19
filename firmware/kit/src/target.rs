//! A simulated target computer's text line: what a text editor or a BIOS
//! prompt on the target would show as the keyboard reports arrive.
//!
//! It reads the reports the way a host reads a boot keyboard: a usage that
//! appears in a report is a key press; Shift and AltGr pick the level; the
//! target's keyboard layout (the core's tables) turns the key into a
//! character, dead keys included. The QEMU board draws this line into its
//! test screen, so the helper sees the effect of their typing.

use beckon_core::keymap::{Layout, Modifiers, Symbol};
use heapless::String;

use crate::hid::KeyboardReport;

/// Longest line the target keeps; older characters scroll out.
pub const LINE_CAP: usize = 48;

/// The target's text line.
#[derive(Debug, Clone)]
pub struct TextLine {
    layout: Layout,
    last: KeyboardReport,
    dead: Option<char>,
    line: String<LINE_CAP>,
    /// Lines finished with Enter.
    pub entered: u32,
    /// Keys pressed so far, characters or not (for the console).
    pub presses: u32,
    /// The lock lights, kept the way a host keeps them: each lock key
    /// toggles its light (bits as in the boot keyboard's output report).
    leds: u8,
}

/// HID usages of the lock keys and the light each toggles.
const LOCKS: [(u8, u8); 3] = [
    (0x39, beckon_core::message::LED_CAPS_LOCK),
    (0x53, beckon_core::message::LED_NUM_LOCK),
    (0x47, beckon_core::message::LED_SCROLL_LOCK),
];

impl TextLine {
    /// An empty line read through `layout`.
    pub const fn new(layout: Layout) -> Self {
        TextLine {
            layout,
            last: KeyboardReport {
                modifiers: 0,
                keys: [0; 6],
            },
            dead: None,
            line: String::new(),
            entered: 0,
            presses: 0,
            leds: 0,
        }
    }

    /// The lock lights the target shows (what it would send the keyboard).
    pub fn leds(&self) -> u8 {
        self.leds
    }

    /// The text as it stands.
    pub fn text(&self) -> &str {
        &self.line
    }

    /// A new report from the keyboard; returns whether the text changed.
    pub fn report(&mut self, r: &KeyboardReport) -> bool {
        let mods = Modifiers {
            shift: r.modifiers & 0b0010_0010 != 0,
            altgr: r.modifiers & 0b0100_0000 != 0,
        };
        let ctrl = r.modifiers & 0b0001_0001 != 0;
        let mut changed = false;
        for &u in r.keys.iter().filter(|&&u| u > 0x03) {
            if self.last.keys.contains(&u) {
                continue;
            }
            self.presses += 1;
            if ctrl {
                continue;
            }
            changed |= self.press(u, mods);
        }
        self.last = *r;
        changed
    }

    fn press(&mut self, usage: u8, mods: Modifiers) -> bool {
        if let Some(&(_, light)) = LOCKS.iter().find(|(u, _)| *u == usage) {
            self.leds ^= light;
            return false;
        }
        let caps = self.leds & beckon_core::message::LED_CAPS_LOCK != 0;
        match usage {
            0x2A => {
                self.dead = None;
                self.line.pop().is_some()
            }
            0x28 => {
                self.dead = None;
                self.entered += 1;
                self.line.clear();
                true
            }
            _ => match self.layout.symbol_locked(usage, mods, caps) {
                Some(Symbol::Dead(d)) => match self.dead.take() {
                    // Two dead keys: the first is typed as itself.
                    Some(prev) => {
                        self.push(prev);
                        self.dead = Some(d);
                        true
                    }
                    None => {
                        self.dead = Some(d);
                        false
                    }
                },
                Some(Symbol::Char(c)) => {
                    match self.dead.take() {
                        Some(d) => match self.layout.compose(d, c) {
                            Some(composed) => self.push(composed),
                            None => {
                                self.push(d);
                                self.push(c);
                            }
                        },
                        None => self.push(c),
                    }
                    true
                }
                None => false,
            },
        }
    }

    fn push(&mut self, c: char) {
        while self.line.push(c).is_err() {
            // Scroll: drop the first character.
            let mut rest: String<LINE_CAP> = String::new();
            let mut chars = self.line.chars();
            chars.next();
            for ch in chars {
                let _ = rest.push(ch);
            }
            self.line = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hid::{Keyboard, Source};
    use beckon_core::message::InputEvent;

    /// Type `text` through `layout`'s strokes and read it back.
    fn type_through(layout: Layout, text: &str) -> TextLine {
        let mut t = TextLine::new(layout);
        type_into(&mut t, layout, text, false);
        t
    }

    /// Type `text` into `t`, with strokes for a Caps Lock on or off.
    fn type_into(t: &mut TextLine, layout: Layout, text: &str, caps: bool) {
        let mut kb = Keyboard::new();
        for ch in text.chars() {
            for stroke in layout.strokes_locked(ch, caps).unwrap() {
                for ev in stroke.events() {
                    if let InputEvent::Key { usage, down } = ev {
                        if kb.key(Source::Remote, usage, down) {
                            t.report(&kb.report());
                        }
                    }
                }
            }
        }
    }

    fn tap(t: &mut TextLine, usage: u8) {
        let mut keys = [0; 6];
        keys[0] = usage;
        t.report(&KeyboardReport { modifiers: 0, keys });
        t.report(&KeyboardReport::default());
    }

    #[test]
    fn l10n_02_caps_lock_lights_up_and_typing_that_knows_it_comes_out_as_written() {
        let mut t = TextLine::new(Layout::German);
        tap(&mut t, 0x39);
        assert_eq!(t.leds(), beckon_core::message::LED_CAPS_LOCK);
        // Strokes that ignore Caps Lock come out in the wrong case...
        type_into(&mut t, Layout::German, "Käse", false);
        assert_eq!(t.text(), "kÄSE");
        // ...strokes that know it, as written; digits are untouched.
        tap(&mut t, 0x28);
        type_into(&mut t, Layout::German, "Käse 42!", true);
        assert_eq!(t.text(), "Käse 42!");
        tap(&mut t, 0x39);
        assert_eq!(t.leds(), 0);
    }

    #[test]
    fn typed_text_reads_back_on_every_layout() {
        assert_eq!(
            type_through(Layout::Us, "Hello, dongle!").text(),
            "Hello, dongle!"
        );
        assert_eq!(
            type_through(Layout::German, "Grüße @ {x}").text(),
            "Grüße @ {x}"
        );
        assert_eq!(
            type_through(Layout::Norwegian, "blåbær ~ é").text(),
            "blåbær ~ é"
        );
        assert_eq!(
            type_through(Layout::UsInternational, "café \"x\"").text(),
            "café \"x\""
        );
    }

    #[test]
    fn backspace_enter_and_ctrl() {
        let mut t = type_through(Layout::Us, "abc");
        let bs = KeyboardReport {
            modifiers: 0,
            keys: [0x2A, 0, 0, 0, 0, 0],
        };
        assert!(t.report(&bs));
        assert_eq!(t.text(), "ab");
        let ctrl_c = KeyboardReport {
            modifiers: 1,
            keys: [0x06, 0, 0, 0, 0, 0],
        };
        assert!(!t.report(&ctrl_c));
        let enter = KeyboardReport {
            modifiers: 0,
            keys: [0x28, 0, 0, 0, 0, 0],
        };
        assert!(t.report(&enter));
        assert_eq!((t.text(), t.entered), ("", 1));
    }

    #[test]
    fn a_long_line_scrolls() {
        let long = "x".repeat(LINE_CAP + 5);
        assert_eq!(type_through(Layout::Us, &long).text().len(), LINE_CAP);
    }
}
