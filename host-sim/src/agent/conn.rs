//! One connection of the novice agent: a core session, its wire, its files
//! and its video.

use beckon_core::reason::EndReason;
use beckon_core::session::NoviceSession;

use crate::endpoint::Wire;
use crate::events::{Ev, Seen};
use crate::files::FileDesk;
use crate::video::Streamer;

/// One connection the agent accepted.
#[derive(Debug)]
pub struct Conn {
    /// Its number (the same as the expert's and the link's).
    pub id: usize,
    /// The core's session.
    pub session: NoviceSession,
    pub(crate) wire: Wire,
    /// Every event, with its time.
    pub log: Vec<(u64, Ev)>,
    /// Files both ways.
    pub files: FileDesk,
    /// The picture.
    pub video: Streamer,
    /// How it ended, once it did.
    pub ended: Option<EndReason>,
    /// When input reached the machine, in order.
    pub inject_times: Vec<u64>,
    /// For each input, the bytes toward the helper that were still waiting
    /// to leave the machine when it arrived: what the picture showing that
    /// input waits behind (SES-12).
    pub queued_at_inject: Vec<usize>,
}

impl Conn {
    pub(crate) fn new(id: usize, session: NoviceSession) -> Self {
        Conn {
            id,
            session,
            wire: Wire::default(),
            log: Vec::new(),
            files: FileDesk::default(),
            video: Streamer::default(),
            ended: None,
            inject_times: Vec::new(),
            queued_at_inject: Vec::new(),
        }
    }
}

impl Seen for Conn {
    fn log(&self) -> &[(u64, Ev)] {
        &self.log
    }
}
