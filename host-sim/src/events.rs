//! Owned copies of the core's events, so drivers and tests can keep them
//! after the session lends the next one.

use beckon_core::message::{Encoding, InputEvent, Quality};
use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};
use beckon_core::session::{Event, FileOutcome};

/// One event of one session, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    /// Novice: the handshake arrived; the agent admits or refuses it.
    Authenticate,
    /// Novice: the person is asked whether to start.
    ConsentRequested(String),
    /// Expert: admitted; the novice is being asked.
    Admitted(String),
    /// Expert: nobody at the machine was asked; its owner pre-approved the
    /// invitation (unattended help).
    Unattended,
    /// Both: the session started.
    Started,
    /// Novice: the helper asks for control.
    ControlRequested,
    /// Both: a control request was refused.
    ControlRefused(ControlRefusal),
    /// Both: control is shared.
    ControlGranted,
    /// Both: control ended.
    ControlEnded(Side, StopMethod),
    /// Novice: input to inject.
    Inject(InputEvent),
    /// Both: a chat entry (sequence number, author, text).
    Chat(u32, Side, String),
    /// Receiver: a file is offered (id, name, size).
    FileOffered(u32, String, u64),
    /// Sender: the file was accepted.
    FileAccepted(u32),
    /// Sender: the file was declined.
    FileDeclined(u32),
    /// Receiver: file bytes (id, offset, length).
    FileData(u32, u64, usize),
    /// Both: progress (id, done, total).
    FileProgress(u32, u64, u64),
    /// Both: a transfer finished.
    FileFinished(u32, FileOutcome),
    /// Both: a transfer was cancelled.
    FileCancelled(u32, Side),
    /// Expert: a frame starts (frame, width, height).
    FrameStart(u32, u16, u16),
    /// Expert: a piece of a rectangle (frame, encoding, offset, length).
    Rect(u32, Encoding, u32, usize),
    /// Expert: a frame is complete.
    FrameEnd(u32),
    /// Expert: the pointer moved.
    Cursor(u16, u16),
    /// Expert: the machine's keyboard lock lights.
    KeyboardLeds(u8),
    /// Novice: the helper wants a relative (`true`) or absolute pointer.
    PointerMode(bool),
    /// Novice: the optional encodings the helper's viewer decodes.
    ViewerDecodes(u8),
    /// Novice: the helper asked for a picture quality.
    Quality(Quality),
    /// Both: the session ended.
    Ended(EndReason),
}

impl From<&Event<'_>> for Ev {
    fn from(e: &Event<'_>) -> Self {
        match *e {
            Event::Authenticate => Ev::Authenticate,
            Event::ConsentRequested { expert_name } => Ev::ConsentRequested(expert_name.into()),
            Event::Admitted { novice_name } => Ev::Admitted(novice_name.into()),
            Event::Unattended => Ev::Unattended,
            Event::Started => Ev::Started,
            Event::ControlRequested => Ev::ControlRequested,
            Event::ControlRefused(r) => Ev::ControlRefused(r),
            Event::ControlGranted => Ev::ControlGranted,
            Event::ControlEnded { by, how } => Ev::ControlEnded(by, how),
            Event::Inject(i) => Ev::Inject(i),
            Event::Chat(entry) => Ev::Chat(entry.seq, entry.from, entry.text.as_str().into()),
            Event::FileOffered { id, name, size } => Ev::FileOffered(id, name.into(), size),
            Event::FileAccepted { id } => Ev::FileAccepted(id),
            Event::FileDeclined { id } => Ev::FileDeclined(id),
            Event::FileData { id, offset, data } => Ev::FileData(id, offset, data.len()),
            Event::FileProgress { id, done, total } => Ev::FileProgress(id, done, total),
            Event::FileFinished { id, outcome } => Ev::FileFinished(id, outcome),
            Event::FileCancelled { id, by } => Ev::FileCancelled(id, by),
            Event::FrameStart {
                frame,
                width,
                height,
            } => Ev::FrameStart(frame, width, height),
            Event::Rect {
                frame,
                encoding,
                offset,
                data,
                ..
            } => Ev::Rect(frame, encoding, offset, data.len()),
            Event::FrameEnd { frame } => Ev::FrameEnd(frame),
            Event::Cursor { x, y } => Ev::Cursor(x, y),
            Event::KeyboardLeds(leds) => Ev::KeyboardLeds(leds),
            Event::PointerMode { relative } => Ev::PointerMode(relative),
            Event::ViewerDecodes(e) => Ev::ViewerDecodes(e),
            Event::QualityRequested(q) => Ev::Quality(q),
            Event::Ended(r) => Ev::Ended(r),
        }
    }
}

