//! The simulator: a virtual clock, seeded randomness, the novice's agent,
//! the experts, the links between them and a queue of timed actions.
//!
//! Time only moves when the simulator moves it: [`Sim::run_for`] settles
//! everything due at the current instant (deliveries, events, timers,
//! frames, files, transmissions), then jumps to the next instant anything
//! is due. The same seed and the same calls give the same run, byte for
//! byte ([`Sim::digest`]).

use std::collections::BTreeMap;

use beckon_core::invitation::Invitation;
use beckon_core::keymap::Layout;
use beckon_core::message::{InputEvent, Quality, POINTER_MAX};
use beckon_core::session::{Config, ExpertError, ExpertSession, SendError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::agent::{consent_words, control_words, NoviceAgent, Prompt};
use crate::desktop::Desktop;
use crate::expert::ExpertClient;
use crate::net::{CutNotice, Fault, Link, LinkSpec, PlannedFault, Toward, Trigger};
use crate::transcript::{Actor, Kind, Transcript};

/// Wall-clock start of every run (Unix ms, in 2027), so invitation expiries
/// are realistic and runs do not depend on the day they happen.
pub const T0: u64 = 1_800_000_000_000;

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of every random choice (keys, nonces, jitter, faults).
    pub seed: u64,
    /// The link new connections get.
    pub link: LinkSpec,
    /// Session timings.
    pub session: Config,
    /// Desktop size.
    pub width: u16,
    /// Desktop size.
    pub height: u16,
    /// The machine's keyboard layout.
    pub layout: Layout,
    /// Time between two typed characters, for both people.
    pub key_ms: u64,
    /// The machine's name (shown to helpers who offer help).
    pub machine_name: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            link: LinkSpec::lan(),
            session: Config::default(),
            width: 1280,
            height: 800,
            layout: Layout::Us,
            key_ms: 40,
            machine_name: "Oma's laptop".into(),
        }
    }
}

/// Something due at a time.
#[derive(Debug, Clone, Copy)]
enum Action {
    /// The person's own keyboard or mouse.
    Local(InputEvent),
    /// An expert's input.
    Expert(usize, InputEvent),
    /// A link is cut.
    Cut(usize, CutNotice),
    /// A link goes silent.
    BlackHole(usize),
}

/// The simulated world.
#[derive(Debug)]
pub struct Sim {
    config: SimConfig,
    now: u64,
    net_rng: ChaCha20Rng,
    expert_rng: ChaCha20Rng,
    /// The novice's machine.
    pub agent: NoviceAgent,
    /// The experts, one per connection.
    pub experts: Vec<ExpertClient>,
    links: Vec<Link>,
    actions: BTreeMap<(u64, u64), Action>,
    seq: u64,
    /// What happened.
    pub transcript: Transcript,
    digest: Sha256,
}

impl Sim {
    /// A world with the defaults and this seed.
    pub fn new(seed: u64) -> Sim {
        Sim::with_config(SimConfig {
            seed,
            ..SimConfig::default()
        })
    }

    /// A world as configured.
    pub fn with_config(config: SimConfig) -> Sim {
        let mut root = ChaCha20Rng::seed_from_u64(config.seed);
        let agent_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        let net_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        let expert_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        let desktop = Desktop::new(config.width, config.height, config.layout);
        let agent = NoviceAgent::new(&config.machine_name, desktop, config.session, agent_rng);
        let mut sim = Sim {
            config,
            now: T0,
            net_rng,
            expert_rng,
            agent,
            experts: Vec::new(),
            links: Vec::new(),
            actions: BTreeMap::new(),
            seq: 0,
            transcript: Transcript::new(),
            digest: Sha256::new(),
        };
        sim.agent.update_status();
        sim
    }

    // ---- time ----

    /// The clock (Unix ms).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Milliseconds since the run started.
    pub fn elapsed(&self) -> u64 {
        self.now - T0
    }

