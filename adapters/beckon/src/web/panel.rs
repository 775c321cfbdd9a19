//! The person's panel (`beckon share`, SES-01): who is connected and what
//! they may do, the questions only the person answers (INV-08, SES-02), the
//! Stop control button (SES-05), chat, files, and the invitations (INV-04).
//!
//! The agent's connections report [`News`]; their questions arrive as
//! [`ToPerson`]. Both change a [`Panel`], which turns into one `state`
//! message in the person's language, sent to every tab whenever it changes.
//! The page only renders that state and reports clicks.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use axum::extract::ws::WebSocket;
use beckon_core::invitation::InvitationStatus;
use beckon_core::reason::{ControlRefusal, EndReason, Permission, Side, StopMethod};
use beckon_host_sim::events::Ev;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use super::files::{FileBoard, FileRow, Uploads};
use super::i18n::{Lang, Texts};
use super::tabs::{TabEvent, Tabs};
use super::{words, Hello, Page};
use crate::agent::person::{Ask, Question};
use crate::agent::{self, ConnCmd, News, NewsKind, Registry, ToPerson};
use crate::book::{self, InvitationRow};
use crate::clock::{format_utc, parse_duration};
use crate::files::Finished;
use crate::home::Home;

/// How often the invitation list is read again, so one that expires by
/// itself shows it (INV-03) without the person doing anything.
const REREAD_BOOK: Duration = Duration::from_secs(20);

/// The shortest gap between two states sent for file progress alone.
const PROGRESS_GAP: Duration = Duration::from_millis(150);

/// How many ended connections the status box still shows.
const ENDED_SHOWN: usize = 3;

/// What the panel needs from `beckon share`.
#[derive(Debug, Clone)]
pub struct PanelSetup {
    /// The data directory (invitation book).
    pub home: Home,
    /// The first language (the person may switch).
    pub lang: Lang,
    /// Where helpers reach this machine, written into new invitations.
    pub addresses: Vec<String>,
    /// The person's name for new invitations, unless they type another.
    pub person_name: String,
}

/// What one connection looks like to the person.
#[derive(Debug)]
struct Conn {
    helper: String,
    permission: Permission,
    started: bool,
    ended: Option<Option<EndReason>>,
    files: FileBoard,
}

/// A question waiting for the person, numbered so a late click never
/// answers the next one.
#[derive(Debug)]
struct Pending {
    seq: u64,
    q: Question,
}

/// One chat line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChatLine {
    mine: bool,
    name: String,
    text: String,
}

/// What last happened, kept as facts so a language switch rewords it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    Asking(String),
    Started(String),
    Declined(String),
    ControlAsked(String),
    ControlGranted(String),
    ControlRefused(String, ControlRefusal),
    ControlEnded(String, Side, StopMethod),
    FileOffered(String, String),
    FileSaved(String),
    FileDelivered(String),
    FileNotDone(String),
    Ended(String, Option<EndReason>),
    /// A text without variables.
    Plain(&'static str),
    /// A text with one variable `what`.
    What(&'static str, String),
    /// An error in words the rest of Beckon gave.
    Error(String),
}

/// The person's panel as data: every change lands here first.
#[derive(Debug)]
pub struct Panel {
    texts: Texts,
    conns: BTreeMap<u64, Conn>,
    asks: VecDeque<Pending>,
    next_ask: u64,
    chat: Vec<ChatLine>,
    notice: Option<Notice>,
    invites: Vec<InvitationRow>,
}

/// The `state` message: everything the page shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StateMsg {
    t: &'static str,
    /// Whether any helper is connected (the reminder shows, SES-13).
    pub connected: bool,
    /// One row per connection (SES-06).
    pub sessions: Vec<SessionRow>,
    /// The question shown in the ask card.
    pub ask: Option<AskView>,
    /// Who has control, for the banner with Stop control (SES-05).
    pub control: Option<String>,
    /// What last happened.
    pub notice: Option<String>,
    /// Whether the notice is bad news.
    pub notice_bad: bool,
    /// The chat history (SES-08).
    pub chat: Vec<ChatView>,
    /// The transfers (SES-07), ids unique across connections.
    pub files: Vec<FileRow>,
    /// The invitations (INV-04).
    pub invites: Vec<InviteView>,
    /// Whether Disconnect has anything to end.
    pub can_disconnect: bool,
}

/// One connection in the status box.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SessionRow {
    /// The connection.
    pub conn: u64,
    /// The helper's name.
    pub helper: String,
    /// What they may do now, or why it ended.
    pub status: String,
    /// Whether it ended.
    pub ended: bool,
}

