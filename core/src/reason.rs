//! Shared vocabulary: who did something, how, and why a session or a request ended.
//!
//! Every refusal and every end in Beckon carries one of these machine-readable
//! values. Drivers turn them into words in the user's language; the core never
//! holds user-facing text.

use serde::{Deserialize, Serialize};

/// One of the two people in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Side {
    /// The person being helped (shown as "you" on their machine).
    Novice,
    /// The helper.
    Expert,
}

impl Side {
    /// The other side.
    pub const fn peer(self) -> Side {
        match self {
            Side::Novice => Side::Expert,
            Side::Expert => Side::Novice,
        }
    }
}

/// How shared control was stopped (SES-05).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StopMethod {
    /// The novice pressed Esc on the local keyboard.
    EscKey,
    /// The novice pressed Ctrl+C on the local keyboard.
    CtrlC,
    /// The novice clicked the Stop Control button (or the dongle's button).
    StopButton,
    /// The expert gave control back.
    ExpertReleased,
    /// The session ended while control was shared.
    SessionEnded,
}

/// What a helper may do on a machine (OFF-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Level {
    /// See the screen and chat, never send input.
    ViewOnly,
    /// May also ask for shared control (the novice still has to say yes).
    Control,
}

/// The helper's current permission, as shown in the status box (SES-06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Permission {
    /// Connected, waiting for the novice to accept.
    Waiting,
    /// Screen view and chat.
    ScreenView,
    /// The expert asked for control; the novice has not answered yet.
    ControlRequested,
    /// Both people's keyboard and mouse act on the machine.
    SharedControl,
}

/// Why a request for shared control was refused (SES-02, SES-03, OFF-03).
///
/// A refused control request never ends the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(thiserror::Error)]
pub enum ControlRefusal {
    /// Remote control is disabled on this machine (the default, SES-03).
    #[error("remote control is disabled on this machine")]
    DisabledOnMachine,
    /// The offered-help policy gives this helper view-only rights.
    #[error("the policy allows this helper to view only")]
    PolicyViewOnly,
    /// The novice said no.
    #[error("the person declined to share control")]
    Declined,
    /// The novice did not answer in time.
    #[error("the person did not answer the control request in time")]
    NoAnswer,
    /// A request is already pending or control is already shared.
    #[error("a control request is already pending or granted")]
    AlreadyPending,
    /// Control cannot be requested before the novice accepted the session.
    #[error("the session has not been accepted yet")]
    NotViewing,
}

/// Why a session ended, or why it never started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(thiserror::Error)]
pub enum EndReason {
    /// The password proof did not match (INV-05, INV-06).
    #[error("wrong password")]
    WrongPassword,
    /// The invitation is locked after too many wrong passwords (INV-10).
    #[error("the invitation is locked after too many wrong passwords")]
    Locked,
    /// The invitation has expired (INV-03).
    #[error("the invitation has expired")]
    Expired,
    /// The novice revoked the invitation (INV-04).
    #[error("the invitation was revoked")]
    Revoked,
    /// The invitation was already used for a session.
    #[error("the invitation was already used")]
    AlreadyUsed,
    /// The novice's machine does not know this invitation (or its key does not match).
    #[error("this machine does not know the invitation")]
    UnknownInvitation,
    /// Requested help (invitations) is switched off on this machine.
    #[error("requested help is disabled on this machine")]
    RequestedHelpDisabled,
    /// Offered help is switched off on this machine (OFF-01).
    #[error("offered help is disabled on this machine")]
    OfferedHelpDisabled,
    /// The offered-help policy does not list this helper (OFF-02).
    #[error("the policy does not allow this helper")]
    PolicyDenies,
    /// The helper's group certificate has expired or is not valid.
    #[error("the helper's certificate is invalid or expired")]
    BadCertificate,
    /// The novice declined the session (INV-08).
    #[error("the person declined the session")]
    Declined,
    /// The novice did not answer the consent prompt in time.
    #[error("the person did not answer in time")]
    ConsentTimeout,
    /// This side chose to disconnect (SES-10).
    #[error("you disconnected")]
    LocalLeft,
    /// The other side disconnected (SES-10).
    #[error("the other side disconnected")]
    PeerLeft,
    /// Nothing arrived within the keepalive timeout, or the link closed (NET-03).
    #[error("the connection was lost")]
    LinkLost,
    /// A record failed authentication: the bytes were altered or forged.
    #[error("the connection was tampered with (authentication failed)")]
    TamperedRecord,
    /// The handshake failed (wrong key, altered or malformed handshake message).
    #[error("the secure handshake failed")]
    HandshakeFailed,
    /// The peer sent a message that is malformed or not allowed in this state.
    #[error("the other side broke the protocol")]
    ProtocolError,
    /// The peer speaks a protocol version this build does not support.
    #[error("the other side uses an unsupported protocol version")]
    UnsupportedVersion,
}
