//! The serial console's line protocol.
//!
//! On the QEMU board the serial console stands in for the dongle's button
//! and for the person's keyboard plugged into the dongle; on every board it
//! carries a few owner commands for the bench (the owner channel over the
//! network is the real way; see firmware/README.md). One command a line:
//!
//! ```text
//! button                 short press: yes to the open question, or stop control
//! button-long            long press: no to the open question, or end the session
//! key NAME               a local key stroke, e.g. `key esc`, `key ctrl+c`, `key shift+a`
//! invite ADDR...         a new invitation (60 minutes) for these addresses; prints its text
//! invitations            list the invitations and their status
//! revoke ID|all          revoke one invitation, or all
//! control on|off         whether a helper may ever be granted control (off by default)
//! mouse abs|rel          absolute pointer, or the relative mouse BIOS screens need
//! status                 the session's state
//! help                   this list
//! ```

use heapless::{String, Vec};

/// Longest console line the parser takes.
pub const MAX_LINE: usize = 200;
/// Most addresses an `invite` line carries (the invitation's limit).
pub const MAX_INVITE_ADDRESSES: usize = beckon_core::invitation::MAX_ADDRESSES;

/// A local key stroke: modifiers held around one key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stroke {
    /// Modifier usages (0xE0..=0xE7), pressed in order, released in reverse.
    pub modifiers: Vec<u8, 4>,
    /// The key's usage.
    pub usage: u8,
}

/// One console command.
// One command exists at a time, briefly, per console line: the size of the
// `Invite` variant (four addresses inline) costs nothing worth boxing for,
// and there is no allocator to box with.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Command {
    /// The button, pressed briefly.
    Button,
    /// The button, held for two seconds.
    ButtonLong,
    /// A stroke on the person's own keyboard.
    Key(Stroke),
    /// Make an invitation for these addresses.
    Invite(Vec<String<{ beckon_core::invitation::MAX_ADDRESS_BYTES }>, MAX_INVITE_ADDRESSES>),
    /// List invitations.
    Invitations,
    /// Revoke an invitation by its id in hex, or all (`None`).
    Revoke(Option<String<32>>),
    /// Allow or forbid remote control on this dongle.
    Control(bool),
    /// Switch the mouse the target sees.
    Mouse(crate::hid::MouseMode),
    /// Print the state.
    Status,
    /// Print the commands.
    Help,
}

/// Why a line was not understood; the console prints it with `help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParseError {
    /// Empty line.
    Empty,
    /// Unknown command word.
    UnknownCommand,
    /// Missing or bad argument.
    BadArgument,
    /// Unknown key name.
    UnknownKey,
}

/// Parse one line (without its line ending).
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let mut words = line.split_ascii_whitespace();
    let cmd = words.next().ok_or(ParseError::Empty)?;
    let rest: Vec<&str, 8> = words.by_ref().take(8).collect();
    let one = || match rest.as_slice() {
        [w] => Ok(*w),
        _ => Err(ParseError::BadArgument),
    };
    match cmd {
        "button" if rest.is_empty() => Ok(Command::Button),
        "button-long" if rest.is_empty() => Ok(Command::ButtonLong),
        "key" => key(one()?).map(Command::Key),
        "invite" => {
            if rest.is_empty() || rest.len() > MAX_INVITE_ADDRESSES {
                return Err(ParseError::BadArgument);
            }
            let mut out = Vec::new();
            for a in &rest {
                let s = String::try_from(*a).map_err(|_| ParseError::BadArgument)?;
                out.push(s).map_err(|_| ParseError::BadArgument)?;
            }
            Ok(Command::Invite(out))
        }
        "invitations" if rest.is_empty() => Ok(Command::Invitations),
        "revoke" => match one()? {
            "all" => Ok(Command::Revoke(None)),
            id => Ok(Command::Revoke(Some(
                String::try_from(id).map_err(|_| ParseError::BadArgument)?,
            ))),
        },
        "control" => match one()? {
            "on" => Ok(Command::Control(true)),
            "off" => Ok(Command::Control(false)),
            _ => Err(ParseError::BadArgument),
        },
        "mouse" => match one()? {
            "abs" => Ok(Command::Mouse(crate::hid::MouseMode::Absolute)),
            "rel" => Ok(Command::Mouse(crate::hid::MouseMode::Relative)),
            _ => Err(ParseError::BadArgument),
        },
        "status" if rest.is_empty() => Ok(Command::Status),
        "help" | "?" => Ok(Command::Help),
        "button" | "button-long" | "invitations" | "status" => Err(ParseError::BadArgument),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// Parse a key name with optional `ctrl+`, `shift+`, `alt+`, `altgr+`,
/// `gui+` prefixes.
pub fn key(name: &str) -> Result<Stroke, ParseError> {
    let mut modifiers = Vec::new();
    let mut parts = name.split('+').peekable();
    let mut last = "";
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            last = p;
            break;
        }
        let mods = [
            ("ctrl", 0xE0),
            ("shift", 0xE1),
            ("alt", 0xE2),
            ("gui", 0xE3),
            ("altgr", 0xE6),
        ];
        let m = mods
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(p))
            .map(|(_, u)| *u)
            .ok_or(ParseError::UnknownKey)?;
        modifiers.push(m).map_err(|_| ParseError::UnknownKey)?;
    }
    let usage = usage_of(last).ok_or(ParseError::UnknownKey)?;
    Ok(Stroke { modifiers, usage })
}