    /// Let `ms` of simulated time pass.
    pub fn run_for(&mut self, ms: u64) {
        let end = self.now + ms;
        self.run_until_time(end, |_| false);
    }

    /// Run until `done` holds or `limit_ms` passed; returns whether it held.
    pub fn run_until(&mut self, limit_ms: u64, done: impl FnMut(&mut Sim) -> bool) -> bool {
        let end = self.now + limit_ms;
        self.run_until_time(end, done)
    }

    /// A line in the transcript for a scenario step.
    pub fn note(&mut self, text: &str) {
        self.log(Actor::Sim, Kind::Step, text);
    }

    /// A digest of everything that crossed the network and the transcript:
    /// the same seed and calls give the same value.
    pub fn digest(&self) -> [u8; 32] {
        let mut d = self.digest.clone();
        d.update(self.transcript.to_string().as_bytes());
        d.finalize().into()
    }

    // ---- connections ----

    /// The link new connections get from now on.
    pub fn set_link(&mut self, spec: LinkSpec) {
        self.config.link = spec;
    }

    /// An expert named `name` opens `invitation` (typing `password` when
    /// asked) and connects. Returns the connection's number.
    pub fn connect_invitation(
        &mut self,
        name: &str,
        invitation: &Invitation,
        password: Option<&str>,
    ) -> Result<usize, ExpertError> {
        let session = ExpertSession::for_invitation(
            self.config.session,
            &mut self.expert_rng,
            invitation,
            password.map(str::as_bytes),
            name,
            self.now,
        )?;
        let how = if password.is_some() {
            "opens the invitation, types the password and connects"
        } else {
            "opens the invitation and connects"
        };
        Ok(self.attach(name, session, how))
    }

    /// An expert offers help with its own key and, for a group member, a
    /// certificate (OFF-01, OFF-02).
    pub fn connect_offer(
        &mut self,
        name: &str,
        expert_secret: &[u8; 32],
        certificate: Option<&[u8]>,
    ) -> Result<usize, ExpertError> {
        let pinned = Some(self.agent.key.public);
        let session = ExpertSession::for_offer(
            self.config.session,
            &mut self.expert_rng,
            expert_secret,
            certificate,
            pinned,
            name,
            self.now,
        )?;
        Ok(self.attach(name, session, "offers help"))
    }

    fn attach(&mut self, name: &str, session: ExpertSession, how: &str) -> usize {
        let k = self.agent.accept(self.now);
        self.links.push(Link::new(self.config.link));
        self.experts
            .push(ExpertClient::new(k, name, session, self.config.layout));
        self.log(Actor::Expert(k), Kind::Action, &format!("{name} {how}"));
        k
    }

    /// The link of connection `k`.
    pub fn link(&self, k: usize) -> &Link {
        &self.links[k]
    }

    /// Change connection `k`'s link from now on.
    pub fn set_link_spec(&mut self, k: usize, spec: LinkSpec) {
        self.links[k]
            .pipe_mut(Toward::Novice)
            .set_spec(spec.to_novice);
        self.links[k]
            .pipe_mut(Toward::Expert)
            .set_spec(spec.to_expert);
    }

    // ---- the network misbehaves ----

    /// Cut connection `k`'s link now.
    pub fn cut(&mut self, k: usize, notice: CutNotice) {
        self.schedule(self.now, Action::Cut(k, notice));
    }

    /// Cut connection `k`'s link `in_ms` from now.
    pub fn cut_in(&mut self, k: usize, in_ms: u64, notice: CutNotice) {
        self.schedule(self.now + in_ms, Action::Cut(k, notice));
    }

    /// Connection `k`'s link stops delivering, without closing.
    pub fn black_hole(&mut self, k: usize) {
        self.schedule(self.now, Action::BlackHole(k));
    }

