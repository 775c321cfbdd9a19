//! One helper's visit, sans-IO: the core's novice session plus what the
//! dongle keeps around it (the question on the button, the frame being
//! sent, who the helper is). Every call takes the wall-clock time; nothing
//! waits, so a board's async shell and host-sim drive the same code.

use beckon_core::control::LocalInput;
use beckon_core::message::InputEvent;
use beckon_core::reason::{EndReason, Side, StopMethod};
use beckon_core::session::{AdmittedVia, Config, HelpMode, NoviceSession, NoviceState};
use beckon_dongle_kit::hid::{MouseMode, Source};
use beckon_dongle_kit::tiles::{Damage, MAX_TILE_BYTES};
use rand_core::CryptoRngCore;

use super::owned::{own, Owned};
use super::{Io, Reports, FRAME_INTERVAL_MS, OUTBOX};
use crate::dongle::{Dongle, UserEvent};
use crate::hw::{Console, FrameSource, HidSink, Led, LedState, Storage};
use crate::log;

/// What the button answers next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Prompt {
    None,
    Consent,
    Control,
}

/// One helper's session on the dongle.
///
/// A driver loop: [`Visit::step`] (act on the session's events, pump the
/// picture; `Some` means the visit is over), move [`Visit::poll_transmit`]
/// bytes out, then wait for bytes ([`Visit::handle_input`],
/// [`Visit::handle_close`]), the person ([`Visit::user`]) or
/// [`Visit::poll_timeout`] ([`Visit::handle_timeout`]).
pub struct Visit {
    pub(super) s: NoviceSession<OUTBOX>,
    prompt: Prompt,
    /// The frame being sent: its number and the tiles still to send.
    pub(super) frame: Option<(u32, Damage)>,
    /// Tiles changed since the last frame began.
    pub(super) damage: Damage,
    expert: heapless::String<64>,
    /// Send every tile with the next frame (the session just started).
    pub(super) full_screen_due: bool,
    /// The helper came with an invitation the owner pre-approved: nobody
    /// at the machine is asked (unattended hardware help).
    pre_approved: bool,
    /// The keyboard lights the helper was last told about.
    leds_told: Option<u8>,
}

impl Visit {
    /// A helper just connected: a fresh session with the dongle's key and
    /// settings (consent never carries over from an earlier helper).
    pub fn new<R, S>(dongle: &Dongle<R, S>, now: u64) -> Self
    where
        R: CryptoRngCore + Send,
        S: Storage + Send,
    {
        let s = dongle.with(|st| {
            NoviceSession::new(
                Config::default(),
                &mut st.rng,
                st.settings,
                &st.key.secret,
                dongle.name(),
                now,
            )
        });
        Visit {
            s,
            prompt: Prompt::None,
            frame: None,
            damage: Damage::new(),
            expert: heapless::String::new(),
            full_screen_due: false,
            pre_approved: false,
            leds_told: None,
        }
    }

    /// The core's session (its state, chat, permission).
    pub fn session(&self) -> &NoviceSession<OUTBOX> {
        &self.s
    }

    /// The same, to call it directly (files, chat).
    pub fn session_mut(&mut self) -> &mut NoviceSession<OUTBOX> {
        &mut self.s
    }

    /// Bytes from the helper; returns how many were taken. Call
    /// [`Visit::step`] before offering more: a full session takes nothing
    /// until its events are handled.
    pub fn handle_input(&mut self, now: u64, data: &[u8]) -> usize {
        self.s.handle_input(now, data)
    }

    /// The helper's side of the connection closed (or it broke).
    pub fn handle_close(&mut self, now: u64) {
        self.s.handle_close(now);
    }

    /// The time from [`Visit::poll_timeout`] came (or any time later).
    pub fn handle_timeout(&mut self, now: u64) {
        self.s.handle_timeout(now);
    }

    /// Bytes waiting to go to the helper.
    pub fn poll_transmit(&self) -> Option<&[u8]> {
        self.s.poll_transmit()
    }

    /// `n` of those bytes went.
    pub fn advance_transmit(&mut self, n: usize) {
        self.s.advance_transmit(n);
    }

    /// When to call [`Visit::handle_timeout`] at the latest: the session's
    /// own timers and, while a helper watches, the next look at the screen
    /// ([`FRAME_INTERVAL_MS`] after `now`, the time of the call).
    pub fn poll_timeout(&self, now: u64) -> Option<u64> {
        let wake = self.s.poll_timeout();
        if self.watching() {
            let tick = now + FRAME_INTERVAL_MS;
            return Some(wake.map_or(tick, |w| w.min(tick)));
        }
        wake
    }

    /// Ended, and every byte handed out.
    pub fn is_closed(&self) -> bool {
        self.s.is_closed()
    }

