//! Keyboard layouts (L10N-02): text to key strokes, and key presses to text.
//!
//! The dongle is a USB keyboard, so it can only send *positions* (HID usages);
//! the target's own layout decides what character a position types. To type
//! the expert's text the dongle must therefore know the target's layout and
//! choose the positions, Shift/AltGr and dead-key sequences that make each
//! character there. Characters the layout has no way to type are refused with
//! [`Untypeable`] rather than sent as something else.
//!
//! The simulated desktop uses the same tables the other way round
//! ([`Layout::symbol`], [`Layout::compose`]), so typing and decoding cannot
//! drift apart.
//!
//! The tables follow xkeyboard-config (what Linux targets use); the host test
//! `keymap_xkb` checks every key of the typing area on four levels against the
//! installed xkb data. Windows and macOS agree on the base, Shift and common
//! AltGr characters; some rarer AltGr extras (ſ, ŧ, arrows) are xkb-only.

use core::fmt;

use crate::message::InputEvent;

mod compose;
mod german;
mod norwegian;
mod us;
mod us_intl;

/// HID usage of the left Shift key, pressed for the Shift level.
pub const USAGE_LEFT_SHIFT: u8 = 0xE1;
/// HID usage of the right Shift key (a target treats it like left Shift).
pub const USAGE_RIGHT_SHIFT: u8 = 0xE5;
/// HID usage of the right Alt key, which is AltGr on layouts that have one.
pub const USAGE_RIGHT_ALT: u8 = 0xE6;

/// Enter (Return), typed for `'\n'`.
const USAGE_ENTER: u8 = 0x28;
/// Tab, typed for `'\t'`.
const USAGE_TAB: u8 = 0x2B;
/// The key left of Enter on ANSI boards ("Backslash and |").
const USAGE_BACKSLASH: u8 = 0x31;
/// The same physical key as HID reports it on ISO boards ("Non-US # and ~").
/// Targets treat both alike, so decoding folds it into [`USAGE_BACKSLASH`].
const USAGE_NON_US_HASH: u8 = 0x32;
/// The extra ISO key between left Shift and Z ("Non-US \ and |").
const USAGE_ISO_EXTRA: u8 = 0x64;

/// One key of a layout table: its usage and what levels 1–4 (none, Shift,
/// AltGr, Shift+AltGr) type.
type Key = (u8, [Option<Symbol>; 4]);

/// A level that types nothing.
const N: Option<Symbol> = None;

/// A level that types `ch`.
const fn c(ch: char) -> Option<Symbol> {
    Some(Symbol::Char(ch))
}

/// A level that is a dead key for the accent `ch`.
const fn d(ch: char) -> Option<Symbol> {
    Some(Symbol::Dead(ch))
}

/// A target keyboard layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Layout {
    /// US English, no dead keys, no AltGr.
    Us,
    /// US international with dead keys (also what Dutch users use).
    UsInternational,
    /// German (T1).
    German,
    /// Norwegian.
    Norwegian,
}

impl Layout {
    /// Every supported layout.
    pub const ALL: [Layout; 4] = [
        Layout::Us,
        Layout::UsInternational,
        Layout::German,
        Layout::Norwegian,
    ];

