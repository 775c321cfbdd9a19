//! The copy-paste text and `.beckon` file forms of an invitation (INV-01, INV-11).
//!
//! The format, and why it is built this way, is described in the
//! `invitation` module's documentation (section *Text form*).
//!
//! **Crates weighed.** `crc` provides the checksum (no_std, const tables).
//! `bech32` was rejected because its guarantees end at 89 characters (see
//! the module docs) and its alphabet keeps `l` and `0`. `data-encoding` can express Crockford's alphabet but,
//! without `alloc`, only through its proc-macro companion, and its decoder
//! needs the whitespace-free text copied into a buffer first; `base32` needs
//! `alloc`; `base32ct` has only RFC 4648 alphabets. The streaming base32 below
//! is a few lines, reads the text in place and reports the offset of a bad
//! character in the original text.

use core::fmt::Write as _;
use core::str::CharIndices;

use super::{Invitation, InvitationError, MAX_ENCODED_BYTES};

/// Every invitation text starts with this (the digit is the text format's
/// version; any other digit is reported as
/// [`InvitationError::UnsupportedVersion`]).
pub const TEXT_PREFIX: &str = "beckon1:";

/// Text format version, the digit in [`TEXT_PREFIX`].
const TEXT_VERSION: u8 = 1;

/// What every text form starts with, before the version digits.
const PREFIX_NAME: &str = "beckon";

/// The symbols, each standing for its index (Crockford's base32).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

const HEADER_BYTES: usize = 4;
const CHECKSUM_BYTES: usize = 4;
const MAX_FRAME_BYTES: usize = HEADER_BYTES + MAX_ENCODED_BYTES + CHECKSUM_BYTES;

/// Base32 characters needed for `bytes` bytes.
const fn base32_len(bytes: usize) -> usize {
    (bytes * 8).div_ceil(5)
}

/// Capacity of [`Invitation::to_text`]'s result: enough for any invitation.
pub const TEXT_CAP: usize = TEXT_PREFIX.len() + base32_len(MAX_FRAME_BYTES);

/// Comment lines at the top of every `.beckon` file. Readers skip every line
/// that starts with `#`, so a later Beckon may write other comments.
pub const FILE_HEADER: &str = "# Beckon invitation: someone you know is asking for your help.\n\
                               # Open this file with Beckon, or paste the text below into Beckon.\n";

/// Characters per line of the text in a `.beckon` file: short enough that a
/// mail program never wraps it on its own.
pub const FILE_LINE_WIDTH: usize = 64;

/// Capacity of [`Invitation::to_file`]'s result: header, text, and one line
/// break per line of text.
pub const FILE_CAP: usize = FILE_HEADER.len() + TEXT_CAP + TEXT_CAP.div_ceil(FILE_LINE_WIDTH);

/// CRC-32C without a lookup table: the text is a few hundred bytes, and the
/// 1 KiB table is flash the dongle can spend better.
const CRC32C: crc::Crc<u32, crc::NoTable> = crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISCSI);

pub(super) fn to_text(
    invitation: &Invitation,
) -> Result<heapless::String<TEXT_CAP>, InvitationError> {
    let mut frame = [0u8; MAX_FRAME_BYTES];
    let frame_len = write_frame(invitation, &mut frame)?;
    let frame = frame
        .get(..frame_len)
        .ok_or(InvitationError::BufferTooSmall)?;

    let mut text = heapless::String::new();
    text.push_str(TEXT_PREFIX)
        .map_err(|_| InvitationError::BufferTooSmall)?;
    for symbol in Base32Symbols::new(frame) {
        text.push(symbol)
            .map_err(|_| InvitationError::BufferTooSmall)?;
    }
    Ok(text)
}

pub(super) fn to_file(
    invitation: &Invitation,
) -> Result<heapless::String<FILE_CAP>, InvitationError> {
    let text = to_text(invitation)?;
    let mut file = heapless::String::new();
    file.push_str(FILE_HEADER)
        .map_err(|_| InvitationError::BufferTooSmall)?;
    let mut column = 0;
    for character in text.chars() {
        if column == FILE_LINE_WIDTH {
            file.push('\n')
                .map_err(|_| InvitationError::BufferTooSmall)?;
            column = 0;
        }
        file.push(character)
            .map_err(|_| InvitationError::BufferTooSmall)?;
        column += 1;
    }
    file.write_char('\n')
        .map_err(|_| InvitationError::BufferTooSmall)?;
    Ok(file)
}

pub(super) fn from_text(text: &str) -> Result<Invitation, InvitationError> {
    decode_chars(text.char_indices())
}

pub(super) fn from_file(contents: &str) -> Result<Invitation, InvitationError> {
    decode_chars(WithoutComments::new(contents))
}

