//! The receiving half of a file transfer.

use sha2::{Digest, Sha256};

use crate::message::MAX_FILE_NAME_BYTES;
use crate::reason::Side;

use super::{
    validate_file_name, NameError, Progress, TransferError, TransferFailure, TransferState,
    ACK_EVERY_BYTES, WINDOW_BYTES,
};

/// The receiver's half of one transfer.
///
/// The driver writes each chunk that [`Incoming::on_chunk`] accepts at its
/// offset (into a temporary file), sends the acks it asks for, and keeps the
/// file only when [`Incoming::on_done`] reports a matching SHA-256. The hash
/// is computed here, incrementally, as the chunks pass through.
#[derive(Debug, Clone)]
pub struct Incoming {
    id: u32,
    /// Which person this side is, to say who cancelled.
    local: Side,
    name: heapless::String<MAX_FILE_NAME_BYTES>,
    size: u64,
    /// The SHA-256 the sender announced.
    expected_sha256: [u8; 32],
    /// SHA-256 of the bytes received so far.
    hasher: Sha256,
    state: TransferState,
    /// Bytes received so far, from the start of the file.
    received: u64,
    /// The last `received` value handed out as an ack.
    acked: u64,
}

impl Incoming {
    /// The receiving half of the [`Message::FileOffer`](crate::message::Message::FileOffer)
    /// the peer sent, on the side `local`. Hostile names are refused here (see
    /// [`validate_file_name`]); the session should then answer with
    /// [`Message::FileDecline`](crate::message::Message::FileDecline).
    pub fn from_offer(
        local: Side,
        id: u32,
        name: &str,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<Self, NameError> {
        validate_file_name(name)?;
        let mut owned = heapless::String::new();
        owned.push_str(name).map_err(|_| NameError::TooLong)?;
        Ok(Incoming {
            id,
            local,
            name: owned,
            size,
            expected_sha256: sha256,
            hasher: Sha256::new(),
            state: TransferState::Offered,
            received: 0,
            acked: 0,
        })
    }

    /// The person accepts the file: send [`Message::FileAccept`](crate::message::Message::FileAccept).
    pub fn accept(&mut self) -> Result<(), TransferError> {
        self.answer(TransferState::Receiving)
    }

    /// The person declines the file: send [`Message::FileDecline`](crate::message::Message::FileDecline).
    pub fn decline(&mut self) -> Result<(), TransferError> {
        self.answer(TransferState::Declined)
    }

    fn answer(&mut self, next: TransferState) -> Result<(), TransferError> {
        if self.state != TransferState::Offered {
            return Err(TransferError::WrongState);
        }
        self.state = next;
        Ok(())
    }

    /// A [`Message::FileChunk`](crate::message::Message::FileChunk) arrived.
    /// It must continue exactly where the last one ended, hold at least one
    /// byte, stay within the offered size and within the flow-control window.
    /// On `Ok` the driver stores `data` at `offset`; `Ok(Some(received))`
    /// means an ack is due now: send
    /// [`Message::FileAck`](crate::message::Message::FileAck) with `received`.
    pub fn on_chunk(&mut self, offset: u64, data: &[u8]) -> Result<Option<u64>, TransferError> {
        self.state.peer_may_speak(self.local)?;
        if self.state != TransferState::Receiving {
            return Err(TransferError::WrongState);
        }
        if offset != self.received {
            return Err(TransferError::OutOfOrder {
                expected: self.received,
                got: offset,
            });
        }
        if data.is_empty() {
            return Err(TransferError::EmptyChunk);
        }
        let len = u64::try_from(data.len()).map_err(|_| TransferError::PastEnd)?;
        let end = self
            .received
            .checked_add(len)
            .ok_or(TransferError::PastEnd)?;
        if end > self.size {
            return Err(TransferError::PastEnd);
        }
        // The sender may only run WINDOW_BYTES ahead of the last ack it got,
        // which is at most the last ack handed out here.
        if end.saturating_sub(self.acked) > WINDOW_BYTES {
            return Err(TransferError::WindowExceeded);
        }
        self.hasher.update(data);
        self.received = end;
        if end.saturating_sub(self.acked) >= ACK_EVERY_BYTES || end == self.size {
            self.acked = end;
            return Ok(Some(end));
        }
        Ok(None)
    }

    /// The sender says every byte is sent ([`Message::FileDone`](crate::message::Message::FileDone)).
    /// Compares the SHA-256: `Ok(true)` when it matches (state `Done`),
    /// `Ok(false)` when the content is damaged (state
    /// `Failed(HashMismatch)`; discard the file). Either way send
    /// [`Message::FileResult`](crate::message::Message::FileResult) with the
    /// answer. Before every byte arrived: [`TransferError::EarlyDone`].
    pub fn on_done(&mut self) -> Result<bool, TransferError> {
        self.state.peer_may_speak(self.local)?;
        if self.state != TransferState::Receiving {
            return Err(TransferError::WrongState);
        }
        if self.received != self.size {
            return Err(TransferError::EarlyDone);
        }
        let digest: [u8; 32] = core::mem::take(&mut self.hasher).finalize().into();
        let ok = digest == self.expected_sha256;
        self.state = if ok {
            TransferState::Done
        } else {
            TransferState::Failed(TransferFailure::HashMismatch)
        };
        Ok(ok)
    }

    /// This side cancels: send [`Message::FileCancel`](crate::message::Message::FileCancel)
    /// and discard the partial file. Only before the transfer is finished.
    pub fn cancel(&mut self) -> Result<(), TransferError> {
        if !matches!(
            self.state,
            TransferState::Offered | TransferState::Receiving
        ) {
            return Err(TransferError::WrongState);
        }
        self.state = TransferState::Cancelled { by: self.local };
        Ok(())
    }

    /// The sender cancelled ([`Message::FileCancel`](crate::message::Message::FileCancel)):
    /// discard the partial file. Ignored once the transfer is finished: the
    /// cancel crossed this side's own answer.
    pub fn on_cancel(&mut self) {
        if matches!(
            self.state,
            TransferState::Offered | TransferState::Receiving
        ) {
            self.state = TransferState::Cancelled {
                by: self.local.peer(),
            };
        }
    }

    /// Bytes received, acknowledged, and in total.
    pub fn progress(&self) -> Progress {
        Progress {
            transferred: self.received,
            acked: self.acked,
            total: self.size,
        }
    }

    /// Where the transfer stands.
    pub fn state(&self) -> TransferState {
        self.state
    }

    /// The offered file name, already checked by [`validate_file_name`].
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The offered size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The transfer id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The SHA-256 the sender announced.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.expected_sha256
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Incoming {
    fn format(&self, fmt: defmt::Formatter<'_>) {
        // The running hash has no defmt form and says nothing useful in a log.
        defmt::write!(
            fmt,
            "Incoming {{ id: {}, name: {=str}, state: {}, progress: {} }}",
            self.id,
            self.name.as_str(),
            self.state,
            self.progress()
        );
    }
}
