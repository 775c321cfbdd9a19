//! What both roles share once the handshake is done: the record link,
//! keepalive and link-loss detection, chat, file transfers, and the queue of
//! events waiting for the driver.

use heapless::{Deque, String};

use super::buffers::{Inbox, Outbox, QueueError};
use super::files::{FileOutcome, Files};
use super::{Config, Event, SendError, CHAT_HISTORY};
use crate::chat::ChatLog;
use crate::message::{DecodeError, Encoding, InputEvent, Message, Quality, MAX_NAME_BYTES};
use crate::reason::{ControlRefusal, EndReason, Side, StopMethod};
use crate::record::Transport;

/// Events waiting in the queue. Data-carrying events keep only where their
/// data lies in the inbox's last frame, so nothing is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    Authenticate,
    ConsentRequested,
    Admitted,
    Unattended,
    Started,
    ControlRequested,
    ControlRefused(ControlRefusal),
    ControlGranted,
    ControlEnded {
        by: Side,
        how: StopMethod,
    },
    Inject(InputEvent),
    Chat(u32),
    FileOffered(u32),
    FileAccepted(u32),
    FileDeclined(u32),
    FileData {
        id: u32,
        offset: u64,
        at: usize,
        len: usize,
    },
    FileProgress {
        id: u32,
        done: u64,
        total: u64,
    },
    FileFinished {
        id: u32,
        outcome: FileOutcome,
    },
    FileCancelled {
        id: u32,
        by: Side,
    },
    FrameStart {
        frame: u32,
        width: u16,
        height: u16,
    },
    Rect {
        frame: u32,
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        encoding: Encoding,
        total: u32,
        offset: u32,
        at: usize,
        len: usize,
    },
    FrameEnd(u32),
    KeyboardLeds(u8),
    Cursor {
        x: u16,
        y: u16,
    },
    QualityRequested(Quality),
    PointerMode {
        relative: bool,
    },
    ViewerDecodes(u8),
    Ended(EndReason),
}

/// A display name from the untrusted peer (or the machine's owner) as the
/// session keeps it: control characters dropped, cut at
/// [`MAX_NAME_BYTES`] on a character boundary. A prompt must never show
/// terminal escapes or line breaks a peer chose.
pub(crate) fn display_name(raw: &str) -> String<MAX_NAME_BYTES> {
    let mut name = String::new();
    for ch in raw.chars().filter(|c| !c.is_control()) {
        if name.push(ch).is_err() {
            break;
        }
    }
    name
}

/// Decode the next message: the next one in the record opened last, else the
/// first of the next complete record. `Ok(None)` while no record is complete
/// (or there is no transport yet); `Err` with the reason the session must end
/// for a record that fails authentication or a message that fails decoding.
/// The message and the record's whole plaintext borrow the inbox.
pub(crate) fn next_message<'a>(
    inbox: &'a mut Inbox,
    transport: Option<&mut Transport>,
) -> Result<Option<(Message<'a>, &'a [u8])>, EndReason> {
    let Some(transport) = transport else {
        return Ok(None);
    };
    // Never skip a bad record: the link is no longer trustworthy.
    let Some((plaintext, read)) = inbox
        .next_messages(transport)
        .map_err(|_| EndReason::TamperedRecord)?
    else {
        return Ok(None);
    };
    let at = read.get();
    // An empty record decodes as truncated, so every record holds at least
    // one message, and each message takes at least two bytes: reading
    // always moves on.
    let (message, used) =
        Message::decode_prefix(plaintext.get(at..).unwrap_or(&[])).map_err(reason_for)?;
    read.set(at + used);
    Ok(Some((message, plaintext)))
}

fn reason_for(e: DecodeError) -> EndReason {
    match e {
        DecodeError::UnsupportedVersion(_) => EndReason::UnsupportedVersion,
        DecodeError::Truncated | DecodeError::Malformed => EndReason::ProtocolError,
    }
}

/// The session must end, and whether to tell the peer why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stop {
    pub(crate) reason: EndReason,
    pub(crate) tell_peer: bool,
}

