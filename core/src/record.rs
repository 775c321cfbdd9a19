//! The encrypted record layer that carries messages after the handshake.
//!
//! Wire form of one record:
//!
//! ```text
//! +----------------+----------------------------------+
//! | length: u16 BE | ciphertext (length - 16) | tag 16 |
//! +----------------+----------------------------------+
//! ```
//!
//! `length` counts the ciphertext and the tag. The body is sealed with
//! ChaCha20-Poly1305 under the direction's key, with empty associated data and
//! the Noise transport nonce (four zero bytes, then the record counter as a
//! little-endian `u64`). A record body is therefore exactly a Noise transport
//! message, which is what lets Beckon talk to any Noise implementation.
//! The plaintext holds one or more encoded messages back to back
//! ([`crate::message`]).
//!
//! The counter is private and only ever moves forward, so a nonce is never
//! used twice under one key. A receiver that sees one bad record (a forged or
//! damaged tag, an impossible length) is *poisoned*: it never opens another
//! record, because skipping a bad record would let an attacker delete data
//! silently (DESIGN §2). Its sending side keeps working, so the session can
//! still tell the peer why it ends.

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce, Tag};

/// Most plaintext bytes in one record.
pub const MAX_PLAINTEXT: usize = 16 * 1024;

/// Bytes of the Poly1305 authentication tag at the end of every record body.
pub const TAG_LEN: usize = 16;

/// Bytes of the length header in front of every record body.
pub const HEADER_LEN: usize = 2;

/// Largest whole record on the wire: header, [`MAX_PLAINTEXT`] and the tag.
pub const MAX_RECORD: usize = HEADER_LEN + MAX_PLAINTEXT + TAG_LEN;

/// Largest record body (ciphertext and tag) a header may announce.
const MAX_BODY: usize = MAX_PLAINTEXT + TAG_LEN;

/// Why a record could not be sealed or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecordError {
    /// The record was forged, damaged or out of order.
    #[error("record failed authentication")]
    Authentication,
    /// The record is shorter than its authentication tag.
    #[error("record length is invalid")]
    BadLength,
    /// The record or plaintext is larger than one record may be.
    #[error("record is too large")]
    TooLarge,
    /// The buffer cannot hold the sealed record.
    #[error("buffer too small for the record")]
    BufferTooSmall,
    /// This direction has used every nonce its key allows.
    #[error("record counter exhausted")]
    NonceExhausted,
    /// An earlier failure ended this transport.
    #[error("transport unusable after an earlier failure")]
    Poisoned,
}

/// Length of the whole record (header, ciphertext, tag) that seals
/// `plaintext_len` bytes.
pub const fn sealed_len(plaintext_len: usize) -> usize {
    HEADER_LEN
        .saturating_add(plaintext_len)
        .saturating_add(TAG_LEN)
}

/// Parse a record header from the start of `bytes`.
///
/// Returns `Ok(None)` while fewer than [`HEADER_LEN`] bytes are available, and
/// otherwise the length of the body (ciphertext and tag) that follows the
/// header. A length that no honest sender produces is an error: shorter than
/// the tag ([`RecordError::BadLength`]) or longer than a full record
/// ([`RecordError::TooLarge`]).
pub fn parse_header(bytes: &[u8]) -> Result<Option<usize>, RecordError> {
    let Some(&[high, low]) = bytes.get(..HEADER_LEN) else {
        return Ok(None);
    };
    let body_len = usize::from(u16::from_be_bytes([high, low]));
    check_body_len(body_len)?;
    Ok(Some(body_len))
}

fn check_body_len(body_len: usize) -> Result<(), RecordError> {
    if body_len < TAG_LEN {
        Err(RecordError::BadLength)
    } else if body_len > MAX_BODY {
        Err(RecordError::TooLarge)
    } else {
        Ok(())
    }
}

/// Where [`Transport::open_record`] left the plaintext of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OpenedRecord {
    /// Plaintext bytes, starting at [`HEADER_LEN`] of the input.
    pub plaintext_len: usize,
    /// Bytes of input the record took (header and body); the next record
    /// starts there.
    pub record_len: usize,
}

