//! USB HID keyboard usages (page 0x07) ↔ X keycodes.
//!
//! A HID usage names a *physical key position* ("the key labelled A on a US
//! keyboard"), not a character. X keycodes name physical keys too; what a key
//! types is the server's keymap's business. So the translation is a fixed
//! table and never looks at the layout: the server's current keymap then turns
//! the key into `a`, `q` or `ф`, with Shift and AltGr levels as the layout says.
//!
//! Every current Linux X server (Xorg with libinput or evdev, Xvfb, Xephyr,
//! Xwayland) numbers keys the evdev way: X keycode = Linux input event code + 8,
//! and its XKB keycodes file is `evdev`. The table below maps HID usages to
//! Linux event codes; the tests check it against the XKB key names a real
//! Xvfb reports.

/// X keycodes are Linux input event codes plus this offset.
pub const EVDEV_OFFSET: u8 = 8;

/// Linux input event code for each HID usage, indexed by usage; 0 = no key.
const USAGE_TO_EVDEV: [u8; 256] = build_table();

/// HID usage → Linux event code pairs. Where two usages share one physical
/// key (0x31 backslash and 0x32 non-US hash are one key, event code 43), the
/// first pair wins the reverse lookup.
#[rustfmt::skip]
const PAIRS: &[(u8, u8)] = &[
    // Letters a..z.
    (0x04, 30), (0x05, 48), (0x06, 46), (0x07, 32), (0x08, 18), (0x09, 33),
    (0x0A, 34), (0x0B, 35), (0x0C, 23), (0x0D, 36), (0x0E, 37), (0x0F, 38),
    (0x10, 50), (0x11, 49), (0x12, 24), (0x13, 25), (0x14, 16), (0x15, 19),
    (0x16, 31), (0x17, 20), (0x18, 22), (0x19, 47), (0x1A, 17), (0x1B, 45),
    (0x1C, 21), (0x1D, 44),
    // Digits 1..9, 0.
    (0x1E, 2), (0x1F, 3), (0x20, 4), (0x21, 5), (0x22, 6), (0x23, 7),
    (0x24, 8), (0x25, 9), (0x26, 10), (0x27, 11),
    // Enter, Escape, Backspace, Tab, Space.
    (0x28, 28), (0x29, 1), (0x2A, 14), (0x2B, 15), (0x2C, 57),
    // - = [ ] \ (non-US #) ; ' ` , . /
    (0x2D, 12), (0x2E, 13), (0x2F, 26), (0x30, 27), (0x31, 43), (0x32, 43),
    (0x33, 39), (0x34, 40), (0x35, 41), (0x36, 51), (0x37, 52), (0x38, 53),
    // Caps Lock, F1..F12.
    (0x39, 58), (0x3A, 59), (0x3B, 60), (0x3C, 61), (0x3D, 62), (0x3E, 63),
    (0x3F, 64), (0x40, 65), (0x41, 66), (0x42, 67), (0x43, 68), (0x44, 87),
    (0x45, 88),
    // Print Screen, Scroll Lock, Pause, Insert, Home, Page Up, Delete, End,
    // Page Down, Right, Left, Down, Up.
    (0x46, 99), (0x47, 70), (0x48, 119), (0x49, 110), (0x4A, 102),
    (0x4B, 104), (0x4C, 111), (0x4D, 107), (0x4E, 109), (0x4F, 106),
    (0x50, 105), (0x51, 108), (0x52, 103),
    // Num Lock and the keypad: / * - + Enter 1..9 0 .
    (0x53, 69), (0x54, 98), (0x55, 55), (0x56, 74), (0x57, 78), (0x58, 96),
    (0x59, 79), (0x5A, 80), (0x5B, 81), (0x5C, 75), (0x5D, 76), (0x5E, 77),
    (0x5F, 71), (0x60, 72), (0x61, 73), (0x62, 82), (0x63, 83),
    // The ISO key next to left Shift, Menu (Application), Power, keypad =.
    (0x64, 86), (0x65, 127), (0x66, 116), (0x67, 117),
    // F13..F24.
    (0x68, 183), (0x69, 184), (0x6A, 185), (0x6B, 186), (0x6C, 187),
    (0x6D, 188), (0x6E, 189), (0x6F, 190), (0x70, 191), (0x71, 192),
    (0x72, 193), (0x73, 194),
    // Open, Help, Props, Front, Stop, Again, Undo, Cut, Copy, Paste, Find,
    // Mute, Volume Up, Volume Down.
    (0x74, 134), (0x75, 138), (0x76, 130), (0x77, 132), (0x78, 128),
    (0x79, 129), (0x7A, 131), (0x7B, 137), (0x7C, 133), (0x7D, 135),
    (0x7E, 136), (0x7F, 113), (0x80, 115), (0x81, 114),
    // Keypad comma; the Japanese and Korean keys.
    (0x85, 121), (0x87, 89), (0x88, 93), (0x89, 124), (0x8A, 92), (0x8B, 94),
    (0x8C, 95), (0x90, 122), (0x91, 123), (0x92, 90), (0x93, 91), (0x94, 85),
    // Keypad ( and ).
    (0xB6, 179), (0xB7, 180),
    // Modifiers: left Ctrl, Shift, Alt, GUI; right Ctrl, Shift, Alt, GUI.
    (0xE0, 29), (0xE1, 42), (0xE2, 56), (0xE3, 125), (0xE4, 97), (0xE5, 54),
    (0xE6, 100), (0xE7, 126),
];

const fn build_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < PAIRS.len() {
        let (usage, code) = PAIRS[i];
        table[usage as usize] = code;
        i += 1;
    }
    table
}

/// The X keycode of the physical key with this HID usage, or `None` for a
/// usage that names no key (0x00..=0x03, reserved and vendor usages).
pub fn usage_to_keycode(usage: u8) -> Option<u8> {
    match USAGE_TO_EVDEV[usize::from(usage)] {
        0 => None,
        code => code.checked_add(EVDEV_OFFSET),
    }
}

/// The HID usage of the physical key with this X keycode, or `None` when the
/// key has no HID usage (media keys beyond the keyboard page, for example).
pub fn keycode_to_usage(keycode: u8) -> Option<u8> {
    let code = keycode.checked_sub(EVDEV_OFFSET)?;
    if code == 0 {
        return None;
    }
    PAIRS.iter().find(|(_, c)| *c == code).map(|(u, _)| *u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapped_usage_round_trips_except_the_shared_backslash() {
        for usage in 0..=255u8 {
            let Some(keycode) = usage_to_keycode(usage) else {
                continue;
            };
            let back = keycode_to_usage(keycode);
            if usage == 0x32 {
                assert_eq!(back, Some(0x31));
            } else {
                assert_eq!(back, Some(usage), "usage {usage:#04x}");
            }
        }
    }

    #[test]
    fn known_keys() {
        assert_eq!(usage_to_keycode(0x04), Some(38)); // A
        assert_eq!(usage_to_keycode(0x29), Some(9)); // Esc
        assert_eq!(usage_to_keycode(0xE1), Some(50)); // left Shift
        assert_eq!(usage_to_keycode(0x64), Some(94)); // ISO key
        assert_eq!(usage_to_keycode(0x00), None);
        assert_eq!(keycode_to_usage(8), None);
        assert_eq!(keycode_to_usage(0), None);
    }
}
