//! Which file names a transfer may carry.
//!
//! The receiver saves an offered file under the offered name in a folder it
//! chose, so the name comes from the untrusted peer and must never reach
//! outside that folder or mean something other than a plain file. Beckon
//! accepts only names that are a single, portable file name on Linux, macOS
//! and Windows alike, and both halves apply the same rule: a sender refuses to
//! offer what a receiver would refuse to take. A driver offering a file whose
//! local name breaks a rule (say `notes: draft?.txt` on Linux) should offer a
//! cleaned-up name instead.
//!
//! Refused, with the first matching reason in this order:
//! - [`NameError::Empty`]: no characters at all;
//! - [`NameError::TooLong`]: more than [`MAX_FILE_NAME_BYTES`] bytes of UTF-8;
//! - [`NameError::ControlCharacter`]: any Unicode control character (C0, DEL,
//!   C1), and the bidirectional-text controls (U+061C, U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069). The latter make `invoice\u{202E}fdp.exe`
//!   look like `invoiceexe.pdf` in a file list;
//! - [`NameError::Absolute`]: starts with `/` or `\` (root, UNC `\\server`);
//! - [`NameError::DriveLetter`]: starts with a letter and a colon (`C:`,
//!   `C:evil.exe`, which Windows resolves against that drive's current folder);
//! - [`NameError::ParentDir`]: has a `..` component (`..`, `../x`, `a\..\b`);
//! - [`NameError::PathSeparator`]: contains `/` or `\` anywhere else;
//! - [`NameError::CurrentDir`]: is exactly `.`;
//! - [`NameError::Reserved`]: what Windows would not store as named: the
//!   device names `CON`, `PRN`, `AUX`, `NUL`, `CONIN$`, `CONOUT$`, `COM0`–`COM9`,
//!   `LPT0`–`LPT9` (also with superscript ¹²³), in any case and with any
//!   extension (`nul.txt`); a trailing dot or space (Windows drops them, so
//!   `run.exe.` would become `run.exe`); and the characters `< > : " | ? *`
//!   (`:` also names NTFS alternate data streams, `report.txt:hidden`).

use crate::message::MAX_FILE_NAME_BYTES;

/// Why a file name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NameError {
    /// The name is empty.
    #[error("the file name is empty")]
    Empty,
    /// The name is longer than [`MAX_FILE_NAME_BYTES`] bytes.
    #[error("the file name is longer than {MAX_FILE_NAME_BYTES} bytes")]
    TooLong,
    /// The name contains `/` or `\`: it would name a file in another folder.
    #[error("the file name contains a path separator")]
    PathSeparator,
    /// The name is or contains the parent folder `..`.
    #[error("the file name refers to a parent folder")]
    ParentDir,
    /// The name is the current folder `.`.
    #[error("the file name refers to the current folder")]
    CurrentDir,
    /// The name starts at a root (`/`, `\`, `\\server`).
    #[error("the file name is an absolute path")]
    Absolute,
    /// The name starts with a drive letter (`C:`).
    #[error("the file name starts with a drive letter")]
    DriveLetter,
    /// The name contains a control or bidirectional-text control character.
    #[error("the file name contains a control character")]
    ControlCharacter,
    /// The name is reserved on Windows, ends with a dot or space, or contains
    /// a character Windows does not allow.
    #[error("the file name is reserved or not portable")]
    Reserved,
}

/// Checks that `name` is a single portable file name (see the module
/// documentation for the exact rules).
pub fn validate_file_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(NameError::TooLong);
    }
    if name.chars().any(is_forbidden_control) {
        return Err(NameError::ControlCharacter);
    }
    if name.starts_with(is_separator) {
        return Err(NameError::Absolute);
    }
    if starts_with_drive_letter(name) {
        return Err(NameError::DriveLetter);
    }
    if name.split(is_separator).any(|part| part == "..") {
        return Err(NameError::ParentDir);
    }
    if name.contains(is_separator) {
        return Err(NameError::PathSeparator);
    }
    if name == "." {
        return Err(NameError::CurrentDir);
    }
    if name.ends_with(['.', ' ']) || name.contains(is_windows_forbidden) || is_device_name(name) {
        return Err(NameError::Reserved);
    }
    Ok(())
}

fn is_separator(c: char) -> bool {
    c == '/' || c == '\\'
}

/// Control characters, plus the characters that reorder how text is shown.
fn is_forbidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn starts_with_drive_letter(name: &str) -> bool {
    let mut chars = name.chars();
    matches!((chars.next(), chars.next()), (Some(letter), Some(':')) if letter.is_ascii_alphabetic())
}

