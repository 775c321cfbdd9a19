//! The dongle's world: the firmware's state and its hardware, the helpers,
//! their links, and what the scenario does to them.

use std::cell::Ref;
use std::collections::BTreeMap;

use beckon_core::invitation::Invitation;
use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use beckon_core::reason::EndReason;
use beckon_core::session::{Config, ExpertError, ExpertSession, SendError};
use beckon_dongle::hw::{Console, Led, LedState};
use beckon_dongle::session::{Io, Reports, Visit};
use beckon_dongle::Dongle;
use beckon_dongle_kit::tiles::MAX_TILE_BYTES;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use super::bench::{self, BenchConsole, BenchLed, MemStorage};
use super::target::{Machine, Target, HEIGHT, WIDTH};
use crate::endpoint::Wire;
use crate::events::Ev;
use crate::expert::ExpertClient;
use crate::net::{CutNotice, Fault, Link, LinkSpec, PlannedFault, Toward, Trigger};
use crate::sim::{key_name, Clocked};
use crate::transcript::{Actor, Kind, Transcript};
use crate::T0;

/// The dongle's name, shown to helpers.
pub const DONGLE_NAME: &str = "Bench dongle";

/// The address console invitations name (the simulator ignores it).
const ADDRESS: &str = "sim:dongle";

/// How a dongle run is set up.
#[derive(Debug, Clone)]
pub struct DongleSimConfig {
    /// Seed of every random choice (the dongle's keys, nonces, the
    /// network's jitter and faults).
    pub seed: u64,
    /// The link new connections get.
    pub link: LinkSpec,
    /// The target computer's keyboard layout (helpers type through it).
    pub layout: Layout,
    /// Time between two typed characters.
    pub key_ms: u64,
}

impl Default for DongleSimConfig {
    fn default() -> Self {
        DongleSimConfig {
            seed: 1,
            link: LinkSpec::lan(),
            layout: Layout::Us,
            key_ms: 40,
        }
    }
}

/// Why a helper could not connect.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The helper's client refused the invitation before connecting.
    #[error(transparent)]
    Expert(#[from] ExpertError),
    /// The dongle serves another helper and takes no second connection
    /// (one screen, one keyboard port; smoltcp keeps no backlog).
    #[error("the dongle is busy with another helper: connection refused")]
    Busy,
}

/// Something due at a time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    /// A helper's input.
    Expert(usize, InputEvent),
    /// A link is cut.
    Cut(usize, CutNotice),
    /// A link goes silent.
    BlackHole(usize),
}

/// The helper being served.
pub(super) struct Live {
    pub(super) conn: usize,
    pub(super) visit: Box<Visit>,
    /// When the visit ended (it is sending its last bytes).
    pub(super) ending_since: Option<u64>,
}

/// The dongle's hardware on the bench.
pub(super) struct Bench {
    pub(super) video: Target,
    pub(super) hid: Target,
    pub(super) led: BenchLed,
    pub(super) console: BenchConsole,
}

impl Bench {
    pub(super) fn io(&mut self) -> Io<'_, Target, Target, BenchLed, BenchConsole> {
        Io {
            video: &mut self.video,
            hid: &mut self.hid,
            led: &mut self.led,
            console: &self.console,
        }
    }
}

/// A simulated dongle, its target computer, and the helpers who connect.
pub struct DongleSim {
    pub(super) config: DongleSimConfig,
    pub(super) now: u64,
    pub(super) net_rng: ChaCha20Rng,
    pub(super) expert_rng: ChaCha20Rng,
    /// The firmware's shared state.
    pub dongle: Dongle<ChaCha20Rng, MemStorage>,
    pub(super) bench: Bench,
    pub(super) reports: Reports,
    pub(super) tile: Box<[u8; MAX_TILE_BYTES]>,
    pub(super) live: Option<Live>,
    /// The dongle's end of each connection.
    pub(super) wires: Vec<Wire>,
    /// How the dongle's side of each connection ended, once it did.
    pub ends: Vec<Option<EndReason>>,
    /// The helpers, one per connection.
    pub experts: Vec<ExpertClient>,
    pub(super) links: Vec<Link>,
    pub(super) actions: BTreeMap<(u64, u64), Action>,
    pub(super) seq: u64,
    /// Everything the dongle's console printed, with the run's time (ms).
    pub console_lines: Vec<(u64, String)>,
    /// What happened.
    pub transcript: Transcript,
    pub(super) digest: Sha256,
}

