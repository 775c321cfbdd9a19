//! Invitations: how a novice asks for help (requested help, INV-01…INV-11).
//!
//! An [`Invitation`] is the *public* half: everything the expert needs to
//! reach the novice and open a Noise `NK` handshake to the novice's key. It
//! travels as a `.beckon` file, as copy-paste text ([`Invitation::to_text`])
//! or inside a live request. Nothing in it is secret: whoever holds it learns
//! where to connect and the password's salt, never the password (INV-10).
//!
//! The *secret* half stays on the novice's machine in the
//! [`InvitationBook`]: the invitation's X25519 static secret, the password
//! verifier and the invitation's fate (revoked, used, failed guesses). The
//! book decides at connect time whether an expert may proceed
//! ([`InvitationBook::check`]).
//!
//! # Text form
//!
//! ```text
//! beckon1:<base32 of frame>
//! frame = len:u16be  !len:u16be  payload[len]  crc32c:u32be
//! ```
//!
//! - `payload` is [`Invitation::encode`]: wire version byte + postcard.
//! - `len` and its bitwise complement say how long the payload is, so a text
//!   that was cut short is reported as [`InvitationError::Truncated`] rather
//!   than as a typo. The complement makes a typo in the length itself show as
//!   [`InvitationError::BadChecksum`] (one character spans at most 5 bits, and
//!   never the same bit of both copies) instead of a bogus "truncated".
//! - `crc32c` is CRC-32C (Castagnoli) over `len`, `!len` and `payload`.
//!
//! **Alphabet.** Crockford's base32 in lower case,
//! `0123456789abcdefghjkmnpqrstvwxyz`: no `i`, `l`, `o` or `u`, so nothing
//! looks or sounds like something else. On input, upper case is accepted and
//! the commonly confused `o`, `i` and `l` are read as `0`, `1` and `1`.
//! Whitespace, line breaks and hyphens are ignored anywhere, so mail clients
//! that wrap lines or a person who groups characters do no harm. The output
//! is not grouped with hyphens: a single unbroken word survives double-click
//! selection in chat programs, which is how most people copy it.
//!
//! **Checksum.** A CRC over the bytes rather than bech32's BCH code: bech32
//! guarantees its detection of up to 4 wrong characters only for strings of
//! at most 89 characters, and invitations are 150–700 characters long. A
//! CRC-32 detects *every* error burst up to 32 bits long. One mistyped
//! character changes at most 5 consecutive bits and two swapped neighbours at
//! most 10, so both are always caught at any length; other damage slips
//! through with probability 2⁻³². CRC-32C has a larger Hamming distance than
//! the common IEEE CRC-32 at these lengths.
//!
//! A `.beckon` file is [`FILE_HEADER`] (comment lines starting with `#`)
//! followed by the same text wrapped at [`FILE_LINE_WIDTH`] characters.
//!
//! # Passwords
//!
//! The password never travels and is never stored. The novice keeps a
//! *verifier*, [`derive_password_key`]`(password, params)`; the invitation carries
//! only the public [`PasswordParams`] (salt and rounds). The expert derives the
//! same key from the typed password and sends
//! [`password_proof`]`(key, binding)` inside the first Noise `NK` message, which
//! is encrypted to the novice's key, and `binding` is unique to that
//! handshake. Consequences:
//! - an eavesdropper sees only ciphertext;
//! - someone holding the invitation file has the salt but nothing to test a
//!   guess against, so every guess costs a connection the novice counts
//!   (INV-10);
//! - a recorded proof is useless in another handshake (different binding).
//!
//! The book compares with [`proof_matches`], in constant time.
//!
//! # Connecting
//!
//! The novice's `NK` responder does not know in advance which invitation an
//! expert holds: it tries the secret keys of the book's entries
//! ([`InvitationBook::entries`], [`BookEntry::secret_key`]), dead ones
//! included so that the expert hears *why* (expired, revoked…) instead of a
//! failed handshake. The key that decrypted the first message, the claimed
//! id and the proof then go to [`InvitationBook::check`]; after the novice
//! accepts the session, [`InvitationBook::mark_used`].
//!
//! # Layout
//!
//! - this file: the invitation itself, its identifier and its byte form;
//! - `text.rs`: the copy-paste text and the `.beckon` file;
//! - `password.rs`: password key derivation and the online proof;
//! - `book.rs`: the novice's book of invitations and the connect-time check.

