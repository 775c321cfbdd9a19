//! The client's task: the expert session over its socket, in real time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use beckon_core::message::InputEvent;
use beckon_core::session::{Event, ExpertSession, ExpertState, SendError};
use beckon_host_sim::events::{how_word, side_word, Ev};
use beckon_video::stream::{RectPieces, View};
use beckon_video::Screen;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use super::{pointer_units, ClientOptions, Cmd, Control, FileAnswer, News, Status};
use crate::clock::unix_ms;
use crate::files::FileDesk;
use crate::link::{instant_at, Link, Ready};
use crate::story::Who;

struct Task {
    session: Box<ExpertSession>,
    options: ClientOptions,
    files: FileDesk,
    view: Arc<Mutex<View>>,
    status: watch::Sender<Status>,
    inputs: VecDeque<InputEvent>,
    /// The rectangle being put together for the news.
    piece: RectPieces,
    /// Picture bytes received, published with the rest of the status.
    video_bytes: u64,
}

enum Wake {
    Socket(Ready),
    Cmd(Option<Cmd>),
    Timer,
}

pub(super) async fn run(
    stream: TcpStream,
    session: Box<ExpertSession>,
    options: ClientOptions,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    status: watch::Sender<Status>,
    view: Arc<Mutex<View>>,
) {
    let mut link = Link::new(stream);
    let mut t = Task {
        session,
        files: FileDesk::new(options.download_dir.clone()),
        options,
        view,
        status,
        inputs: VecDeque::new(),
        piece: RectPieces::default(),
        video_bytes: 0,
    };
    let mut commands_open = true;
    loop {
        let now = unix_ms();
        t.drain(now);
        while link.push(&mut *t.session, now) {
            t.drain(now);
        }
        if t.session.poll_timeout().is_some_and(|d| d <= now) {
            t.session.handle_timeout(now);
            t.drain(now);
        }
        t.send_inputs();
        t.files.pump(&mut *t.session);
        link.flush(&mut *t.session).await;
        t.publish();
        if link.is_done(&*t.session) {
            break;
        }
        let deadline = t.session.poll_timeout();
        let write = t.session.poll_transmit().is_some();
        let can_wait = link.can_wait(write);
        let wake = tokio::select! {
            r = link.ready(write), if can_wait => Wake::Socket(r),
            c = rx.recv(), if commands_open => Wake::Cmd(c),
            _ = tokio::time::sleep_until(instant_at(now, deadline.unwrap_or(now))), if deadline.is_some() => Wake::Timer,
            // Never left with nothing to wait for.
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => Wake::Timer,
        };
        match wake {
            Wake::Socket(Ready::Read) => link.read_now(),
            Wake::Socket(Ready::Write) | Wake::Timer => {}
            Wake::Cmd(Some(cmd)) => t.command(cmd),
            Wake::Cmd(None) => {
                // Nobody can command us any more: hang up.
                commands_open = false;
                t.session.disconnect();
            }
        }
    }
    t.files.abandon();
    t.publish();
}

impl Task {
    fn tell(&self, text: impl AsRef<str>) {
        self.options.story.tell(Who::Helper, text);
    }

    fn publish(&self) {
        let state = self.session.state();
        let name = self.session.novice_name().to_string();
        let rtt = self.session.rtt_ms();
        let bytes = self.video_bytes;
        // Once per turn of the task, not once per rectangle: a watcher wakes
        // for every change.
        self.status.send_if_modified(|s| {
            let changed = s.state != Some(state)
                || s.novice_name != name
                || s.rtt_ms != rtt
                || s.video_bytes != bytes;
            s.state = Some(state);
            s.novice_name = name;
            s.rtt_ms = rtt;
            s.video_bytes = bytes;
            changed
        });
    }

    fn news(&self, news: News) {
        if let Some(tx) = &self.options.news {
            let _ = tx.send(news);
        }
    }
}

