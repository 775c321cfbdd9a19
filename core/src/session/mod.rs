//! The novice and expert session state machines (DESIGN §3).
//!
//! Both are sans-IO, in the style of `quinn-proto`:
//!
//! - the driver feeds bytes with `handle_input(now, bytes)`, the passing of
//!   time with `handle_timeout(now)` and a closed link with
//!   `handle_close(now)`;
//! - it drains events with `poll_event()` and bytes to send with
//!   `poll_transmit()` / `advance_transmit(n)`;
//! - it sleeps until `poll_timeout()`.
//!
//! Time is the caller's clock in milliseconds. The novice's clock must be the
//! wall clock (Unix milliseconds): the same value is checked against
//! invitation expiries. A clock that steps backwards only delays timers.
//!
//! The person's choices (accept, allow control, type, chat, send a file) are
//! method calls. Events that carry data (a chat entry, a file chunk, a frame
//! rectangle) borrow it from the session until the next call to
//! `poll_event()`, so nothing is copied or allocated.
//!
//! Novice: `Listening → Authenticating → AwaitingConsent → Viewing ⇄
//! ControlOffered → SharedControl → … → Ended(reason)`.
//! Expert: `Connecting → Authenticating → AwaitingConsent → Viewing →
//! RequestingControl → InControl → … → Ended(reason)`.

#[macro_use]
mod api;
mod buffers;
mod common;
mod expert;
mod files;
mod novice;

pub use expert::{ExpertError, ExpertSession, ExpertState};
pub use files::FileOutcome;
pub use novice::{AdmittedVia, FrameRect, HelpMode, NoviceSession, NoviceState};

use crate::chat::ChatEntry;
use crate::message::{Encoding, InputEvent, Quality};
use crate::reason::{ControlRefusal, EndReason, Side, StopMethod};

/// First bytes the expert sends: magic and protocol generation. A peer that
/// sends another generation gets [`EndReason::UnsupportedVersion`].
pub const PREAMBLE_MAGIC: [u8; 4] = *b"BKN1";

/// Preamble mode byte: requested help (invitation, Noise `NK`).
pub const MODE_INVITATION: u8 = b'I';
/// Preamble mode byte: offered help (policy, Noise `XX`).
pub const MODE_OFFER: u8 = b'O';

/// Default size of a session's send buffer: two full records and room for
/// control messages. The dongle can choose a smaller one.
pub const DEFAULT_OUTBOX: usize = 40 * 1024;

/// Chat entries a session keeps (SES-08).
pub const CHAT_HISTORY: usize = 32;

/// Timing and limits of a session. The defaults suit people and links of
/// today; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// Send a keepalive ping this often.
    pub keepalive_interval_ms: u64,
    /// End the session when nothing arrives for this long (NET-03).
    pub idle_timeout_ms: u64,
    /// How long the novice has to answer the consent prompt (INV-08).
    pub consent_timeout_ms: u64,
    /// How long the novice has to answer a control request (SES-02).
    pub control_answer_timeout_ms: u64,
    /// How long local input holds the expert's input back (SES-04).
    pub grace_ms: u64,
    /// Frames the novice may have in flight before it waits for acks (SES-12).
    pub frame_window: u8,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keepalive_interval_ms: 2_000,
            idle_timeout_ms: 10_000,
            consent_timeout_ms: 120_000,
            control_answer_timeout_ms: 60_000,
            grace_ms: crate::control::DEFAULT_GRACE_MS,
            frame_window: crate::video::DEFAULT_WINDOW,
        }
    }
}