impl DongleSim {
    /// A dongle with the defaults and this seed.
    pub fn new(seed: u64) -> DongleSim {
        DongleSim::with_config(DongleSimConfig {
            seed,
            ..DongleSimConfig::default()
        })
    }

    /// A dongle as configured: first boot, no owner, control off.
    pub fn with_config(config: DongleSimConfig) -> DongleSim {
        let mut root = ChaCha20Rng::seed_from_u64(config.seed);
        let dongle_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        let net_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        let expert_rng = ChaCha20Rng::from_rng(&mut root).unwrap_or_else(|_| root.clone());
        bench::set_uptime(0);
        let dongle = Dongle::with_uptime(
            DONGLE_NAME,
            T0,
            bench::uptime_ms,
            dongle_rng,
            MemStorage::default(),
        );
        let target = Target::new(config.layout);
        let mut sim = DongleSim {
            config,
            now: T0,
            net_rng,
            expert_rng,
            dongle,
            bench: Bench {
                video: target.clone(),
                hid: target,
                led: BenchLed::default(),
                console: BenchConsole::default(),
            },
            reports: Reports::new(),
            tile: Box::new([0; MAX_TILE_BYTES]),
            live: None,
            wires: Vec::new(),
            ends: Vec::new(),
            experts: Vec::new(),
            links: Vec::new(),
            actions: BTreeMap::new(),
            seq: 0,
            console_lines: Vec::new(),
            transcript: Transcript::new(),
            digest: Sha256::new(),
        };
        sim.log(Actor::Sim, Kind::Step, "the dongle boots");
        sim.dongle.announce_pairing(&sim.bench.console);
        sim.bench.led.show(LedState::Idle);
        sim.record_bench();
        sim
    }

    // ---- time ----

    /// The clock (Unix ms).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Milliseconds since the run started (the dongle's uptime).
    pub fn elapsed(&self) -> u64 {
        self.now - T0
    }

    /// Let `ms` of simulated time pass.
    pub fn run_for(&mut self, ms: u64) {
        let end = self.now + ms;
        self.run_until_time(end, |_| false);
    }

    /// Run until `done` holds or `limit_ms` passed; returns whether it held.
    pub fn run_until(&mut self, limit_ms: u64, done: impl FnMut(&mut DongleSim) -> bool) -> bool {
        let end = self.now + limit_ms;
        self.run_until_time(end, done)
    }

    /// A line in the transcript for a scenario step.
    pub fn note(&mut self, text: &str) {
        self.log(Actor::Sim, Kind::Step, text);
    }

    /// A digest of every byte that crossed the network and the
    /// transcript: the same seed and calls give the same value.
    pub fn digest(&self) -> [u8; 32] {
        let mut d = self.digest.clone();
        d.update(self.transcript.to_string().as_bytes());
        d.finalize().into()
    }

    // ---- the person at the dongle, and its owner ----