mod book;
mod password;
mod text;

use core::fmt;

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};

use crate::message::{self, DecodeError, MAX_NAME_BYTES};

pub use book::{BookEntry, BookError, InvitationBook, InvitationStatus, NewInvitation};
pub use password::{
    derive_password_key, password_proof, proof_matches, PasswordParams, DEFAULT_KDF_ITERATIONS,
    MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS, SALT_BYTES,
};
pub use text::{FILE_CAP, FILE_HEADER, FILE_LINE_WIDTH, TEXT_CAP, TEXT_PREFIX};

/// Most network addresses one invitation lists for the expert to try.
pub const MAX_ADDRESSES: usize = 4;

/// Longest address, in bytes of UTF-8 (e.g. `"192.0.2.4:7070"`, a host name
/// and port, or a relay rendezvous).
pub const MAX_ADDRESS_BYTES: usize = 64;

/// Wrong passwords tolerated before an invitation locks (INV-10).
pub const DEFAULT_MAX_FAILURES: u8 = 3;

/// Longest byte form of an invitation ([`Invitation::encode`]): the version
/// byte plus the largest postcard encoding of every field. Postcard writes
/// lengths and integers as varints: one byte for lengths up to 127, at most
/// 10 bytes for a `u64` and 5 for a `u32`.
pub const MAX_ENCODED_BYTES: usize = 1 // wire version
    + 16 // id
    + 32 // novice_key
    + 1 + MAX_NAME_BYTES // novice_name
    + 10 // expires_at_ms
    + 1 + MAX_ADDRESSES * (1 + MAX_ADDRESS_BYTES) // addresses
    + 1 + SALT_BYTES + 5; // password: option tag, salt, iterations

/// One network address the expert should try.
pub type Address = heapless::String<MAX_ADDRESS_BYTES>;

/// An invitation's identifier: 128 random bits, made fresh per invitation.
///
/// Shown to people as 32 lowercase hex digits ([`fmt::Display`]) and read
/// back with [`InvitationId::from_hex`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InvitationId(pub [u8; 16]);

impl InvitationId {
    /// A fresh random identifier.
    pub fn random(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        InvitationId(bytes)
    }

    /// Parse 32 hex digits (either case, surrounding whitespace ignored), as
    /// written by [`fmt::Display`]. `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        let digits = text.trim().as_bytes();
        if digits.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let (&high, &low) = (pair.first()?, pair.get(1)?);
            *byte = (hex_value(high)? << 4) | hex_value(low)?;
        }
        Some(InvitationId(bytes))
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

impl fmt::Display for InvitationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// The public invitation the expert receives (as a file, as text or in a live
/// request).
///
/// It binds the invitation id to the novice's key (INV-11): the expert's first
/// handshake message is encrypted to `novice_key`, and the novice's book only
/// admits the id whose own key decrypted it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Invitation {
    /// Which invitation this is.
    pub id: InvitationId,
    /// The novice's X25519 static *public* key, fresh for this invitation.
    pub novice_key: [u8; 32],
    /// The novice's display name, so the expert knows who asks.
    pub novice_name: heapless::String<MAX_NAME_BYTES>,
    /// When the invitation stops working, wall-clock Unix time in ms (INV-03).
    pub expires_at_ms: u64,
    /// Where the expert should try to connect, best first.
    pub addresses: heapless::Vec<Address, MAX_ADDRESSES>,
    /// Present when the invitation needs a password (INV-02).
    pub password: Option<PasswordParams>,
}