impl Ev {
    /// Whether the transcript shows this event only when verbose (video
    /// and file data come by the hundred).
    pub fn is_chatty(&self) -> bool {
        matches!(
            self,
            Ev::Inject(_)
                | Ev::FileData(..)
                | Ev::FileProgress(..)
                | Ev::FrameStart(..)
                | Ev::Rect(..)
                | Ev::FrameEnd(_)
                | Ev::Cursor(..)
        )
    }

    /// A line for the transcript.
    pub fn describe(&self) -> String {
        match self {
            Ev::Authenticate => "handshake arrived; checking it".into(),
            Ev::ConsentRequested(n) => {
                format!("asks the person: {n:?} wants to see the screen and chat")
            }
            Ev::Admitted(n) => {
                format!("admitted by the machine of {n:?}; waiting for them to accept")
            }
            Ev::Unattended => {
                "nobody was asked: the owner pre-approved this invitation (unattended)".into()
            }
            Ev::Started => "session started: screen shared, chat open".into(),
            Ev::ControlRequested => "the helper asks for control".into(),
            Ev::ControlRefused(r) => format!("control refused: {r}"),
            Ev::ControlGranted => "control is shared".into(),
            Ev::ControlEnded(by, how) => format!(
                "control ended by the {} ({})",
                side_word(*by),
                how_word(*how)
            ),
            Ev::Inject(i) => format!("inject {i:?}"),
            Ev::Chat(_, from, text) => format!("chat from the {}: {text:?}", side_word(*from)),
            Ev::FileOffered(id, name, size) => {
                format!("file #{id} offered: {name:?}, {size} bytes")
            }
            Ev::FileAccepted(id) => format!("file #{id} accepted"),
            Ev::FileDeclined(id) => format!("file #{id} declined"),
            Ev::FileData(id, off, len) => format!("file #{id}: {len} bytes at {off}"),
            Ev::FileProgress(id, done, total) => format!("file #{id}: {done}/{total}"),
            Ev::FileFinished(id, FileOutcome::Ok) => {
                format!("file #{id} complete, checksum matches")
            }
            Ev::FileFinished(id, FileOutcome::HashMismatch) => {
                format!("file #{id} arrived corrupted: checksum mismatch, discarded")
            }
            Ev::FileCancelled(id, by) => format!("file #{id} cancelled by the {}", side_word(*by)),
            Ev::FrameStart(f, w, h) => format!("frame {f} starts ({w}x{h})"),
            Ev::Rect(f, enc, off, len) => format!("frame {f}: {enc:?} {len} bytes at {off}"),
            Ev::FrameEnd(f) => format!("frame {f} complete"),
            Ev::Cursor(x, y) => format!("pointer at {x},{y}"),
            Ev::KeyboardLeds(leds) => format!("the machine's keyboard: {}", leds_words(*leds)),
            Ev::PointerMode(true) => "the helper asks for a relative mouse".into(),
            Ev::PointerMode(false) => "the helper asks for an absolute pointer".into(),
            Ev::ViewerDecodes(e) => {
                format!("the helper's viewer decodes optional encodings {e:#04x}")
            }
            Ev::Quality(q) => format!("the helper asks for quality {q:?}"),
            Ev::Ended(r) => format!("session ended: {r}"),
        }
    }
}

/// What one side of a session saw, with times; both the agent's
/// connections and the experts keep such a log.
pub trait Seen {
    /// Every event with the time it happened.
    fn log(&self) -> &[(u64, Ev)];

    /// The events without their times.
    fn events(&self) -> impl Iterator<Item = &Ev> {
        self.log().iter().map(|(_, e)| e)
    }

    /// Whether an event equal to `ev` happened.
    fn saw(&self, ev: &Ev) -> bool {
        self.events().any(|e| e == ev)
    }
}

/// The keyboard's lock lights in words, e.g. "Caps Lock on, Num Lock off,
/// Scroll Lock off".
pub fn leds_words(leds: u8) -> String {
    use beckon_core::message::{LED_CAPS_LOCK, LED_NUM_LOCK, LED_SCROLL_LOCK};
    let on = |bit: u8| if leds & bit != 0 { "on" } else { "off" };
    format!(
        "Caps Lock {}, Num Lock {}, Scroll Lock {}",
        on(LED_CAPS_LOCK),
        on(LED_NUM_LOCK),
        on(LED_SCROLL_LOCK)
    )
}

/// "person" or "helper".
pub fn side_word(side: Side) -> &'static str {
    match side {
        Side::Novice => "person",
        Side::Expert => "helper",
    }
}

/// How control was stopped, in words.
pub fn how_word(how: StopMethod) -> &'static str {
    match how {
        StopMethod::EscKey => "Esc key",
        StopMethod::CtrlC => "Ctrl+C",
        StopMethod::StopButton => "Stop control button",
        StopMethod::ExpertReleased => "gave control back",
        StopMethod::SessionEnded => "session ended",
    }
}