impl Stop {
    /// The peer broke a rule: end, and tell it why.
    pub(crate) fn protocol(reason: EndReason) -> Self {
        Self {
            reason,
            tell_peer: true,
        }
    }
}

/// Events that can wait at once. Input bursts (a grace period ending) are the
/// largest producer; the arbiter holds at most
/// [`crate::control::HELD_BACK_CAPACITY`] plus releases.
const PENDING_CAPACITY: usize = 128;

/// State shared by both roles, apart from the inbox (kept separate so events
/// can borrow from it while this is updated).
pub(crate) struct Common<const TX: usize> {
    pub(crate) config: Config,
    pub(crate) side: Side,
    pub(crate) transport: Option<Transport>,
    pub(crate) outbox: Outbox<TX>,
    pub(crate) pending: Deque<Pending, PENDING_CAPACITY>,
    pub(crate) now: u64,
    pub(crate) last_rx: u64,
    pub(crate) next_ping: u64,
    pub(crate) ended: Option<EndReason>,
    /// The session was accepted by the novice: chat, files and frames may flow.
    pub(crate) started: bool,
    pub(crate) chat: ChatLog<CHAT_HISTORY>,
    pub(crate) files: Files,
    pub(crate) peer_name: String<MAX_NAME_BYTES>,
    pub(crate) rtt_ms: Option<u32>,
}

impl<const TX: usize> Common<TX> {
    pub(crate) fn new(config: Config, side: Side, now: u64) -> Self {
        Self {
            config,
            side,
            transport: None,
            outbox: Outbox::new(),
            pending: Deque::new(),
            now,
            last_rx: now,
            next_ping: now.saturating_add(config.keepalive_interval_ms),
            ended: None,
            started: false,
            chat: ChatLog::new(),
            files: Files::new(side),
            peer_name: String::new(),
            rtt_ms: None,
        }
    }

    /// Queue an event for the driver. The queue is sized so that it cannot
    /// overflow while the driver drains events between inputs; if it ever
    /// does, the session ends rather than lose an event silently.
    pub(crate) fn emit(&mut self, event: Pending) {
        if self.pending.push_back(event).is_err() {
            self.pending.clear();
            self.ended = Some(EndReason::ProtocolError);
            let _ = self
                .pending
                .push_back(Pending::Ended(EndReason::ProtocolError));
        }
    }

    /// Send a message that must not be refused for lack of room (control
    /// messages use the reserved part of the outbox).
    pub(crate) fn send(&mut self, message: &Message<'_>) -> Result<(), SendError> {
        self.queue(message, false)
    }

    /// Send bulk data (frames, file chunks): refused when the outbox is short
    /// of room, so a slow link slows the sender instead of queueing.
    pub(crate) fn send_bulk(&mut self, message: &Message<'_>) -> Result<(), SendError> {
        self.queue(message, true)
    }

