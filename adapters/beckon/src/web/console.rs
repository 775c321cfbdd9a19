//! The helper's console: the live screen, the status box, control, chat,
//! files, settings and the session's end, for every tab the helper opens.
//!
//! The console owns the helper's [`Client`] once it exists. Before that it
//! may ask for the invitation's password, so the helper types it in the page
//! and not in a terminal. Video goes to the tabs as web frames (whole frames
//! of the encoded rectangles the person's machine sent; the page decodes
//! them with our own decoder compiled to WebAssembly).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::ws::WebSocket;
use beckon_core::invitation::Invitation;
use beckon_core::keymap::Layout;
use beckon_core::message::{Encoding, InputEvent, Quality};
use beckon_core::reason::EndReason;
use beckon_core::session::{Config, ExpertSession, ExpertState};
use beckon_host_sim::events::Ev;
use beckon_video::webframe::WebFrameWriter;
use beckon_video::{Encoder, EncoderConfig, Rect};
use rand_core::OsRng;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use super::files::{FileBoard, FileRow, Uploads};
use super::i18n::{Lang, Texts};
use super::tabs::{TabEvent, Tabs};
use super::{keycodes, words, Hello, Page, WebServer};
use crate::clock::unix_ms;
use crate::error::{end_code, Result};
use crate::expert::{pointer_units, Client, ClientOptions, Cmd, Control, FileAnswer, News};
use crate::story::Story;

/// How the console starts.
#[derive(Debug)]
pub enum Start {
    /// A session ready to connect.
    Session(Box<ExpertSession>),
    /// An invitation whose password the helper types in the page.
    NeedsPassword(Box<Invitation>),
}

/// Everything the console needs.
#[derive(Debug)]
pub struct ConsoleSetup {
    /// How to start.
    pub start: Start,
    /// Where to connect.
    pub addresses: Vec<String>,
    /// The helper's name.
    pub helper_name: String,
    /// The person's keyboard layout, for pasted text.
    pub layout: Layout,
    /// Where accepted files go.
    pub download_dir: std::path::PathBuf,
    /// The page's first language.
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    Password,
    Connecting,
    Waiting,
    Live,
    Ended,
}

#[derive(Debug, Clone, Serialize)]
struct ChatLine {
    mine: bool,
    name: String,
    text: String,
}

/// What every tab shows, rebuilt and sent whenever it changes.
#[derive(Debug, Clone, Serialize)]
struct StateMsg {
    t: &'static str,
    phase: Phase,
    helper: String,
    novice: String,
    connection: String,
    /// The machine's keyboard lights in words, once it reported them.
    keyboard: Option<String>,
    permission: &'static str,
    permission_text: String,
    control_button: String,
    /// The helper asked for a relative mouse (BIOS screens).
    relative_pointer: bool,
    in_control: bool,
    can_request: bool,
    notice: Option<String>,
    notice_bad: bool,
    password_error: Option<String>,
    ended: Option<String>,
    chat: Vec<ChatLine>,
    files: Vec<FileRow>,
    quality: Option<u8>,
    decoder: bool,
}

#[derive(Debug, Clone, Serialize)]
struct StatsMsg {
    t: &'static str,
    text: String,
    kbps: u64,
    fps: u64,
    rtt_ms: Option<u32>,
}

/// The frame being received, kept whole so each tab gets the part it needs.
#[derive(Debug, Default)]
struct FrameInFlight {
    size: Option<(u16, u16)>,
    rects: Vec<(Rect, Encoding, Vec<u8>)>,
    cursor: Option<(u16, u16)>,
}

/// Where each tab stands with the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    /// Waiting for a snapshot; gets nothing until it arrives.
    Waiting,
    /// Has every frame; the number is how many of the frame in flight's
    /// rectangles its snapshot already holds.
    Synced(usize),
}

struct Console {
    setup_name: String,
    layout: Layout,
    addresses: Vec<String>,
    download_dir: std::path::PathBuf,
    texts: Texts,
    tabs: Tabs,
    sync: BTreeMap<u64, Sync>,
    tab_events: mpsc::UnboundedSender<TabEvent>,
    news_tx: mpsc::UnboundedSender<News>,
    client: Option<Client>,
    invitation: Option<Box<Invitation>>,
    phase: Phase,
    novice: String,
    notice: Option<(String, bool)>,
    password_error: Option<String>,
    ended: Option<EndReason>,
    chat: Vec<ChatLine>,
    files: FileBoard,
    uploads: Uploads,
    quality: Option<u8>,
    frame: FrameInFlight,
    screen_size: (u16, u16),
    last_sample: (u64, u64, u64),
    last_state: String,
}