/// Frame the invitation: header, payload, checksum. Returns the frame length.
fn write_frame(
    invitation: &Invitation,
    frame: &mut [u8; MAX_FRAME_BYTES],
) -> Result<usize, InvitationError> {
    let (header, rest) = frame.split_at_mut(HEADER_BYTES);
    let payload_len = invitation.encode(rest)?;
    let len = u16::try_from(payload_len).map_err(|_| InvitationError::BufferTooSmall)?;
    let [high, low] = len.to_be_bytes();
    header.copy_from_slice(&[high, low, !high, !low]);

    let checked_len = HEADER_BYTES + payload_len;
    let checked = frame
        .get(..checked_len)
        .ok_or(InvitationError::BufferTooSmall)?;
    let checksum = CRC32C.checksum(checked).to_be_bytes();
    frame
        .get_mut(checked_len..checked_len + CHECKSUM_BYTES)
        .ok_or(InvitationError::BufferTooSmall)?
        .copy_from_slice(&checksum);
    Ok(checked_len + CHECKSUM_BYTES)
}

/// Decode text given as (byte offset, character) pairs.
///
/// The checks run from the outside in, so each failure gets the most useful
/// name: prefix and text version first (a newer format may change everything
/// after it), then the characters, then the length (truncation), then the
/// checksum (typos), and only then the content.
fn decode_chars(chars: impl Iterator<Item = (usize, char)>) -> Result<Invitation, InvitationError> {
    let mut chars = chars.filter(|&(_, c)| !is_ignorable(c));
    read_prefix(&mut chars)?;

    let mut frame = heapless::Vec::<u8, MAX_FRAME_BYTES>::new();
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for (offset, character) in chars {
        if character == '-' {
            continue;
        }
        let value = symbol_value(character)
            .ok_or(InvitationError::InvalidCharacter { character, offset })?;
        acc = (acc << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            let byte =
                u8::try_from((acc >> bits) & 0xff).map_err(|_| InvitationError::Malformed)?;
            // Longer than any invitation: not something Beckon wrote.
            frame.push(byte).map_err(|_| InvitationError::Malformed)?;
            acc &= (1 << bits) - 1;
        }
    }
    // A well-formed text leaves fewer than 5 unused bits, all zero. More, or
    // set bits, mean a character too many or a changed last character.
    let canonical_end = bits < 5 && acc == 0;

    let (header, rest) = frame
        .split_first_chunk::<HEADER_BYTES>()
        .ok_or(InvitationError::Truncated)?;
    let [high, low, high_complement, low_complement] = *header;
    if high != !high_complement || low != !low_complement {
        return Err(InvitationError::BadChecksum);
    }
    let payload_len = usize::from(u16::from_be_bytes([high, low]));
    let expected_rest = payload_len + CHECKSUM_BYTES;
    if rest.len() < expected_rest {
        return Err(InvitationError::Truncated);
    }
    if rest.len() > expected_rest || !canonical_end {
        return Err(InvitationError::BadChecksum);
    }
    let (payload, checksum) = rest
        .split_at_checked(payload_len)
        .ok_or(InvitationError::Truncated)?;
    let mut digest = CRC32C.digest();
    digest.update(header);
    digest.update(payload);
    if checksum != digest.finalize().to_be_bytes() {
        return Err(InvitationError::BadChecksum);
    }
    // The frame is complete and intact here, so content that ends early was
    // written that way: malformed, not truncated in transit.
    Invitation::decode(payload).map_err(|e| match e {
        InvitationError::Truncated => InvitationError::Malformed,
        other => other,
    })
}

/// Consume `beckon<digits>:` from the start, case-insensitively.
fn read_prefix(chars: &mut impl Iterator<Item = (usize, char)>) -> Result<(), InvitationError> {
    let mut label = heapless::String::<16>::new();
    loop {
        let (_, character) = chars.next().ok_or(InvitationError::WrongPrefix)?;
        if character == ':' {
            break;
        }
        label
            .push(character.to_ascii_lowercase())
            .map_err(|_| InvitationError::WrongPrefix)?;
    }
    let digits = label
        .strip_prefix(PREFIX_NAME)
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(InvitationError::WrongPrefix)?;
    // Versions past 255 are certainly newer than this build as well.
    let version = digits.parse::<u8>().unwrap_or(u8::MAX);
    if version != TEXT_VERSION {
        return Err(InvitationError::UnsupportedVersion(version));
    }
    Ok(())
}

/// Characters skipped anywhere: whitespace (line breaks included) and the
/// byte-order mark some editors put at the start of a file.
fn is_ignorable(character: char) -> bool {
    character.is_whitespace() || character == '\u{feff}'
}