/// HID usage of a key name (US key positions).
pub fn usage_of(name: &str) -> Option<u8> {
    let named = [
        ("esc", 0x29),
        ("enter", 0x28),
        ("tab", 0x2B),
        ("backspace", 0x2A),
        ("space", 0x2C),
        ("delete", 0x4C),
        ("insert", 0x49),
        ("home", 0x4A),
        ("end", 0x4D),
        ("pageup", 0x4B),
        ("pagedown", 0x4E),
        ("right", 0x4F),
        ("left", 0x50),
        ("down", 0x51),
        ("up", 0x52),
        ("capslock", 0x39),
        ("numlock", 0x53),
        ("scrolllock", 0x47),
    ];
    if let Some((_, u)) = named.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Some(*u);
    }
    let b = name.as_bytes();
    match b {
        [c] if c.is_ascii_alphabetic() => Some(0x04 + (c.to_ascii_lowercase() - b'a')),
        [b'0'] => Some(0x27),
        [c @ b'1'..=b'9'] => Some(0x1E + (c - b'1')),
        [b'f' | b'F', ..] => match name[1..].parse::<u8>() {
            Ok(n @ 1..=12) => Some(0x3A + n - 1),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_commands_parse() {
        assert_eq!(parse("button"), Ok(Command::Button));
        assert_eq!(parse("  button-long "), Ok(Command::ButtonLong));
        let esc = parse("key esc").unwrap();
        assert_eq!(
            esc,
            Command::Key(Stroke {
                modifiers: Vec::new(),
                usage: 0x29
            })
        );
        let Command::Key(cc) = parse("key ctrl+c").unwrap() else {
            panic!()
        };
        assert_eq!((cc.modifiers.as_slice(), cc.usage), (&[0xE0][..], 0x06));
        assert_eq!(parse("control on"), Ok(Command::Control(true)));
        assert_eq!(parse("revoke all"), Ok(Command::Revoke(None)));
        let Command::Invite(a) = parse("invite 127.0.0.1:7070 10.0.2.15:7070").unwrap() else {
            panic!()
        };
        assert_eq!(a.len(), 2);
        assert_eq!(parse("key f12").map(|_| ()), Ok(()));
    }

    #[test]
    fn bad_lines_say_why() {
        assert_eq!(parse(""), Err(ParseError::Empty));
        assert_eq!(parse("launch"), Err(ParseError::UnknownCommand));
        assert_eq!(parse("key hyper+x"), Err(ParseError::UnknownKey));
        assert_eq!(parse("key f13"), Err(ParseError::UnknownKey));
        assert_eq!(parse("control maybe"), Err(ParseError::BadArgument));
        assert_eq!(parse("button now"), Err(ParseError::BadArgument));
        assert_eq!(parse("invite"), Err(ParseError::BadArgument));
    }
}