impl OpenedRecord {
    /// The plaintext's position in the buffer given to
    /// [`Transport::open_record`].
    pub fn plaintext(&self) -> core::ops::Range<usize> {
        HEADER_LEN..HEADER_LEN.saturating_add(self.plaintext_len)
    }
}

/// One direction of a transport: a key and the counter that makes its nonces.
struct Direction {
    /// Zeroizes its key on drop.
    cipher: ChaCha20Poly1305,
    /// The nonce of the next record. Noise reserves `u64::MAX` (for rekeying),
    /// so the last usable value is `u64::MAX - 1`.
    next_nonce: u64,
}

impl Direction {
    fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(key.into()),
            next_nonce: 0,
        }
    }

    /// The nonce for the next record; the counter moves only once the record
    /// has been sealed or opened ([`Direction::advance`]).
    fn nonce(&self) -> Result<Nonce, RecordError> {
        if self.next_nonce == u64::MAX {
            return Err(RecordError::NonceExhausted);
        }
        let mut nonce = Nonce::default();
        for (slot, byte) in nonce.iter_mut().skip(4).zip(self.next_nonce.to_le_bytes()) {
            *slot = byte;
        }
        Ok(nonce)
    }

    fn advance(&mut self) {
        // `nonce()` refused `u64::MAX`, so this never saturates in practice;
        // saturating keeps the counter from ever wrapping back to a used value.
        self.next_nonce = self.next_nonce.saturating_add(1);
    }
}

/// The two directions of an established session: seals outgoing records and
/// opens incoming ones.
///
/// Built by [`crate::handshake::Handshake::into_transport`]. Not `Clone`: two
/// copies would seal different records under the same nonce.
pub struct Transport {
    send: Direction,
    recv: Direction,
    /// A failure happened; nothing is opened any more.
    poisoned: bool,
    /// The sending counter ran out; nothing is sealed any more.
    send_exhausted: bool,
}