    /// Plan a fault on connection `k`'s link.
    pub fn inject(&mut self, k: usize, toward: Toward, fault: Fault, trigger: Trigger) {
        self.links[k].plan(toward, PlannedFault { fault, trigger });
        let to = match toward {
            Toward::Novice => "novice",
            Toward::Expert => "expert",
        };
        self.log(
            Actor::Net,
            Kind::Net,
            &format!("will do {fault:?} to a frame toward the {to} ({trigger:?})"),
        );
    }

    /// Raw bytes from nowhere, toward one end of connection `k` (garbage
    /// written straight onto the wire).
    pub fn inject_bytes(&mut self, k: usize, toward: Toward, bytes: &[u8]) {
        self.links[k]
            .pipe_mut(toward)
            .write(self.now, bytes, &mut self.net_rng);
        self.log(
            Actor::Net,
            Kind::Net,
            &format!("{} stray bytes toward {toward:?}", bytes.len()),
        );
    }

    // ---- the person at the novice's machine ----

    /// Questions waiting for the person.
    pub fn prompts(&self) -> &[Prompt] {
        &self.agent.prompts
    }

    /// The person answers the consent prompt of connection `k` (INV-08).
    pub fn person_consents(&mut self, k: usize, yes: bool) -> Result<(), SendError> {
        self.agent
            .prompts
            .retain(|p| !matches!(p, Prompt::Consent { conn, .. } if *conn == k));
        self.log(Actor::Person, Kind::Action, consent_words(yes));
        let now = self.now;
        self.agent.conns[k].session.consent(now, yes)
    }

    /// The person answers the control request of connection `k` (SES-02).
    pub fn person_answers_control(&mut self, k: usize, yes: bool) -> Result<(), SendError> {
        self.agent
            .prompts
            .retain(|p| !matches!(p, Prompt::Control { conn } if *conn == k));
        self.log(Actor::Person, Kind::Action, control_words(yes));
        let now = self.now;
        self.agent.conns[k].session.answer_control(now, yes)
    }

    /// The person clicks Stop control (SES-05).
    pub fn person_clicks_stop_control(&mut self) {
        self.log(Actor::Person, Kind::Action, "clicks Stop control");
        let now = self.now;
        for c in &mut self.agent.conns {
            let _ = c.session.stop_control(now);
        }
    }

    /// The person presses and releases a key on their own keyboard.
    pub fn person_presses(&mut self, usage: u8) {
        self.log(
            Actor::Person,
            Kind::Action,
            &format!("presses {}", key_name(usage)),
        );
        let t = self.now;
        self.schedule(t, Action::Local(InputEvent::Key { usage, down: true }));
        self.schedule(t, Action::Local(InputEvent::Key { usage, down: false }));
    }

    /// The person presses Ctrl+C.
    pub fn person_presses_ctrl_c(&mut self) {
        self.log(Actor::Person, Kind::Action, "presses Ctrl+C");
        let t = self.now;
        for (usage, down) in [(0xE0, true), (0x06, true), (0x06, false), (0xE0, false)] {
            self.schedule(t, Action::Local(InputEvent::Key { usage, down }));
        }
    }

    /// The person types `text` on their own keyboard, starting now.
    pub fn person_types(&mut self, text: &str) {
        self.log(Actor::Person, Kind::Action, &format!("types {text:?}"));
        let layout = self.agent.layout();
        let mut t = self.now;
        for ch in text.chars() {
            let Ok(strokes) = layout.strokes(ch) else {
                continue;
            };
            for stroke in strokes {
                for e in stroke.events() {
                    self.schedule(t, Action::Local(e));
                }
            }
            t += self.config.key_ms;
        }
    }

    /// The person moves their mouse to a pixel.
    pub fn person_moves_pointer(&mut self, x: u16, y: u16) {
        let (ax, ay) = self.pixel_to_pointer(x, y);
        self.schedule(
            self.now,
            Action::Local(InputEvent::PointerAbs { x: ax, y: ay }),
        );
    }