    /// Send bulk messages together in one record (one length and one tag for
    /// all): all of them, or none.
    pub(crate) fn send_bulk_together<'m>(
        &mut self,
        messages: impl IntoIterator<Item = Message<'m>>,
    ) -> Result<(), SendError> {
        self.queue_together(messages, true)
    }

    fn queue(&mut self, message: &Message<'_>, bulk: bool) -> Result<(), SendError> {
        self.queue_together(core::iter::once(*message), bulk)
    }

    fn queue_together<'m>(
        &mut self,
        messages: impl IntoIterator<Item = Message<'m>>,
        bulk: bool,
    ) -> Result<(), SendError> {
        if self.ended.is_some() {
            return Err(SendError::Ended);
        }
        let transport = self.transport.as_mut().ok_or(SendError::NotAllowed)?;
        match self.outbox.push_messages(transport, messages, bulk) {
            Ok(()) => Ok(()),
            Err(QueueError::Full) => Err(SendError::WouldBlock),
            Err(QueueError::TooLarge) => Err(SendError::Invalid),
            Err(QueueError::Record) => {
                // Only a worn-out sending counter gets here; nothing more
                // can be sent, not even a bye.
                self.transport = None;
                self.end(EndReason::ProtocolError, false);
                Err(SendError::Ended)
            }
        }
    }

    /// End the session: tell the peer why (when `tell_peer` and the link
    /// still works) and emit the final event. Idempotent.
    pub(crate) fn end(&mut self, reason: EndReason, tell_peer: bool) {
        if self.ended.is_some() {
            return;
        }
        if tell_peer && self.transport.is_some() {
            // The peer sees our side leaving as "the other side left".
            let theirs = if reason == EndReason::LocalLeft {
                EndReason::PeerLeft
            } else {
                reason
            };
            let _ = self.send(&Message::Bye { reason: theirs });
            if self.ended.is_some() {
                // Sealing the bye wore out the transport and ended the
                // session already; one final event is enough.
                return;
            }
        }
        self.ended = Some(reason);
        self.emit(Pending::Ended(reason));
    }

    /// Keepalive and link-loss timers; both roles call this on every timeout.
    pub(crate) fn handle_link_timers(&mut self, now: u64) {
        self.now = now;
        if self.ended.is_some() {
            return;
        }
        if now.saturating_sub(self.last_rx) >= self.config.idle_timeout_ms {
            self.end(EndReason::LinkLost, false);
            return;
        }
        if self.transport.is_some() && now >= self.next_ping {
            self.next_ping = now.saturating_add(self.config.keepalive_interval_ms);
            let _ = self.send(&Message::Ping { stamp: now });
        }
    }

    /// The earliest deadline of the link timers.
    pub(crate) fn link_timeout(&self) -> Option<u64> {
        if self.ended.is_some() {
            return None;
        }
        let idle = self.last_rx.saturating_add(self.config.idle_timeout_ms);
        Some(if self.transport.is_some() {
            idle.min(self.next_ping)
        } else {
            idle
        })
    }

    /// Messages both roles treat alike. Returns `Ok(false)` when the message
    /// is for the role to handle, and `Err` when the session must end (the
    /// role ends it, so it can release held input first).
    pub(crate) fn handle_common(
        &mut self,
        message: &Message<'_>,
        plaintext: &[u8],
    ) -> Result<bool, Stop> {
        match *message {
            Message::Ping { stamp } => {
                let _ = self.send(&Message::Pong { stamp });
            }
            Message::Pong { stamp } => {
                if stamp <= self.now {
                    let sample = u32::try_from(self.now - stamp).unwrap_or(u32::MAX);
                    self.rtt_ms = Some(match self.rtt_ms {
                        // Smoothed like TCP's SRTT (gain 1/8).
                        Some(rtt) => rtt - rtt / 8 + sample / 8,
                        None => sample,
                    });
                }
            }
            Message::Bye { reason } => {
                return Err(Stop {
                    reason,
                    tell_peer: false,
                });
            }
            Message::FileOffer { .. }
            | Message::FileAccept { .. }
            | Message::FileDecline { .. }
            | Message::FileChunk { .. }
            | Message::FileAck { .. }
            | Message::FileDone { .. }
            | Message::FileResult { .. }
            | Message::FileCancel { .. } => {
                if !self.started {
                    return Err(Stop::protocol(EndReason::ProtocolError));
                }
                let mut replies = heapless::Vec::<Message<'static>, 2>::new();
                let mut events = heapless::Vec::<Pending, 3>::new();
                self.files
                    .on_message(message, plaintext, &mut replies, &mut events)
                    .map_err(Stop::protocol)?;
                for reply in &replies {
                    let _ = self.send(reply);
                }
                for event in events {
                    self.emit(event);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Build the public event for a queued one, borrowing from the session.
    pub(crate) fn render<'a>(&'a self, pending: Pending, inbox: &'a Inbox) -> Option<Event<'a>> {
        Some(match pending {
            Pending::Authenticate => Event::Authenticate,
            Pending::ConsentRequested => Event::ConsentRequested {
                expert_name: self.peer_name.as_str(),
            },
            Pending::Admitted => Event::Admitted {
                novice_name: self.peer_name.as_str(),
            },
            Pending::Unattended => Event::Unattended,
            Pending::Started => Event::Started,
            Pending::ControlRequested => Event::ControlRequested,
            Pending::ControlRefused(r) => Event::ControlRefused(r),
            Pending::ControlGranted => Event::ControlGranted,
            Pending::ControlEnded { by, how } => Event::ControlEnded { by, how },
            Pending::Inject(e) => Event::Inject(e),
            Pending::Chat(seq) => Event::Chat(self.chat.entries().find(|e| e.seq == seq)?),
            Pending::FileOffered(id) => {
                let (name, size) = self.files.incoming_info(id)?;
                Event::FileOffered { id, name, size }
            }
            Pending::FileAccepted(id) => Event::FileAccepted { id },
            Pending::FileDeclined(id) => Event::FileDeclined { id },
            Pending::FileData {
                id,
                offset,
                at,
                len,
            } => Event::FileData {
                id,
                offset,
                data: inbox.last_frame().get(at..at + len)?,
            },
            Pending::FileProgress { id, done, total } => Event::FileProgress { id, done, total },
            Pending::FileFinished { id, outcome } => Event::FileFinished { id, outcome },
            Pending::FileCancelled { id, by } => Event::FileCancelled { id, by },
            Pending::FrameStart {
                frame,
                width,
                height,
            } => Event::FrameStart {
                frame,
                width,
                height,
            },
            Pending::Rect {
                frame,
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                at,
                len,
            } => Event::Rect {
                frame,
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                data: inbox.last_frame().get(at..at + len)?,
            },
            Pending::FrameEnd(frame) => Event::FrameEnd { frame },
            Pending::Cursor { x, y } => Event::Cursor { x, y },
            Pending::KeyboardLeds(leds) => Event::KeyboardLeds(leds),
            Pending::QualityRequested(q) => Event::QualityRequested(q),
            Pending::PointerMode { relative } => Event::PointerMode { relative },
            Pending::ViewerDecodes(encodings) => Event::ViewerDecodes(encodings),
            Pending::Ended(r) => Event::Ended(r),
        })
    }

    // ---- calls both roles expose ----

    pub(crate) fn offer_file(
        &mut self,
        name: &str,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<u32, SendError> {
        if !self.started {
            return Err(SendError::NotAllowed);
        }
        let id = self.files.new_outgoing(name, size, sha256)?;
        // The transfer validated the name; the offer carries it as given.
        let sent = self.send(&Message::FileOffer {
            id,
            name,
            size,
            sha256,
        });
        if sent.is_err() {
            self.files.forget_outgoing(id);
        }
        sent.map(|()| id)
    }

    pub(crate) fn answer_file(&mut self, id: u32, accept: bool) -> Result<(), SendError> {
        let reply = self.files.answer(id, accept)?;
        if !accept {
            self.emit(Pending::FileCancelled { id, by: self.side });
        }
        self.send(&reply)
    }

    pub(crate) fn cancel_file(&mut self, id: u32) -> Result<(), SendError> {
        let reply = self.files.cancel(id)?;
        self.emit(Pending::FileCancelled { id, by: self.side });
        self.send(&reply)
    }

    pub(crate) fn send_file_chunk(
        &mut self,
        id: u32,
        offset: u64,
        data: &[u8],
    ) -> Result<(), SendError> {
        if !self.outbox.has_room_for_bulk() {
            return Err(SendError::WouldBlock);
        }
        self.files.check_chunk(id, offset, data.len())?;
        self.send_bulk(&Message::FileChunk { id, offset, data })?;
        if let Some(done) = self.files.chunk_sent(id, offset, data.len())? {
            self.send(&done)?;
        }
        Ok(())
    }

    pub(crate) fn send_chat_as_novice(&mut self, text: &str) -> Result<(), SendError> {
        if !self.started {
            return Err(SendError::NotAllowed);
        }
        let (seq, from) = {
            let entry = self
                .chat
                .append(Side::Novice, text)
                .map_err(|_| SendError::Invalid)?;
            (entry.seq, entry.from)
        };
        self.emit(Pending::Chat(seq));
        self.send(&Message::ChatEntry { seq, from, text })
    }
}
