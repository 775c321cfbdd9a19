//! Physical keys from the browser (`KeyboardEvent.code`, the W3C UI Events
//! code names) to USB HID usages (page 0x07). Codes name the key's place on
//! the keyboard, not its symbol, so the helper's own layout does not matter:
//! the person's machine applies its layout to the usage.

/// The HID usage of a `KeyboardEvent.code`, or `None` for keys HID has no
/// usage for (or that the browser did not name).
pub fn usage(code: &str) -> Option<u8> {
    if let Some(letter) = code.strip_prefix("Key") {
        let b = single(letter)?;
        return b.is_ascii_uppercase().then(|| 0x04 + (b - b'A'));
    }
    if let Some(digit) = code.strip_prefix("Digit") {
        let b = single(digit)?;
        return match b {
            b'1'..=b'9' => Some(0x1E + (b - b'1')),
            b'0' => Some(0x27),
            _ => None,
        };
    }
    if let Some(n) = code.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
        return match n {
            1..=12 => Some(0x3A + n - 1),
            13..=24 => Some(0x68 + n - 13),
            _ => None,
        };
    }
    if let Some(rest) = code.strip_prefix("Numpad") {
        if let Some(b) = single(rest).filter(u8::is_ascii_digit) {
            return Some(if b == b'0' { 0x62 } else { 0x59 + (b - b'1') });
        }
    }
    Some(match code {
        "Enter" => 0x28,
        "Escape" => 0x29,
        "Backspace" => 0x2A,
        "Tab" => 0x2B,
        "Space" => 0x2C,
        "Minus" => 0x2D,
        "Equal" => 0x2E,
        "BracketLeft" => 0x2F,
        "BracketRight" => 0x30,
        "Backslash" => 0x31,
        "Semicolon" => 0x33,
        "Quote" => 0x34,
        "Backquote" => 0x35,
        "Comma" => 0x36,
        "Period" => 0x37,
        "Slash" => 0x38,
        "CapsLock" => 0x39,
        "PrintScreen" => 0x46,
        "ScrollLock" => 0x47,
        "Pause" => 0x48,
        "Insert" => 0x49,
        "Home" => 0x4A,
        "PageUp" => 0x4B,
        "Delete" => 0x4C,
        "End" => 0x4D,
        "PageDown" => 0x4E,
        "ArrowRight" => 0x4F,
        "ArrowLeft" => 0x50,
        "ArrowDown" => 0x51,
        "ArrowUp" => 0x52,
        "NumLock" => 0x53,
        "NumpadDivide" => 0x54,
        "NumpadMultiply" => 0x55,
        "NumpadSubtract" => 0x56,
        "NumpadAdd" => 0x57,
        "NumpadEnter" => 0x58,
        "NumpadDecimal" => 0x63,
        // The key between left Shift and Z on ISO keyboards (< > on German,
        // Norwegian and Dutch keyboards).
        "IntlBackslash" => 0x64,
        "ContextMenu" => 0x65,
        "NumpadEqual" => 0x67,
        "IntlRo" => 0x87,
        "IntlYen" => 0x89,
        "ControlLeft" => 0xE0,
        "ShiftLeft" => 0xE1,
        "AltLeft" => 0xE2,
        "MetaLeft" => 0xE3,
        "ControlRight" => 0xE4,
        "ShiftRight" => 0xE5,
        "AltRight" => 0xE6,
        "MetaRight" => 0xE7,
        _ => return None,
    })
}

fn single(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [b] => Some(*b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::usage;

    #[test]
    fn letters_digits_and_function_keys() {
        assert_eq!(usage("KeyA"), Some(0x04));
        assert_eq!(usage("KeyZ"), Some(0x1D));
        assert_eq!(usage("Digit1"), Some(0x1E));
        assert_eq!(usage("Digit0"), Some(0x27));
        assert_eq!(usage("F1"), Some(0x3A));
        assert_eq!(usage("F12"), Some(0x45));
        assert_eq!(usage("F13"), Some(0x68));
        assert_eq!(usage("Numpad1"), Some(0x59));
        assert_eq!(usage("Numpad0"), Some(0x62));
    }

    #[test]
    fn keys_that_differ_between_layouts_go_by_place() {
        // On a German keyboard this key types ü; on a US one [. Same usage.
        assert_eq!(usage("BracketLeft"), Some(0x2F));
        assert_eq!(usage("IntlBackslash"), Some(0x64));
        assert_eq!(usage("AltRight"), Some(0xE6));
        assert_eq!(usage("Escape"), Some(0x29));
    }

    #[test]
    fn unknown_codes_have_no_usage() {
        for code in [
            "",
            "Key",
            "Keya",
            "KeyAB",
            "Digit",
            "F0",
            "F25",
            "Fn",
            "Unidentified",
            "Numpad",
        ] {
            assert_eq!(usage(code), None, "{code}");
        }
    }

    #[test]
    fn usages_are_distinct() {
        let codes = [
            "KeyA",
            "KeyQ",
            "Digit5",
            "F5",
            "F17",
            "Numpad5",
            "Enter",
            "NumpadEnter",
            "Minus",
            "NumpadSubtract",
            "ControlLeft",
            "ControlRight",
        ];
        let mut seen: Vec<u8> = codes.iter().filter_map(|c| usage(c)).collect();
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n);
        assert_eq!(n, codes.len());
    }
}