/// The value of one base32 symbol, accepting upper case and Crockford's
/// aliases (`o` for `0`, `i` and `l` for `1`).
fn symbol_value(character: char) -> Option<u8> {
    let normalised = match character.to_ascii_lowercase() {
        'o' => '0',
        'i' | 'l' => '1',
        other => other,
    };
    let byte = u8::try_from(normalised).ok()?;
    let index = ALPHABET.iter().position(|&symbol| symbol == byte)?;
    u8::try_from(index).ok()
}

/// The base32 symbols of a byte string, most significant bits first; the last
/// symbol is padded with zero bits.
struct Base32Symbols<'a> {
    bytes: core::slice::Iter<'a, u8>,
    acc: u16,
    bits: u32,
}

impl<'a> Base32Symbols<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Base32Symbols {
            bytes: bytes.iter(),
            acc: 0,
            bits: 0,
        }
    }

    fn symbol(value: u16) -> char {
        // The mask keeps the index below 32, the alphabet's length.
        char::from(ALPHABET[usize::from(value & 0x1f)])
    }
}

impl Iterator for Base32Symbols<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if self.bits < 5 {
            match self.bytes.next() {
                Some(&byte) => {
                    self.acc = (self.acc << 8) | u16::from(byte);
                    self.bits += 8;
                }
                None if self.bits > 0 => {
                    let symbol = Self::symbol(self.acc << (5 - self.bits));
                    self.bits = 0;
                    return Some(symbol);
                }
                None => return None,
            }
        }
        self.bits -= 5;
        let symbol = Self::symbol(self.acc >> self.bits);
        self.acc &= (1 << self.bits) - 1;
        Some(symbol)
    }
}

/// The characters of a `.beckon` file with comment lines (first non-blank
/// character `#`) left out, keeping each character's byte offset.
struct WithoutComments<'a> {
    chars: CharIndices<'a>,
    at_line_start: bool,
    in_comment: bool,
}

impl<'a> WithoutComments<'a> {
    fn new(contents: &'a str) -> Self {
        WithoutComments {
            chars: contents.char_indices(),
            at_line_start: true,
            in_comment: false,
        }
    }
}

impl Iterator for WithoutComments<'_> {
    type Item = (usize, char);

    fn next(&mut self) -> Option<(usize, char)> {
        loop {
            let (offset, character) = self.chars.next()?;
            if character == '\n' {
                self.at_line_start = true;
                self.in_comment = false;
                return Some((offset, character));
            }
            if self.in_comment {
                continue;
            }
            if self.at_line_start {
                if is_ignorable(character) {
                    return Some((offset, character));
                }
                self.at_line_start = false;
                if character == '#' {
                    self.in_comment = true;
                    continue;
                }
            }
            return Some((offset, character));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_symbols(text: &str) -> heapless::Vec<u8, 64> {
        let mut out = heapless::Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in text.chars() {
            acc = (acc << 5) | u32::from(symbol_value(c).unwrap());
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push(((acc >> bits) & 0xff) as u8).unwrap();
                acc &= (1 << bits) - 1;
            }
        }
        out
    }

    #[test]
    fn base32_matches_crockford_reference() {
        // "Hello" in Crockford base32 is 91JPRV3F (upper case in the spec).
        let text: heapless::String<16> = Base32Symbols::new(b"Hello").collect();
        assert_eq!(text, "91jprv3f");
        // One byte: 8 bits -> 2 symbols, 2 zero padding bits.
        let text: heapless::String<16> = Base32Symbols::new(&[0xff]).collect();
        assert_eq!(text, "zw");
    }

    #[test]
    fn base32_round_trips_every_length() {
        let data: [u8; 40] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        for len in 0..=data.len() {
            let text: heapless::String<128> = Base32Symbols::new(&data[..len]).collect();
            assert_eq!(text.len(), base32_len(len));
            assert_eq!(decode_symbols(&text).as_slice(), &data[..len]);
        }
    }

    #[test]
    fn crockford_aliases_and_case_are_accepted() {
        assert_eq!(symbol_value('O'), Some(0));
        assert_eq!(symbol_value('o'), Some(0));
        assert_eq!(symbol_value('I'), Some(1));
        assert_eq!(symbol_value('L'), Some(1));
        assert_eq!(symbol_value('Z'), Some(31));
        assert_eq!(symbol_value('u'), None);
        assert_eq!(symbol_value('é'), None);
    }

    #[test]
    fn crc32c_is_castagnoli() {
        // The standard check value of CRC-32C.
        assert_eq!(CRC32C.checksum(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn comments_are_skipped_only_at_line_start() {
        let kept: heapless::String<32> = WithoutComments::new("# hi\n  #x\nab#c\n")
            .map(|(_, c)| c)
            .collect();
        assert_eq!(kept, "\n  \nab#c\n");
    }
}
