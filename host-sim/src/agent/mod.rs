//! The novice's agent: the machine's invitations, settings and policy, its
//! desktop, and one core session per connection. It admits or refuses
//! each connection by itself and asks the person only what a person must
//! decide (INV-08, SES-02, SES-07).

mod conn;

pub use conn::Conn;

use beckon_core::control::LocalInput;
use beckon_core::handshake::StaticKeypair;
use beckon_core::invitation::{Invitation, InvitationBook, NewInvitation};
use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use beckon_core::policy::{MachineSettings, Policy};
use beckon_core::reason::{EndReason, Level, Permission};
use beckon_core::session::{Config, Event, HelpMode, NoviceSession, NoviceState};
use beckon_video::Rect;
use rand_chacha::ChaCha20Rng;

use crate::desktop::Desktop;
use crate::events::Ev;
use crate::transcript::{Actor, Kind, Transcript};

/// Invitations a simulated machine keeps.
pub const BOOK_CAPACITY: usize = 16;

/// Policy entries a simulated machine keeps.
pub const POLICY_CAPACITY: usize = 16;

/// How a simulated person answers a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Says yes at once.
    Yes,
    /// Says no at once.
    No,
    /// Leaves it to the scenario (or lets it time out).
    Wait,
}

/// How the simulated person answers, unless the scenario does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// "Someone wants to see your screen and chat: start?"
    pub consent: Answer,
    /// "The helper asks to share control: allow?"
    pub control: Answer,
    /// "The helper sends you a file: accept?"
    pub files: Answer,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            consent: Answer::Wait,
            control: Answer::Wait,
            files: Answer::Wait,
        }
    }
}

/// A question waiting for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Start the session with this helper?
    Consent {
        /// The connection.
        conn: usize,
        /// The helper's name.
        expert_name: String,
    },
    /// Share control?
    Control {
        /// The connection.
        conn: usize,
    },
    /// Accept this file?
    File {
        /// The connection.
        conn: usize,
        /// Transfer id.
        id: u32,
        /// Its name.
        name: String,
    },
}

/// The novice's machine and agent.
#[derive(Debug)]
pub struct NoviceAgent {
    /// The invitation book (INV-04).
    pub book: InvitationBook<BOOK_CAPACITY>,
    /// What the administrator allows (SES-03, OFF-01).
    pub settings: MachineSettings,
    /// The offered-help policy (OFF-02, OFF-03).
    pub policy: Policy<POLICY_CAPACITY>,
    /// The machine's long-term key (offered help).
    pub key: StaticKeypair,
    /// The machine's name, shown to helpers who offer help.
    pub name: String,
    /// How the person answers.
    pub answers: Answers,
    /// The simulated desktop.
    pub desktop: Desktop,
    /// Every connection so far, in order.
    pub conns: Vec<Conn>,
    /// Questions waiting for the person.
    pub prompts: Vec<Prompt>,
    config: Config,
    rng: ChaCha20Rng,
}

impl NoviceAgent {
    /// A machine with default settings (control off), an empty book and an
    /// empty policy.
    pub fn new(name: &str, desktop: Desktop, config: Config, mut rng: ChaCha20Rng) -> NoviceAgent {
        NoviceAgent {
            book: InvitationBook::new(),
            settings: MachineSettings::default(),
            policy: Policy::new(Level::ViewOnly),
            key: StaticKeypair::generate(&mut rng),
            name: name.into(),
            answers: Answers::default(),
            desktop,
            conns: Vec::new(),
            prompts: Vec::new(),
            config,
            rng,
        }
    }

    /// Create an invitation (INV-01…03).
    pub fn invite(
        &mut self,
        now: u64,
        person: &str,
        password: Option<&str>,
        expires_in_ms: u64,
    ) -> Result<Invitation, beckon_core::invitation::BookError> {
        let mut new = NewInvitation::new(person, now + expires_in_ms);
        new.addresses = &["sim:novice"];
        new.password = password.map(str::as_bytes);
        self.book.create(&mut self.rng, &new, now).cloned()
    }

    /// New settings, in force at once in every session (OFF-04).
    pub fn set_settings(&mut self, settings: MachineSettings) {
        self.settings = settings;
        for c in &mut self.conns {
            c.session.set_settings(settings);
        }
    }

    /// The typing layout of the machine.
    pub fn layout(&self) -> Layout {
        self.desktop.layout()
    }

    /// Accept a new connection: a fresh session (consent never carries over).
    pub(crate) fn accept(&mut self, now: u64) -> usize {
        let id = self.conns.len();
        let session = NoviceSession::new(
            self.config,
            &mut self.rng,
            self.settings,
            &self.key.secret,
            &self.name,
            now,
        );
        self.conns.push(Conn::new(id, session));
        id
    }

