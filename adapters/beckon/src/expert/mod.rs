//! The helper's client: connects to the novice's machine over TCP, runs the
//! core's expert session in its own task, keeps the view of the screen, and
//! takes commands from a script or a person.

mod conn;
pub mod script;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beckon_core::message::{InputEvent, POINTER_MAX};
use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};
use beckon_core::session::{ExpertSession, ExpertState, SendError};
use beckon_host_sim::events::Ev;
use beckon_video::stream::View;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::{Error, Result};
use crate::files::Finished;
use crate::story::Story;

/// How the helper answers files the person sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAnswer {
    /// Accept every file.
    Accept,
    /// Decline every file.
    Decline,
    /// Print the offer and wait for `accept-file ID` / `decline-file ID`.
    Ask,
}

/// How the client is set up.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Where accepted files go.
    pub download_dir: PathBuf,
    /// How offered files are answered.
    pub files: FileAnswer,
    /// Where the story goes.
    pub story: Story,
    /// Where a page (the console) follows the session, if one does.
    pub news: Option<mpsc::UnboundedSender<News>>,
}

/// What the client's task tells a page that follows the session, in the
/// order it happened.
#[derive(Debug, Clone)]
pub enum News {
    /// An event (not the video and file-data ones).
    Event(Ev),
    /// A frame starts at this screen size.
    FrameStart(u16, u16),
    /// One complete rectangle of the frame.
    Rect(beckon_video::Rect, beckon_core::message::Encoding, Vec<u8>),
    /// The frame is complete.
    FrameEnd,
    /// The person's pointer moved.
    Cursor(u16, u16),
    /// The whole screen as the helper sees it now (RGBA), in answer to
    /// [`Cmd::Snapshot`]: what comes after it changes this picture.
    Snapshot(u16, u16, Vec<u8>),
    /// A transfer ended.
    FileFinished(u32, Finished),
}

/// Where shared control stands, as the helper sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Never asked.
    #[default]
    None,
    /// Asked; no answer yet.
    Requested,
    /// Shared.
    Granted,
    /// Refused.
    Refused(ControlRefusal),
    /// Ended by someone, somehow.
    Ended(Side, StopMethod),
}

/// What the client's task publishes.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// The session's state (`None` before the task first looked).
    pub state: Option<ExpertState>,
    /// The person accepted; the screen is shared.
    pub started: bool,
    /// Nobody at the machine accepted: its owner pre-approved the
    /// invitation for unattended help.
    pub unattended: bool,
    /// The machine's keyboard lock lights, once it reported them (a
    /// dongle does; a desktop agent does not).
    pub leds: Option<u8>,
    /// The helper asked for a relative pointer (BIOS screens).
    pub relative_pointer: bool,
    /// Frames completed.
    pub frames: u64,
    /// Control.
    pub control: Control,
    /// Why the session ended, once it did.
    pub ended: Option<EndReason>,
    /// Transfers that ended, by id.
    pub files: BTreeMap<u32, Finished>,
    /// The novice's name, once admitted.
    pub novice_name: String,
    /// Picture bytes received so far.
    pub video_bytes: u64,
    /// Smoothed round-trip time, once measured.
    pub rtt_ms: Option<u32>,
}

impl Status {
    /// Whether the machine's Caps Lock is on, as far as we know: typed text
    /// then flips Shift on letters so it comes out as written.
    pub fn caps_lock(&self) -> bool {
        self.leds
            .is_some_and(|l| l & beckon_core::message::LED_CAPS_LOCK != 0)
    }
}

/// What the client's task is told to do.
#[derive(Debug)]
pub enum Cmd {
    /// Ask for control; whether the request went out comes back.
    RequestControl(oneshot::Sender<std::result::Result<(), SendError>>),
    /// Give control back.
    ReleaseControl,
    /// Send input (only in control).
    Input(Vec<InputEvent>),
    /// Click the left button at a pixel of the novice's screen.
    Click(u16, u16),
    /// Write in the chat.
    Chat(String),
    /// Offer a file; the id comes back.
    SendFile(PathBuf, oneshot::Sender<Result<u32>>),
    /// Accept or decline an offered file.
    AnswerFile(u32, bool),
    /// Cancel a transfer.
    CancelFile(u32),
    /// Ask the person's machine for a picture quality.
    Quality(beckon_core::message::Quality),
    /// Ask the machine for a relative (`true`) or an absolute pointer.
    PointerMode(bool),
    /// Put the current picture in the news ([`News::Snapshot`]).
    Snapshot,
    /// Hang up.
    Disconnect,
}

