//! A novice and an expert session joined by an in-memory link, with a
//! manual clock and a seeded RNG: the smallest driver there is. The bytes
//! between the two are real Noise handshake messages and records.

#![allow(dead_code)]

use beckon_core::handshake::StaticKeypair;
use beckon_core::invitation::{Invitation, InvitationBook, NewInvitation};
use beckon_core::message::InputEvent;
use beckon_core::policy::{MachineSettings, Policy};
use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};
use beckon_core::session::{Config, Event, ExpertSession, FileOutcome, NoviceSession};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Wall-clock start of every scenario (unix ms), so expiries are realistic.
pub const T0: u64 = 1_800_000_000_000;

/// One hour, in ms.
pub const HOUR: u64 = 3_600_000;

/// An owned copy of an event, so tests can keep them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    Authenticate,
    ConsentRequested(String),
    Admitted(String),
    Unattended,
    Started,
    ControlRequested,
    ControlRefused(ControlRefusal),
    ControlGranted,
    ControlEnded(Side, StopMethod),
    Inject(InputEvent),
    Chat(u32, Side, String),
    FileOffered(u32, String, u64),
    FileAccepted(u32),
    FileDeclined(u32),
    FileData(u32, u64, Vec<u8>),
    FileProgress(u32, u64, u64),
    FileFinished(u32, FileOutcome),
    FileCancelled(u32, Side),
    FrameStart(u32, u16, u16),
    Rect(u32, Vec<u8>),
    FrameEnd(u32),
    Cursor(u16, u16),
    KeyboardLeds(u8),
    PointerMode(bool),
    ViewerDecodes(u8),
    Quality,
    Ended(EndReason),
}

impl From<Event<'_>> for Ev {
    fn from(e: Event<'_>) -> Self {
        match e {
            Event::Authenticate => Ev::Authenticate,
            Event::ConsentRequested { expert_name } => Ev::ConsentRequested(expert_name.into()),
            Event::Admitted { novice_name } => Ev::Admitted(novice_name.into()),
            Event::Unattended => Ev::Unattended,
            Event::Started => Ev::Started,
            Event::ControlRequested => Ev::ControlRequested,
            Event::ControlRefused(r) => Ev::ControlRefused(r),
            Event::ControlGranted => Ev::ControlGranted,
            Event::ControlEnded { by, how } => Ev::ControlEnded(by, how),
            Event::Inject(e) => Ev::Inject(e),
            Event::Chat(entry) => Ev::Chat(entry.seq, entry.from, entry.text.as_str().into()),
            Event::FileOffered { id, name, size } => Ev::FileOffered(id, name.into(), size),
            Event::FileAccepted { id } => Ev::FileAccepted(id),
            Event::FileDeclined { id } => Ev::FileDeclined(id),
            Event::FileData { id, offset, data } => Ev::FileData(id, offset, data.to_vec()),
            Event::FileProgress { id, done, total } => Ev::FileProgress(id, done, total),
            Event::FileFinished { id, outcome } => Ev::FileFinished(id, outcome),
            Event::FileCancelled { id, by } => Ev::FileCancelled(id, by),
            Event::FrameStart {
                frame,
                width,
                height,
            } => Ev::FrameStart(frame, width, height),
            Event::Rect { frame, data, .. } => Ev::Rect(frame, data.to_vec()),
            Event::FrameEnd { frame } => Ev::FrameEnd(frame),
            Event::Cursor { x, y } => Ev::Cursor(x, y),
            Event::KeyboardLeds(leds) => Ev::KeyboardLeds(leds),
            Event::PointerMode { relative } => Ev::PointerMode(relative),
            Event::ViewerDecodes(e) => Ev::ViewerDecodes(e),
            Event::QualityRequested(_) => Ev::Quality,
            Event::Ended(r) => Ev::Ended(r),
        }
    }
}

/// Everything on the novice's machine that outlives a session.
pub struct Machine {
    pub book: InvitationBook<8>,
    pub settings: MachineSettings,
    pub policy: Policy<8>,
    pub key: StaticKeypair,
}

impl Machine {
    pub fn new(rng: &mut ChaCha20Rng) -> Self {
        Self {
            book: InvitationBook::new(),
            settings: MachineSettings::default(),
            policy: Policy {
                default_level: beckon_core::reason::Level::ViewOnly,
                entries: heapless::Vec::new(),
            },
            key: StaticKeypair::generate(rng),
        }
    }

    /// A fresh invitation from "Oma Jansen", valid for an hour.
    pub fn invite(&mut self, rng: &mut ChaCha20Rng, password: Option<&str>) -> Invitation {
        self.book
            .create(
                rng,
                &NewInvitation {
                    novice_name: "Oma Jansen",
                    expires_at_ms: T0 + HOUR,
                    addresses: &["127.0.0.1:7070"],
                    password: password.map(str::as_bytes),
                    // Few rounds keep debug-build tests quick; the KDF is the same.
                    kdf_iterations: 1_000,
                },
                T0,
            )
            .expect("invitation")
            .clone()
    }
}

/// Test timings: short, so link-loss scenarios run in milliseconds of
/// simulated time, but in the same proportions as the defaults.
pub fn config() -> Config {
    Config::default()
}

/// Changes bytes in flight.
pub type Tamper = Box<dyn FnMut(&mut Vec<u8>)>;