/// The question in the ask card.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AskView {
    /// The number to answer with.
    pub seq: u64,
    /// `consent` or `control`.
    pub kind: &'static str,
    /// The heading.
    pub title: String,
    /// What it means and how to stop it.
    pub text: String,
    /// The yes button.
    pub yes: String,
    /// The no button.
    pub no: String,
}

/// One chat line for `Beckon.chatView`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatView {
    /// Written by the person.
    pub mine: bool,
    /// The author's name.
    pub name: String,
    /// The text.
    pub text: String,
}

/// One invitation in the list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InviteView {
    /// The full id (for revoke).
    pub id: String,
    /// Its first digits, as people read it.
    pub short: String,
    /// The person's name in it.
    pub name: String,
    /// When it expires.
    pub expires: String,
    /// `open`, `used`, `expired`, `revoked` or `locked`.
    pub status: &'static str,
    /// The status in words.
    pub status_text: String,
    /// Whether revoking it still changes anything.
    pub can_revoke: bool,
}

/// Page ids of transfers: connection and transfer id in one number that
/// JavaScript still holds exactly.
fn file_key(conn: u64, id: u32) -> u64 {
    (conn << 32) | u64::from(id)
}

fn split_file_key(key: u64) -> (u64, u32) {
    (key >> 32, (key & 0xFFFF_FFFF) as u32)
}

impl Panel {
    /// An empty panel in `lang`.
    pub fn new(lang: Lang) -> Panel {
        Panel {
            texts: Texts::new(lang),
            conns: BTreeMap::new(),
            asks: VecDeque::new(),
            next_ask: 0,
            chat: Vec::new(),
            notice: None,
            invites: Vec::new(),
        }
    }

    /// The texts in use.
    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    /// Switch language.
    pub fn set_lang(&mut self, lang: Lang) {
        self.texts = Texts::new(lang);
    }

    /// The invitations as the book has them now.
    pub fn set_invites(&mut self, rows: Vec<InvitationRow>) {
        self.invites = rows;
    }

    fn helper_name(&self, helper: &str) -> String {
        if helper.trim().is_empty() {
            self.texts.get("panel-someone", &[])
        } else {
            helper.to_string()
        }
    }

    fn conn(&mut self, conn: u64) -> &mut Conn {
        self.conns.entry(conn).or_insert_with(|| Conn {
            helper: String::new(),
            permission: Permission::Waiting,
            started: false,
            ended: None,
            files: FileBoard::default(),
        })
    }

    /// A question from a connection. Consent and control go to the ask card;
    /// a file waits in the files list (its row has Accept and Decline).
    pub fn ask(&mut self, q: Question) {
        self.next_ask += 1;
        match &q.ask {
            Ask::Consent { helper } => self.notice = Some(Notice::Asking(helper.clone())),
            Ask::Control { helper } => self.notice = Some(Notice::ControlAsked(helper.clone())),
            Ask::File { helper, name, .. } => {
                self.notice = Some(Notice::FileOffered(helper.clone(), name.clone()))
            }
        }
        self.asks.push_back(Pending {
            seq: self.next_ask,
            q,
        });
    }

    /// A connection's questions no longer matter.
    pub fn retract(&mut self, conn: u64) {
        self.asks.retain(|p| p.q.conn != conn);
    }

    /// The person answered the card's question `seq`; stale answers are
    /// dropped.
    pub fn answer(&mut self, seq: u64, yes: bool) {
        let Some(pos) = self.asks.iter().position(|p| p.seq == seq) else {
            return;
        };
        if let Some(p) = self.asks.remove(pos) {
            if let Ask::Consent { helper } = &p.q.ask {
                if !yes {
                    self.notice = Some(Notice::Declined(helper.clone()));
                }
            }
            let _ = p.q.reply.send(p.q.ask.answer(yes));
        }
    }

    /// The person accepted or declined a file in the list.
    pub fn answer_file(&mut self, key: u64, yes: bool, registry: &Registry) {
        let (conn, id) = split_file_key(key);
        let pos = self.asks.iter().position(|p| {
            p.q.conn == conn && matches!(p.q.ask, Ask::File { id: i, .. } if i == id)
        });
        match pos.and_then(|pos| self.asks.remove(pos)) {
            Some(p) => {
                let _ = p.q.reply.send(ConnCmd::AnswerFile(id, yes));
            }
            None => send_to_conn(registry, conn, ConnCmd::AnswerFile(id, yes)),
        }
        self.conn(conn).files.answered(id, yes);
    }