impl core::fmt::Debug for Transport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print keys.
        f.debug_struct("Transport")
            .field("sent", &self.send.next_nonce)
            .field("received", &self.recv.next_nonce)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport from raw keys, both counters at zero. The handshake builds
    /// transports for real sessions; this is for tests, fuzzing and
    /// interoperability checks.
    pub fn from_keys(send_key: [u8; 32], recv_key: [u8; 32]) -> Self {
        // The ciphers keep (and zeroize) their own copies; wipe these.
        let send_key = zeroize::Zeroizing::new(send_key);
        let recv_key = zeroize::Zeroizing::new(recv_key);
        Self {
            send: Direction::new(&send_key),
            recv: Direction::new(&recv_key),
            poisoned: false,
            send_exhausted: false,
        }
    }

    /// `true` once a failure has ended this transport; every later call fails
    /// with [`RecordError::Poisoned`].
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Records sealed so far (the next outgoing nonce).
    pub fn records_sent(&self) -> u64 {
        self.send.next_nonce
    }

    /// Records opened so far (the next incoming nonce).
    pub fn records_received(&self) -> u64 {
        self.recv.next_nonce
    }

    /// Seal `plaintext` as one whole record (header and body) into `out`;
    /// returns the record's length.
    ///
    /// [`RecordError::TooLarge`] and [`RecordError::BufferTooSmall`] reject the
    /// call before anything is sealed and leave the transport usable.
    pub fn seal(&mut self, plaintext: &[u8], out: &mut [u8]) -> Result<usize, RecordError> {
        self.check_can_seal()?;
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(RecordError::TooLarge);
        }
        let slot = out
            .get_mut(HEADER_LEN..HEADER_LEN + plaintext.len())
            .ok_or(RecordError::BufferTooSmall)?;
        slot.copy_from_slice(plaintext);
        self.seal_in_place(out, plaintext.len())
    }

    /// Seal in place, the fast path: the plaintext is already at
    /// `buf[HEADER_LEN..HEADER_LEN + plaintext_len]`; the header is written in
    /// front of it, the plaintext is encrypted where it lies and the tag
    /// follows it. Returns the record's length,
    /// [`sealed_len`]`(plaintext_len)`.
    ///
    /// [`RecordError::TooLarge`] and [`RecordError::BufferTooSmall`] reject the
    /// call before anything is sealed and leave the transport usable.
    pub fn seal_in_place(
        &mut self,
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize, RecordError> {
        self.check_can_seal()?;
        if plaintext_len > MAX_PLAINTEXT {
            return Err(RecordError::TooLarge);
        }
        let record_len = sealed_len(plaintext_len);
        let record = buf
            .get_mut(..record_len)
            .ok_or(RecordError::BufferTooSmall)?;
        let body_len = u16::try_from(plaintext_len + TAG_LEN).map_err(|_| RecordError::TooLarge)?;

        let nonce = self.send.nonce().inspect_err(|_| {
            self.poisoned = true;
            self.send_exhausted = true;
        })?;
        let (header, body) = record.split_at_mut(HEADER_LEN);
        let (text, tag_out) = body.split_at_mut(plaintext_len);
        let tag = self
            .send
            .cipher
            .encrypt_in_place_detached(&nonce, &[], text)
            // Only a message longer than ChaCha20's 256 GiB limit fails here,
            // which the length check above already rules out.
            .map_err(|_| RecordError::TooLarge)?;
        self.send.advance();

        tag_out.copy_from_slice(&tag);
        header.copy_from_slice(&body_len.to_be_bytes());
        Ok(record_len)
    }

    /// Open one record body (ciphertext and tag, without the header) in place;
    /// returns the plaintext's length, the plaintext being at
    /// `body[..length]`.
    ///
    /// Any failure poisons the transport: the session it belongs to must end.
    pub fn open_in_place(&mut self, body: &mut [u8]) -> Result<usize, RecordError> {
        self.check_usable()?;
        let opened = self.open_body(body);
        if opened.is_err() {
            self.poisoned = true;
        }
        opened
    }

    /// Parse and open the record at the start of `bytes` in place.
    ///
    /// Returns `Ok(None)` while `bytes` holds less than a whole record (read
    /// more and call again); otherwise where the plaintext lies and how many
    /// bytes the record took. Bytes after the record are left alone. Any
    /// failure poisons the transport.
    pub fn open_record(&mut self, bytes: &mut [u8]) -> Result<Option<OpenedRecord>, RecordError> {
        self.check_usable()?;
        let body_len = match parse_header(bytes) {
            Ok(Some(len)) => len,
            Ok(None) => return Ok(None),
            Err(error) => {
                self.poisoned = true;
                return Err(error);
            }
        };
        let record_len = HEADER_LEN + body_len;
        let Some(body) = bytes.get_mut(HEADER_LEN..record_len) else {
            return Ok(None);
        };
        let plaintext_len = self.open_in_place(body)?;
        Ok(Some(OpenedRecord {
            plaintext_len,
            record_len,
        }))
    }

    fn open_body(&mut self, body: &mut [u8]) -> Result<usize, RecordError> {
        check_body_len(body.len())?;
        let nonce = self.recv.nonce()?;
        let text_len = body.len() - TAG_LEN;
        // `tag` is exactly TAG_LEN bytes by the split, so `from_slice` holds.
        let (text, tag) = body.split_at_mut(text_len);
        // Poly1305 is checked before anything is decrypted, so a forged record
        // leaves its ciphertext untouched.
        self.recv
            .cipher
            .decrypt_in_place_detached(&nonce, &[], text, Tag::from_slice(tag))
            .map_err(|_| RecordError::Authentication)?;
        self.recv.advance();
        Ok(text_len)
    }

    fn check_can_seal(&self) -> Result<(), RecordError> {
        if self.send_exhausted {
            Err(RecordError::Poisoned)
        } else {
            Ok(())
        }
    }

    fn check_usable(&self) -> Result<(), RecordError> {
        if self.poisoned {
            Err(RecordError::Poisoned)
        } else {
            Ok(())
        }
    }

    /// Move both counters, to test what happens near the end of the nonce
    /// space without sealing 2^64 records.
    #[cfg(test)]
    fn set_counters_for_test(&mut self, send: u64, recv: u64) {
        self.send.next_nonce = send;
        self.recv.next_nonce = recv;
    }
}

#[cfg(test)]
mod tests;