/// Characters Windows refuses in a file name (separators are handled apart).
fn is_windows_forbidden(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

/// Windows device names, which open the device instead of a file whatever
/// the extension (`NUL.txt`) and whatever trailing spaces precede it.
fn is_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    const PLAIN: [&str; 6] = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];
    if PLAIN.iter().any(|device| stem.eq_ignore_ascii_case(device)) {
        return true;
    }
    // COM0–COM9 and LPT0–LPT9, and the superscript digits Windows also maps.
    let mut chars = stem.chars();
    let prefix: [Option<char>; 3] = [chars.next(), chars.next(), chars.next()];
    let digit = chars.next();
    let is_port_prefix = |word: &str| {
        word.chars()
            .zip(prefix)
            .all(|(w, p)| p.is_some_and(|p| p.eq_ignore_ascii_case(&w)))
    };
    let is_port_digit = matches!(digit, Some('0'..='9' | '¹' | '²' | '³'));
    chars.next().is_none() && is_port_digit && (is_port_prefix("COM") || is_port_prefix("LPT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_07_hostile_names_are_refused() {
        let too_long = [b'a'; MAX_FILE_NAME_BYTES + 1];
        let too_long = core::str::from_utf8(&too_long).unwrap();
        let table: &[(&str, NameError)] = &[
            ("", NameError::Empty),
            (too_long, NameError::TooLong),
            ("/etc/passwd", NameError::Absolute),
            ("\\Windows\\System32\\evil.dll", NameError::Absolute),
            ("\\\\server\\share\\x", NameError::Absolute),
            ("C:", NameError::DriveLetter),
            ("c:evil.exe", NameError::DriveLetter),
            ("C:\\Users\\me\\evil.exe", NameError::DriveLetter),
            ("..", NameError::ParentDir),
            ("../../.ssh/authorized_keys", NameError::ParentDir),
            ("a\\..\\b", NameError::ParentDir),
            ("docs/readme.txt", NameError::PathSeparator),
            ("docs\\readme.txt", NameError::PathSeparator),
            ("./x", NameError::PathSeparator),
            ("trailing/", NameError::PathSeparator),
            (".", NameError::CurrentDir),
            ("bell\u{7}.txt", NameError::ControlCharacter),
            ("line\nbreak.txt", NameError::ControlCharacter),
            ("nul\0.txt", NameError::ControlCharacter),
            ("del\u{7f}.txt", NameError::ControlCharacter),
            ("c1\u{85}.txt", NameError::ControlCharacter),
            ("invoice\u{202E}fdp.exe", NameError::ControlCharacter),
            ("isolate\u{2067}.txt", NameError::ControlCharacter),
            ("CON", NameError::Reserved),
            ("con", NameError::Reserved),
            ("nul.txt", NameError::Reserved),
            ("NUL .txt", NameError::Reserved),
            ("Aux.tar.gz", NameError::Reserved),
            ("prn", NameError::Reserved),
            ("COM1", NameError::Reserved),
            ("lpt9.log", NameError::Reserved),
            ("COM¹", NameError::Reserved),
            ("CONOUT$", NameError::Reserved),
            ("run.exe.", NameError::Reserved),
            ("run.exe ", NameError::Reserved),
            ("...", NameError::Reserved),
            (" ", NameError::Reserved),
            ("report.txt:hidden", NameError::Reserved),
            ("what?.txt", NameError::Reserved),
            ("a*b", NameError::Reserved),
            ("a<b>c", NameError::Reserved),
            ("pipe|name", NameError::Reserved),
            ("quote\"d", NameError::Reserved),
        ];
        for (name, expected) in table {
            assert_eq!(validate_file_name(name), Err(*expected), "{name:?}");
        }
    }

    #[test]
    fn ses_07_ordinary_names_are_accepted() {
        let longest = [b'a'; MAX_FILE_NAME_BYTES];
        let longest = core::str::from_utf8(&longest).unwrap();
        for name in [
            "report.pdf",
            "Screenshot 2024-05-01 at 10.03.11.png",
            ".bashrc",
            "archive.tar.gz",
            "a..b",
            "..hidden",
            "con-notes.txt",
            "CONSOLE.txt",
            "COM10",
            "LPT",
            "nul_device.txt",
            "résumé.docx",
            "写真.jpg",
            " leading space.txt",
            "~",
            "c",
            longest,
        ] {
            assert_eq!(validate_file_name(name), Ok(()), "{name:?}");
        }
    }
}