    /// The person sends a chat message on connection `k`.
    pub fn person_chats(&mut self, k: usize, text: &str) -> Result<(), SendError> {
        self.log(Actor::Person, Kind::Action, &format!("writes {text:?}"));
        self.agent.conns[k].session.send_chat(text)
    }

    /// The person offers a file on connection `k`; `corrupt_at` damages the
    /// byte at that offset on its way out.
    pub fn person_sends_file(
        &mut self,
        k: usize,
        name: &str,
        data: Vec<u8>,
        corrupt_at: Option<u64>,
    ) -> Result<u32, SendError> {
        self.log(
            Actor::Person,
            Kind::Action,
            &format!("offers file {name:?} ({} bytes)", data.len()),
        );
        let c = &mut self.agent.conns[k];
        c.files.offer(&mut c.session, name, data, corrupt_at)
    }

    /// The person accepts or declines a file on connection `k`.
    pub fn person_answers_file(&mut self, k: usize, id: u32, yes: bool) -> Result<(), SendError> {
        self.agent
            .prompts
            .retain(|p| !matches!(p, Prompt::File { conn, id: i, .. } if *conn == k && *i == id));
        let word = if yes { "accepts" } else { "declines" };
        self.log(Actor::Person, Kind::Action, &format!("{word} file #{id}"));
        self.agent.conns[k].session.answer_file(id, yes)
    }

    /// The person cancels a transfer on connection `k`.
    pub fn person_cancels_file(&mut self, k: usize, id: u32) -> Result<(), SendError> {
        self.log(Actor::Person, Kind::Action, &format!("cancels file #{id}"));
        self.agent.conns[k].session.cancel_file(id)
    }

    /// The person disconnects connection `k` (SES-10).
    pub fn person_disconnects(&mut self, k: usize) {
        self.log(Actor::Person, Kind::Action, "disconnects");
        let now = self.now;
        self.agent.conns[k].session.disconnect(now);
    }

    // ---- the experts ----