    /// The short, stable name used in settings: `us`, `us-intl`, `de`, `no`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Us => "us",
            Layout::UsInternational => "us-intl",
            Layout::German => "de",
            Layout::Norwegian => "no",
        }
    }

    /// The layout with this short name, ignoring case. Also accepts `nl`
    /// (Dutch users type on US international) and `nb` (Norwegian Bokmål).
    pub fn from_name(name: &str) -> Option<Layout> {
        if name.eq_ignore_ascii_case("nl") {
            return Some(Layout::UsInternational);
        }
        if name.eq_ignore_ascii_case("nb") {
            return Some(Layout::Norwegian);
        }
        Layout::ALL
            .into_iter()
            .find(|layout| layout.name().eq_ignore_ascii_case(name))
    }

    /// What pressing `usage` (USB HID keyboard page 0x07) produces with these
    /// modifiers; `None` for keys that produce no character (Enter, arrows,
    /// modifiers, F-keys, Backspace, Escape, Tab…). Space (0x2C) gives `' '`.
    pub fn symbol(self, usage: u8, mods: Modifiers) -> Option<Symbol> {
        self.symbol_locked(usage, mods, false)
    }

    /// [`Layout::symbol`] with Caps Lock on or off. Caps Lock swaps the
    /// first two levels of letter keys only (xkb's alphabetic key types):
    /// with it on, `a` gives `A` and Shift+`a` gives `a`, while digits,
    /// punctuation and the AltGr levels are unchanged.
    pub fn symbol_locked(self, usage: u8, mods: Modifiers, caps_lock: bool) -> Option<Symbol> {
        let usage = if usage == USAGE_NON_US_HASH {
            USAGE_BACKSLASH
        } else {
            usage
        };
        let (_, levels) = self.keys().iter().find(|(u, _)| *u == usage)?;
        let flip = caps_lock && !mods.altgr && is_letter_key(levels);
        levels[mods.level() ^ usize::from(flip)]
    }

    /// Combine a dead key with the next character (e.g. `Dead('´')` + `'e'` =
    /// `'é'`); `None` when they don't compose (then a real system types the
    /// dead key's character followed by the base).
    ///
    /// Dead key + Space gives the accent itself. The table is the same for
    /// every layout today; the layout is a parameter because systems differ
    /// here and a layout may need its own answer.
    pub fn compose(self, dead: char, base: char) -> Option<char> {
        compose::compose(dead, base)
    }

    /// How to type `ch` on this layout: one stroke, or a dead key stroke
    /// followed by a base stroke. `'\n'` is Enter (0x28), `'\t'` is Tab
    /// (0x2B).
    ///
    /// A direct stroke wins over a dead-key sequence, and fewer modifiers win
    /// over more. A dead key's own accent is typed as dead key + Space.
    pub fn strokes(self, ch: char) -> Result<Strokes, Untypeable> {
        self.strokes_locked(ch, false)
    }

    /// [`Layout::strokes`] for a target whose Caps Lock is on or off (its
    /// keyboard LED says which). With Caps Lock on, Shift is flipped on
    /// letter keys, so the text comes out as written either way.
    pub fn strokes_locked(self, ch: char, caps_lock: bool) -> Result<Strokes, Untypeable> {
        let mut out = self.strokes_unlocked(ch)?;
        if caps_lock {
            for stroke in &mut out {
                if !stroke.mods.altgr && self.is_letter(stroke.usage) {
                    stroke.mods.shift = !stroke.mods.shift;
                }
            }
        }
        Ok(out)
    }

    /// Whether Caps Lock acts on this key.
    fn is_letter(self, usage: u8) -> bool {
        self.keys()
            .iter()
            .find(|(u, _)| *u == usage)
            .is_some_and(|(_, levels)| is_letter_key(levels))
    }

    fn strokes_unlocked(self, ch: char) -> Result<Strokes, Untypeable> {
        let untypeable = Untypeable { ch, layout: self };
        let mut out = Strokes::new();
        let special = match ch {
            '\n' => Some(USAGE_ENTER),
            '\t' => Some(USAGE_TAB),
            _ => None,
        };
        if let Some(usage) = special {
            let plain = Stroke {
                usage,
                mods: Modifiers::default(),
            };
            out.push(plain).map_err(|_| untypeable)?;
            return Ok(out);
        }
        if let Some(stroke) = self.find(Symbol::Char(ch)) {
            out.push(stroke).map_err(|_| untypeable)?;
            return Ok(out);
        }
        for (dead, base) in compose::decompose(ch) {
            let dead_stroke = self.find(Symbol::Dead(dead));
            let base_stroke = self.find(Symbol::Char(base));
            if let (Some(first), Some(second)) = (dead_stroke, base_stroke) {
                out.push(first).map_err(|_| untypeable)?;
                out.push(second).map_err(|_| untypeable)?;
                return Ok(out);
            }
        }
        Err(untypeable)
    }

    /// The stroke that produces `want` with the fewest modifiers.
    fn find(self, want: Symbol) -> Option<Stroke> {
        // Right Alt is not AltGr on US (level 3 is empty there anyway), and
        // the ISO key is missing from ANSI boards and types different things
        // under "US" on different systems, so US typing never uses it.
        let usable = |usage: u8| !(self == Layout::Us && usage == USAGE_ISO_EXTRA);
        (0..4).find_map(|level| {
            self.keys()
                .iter()
                .filter(|(usage, _)| usable(*usage))
                .find(|(_, levels)| levels[level] == Some(want))
                .map(|(usage, _)| Stroke {
                    usage: *usage,
                    mods: Modifiers::from_level(level),
                })
        })
    }

    /// The layout's key table.
    fn keys(self) -> &'static [Key] {
        match self {
            Layout::Us => us::KEYS,
            Layout::UsInternational => us_intl::KEYS,
            Layout::German => german::KEYS,
            Layout::Norwegian => norwegian::KEYS,
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::Us => "US",
            Layout::UsInternational => "US international",
            Layout::German => "German",
            Layout::Norwegian => "Norwegian",
        })
    }
}

/// Whether a key is a letter key, on which Caps Lock acts: its first level
/// is a lower-case letter and its second that letter in upper case (xkb's
/// ALPHABETIC and FOUR_LEVEL_ALPHABETIC/SEMIALPHABETIC types).
fn is_letter_key(levels: &[Option<Symbol>; 4]) -> bool {
    match (levels[0], levels[1]) {
        (Some(Symbol::Char(lower)), Some(Symbol::Char(upper))) => {
            lower.is_lowercase() && lower.to_uppercase().eq(core::iter::once(upper))
        }
        _ => false,
    }
}

