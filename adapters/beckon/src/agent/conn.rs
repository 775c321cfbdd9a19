//! One connection of the agent: its core session, socket, video and files,
//! driven by real time in its own task.

use std::sync::Arc;
use std::time::Duration;

use beckon_core::control::LocalInput;
use beckon_core::message::InputEvent;
use beckon_core::reason::{EndReason, Permission};
use beckon_core::session::{Event, HelpMode, NoviceSession, NoviceState};
use beckon_host_sim::events::Ev;
use beckon_video::stream::Streamer;
use rand_core::OsRng;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::hub::{lock, SharedHub};
use super::news::{News, NewsKind};
use super::person::{Ask, Question, ToPerson};
use super::{AgentConfig, Answer, ConnCmd, Entry, Registry};
use crate::book::BookStore;
use crate::clock::unix_ms;
use crate::display::Source;
use crate::files::{finished_words, FileDesk};
use crate::link::{instant_at, Link, Ready};
use crate::machine::Machine;
use crate::story::{Story, Who};

/// How often a connection looks at the display for the person's own input
/// and changes it did not cause itself.
const TICK: Duration = Duration::from_millis(25);

/// What every connection shares.
#[derive(Debug)]
pub(super) struct Ctx {
    pub config: AgentConfig,
    pub machine: Machine,
    pub hub: SharedHub,
    pub person: Option<mpsc::UnboundedSender<ToPerson>>,
    pub story: Story,
    pub registry: Registry,
    /// Where news goes, when a page shows it.
    pub news: std::sync::OnceLock<mpsc::UnboundedSender<News>>,
}

struct Conn {
    ctx: Arc<Ctx>,
    slot: u64,
    session: Box<NoviceSession>,
    streamer: Streamer,
    files: FileDesk,
    tx: mpsc::UnboundedSender<ConnCmd>,
    ended: Option<EndReason>,
    had_control: bool,
    /// The permission last reported, to report changes only.
    reported: Permission,
}

/// Serve one connection to its end; never fails the agent.
pub(super) async fn serve(ctx: Arc<Ctx>, stream: TcpStream, n: u64) {
    let link = Link::new(stream);
    let peer = link.peer();
    let now = unix_ms();
    // Fresh for every connection, so a change applies at once (OFF-04).
    let settings = match crate::settings::load(&ctx.config.home) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("{e}; using the safe defaults");
            Default::default()
        }
    };
    let session = Box::new(NoviceSession::new(
        ctx.config.session,
        &mut OsRng,
        settings,
        &ctx.machine.key.secret,
        &ctx.machine.name,
        now,
    ));
    let slot = lock(&ctx.hub).join();
    let (tx, rx) = mpsc::unbounded_channel();
    ctx.registry
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            slot,
            Entry {
                tx: tx.clone(),
                in_control: false,
            },
        );
    let mut conn = Conn {
        ctx: ctx.clone(),
        slot,
        session,
        streamer: Streamer::default(),
        files: FileDesk::new(ctx.config.download_dir.clone()),
        tx,
        ended: None,
        had_control: false,
        reported: Permission::Waiting,
    };
    conn.report(NewsKind::Joined);
    conn.run(link, rx).await;
    let reason = conn.ended;
    conn.report(NewsKind::Left(reason));
    conn.files.abandon();
    if let Some(p) = &ctx.person {
        let _ = p.send(ToPerson::Retract { conn: slot });
    }
    ctx.registry
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&slot);
    let mut hub = lock(&ctx.hub);
    if conn.had_control {
        hub.release_all();
    }
    hub.leave(slot);
    drop(hub);
    match reason {
        Some(r) => tracing::info!(%peer, conn = n, "connection ended: {r}"),
        None => tracing::info!(%peer, conn = n, "connection closed"),
    }
}

enum Wake {
    Socket(Ready),
    Cmd(Option<ConnCmd>),
    Other,
}