    /// Whether any helper is connected now.
    pub fn connected(&self) -> bool {
        self.conns.values().any(|c| c.ended.is_none())
    }

    /// What a connection reported. Returns whether only progress changed
    /// (so the page may be told a little later).
    pub fn news(&mut self, news: News) -> bool {
        let helper = self.helper_name(&news.helper);
        let c = self.conn(news.conn);
        if !news.helper.is_empty() {
            c.helper = news.helper.clone();
        }
        if c.ended.is_none() {
            c.permission = news.permission;
        }
        match news.kind {
            NewsKind::Joined | NewsKind::Permission => {}
            NewsKind::Event(ev) => return self.event(news.conn, &helper, ev),
            NewsKind::FileOffered { id, name, size } => c.files.offered(id, name, size),
            NewsKind::FileFinished(id, f) => {
                c.files.finished(id, &f);
                self.notice = Some(match f {
                    Finished::Saved(p) => Notice::FileSaved(p.display().to_string()),
                    Finished::Delivered(n) => Notice::FileDelivered(n),
                    Finished::NotDone(n) => Notice::FileNotDone(n),
                    Finished::Discarded(n) | Finished::Damaged(n) => {
                        Notice::What("panel-notice-file-damaged", n)
                    }
                });
            }
            NewsKind::Left(reason) => {
                if c.ended.is_none() {
                    c.ended = Some(reason);
                    self.notice = Some(Notice::Ended(helper, reason));
                }
                self.retract(news.conn);
            }
        }
        false
    }

    fn event(&mut self, conn: u64, helper: &str, ev: Ev) -> bool {
        let helper = helper.to_string();
        let c = self.conn(conn);
        if c.files.on_event(&ev) && matches!(ev, Ev::FileProgress(..)) {
            return true;
        }
        match ev {
            Ev::Started => {
                c.started = true;
                self.notice = Some(Notice::Started(helper));
            }
            Ev::ControlGranted => self.notice = Some(Notice::ControlGranted(helper)),
            Ev::ControlRefused(r) => {
                self.retract(conn);
                self.notice = Some(Notice::ControlRefused(helper, r));
            }
            Ev::ControlEnded(by, how) => {
                self.retract(conn);
                self.notice = Some(Notice::ControlEnded(helper, by, how));
            }
            Ev::Chat(_, from, text) => {
                let mine = from == Side::Novice;
                self.chat.push(ChatLine {
                    mine,
                    name: if mine { String::new() } else { helper },
                    text,
                });
            }
            Ev::Ended(r) => {
                c.ended = Some(Some(r));
                self.retract(conn);
                self.notice = Some(Notice::Ended(helper, Some(r)));
            }
            _ => {}
        }
        false
    }

    /// Something the panel itself did or failed to do.
    fn say(&mut self, notice: Notice) {
        self.notice = Some(notice);
    }

    fn notice_text(&self, n: &Notice) -> (String, bool) {
        let t = &self.texts;
        let h = |name: &String| ("helper", self.helper_name(name).into());
        match n {
            Notice::Asking(name) => (t.get("panel-notice-asking", &[h(name)]), false),
            Notice::Started(name) => (t.get("panel-notice-started", &[h(name)]), false),
            Notice::Declined(name) => (t.get("panel-notice-declined", &[h(name)]), false),
            Notice::ControlAsked(name) => (t.get("panel-notice-control-asked", &[h(name)]), false),
            Notice::ControlGranted(name) => {
                (t.get("panel-notice-control-granted", &[h(name)]), false)
            }
            Notice::ControlRefused(name, r) => (
                t.get(
                    "panel-notice-control-refused",
                    &[h(name), ("reason", words::refusal(t, *r).into())],
                ),
                false,
            ),
            Notice::ControlEnded(name, by, how) => (self.control_ended(name, *by, *how), false),
            Notice::FileOffered(name, file) => (
                t.get(
                    "panel-notice-file-offered",
                    &[h(name), ("file", file.clone().into())],
                ),
                false,
            ),
            Notice::FileSaved(path) => (
                t.get("panel-notice-file-saved", &[("path", path.clone().into())]),
                false,
            ),
            Notice::FileDelivered(file) => (
                t.get(
                    "panel-notice-file-delivered",
                    &[("file", file.clone().into())],
                ),
                false,
            ),
            Notice::FileNotDone(file) => (
                t.get(
                    "panel-notice-file-not-done",
                    &[("file", file.clone().into())],
                ),
                false,
            ),
            Notice::Ended(name, reason) => (self.ended_text(name, *reason), true),
            Notice::Plain(key) => (t.get(key, &[]), false),
            Notice::What(key, what) => (t.get(key, &[("what", what.clone().into())]), true),
            Notice::Error(text) => (text.clone(), true),
        }
    }