impl Invitation {
    /// Whether the expert must type a password (INV-05).
    pub fn needs_password(&self) -> bool {
        self.password.is_some()
    }

    /// Whether the invitation has expired at `now_ms` (it expires *at*
    /// `expires_at_ms`).
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }

    /// Write the byte form (version byte + postcard) into `out`; returns the
    /// length. [`MAX_ENCODED_BYTES`] always suffices.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, InvitationError> {
        message::encode_value(self, out).map_err(|_| InvitationError::BufferTooSmall)
    }

    /// Read the byte form written by [`Invitation::encode`]. Rejects trailing
    /// bytes and password settings outside the accepted range. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Invitation, InvitationError> {
        let invitation: Invitation = message::decode_value(bytes).map_err(|e| match e {
            DecodeError::Truncated => InvitationError::Truncated,
            DecodeError::UnsupportedVersion(v) => InvitationError::UnsupportedVersion(v),
            DecodeError::Malformed => InvitationError::Malformed,
        })?;
        if let Some(params) = &invitation.password {
            params.validate()?;
        }
        Ok(invitation)
    }

    /// The copy-paste text form, `beckon1:` followed by checksummed base32
    /// (see the module documentation for the format and why).
    pub fn to_text(&self) -> Result<heapless::String<TEXT_CAP>, InvitationError> {
        text::to_text(self)
    }

    /// Read the text form. Tolerates surrounding and embedded whitespace and
    /// line breaks, hyphens, upper case, and the letters `o`, `i` and `l`
    /// typed for the digits `0`, `1` and `1`.
    pub fn from_text(text: &str) -> Result<Invitation, InvitationError> {
        text::from_text(text)
    }

    /// The contents of a `.beckon` file: [`FILE_HEADER`] comment lines, then
    /// the text form wrapped at [`FILE_LINE_WIDTH`] characters.
    pub fn to_file(&self) -> Result<heapless::String<FILE_CAP>, InvitationError> {
        text::to_file(self)
    }

    /// Read a `.beckon` file: lines starting with `#` are comments, the rest
    /// is the text form, possibly wrapped over several lines.
    pub fn from_file(contents: &str) -> Result<Invitation, InvitationError> {
        text::from_file(contents)
    }
}

/// Why an invitation could not be read or written (INV-11).
///
/// Each variant tells a person what to do about it: a wrong prefix means this
/// is not an invitation at all; a bad checksum means a typo; truncated means
/// part of it was not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InvitationError {
    /// The text does not start with `beckon1:`; it is not a Beckon invitation.
    #[error("this is not a Beckon invitation: it should start with \"beckon1:\"")]
    WrongPrefix,
    /// The text or bytes come from a newer Beckon with a format this build
    /// does not read.
    #[error("this invitation was made by a newer Beckon (format {0}); update Beckon to open it")]
    UnsupportedVersion(u8),
    /// A character that never occurs in invitation text (e.g. `u`, `%`).
    #[error("the invitation contains {character:?}, which never occurs in an invitation; check for typos")]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the text given to the decoder.
        offset: usize,
    },
    /// The checksum does not match: a character was mistyped, swapped, added
    /// or changed on the way.
    #[error("the invitation has a typo or was altered: check it character by character")]
    BadChecksum,
    /// The invitation ends early: part of it was not copied.
    #[error("the invitation is incomplete: part of it is missing")]
    Truncated,
    /// The checksum is fine but the content is not a valid invitation.
    #[error("the invitation is damaged and cannot be read")]
    Malformed,
    /// The invitation asks for password settings outside what Beckon accepts
    /// (e.g. an absurd number of key-derivation rounds).
    #[error("the invitation's password settings are not acceptable")]
    BadPasswordParams,
    /// The output buffer is too small.
    #[error("the buffer is too small for the invitation")]
    BufferTooSmall,
}
