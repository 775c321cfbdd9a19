//! Files a side sends and receives (SES-07): the bytes behind the core's
//! transfer bookkeeping, which only ever sees chunks.

use std::collections::BTreeMap;

use beckon_core::session::{Event, FileOutcome, SendError};
use sha2::{Digest, Sha256};

use crate::endpoint::Endpoint;

/// A file this side offered.
#[derive(Debug, Clone)]
pub struct OutgoingFile {
    /// Its name.
    pub name: String,
    /// Its content.
    pub data: Vec<u8>,
    /// Flip a byte of what is read from "disk" at this offset, as when a
    /// file changes under a transfer or memory goes bad: the receiver's
    /// checksum must catch it.
    pub corrupt_at: Option<u64>,
    /// Bytes sent so far.
    pub sent: u64,
}

/// A file the peer offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    /// Its (already checked) name.
    pub name: String,
    /// Its announced size.
    pub size: u64,
    /// What arrived.
    pub data: Vec<u8>,
    /// How it ended, once it did.
    pub outcome: Option<FileOutcome>,
    /// Cancelled (by either side).
    pub cancelled: bool,
}

/// The files of one side of one session.
#[derive(Debug, Default)]
pub struct FileDesk {
    /// Offered by this side, by transfer id.
    pub outgoing: BTreeMap<u32, OutgoingFile>,
    /// Offered by the peer, by transfer id.
    pub incoming: BTreeMap<u32, IncomingFile>,
}

impl FileDesk {
    /// Offer `data` as `name`.
    pub fn offer(
        &mut self,
        s: &mut impl Endpoint,
        name: &str,
        data: Vec<u8>,
        corrupt_at: Option<u64>,
    ) -> Result<u32, SendError> {
        let hash: [u8; 32] = Sha256::digest(&data).into();
        let id = s.offer_file(name, data.len() as u64, hash)?;
        self.outgoing.insert(
            id,
            OutgoingFile {
                name: name.into(),
                data,
                corrupt_at,
                sent: 0,
            },
        );
        Ok(id)
    }

    /// Send the chunks the session asks for. Returns whether any went.
    pub fn pump(&mut self, s: &mut impl Endpoint) -> bool {
        let mut moved = false;
        while let Some((id, offset, max)) = s.next_file_chunk() {
            let Some(file) = self.outgoing.get_mut(&id) else {
                // Not ours to send (cannot happen with a sound core); stop.
                let _ = s.cancel_file(id);
                return true;
            };
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(file.data.len());
            let end = start.saturating_add(max).min(file.data.len());
            let mut chunk = file.data[start..end].to_vec();
            if let Some(at) = file.corrupt_at {
                if (offset..offset + chunk.len() as u64).contains(&at) {
                    chunk[(at - offset) as usize] ^= 0x5A;
                }
            }
            if s.send_file_chunk(id, offset, &chunk).is_err() {
                break;
            }
            file.sent = offset + chunk.len() as u64;
            moved = true;
        }
        moved
    }

    /// Keep what the core reports about transfers.
    pub fn on_event(&mut self, event: &Event<'_>) {
        match *event {
            Event::FileOffered { id, name, size } => {
                self.incoming.insert(
                    id,
                    IncomingFile {
                        name: name.into(),
                        size,
                        data: Vec::new(),
                        outcome: None,
                        cancelled: false,
                    },
                );
            }
            Event::FileData { id, offset, data } => {
                if let Some(f) = self.incoming.get_mut(&id) {
                    let at = offset as usize;
                    if f.data.len() < at + data.len() {
                        f.data.resize(at + data.len(), 0);
                    }
                    f.data[at..at + data.len()].copy_from_slice(data);
                }
            }
            Event::FileFinished { id, outcome } => {
                if let Some(f) = self.incoming.get_mut(&id) {
                    f.outcome = Some(outcome);
                    if outcome != FileOutcome::Ok {
                        // A file that failed its check is never kept.
                        f.data.clear();
                    }
                }
            }
            Event::FileCancelled { id, .. } => {
                if let Some(f) = self.incoming.get_mut(&id) {
                    f.cancelled = true;
                    f.data.clear();
                }
                self.outgoing.remove(&id);
            }
            Event::FileDeclined { id } => {
                self.outgoing.remove(&id);
            }
            _ => {}
        }
    }
}