/// Something the driver must act on or show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event<'a> {
    /// Novice: a connection finished its first handshake step; call
    /// [`NoviceSession::admit_invitation`] or [`NoviceSession::admit_offer`]
    /// (see [`NoviceSession::mode`]).
    Authenticate,
    /// Novice: ask the person whether to start (INV-08, OFF-05).
    ConsentRequested {
        /// The helper's display name.
        expert_name: &'a str,
    },
    /// Expert: the novice's machine accepted the connection; the novice is
    /// being asked.
    Admitted {
        /// The novice's display name.
        novice_name: &'a str,
    },
    /// Expert, just before [`Event::Started`]: nobody at the machine
    /// accepted; its owner pre-approved this invitation for unattended
    /// help. Show it plainly: nobody may be watching on the other side.
    Unattended,
    /// Both: the novice accepted; the screen is shared and chat is open.
    Started,
    /// Novice: the helper asks for control; ask the person (SES-02).
    ControlRequested,
    /// Both: a control request was refused. On the novice's side this is
    /// informational (refused without asking because of the machine settings
    /// or policy, or the person said no).
    ControlRefused(ControlRefusal),
    /// Both: control is shared.
    ControlGranted,
    /// Both: control ended; who ended it and how (SES-05).
    ControlEnded {
        /// Who.
        by: Side,
        /// How.
        how: StopMethod,
    },
    /// Novice: inject this input into the machine.
    Inject(InputEvent),
    /// Both: a new entry in the shared chat history (SES-08).
    Chat(&'a ChatEntry),
    /// Receiver: the peer offers a file; accept or decline it (SES-07).
    FileOffered {
        /// Transfer id.
        id: u32,
        /// A safe bare file name (already checked).
        name: &'a str,
        /// Size in bytes.
        size: u64,
    },
    /// Sender: the peer accepted; send chunks.
    FileAccepted {
        /// Transfer id.
        id: u32,
    },
    /// Sender: the peer declined.
    FileDeclined {
        /// Transfer id.
        id: u32,
    },
    /// Receiver: write these bytes at `offset`.
    FileData {
        /// Transfer id.
        id: u32,
        /// Offset in the file.
        offset: u64,
        /// The bytes.
        data: &'a [u8],
    },
    /// Both: progress of a transfer.
    FileProgress {
        /// Transfer id.
        id: u32,
        /// Bytes the receiver has.
        done: u64,
        /// Size of the file.
        total: u64,
    },
    /// Both: a transfer finished; `Ok` when the receiver's hash matched.
    FileFinished {
        /// Transfer id.
        id: u32,
        /// The outcome.
        outcome: FileOutcome,
    },
    /// Both: a transfer was cancelled.
    FileCancelled {
        /// Transfer id.
        id: u32,
        /// Who cancelled it.
        by: Side,
    },
    /// Expert: a frame begins.
    FrameStart {
        /// Frame number.
        frame: u32,
        /// Screen width.
        width: u16,
        /// Screen height.
        height: u16,
    },
    /// Expert: (part of) a rectangle of the current frame.
    Rect {
        /// Frame number.
        frame: u32,
        /// Left edge.
        x: u16,
        /// Top edge.
        y: u16,
        /// Width.
        w: u16,
        /// Height.
        h: u16,
        /// Encoding of the rectangle's bytes.
        encoding: Encoding,
        /// Total encoded bytes of the rectangle.
        total: u32,
        /// Offset of `data` within them.
        offset: u32,
        /// The bytes.
        data: &'a [u8],
    },
    /// Expert: the frame is complete (the session has acked it).
    FrameEnd {
        /// Frame number.
        frame: u32,
    },
    /// Expert: the novice's pointer moved.
    Cursor {
        /// Horizontal position, in pointer units.
        x: u16,
        /// Vertical position, in pointer units.
        y: u16,
    },
    /// Expert: the lock lights of the machine's keyboard (bits
    /// [`crate::message::LED_CAPS_LOCK`] and friends). Type text with
    /// [`crate::keymap::Layout::strokes_locked`] while Caps Lock is on.
    KeyboardLeds(u8),
    /// Novice: the helper asked for another picture quality (SES-09).
    QualityRequested(Quality),
    /// Novice: the helper wants a relative (`true`) or an absolute pointer
    /// on the machine; a device that emulates a mouse switches it.
    PointerMode {
        /// Relative movements rather than positions.
        relative: bool,
    },
    /// Novice: the optional encodings the helper's viewer decodes
    /// ([`crate::message::DECODES_H264`]); use only those.
    ViewerDecodes(u8),
    /// Both: the session is over. The last event; then drain
    /// `poll_transmit` and close the link.
    Ended(EndReason),
}

/// Why a call that sends something was refused. The session goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// The send buffer is full; drain `poll_transmit` and try again.
    #[error("the send buffer is full")]
    WouldBlock,
    /// Not allowed in the session's current state.
    #[error("not allowed in the current state of the session")]
    NotAllowed,
    /// Invalid input from the caller (too long, unknown id, bad name …).
    #[error("invalid request")]
    Invalid,
    /// The session has ended.
    #[error("the session has ended")]
    Ended,
}