    /// Whether someone sees the screen (frames flow).
    fn watching(&self) -> bool {
        matches!(
            self.s.state(),
            NoviceState::Viewing | NoviceState::ControlOffered | NoviceState::SharedControl
        )
    }

    /// Act on everything the session said, then send as much of the
    /// picture as fits. Returns why the visit ended, once it has: send the
    /// last bytes (a goodbye) for a short while, then call
    /// [`super::ended`].
    pub fn step<R, S, F, H, L, C>(
        &mut self,
        now: u64,
        dongle: &Dongle<R, S>,
        reports: &mut Reports,
        io: &mut Io<'_, F, H, L, C>,
        tile: &mut [u8; MAX_TILE_BYTES],
    ) -> Option<EndReason>
    where
        R: CryptoRngCore + Send,
        S: Storage + Send,
        F: FrameSource,
        H: HidSink,
        L: Led,
        C: Console,
    {
        while let Some(ev) = self.s.poll_event().map(|e| own(&e)) {
            if let Some(reason) = self.on_event(ev, now, dongle, reports, io) {
                return Some(reason);
            }
        }
        dongle.with(|st| {
            st.session = Some(self.s.state());
            // The owner's settings are in force at once, in the running
            // session too (OFF-04): `control on` mid-session lets the
            // helper ask, `control off` makes the next request fail.
            self.s.set_settings(st.settings);
        });
        if self.watching() {
            // The target's lock lights, so the helper sees Caps Lock and
            // types through it (told again whenever they change).
            let leds = io.hid.leds();
            if self.leds_told != Some(leds) && self.s.send_keyboard_leds(leds).is_ok() {
                self.leds_told = Some(leds);
            }
            let mut fresh = Damage::new();
            io.video.take_damage(&mut fresh);
            self.damage.merge(&fresh);
            self.pump_video(io.video, tile);
        }
        None
    }

    fn on_event<R, S, F, H, L, C>(
        &mut self,
        ev: Owned,
        now: u64,
        dongle: &Dongle<R, S>,
        reports: &mut Reports,
        io: &mut Io<'_, F, H, L, C>,
    ) -> Option<EndReason>
    where
        R: CryptoRngCore + Send,
        S: Storage + Send,
        H: HidSink,
        L: Led,
        C: Console,
    {
        let s = &mut self.s;
        let console = io.console;
        match ev {
            Owned::Authenticate => {
                let result = match s.mode() {
                    // A use or a wrong password changes the book.
                    Some(HelpMode::Invitation) => dongle.with_book(|st| {
                        let st = &mut *st;
                        s.admit_invitation(now, &mut st.rng, &mut st.book)
                    }),
                    // Offered help needs a policy store and group
                    // certificates (Ed25519), which the dongle does not
                    // have: such a helper is hung up on. Not calling the
                    // core's policy check keeps its Ed25519 code out of
                    // the dongle's flash.
                    Some(HelpMode::Offer) => {
                        s.disconnect(now);
                        Err(EndReason::LocalLeft)
                    }
                    None => Err(EndReason::ProtocolError),
                };
                match result {
                    Ok(()) => {
                        log::info!("invitation checked");
                        if let Some(AdmittedVia::Invitation(id)) = s.admitted_via() {
                            self.pre_approved = dongle.with(|st| st.pre_approved.contains(&id.0));
                        }
                    }
                    Err(r) => log::warning!("helper refused: {}", r),
                }
            }
            Owned::Consent(name) if self.pre_approved => {
                console.line(format_args!(
                    "{name} connects with a pre-approved invitation: the session starts without asking."
                ));
                self.expert = name;
                // The helper is told that nobody here agreed (the core
                // marks the start as unattended).
                let _ = s.start_unattended(now);
            }
            Owned::Consent(name) => {
                self.prompt = Prompt::Consent;
                io.led.show(LedState::Asking);
                console.line(format_args!(
                    "{name} wants to see this screen. Press the button to start, hold it to say no."
                ));
                self.expert = name;
            }
            Owned::Started => {
                self.prompt = Prompt::None;
                io.led.show(LedState::Viewing);
                self.damage = Damage::new();
                self.frame = None;
                self.full_screen_due = true;
                console.line(format_args!(
                    "session started: {} sees this screen. Hold the button to end it.",
                    self.expert
                ));
            }
            Owned::ControlRequested if self.pre_approved => {
                // The core asks only when the owner allowed remote control.
                console.line(format_args!(
                    "{} takes control (pre-approved). Esc, Ctrl+C or the button takes it back.",
                    self.expert
                ));
                let _ = s.answer_control(now, true);
            }
            Owned::ControlRequested => {
                self.prompt = Prompt::Control;
                io.led.show(LedState::Asking);
                console.line(format_args!(
                    "{} asks to share control. Press the button to allow, hold it to refuse. Esc, Ctrl+C or the button takes control back.",
                    self.expert
                ));
            }
            Owned::ControlGranted => {
                self.prompt = Prompt::None;
                io.led.show(LedState::Control);
                console.line(format_args!("control shared with {}", self.expert));
            }
            Owned::ControlEnded(by, how) => {
                reports.release_remote(io.hid);
                io.led.show(LedState::Viewing);
                console.line(format_args!("control ended: {}", stop_words(by, how)));
            }
            Owned::ControlRefused(r) => {
                self.prompt = Prompt::None;
                io.led.show(LedState::Viewing);
                // The core's refusals carry their own words.
                console.line(format_args!("control request refused: {r}"));
            }
            Owned::Inject(input) => match input {
                InputEvent::Key { usage, down } => {
                    if reports.keyboard.key(Source::Remote, usage, down) {
                        io.hid.keyboard(&reports.keyboard.report());
                    }
                }
                other => {
                    if let Some(r) = reports.mouse.apply(other) {
                        io.hid.mouse(reports.mouse.mode, &r);
                    }
                }
            },
            Owned::Chat(text) => console.line(format_args!("chat: {text}")),
            Owned::PointerMode(relative) => {
                let mode = if relative {
                    MouseMode::Relative
                } else {
                    MouseMode::Absolute
                };
                switch_mouse(reports, io, mode);
                console.line(format_args!(
                    "the helper switched the mouse: {}",
                    if relative {
                        "relative (for BIOS screens)"
                    } else {
                        "absolute"
                    }
                ));
            }
            Owned::FileOffered(id) => {
                // The dongle has nowhere to put files.
                let _ = s.answer_file(id, false);
            }
            Owned::Ended(reason) => return Some(reason),
            Owned::Other => {}
        }
        None
    }