    /// Someone types `line` on the dongle's serial console (the button,
    /// the person's keys, bench owner commands). Returns what it printed.
    pub fn console(&mut self, line: &str) -> Vec<String> {
        self.log(Actor::Person, Kind::Action, &format!("console> {line}"));
        bench::set_uptime(self.elapsed());
        let before = self.console_lines.len();
        self.dongle.console_line(line, &self.bench.console);
        self.record_bench();
        self.console_lines[before..]
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// The person presses the dongle's button briefly (yes; stop control).
    pub fn press_button(&mut self) {
        self.console("button");
    }

    /// The person holds the button (no; end the session).
    pub fn hold_button(&mut self) {
        self.console("button-long");
    }

    /// The person presses a key on their own keyboard (`esc`, `ctrl+c`,
    /// `shift+a`: the console's key names).
    pub fn person_presses(&mut self, key: &str) {
        self.console(&format!("key {key}"));
    }

    /// `invite` on the console; the invitation it printed.
    pub fn console_invite(&mut self) -> Option<Invitation> {
        let printed = self.console(&format!("invite {ADDRESS}"));
        printed
            .iter()
            .find_map(|l| l.strip_prefix("invitation: "))
            .and_then(|text| Invitation::from_text(text).ok())
    }

    /// The owner makes an invitation the way the owner channel does
    /// (`beckon dongle invite`), with a password and, for unattended help,
    /// pre-approved.
    pub fn owner_invite(
        &mut self,
        password: Option<&str>,
        pre_approved: bool,
    ) -> Option<Invitation> {
        self.log(
            Actor::Person,
            Kind::Action,
            &format!(
                "the owner makes an invitation{}{}",
                if password.is_some() {
                    " with a password"
                } else {
                    ""
                },
                if pre_approved { ", pre-approved" } else { "" }
            ),
        );
        bench::set_uptime(self.elapsed());
        let mut text = heapless::String::new();
        beckon_dongle::owner::invite(
            &self.dongle,
            60,
            &[ADDRESS],
            password,
            pre_approved,
            &mut text,
        )
        .ok()?;
        Invitation::from_text(&text).ok()
    }

    // ---- helpers ----

    /// A helper named `name` opens `invitation` (typing `password` when
    /// asked) and connects. Returns the connection's number.
    pub fn connect_invitation(
        &mut self,
        name: &str,
        invitation: &Invitation,
        password: Option<&str>,
    ) -> Result<usize, ConnectError> {
        if self.live.is_some() {
            self.log(
                Actor::Sim,
                Kind::Action,
                &format!("{name} cannot connect: the dongle is busy"),
            );
            return Err(ConnectError::Busy);
        }
        let session = ExpertSession::for_invitation(
            Config::default(),
            &mut self.expert_rng,
            invitation,
            password.map(str::as_bytes),
            name,
            self.now,
        )?;
        let k = self.links.len();
        self.links.push(Link::new(self.config.link));
        self.wires.push(Wire::default());
        self.ends.push(None);
        self.experts
            .push(ExpertClient::new(k, name, session, self.config.layout));
        self.log(
            Actor::Expert(k),
            Kind::Action,
            &format!("{name} opens the invitation and connects"),
        );
        // What the board's session task does when `accept` returns.
        bench::set_uptime(self.elapsed());
        self.bench.console.line(format_args!("helper connecting …"));
        let visit = Box::new(Visit::new(&self.dongle, self.now));
        self.live = Some(Live {
            conn: k,
            visit,
            ending_since: None,
        });
        self.record_bench();
        Ok(k)
    }

    /// Helper `e` asks for control (SES-02).
    pub fn expert_requests_control(&mut self, e: usize) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, "asks for control");
        self.experts[e].session.request_control()
    }

    /// Helper `e` gives control back.
    pub fn expert_releases_control(&mut self, e: usize) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, "gives control back");
        self.experts[e].session.release_control()
    }

    /// Helper `e` types `text` through the target's layout, starting now.
    pub fn expert_types(
        &mut self,
        e: usize,
        text: &str,
    ) -> Result<(), beckon_core::keymap::Untypeable> {
        let layout = self.experts[e].layout;
        // As the real client does: through the target's Caps Lock, as the
        // dongle last reported it.
        let caps = self.experts[e]
            .log
            .iter()
            .rev()
            .find_map(|(_, ev)| match ev {
                Ev::KeyboardLeds(leds) => Some(leds & beckon_core::message::LED_CAPS_LOCK != 0),
                _ => None,
            })
            .unwrap_or(false);
        let mut strokes = Vec::new();
        for ch in text.chars() {
            strokes.push(layout.strokes_locked(ch, caps)?);
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

    /// Helper `e` presses (or releases) one key and leaves it so.
    pub fn expert_key(&mut self, e: usize, usage: u8, down: bool) {
        let how = if down { "holds down" } else { "releases" };
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("{how} {}", key_name(usage)),
        );
        self.schedule(self.now, Action::Expert(e, InputEvent::Key { usage, down }));
    }

    /// Helper `e` sends one input event now.
    pub fn expert_input(&mut self, e: usize, input: InputEvent) {
        self.schedule(self.now, Action::Expert(e, input));
    }

    /// Helper `e` asks the target for a relative (`true`, BIOS screens) or
    /// an absolute mouse.
    pub fn expert_sets_pointer_mode(&mut self, e: usize, relative: bool) -> Result<(), SendError> {
        let what = if relative {
            "a relative"
        } else {
            "an absolute"
        };
        self.log(
            Actor::Expert(e),
            Kind::Action,
            &format!("asks for {what} mouse"),
        );
        self.experts[e].session.set_pointer_mode(relative)
    }

    /// Helper `e` writes in the chat (the dongle prints it on its console).
    pub fn expert_chats(&mut self, e: usize, text: &str) -> Result<(), SendError> {
        self.log(Actor::Expert(e), Kind::Action, &format!("writes {text:?}"));
        self.experts[e].session.send_chat(text)
    }

    /// Helper `e` disconnects (SES-10).
    pub fn expert_disconnects(&mut self, e: usize) {
        self.log(Actor::Expert(e), Kind::Action, "disconnects");
        self.experts[e].session.disconnect();
    }

    // ---- the network misbehaves ----

    /// Cut connection `k`'s link now.
    pub fn cut(&mut self, k: usize, notice: CutNotice) {
        self.schedule(self.now, Action::Cut(k, notice));
    }

    /// Connection `k`'s link stops delivering, without closing.
    pub fn black_hole(&mut self, k: usize) {
        self.schedule(self.now, Action::BlackHole(k));
    }

    /// Plan a fault on connection `k`'s link.
    pub fn inject(&mut self, k: usize, toward: Toward, fault: Fault, trigger: Trigger) {
        self.links[k].plan(toward, PlannedFault { fault, trigger });
        self.log(
            Actor::Net,
            Kind::Net,
            &format!("will do {fault:?} to a frame toward {toward:?} ({trigger:?})"),
        );
    }

    // ---- looking at the world ----

    /// The target computer.
    pub fn target(&self) -> Ref<'_, Machine> {
        self.bench.video.0.borrow()
    }

    /// Whether helper `e`'s view equals the target's screen, pixel for pixel.
    pub fn expert_sees_the_target(&self, e: usize) -> bool {
        let view = self.experts[e].view.screen();
        (view.width(), view.height()) == (WIDTH, HEIGHT) && view.pixels() == self.target().rgba()
    }

    /// The status LED.
    pub fn led(&self) -> &BenchLed {
        &self.bench.led
    }

    /// Whether any console line so far contains `needle`.
    pub fn console_mentions(&self, needle: &str) -> bool {
        self.console_lines.iter().any(|(_, l)| l.contains(needle))
    }

    /// Whether a helper is being served (or their goodbye is leaving).
    pub fn is_busy(&self) -> bool {
        self.live.is_some()
    }

    // ---- bookkeeping ----

    pub(super) fn schedule(&mut self, at: u64, action: Action) {
        self.seq += 1;
        self.actions.insert((at, self.seq), action);
    }

    pub(super) fn log(&mut self, actor: Actor, kind: Kind, text: &str) {
        let t = self.elapsed();
        self.transcript.push(t, actor, kind, text);
    }

    /// Move what the console printed and the LED showed into the
    /// transcript.
    pub(super) fn record_bench(&mut self) {
        for line in self.bench.console.take() {
            self.log(Actor::Dongle, Kind::Event, &format!("console: {line}"));
            self.console_lines.push((self.elapsed(), line));
        }
        for state in self.bench.led.take_new() {
            self.log(Actor::Dongle, Kind::Event, &format!("LED {state:?}"));
        }
    }
}

/// A scenario that fails takes its story with it.
impl Drop for DongleSim {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.transcript.echo {
            eprintln!(
                "---- transcript (dongle, seed {}) ----\n{}",
                self.config.seed, self.transcript
            );
        }
    }
}

impl Clocked for DongleSim {
    fn clock(&mut self) -> &mut u64 {
        &mut self.now
    }
    fn settle(&mut self) {
        DongleSim::settle(self);
    }
    fn next_wake(&self) -> Option<u64> {
        DongleSim::next_wake(self)
    }
}
