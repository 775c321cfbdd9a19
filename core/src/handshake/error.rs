//! Why a handshake step failed.

/// Why a handshake step failed.
///
/// [`WrongTurn`](Self::WrongTurn), [`TooLong`](Self::TooLong) and
/// [`BufferTooSmall`](Self::BufferTooSmall) reject a call before any
/// cryptography and leave the handshake as it was. Every other error ends the
/// handshake: later calls fail with [`Failed`](Self::Failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HandshakeError {
    /// The message did not authenticate: the wrong key (e.g. an invitation
    /// this machine did not make) or a message damaged or forged on the way.
    #[error("handshake message failed authentication")]
    Decrypt,
    /// The message is shorter than its pattern requires.
    #[error("handshake message is malformed")]
    InvalidMessage,
    /// The message, or the one a payload would make, is longer than
    /// [`super::MAX_HANDSHAKE_MESSAGE`].
    #[error("handshake message is too long")]
    TooLong,
    /// The output buffer cannot hold the message or payload.
    #[error("buffer too small for the handshake message")]
    BufferTooSmall,
    /// Transport keys were asked for before the handshake finished.
    #[error("handshake is not finished")]
    NotFinished,
    /// It is not this side's turn to do that (or the handshake is over).
    #[error("not this side's turn in the handshake")]
    WrongTurn,
    /// An earlier error ended this handshake.
    #[error("handshake already failed")]
    Failed,
    /// The Noise engine refused in a way Beckon's own checks should rule out.
    #[error("internal handshake error")]
    Internal,
}

impl From<clatter::error::HandshakeError> for HandshakeError {
    fn from(error: clatter::error::HandshakeError) -> Self {
        use clatter::error::{CipherError, HandshakeError as Engine};
        match error {
            Engine::Cipher(CipherError::Decrypt) => Self::Decrypt,
            Engine::InvalidMessage => Self::InvalidMessage,
            Engine::BufferTooSmall => Self::BufferTooSmall,
            Engine::InvalidState => Self::WrongTurn,
            Engine::ErrorState => Self::Failed,
            _ => Self::Internal,
        }
    }
}