/// How long the console stays after the session ended, so every tab shows
/// why before the process goes away.
const LINGER: Duration = Duration::from_secs(3);

/// How long it waits for a tab when the session ended before any was open.
const UNSEEN_LINGER: Duration = Duration::from_secs(60);

/// Run the console until the session ends (or Ctrl+C); returns the exit code.
pub async fn run(
    setup: ConsoleSetup,
    _server: WebServer,
    mut sockets: mpsc::Receiver<WebSocket>,
) -> Result<u8> {
    let (tab_events, mut tab_rx) = mpsc::unbounded_channel();
    let (news_tx, mut news_rx) = mpsc::unbounded_channel();
    let mut c = Console {
        setup_name: setup.helper_name,
        layout: setup.layout,
        addresses: setup.addresses,
        download_dir: setup.download_dir,
        texts: Texts::new(setup.lang),
        tabs: Tabs::default(),
        sync: BTreeMap::new(),
        tab_events,
        news_tx,
        client: None,
        invitation: None,
        phase: Phase::Connecting,
        novice: String::new(),
        notice: None,
        password_error: None,
        ended: None,
        chat: Vec::new(),
        files: FileBoard::default(),
        uploads: Uploads::new(),
        quality: None,
        frame: FrameInFlight::default(),
        screen_size: (0, 0),
        last_sample: (unix_ms(), 0, 0),
        last_state: String::new(),
    };
    match setup.start {
        Start::Session(session) => c.connect(*session).await,
        Start::NeedsPassword(inv) => {
            c.novice = inv.novice_name.to_string();
            c.invitation = Some(inv);
            c.phase = Phase::Password;
        }
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut ended_at: Option<tokio::time::Instant> = None;
    // The picture changes nothing the state shows: a frame's rectangles do
    // not rebuild and compare the state once each.
    let mut stale = true;
    loop {
        if std::mem::take(&mut stale) {
            c.refresh();
        }
        if c.phase == Phase::Ended && ended_at.is_none() {
            // Stay until a tab has shown why (or nobody came to look).
            let linger = if c.tabs.is_empty() {
                UNSEEN_LINGER
            } else {
                LINGER
            };
            ended_at = Some(tokio::time::Instant::now() + linger);
        }
        if c.phase == Phase::Ended && !c.tabs.is_empty() {
            let soon = tokio::time::Instant::now() + LINGER;
            ended_at = ended_at.map(|t| t.min(soon));
        }
        let mut status = c.client.as_ref().map(|cl| cl.status.clone());
        stale = true;
        tokio::select! {
            Some(socket) = sockets.recv() => c.tabs.attach(socket, c.tab_events.clone()),
            Some(ev) = tab_rx.recv() => c.on_tab(ev).await,
            Some(news) = news_rx.recv() => stale = c.on_news(news),
            _ = async { match status.as_mut() { Some(s) => { let _ = s.changed().await; } None => std::future::pending().await } } => {}
            _ = tick.tick() => c.stats(),
            _ = tokio::time::sleep_until(ended_at.unwrap_or_else(tokio::time::Instant::now)), if ended_at.is_some() => break,
            _ = tokio::signal::ctrl_c() => {
                c.hang_up();
                break;
            }
        }
    }
    let end = match c.client.take() {
        Some(client) => client.finish().await.ended,
        None => c.ended,
    };
    Ok(end.map(end_code).unwrap_or(0))
}

impl Console {
    async fn connect(&mut self, session: ExpertSession) {
        self.phase = Phase::Connecting;
        self.password_error = None;
        self.refresh();
        let options = ClientOptions {
            download_dir: self.download_dir.clone(),
            files: FileAnswer::Ask,
            story: Story::new(),
            news: Some(self.news_tx.clone()),
        };
        match Client::connect(&self.addresses, session, options).await {
            Ok(client) => self.client = Some(client),
            Err(e) => {
                self.phase = Phase::Ended;
                self.notice = Some((e.to_string(), true));
            }
        }
        // Tabs that opened before there was a picture are in sync.
        for s in self.sync.values_mut() {
            *s = Sync::Synced(0);
        }
    }

    fn status(&self) -> Option<crate::expert::Status> {
        self.client.as_ref().map(Client::now)
    }

    fn send(&self, cmd: Cmd) {
        if let Some(c) = &self.client {
            c.send(cmd);
        }
    }

    fn in_control(&self) -> bool {
        self.client
            .as_ref()
            .is_some_and(|c| c.status.borrow().control == Control::Granted)
    }

    /// Build the state; send it to every tab when it changed.
    fn refresh(&mut self) {
        let msg = self.state();
        if let Ok(text) = serde_json::to_string(&msg) {
            if text != self.last_state {
                self.tabs.send_all(&msg);
                self.last_state = text;
            }
        }
    }

    fn state(&mut self) -> StateMsg {
        let status = self.status();
        if let Some(s) = &status {
            if !s.novice_name.is_empty() {
                self.novice = s.novice_name.clone();
            }
            if let Some(r) = s.ended {
                self.on_ended(r);
            } else if s.started {
                self.phase = Phase::Live;
            } else if s.state == Some(ExpertState::AwaitingConsent) {
                self.phase = Phase::Waiting;
            }
        }
        let t = &self.texts;
        let control = status.as_ref().map(|s| s.control).unwrap_or_default();
        let (permission, key) = match (self.phase, control) {
            (Phase::Live, Control::Granted) => ("control", "permission-control"),
            (Phase::Live, Control::Requested) => ("requested", "permission-requested"),
            (Phase::Live, _) => ("view", "permission-view"),
            _ => ("none", "permission-none"),
        };
        let connection = match self.phase {
            Phase::Password => t.get("conn-password", &[]),
            Phase::Connecting => t.get("conn-connecting", &[]),
            Phase::Waiting => t.get("conn-waiting", &[("name", self.novice.clone().into())]),
            Phase::Live if status.as_ref().is_some_and(|s| s.unattended) => {
                t.get("conn-live-unattended", &[])
            }
            Phase::Live => t.get("conn-live", &[]),
            Phase::Ended => t.get("conn-ended", &[]),
        };
        StateMsg {
            t: "state",
            phase: self.phase,
            helper: self.setup_name.clone(),
            novice: self.novice.clone(),
            connection,
            keyboard: status
                .as_ref()
                .and_then(|s| s.leds)
                .map(|l| words::keyboard_leds(t, l)),
            permission,
            permission_text: t.get(key, &[]),
            control_button: t.get(
                if control == Control::Granted {
                    "btn-release-control"
                } else {
                    "btn-request-control"
                },
                &[],
            ),
            relative_pointer: status.as_ref().is_some_and(|s| s.relative_pointer),
            in_control: control == Control::Granted,
            can_request: self.phase == Phase::Live && control != Control::Requested,
            notice: self.notice.as_ref().map(|(n, _)| n.clone()),
            notice_bad: self.notice.as_ref().is_some_and(|(_, bad)| *bad),
            password_error: self.password_error.clone(),
            ended: self
                .ended
                .filter(|_| self.phase == Phase::Ended)
                .map(|r| words::end_reason(t, r)),
            chat: self.chat.clone(),
            files: self.files.rows(t, u64::from),
            quality: self.quality,
            decoder: super::assets::has_decoder(),
        }
    }

    fn on_ended(&mut self, r: EndReason) {
        if self.ended == Some(r) && self.phase != Phase::Live {
            return;
        }
        self.ended = Some(r);
        // A wrong password may be typed again while the invitation allows.
        if r == EndReason::WrongPassword && self.invitation.is_some() {
            self.phase = Phase::Password;
            self.password_error = Some(words::end_reason(&self.texts, r));
            self.client = None;
        } else {
            self.phase = Phase::Ended;
        }
    }

    fn hello(&self, t: &'static str) -> Hello {
        Hello::new(t, Page::Console, &self.texts)
    }

    async fn on_tab(&mut self, ev: TabEvent) {
        match ev {
            TabEvent::Opened(id) => {
                self.tabs.send_to(id, &self.hello("hello"));
                let msg = self.state();
                self.tabs.send_to(id, &msg);
                if self.client.is_some() {
                    self.sync.insert(id, Sync::Waiting);
                    self.send(Cmd::Snapshot);
                } else {
                    self.sync.insert(id, Sync::Synced(0));
                }
            }
            TabEvent::Closed(id) => {
                self.tabs.remove(id);
                self.sync.remove(&id);
                self.uploads.drop_tab(id);
            }
            TabEvent::Bytes(id, data) => {
                if let Err(e) = self.uploads.bytes(id, &data) {
                    self.notice = Some((e.to_string(), true));
                }
            }
            TabEvent::Said(id, v) => self.said(id, &v).await,
        }
    }

    async fn said(&mut self, tab: u64, v: &Value) {
        let kind = v.get("t").and_then(Value::as_str).unwrap_or("");
        let num = |k: &str| v.get(k).and_then(Value::as_f64);
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        match kind {
            "lang" => {
                if let Some(lang) = Lang::parse(&text("lang")) {
                    self.texts = Texts::new(lang);
                    let hello = self.hello("texts");
                    self.tabs.send_all(&hello);
                    self.last_state.clear();
                }
            }
            "password" => self.password(text("password")).await,
            "request_control" => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                self.send(Cmd::RequestControl(tx));
                if let Ok(Err(e)) = rx.await {
                    self.notice = Some((e.to_string(), true));
                } else {
                    self.notice = None;
                }
            }
            "release_control" => self.send(Cmd::ReleaseControl),
            "key" => {
                let down = v.get("down").and_then(Value::as_bool).unwrap_or(false);
                if let Some(usage) = keycodes::usage(&text("code")) {
                    self.input(vec![InputEvent::Key { usage, down }]);
                }
            }
            "pointer" => {
                if let (Some(x), Some(y)) = (num("x"), num("y")) {
                    let (w, h) = self.screen_size;
                    self.input(vec![InputEvent::PointerAbs {
                        x: pointer_units(x, w),
                        y: pointer_units(y, h),
                    }]);
                }
            }
            "pointer_mode" => {
                let relative = v.get("relative").and_then(Value::as_bool).unwrap_or(false);
                self.send(Cmd::PointerMode(relative));
            }
            "pointer_rel" => {
                let step = |d: Option<f64>| {
                    d.filter(|d| d.is_finite())
                        .unwrap_or(0.0)
                        .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
                };
                let (dx, dy) = (step(num("dx")), step(num("dy")));
                if dx != 0 || dy != 0 {
                    self.input(vec![InputEvent::PointerRel { dx, dy }]);
                }
            }
            "button" => {
                let down = v.get("down").and_then(Value::as_bool).unwrap_or(false);
                if let Some(b) = num("button").filter(|b| (0.0..5.0).contains(b)) {
                    self.input(vec![InputEvent::Button {
                        button: b as u8,
                        down,
                    }]);
                }
            }
            "wheel" => {
                let clamp = |d: Option<f64>| d.unwrap_or(0.0).clamp(-10.0, 10.0) as i8;
                let (dx, dy) = (clamp(num("dx")), clamp(num("dy")));
                if dx != 0 || dy != 0 {
                    self.input(vec![InputEvent::Wheel { dx, dy }]);
                }
            }
            "paste" => self.paste(&text("text")),
            "chat" => {
                let t = text("text");
                if !t.trim().is_empty() {
                    self.send(Cmd::Chat(t));
                }
            }
            "quality" => {
                let q = match num("level") {
                    Some(l) => Quality::Manual(l.clamp(0.0, 100.0) as u8),
                    None => Quality::Auto,
                };
                self.quality = match q {
                    Quality::Manual(l) => Some(l),
                    Quality::Auto => None,
                };
                self.send(Cmd::Quality(q));
            }
            "file_begin" => {
                let size = num("size").unwrap_or(0.0) as u64;
                if let Err(e) = self.uploads.begin(tab, &text("name"), size) {
                    self.notice = Some((e.to_string(), true));
                }
            }
            "file_end" => match self.uploads.end(tab) {
                Ok(path) => self.offer(path).await,
                Err(e) => self.notice = Some((e.to_string(), true)),
            },
            "file_answer" => {
                if let Some(id) = num("id") {
                    let yes = v.get("accept").and_then(Value::as_bool).unwrap_or(false);
                    self.files.answered(id as u32, yes);
                    self.send(Cmd::AnswerFile(id as u32, yes));
                }
            }
            "file_cancel" => {
                if let Some(id) = num("id") {
                    self.send(Cmd::CancelFile(id as u32));
                }
            }
            "disconnect" => self.hang_up(),
            _ => tracing::debug!("the console sent {kind:?}, which means nothing here"),
        }
    }

    async fn password(&mut self, password: String) {
        let Some(inv) = self.invitation.as_deref() else {
            return;
        };
        if self.phase != Phase::Password {
            return;
        }
        match ExpertSession::for_invitation(
            Config::default(),
            &mut OsRng,
            inv,
            Some(password.as_bytes()),
            &self.setup_name,
            unix_ms(),
        ) {
            Ok(session) => {
                self.ended = None;
                self.connect(session).await;
            }
            Err(e) => self.password_error = Some(e.to_string()),
        }
    }

    async fn offer(&mut self, path: std::path::PathBuf) {
        let Some(client) = &self.client else {
            return;
        };
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (tx, rx) = tokio::sync::oneshot::channel();
        client.send(Cmd::SendFile(path, tx));
        match rx.await {
            Ok(Ok(id)) => self.files.offered(id, name, size),
            Ok(Err(e)) => self.notice = Some((e.to_string(), true)),
            Err(_) => {}
        }
    }

    fn input(&mut self, events: Vec<InputEvent>) {
        if self.in_control() {
            self.send(Cmd::Input(events));
        }
    }

    /// Type text through the person's layout; refuse it whole if one
    /// character cannot be typed there (L10N-02).
    fn paste(&mut self, text: &str) {
        if !self.in_control() {
            self.notice = Some((self.texts.get("paste-not-in-control", &[]), true));
            return;
        }
        let mut events = Vec::new();
        let caps = self.status().is_some_and(|s| s.caps_lock());
        for ch in text.chars() {
            match self.layout.strokes_locked(ch, caps) {
                Ok(strokes) => events.extend(strokes.iter().flat_map(|s| s.events())),
                Err(_) => {
                    self.notice = Some((
                        self.texts.get(
                            "paste-untypeable",
                            &[
                                ("char", ch.to_string().into()),
                                ("layout", format!("{:?}", self.layout).into()),
                            ],
                        ),
                        true,
                    ));
                    return;
                }
            }
        }
        self.notice = None;
        self.send(Cmd::Input(events));
    }

    fn hang_up(&mut self) {
        match &self.client {
            Some(c) => c.send(Cmd::Disconnect),
            None => {
                self.ended = Some(EndReason::LocalLeft);
                self.phase = Phase::Ended;
            }
        }
    }

    /// What the client's task said; returns whether the state may have
    /// changed (the picture alone does not change it).
    fn on_news(&mut self, news: News) -> bool {
        match news {
            News::Event(ev) => {
                self.on_event(ev);
                return true;
            }
            News::FileFinished(id, f) => {
                self.files.finished(id, &f);
                return true;
            }
            News::FrameStart(w, h) => {
                self.frame = FrameInFlight {
                    size: Some((w, h)),
                    ..Default::default()
                };
                self.screen_size = (w, h);
            }
            News::Rect(rect, enc, data) => self.frame.rects.push((rect, enc, data)),
            News::Cursor(x, y) => {
                if self.frame.size.is_some() {
                    self.frame.cursor = Some((x, y));
                } else if self.screen_size.0 > 0 {
                    let (w, h) = self.screen_size;
                    let mut wf = WebFrameWriter::begin(w, h);
                    wf.cursor(x, y);
                    self.send_synced(&wf.finish());
                }
            }
            News::FrameEnd => self.frame_end(),
            News::Snapshot(w, h, pixels) => self.snapshot(w, h, &pixels),
        }
        false
    }

    fn frame_end(&mut self) {
        let frame = std::mem::take(&mut self.frame);
        let Some((w, h)) = frame.size else {
            return;
        };
        // Most tabs want the whole frame; a tab whose snapshot was taken
        // mid-frame wants only the rectangles after it.
        let mut by_skip: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
        for (id, s) in &mut self.sync {
            if let Sync::Synced(skip) = *s {
                by_skip.entry(skip).or_default().push(*id);
                *s = Sync::Synced(0);
            }
        }
        for (skip, ids) in by_skip {
            let mut wf = WebFrameWriter::begin(w, h);
            for (rect, enc, data) in frame.rects.iter().skip(skip) {
                if wf.rect(*rect, *enc, data).is_err() {
                    tracing::warn!("a rectangle too large for a web frame was dropped");
                }
            }
            if let Some((x, y)) = frame.cursor {
                wf.cursor(x, y);
            }
            let msg = wf.finish();
            for id in ids {
                self.tabs.bytes_to(id, &msg);
            }
        }
    }

    fn send_synced(&mut self, msg: &[u8]) {
        let ids: Vec<u64> = self
            .sync
            .iter()
            .filter(|(_, s)| matches!(s, Sync::Synced(_)))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.tabs.bytes_to(id, msg);
        }
    }

    /// The whole picture for tabs that just opened, encoded losslessly.
    fn snapshot(&mut self, w: u16, h: u16, pixels: &[u8]) {
        let waiting: Vec<u64> = self
            .sync
            .iter()
            .filter(|(_, s)| **s == Sync::Waiting)
            .map(|(id, _)| *id)
            .collect();
        if waiting.is_empty() {
            return;
        }
        let done = self.frame.rects.len();
        let msg = if w == 0 || h == 0 {
            None
        } else {
            let mut enc = Encoder::new(EncoderConfig::default());
            match enc.encode(w, h, pixels, None) {
                Ok(rects) => {
                    let mut wf = WebFrameWriter::begin(w, h);
                    match wf.rects(&rects) {
                        Ok(()) => Some(wf.finish()),
                        Err(e) => {
                            tracing::warn!("cannot pack the picture: {e}");
                            None
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!("cannot encode the picture: {e}");
                    None
                }
            }
        };
        for id in waiting {
            if let Some(m) = &msg {
                self.tabs.bytes_to(id, m);
            }
            self.sync.insert(id, Sync::Synced(done));
        }
    }

    fn on_event(&mut self, ev: Ev) {
        if self.files.on_event(&ev) {
            return;
        }
        match ev {
            Ev::Chat(_, side, text) => {
                let mine = side == beckon_core::reason::Side::Expert;
                self.chat.push(ChatLine {
                    mine,
                    name: if mine {
                        self.setup_name.clone()
                    } else {
                        self.novice.clone()
                    },
                    text,
                });
                if self.chat.len() > 500 {
                    self.chat.remove(0);
                }
            }
            Ev::ControlGranted => {
                self.notice = Some((self.texts.get("notice-control-granted", &[]), false));
            }
            Ev::ControlRefused(r) => self.notice = Some((words::refusal(&self.texts, r), true)),
            Ev::ControlEnded(by, how) => {
                self.notice = Some((
                    words::control_ended_for_helper(&self.texts, by, how, &self.novice),
                    by == beckon_core::reason::Side::Novice,
                ));
            }
            Ev::Started => self.notice = None,
            _ => {}
        }
    }

    fn stats(&mut self) {
        let Some(s) = self.status() else {
            return;
        };
        let now = unix_ms();
        let (t0, b0, f0) = self.last_sample;
        let dt = now.saturating_sub(t0).max(1);
        let kbps = (s.video_bytes.saturating_sub(b0) * 8) / dt;
        let fps = (s.frames.saturating_sub(f0) * 1000 + dt / 2) / dt;
        self.last_sample = (now, s.video_bytes, s.frames);
        let rtt = s
            .rtt_ms
            .map(|r| r.to_string())
            .unwrap_or_else(|| "–".into());
        let text = self.texts.get(
            "stats-line",
            &[
                ("kbps", kbps.to_string().into()),
                ("fps", fps.to_string().into()),
                ("rtt", rtt.into()),
            ],
        );
        self.tabs.send_all(&StatsMsg {
            t: "stats",
            text,
            kbps,
            fps,
            rtt_ms: s.rtt_ms,
        });
    }
}