/// A novice and an expert joined by a lossless in-memory link.
pub struct Pair {
    pub now: u64,
    pub rng: ChaCha20Rng,
    pub novice: NoviceSession,
    pub expert: ExpertSession,
    pub novice_events: Vec<Ev>,
    pub expert_events: Vec<Ev>,
    /// Corrupts bytes on their way from the expert to the novice.
    pub tamper_to_novice: Option<Tamper>,
    /// When false, nothing crosses the link (a black hole).
    pub link_up: bool,
}

impl Pair {
    pub fn invitation(
        machine: &mut Machine,
        rng: &mut ChaCha20Rng,
        invitation: &Invitation,
        password: Option<&str>,
    ) -> Pair {
        let mut rng = ChaCha20Rng::from_rng(rng).unwrap();
        let novice = NoviceSession::new(
            config(),
            &mut rng,
            machine.settings,
            &machine.key.secret,
            "Oma's laptop",
            T0,
        );
        let expert = ExpertSession::for_invitation(
            config(),
            &mut rng,
            invitation,
            password.map(str::as_bytes),
            "Henk",
            T0,
        )
        .expect("expert session");
        Pair::new(rng, novice, expert)
    }

    pub fn new(rng: ChaCha20Rng, novice: NoviceSession, expert: ExpertSession) -> Pair {
        Pair {
            now: T0,
            rng,
            novice,
            expert,
            novice_events: Vec::new(),
            expert_events: Vec::new(),
            tamper_to_novice: None,
            link_up: true,
        }
    }

    /// Move bytes both ways and collect events until nothing moves.
    pub fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            while let Some(e) = self.novice.poll_event() {
                self.novice_events.push(e.into());
                moved = true;
            }
            while let Some(e) = self.expert.poll_event() {
                self.expert_events.push(e.into());
                moved = true;
            }
            if self.link_up {
                if let Some(bytes) = self.expert.poll_transmit() {
                    let mut bytes = bytes.to_vec();
                    self.expert.advance_transmit(bytes.len());
                    if let Some(t) = self.tamper_to_novice.as_mut() {
                        t(&mut bytes);
                    }
                    let mut offset = 0;
                    while offset < bytes.len() {
                        let taken = self.novice.handle_input(self.now, &bytes[offset..]);
                        offset += taken;
                        while let Some(e) = self.novice.poll_event() {
                            self.novice_events.push(e.into());
                        }
                        if taken == 0 && self.novice.poll_event().is_none() && offset < bytes.len()
                        {
                            // Ended sessions take everything; a live one always makes room.
                            assert!(
                                self.novice.handle_input(self.now, &bytes[offset..]) > 0,
                                "novice stopped taking input"
                            );
                        }
                    }
                    moved = true;
                }
                if let Some(bytes) = self.novice.poll_transmit() {
                    let bytes = bytes.to_vec();
                    self.novice.advance_transmit(bytes.len());
                    let mut offset = 0;
                    while offset < bytes.len() {
                        let taken = self.expert.handle_input(self.now, &bytes[offset..]);
                        offset += taken;
                        while let Some(e) = self.expert.poll_event() {
                            self.expert_events.push(e.into());
                        }
                        if taken == 0 && offset < bytes.len() {
                            assert!(
                                self.expert.handle_input(self.now, &bytes[offset..]) > 0,
                                "expert stopped taking input"
                            );
                        }
                    }
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the sessions never settled");
    }

    /// Let simulated time pass in small steps, firing timers and pumping.
    pub fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            let next = [self.novice.poll_timeout(), self.expert.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|t| *t > self.now)
                .min()
                .unwrap_or(end)
                .min(end);
            self.now = next;
            self.novice.handle_timeout(self.now);
            self.expert.handle_timeout(self.now);
            self.pump();
        }
    }

    /// Run the usual start: admit the invitation and accept.
    pub fn admit_and_accept(&mut self, machine: &mut Machine) {
        self.pump();
        assert_eq!(self.novice_events.last(), Some(&Ev::Authenticate));
        self.novice
            .admit_invitation(self.now, &mut self.rng, &mut machine.book)
            .expect("admitted");
        self.pump();
        self.novice.consent(self.now, true).expect("consent");
        self.pump();
        assert!(
            self.expert_events.contains(&Ev::Started),
            "{:?}",
            self.expert_events
        );
    }

    /// Grant control after the expert asks.
    pub fn take_control(&mut self) {
        self.expert.request_control().expect("request");
        self.pump();
        assert_eq!(self.novice_events.last(), Some(&Ev::ControlRequested));
        self.novice.answer_control(self.now, true).expect("answer");
        self.pump();
        assert_eq!(self.expert_events.last(), Some(&Ev::ControlGranted));
    }

    /// How each side ended, if its last event is the end: (novice, expert).
    pub fn ended(&self) -> (Option<EndReason>, Option<EndReason>) {
        let last_end = |events: &[Ev]| match events.last() {
            Some(Ev::Ended(r)) => Some(*r),
            _ => None,
        };
        (last_end(&self.novice_events), last_end(&self.expert_events))
    }

    pub fn injected(&self) -> Vec<InputEvent> {
        self.novice_events
            .iter()
            .filter_map(|e| match e {
                Ev::Inject(i) => Some(*i),
                _ => None,
            })
            .collect()
    }
}

/// The seeded RNG every scenario starts from.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Keys typed for a string of lowercase letters (HID usages 0x04..).
pub fn type_text(pair: &mut Pair, text: &str) {
    for ch in text.chars() {
        let usage = 0x04 + (ch as u8 - b'a');
        pair.expert
            .send_input(InputEvent::Key { usage, down: true })
            .unwrap();
        pair.expert
            .send_input(InputEvent::Key { usage, down: false })
            .unwrap();
    }
    pair.pump();
}