    /// Expert `e` asks for control (SES-02).
    pub fn expert_requests_control(&mut self, e: usize) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, "asks for control");
        self.experts[e].session.request_control()
    }

    /// Expert `e` gives control back.
    pub fn expert_releases_control(&mut self, e: usize) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, "gives control back");
        self.experts[e].session.release_control()
    }

    /// Expert `e` types `text` through the target's layout, starting now.
    /// Characters the layout cannot type are refused before anything is
    /// sent (L10N-02).
    pub fn expert_types(
        &mut self,
        e: usize,
        text: &str,
    ) -> Result<(), beckon_core::keymap::Untypeable> {
        let layout = self.experts[e].layout;
        let mut strokes = Vec::new();
        for ch in text.chars() {
            strokes.push(layout.strokes(ch)?);
        }
        self.log(Actor::Expert(e), Kind::Action, &format!("types {text:?}"));
        let mut t = self.now;
        for s in strokes {
            for stroke in s {
                for ev in stroke.events() {
                    self.schedule(t, Action::Expert(e, ev));
                }
            }
            t += self.config.key_ms;
        }
        Ok(())
    }

    /// Expert `e` presses and releases one key.
    pub fn expert_presses(&mut self, e: usize, usage: u8) {
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("presses {}", key_name(usage)),
        );
        let t = self.now;
        self.schedule(t, Action::Expert(e, InputEvent::Key { usage, down: true }));
        self.schedule(t, Action::Expert(e, InputEvent::Key { usage, down: false }));
    }

    /// Expert `e` sends one input event now.
    pub fn expert_input(&mut self, e: usize, input: InputEvent) {
        self.schedule(self.now, Action::Expert(e, input));
    }

    /// Expert `e` clicks the left button at a pixel of the novice's screen.
    pub fn expert_clicks(&mut self, e: usize, x: u16, y: u16) {
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("clicks at {x},{y}"),
        );
        let (ax, ay) = self.pixel_to_pointer(x, y);
        let t = self.now;
        self.schedule(
            t,
            Action::Expert(e, InputEvent::PointerAbs { x: ax, y: ay }),
        );
        self.schedule(
            t,
            Action::Expert(
                e,
                InputEvent::Button {
                    button: 0,
                    down: true,
                },
            ),
        );
        self.schedule(
            t,
            Action::Expert(
                e,
                InputEvent::Button {
                    button: 0,
                    down: false,
                },
            ),
        );
    }

    /// Expert `e` writes in the chat.
    pub fn expert_chats(&mut self, e: usize, text: &str) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, &format!("writes {text:?}"));
        self.experts[e].session.send_chat(text)
    }

    /// Expert `e` offers a file.
    pub fn expert_sends_file(
        &mut self,
        e: usize,
        name: &str,
        data: Vec<u8>,
        corrupt_at: Option<u64>,
    ) -> Result<u32, SendError> {
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("offers file {name:?} ({} bytes)", data.len()),
        );
        let x = &mut self.experts[e];
        x.files.offer(&mut x.session, name, data, corrupt_at)
    }

    /// Expert `e` accepts or declines a file.
    pub fn expert_answers_file(&mut self, e: usize, id: u32, yes: bool) -> Result<(), SendError> {
        let word = if yes { "accepts" } else { "declines" };
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("{word} file #{id}"),
        );
        self.experts[e].session.answer_file(id, yes)
    }

    /// Expert `e` cancels a transfer.
    pub fn expert_cancels_file(&mut self, e: usize, id: u32) -> Result<(), SendError> {
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("cancels file #{id}"),
        );
        self.experts[e].session.cancel_file(id)
    }

    /// Expert `e` sets the picture quality (SES-09).
    pub fn expert_sets_quality(&mut self, e: usize, q: Quality) -> Result<(), SendError> {
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("sets quality {q:?}"),
        );
        self.experts[e].session.set_quality(q)
    }

    /// Expert `e` disconnects (SES-10).
    pub fn expert_disconnects(&mut self, e: usize) {
        self.log(Actor::Expert(e), Kind::Action, "disconnects");
        self.experts[e].session.disconnect();
    }

    // ---- looking at the world ----

    /// Whether expert `e`'s view equals the novice's screen, pixel for pixel.
    pub fn expert_sees_the_screen(&mut self, e: usize) -> bool {
        let view = self.experts[e].view.screen();
        let desktop = &mut self.agent.desktop;
        view.width() == desktop.width()
            && view.height() == desktop.height()
            && view.pixels() == desktop.pixels()
    }

    /// The text in the desktop's editor.
    pub fn editor_text(&self) -> String {
        self.agent.desktop.editor_text()
    }

    /// Pixel → pointer units (0..=POINTER_MAX across the screen).
    pub fn pixel_to_pointer(&self, x: u16, y: u16) -> (u16, u16) {
        let scale = |v: u16, size: u16| -> u16 {
            let span = u32::from(size.max(2) - 1);
            ((u32::from(v.min(size - 1)) * u32::from(POINTER_MAX) + span / 2) / span) as u16
        };
        (scale(x, self.config.width), scale(y, self.config.height))
    }

    // ---- the engine ----

    fn schedule(&mut self, at: u64, action: Action) {
        self.seq += 1;
        self.actions.insert((at, self.seq), action);
    }

    fn log(&mut self, actor: Actor, kind: Kind, text: &str) {
        let t = self.elapsed();
        self.transcript.push(t, actor, kind, text);
    }

    /// Do everything due now, until nothing moves.
    fn settle(&mut self) {
        for _ in 0..1_000_000 {
            if !self.settle_once() {
                return;
            }
        }
        // A livelock is a bug in the simulator or the core: the scenario
        // must fail loudly, with its transcript (see `Drop`), not hang.
        #[allow(clippy::panic)]
        {
            panic!("the simulation does not settle at t={} ms", self.elapsed());
        }
    }

    fn settle_once(&mut self) -> bool {
        let now = self.now;
        let t0 = T0;
        let mut moved = false;
        while let Some((&key, _)) = self.actions.first_key_value() {
            if key.0 > now {
                break;
            }
            if let Some(action) = self.actions.remove(&key) {
                self.perform(action);
                moved = true;
            }
        }
        let mut status_dirty = false;
        for k in 0..self.links.len() {
            // Deliveries.
            for toward in [Toward::Novice, Toward::Expert] {
                let wire = match toward {
                    Toward::Novice => &mut self.agent.conns[k].wire,
                    Toward::Expert => &mut self.experts[k].wire,
                };
                if let Some(bytes) = wire.receive(&mut self.links[k], toward, now) {
                    self.digest.update(now.to_le_bytes());
                    self.digest.update((k as u64).to_le_bytes());
                    self.digest.update([toward as u8]);
                    self.digest.update(&bytes);
                    moved = true;
                }
            }
            // The novice's side takes bytes and acts on events.
            let before = self.agent.conns[k].log.len();
            loop {
                self.agent.drain(k, now, &mut self.transcript, t0);
                let c = &mut self.agent.conns[k];
                if !c.wire.push(&mut c.session, now) {
                    break;
                }
                moved = true;
            }
            let c = &mut self.agent.conns[k];
            while c.queued_at_inject.len() < c.inject_times.len() {
                let queued = self.links[k].pipe(Toward::Expert).unsent(now)
                    + c.session.poll_transmit().map_or(0, <[u8]>::len);
                c.queued_at_inject.push(queued);
            }
            if c.session.poll_timeout().is_some_and(|t| t <= now) {
                c.session.handle_timeout(now);
                self.agent.drain(k, now, &mut self.transcript, t0);
                moved = true;
            }
            status_dirty |= self.agent.conns[k].log.len() != before;
            // The expert's side.
            let mut control_over = false;
            loop {
                control_over |= self.experts[k].drain(now, &mut self.transcript, t0);
                let x = &mut self.experts[k];
                if !x.wire.push(&mut x.session, now) {
                    break;
                }
                moved = true;
            }
            let x = &mut self.experts[k];
            if x.session.poll_timeout().is_some_and(|t| t <= now) {
                x.session.handle_timeout(now);
                control_over |= self.experts[k].drain(now, &mut self.transcript, t0);
                moved = true;
            }
            if control_over {
                // A real client stops typing when control ends.
                self.actions
                    .retain(|_, a| !matches!(a, Action::Expert(e, _) if *e == k));
            }
        }
        if status_dirty {
            self.agent.update_status();
        }
        self.agent.spread_damage();
        for k in 0..self.links.len() {
            moved |= self.agent.stream(k, now);
            let c = &mut self.agent.conns[k];
            moved |= c.files.pump(&mut c.session);
            let x = &mut self.experts[k];
            moved |= x.files.pump(&mut x.session);
            let (m, fired) = c.wire.transmit(
                &mut c.session,
                &mut self.links[k],
                Toward::Expert,
                now,
                &mut self.net_rng,
            );
            moved |= m;
            self.log_faults(k, Toward::Expert, &fired);
            let x = &mut self.experts[k];
            let (m, fired) = x.wire.transmit(
                &mut x.session,
                &mut self.links[k],
                Toward::Novice,
                now,
                &mut self.net_rng,
            );
            moved |= m;
            self.log_faults(k, Toward::Novice, &fired);
        }
        moved
    }

    fn log_faults(&mut self, k: usize, toward: Toward, fired: &[Fault]) {
        for f in fired {
            self.log(
                Actor::Net,
                Kind::Net,
                &format!("link {k}: {f:?} toward {toward:?}"),
            );
        }
    }

    fn perform(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::Local(input) => self.agent.local_input(now, input),
            Action::Expert(e, input) => {
                let x = &mut self.experts[e];
                match x.session.send_input(input) {
                    Ok(()) => x.input_times.push(now),
                    Err(err) => {
                        // Stop typing: the rest of the queue would fail too.
                        self.actions
                            .retain(|_, a| !matches!(a, Action::Expert(i, _) if *i == e));
                        self.log(
                            Actor::Expert(e),
                            Kind::Action,
                            &format!("input not sent: {err}"),
                        );
                    }
                }
            }
            Action::Cut(k, notice) => {
                self.links[k].cut(notice);
                self.log(Actor::Net, Kind::Net, &format!("link {k} cut ({notice:?})"));
            }
            Action::BlackHole(k) => {
                self.links[k].black_hole();
                self.log(
                    Actor::Net,
                    Kind::Net,
                    &format!("link {k} goes silent (black hole)"),
                );
            }
        }
    }

    /// The next instant anything is due after now.
    fn next_wake(&self) -> Option<u64> {
        let now = self.now;
        let mut wakes: Vec<u64> = Vec::new();
        if let Some((&(t, _), _)) = self.actions.first_key_value() {
            wakes.push(t);
        }
        for (k, link) in self.links.iter().enumerate() {
            wakes.extend(link.next_arrival());
            let c = &self.agent.conns[k];
            let x = &self.experts[k];
            wakes.extend(c.session.poll_timeout());
            wakes.extend(x.session.poll_timeout());
            if c.ended.is_none() {
                wakes.extend(c.video.wake_at(&c.session));
            }
            if c.session.poll_transmit().is_some() {
                wakes.extend(link.pipe(Toward::Expert).next_departure(now));
            }
            if x.session.poll_transmit().is_some() {
                wakes.extend(link.pipe(Toward::Novice).next_departure(now));
            }
        }
        wakes.into_iter().filter(|t| *t > now).min()
    }
}