    /// Answer the question on screen, if there is one (a short press is
    /// yes, a long one no); returns whether there was one.
    fn answer(&mut self, now: u64, yes: bool) -> bool {
        let result = match self.prompt {
            Prompt::Consent => self.s.consent(now, yes),
            Prompt::Control => self.s.answer_control(now, yes),
            Prompt::None => return false,
        };
        self.prompt = Prompt::None;
        if result.is_err() {
            // The question was settled meanwhile (the helper left, time ran out).
            log::debug!("the answer came too late");
        }
        true
    }

    /// The person pressed the button or a key, or the owner switched the
    /// mouse mode. The button answers the question on screen; with none, a
    /// short press stops control and a long one ends the session. Keys
    /// reach the target first and the core's arbiter hears of them (Esc
    /// and Ctrl+C end control, SES-05).
    pub fn user<F, H, L, C>(
        &mut self,
        ev: UserEvent,
        now: u64,
        reports: &mut Reports,
        io: &mut Io<'_, F, H, L, C>,
    ) where
        H: HidSink,
        C: Console,
    {
        match ev {
            UserEvent::Button => {
                if !self.answer(now, true) && self.s.stop_control(now).is_err() {
                    io.console.line(format_args!(
                        "(nothing to answer; hold the button to end the session)"
                    ));
                }
            }
            UserEvent::ButtonLong => {
                if !self.answer(now, false) {
                    self.s.disconnect(now);
                }
            }
            UserEvent::Key { usage, down } => {
                // Pass through first: the person's key reaches the target
                // whatever the session decides.
                if reports.keyboard.key(Source::Local, usage, down) {
                    io.hid.keyboard(&reports.keyboard.report());
                }
                self.s.local_input(now, LocalInput::Key { usage, down });
            }
            UserEvent::Mouse(mode) => {
                switch_mouse(reports, io, mode);
                io.console.line(format_args!("mouse: {mode:?}"));
            }
        }
    }
}

/// The target sees another kind of mouse from now on; buttons held on the
/// old one are let go first, so nothing stays pressed across the switch.
fn switch_mouse<F, H: HidSink, L, C>(
    reports: &mut Reports,
    io: &mut Io<'_, F, H, L, C>,
    mode: MouseMode,
) {
    if let Some(r) = reports.mouse.release() {
        io.hid.mouse(reports.mouse.mode, &r);
    }
    reports.mouse.mode = mode;
}

/// How control ended, in words for the person (SES-05).
fn stop_words(by: Side, how: StopMethod) -> &'static str {
    match (by, how) {
        (_, StopMethod::EscKey) => "you pressed Esc",
        (_, StopMethod::CtrlC) => "you pressed Ctrl+C",
        (Side::Novice, StopMethod::StopButton) => "you pressed the button",
        (Side::Expert, StopMethod::StopButton | StopMethod::ExpertReleased) => {
            "the helper gave control back"
        }
        (Side::Novice, StopMethod::ExpertReleased) => "the helper gave control back",
        (_, StopMethod::SessionEnded) => "the session ended",
    }
}
