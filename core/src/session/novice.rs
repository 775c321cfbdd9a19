//! The novice's side of a session: the machine being helped.

use heapless::Vec;
use rand_core::CryptoRngCore;

use super::buffers::Inbox;
use super::common::{display_name, next_message, Common, Pending, Stop};
use super::{
    Config, Event, SendError, DEFAULT_OUTBOX, MODE_INVITATION, MODE_OFFER, PREAMBLE_MAGIC,
};
use crate::control::{Arbiter, LocalInput};
use crate::handshake::{Handshake, MAX_HANDSHAKE_MESSAGE};
use crate::invitation::{InvitationBook, InvitationId};
use crate::message::{decode_value, Encoding, InvitationClaim, Message, OfferClaim, Quality};
use crate::policy::{self, HelperCertificate, MachineSettings, Policy};
use crate::reason::{ControlRefusal, EndReason, Level, Permission, Side, StopMethod};
use crate::video::FrameSender;

/// One whole rectangle of a frame sent with [`NoviceSession::send_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRect<'a> {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
    /// How `data` is encoded.
    pub encoding: Encoding,
    /// All of the rectangle's encoded bytes.
    pub data: &'a [u8],
}

/// Where the novice's session is (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NoviceState {
    /// Waiting for the expert's preamble and handshake.
    Listening,
    /// The handshake arrived; the driver must admit or refuse it.
    Authenticating,
    /// The machine admitted the helper; the person is being asked.
    AwaitingConsent,
    /// Screen and chat are shared.
    Viewing,
    /// The helper asked for control; the person is being asked.
    ControlOffered,
    /// Both people's input acts on the machine.
    SharedControl,
    /// Over.
    Ended(EndReason),
}

/// How the helper got in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AdmittedVia {
    /// Requested help: this invitation.
    Invitation(InvitationId),
    /// Offered help: the policy granted this level.
    Offer(Level),
}

/// Which kind of help the expert asked for in the preamble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HelpMode {
    /// Requested help: an invitation (Noise `NK`).
    Invitation,
    /// Offered help: the offered-help policy (Noise `XX`).
    Offer,
}

/// The novice's session. One per connection; consent never carries over.
///
/// `TX` is the size of the send buffer in bytes.
pub struct NoviceSession<const TX: usize = DEFAULT_OUTBOX> {
    c: Common<TX>,
    inbox: Inbox,
    state: NoviceState,
    mode: Option<HelpMode>,
    /// The `XX` responder, made up front; the `NK` one is chosen at admission.
    handshake: Option<Handshake>,
    /// The `NK` first message, or the `XX` third message's payload, kept
    /// until the driver admits or refuses it.
    first: Vec<u8, MAX_HANDSHAKE_MESSAGE>,
    settings: MachineSettings,
    level: Level,
    via: Option<AdmittedVia>,
    my_name: heapless::String<{ crate::message::MAX_NAME_BYTES }>,
    arbiter: Arbiter,
    consent_deadline: Option<u64>,
    control_deadline: Option<u64>,
    video: FrameSender,
    quality: Quality,
    /// The frame started last and its screen size, once its start is
    /// queued: a frame that follows it on the same screen can go as a
    /// compact [`Message::NextFrame`].
    last_started: Option<(u32, u16, u16)>,
}

impl<const TX: usize> NoviceSession<TX> {
    /// A session waiting for an expert's connection.
    ///
    /// `machine_secret` is the machine's long-term X25519 key, used when the
    /// expert offers help (`XX`); `machine_name` is the name shown to helpers
    /// who offer help (invitations carry their own name).
    pub fn new(
        config: Config,
        rng: &mut impl CryptoRngCore,
        settings: MachineSettings,
        machine_secret: &[u8; 32],
        machine_name: &str,
        now: u64,
    ) -> Self {
        let my_name = display_name(machine_name);
        Self {
            c: Common::new(config, Side::Novice, now),
            inbox: Inbox::new(),
            state: NoviceState::Listening,
            mode: None,
            handshake: Handshake::xx_responder(rng, machine_secret).ok(),
            first: Vec::new(),
            settings,
            level: Level::Control,
            via: None,
            my_name,
            arbiter: Arbiter::new(config.grace_ms),
            consent_deadline: None,
            control_deadline: None,
            video: FrameSender::new(config.frame_window),
            quality: Quality::Auto,
            last_started: None,
        }
    }