/// A scenario that fails takes its story with it: the transcript is
/// printed when the simulator is dropped during a panic.
impl Drop for Sim {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.transcript.echo {
            eprintln!(
                "---- transcript (seed {}) ----\n{}",
                self.config.seed, self.transcript
            );
        }
    }
}

/// A readable name for a HID usage, for the transcript.
pub fn key_name(usage: u8) -> String {
    match usage {
        0x04..=0x1D => char::from(b'A' + (usage - 0x04)).to_string(),
        0x28 => "Enter".into(),
        0x29 => "Esc".into(),
        0x2A => "Backspace".into(),
        0x2B => "Tab".into(),
        0x2C => "Space".into(),
        0xE0 => "Left Ctrl".into(),
        0xE1 => "Left Shift".into(),
        0xE4 => "Right Ctrl".into(),
        0xE6 => "AltGr".into(),
        u => format!("key 0x{u:02X}"),
    }
}

/// A world on the virtual clock: it settles everything due now and says
/// when something is due next. Both simulated worlds (the desktop agent's
/// and the dongle's) run on it the same way.
pub(crate) trait Clocked: Sized {
    /// The clock, to move it.
    fn clock(&mut self) -> &mut u64;
    /// Do everything due at the current time.
    fn settle(&mut self);
    /// When something is due next.
    fn next_wake(&self) -> Option<u64>;

    /// Jump from one due time to the next until `done` holds (checked after
    /// each settling) or the clock reaches `end`; returns whether it held.
    fn run_until_time(&mut self, end: u64, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        loop {
            self.settle();
            if done(self) {
                return true;
            }
            match self.next_wake() {
                Some(t) if t <= end => *self.clock() = t,
                _ => {
                    *self.clock() = end;
                    self.settle();
                    return done(self);
                }
            }
        }
    }
}

impl Clocked for Sim {
    fn clock(&mut self) -> &mut u64 {
        &mut self.now
    }
    fn settle(&mut self) {
        Sim::settle(self);
    }
    fn next_wake(&self) -> Option<u64> {
        Sim::next_wake(self)
    }
}
