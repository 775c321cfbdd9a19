//! Fixed-size send and receive buffers, and the one framing both the
//! handshake and the records use: `[u16 big-endian length][body]`.

use core::cell::Cell;

use crate::handshake::MAX_HANDSHAKE_MESSAGE;
use crate::message::{EncodeError, Message};
use crate::record::{self, Transport, HEADER_LEN, MAX_PLAINTEXT, MAX_RECORD, TAG_LEN};

/// Bytes waiting to be sent, in a fixed buffer of `N` bytes.
///
/// Everything a session sends goes through here, so a driver that does not
/// drain it makes the session refuse bulk sends ([`Outbox::has_room_for_bulk`])
/// instead of growing a queue (SES-12).
pub(crate) struct Outbox<const N: usize> {
    buf: [u8; N],
    start: usize,
    end: usize,
}

/// Room always kept free for small control messages (bye, control stop,
/// acks, pongs), so bulk data can never crowd them out.
pub(crate) const CONTROL_RESERVE: usize = 2048;

/// Why a message could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueError {
    /// Not enough free room right now.
    Full,
    /// The message can never fit one record.
    TooLarge,
    /// The record layer refused (nonce exhausted or poisoned).
    Record,
}

impl<const N: usize> Outbox<N> {
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; N],
            start: 0,
            end: 0,
        }
    }

    pub(crate) fn pending(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    pub(crate) fn advance(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn free(&self) -> usize {
        N - (self.end - self.start)
    }

    /// Whether a full-size record fits and still leaves the control reserve.
    pub(crate) fn has_room_for_bulk(&self) -> bool {
        self.free() >= MAX_RECORD + CONTROL_RESERVE
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Append raw bytes (the preamble).
    pub(crate) fn push_raw(&mut self, bytes: &[u8]) -> Result<(), QueueError> {
        self.compact();
        let dst = self
            .buf
            .get_mut(self.end..self.end + bytes.len())
            .ok_or(QueueError::Full)?;
        dst.copy_from_slice(bytes);
        self.end += bytes.len();
        Ok(())
    }

    /// Append one handshake message, framed, written by `write` into the
    /// space after the header; `write` returns the message length.
    pub(crate) fn push_frame<E>(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<Result<(), E>, QueueError> {
        self.compact();
        let room = (N - self.end).min(HEADER_LEN + MAX_HANDSHAKE_MESSAGE);
        let Some(dst) = self.buf.get_mut(self.end..self.end + room) else {
            return Err(QueueError::Full);
        };
        let (header, body) = dst.split_at_mut(HEADER_LEN.min(room));
        if header.len() < HEADER_LEN {
            return Err(QueueError::Full);
        }
        let n = match write(body) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        let len = u16::try_from(n).map_err(|_| QueueError::TooLarge)?;
        header.copy_from_slice(&len.to_be_bytes());
        self.end += HEADER_LEN + n;
        Ok(Ok(()))
    }

    /// Encode `messages` back to back, then seal and append them as one
    /// record: all of them or, on an error, none. `bulk` messages may not
    /// use the control reserve.
    pub(crate) fn push_messages<'m>(
        &mut self,
        transport: &mut Transport,
        messages: impl IntoIterator<Item = Message<'m>>,
        bulk: bool,
    ) -> Result<(), QueueError> {
        self.compact();
        let reserve = if bulk { CONTROL_RESERVE } else { 0 };
        let available = (N - self.end).saturating_sub(reserve);
        if available < HEADER_LEN + TAG_LEN + 1 {
            return Err(QueueError::Full);
        }
        let room = (available - HEADER_LEN - TAG_LEN).min(MAX_PLAINTEXT);
        let Some(dst) = self
            .buf
            .get_mut(self.end..self.end + HEADER_LEN + room + TAG_LEN)
        else {
            return Err(QueueError::Full);
        };
        let Some(plain) = dst.get_mut(HEADER_LEN..HEADER_LEN + room) else {
            return Err(QueueError::Full);
        };
        let mut n = 0;
        for message in messages {
            let rest = plain.get_mut(n..).unwrap_or(&mut []);
            n += message
                .encode(rest)
                .map_err(|EncodeError::BufferTooSmall| {
                    if room == MAX_PLAINTEXT {
                        QueueError::TooLarge
                    } else {
                        QueueError::Full
                    }
                })?;
        }
        let sealed = transport
            .seal_in_place(dst, n)
            .map_err(|_| QueueError::Record)?;
        self.end += sealed;
        Ok(())
    }
}

/// A record's whole plaintext, and how much of it has been read.
pub(crate) type Unread<'a> = (&'a [u8], &'a Cell<usize>);

/// Bytes received and not yet processed: at most one whole record (or one
/// handshake message) plus what follows it.
pub(crate) struct Inbox {
    buf: [u8; MAX_RECORD],
    len: usize,
    /// Length of the frame handed out last; dropped before the next one, so
    /// events can borrow it in between.
    consumed: usize,
    /// Plaintext of the record opened last: its length and how much of it
    /// has been read. A record carries several messages, taken one at a
    /// time while the record stays in place.
    plain_len: usize,
    plain_read: Cell<usize>,
}

/// Why the inbox cannot produce the next frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// The announced length is impossible.
    BadLength,
}

impl Inbox {
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; MAX_RECORD],
            len: 0,
            consumed: 0,
            plain_len: 0,
            plain_read: Cell::new(0),
        }
    }

    /// Copy in as many bytes as fit; returns how many were taken.
    ///
    /// It never drops the last frame: a queued event may still borrow it.
    pub(crate) fn push(&mut self, data: &[u8]) -> usize {
        let take = data.len().min(MAX_RECORD - self.len);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + take),
            data.get(..take),
        ) {
            dst.copy_from_slice(src);
            self.len += take;
            take
        } else {
            0
        }
    }

    fn drop_consumed(&mut self) {
        if self.consumed > 0 {
            let consumed = self.consumed.min(self.len);
            self.buf.copy_within(consumed..self.len, 0);
            self.len -= consumed;
            self.consumed = 0;
        }
    }

    /// Take `n` raw bytes (the preamble) when they are all here.
    pub(crate) fn take_raw<const K: usize>(&mut self) -> Option<[u8; K]> {
        self.drop_consumed();
        if self.len < K {
            return None;
        }
        let bytes: [u8; K] = self.buf.get(..K)?.try_into().ok()?;
        self.consumed = K;
        Some(bytes)
    }

    /// The body of the next complete handshake frame.
    pub(crate) fn next_handshake(&mut self) -> Result<Option<&[u8]>, FrameError> {
        self.drop_consumed();
        let Some(header) = self.buf.get(..HEADER_LEN.min(self.len)) else {
            return Ok(None);
        };
        if header.len() < HEADER_LEN {
            return Ok(None);
        }
        let body_len = usize::from(u16::from_be_bytes([header[0], header[1]]));
        if body_len == 0 || body_len > MAX_HANDSHAKE_MESSAGE {
            return Err(FrameError::BadLength);
        }
        if self.len < HEADER_LEN + body_len {
            return Ok(None);
        }
        self.consumed = HEADER_LEN + body_len;
        Ok(self.buf.get(HEADER_LEN..HEADER_LEN + body_len))
    }

    /// The record opened last while it has unread messages, else the next
    /// complete record, opened in place: its whole plaintext, and how much
    /// of it has been read, for the caller to move on past what it reads.
    pub(crate) fn next_messages(
        &mut self,
        transport: &mut Transport,
    ) -> Result<Option<Unread<'_>>, record::RecordError> {
        if self.plain_read.get() >= self.plain_len {
            self.plain_len = 0;
            self.plain_read.set(0);
            let Some(plain) = self.next_record(transport)? else {
                return Ok(None);
            };
            self.plain_len = plain.len();
        }
        let plain = self.last_frame().get(..self.plain_len).unwrap_or(&[]);
        Ok(Some((plain, &self.plain_read)))
    }

    /// Open the next complete record in place; returns its plaintext.
    fn next_record(
        &mut self,
        transport: &mut Transport,
    ) -> Result<Option<&[u8]>, record::RecordError> {
        self.drop_consumed();
        let Some(body_len) = record::parse_header(self.buf.get(..self.len).unwrap_or(&[]))? else {
            return Ok(None);
        };
        if self.len < HEADER_LEN + body_len {
            return Ok(None);
        }
        self.consumed = HEADER_LEN + body_len;
        let body = self
            .buf
            .get_mut(HEADER_LEN..HEADER_LEN + body_len)
            .ok_or(record::RecordError::BadLength)?;
        let n = transport.open_in_place(body)?;
        Ok(body.get(..n))
    }

    /// The body of the frame handed out last (for a record, its plaintext
    /// followed by the spent tag). Events borrow their data from here.
    pub(crate) fn last_frame(&self) -> &[u8] {
        self.buf.get(HEADER_LEN..self.consumed).unwrap_or(&[])
    }
}
