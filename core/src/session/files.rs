//! File transfers inside a session (SES-07): the table of transfers in both
//! directions, on top of [`crate::transfer`]'s per-transfer state machines.
//!
//! Transfer ids are unique in a session: the novice numbers its offers with
//! even ids and the expert with odd ones, so a `FileCancel` from either side
//! names exactly one transfer.

use heapless::Vec;

use super::common::Pending;
use super::SendError;
use crate::message::Message;
use crate::reason::{EndReason, Side};
use crate::transfer::{Incoming, Outgoing};

/// Transfers that may run at once in each direction.
pub const MAX_TRANSFERS: usize = 4;

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FileOutcome {
    /// Every byte arrived and the SHA-256 matched.
    Ok,
    /// The content did not match the offered hash: the file must be discarded.
    HashMismatch,
}

pub(crate) struct Files {
    side: Side,
    next_id: u32,
    outgoing: Vec<Outgoing, MAX_TRANSFERS>,
    incoming: Vec<Incoming, MAX_TRANSFERS>,
}

impl Files {
    pub(crate) fn new(side: Side) -> Self {
        Self {
            side,
            next_id: match side {
                Side::Novice => 0,
                Side::Expert => 1,
            },
            outgoing: Vec::new(),
            incoming: Vec::new(),
        }
    }

    fn is_mine(&self, id: u32) -> bool {
        let mine = match self.side {
            Side::Novice => 0,
            Side::Expert => 1,
        };
        id % 2 == mine
    }

    fn out_mut(&mut self, id: u32) -> Option<&mut Outgoing> {
        self.outgoing.iter_mut().find(|t| t.id() == id)
    }

    fn in_mut(&mut self, id: u32) -> Option<&mut Incoming> {
        self.incoming.iter_mut().find(|t| t.id() == id)
    }

    pub(crate) fn incoming_info(&self, id: u32) -> Option<(&str, u64)> {
        self.incoming
            .iter()
            .find(|t| t.id() == id)
            .map(|t| (t.name(), t.size()))
    }

    pub(crate) fn new_outgoing(
        &mut self,
        name: &str,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<u32, SendError> {
        let id = self.next_id;
        let transfer =
            Outgoing::new(self.side, id, name, size, sha256).map_err(|_| SendError::Invalid)?;
        self.outgoing
            .push(transfer)
            .map_err(|_| SendError::WouldBlock)?;
        self.next_id = self.next_id.wrapping_add(2);
        Ok(id)
    }

    pub(crate) fn forget_outgoing(&mut self, id: u32) {
        self.outgoing.retain(|t| t.id() != id);
    }

    /// The next chunk the driver may send: `(id, offset, max_len)`.
    pub(crate) fn next_chunk(&self) -> Option<(u32, u64, usize)> {
        self.outgoing
            .iter()
            .find_map(|t| t.next_chunk().map(|(offset, len)| (t.id(), offset, len)))
    }

    pub(crate) fn check_chunk(&self, id: u32, offset: u64, len: usize) -> Result<(), SendError> {
        let t = self
            .outgoing
            .iter()
            .find(|t| t.id() == id)
            .ok_or(SendError::Invalid)?;
        match t.next_chunk() {
            Some((next, max)) if next == offset && len <= max && len > 0 => Ok(()),
            Some(_) => Err(SendError::Invalid),
            None => Err(SendError::WouldBlock),
        }
    }

    /// Record a sent chunk; returns the `FileDone` to send once every byte
    /// is sent.
    pub(crate) fn chunk_sent(
        &mut self,
        id: u32,
        offset: u64,
        len: usize,
    ) -> Result<Option<Message<'static>>, SendError> {
        let t = self.out_mut(id).ok_or(SendError::Invalid)?;
        t.chunk_sent(offset, len).map_err(|_| SendError::Invalid)?;
        Ok(t.poll_done())
    }