    /// "Control ended: you pressed Esc", "Anna gave control back" (SES-05).
    fn control_ended(&self, name: &str, by: Side, how: StopMethod) -> String {
        let t = &self.texts;
        let helper = ("helper", self.helper_name(name).into());
        match (by, how) {
            (_, StopMethod::SessionEnded) => t.get("panel-control-ended-session", &[helper]),
            (Side::Expert, _) => t.get("panel-control-ended-by-helper", &[helper]),
            (Side::Novice, how) => t.get(
                "panel-control-ended-by-you",
                &[("how", words::stop_method(t, how).into())],
            ),
        }
    }

    /// Why a session ended, from the person's side.
    fn ended_text(&self, name: &str, reason: Option<EndReason>) -> String {
        let t = &self.texts;
        let helper = ("helper", self.helper_name(name).into());
        match reason {
            Some(EndReason::PeerLeft) => t.get("panel-notice-hung-up", &[helper]),
            Some(EndReason::LocalLeft) => t.get("panel-notice-you-ended", &[helper]),
            Some(r) => t.get(
                "panel-notice-ended",
                &[helper, ("reason", self.reason_text(r).into())],
            ),
            None => t.get("panel-notice-hung-up", &[helper]),
        }
    }

    /// A reason in words; the shared words speak to the helper where the
    /// person's view differs.
    fn reason_text(&self, r: EndReason) -> String {
        match r {
            EndReason::Declined => self.texts.get("panel-end-declined", &[]),
            EndReason::ConsentTimeout => self.texts.get("panel-end-consent-timeout", &[]),
            EndReason::PeerLeft => self.texts.get("panel-end-peer-left", &[]),
            r => words::end_reason(&self.texts, r),
        }
    }

    fn session_row(&self, conn: u64, c: &Conn) -> SessionRow {
        let t = &self.texts;
        let status = match c.ended {
            Some(Some(r)) => t.get(
                "panel-status-ended",
                &[("reason", self.reason_text(r).into())],
            ),
            Some(None) => t.get(
                "panel-status-ended",
                &[("reason", t.get("end-link-lost", &[]).into())],
            ),
            None => t.get(
                match c.permission {
                    Permission::Waiting if c.started => "panel-status-watching",
                    Permission::Waiting => "panel-status-waiting",
                    Permission::ScreenView => "panel-status-watching",
                    Permission::ControlRequested => "panel-status-asks-control",
                    Permission::SharedControl => "panel-status-control",
                },
                &[],
            ),
        };
        SessionRow {
            conn,
            helper: self.helper_name(&c.helper),
            status,
            ended: c.ended.is_some(),
        }
    }

