//! What each connection reports about itself, for a page that shows the
//! person what is going on (the panel). The terminal reads the story
//! instead; news is the same facts as data, so a page can word them in the
//! person's language.

use beckon_core::reason::{EndReason, Permission};
use beckon_host_sim::events::Ev;

use crate::files::Finished;

/// One thing a connection did, with who the helper is and what they may do
/// now (SES-06).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    /// The connection (its slot in the hub).
    pub conn: u64,
    /// The helper's name as they gave it (empty before the handshake).
    pub helper: String,
    /// What the helper may do now.
    pub permission: Permission,
    /// What happened.
    pub kind: NewsKind,
}

/// What happened on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewsKind {
    /// A helper connected; nothing is shown yet.
    Joined,
    /// The session said this (only what a person cares about: no frames,
    /// no injected input).
    Event(Ev),
    /// The helper's permission changed without an event of its own.
    Permission,
    /// This side offered a file under this transfer id.
    FileOffered {
        /// Transfer id.
        id: u32,
        /// File name.
        name: String,
        /// Size in bytes.
        size: u64,
    },
    /// A transfer ended.
    FileFinished(u32, Finished),
    /// The connection is gone, for this reason if the session gave one.
    Left(Option<EndReason>),
}

impl NewsKind {
    /// Whether a session event is worth reporting: frames, injected input
    /// and raw file bytes are far too many and say nothing to the person.
    pub fn worth(ev: &Ev) -> bool {
        !matches!(
            ev,
            Ev::Inject(_)
                | Ev::FileData(..)
                | Ev::FrameStart(..)
                | Ev::Rect(..)
                | Ev::FrameEnd(_)
                | Ev::Cursor(..)
                | Ev::Quality(_)
                | Ev::FileFinished(..)
        )
    }
}
