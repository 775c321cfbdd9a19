//! Every way a command can fail, and the exit code each one gives.

use std::path::PathBuf;

use beckon_core::invitation::InvitationError;
use beckon_core::reason::{ControlRefusal, EndReason};

/// Exit codes, documented in the crate's README.
pub mod code {
    /// Something else went wrong (files, data directory, a bad script).
    pub const OTHER: u8 = 1;
    /// The command line or a script line is not understood.
    pub const USAGE: u8 = 2;
    /// The invitation is unreadable, tampered with or unknown to the machine.
    pub const BAD_INVITATION: u8 = 3;
    /// The password was wrong.
    pub const WRONG_PASSWORD: u8 = 4;
    /// The invitation has expired.
    pub const EXPIRED: u8 = 5;
    /// The invitation was revoked.
    pub const REVOKED: u8 = 6;
    /// The invitation was already used.
    pub const USED: u8 = 7;
    /// The invitation is locked after too many wrong passwords.
    pub const LOCKED: u8 = 8;
    /// A request for shared control was refused.
    pub const CONTROL_REFUSED: u8 = 9;
    /// No connection could be made, or it was lost.
    pub const CONNECTION_FAILED: u8 = 10;
    /// The machine or the person did not let the helper in.
    pub const NOT_ADMITTED: u8 = 11;
    /// The other side broke the protocol or the bytes were tampered with.
    pub const BROKEN_SESSION: u8 = 12;
    /// The settings belong to another user.
    pub const NOT_OWNER: u8 = 13;
    /// The other side ended the session before the script was done.
    pub const ENDED_EARLY: u8 = 14;
}

/// Why a `beckon` command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The invitation text or file could not be read (INV-11).
    #[error("cannot open the invitation: {0}")]
    Invitation(#[from] InvitationError),
    /// The invitation file could not be read from disk.
    #[error("cannot read the invitation file {path}: {source}")]
    InvitationFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The session ended, or never started, for this reason.
    #[error("{}", ended_text(*.0))]
    Ended(EndReason),
    /// The session ended before the script finished.
    #[error("the session ended before the script was done: {0}")]
    EndedEarly(EndReason),
    /// Shared control was refused.
    #[error("control was refused: {0}")]
    ControlRefused(ControlRefusal),
    /// No address could be reached.
    #[error("could not connect: {0}")]
    Connect(String),
    /// A file of the data directory is damaged.
    #[error(
        "{path} is damaged ({detail}); Beckon will not overwrite it. Move it away to start afresh"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        detail: String,
    },
    /// A settings file that belongs to someone else.
    #[error(
        "{path} belongs to another user; only the machine's owner may change Beckon's settings"
    )]
    NotOwner {
        /// The file or directory.
        path: PathBuf,
    },
    /// A file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, with the path.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// A wrong argument or script line.
    #[error("{0}")]
    Usage(String),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A file operation failed while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invitation(_) | Error::InvitationFile { .. } => code::BAD_INVITATION,
            Error::Ended(r) => end_code(*r),
            Error::EndedEarly(r) => match r {
                EndReason::PeerLeft | EndReason::LocalLeft => code::ENDED_EARLY,
                r => end_code(*r),
            },
            Error::ControlRefused(_) => code::CONTROL_REFUSED,
            Error::Connect(_) => code::CONNECTION_FAILED,
            Error::NotOwner { .. } => code::NOT_OWNER,
            Error::Usage(_) => code::USAGE,
            Error::Corrupt { .. } | Error::Io { .. } | Error::Other(_) => code::OTHER,
        }
    }
}

/// The exit code for a session that ended for `reason`; 0 when it ended
/// normally.
pub fn end_code(reason: EndReason) -> u8 {
    use EndReason as R;
    match reason {
        R::LocalLeft | R::PeerLeft => 0,
        R::WrongPassword => code::WRONG_PASSWORD,
        R::Expired => code::EXPIRED,
        R::Revoked => code::REVOKED,
        R::AlreadyUsed => code::USED,
        R::Locked => code::LOCKED,
        R::UnknownInvitation => code::BAD_INVITATION,
        R::RequestedHelpDisabled
        | R::OfferedHelpDisabled
        | R::PolicyDenies
        | R::BadCertificate
        | R::Declined
        | R::ConsentTimeout => code::NOT_ADMITTED,
        R::LinkLost | R::HandshakeFailed => code::CONNECTION_FAILED,
        R::TamperedRecord | R::ProtocolError | R::UnsupportedVersion => code::BROKEN_SESSION,
    }
}

/// What the helper reads when a session ends for `reason`.
pub fn ended_text(reason: EndReason) -> String {
    use EndReason as R;
    let hint = match reason {
        R::WrongPassword => "; ask the person for the password again",
        R::Expired | R::Revoked | R::AlreadyUsed | R::Locked => {
            "; ask the person for a new invitation"
        }
        R::UnknownInvitation => "; the invitation may belong to another machine",
        R::HandshakeFailed => {
            "; the machine did not recognise the invitation, or the connection was cut"
        }
        _ => "",
    };
    format!("the session is over: {reason}{hint}")
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