/// The level-selecting modifiers held with a key. Control and Alt are not
/// here: they make shortcuts, not characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Modifiers {
    /// Either Shift key (level 2).
    pub shift: bool,
    /// AltGr, i.e. right Alt (level 3; with Shift, level 4).
    pub altgr: bool,
}

impl Modifiers {
    /// No modifier (level 1).
    pub const NONE: Modifiers = Modifiers {
        shift: false,
        altgr: false,
    };
    /// Shift (level 2).
    pub const SHIFT: Modifiers = Modifiers {
        shift: true,
        altgr: false,
    };
    /// AltGr (level 3).
    pub const ALTGR: Modifiers = Modifiers {
        shift: false,
        altgr: true,
    };
    /// Shift and AltGr (level 4).
    pub const SHIFT_ALTGR: Modifiers = Modifiers {
        shift: true,
        altgr: true,
    };
    /// The four levels in xkb's order.
    pub const LEVELS: [Modifiers; 4] = [
        Modifiers::NONE,
        Modifiers::SHIFT,
        Modifiers::ALTGR,
        Modifiers::SHIFT_ALTGR,
    ];

    /// Level index 0–3 into a key's table row.
    fn level(self) -> usize {
        usize::from(self.shift) + 2 * usize::from(self.altgr)
    }

    /// The modifiers that select level index 0–3.
    fn from_level(level: usize) -> Modifiers {
        Modifiers {
            shift: level & 1 != 0,
            altgr: level & 2 != 0,
        }
    }
}

/// What a key press produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Symbol {
    /// A character, typed at once.
    Char(char),
    /// A dead key: nothing yet, the accent (spacing form, e.g. `'´'`, or the
    /// combining mark where there is none) combines with the next character.
    Dead(char),
}

/// One key press with the modifiers held around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stroke {
    /// USB HID keyboard usage of the key.
    pub usage: u8,
    /// Modifiers held while it is pressed.
    pub mods: Modifiers,
}

impl Stroke {
    /// The key events that type this stroke: modifier downs (Left Shift 0xE1,
    /// AltGr = Right Alt 0xE6), key down, key up, modifier ups in reverse.
    pub fn events(&self) -> heapless::Vec<InputEvent, 6> {
        let mods = [
            (self.mods.shift, USAGE_LEFT_SHIFT),
            (self.mods.altgr, USAGE_RIGHT_ALT),
        ];
        let key = |usage, down| InputEvent::Key { usage, down };
        let mut out = heapless::Vec::new();
        // Two modifiers down and up plus the key down and up is six events,
        // the capacity, so no push can fail.
        for &(held, usage) in &mods {
            if held {
                let _ = out.push(key(usage, true));
            }
        }
        let _ = out.push(key(self.usage, true));
        let _ = out.push(key(self.usage, false));
        for &(held, usage) in mods.iter().rev() {
            if held {
                let _ = out.push(key(usage, false));
            }
        }
        out
    }
}

/// How to type one character: one stroke, or a dead key then a base.
pub type Strokes = heapless::Vec<Stroke, 2>;

/// The layout has no key, level or dead-key sequence for this character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[error("the {layout} keyboard layout cannot type {ch:?}")]
pub struct Untypeable {
    /// The character.
    pub ch: char,
    /// The layout it was to be typed on.
    pub layout: Layout,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALTGR: Modifiers = Modifiers::ALTGR;

    #[test]
    fn l10n_02_german_types_at_sign_with_altgr_q() {
        let strokes = Layout::German.strokes('@').unwrap();
        assert_eq!(
            strokes.as_slice(),
            &[Stroke {
                usage: 0x14,
                mods: ALTGR
            }]
        );
    }

    #[test]
    fn l10n_02_german_types_e_acute_with_dead_key() {
        let strokes = Layout::German.strokes('é').unwrap();
        assert_eq!(strokes.len(), 2);
        assert_eq!(
            Layout::German.symbol(strokes[0].usage, strokes[0].mods),
            Some(Symbol::Dead('´'))
        );
        assert_eq!(strokes[1].usage, 0x08);
    }

    #[test]
    fn l10n_02_german_types_circumflex_as_dead_key_and_space() {
        let strokes = Layout::German.strokes('^').unwrap();
        assert_eq!(strokes.len(), 2);
        assert_eq!(strokes[0].usage, 0x35);
        assert_eq!(strokes[1].usage, 0x2C);
    }

    #[test]
    fn l10n_02_us_refuses_euro_sign() {
        let err = Layout::Us.strokes('€').unwrap_err();
        assert_eq!(
            err,
            Untypeable {
                ch: '€',
                layout: Layout::Us
            }
        );
    }

    #[test]
    fn l10n_02_non_us_hash_decodes_like_backslash() {
        for layout in Layout::ALL {
            assert_eq!(
                layout.symbol(USAGE_NON_US_HASH, Modifiers::default()),
                layout.symbol(USAGE_BACKSLASH, Modifiers::default())
            );
        }
    }
}