    /// Every live connection, and the last few that ended: enough to see
    /// who just left and why, without a list that only grows.
    fn session_rows(&self) -> Vec<SessionRow> {
        let ended: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| c.ended.is_some())
            .map(|(id, _)| *id)
            .collect();
        let keep_from = ended.len().saturating_sub(ENDED_SHOWN);
        self.conns
            .iter()
            .filter(|(id, c)| c.ended.is_none() || ended[keep_from..].contains(id))
            .map(|(id, c)| self.session_row(*id, c))
            .collect()
    }

    fn ask_view(&self) -> Option<AskView> {
        let t = &self.texts;
        let p = self
            .asks
            .iter()
            .find(|p| !matches!(p.q.ask, Ask::File { .. }))?;
        let (kind, helper) = match &p.q.ask {
            Ask::Consent { helper } => ("consent", helper),
            Ask::Control { helper } => ("control", helper),
            Ask::File { .. } => return None,
        };
        let h = || [("helper", self.helper_name(helper).into())];
        Some(AskView {
            seq: p.seq,
            kind,
            title: t.get(&format!("panel-ask-{kind}-title"), &h()),
            text: t.get(&format!("panel-ask-{kind}-text"), &h()),
            yes: t.get(&format!("panel-ask-{kind}-yes"), &[]),
            no: t.get(&format!("panel-ask-{kind}-no"), &[]),
        })
    }

    fn control_banner(&self) -> Option<String> {
        let names: Vec<String> = self
            .conns
            .values()
            .filter(|c| c.ended.is_none() && c.permission == Permission::SharedControl)
            .map(|c| self.helper_name(&c.helper))
            .collect();
        (!names.is_empty()).then(|| {
            self.texts.get(
                "panel-control-banner",
                &[("helper", names.join(", ").into())],
            )
        })
    }

    fn file_rows(&self) -> Vec<FileRow> {
        self.conns
            .iter()
            .flat_map(|(conn, c)| c.files.rows(&self.texts, |id| file_key(*conn, id)))
            .collect()
    }

    fn invite_views(&self) -> Vec<InviteView> {
        self.invites
            .iter()
            .rev()
            .map(|r| {
                let id = r.id.to_string();
                let code = crate::book::status_word(r.status);
                InviteView {
                    short: id.chars().take(8).collect(),
                    id,
                    name: r.name.clone(),
                    expires: format_utc(r.expires_at_ms),
                    status: code,
                    status_text: self.texts.get(&format!("panel-invite-{code}"), &[]),
                    can_revoke: r.status == InvitationStatus::Open
                        || r.status == InvitationStatus::Locked,
                }
            })
            .collect()
    }

    /// Everything the page shows, in the panel's language.
    pub fn state(&self) -> StateMsg {
        let (notice, notice_bad) = match &self.notice {
            Some(n) => {
                let (text, bad) = self.notice_text(n);
                (Some(text), bad)
            }
            None => (None, false),
        };
        StateMsg {
            t: "state",
            connected: self.connected(),
            sessions: self.session_rows(),
            ask: self.ask_view(),
            control: self.control_banner(),
            notice,
            notice_bad,
            chat: self
                .chat
                .iter()
                .map(|c| ChatView {
                    mine: c.mine,
                    name: c.name.clone(),
                    text: c.text.clone(),
                })
                .collect(),
            files: self.file_rows(),
            invites: self.invite_views(),
            can_disconnect: self.connected(),
        }
    }
}

/// Send a command to one connection, if it is still there.
fn send_to_conn(registry: &Registry, conn: u64, cmd: ConnCmd) {
    let reg = registry.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = reg.get(&conn) {
        let _ = e.tx.send(cmd);
    }
}

#[derive(Debug, Clone, Serialize)]
struct InviteMade {
    t: &'static str,
    text: String,
    password: bool,
}

/// The panel with its tabs and the agent's channels.
struct Runner {
    setup: PanelSetup,
    panel: Panel,
    tabs: Tabs,
    tab_events: mpsc::UnboundedSender<TabEvent>,
    uploads: Uploads,
    registry: Registry,
    last_state: String,
}

/// Serve the panel until the agent stops (its channels close).
pub async fn run(
    setup: PanelSetup,
    registry: Registry,
    mut sockets: mpsc::Receiver<WebSocket>,
    mut questions: mpsc::UnboundedReceiver<ToPerson>,
    mut news: mpsc::UnboundedReceiver<News>,
) {
    let (tab_events, mut tab_rx) = mpsc::unbounded_channel();
    let mut r = Runner {
        panel: Panel::new(setup.lang),
        setup,
        tabs: Tabs::default(),
        tab_events,
        uploads: Uploads::new(),
        registry,
        last_state: String::new(),
    };
    r.reread_book();
    let mut reread = tokio::time::interval(REREAD_BOOK);
    // Progress alone waits for this deadline, so a fast transfer does not
    // flood the tabs; anything else is sent at once.
    let mut later: Option<tokio::time::Instant> = None;
    loop {
        let mut progress_only = false;
        tokio::select! {
            Some(socket) = sockets.recv() => r.tabs.attach(socket, r.tab_events.clone()),
            Some(ev) = tab_rx.recv() => r.on_tab(ev),
            q = questions.recv() => match q {
                Some(ToPerson::Ask(q)) => r.panel.ask(q),
                Some(ToPerson::Retract { conn }) => r.panel.retract(conn),
                None => break,
            },
            n = news.recv() => match n {
                Some(n) => {
                    let reread_book = matches!(n.kind, NewsKind::Event(Ev::Started) | NewsKind::Left(_));
                    progress_only = r.panel.news(n);
                    if reread_book {
                        // A session that starts uses its invitation.
                        r.reread_book();
                    }
                }
                None => break,
            },
            _ = reread.tick() => r.reread_book(),
            _ = tokio::time::sleep_until(later.unwrap_or_else(tokio::time::Instant::now)), if later.is_some() => later = None,
        }
        if progress_only {
            later.get_or_insert_with(|| tokio::time::Instant::now() + PROGRESS_GAP);
        } else if later.is_none() {
            r.send_state();
        }
    }
}