/// The video as a page needs it: whole rectangles, in order. `piece`
/// gathers a rectangle that arrives in parts. Rectangles that need what a
/// viewer kept or the frame's stream go as plain ones, taken from `screen`
/// (which has just applied them): a tab that opened late has neither.
fn video_news(
    options: &ClientOptions,
    piece: &mut RectPieces,
    event: &Event<'_>,
    screen: Option<&mut Screen>,
) {
    let Some(tx) = &options.news else {
        return;
    };
    let news = |n: News| {
        let _ = tx.send(n);
    };
    {
        match *event {
            Event::FrameStart { width, height, .. } => news(News::FrameStart(width, height)),
            Event::Rect {
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                data,
                ..
            } => {
                let complete = piece.add(offset, total, data);
                if complete {
                    let rect = beckon_video::Rect { x, y, w, h };
                    let data = piece.take();
                    let (encoding, data) = match screen {
                        Some(screen) => screen.standalone(rect, encoding, data),
                        None => (encoding, data),
                    };
                    news(News::Rect(rect, encoding, data));
                }
            }
            Event::FrameEnd { .. } => news(News::FrameEnd),
            Event::Cursor { x, y } => news(News::Cursor(x, y)),
            _ => {}
        }
    }
}

impl Task {
    fn update(&self, f: impl FnOnce(&mut Status)) {
        self.status.send_modify(f);
    }

    fn drain(&mut self, now: u64) {
        while let Some(event) = self.session.poll_event() {
            let ev = Ev::from(&event);
            let mut view = self.view.lock().ok().map(|mut view| {
                view.on_event(&event, now);
                view
            });
            video_news(
                &self.options,
                &mut self.piece,
                &event,
                view.as_deref_mut().map(View::screen_mut),
            );
            drop(view);
            let finished = self.files.on_event(&event);
            match event {
                Event::FrameEnd { .. } => self.update(|s| s.frames += 1),
                Event::Rect { data, .. } => self.video_bytes += data.len() as u64,
                _ => {}
            }
            if !matches!(
                ev,
                Ev::FrameStart(..)
                    | Ev::Rect(..)
                    | Ev::FrameEnd(_)
                    | Ev::Cursor(..)
                    | Ev::FileData(..)
            ) {
                self.news(News::Event(ev.clone()));
            }
            if let Some((id, f)) = finished {
                self.news(News::FileFinished(id, f.clone()));
                self.tell(crate::files::finished_words(id, &f));
                self.update(|s| {
                    s.files.insert(id, f);
                });
            }
            self.on_event(ev);
        }
    }

    fn on_event(&mut self, ev: Ev) {
        match ev {
            Ev::Admitted(name) => self.tell(format!(
                "the machine of {name} let us in; waiting for them to accept"
            )),
            Ev::KeyboardLeds(leds) => {
                self.tell(format!(
                    "the machine's keyboard: {}",
                    beckon_host_sim::events::leds_words(leds)
                ));
                self.update(|s| s.leds = Some(leds));
            }
            Ev::Unattended => {
                self.tell(
                    "unattended: nobody at the machine was asked; its owner pre-approved this \
                     invitation, so nobody may be watching",
                );
                self.update(|s| s.unattended = true);
            }
            Ev::Started => {
                self.tell("the person accepted: you see the screen; chat is open");
                self.update(|s| s.started = true);
                // Optional encodings this build decodes, so the other side
                // may use them (and never one it cannot show).
                if beckon_video::H264 {
                    let _ = self
                        .session
                        .announce_decodes(beckon_core::message::DECODES_H264);
                }
            }
            Ev::ControlGranted => {
                self.tell("control is shared: your keyboard and mouse act on the machine");
                self.update(|s| s.control = Control::Granted);
            }
            Ev::ControlRefused(r) => {
                self.tell(format!("control refused: {r}"));
                self.inputs.clear();
                self.update(|s| s.control = Control::Refused(r));
            }
            Ev::ControlEnded(by, how) => {
                self.tell(format!(
                    "control ended by the {} ({})",
                    side_word(by),
                    how_word(how)
                ));
                self.inputs.clear();
                self.update(|s| s.control = Control::Ended(by, how));
            }
            Ev::Chat(_, from, text) => self.tell(format!("chat from the {}: {text}", side_word(from))),
            Ev::FileOffered(id, name, size) => match self.options.files {
                FileAnswer::Accept => {
                    self.tell(format!("the person sends {name:?} ({size} bytes): accepting"));
                    if let Err(e) = self.files.answer(&mut *self.session, id, true) {
                        self.tell(format!("cannot take file #{id}: {e}"));
                        let _ = self.session.answer_file(id, false);
                    }
                }
                FileAnswer::Decline => {
                    self.tell(format!("the person sends {name:?} ({size} bytes): declining (use --accept-files to take files)"));
                    let _ = self.files.answer(&mut *self.session, id, false);
                }
                FileAnswer::Ask => self.tell(format!(
                    "the person sends {name:?} ({size} bytes): type accept-file {id} or decline-file {id}"
                )),
            },
            Ev::FileAccepted(id) => self.tell(format!("file #{id} accepted; sending")),
            Ev::Ended(r) => {
                self.tell(format!("session ended: {r}"));
                self.inputs.clear();
                self.update(|s| s.ended = Some(r));
            }
            _ => {}
        }
    }