    pub(crate) fn answer(&mut self, id: u32, accept: bool) -> Result<Message<'static>, SendError> {
        let t = self.in_mut(id).ok_or(SendError::Invalid)?;
        if accept {
            t.accept().map_err(|_| SendError::NotAllowed)?;
            Ok(Message::FileAccept { id })
        } else {
            t.decline().map_err(|_| SendError::NotAllowed)?;
            self.incoming.retain(|t| t.id() != id);
            Ok(Message::FileDecline { id })
        }
    }

    pub(crate) fn cancel(&mut self, id: u32) -> Result<Message<'static>, SendError> {
        if let Some(t) = self.out_mut(id) {
            t.cancel().map_err(|_| SendError::NotAllowed)?;
            self.forget_outgoing(id);
        } else if let Some(t) = self.in_mut(id) {
            t.cancel().map_err(|_| SendError::NotAllowed)?;
            self.incoming.retain(|t| t.id() != id);
        } else {
            return Err(SendError::Invalid);
        }
        Ok(Message::FileCancel { id })
    }

    /// A file message from the peer. Replies and events are pushed into the
    /// given lists. A message that names no transfer of ours, or breaks a
    /// transfer's rules, is a protocol error that ends the session — except
    /// for messages about a transfer we already cancelled, which may cross
    /// our cancel on the wire.
    pub(crate) fn on_message(
        &mut self,
        message: &Message<'_>,
        plaintext: &[u8],
        replies: &mut Vec<Message<'static>, 2>,
        events: &mut Vec<Pending, 3>,
    ) -> Result<(), EndReason> {
        let peer = self.side.peer();
        match *message {
            Message::FileOffer {
                id,
                name,
                size,
                sha256,
            } => {
                if self.is_mine(id) || self.in_mut(id).is_some() {
                    return Err(EndReason::ProtocolError);
                }
                match Incoming::from_offer(self.side, id, name, size, sha256) {
                    Ok(t) => {
                        if self.incoming.push(t).is_ok() {
                            let _ = events.push(Pending::FileOffered(id));
                        } else {
                            let _ = replies.push(Message::FileDecline { id });
                        }
                    }
                    // A hostile or unusable name is refused without asking
                    // the person; the session goes on.
                    Err(_) => {
                        let _ = replies.push(Message::FileDecline { id });
                    }
                }
            }
            Message::FileChunk { id, offset, data } => {
                if self.is_mine(id) {
                    return Err(EndReason::ProtocolError);
                }
                let Some(t) = self.in_mut(id) else {
                    return Ok(()); // crossed our cancel or decline
                };
                let ack = t
                    .on_chunk(offset, data)
                    .map_err(|_| EndReason::ProtocolError)?;
                let total = t.size();
                // Where the data lies inside the record's plaintext, so the
                // event can borrow it without a copy.
                let at = (data.as_ptr() as usize).wrapping_sub(plaintext.as_ptr() as usize);
                let _ = events.push(Pending::FileData {
                    id,
                    offset,
                    at,
                    len: data.len(),
                });
                if let Some(received) = ack {
                    let _ = replies.push(Message::FileAck { id, received });
                    let _ = events.push(Pending::FileProgress {
                        id,
                        done: received,
                        total,
                    });
                }
            }
            Message::FileDone { id } => {
                if self.is_mine(id) {
                    return Err(EndReason::ProtocolError);
                }
                let Some(t) = self.in_mut(id) else {
                    return Ok(());
                };
                let ok = t.on_done().map_err(|_| EndReason::ProtocolError)?;
                self.incoming.retain(|t| t.id() != id);
                let _ = replies.push(Message::FileResult { id, ok });
                let outcome = if ok {
                    FileOutcome::Ok
                } else {
                    FileOutcome::HashMismatch
                };
                // The receiver's last ack already reported all bytes.
                let _ = events.push(Pending::FileFinished { id, outcome });
            }
            Message::FileAccept { id } | Message::FileDecline { id } => {
                if !self.is_mine(id) {
                    return Err(EndReason::ProtocolError);
                }
                let accepted = matches!(message, Message::FileAccept { .. });
                let Some(t) = self.out_mut(id) else {
                    return Ok(());
                };
                if accepted {
                    t.on_accept().map_err(|_| EndReason::ProtocolError)?;
                    let _ = events.push(Pending::FileAccepted(id));
                } else {
                    t.on_decline().map_err(|_| EndReason::ProtocolError)?;
                    self.forget_outgoing(id);
                    let _ = events.push(Pending::FileDeclined(id));
                }
            }
            Message::FileAck { id, received } => {
                if !self.is_mine(id) {
                    return Err(EndReason::ProtocolError);
                }
                let Some(t) = self.out_mut(id) else {
                    return Ok(());
                };
                t.on_ack(received).map_err(|_| EndReason::ProtocolError)?;
                let total = t.progress().total;
                let _ = events.push(Pending::FileProgress {
                    id,
                    done: received,
                    total,
                });
            }
            Message::FileResult { id, ok } => {
                if !self.is_mine(id) {
                    return Err(EndReason::ProtocolError);
                }
                let Some(t) = self.out_mut(id) else {
                    return Ok(());
                };
                t.on_result(ok).map_err(|_| EndReason::ProtocolError)?;
                self.forget_outgoing(id);
                let outcome = if ok {
                    FileOutcome::Ok
                } else {
                    FileOutcome::HashMismatch
                };
                let _ = events.push(Pending::FileFinished { id, outcome });
            }
            Message::FileCancel { id } => {
                if let Some(t) = self.out_mut(id) {
                    t.on_cancel();
                    self.forget_outgoing(id);
                } else if let Some(t) = self.in_mut(id) {
                    t.on_cancel();
                    self.incoming.retain(|t| t.id() != id);
                } else {
                    return Ok(());
                }
                let _ = events.push(Pending::FileCancelled { id, by: peer });
            }
            _ => {}
        }
        Ok(())
    }
}