    // ---- driver interface ----

    shared_session_api!();

    /// The link closed (or failed) underneath the session.
    pub fn handle_close(&mut self, now: u64) {
        self.c.now = now;
        self.end(EndReason::LinkLost, false);
    }

    /// Time passed: keepalive, link loss, prompt timeouts, grace period.
    pub fn handle_timeout(&mut self, now: u64) {
        self.c.now = now;
        if self.c.ended.is_some() {
            return;
        }
        if now.saturating_sub(self.c.last_rx) >= self.c.config.idle_timeout_ms {
            self.end(EndReason::LinkLost, false);
            return;
        }
        if self.consent_deadline.is_some_and(|d| now >= d) {
            self.consent_deadline = None;
            self.end(EndReason::ConsentTimeout, true);
            return;
        }
        if self.control_deadline.is_some_and(|d| now >= d) {
            self.control_deadline = None;
            if self.state == NoviceState::ControlOffered {
                self.refuse_control(ControlRefusal::NoAnswer);
            }
        }
        let c = &mut self.c;
        self.arbiter
            .handle_timeout(now, &mut |e| c.emit(Pending::Inject(e)));
        self.c.handle_link_timers(now);
    }

    /// When to call [`Self::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.c.ended.is_some() {
            return None;
        }
        [
            self.c.link_timeout(),
            self.consent_deadline,
            self.control_deadline,
            self.arbiter.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ---- state ----

    /// Where the session is.
    pub fn state(&self) -> NoviceState {
        match self.c.ended {
            Some(r) => NoviceState::Ended(r),
            None => self.state,
        }
    }

    /// Which kind of help the expert asked for, once the preamble arrived.
    pub fn mode(&self) -> Option<HelpMode> {
        self.mode
    }

    /// How the helper got in, once admitted.
    pub fn admitted_via(&self) -> Option<AdmittedVia> {
        self.via
    }

    /// The helper's display name, once known.
    pub fn expert_name(&self) -> &str {
        self.c.peer_name.as_str()
    }

    /// The helper's current permission, for the status box (SES-06).
    pub fn permission(&self) -> Permission {
        match self.state() {
            NoviceState::Listening | NoviceState::Authenticating | NoviceState::AwaitingConsent => {
                Permission::Waiting
            }
            NoviceState::Viewing | NoviceState::Ended(_) => Permission::ScreenView,
            NoviceState::ControlOffered => Permission::ControlRequested,
            NoviceState::SharedControl => Permission::SharedControl,
        }
    }

    /// Frames in flight and link estimates from frame acks.
    pub fn frame_sender(&self) -> &FrameSender {
        &self.video
    }

    /// The picture quality the helper asked for (SES-09).
    pub fn quality(&self) -> Quality {
        self.quality
    }

    /// New machine settings, in force at once (OFF-04): they apply to every
    /// later decision in this session.
    pub fn set_settings(&mut self, settings: MachineSettings) {
        self.settings = settings;
    }

    // ---- admission ----

    /// Requested help: find the invitation the expert's first message was
    /// encrypted to, check it (INV-06, INV-07, INV-10) and answer. On refusal
    /// the expert is told why and the session ends.
    pub fn admit_invitation<const N: usize>(
        &mut self,
        now: u64,
        rng: &mut impl CryptoRngCore,
        book: &mut InvitationBook<N>,
    ) -> Result<(), EndReason> {
        self.c.now = now;
        if self.state != NoviceState::Authenticating || self.mode != Some(HelpMode::Invitation) {
            return Err(EndReason::ProtocolError);
        }
        // Trial decryption: the first message names no invitation in the
        // clear, so try each invitation's key. Expired, revoked and locked
        // ones are tried too, so the expert learns the precise reason.
        let mut found = None;
        for entry in book.entries() {
            let Ok(mut hs) = Handshake::nk_responder(rng, entry.secret_key()) else {
                continue;
            };
            let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
            let Ok(n) = hs.read_message(&self.first, &mut payload) else {
                continue;
            };
            let Some(claim) = payload
                .get(..n)
                .and_then(|p| decode_value::<InvitationClaim<'_>>(p).ok())
            else {
                continue;
            };
            let name = display_name(claim.expert_name);
            found = Some((
                hs,
                InvitationId(claim.invitation_id),
                claim.password_proof,
                name,
                entry.invitation().id,
                entry.invitation().novice_key,
            ));
            break;
        }
        let Some((mut hs, claimed_id, proof, expert_name, entry_id, novice_key)) = found else {
            // Nobody here can read it: no encrypted answer is possible.
            self.end(EndReason::UnknownInvitation, false);
            return Err(EndReason::UnknownInvitation);
        };
        let binding = hs.binding();
        if self.finish_handshake(&mut hs).is_err() {
            return Err(EndReason::HandshakeFailed);
        }
        self.c.peer_name = expert_name;
        let verdict = policy::decide_request(&self.settings).and_then(|()| {
            if claimed_id != entry_id {
                return Err(EndReason::UnknownInvitation);
            }
            let binding = binding.ok_or(EndReason::HandshakeFailed)?;
            book.check(now, &claimed_id, &novice_key, proof.as_ref(), &binding)
                .map(|entry| entry.invitation().novice_name.clone())
        });
        match verdict {
            Ok(novice_name) => {
                // Single use: the invitation is spent once a helper got in.
                book.mark_used(&claimed_id);
                self.my_name = novice_name;
                self.via = Some(AdmittedVia::Invitation(claimed_id));
                self.level = Level::Control;
                self.admitted(now);
                Ok(())
            }
            Err(reason) => {
                self.end(reason, true);
                Err(reason)
            }
        }
    }

    /// Offered help: check the helper against the machine settings and the
    /// policy as it is now (OFF-01 … OFF-06) and answer. On refusal the
    /// expert is told why and the session ends.
    pub fn admit_offer<const N: usize>(
        &mut self,
        now: u64,
        policy_now: &Policy<N>,
    ) -> Result<Level, EndReason> {
        self.c.now = now;
        if self.state != NoviceState::Authenticating || self.mode != Some(HelpMode::Offer) {
            return Err(EndReason::ProtocolError);
        }
        let Some(mut hs) = self.handshake.take() else {
            return Err(EndReason::ProtocolError);
        };
        let helper_key = hs.remote_static();
        if self.finish_handshake(&mut hs).is_err() {
            return Err(EndReason::HandshakeFailed);
        }
        let first = core::mem::take(&mut self.first);
        let verdict = (|| {
            let helper_key = helper_key.ok_or(EndReason::HandshakeFailed)?;
            let claim: OfferClaim<'_> =
                decode_value(&first).map_err(|_| EndReason::ProtocolError)?;
            let cert = match claim.certificate {
                Some(bytes) => {
                    Some(HelperCertificate::decode(bytes).map_err(|_| EndReason::BadCertificate)?)
                }
                None => None,
            };
            let admission =
                policy::decide_offer(&self.settings, policy_now, &helper_key, cert.as_ref(), now)?;
            Ok((admission.level, display_name(claim.expert_name)))
        })();
        match verdict {
            Ok((level, name)) => {
                self.c.peer_name = name;
                self.level = level;
                self.via = Some(AdmittedVia::Offer(level));
                self.admitted(now);
                Ok(level)
            }
            Err(reason) => {
                self.end(reason, true);
                Err(reason)
            }
        }
    }

    fn finish_handshake(&mut self, hs: &mut Handshake) -> Result<(), ()> {
        if !hs.is_finished() {
            let written = self.c.outbox.push_frame(|out| hs.write_message(&[], out));
            if !matches!(written, Ok(Ok(()))) {
                self.end(EndReason::HandshakeFailed, false);
                return Err(());
            }
        }
        match hs.clone().into_transport() {
            Ok(t) => {
                self.c.transport = Some(t);
                Ok(())
            }
            Err(_) => {
                self.end(EndReason::HandshakeFailed, false);
                Err(())
            }
        }
    }

    fn admitted(&mut self, now: u64) {
        let name = self.my_name.clone();
        let _ = self.c.send(&Message::Admitted {
            novice_name: name.as_str(),
        });
        self.state = NoviceState::AwaitingConsent;
        self.consent_deadline = Some(now.saturating_add(self.c.config.consent_timeout_ms));
        self.c.emit(Pending::ConsentRequested);
    }

    // ---- the person's choices ----

    /// The person accepted or declined the session (INV-08). Nothing reaches
    /// the helper before this says yes.
    pub fn consent(&mut self, now: u64, accept: bool) -> Result<(), SendError> {
        self.c.now = now;
        if self.state() != NoviceState::AwaitingConsent {
            return Err(SendError::NotAllowed);
        }
        self.consent_deadline = None;
        if !accept {
            self.end(EndReason::Declined, true);
            return Ok(());
        }
        self.start(false)
    }

    /// Start without asking anyone: the machine's owner pre-approved the
    /// invitation this helper came with (unattended hardware help). The
    /// helper is told that nobody at the machine agreed. Only for a session
    /// waiting for consent.
    pub fn start_unattended(&mut self, now: u64) -> Result<(), SendError> {
        self.c.now = now;
        if self.state() != NoviceState::AwaitingConsent {
            return Err(SendError::NotAllowed);
        }
        self.consent_deadline = None;
        self.start(true)
    }

    fn start(&mut self, unattended: bool) -> Result<(), SendError> {
        self.c.send(&Message::ConsentGiven { unattended })?;
        self.c.started = true;
        self.state = NoviceState::Viewing;
        self.c.emit(Pending::Started);
        Ok(())
    }

    /// The person answered the control request (SES-02). The machine
    /// settings and policy level are checked again: they may have changed
    /// while the person was being asked.
    pub fn answer_control(&mut self, now: u64, allow: bool) -> Result<(), SendError> {
        self.c.now = now;
        if self.state() != NoviceState::ControlOffered {
            return Err(SendError::NotAllowed);
        }
        self.control_deadline = None;
        if !allow {
            self.refuse_control(ControlRefusal::Declined);
            return Ok(());
        }
        if let Err(r) = policy::decide_control(&self.settings, self.level) {
            self.refuse_control(r);
            return Ok(());
        }
        self.c.send(&Message::ControlGranted)?;
        self.arbiter.grant();
        self.state = NoviceState::SharedControl;
        self.c.emit(Pending::ControlGranted);
        Ok(())
    }

    /// Input from the person's own keyboard or mouse (the driver tells it
    /// apart from what it injected). Local Esc or Ctrl+C ends control
    /// (SES-05); other input holds the helper back for a moment (SES-04).
    pub fn local_input(&mut self, now: u64, input: LocalInput) {
        self.c.now = now;
        let c = &mut self.c;
        if let Some(how) = self
            .arbiter
            .on_local_input(now, input, &mut |e| c.emit(Pending::Inject(e)))
        {
            self.control_ended(Side::Novice, how, true);
        }
    }

    /// The person clicked Stop Control (or pressed the dongle's button).
    pub fn stop_control(&mut self, now: u64) -> Result<(), SendError> {
        self.c.now = now;
        if self.state() != NoviceState::SharedControl {
            return Err(SendError::NotAllowed);
        }
        self.control_ended(Side::Novice, StopMethod::StopButton, true);
        Ok(())
    }

    /// The person disconnects (SES-10).
    pub fn disconnect(&mut self, now: u64) {
        self.c.now = now;
        self.end(EndReason::LocalLeft, true);
    }

    /// Send a chat message (SES-08).
    pub fn send_chat(&mut self, text: &str) -> Result<(), SendError> {
        self.c.send_chat_as_novice(text)
    }

    // ---- video ----

    /// Whether a new frame may start now: the session is shared, fewer than
    /// the window of frames are unacknowledged and the send buffer has room.
    /// When it says no, skip this frame: a slow link lowers the frame rate
    /// instead of building a queue (SES-12).
    pub fn can_send_frame(&self) -> bool {
        self.c.started
            && self.c.ended.is_none()
            && self.video.can_send()
            && self.c.outbox.has_room_for_bulk()
    }

    /// Whether bulk data (a piece of a rectangle, a file chunk) fits the
    /// send buffer now; when not, drain [`Self::poll_transmit`] first.
    pub fn has_room(&self) -> bool {
        self.c.outbox.has_room_for_bulk()
    }

    /// The screen changed but [`Self::can_send_frame`] said no, so the frame
    /// is skipped. Telling the session lets it measure the link while the
    /// link, not the screen, sets the pace; without it a slow link never
    /// shows up in [`FrameSender::throughput_bps`] and quality cannot adapt
    /// (SES-12).
    pub fn skip_frame(&mut self) {
        if self.c.started && self.c.ended.is_none() {
            self.video.note_blocked();
        }
    }

    /// Start a frame of `rects` rectangles; returns its number.
    pub fn begin_frame(&mut self, width: u16, height: u16, rects: u16) -> Result<u32, SendError> {
        if !self.can_send_frame() {
            return Err(if self.c.started {
                SendError::WouldBlock
            } else {
                SendError::NotAllowed
            });
        }
        let frame = self
            .video
            .begin_frame(self.c.now)
            .ok_or(SendError::WouldBlock)?;
        self.c.send(&Message::FrameStart {
            frame,
            width,
            height,
            rects,
        })?;
        self.last_started = Some((frame, width, height));
        Ok(frame)
    }

    /// Send a whole frame in one record: its start, every rectangle whole,
    /// and its end. A small update (a typed character) then costs one
    /// record's length and tag instead of three or more, and a frame on the
    /// same screen as the one before goes in the compact form
    /// ([`Message::NextFrame`], [`Message::Tile`]s); returns the frame's
    /// number. [`SendError::Invalid`] when it cannot fit one record: send it
    /// piece by piece with [`Self::begin_frame`], [`Self::send_rect`] and
    /// [`Self::end_frame`] instead. Nothing is sent on an error.
    pub fn send_frame(
        &mut self,
        width: u16,
        height: u16,
        rects: &[FrameRect<'_>],
    ) -> Result<u32, SendError> {
        if !self.can_send_frame() {
            return Err(if self.c.started {
                SendError::WouldBlock
            } else {
                SendError::NotAllowed
            });
        }
        let count = u16::try_from(rects.len()).map_err(|_| SendError::Invalid)?;
        let mut bytes = 0usize;
        for r in rects {
            if r.data.len() > crate::message::MAX_DATA_BYTES {
                return Err(SendError::Invalid);
            }
            bytes += r.data.len();
        }
        let frame = self.video.next_frame().ok_or(SendError::WouldBlock)?;
        // The compact form when the expert can tell the number and size.
        let follows = matches!(
            (self.last_started, frame.checked_sub(1)),
            (Some(started), Some(last)) if started == (last, width, height)
        );
        let start = match follows {
            true => Message::NextFrame { rects: count },
            false => Message::FrameStart {
                frame,
                width,
                height,
                rects: count,
            },
        };
        let tiles = rects.iter().map(|r| Message::Tile {
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
            encoding: r.encoding,
            data: r.data,
        });
        let end = (!follows).then_some(Message::FrameEnd { frame });
        let messages = core::iter::once(start).chain(tiles).chain(end);
        self.c.send_bulk_together(messages)?;
        // `can_send_frame` held, so the frame starts, and with this number.
        let _ = self.video.begin_frame(self.c.now);
        self.video.add_bytes(frame, bytes);
        self.last_started = Some((frame, width, height));
        Ok(frame)
    }

    /// Send (part of) one rectangle of the current frame. Pieces larger than
    /// [`crate::message::MAX_DATA_BYTES`] are refused; split them.
    #[allow(clippy::too_many_arguments)]
    pub fn send_rect(
        &mut self,
        frame: u32,
        (x, y, w, h): (u16, u16, u16, u16),
        encoding: Encoding,
        total: u32,
        offset: u32,
        data: &[u8],
    ) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        if data.len() > crate::message::MAX_DATA_BYTES {
            return Err(SendError::Invalid);
        }
        if !self.c.outbox.has_room_for_bulk() {
            return Err(SendError::WouldBlock);
        }
        self.c.send_bulk(&Message::Rect {
            frame,
            x,
            y,
            w,
            h,
            encoding,
            total,
            offset,
            data,
        })?;
        self.video.add_bytes(frame, data.len());
        Ok(())
    }

    /// Close the current frame.
    pub fn end_frame(&mut self, frame: u32) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::FrameEnd { frame })
    }

    /// Tell the helper where the pointer is.
    pub fn send_cursor(&mut self, x: u16, y: u16) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::Cursor { x, y })
    }

    /// Tell the helper the keyboard's lock lights changed (see
    /// [`Message::KeyboardLeds`]). Before the session starts there is
    /// nobody to tell; the caller sends the state again once it has.
    pub fn send_keyboard_leds(&mut self, leds: u8) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::KeyboardLeds { leds })
    }

    // ---- internals ----

    fn end(&mut self, reason: EndReason, tell_peer: bool) {
        if self.c.ended.is_some() {
            return;
        }
        // Releases first, so they reach the machine before the final event.
        let c = &mut self.c;
        self.arbiter.end(&mut |e| c.emit(Pending::Inject(e)));
        self.consent_deadline = None;
        self.control_deadline = None;
        self.c.end(reason, tell_peer);
    }

    fn refuse_control(&mut self, reason: ControlRefusal) {
        self.state = NoviceState::Viewing;
        self.control_deadline = None;
        let _ = self.c.send(&Message::ControlRefused { reason });
        self.c.emit(Pending::ControlRefused(reason));
    }

    fn control_ended(&mut self, by: Side, how: StopMethod, tell_peer: bool) {
        let c = &mut self.c;
        self.arbiter.end(&mut |e| c.emit(Pending::Inject(e)));
        if self.state == NoviceState::SharedControl {
            self.state = NoviceState::Viewing;
            if tell_peer {
                let _ = self.c.send(&Message::ControlStopped { by, how });
            }
            self.c.emit(Pending::ControlEnded { by, how });
        }
    }

    /// Process the next complete frame from the inbox. Returns `false` when
    /// there is nothing to do until more bytes arrive or the driver acts.
    fn step(&mut self) -> bool {
        match (self.state, self.mode) {
            (NoviceState::Listening, None) => self.read_preamble(),
            (NoviceState::Listening, Some(_)) => self.read_handshake(),
            // Waiting for the driver to admit or refuse.
            (NoviceState::Authenticating, _) => false,
            _ => self.read_record(),
        }
    }

    fn read_preamble(&mut self) -> bool {
        let Some(preamble) = self.inbox.take_raw::<5>() else {
            return false;
        };
        let (magic, mode) = (&preamble[..4], preamble[4]);
        if magic != PREAMBLE_MAGIC {
            let reason = if magic.starts_with(b"BKN") {
                EndReason::UnsupportedVersion
            } else {
                EndReason::ProtocolError
            };
            self.end(reason, false);
            return true;
        }
        self.mode = match mode {
            MODE_INVITATION => Some(HelpMode::Invitation),
            MODE_OFFER if self.handshake.is_some() => Some(HelpMode::Offer),
            _ => {
                self.end(EndReason::ProtocolError, false);
                return true;
            }
        };
        true
    }

    fn read_handshake(&mut self) -> bool {
        let frame = match self.inbox.next_handshake() {
            Ok(Some(frame)) => frame,
            Ok(None) => return false,
            Err(_) => {
                self.end(EndReason::HandshakeFailed, false);
                return true;
            }
        };
        match self.mode {
            Some(HelpMode::Invitation) => {
                self.first.clear();
                if self.first.extend_from_slice(frame).is_err() {
                    self.end(EndReason::HandshakeFailed, false);
                    return true;
                }
                self.state = NoviceState::Authenticating;
                self.c.emit(Pending::Authenticate);
            }
            Some(HelpMode::Offer) => {
                let Some(hs) = self.handshake.as_mut() else {
                    self.end(EndReason::ProtocolError, false);
                    return true;
                };
                let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
                let Ok(n) = hs.read_message(frame, &mut payload) else {
                    self.end(EndReason::HandshakeFailed, false);
                    return true;
                };
                if hs.is_finished() {
                    // Message 3: the helper's key and claim are in.
                    self.first.clear();
                    let stored = payload
                        .get(..n)
                        .is_some_and(|p| self.first.extend_from_slice(p).is_ok());
                    if !stored {
                        self.end(EndReason::HandshakeFailed, false);
                        return true;
                    }
                    self.state = NoviceState::Authenticating;
                    self.c.emit(Pending::Authenticate);
                } else {
                    // Message 1: answer with message 2 (our static key).
                    let written = self.c.outbox.push_frame(|out| hs.write_message(&[], out));
                    if !matches!(written, Ok(Ok(()))) {
                        self.end(EndReason::HandshakeFailed, false);
                    }
                }
            }
            None => self.end(EndReason::ProtocolError, false),
        }
        true
    }

    fn read_record(&mut self) -> bool {
        let (message, plaintext) = match next_message(&mut self.inbox, self.c.transport.as_mut()) {
            Ok(Some(next)) => next,
            Ok(None) => return false,
            Err(reason) => {
                self.end(reason, true);
                return true;
            }
        };
        let outcome = match self.c.handle_common(&message, plaintext) {
            Ok(true) => Ok(()),
            Ok(false) => Self::handle_own(
                &mut self.c,
                &mut self.state,
                &mut self.arbiter,
                &mut self.video,
                &mut self.quality,
                &mut self.control_deadline,
                &self.settings,
                self.level,
                &message,
            )
            .map_err(Stop::protocol),
            Err(stop) => Err(stop),
        };
        if let Err(stop) = outcome {
            self.end(stop.reason, stop.tell_peer);
        }
        true
    }

    /// Messages only the novice receives.
    #[allow(clippy::too_many_arguments)]
    fn handle_own(
        c: &mut Common<TX>,
        state: &mut NoviceState,
        arbiter: &mut Arbiter,
        video: &mut FrameSender,
        quality: &mut Quality,
        control_deadline: &mut Option<u64>,
        settings: &MachineSettings,
        level: Level,
        message: &Message<'_>,
    ) -> Result<(), EndReason> {
        let now = c.now;
        // Before the person accepted, the helper may say nothing but
        // keepalives and bye (handled in common).
        if !c.started {
            return Err(EndReason::ProtocolError);
        }
        match *message {
            Message::ControlRequest => match *state {
                NoviceState::Viewing => match policy::decide_control(settings, level) {
                    Ok(()) => {
                        *state = NoviceState::ControlOffered;
                        *control_deadline =
                            Some(now.saturating_add(c.config.control_answer_timeout_ms));
                        c.emit(Pending::ControlRequested);
                    }
                    Err(reason) => {
                        // Refused without asking the person (SES-03): the
                        // session goes on.
                        let _ = c.send(&Message::ControlRefused { reason });
                        c.emit(Pending::ControlRefused(reason));
                    }
                },
                _ => {
                    let _ = c.send(&Message::ControlRefused {
                        reason: ControlRefusal::AlreadyPending,
                    });
                }
            },
            Message::ControlStopped { .. } => {
                // The helper gave control back.
                arbiter.end(&mut |e| c.emit(Pending::Inject(e)));
                if *state == NoviceState::SharedControl {
                    *state = NoviceState::Viewing;
                    c.emit(Pending::ControlEnded {
                        by: Side::Expert,
                        how: StopMethod::ExpertReleased,
                    });
                }
            }
            Message::Input(event) => {
                // Input that crossed the end of control on the wire is
                // dropped by the arbiter; it never reaches the machine.
                arbiter.on_expert_input(now, event, &mut |e| c.emit(Pending::Inject(e)));
            }
            Message::ChatSend { text } => {
                let seq = c
                    .chat
                    .append(Side::Expert, text)
                    .map_err(|_| EndReason::ProtocolError)?
                    .seq;
                let _ = c.send(&Message::ChatEntry {
                    seq,
                    from: Side::Expert,
                    text,
                });
                c.emit(Pending::Chat(seq));
            }
            Message::FrameAck { frame } => {
                video
                    .on_ack(frame, now)
                    .map_err(|_| EndReason::ProtocolError)?;
            }
            Message::SetQuality(q) => {
                *quality = q;
                c.emit(Pending::QualityRequested(q));
            }
            Message::PointerMode { relative } => c.emit(Pending::PointerMode { relative }),
            Message::Decodes { encodings } => c.emit(Pending::ViewerDecodes(encodings)),
            _ => return Err(EndReason::ProtocolError),
        }
        Ok(())
    }
}

/// A summary, not the secrets: state and permission.
impl<const TX: usize> core::fmt::Debug for NoviceSession<TX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NoviceSession")
            .field("state", &self.state())
            .field("mode", &self.mode)
            .field("expert_name", &self.expert_name())
            .finish_non_exhaustive()
    }
}