    fn send_inputs(&mut self) {
        while let Some(input) = self.inputs.front().copied() {
            match self.session.send_input(input) {
                Ok(()) => {
                    self.inputs.pop_front();
                }
                Err(SendError::WouldBlock) => return,
                Err(e) => {
                    tracing::debug!("input not sent: {e}");
                    self.inputs.clear();
                    return;
                }
            }
        }
    }

    fn command(&mut self, cmd: Cmd) {
        let result = match cmd {
            Cmd::RequestControl(reply) => {
                let r = self.session.request_control();
                if r.is_ok() {
                    self.tell("asking for control");
                    self.update(|s| s.control = Control::Requested);
                }
                let _ = reply.send(r);
                Ok(())
            }
            Cmd::ReleaseControl => self.session.release_control(),
            Cmd::Input(events) => {
                if self.session.state() != ExpertState::InControl {
                    Err(SendError::NotAllowed)
                } else {
                    self.inputs.extend(events);
                    Ok(())
                }
            }
            Cmd::Click(x, y) => match self.session.screen_size() {
                Some((w, h)) if self.session.state() == ExpertState::InControl => {
                    let (ax, ay) = (
                        pointer_units(f64::from(x), w),
                        pointer_units(f64::from(y), h),
                    );
                    self.inputs.extend([
                        InputEvent::PointerAbs { x: ax, y: ay },
                        InputEvent::Button {
                            button: 0,
                            down: true,
                        },
                        InputEvent::Button {
                            button: 0,
                            down: false,
                        },
                    ]);
                    Ok(())
                }
                _ => Err(SendError::NotAllowed),
            },
            Cmd::Chat(text) => self.session.send_chat(&text),
            Cmd::SendFile(path, reply) => {
                let r = self.files.offer(&mut *self.session, &path);
                if let Ok(id) = &r {
                    self.tell(format!("offering {} as file #{id}", path.display()));
                }
                let _ = reply.send(r);
                Ok(())
            }
            Cmd::AnswerFile(id, yes) => {
                if let Err(e) = self.files.answer(&mut *self.session, id, yes) {
                    self.tell(format!("{e}"));
                }
                Ok(())
            }
            Cmd::CancelFile(id) => self.session.cancel_file(id),
            Cmd::Quality(q) => self.session.set_quality(q),
            Cmd::PointerMode(relative) => {
                let sent = self.session.set_pointer_mode(relative);
                if sent.is_ok() {
                    self.tell(if relative {
                        "asked the machine for a relative mouse (for BIOS screens)"
                    } else {
                        "asked the machine for an absolute pointer"
                    });
                    self.update(|s| s.relative_pointer = relative);
                }
                sent
            }
            Cmd::Snapshot => {
                let shot = self.view.lock().ok().map(|v| {
                    let s = v.screen();
                    News::Snapshot(s.width(), s.height(), s.pixels().to_vec())
                });
                if let Some(shot) = shot {
                    self.news(shot);
                }
                Ok(())
            }
            Cmd::Disconnect => {
                self.session.disconnect();
                Ok(())
            }
        };
        if let Err(e) = result {
            self.tell(format!("not done: {e}"));
        }
    }
}
