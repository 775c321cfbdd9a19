//! File transfer between the two people of a session (SES-07).
//!
//! Either side may offer a file. The sender's half is an [`Outgoing`], the
//! receiver's an [`Incoming`]; a session keeps one per transfer id and feeds
//! them the `File*` messages. Neither touches a disk: the driver reads and
//! writes the bytes, these types decide *which* bytes and *when*.
//!
//! ```text
//! sender                                   receiver
//! FileOffer {id, name, size, sha256} ───►  Incoming::from_offer (name checked)
//!                                     ◄─── FileAccept / FileDecline
//! FileChunk {offset, data} ×n         ───►  Incoming::on_chunk (hashes as it goes)
//!   (at most WINDOW_BYTES unacked)    ◄─── FileAck {received} every ACK_EVERY_BYTES
//! FileDone                            ───►  Incoming::on_done (compares SHA-256)
//!                                     ◄─── FileResult {ok}
//! FileCancel (either side, any time before the end)
//! ```
//!
//! ## Late messages after a cancel
//! A cancel is not acknowledged, so after *this* side cancels, messages the
//! peer sent before it saw the [`Message::FileCancel`](crate::message::Message::FileCancel)
//! can still arrive. The `on_*` methods then return
//! [`TransferError::LateAfterCancel`]: drop the message, it is not a protocol
//! error. Every other error from an `on_*` method means the peer broke the
//! protocol. A method that returns an error changes nothing.

mod incoming;
mod name;
mod outgoing;

pub use incoming::Incoming;
pub use name::{validate_file_name, NameError};
pub use outgoing::Outgoing;

use crate::reason::Side;

/// Unacknowledged bytes a sender may have in flight.
///
/// File chunks share one ordered stream with the screen, chat and input, so
/// every byte queued in the stream delays whatever comes after it (SES-12:
/// input must never freeze). 256 KiB is 16 full records: enough to keep a
/// link busy while acks travel back (≈ 20 Mbit/s at 100 ms round trip,
/// ≈ 100 Mbit/s at 20 ms), small enough that on a slow 1 Mbit/s link a frame
/// or key press waits at most about two seconds behind file data, and small
/// enough for a receiver with little memory to buffer one window.
pub const WINDOW_BYTES: u64 = 256 * 1024;

/// The receiver acknowledges whenever it has this many new bytes, and at the
/// end. A quarter window means the sender still has three quarters of a
/// window to send while an ack is on its way, so it rarely stalls, at a cost
/// of one small message per 64 KiB.
pub const ACK_EVERY_BYTES: u64 = WINDOW_BYTES / 4;

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferState {
    /// Offered, waiting for the receiver's answer.
    Offered,
    /// Accepted; the sender is sending (until the receiver's result arrives).
    Sending,
    /// Accepted; the receiver is receiving (until the hash is checked).
    Receiving,
    /// Every byte arrived and the SHA-256 matched.
    Done,
    /// The receiver declined the offer.
    Declined,
    /// One of the two people cancelled.
    Cancelled {
        /// Who cancelled.
        by: Side,
    },
    /// The transfer ended without a good file.
    Failed(TransferFailure),
}

impl TransferState {
    /// `true` once the transfer is over, whatever the outcome.
    pub const fn is_finished(&self) -> bool {
        !matches!(
            self,
            TransferState::Offered | TransferState::Sending | TransferState::Receiving
        )
    }

    /// Whether a message from the peer may be applied: after the `local` side
    /// cancelled, the peer's messages are late (they crossed the cancel), not
    /// wrong, and are refused with [`TransferError::LateAfterCancel`].
    pub(crate) fn peer_may_speak(self, local: Side) -> Result<(), TransferError> {
        match self {
            TransferState::Cancelled { by } if by == local => Err(TransferError::LateAfterCancel),
            _ => Ok(()),
        }
    }
}

/// Why a transfer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferFailure {
    /// The received bytes do not have the offered SHA-256: they were damaged
    /// or the sender's file changed while it was read. The receiver must
    /// discard the file.
    HashMismatch,
}

/// How far a transfer has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Progress {
    /// Bytes sent (sender) or received (receiver) so far.
    pub transferred: u64,
    /// Bytes the receiver has acknowledged so far.
    pub acked: u64,
    /// Size of the file.
    pub total: u64,
}

impl Progress {
    /// Whole percent transferred, `0..=100`; an empty file counts as 100.
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 100;
        }
        let percent = u128::from(self.transferred.min(self.total)) * 100 / u128::from(self.total);
        u8::try_from(percent).unwrap_or(100)
    }
}

/// Why a transfer event or action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferError {
    /// Not allowed in the transfer's current state (e.g. a chunk before the
    /// offer was accepted, a result before `FileDone`, cancelling a finished
    /// transfer).
    #[error("not allowed in the transfer's current state")]
    WrongState,
    /// This side cancelled; the message was sent before the peer knew.
    /// Not a protocol error: drop the message.
    #[error("message arrived after this side cancelled the transfer")]
    LateAfterCancel,
    /// A chunk does not start where the previous one ended.
    #[error("chunk at offset {got} where {expected} was expected")]
    OutOfOrder {
        /// The offset that was due.
        expected: u64,
        /// The offset given.
        got: u64,
    },
    /// A chunk without bytes.
    #[error("empty chunk")]
    EmptyChunk,
    /// A chunk runs past the offered size.
    #[error("chunk runs past the end of the file")]
    PastEnd,
    /// A chunk larger than one message can carry.
    #[error("chunk larger than one message can carry")]
    ChunkTooLarge,
    /// A chunk would put more than [`WINDOW_BYTES`] unacknowledged bytes in
    /// flight.
    #[error("chunk exceeds the flow-control window")]
    WindowExceeded,
    /// An ack for more bytes than were sent.
    #[error("acknowledged more bytes than were sent")]
    AckTooLarge,
    /// An ack for fewer bytes than an earlier ack.
    #[error("acknowledgement went backwards")]
    AckBackwards,
    /// `FileDone` before every byte arrived.
    #[error("the sender finished before sending every byte")]
    EarlyDone,
}

#[cfg(test)]
mod tests;