impl Conn {
    async fn run(&mut self, mut link: Link, mut rx: mpsc::UnboundedReceiver<ConnCmd>) {
        let mut changed = lock(&self.ctx.hub).subscribe();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let now = unix_ms();
            self.look_at_display(now);
            self.drain(now);
            while link.push(&mut *self.session, now) {
                self.drain(now);
            }
            if self.session.poll_timeout().is_some_and(|t| t <= now) {
                self.session.handle_timeout(now);
                self.drain(now);
            }
            self.stream(now);
            self.files.pump(&mut *self.session);
            link.flush(&mut *self.session).await;
            self.update_status();
            if link.is_done(&*self.session) {
                return;
            }
            let deadline = [
                self.session.poll_timeout(),
                self.streaming()
                    .then(|| self.streamer.wake_at(&self.session))
                    .flatten(),
            ]
            .into_iter()
            .flatten()
            .min();
            let write = self.session.poll_transmit().is_some();
            let can_wait = link.can_wait(write);
            let wake = tokio::select! {
                r = link.ready(write), if can_wait => Wake::Socket(r),
                c = rx.recv() => Wake::Cmd(c),
                _ = changed.changed() => Wake::Other,
                _ = tokio::time::sleep_until(instant_at(now, deadline.unwrap_or(now))), if deadline.is_some() => Wake::Other,
                _ = tick.tick() => Wake::Other,
            };
            match wake {
                Wake::Socket(Ready::Read) => link.read_now(),
                Wake::Socket(Ready::Write) | Wake::Other => {}
                Wake::Cmd(Some(cmd)) => self.command(cmd, unix_ms()),
                Wake::Cmd(None) => {}
            }
        }
    }

    fn streaming(&self) -> bool {
        matches!(
            self.session.state(),
            NoviceState::Viewing | NoviceState::ControlOffered | NoviceState::SharedControl
        )
    }

    fn tell(&self, text: impl AsRef<str>) {
        self.ctx.story.tell(Who::Conn(self.slot), text);
    }

    /// Tell the page, if one listens, what happened here.
    fn report(&mut self, kind: NewsKind) {
        let permission = self.session.permission();
        self.reported = permission;
        if let Some(news) = self.ctx.news.get() {
            let _ = news.send(News {
                conn: self.slot,
                helper: self.session.expert_name().to_string(),
                permission,
                kind,
            });
        }
    }

    /// The person's own input and the display's changes.
    fn look_at_display(&mut self, now: u64) {
        let taken = lock(&self.ctx.hub).take(self.slot);
        self.streamer.add_damage(&taken.damage);
        self.streamer.add_moves(&taken.moves);
        for input in taken.local {
            let local = match input {
                InputEvent::Key { usage, down } => LocalInput::Key { usage, down },
                _ => LocalInput::Pointer,
            };
            self.session.local_input(now, local);
        }
    }

    fn stream(&mut self, now: u64) {
        if self.ended.is_some() || !self.streaming() {
            return;
        }
        let mut hub = lock(&self.ctx.hub);
        self.streamer
            .pump(&mut self.session, &mut Source(hub.display()), now);
    }

    fn ask(&self, ask: Ask) {
        match &self.ctx.person {
            Some(p) => {
                let q = Question {
                    conn: self.slot,
                    ask,
                    reply: self.tx.clone(),
                };
                let _ = p.send(ToPerson::Ask(q));
            }
            None => {
                self.tell("nobody to ask: the answer is no");
                let _ = self.tx.send(ask.answer(false));
            }
        }
    }

    fn set_in_control(&mut self, yes: bool) {
        self.had_control |= yes;
        let mut reg = self.ctx.registry.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = reg.get_mut(&self.slot) {
            e.in_control = yes;
        }
    }

    fn drain(&mut self, now: u64) {
        while let Some(event) = self.session.poll_event() {
            let ev = Ev::from(&event);
            let finished = self.files.on_event(&event);
            if let Event::Inject(input) = event {
                lock(&self.ctx.hub).inject(input);
            }
            if let Some((id, f)) = finished {
                self.tell(finished_words(id, &f));
                self.report(NewsKind::FileFinished(id, f));
            }
            if NewsKind::worth(&ev) {
                self.report(NewsKind::Event(ev.clone()));
            }
            if !ev.is_chatty() && !matches!(ev, Ev::FileFinished(..)) {
                tracing::debug!(conn = self.slot, "{}", ev.describe());
            }
            self.on_event(ev, now);
        }
    }

    fn on_event(&mut self, ev: Ev, now: u64) {
        let helper = self.session.expert_name().to_string();
        match ev {
            Ev::Authenticate => self.admit(now),
            Ev::ConsentRequested(name) => match self.ctx.config.answers.consent {
                Answer::Yes => {
                    self.tell(format!(
                        "{name} wants to see the screen and chat: accepted without asking"
                    ));
                    let _ = self.session.consent(now, true);
                }
                Answer::Ask => self.ask(Ask::Consent { helper: name }),
            },
            Ev::Started => self.tell(format!(
                "session started: {helper} sees the screen; chat is open"
            )),
            Ev::ControlRequested => match self.ctx.config.answers.control {
                Answer::Yes => {
                    self.tell(format!(
                        "{helper} asks for control: allowed without asking. To take it \
                         back: press Esc or Ctrl+C, or type stop"
                    ));
                    let _ = self.session.answer_control(now, true);
                }
                Answer::Ask => self.ask(Ask::Control { helper }),
            },
            Ev::ControlRefused(r) => {
                self.retract();
                self.tell(format!("control not given to {helper}: {r}"));
            }
            Ev::ControlGranted => {
                self.set_in_control(true);
                self.tell(format!(
                    "{helper} shares your keyboard and mouse; Esc, Ctrl+C or typing stop ends it"
                ));
            }
            Ev::ControlEnded(by, how) => {
                self.set_in_control(false);
                self.retract();
                self.tell(format!(
                    "control ended by the {} ({})",
                    beckon_host_sim::events::side_word(by),
                    beckon_host_sim::events::how_word(how)
                ));
            }
            Ev::Chat(_, from, text) => self.tell(format!(
                "chat from the {}: {text}",
                beckon_host_sim::events::side_word(from)
            )),
            Ev::FileOffered(id, name, size) => match self.ctx.config.answers.files {
                Answer::Yes => {
                    self.tell(format!("{helper} sends {name:?} ({size} bytes): accepted"));
                    if let Err(e) = self.files.answer(&mut *self.session, id, true) {
                        self.tell(format!("cannot take the file: {e}"));
                        let _ = self.session.answer_file(id, false);
                    }
                }
                Answer::Ask => self.ask(Ask::File {
                    helper,
                    id,
                    name,
                    size,
                }),
            },
            Ev::Quality(q) => self.streamer.set_quality(q),
            Ev::ViewerDecodes(encodings) => {
                // H.264 only for a viewer that said it decodes it, and only
                // if this build encodes it.
                let wanted = encodings & beckon_core::message::DECODES_H264 != 0;
                if wanted && self.streamer.set_h264(true) {
                    tracing::info!("the helper's viewer decodes H.264: used for full motion");
                }
            }
            Ev::Ended(r) => {
                self.set_in_control(false);
                self.retract();
                self.ended = Some(r);
                self.tell(format!("session ended: {r}"));
            }
            _ => {}
        }
    }

    fn retract(&self) {
        if let Some(p) = &self.ctx.person {
            let _ = p.send(ToPerson::Retract { conn: self.slot });
        }
    }

    /// Check the helper against the book, or the settings and the policy, as
    /// they are on disk now.
    fn admit(&mut self, now: u64) {
        let home = &self.ctx.config.home;
        match crate::settings::load(home) {
            Ok(s) => self.session.set_settings(s),
            Err(e) => tracing::warn!("{e}; keeping the settings read at connect time"),
        }
        let result = match self.session.mode() {
            Some(HelpMode::Invitation) => {
                let session = &mut self.session;
                BookStore::new(home)
                    .update(|book| (true, session.admit_invitation(now, &mut OsRng, book)))
                    .map(|r| r.map(|()| "invitation checked".to_string()))
            }
            Some(HelpMode::Offer) => crate::policy_file::load_machine(home).map(|policy| {
                self.session
                    .admit_offer(now, &policy)
                    .map(|level| format!("offered help admitted by the policy ({level:?})"))
            }),
            None => Ok(Err(EndReason::ProtocolError)),
        };
        match result {
            Ok(Ok(text)) => self.tell(text),
            Ok(Err(r)) => self.tell(format!("refused: {r}")),
            Err(e) => {
                tracing::error!("cannot check the helper: {e}");
                self.tell(format!("cannot check the helper ({e}); hanging up"));
                self.session.disconnect(now);
            }
        }
    }

    fn command(&mut self, cmd: ConnCmd, now: u64) {
        let result = match cmd {
            ConnCmd::Consent(yes) => {
                self.tell(if yes {
                    "the person accepts"
                } else {
                    "the person declines"
                });
                self.session.consent(now, yes)
            }
            ConnCmd::Control(yes) => {
                self.tell(if yes {
                    "the person allows shared control"
                } else {
                    "the person keeps control"
                });
                self.session.answer_control(now, yes)
            }
            ConnCmd::AnswerFile(id, yes) => {
                if let Err(e) = self.files.answer(&mut *self.session, id, yes) {
                    self.tell(format!("file #{id}: {e}"));
                }
                Ok(())
            }
            ConnCmd::StopControl => self.session.stop_control(now),
            ConnCmd::CtrlC => {
                for (usage, down) in [(0xE0, true), (0x06, true), (0x06, false), (0xE0, false)] {
                    self.session
                        .local_input(now, LocalInput::Key { usage, down });
                }
                Ok(())
            }
            ConnCmd::Chat(text) => self.session.send_chat(&text),
            ConnCmd::SendFile(path) => {
                match self.files.offer(&mut *self.session, &path) {
                    Ok(id) => self.report(NewsKind::FileOffered {
                        id,
                        name: display_name(&path),
                        size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                    }),
                    Err(e) => self.tell(format!("cannot send the file: {e}")),
                }
                Ok(())
            }
            ConnCmd::CancelFile(id) => self.session.cancel_file(id),
            ConnCmd::Disconnect => {
                self.session.disconnect(now);
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::debug!(conn = self.slot, "command not carried out: {e}");
        }
    }

    /// The status box (SES-06): who, and what they may do.
    fn update_status(&mut self) {
        if self.ended.is_none() && self.session.permission() != self.reported {
            self.report(NewsKind::Permission);
        }
        let name = self.session.expert_name().to_string();
        let lines = if self.ended.is_some() {
            Vec::new()
        } else {
            match self.session.permission() {
                Permission::Waiting => Vec::new(),
                Permission::ScreenView => vec![format!("{name} is watching your screen.")],
                Permission::ControlRequested => {
                    vec![format!("{name} would like to use your keyboard and mouse.")]
                }
                Permission::SharedControl => vec![
                    format!("{name} is using your keyboard and mouse too."),
                    "Esc, Ctrl+C or typing stop takes control back.".into(),
                ],
            }
        };
        lock(&self.ctx.hub).set_status(self.slot, lines);
    }
}

/// The name of a file as the helper sees it offered.
fn display_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
