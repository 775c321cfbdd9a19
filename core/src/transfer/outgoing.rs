//! The sending half of a file transfer.

use crate::message::{Message, MAX_DATA_BYTES, MAX_FILE_NAME_BYTES};
use crate::reason::Side;

use super::{validate_file_name, NameError, Progress, TransferError, TransferState, WINDOW_BYTES};

/// The sender's half of one transfer.
///
/// Driver loop while [`Outgoing::state`] is `Sending`: take
/// [`Outgoing::next_chunk`], read that many bytes at that offset, send them as
/// a [`Message::FileChunk`] and call [`Outgoing::chunk_sent`]; when
/// `next_chunk` says `None`, wait for a [`Message::FileAck`]. Once every byte
/// is out, [`Outgoing::poll_done`] yields the [`Message::FileDone`] to send.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Outgoing {
    id: u32,
    /// Which person this side is, to say who cancelled.
    local: Side,
    name: heapless::String<MAX_FILE_NAME_BYTES>,
    size: u64,
    sha256: [u8; 32],
    state: TransferState,
    /// Bytes handed to the driver as chunks, from the start of the file.
    sent: u64,
    /// Bytes the receiver has acknowledged.
    acked: u64,
    /// `FileDone` has been handed out.
    done_sent: bool,
}

impl Outgoing {
    /// A new offer of the file `name` (`size` bytes, SHA-256 `sha256`) made by
    /// `local` under transfer `id`. Refuses names a receiver would refuse
    /// (see [`validate_file_name`]).
    pub fn new(
        local: Side,
        id: u32,
        name: &str,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<Self, NameError> {
        validate_file_name(name)?;
        let mut owned = heapless::String::new();
        owned.push_str(name).map_err(|_| NameError::TooLong)?;
        Ok(Outgoing {
            id,
            local,
            name: owned,
            size,
            sha256,
            state: TransferState::Offered,
            sent: 0,
            acked: 0,
            done_sent: false,
        })
    }

    /// The [`Message::FileOffer`] to send.
    pub fn offer(&self) -> Message<'_> {
        Message::FileOffer {
            id: self.id,
            name: self.name.as_str(),
            size: self.size,
            sha256: self.sha256,
        }
    }

    /// The receiver accepted ([`Message::FileAccept`]): sending may start.
    pub fn on_accept(&mut self) -> Result<(), TransferError> {
        self.answer(TransferState::Sending)
    }

    /// The receiver declined ([`Message::FileDecline`]).
    pub fn on_decline(&mut self) -> Result<(), TransferError> {
        self.answer(TransferState::Declined)
    }

    fn answer(&mut self, next: TransferState) -> Result<(), TransferError> {
        self.state.peer_may_speak(self.local)?;
        if self.state != TransferState::Offered {
            return Err(TransferError::WrongState);
        }
        self.state = next;
        Ok(())
    }

    /// The next chunk the window allows now: `Some((offset, max_len))` with
    /// `1 <= max_len <= MAX_DATA_BYTES` and no further than the end of the
    /// file; `None` when not sending, when everything is sent, or while
    /// [`WINDOW_BYTES`] are unacknowledged. The driver may send fewer bytes
    /// than `max_len`.
    pub fn next_chunk(&self) -> Option<(u64, usize)> {
        if self.state != TransferState::Sending {
            return None;
        }
        let remaining = self.size.saturating_sub(self.sent);
        let in_flight = self.sent.saturating_sub(self.acked);
        let room = WINDOW_BYTES.saturating_sub(in_flight);
        let max_data = u64::try_from(MAX_DATA_BYTES).unwrap_or(u64::MAX);
        let len = remaining.min(room).min(max_data);
        match usize::try_from(len) {
            Ok(len) if len > 0 => Some((self.sent, len)),
            _ => None,
        }
    }

    /// The driver sent `len` bytes at `offset` as a [`Message::FileChunk`].
    /// They must be exactly the next bytes and fit what
    /// [`Outgoing::next_chunk`] allowed.
    pub fn chunk_sent(&mut self, offset: u64, len: usize) -> Result<(), TransferError> {
        if self.state != TransferState::Sending {
            return Err(TransferError::WrongState);
        }
        if offset != self.sent {
            return Err(TransferError::OutOfOrder {
                expected: self.sent,
                got: offset,
            });
        }
        if len == 0 {
            return Err(TransferError::EmptyChunk);
        }
        if len > MAX_DATA_BYTES {
            return Err(TransferError::ChunkTooLarge);
        }
        let len = u64::try_from(len).map_err(|_| TransferError::ChunkTooLarge)?;
        let end = self.sent.checked_add(len).ok_or(TransferError::PastEnd)?;
        if end > self.size {
            return Err(TransferError::PastEnd);
        }
        if end.saturating_sub(self.acked) > WINDOW_BYTES {
            return Err(TransferError::WindowExceeded);
        }
        self.sent = end;
        Ok(())
    }

    /// `true` once every byte has been sent (the receiver may not have them
    /// all yet).
    pub fn is_all_sent(&self) -> bool {
        self.state == TransferState::Sending && self.sent == self.size
    }

    /// The [`Message::FileDone`] to send, exactly once, as soon as every byte
    /// has been sent; `None` before and after.
    pub fn poll_done(&mut self) -> Option<Message<'static>> {
        if !self.is_all_sent() || self.done_sent {
            return None;
        }
        self.done_sent = true;
        Some(Message::FileDone { id: self.id })
    }

    /// The receiver acknowledged `received` bytes ([`Message::FileAck`]),
    /// which opens the window. An ack may repeat the previous one but never
    /// go below it, nor above the bytes sent.
    pub fn on_ack(&mut self, received: u64) -> Result<(), TransferError> {
        self.state.peer_may_speak(self.local)?;
        if self.state != TransferState::Sending {
            return Err(TransferError::WrongState);
        }
        if received > self.sent {
            return Err(TransferError::AckTooLarge);
        }
        if received < self.acked {
            return Err(TransferError::AckBackwards);
        }
        self.acked = received;
        Ok(())
    }

    /// The receiver's verdict ([`Message::FileResult`]), allowed only after
    /// [`Message::FileDone`] was sent.
    pub fn on_result(&mut self, ok: bool) -> Result<(), TransferError> {
        self.state.peer_may_speak(self.local)?;
        if self.state != TransferState::Sending || !self.done_sent {
            return Err(TransferError::WrongState);
        }
        self.state = if ok {
            TransferState::Done
        } else {
            TransferState::Failed(super::TransferFailure::HashMismatch)
        };
        Ok(())
    }

    /// This side cancels: send [`Message::FileCancel`]. Only before the
    /// transfer is finished.
    pub fn cancel(&mut self) -> Result<(), TransferError> {
        if !matches!(self.state, TransferState::Offered | TransferState::Sending) {
            return Err(TransferError::WrongState);
        }
        self.state = TransferState::Cancelled { by: self.local };
        Ok(())
    }

    /// The peer cancelled ([`Message::FileCancel`]). Ignored once the
    /// transfer is finished: the cancel crossed this side's own end.
    pub fn on_cancel(&mut self) {
        if matches!(self.state, TransferState::Offered | TransferState::Sending) {
            self.state = TransferState::Cancelled {
                by: self.local.peer(),
            };
        }
    }

    /// Bytes sent, acknowledged, and in total.
    pub fn progress(&self) -> Progress {
        Progress {
            transferred: self.sent,
            acked: self.acked,
            total: self.size,
        }
    }

    /// Where the transfer stands.
    pub fn state(&self) -> TransferState {
        self.state
    }

    /// The transfer id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The offered file name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The offered size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}