impl Runner {
    fn hello(&self, t: &'static str) -> Hello {
        Hello::new(t, Page::Panel, self.panel.texts())
    }

    /// Send the state to every tab, if it changed.
    fn send_state(&mut self) {
        let state = self.panel.state();
        let Ok(text) = serde_json::to_string(&state) else {
            return;
        };
        if text != self.last_state {
            self.tabs.send_all(&state);
            self.last_state = text;
        }
    }

    fn reread_book(&mut self) {
        match book::rows(&self.setup.home) {
            Ok(rows) => self.panel.set_invites(rows),
            Err(e) => tracing::warn!("cannot read the invitations: {e}"),
        }
    }

    fn on_tab(&mut self, ev: TabEvent) {
        match ev {
            TabEvent::Opened(id) => {
                self.tabs.send_to(id, &self.hello("hello"));
                self.tabs.send_to(id, &self.panel.state());
            }
            TabEvent::Closed(id) => {
                self.tabs.remove(id);
                self.uploads.drop_tab(id);
            }
            TabEvent::Bytes(id, data) => {
                if let Err(e) = self.uploads.bytes(id, &data) {
                    self.panel.say(Notice::Error(e.to_string()));
                }
            }
            TabEvent::Said(id, v) => self.said(id, &v),
        }
    }

    fn said(&mut self, tab: u64, v: &Value) {
        let kind = v.get("t").and_then(Value::as_str).unwrap_or("");
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        match kind {
            "lang" => {
                if let Some(lang) = Lang::parse(&text("lang")) {
                    self.panel.set_lang(lang);
                    self.tabs.send_all(&self.hello("texts"));
                    self.last_state.clear();
                }
            }
            "answer" => {
                if let Some(seq) = num("seq") {
                    self.panel.answer(seq, flag("yes"));
                }
            }
            "stop_control" => agent::broadcast(&self.registry, &ConnCmd::StopControl),
            "disconnect" => {
                agent::broadcast(&self.registry, &ConnCmd::Disconnect);
                self.panel.say(Notice::Plain("panel-notice-disconnecting"));
            }
            "chat" => {
                let line = text("text");
                let line = line.trim();
                if line.is_empty() {
                } else if self.panel.connected() {
                    agent::broadcast(&self.registry, &ConnCmd::Chat(line.to_string()));
                } else {
                    self.panel.say(Notice::Plain("panel-notice-nobody"));
                }
            }
            "file_answer" => {
                if let Some(key) = num("id") {
                    self.panel.answer_file(key, flag("accept"), &self.registry);
                }
            }
            "file_cancel" => {
                if let Some(key) = num("id") {
                    let (conn, id) = split_file_key(key);
                    send_to_conn(&self.registry, conn, ConnCmd::CancelFile(id));
                }
            }
            "file_begin" => {
                let size = num("size").unwrap_or(0);
                if let Err(e) = self.uploads.begin(tab, &text("name"), size) {
                    self.panel.say(Notice::Error(e.to_string()));
                }
            }
            "file_end" => self.file_end(tab),
            "revoke" => self.revoke(Some(text("id"))),
            "revoke_all" => self.revoke(None),
            "invite" => self.invite(tab, v),
            other => tracing::debug!(tab, "the panel ignores {other:?}"),
        }
    }

    /// A file the page uploaded goes to every helper who sees the screen.
    fn file_end(&mut self, tab: u64) {
        match self.uploads.end(tab) {
            Ok(path) if self.panel.connected() => {
                agent::broadcast(&self.registry, &ConnCmd::SendFile(path))
            }
            Ok(_) => self.panel.say(Notice::Plain("panel-notice-nobody")),
            Err(e) => self.panel.say(Notice::Error(e.to_string())),
        }
    }

    fn revoke(&mut self, id: Option<String>) {
        let result = match id {
            Some(id) => book::revoke_one(&self.setup.home, &id)
                .map(|id| Notice::What("panel-notice-revoked", id.to_string())),
            None => book::revoke_all(&self.setup.home)
                .map(|_| Notice::Plain("panel-notice-revoked-all")),
        };
        match result {
            Ok(n) => self.panel.say(n),
            Err(e) => self.panel.say(Notice::Error(e.to_string())),
        }
        self.reread_book();
    }