    /// Drain one connection's events and act on them.
    pub(crate) fn drain(&mut self, k: usize, now: u64, t: &mut Transcript, t0: u64) {
        let NoviceAgent {
            conns,
            book,
            policy,
            answers,
            desktop,
            prompts,
            rng,
            ..
        } = self;
        let conn = &mut conns[k];
        while let Some(event) = conn.session.poll_event() {
            let ev = Ev::from(&event);
            conn.files.on_event(&event);
            if let Event::Inject(input) = event {
                desktop.apply(input);
                conn.inject_times.push(now);
            }
            if !ev.is_chatty() || t.verbose {
                t.push(now - t0, Actor::Novice(k), Kind::Event, ev.describe());
            }
            conn.log.push((now, ev.clone()));
            match ev {
                Ev::Authenticate => {
                    let result = match conn.session.mode() {
                        Some(HelpMode::Invitation) => conn
                            .session
                            .admit_invitation(now, rng, book)
                            .map(|()| "invitation checked".to_string()),
                        Some(HelpMode::Offer) => conn
                            .session
                            .admit_offer(now, policy)
                            .map(|level| format!("offer admitted by policy, level {level:?}")),
                        None => Err(EndReason::ProtocolError),
                    };
                    let text = match result {
                        Ok(s) => s,
                        Err(r) => format!("refused: {r}"),
                    };
                    t.push(now - t0, Actor::Novice(k), Kind::Action, text);
                }
                Ev::ConsentRequested(name) => match answers.consent {
                    Answer::Wait => prompts.push(Prompt::Consent {
                        conn: k,
                        expert_name: name,
                    }),
                    a => {
                        let yes = a == Answer::Yes;
                        let _ = conn.session.consent(now, yes);
                        t.push(now - t0, Actor::Person, Kind::Action, consent_words(yes));
                    }
                },
                Ev::ControlRequested => match answers.control {
                    Answer::Wait => prompts.push(Prompt::Control { conn: k }),
                    a => {
                        let yes = a == Answer::Yes;
                        let _ = conn.session.answer_control(now, yes);
                        t.push(now - t0, Actor::Person, Kind::Action, control_words(yes));
                    }
                },
                Ev::FileOffered(id, name, _) => match answers.files {
                    Answer::Wait => prompts.push(Prompt::File { conn: k, id, name }),
                    a => {
                        let _ = conn.session.answer_file(id, a == Answer::Yes);
                    }
                },
                Ev::Quality(q) => conn.video.set_quality(q),
                Ev::Ended(r) => {
                    conn.ended = Some(r);
                    prompts.retain(|p| prompt_conn(p) != k);
                }
                Ev::ControlEnded(..) | Ev::ControlRefused(_) => {
                    prompts.retain(|p| !matches!(p, Prompt::Control { conn } if *conn == k));
                }
                _ => {}
            }
        }
    }

    /// Refresh the status panel on the desktop from the sessions (SES-06,
    /// SES-13).
    pub(crate) fn update_status(&mut self) {
        let mut lines: Vec<String> = Vec::new();
        for c in &self.conns {
            if c.ended.is_some() {
                continue;
            }
            let name = c.session.expert_name();
            match c.session.permission() {
                Permission::Waiting => {}
                Permission::ScreenView => {
                    lines.push(format!("{name} can see your screen."));
                }
                Permission::ControlRequested => {
                    lines.push(format!("{name} asks to share control."));
                }
                Permission::SharedControl => {
                    lines.push(format!("{name} shares your keyboard and mouse."));
                    lines.push("Esc, Ctrl+C or Stop control takes it back.".into());
                }
            }
        }
        if lines.is_empty() {
            lines.push("Nobody is connected.".into());
        } else {
            lines.push("Your helper sees everything on your screen.".into());
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.desktop.set_status(&refs);
    }

    /// Input from the person's own keyboard or mouse: it acts on the
    /// desktop and every session's arbiter hears of it (SES-04, SES-05).
    pub(crate) fn local_input(&mut self, now: u64, input: InputEvent) {
        self.desktop.apply(input);
        let local = match input {
            InputEvent::Key { usage, down } => LocalInput::Key { usage, down },
            _ => LocalInput::Pointer,
        };
        for c in &mut self.conns {
            if c.ended.is_none() {
                c.session.local_input(now, local);
            }
        }
    }

    /// Hand the desktop's damage to every live stream.
    pub(crate) fn spread_damage(&mut self) {
        let damage: Vec<Rect> = self
            .desktop
            .take_damage()
            .into_iter()
            .map(Rect::from)
            .collect();
        if damage.is_empty() {
            return;
        }
        for c in &mut self.conns {
            if c.ended.is_none() {
                c.video.add_damage(&damage);
            }
        }
    }

    /// Send frames where they are due. Returns whether anything went.
    pub(crate) fn stream(&mut self, k: usize, now: u64) -> bool {
        let conn = &mut self.conns[k];
        if conn.ended.is_some()
            || !matches!(
                conn.session.state(),
                NoviceState::Viewing | NoviceState::ControlOffered | NoviceState::SharedControl
            )
        {
            return false;
        }
        conn.video.pump(&mut conn.session, &mut self.desktop, now)
    }
}

fn prompt_conn(p: &Prompt) -> usize {
    match p {
        Prompt::Consent { conn, .. } | Prompt::Control { conn } | Prompt::File { conn, .. } => {
            *conn
        }
    }
}

/// The person's answer to the consent prompt, in words.
pub(crate) fn consent_words(yes: bool) -> &'static str {
    if yes {
        "accepts: show my screen and chat"
    } else {
        "declines the session"
    }
}

/// The person's answer to a control request, in words.
pub(crate) fn control_words(yes: bool) -> &'static str {
    if yes {
        "allows shared control"
    } else {
        "keeps control to themself"
    }
}