/// A running client.
#[derive(Debug)]
pub struct Client {
    /// Commands to the task.
    pub cmds: mpsc::UnboundedSender<Cmd>,
    /// What the task publishes.
    pub status: watch::Receiver<Status>,
    /// The novice's screen as the helper sees it.
    pub view: Arc<Mutex<View>>,
    task: tokio::task::JoinHandle<()>,
}

impl Client {
    /// Connect to the first of `addresses` that answers and start `session`
    /// over it.
    pub async fn connect(
        addresses: &[String],
        session: ExpertSession,
        options: ClientOptions,
    ) -> Result<Client> {
        if addresses.is_empty() {
            return Err(Error::Connect(
                "the invitation lists no address to connect to".into(),
            ));
        }
        let mut failures = Vec::new();
        for addr in addresses {
            match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr.as_str()))
                .await
            {
                Ok(Ok(stream)) => {
                    tracing::info!(%addr, "connected");
                    return Ok(Client::start(stream, session, options));
                }
                Ok(Err(e)) => failures.push(format!("{addr}: {e}")),
                Err(_) => failures.push(format!("{addr}: no answer within 5 s")),
            }
        }
        Err(Error::Connect(failures.join("; ")))
    }

    fn start(stream: TcpStream, session: ExpertSession, options: ClientOptions) -> Client {
        let (cmds, rx) = mpsc::unbounded_channel();
        let (status_tx, status) = watch::channel(Status::default());
        let view = Arc::new(Mutex::new(View::default()));
        let task = tokio::spawn(conn::run(
            stream,
            Box::new(session),
            options,
            rx,
            status_tx,
            view.clone(),
        ));
        Client {
            cmds,
            status,
            view,
            task,
        }
    }

    /// Send a command (ignored once the task has ended).
    pub fn send(&self, cmd: Cmd) {
        let _ = self.cmds.send(cmd);
    }

    /// Wait until `done` holds for the status, or `limit` passes; returns the
    /// status at that point and whether `done` held.
    pub async fn wait_for(
        &mut self,
        limit: Duration,
        done: impl Fn(&Status) -> bool,
    ) -> (Status, bool) {
        let waited = {
            let fut = self.status.wait_for(|s| done(s) || s.ended.is_some());
            match tokio::time::timeout(limit, fut).await {
                Ok(Ok(s)) => Some(s.clone()),
                Ok(Err(_)) | Err(_) => None,
            }
        };
        let s = waited.unwrap_or_else(|| self.status.borrow().clone());
        let ok = done(&s);
        (s, ok)
    }

    /// The current status.
    pub fn now(&self) -> Status {
        self.status.borrow().clone()
    }

    /// Hang up and wait (briefly) for the task to end.
    pub async fn finish(self) -> Status {
        self.send(Cmd::Disconnect);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(3), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
        let s = self.status.borrow().clone();
        s
    }

    /// The view as a PNG file.
    pub fn snapshot_png(&self) -> Result<Vec<u8>> {
        let view = self.view.lock().unwrap_or_else(|p| p.into_inner());
        let screen = view.screen();
        beckon_host_sim::desktop::png::encode_rgba(screen.width(), screen.height(), screen.pixels())
            .map_err(|e| Error::Other(format!("cannot encode the picture: {e}")))
    }
}

/// A pixel position on a screen `size` pixels long (from a script, or from
/// the console, where it may be fractional) to pointer units.
pub fn pointer_units(pixel: f64, size: u16) -> u16 {
    let span = f64::from(size.max(2) - 1);
    let v = pixel.clamp(0.0, f64::from(size.saturating_sub(1)));
    ((v * f64::from(POINTER_MAX) / span).round() as u32).min(u32::from(POINTER_MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::pointer_units;
    use beckon_core::message::POINTER_MAX;

    #[test]
    fn pointer_positions_cover_the_screen() {
        assert_eq!(pointer_units(0.0, 1920), 0);
        assert_eq!(pointer_units(1919.0, 1920), POINTER_MAX);
        assert_eq!(pointer_units(5000.0, 1920), POINTER_MAX);
        assert_eq!(pointer_units(-3.0, 1920), 0);
        let mid = pointer_units(959.5, 1920);
        assert!((i32::from(mid) - i32::from(POINTER_MAX / 2)).abs() <= 1);
    }
}