    /// Make an invitation from the form; its text goes back to the tab that
    /// asked (INV-01..03).
    fn invite(&mut self, tab: u64, v: &Value) {
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let name = match field("name") {
            n if n.is_empty() => self.setup.person_name.clone(),
            n => n,
        };
        let password = Some(field("password")).filter(|p| !p.is_empty());
        let made = parse_duration(&field("expires"))
            .map_err(crate::error::Error::Usage)
            .and_then(|lifetime| {
                book::create(
                    &self.setup.home,
                    &name,
                    lifetime,
                    password.as_deref(),
                    &self.setup.addresses,
                )
            })
            .and_then(|inv| Ok(inv.to_text()?.as_str().to_string()));
        match made {
            Ok(text) => {
                self.tabs.send_to(
                    tab,
                    &InviteMade {
                        t: "invite_made",
                        text,
                        password: password.is_some(),
                    },
                );
                self.panel.say(Notice::Plain("panel-notice-invited"));
            }
            Err(e) => self.panel.say(Notice::Error(e.to_string())),
        }
        self.reread_book();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn news(conn: u64, permission: Permission, kind: NewsKind) -> News {
        News {
            conn,
            helper: "Anna".into(),
            permission,
            kind,
        }
    }

    fn question(conn: u64, ask: Ask) -> (Question, mpsc::UnboundedReceiver<ConnCmd>) {
        let (reply, rx) = mpsc::unbounded_channel();
        (Question { conn, ask, reply }, rx)
    }

    fn consent_panel() -> (Panel, mpsc::UnboundedReceiver<ConnCmd>) {
        let mut p = Panel::new(Lang::En);
        p.news(news(1, Permission::Waiting, NewsKind::Joined));
        let (q, rx) = question(
            1,
            Ask::Consent {
                helper: "Anna".into(),
            },
        );
        p.ask(q);
        (p, rx)
    }

    #[test]
    fn inv_08_consent_question_names_the_helper_and_asks_screen_and_chat() {
        let (p, _rx) = consent_panel();
        let s = p.state();
        let ask = s.ask.expect("a question");
        assert_eq!(ask.kind, "consent");
        assert!(ask.title.contains("Anna"), "{}", ask.title);
        assert!(
            ask.text.contains("screen") && ask.text.contains("chat"),
            "{}",
            ask.text
        );
        assert!(s.connected);
        assert_eq!(
            s.sessions[0].status,
            p.texts.get("panel-status-waiting", &[])
        );
        assert!(s.control.is_none());
    }

    #[test]
    fn inv_08_answer_goes_to_the_connection_once() {
        let (mut p, mut rx) = consent_panel();
        let seq = p.state().ask.expect("ask").seq;
        p.answer(seq + 1, true);
        assert!(rx.try_recv().is_err(), "a stale answer must not count");
        p.answer(seq, false);
        assert_eq!(rx.try_recv().ok(), Some(ConnCmd::Consent(false)));
        assert!(p.state().ask.is_none());
        p.answer(seq, true);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn ses_02_control_question_says_the_three_ways_to_stop() {
        for lang in Lang::ALL {
            let mut p = Panel::new(lang);
            let (q, _rx) = question(
                1,
                Ask::Control {
                    helper: "Anna".into(),
                },
            );
            p.ask(q);
            let ask = p.state().ask.expect("ask");
            assert_eq!(ask.kind, "control");
            assert!(ask.text.contains("Esc"), "{}: {}", lang.code(), ask.text);
            assert!(ask.text.contains("Ctrl+C"), "{}: {}", lang.code(), ask.text);
            let stop = p.texts.get("panel-stop-control", &[]);
            assert!(
                ask.text.contains(&stop),
                "{}: {} lacks {stop}",
                lang.code(),
                ask.text
            );
        }
    }

    #[test]
    fn ses_05_control_ended_by_esc_says_so_and_drops_the_banner() {
        let mut p = Panel::new(Lang::En);
        p.news(news(
            1,
            Permission::SharedControl,
            NewsKind::Event(Ev::ControlGranted),
        ));
        let s = p.state();
        assert!(s.control.as_deref().is_some_and(|c| c.contains("Anna")));
        assert_eq!(
            s.sessions[0].status,
            p.texts.get("panel-status-control", &[])
        );
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::ControlEnded(Side::Novice, StopMethod::EscKey)),
        ));
        let s = p.state();
        assert!(s.control.is_none());
        let notice = s.notice.expect("notice");
        assert!(notice.contains("Esc"), "{notice}");
        assert!(notice.starts_with("Control ended"), "{notice}");
        assert_eq!(
            s.sessions[0].status,
            p.texts.get("panel-status-watching", &[])
        );
    }

    #[test]
    fn ses_05_helper_giving_control_back_names_the_helper() {
        let mut p = Panel::new(Lang::De);
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::ControlEnded(Side::Expert, StopMethod::ExpertReleased)),
        ));
        assert!(p.state().notice.expect("notice").contains("Anna"));
    }

    #[test]
    fn ses_06_status_box_follows_the_permission_and_the_end() {
        let mut p = Panel::new(Lang::En);
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::Started),
        ));
        assert_eq!(
            p.state().sessions[0].status,
            p.texts.get("panel-status-watching", &[])
        );
        p.news(news(1, Permission::ControlRequested, NewsKind::Permission));
        assert_eq!(
            p.state().sessions[0].status,
            p.texts.get("panel-status-asks-control", &[])
        );
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::Ended(EndReason::PeerLeft)),
        ));
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Left(Some(EndReason::PeerLeft)),
        ));
        let s = p.state();
        assert!(s.sessions[0].ended);
        assert!(!s.connected);
        assert_eq!(s.notice.as_deref(), Some("Anna hung up."));
    }

    #[test]
    fn ses_06_status_box_keeps_only_the_last_ended_sessions() {
        let mut p = Panel::new(Lang::En);
        for conn in 1..=5 {
            p.news(news(conn, Permission::Waiting, NewsKind::Left(None)));
        }
        p.news(news(9, Permission::ScreenView, NewsKind::Joined));
        let conns: Vec<u64> = p.state().sessions.iter().map(|s| s.conn).collect();
        assert_eq!(conns, vec![3, 4, 5, 9]);
    }

    #[test]
    fn ses_13_reminder_shows_only_while_someone_is_connected() {
        let mut p = Panel::new(Lang::En);
        assert!(!p.state().connected);
        p.news(news(1, Permission::Waiting, NewsKind::Joined));
        assert!(p.state().connected);
        p.news(news(1, Permission::Waiting, NewsKind::Left(None)));
        assert!(!p.state().connected);
    }

    #[test]
    fn ses_08_chat_keeps_both_sides() {
        let mut p = Panel::new(Lang::En);
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::Chat(1, Side::Expert, "hi".into())),
        ));
        p.news(news(
            1,
            Permission::ScreenView,
            NewsKind::Event(Ev::Chat(2, Side::Novice, "hello".into())),
        ));
        let chat = p.state().chat;
        assert_eq!(chat.len(), 2);
        assert!(!chat[0].mine && chat[0].name == "Anna");
        assert!(chat[1].mine && chat[1].text == "hello");
    }

    #[test]
    fn ses_07_offered_file_is_answered_from_its_row() {
        let mut p = Panel::new(Lang::En);
        p.news(news(
            3,
            Permission::ScreenView,
            NewsKind::Event(Ev::FileOffered(7, "a.txt".into(), 5)),
        ));
        let (q, mut rx) = question(
            3,
            Ask::File {
                helper: "Anna".into(),
                id: 7,
                name: "a.txt".into(),
                size: 5,
            },
        );
        p.ask(q);
        let s = p.state();
        assert!(s.ask.is_none(), "files are answered in the list");
        let row = &s.files[0];
        assert!(row.can_answer);
        let key = row.id;
        p.answer_file(key, true, &Registry::default());
        assert_eq!(rx.try_recv().ok(), Some(ConnCmd::AnswerFile(7, true)));
        assert!(!p.state().files[0].can_answer);
        assert!(p.news(news(
            3,
            Permission::ScreenView,
            NewsKind::Event(Ev::FileProgress(7, 2, 5))
        )));
        assert_eq!(p.state().files[0].done, 2);
    }

    #[test]
    fn l10n_01_state_changes_language() {
        let (mut p, _rx) = consent_panel();
        let en = p.state().ask.expect("ask").text;
        p.set_lang(Lang::Nl);
        let nl = p.state().ask.expect("ask").text;
        assert_ne!(en, nl);
        assert!(nl.contains("Anna"));
    }

    #[test]
    fn file_keys_round_trip() {
        assert_eq!(split_file_key(file_key(5, u32::MAX)), (5, u32::MAX));
        assert!(file_key(1 << 20, 1) < (1 << 53));
    }
}
