//! The expert's side of a session: the helper.

use rand_core::CryptoRngCore;

use super::buffers::Inbox;
use super::common::{display_name, next_message, Common, Pending, Stop};
use super::{
    Config, Event, SendError, DEFAULT_OUTBOX, MODE_INVITATION, MODE_OFFER, PREAMBLE_MAGIC,
};
use crate::handshake::{Handshake, MAX_HANDSHAKE_MESSAGE};
use crate::invitation::{derive_password_key, password_proof, Invitation};
use crate::message::{
    encode_value, InputEvent, InvitationClaim, Message, OfferClaim, Quality, MAX_CHAT_BYTES,
};
use crate::reason::{EndReason, Permission, Side, StopMethod};
use crate::video::FrameAssembler;

/// Where the expert's session is (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ExpertState {
    /// The handshake is under way.
    Connecting,
    /// The handshake is done; the novice's machine is checking us.
    Authenticating,
    /// The machine admitted us; the person is being asked.
    AwaitingConsent,
    /// We see the screen and can chat.
    Viewing,
    /// We asked for control and wait for the answer.
    RequestingControl,
    /// Control is shared.
    InControl,
    /// Over.
    Ended(EndReason),
}

/// Why an expert session could not be set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ExpertError {
    /// The invitation needs a password and none was given (INV-05).
    #[error("this invitation needs a password")]
    PasswordRequired,
    /// The display name is empty or too long.
    #[error("the helper's name must be 1 to 64 bytes")]
    BadName,
    /// The certificate is too large to send.
    #[error("the certificate is too large")]
    CertificateTooLarge,
    /// The handshake could not start.
    #[error("the secure handshake could not start")]
    Handshake,
}

/// The expert's session.
///
/// `TX` is the size of the send buffer in bytes.
pub struct ExpertSession<const TX: usize = DEFAULT_OUTBOX> {
    c: Common<TX>,
    inbox: Inbox,
    state: ExpertState,
    handshake: Option<Handshake>,
    /// Offered help: the `XX` third message's payload, sent after message 2.
    offer_payload: heapless::Vec<u8, MAX_HANDSHAKE_MESSAGE>,
    /// Offered help: the machine key the helper expects, if pinned.
    expected_novice_key: Option<[u8; 32]>,
    assembler: FrameAssembler,
}

impl<const TX: usize> ExpertSession<TX> {
    /// Requested help: connect with an invitation, and its password when it
    /// has one (INV-05). The first handshake message is queued at once.
    pub fn for_invitation(
        config: Config,
        rng: &mut impl CryptoRngCore,
        invitation: &Invitation,
        password: Option<&[u8]>,
        expert_name: &str,
        now: u64,
    ) -> Result<Self, ExpertError> {
        check_name(expert_name)?;
        let mut hs = Handshake::nk_initiator(rng, &invitation.novice_key)
            .map_err(|_| ExpertError::Handshake)?;
        let binding = hs.binding().ok_or(ExpertError::Handshake)?;
        let password_proof = match (&invitation.password, password) {
            (Some(params), Some(pw)) => {
                Some(password_proof(&derive_password_key(pw, params), &binding))
            }
            (Some(_), None) => return Err(ExpertError::PasswordRequired),
            (None, _) => None,
        };
        let claim = InvitationClaim {
            invitation_id: invitation.id.0,
            password_proof,
            expert_name,
        };
        let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
        let n = encode_value(&claim, &mut payload).map_err(|_| ExpertError::BadName)?;
        let mut session = Self::blank(config, now);
        session.start(MODE_INVITATION, payload.get(..n).unwrap_or(&[]), &mut hs)?;
        session.handshake = Some(hs);
        Ok(session)
    }

    /// Offered help: connect with the helper's own key and, when the helper
    /// belongs to a group, the group's certificate (encoded
    /// [`crate::policy::HelperCertificate`]). `expected_novice_key` pins the
    /// machine's key when the helper knows it.
    pub fn for_offer(
        config: Config,
        rng: &mut impl CryptoRngCore,
        expert_secret: &[u8; 32],
        certificate: Option<&[u8]>,
        expected_novice_key: Option<[u8; 32]>,
        expert_name: &str,
        now: u64,
    ) -> Result<Self, ExpertError> {
        check_name(expert_name)?;
        let mut hs =
            Handshake::xx_initiator(rng, expert_secret).map_err(|_| ExpertError::Handshake)?;
        let claim = OfferClaim {
            expert_name,
            certificate,
        };
        let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
        let n = encode_value(&claim, &mut payload).map_err(|_| ExpertError::CertificateTooLarge)?;
        let mut session = Self::blank(config, now);
        session.start(MODE_OFFER, &[], &mut hs)?;
        session
            .offer_payload
            .extend_from_slice(payload.get(..n).unwrap_or(&[]))
            .map_err(|_| ExpertError::CertificateTooLarge)?;
        session.expected_novice_key = expected_novice_key;
        session.handshake = Some(hs);
        Ok(session)
    }

    fn blank(config: Config, now: u64) -> Self {
        Self {
            c: Common::new(config, Side::Expert, now),
            inbox: Inbox::new(),
            state: ExpertState::Connecting,
            handshake: None,
            offer_payload: heapless::Vec::new(),
            expected_novice_key: None,
            assembler: FrameAssembler::new(),
        }
    }

    fn start(&mut self, mode: u8, payload: &[u8], hs: &mut Handshake) -> Result<(), ExpertError> {
        let mut preamble = [0u8; 5];
        preamble[..4].copy_from_slice(&PREAMBLE_MAGIC);
        preamble[4] = mode;
        self.c
            .outbox
            .push_raw(&preamble)
            .map_err(|_| ExpertError::Handshake)?;
        match self
            .c
            .outbox
            .push_frame(|out| hs.write_message(payload, out))
        {
            Ok(Ok(())) => Ok(()),
            _ => Err(ExpertError::Handshake),
        }
    }

    // ---- driver interface ----

    shared_session_api!();

    /// The link closed underneath the session. During the handshake that
    /// means the novice's machine would not talk to us.
    pub fn handle_close(&mut self, now: u64) {
        self.c.now = now;
        let reason = if self.state == ExpertState::Connecting {
            EndReason::HandshakeFailed
        } else {
            EndReason::LinkLost
        };
        self.c.end(reason, false);
    }

    /// Time passed: keepalive and link loss.
    pub fn handle_timeout(&mut self, now: u64) {
        self.c.handle_link_timers(now);
    }

    /// When to call [`Self::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.c.link_timeout()
    }

    // ---- state ----

    /// Where the session is.
    pub fn state(&self) -> ExpertState {
        match self.c.ended {
            Some(r) => ExpertState::Ended(r),
            None => self.state,
        }
    }

    /// Our current permission, for the status box (SES-06).
    pub fn permission(&self) -> Permission {
        match self.state() {
            ExpertState::Connecting
            | ExpertState::Authenticating
            | ExpertState::AwaitingConsent => Permission::Waiting,
            ExpertState::Viewing | ExpertState::Ended(_) => Permission::ScreenView,
            ExpertState::RequestingControl => Permission::ControlRequested,
            ExpertState::InControl => Permission::SharedControl,
        }
    }

    /// The novice's display name, once admitted.
    pub fn novice_name(&self) -> &str {
        self.c.peer_name.as_str()
    }

    /// The screen size, once a frame arrived.
    pub fn screen_size(&self) -> Option<(u16, u16)> {
        self.assembler.screen_size()
    }

    // ---- the helper's actions ----

    /// Ask for shared control (SES-02).
    pub fn request_control(&mut self) -> Result<(), SendError> {
        if self.state() != ExpertState::Viewing {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::ControlRequest)?;
        self.state = ExpertState::RequestingControl;
        Ok(())
    }

    /// Give control back.
    pub fn release_control(&mut self) -> Result<(), SendError> {
        if self.state() != ExpertState::InControl {
            return Err(SendError::NotAllowed);
        }
        let (by, how) = (Side::Expert, StopMethod::ExpertReleased);
        self.c.send(&Message::ControlStopped { by, how })?;
        self.state = ExpertState::Viewing;
        self.c.emit(Pending::ControlEnded { by, how });
        Ok(())
    }

    /// Send keyboard or pointer input; only while in control. The expert's
    /// Esc is an ordinary key here (SES-05).
    pub fn send_input(&mut self, event: InputEvent) -> Result<(), SendError> {
        if self.state() != ExpertState::InControl {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::Input(event))
    }

    /// Send a chat message; it appears in the history once the novice's
    /// machine has ordered it (SES-08).
    pub fn send_chat(&mut self, text: &str) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        if text.trim().is_empty() || text.len() > MAX_CHAT_BYTES {
            return Err(SendError::Invalid);
        }
        self.c.send(&Message::ChatSend { text })
    }

    /// Ask for a picture quality (SES-09).
    pub fn set_quality(&mut self, quality: Quality) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::SetQuality(quality))
    }

    /// Ask for a relative or an absolute pointer on the machine (see
    /// [`Message::PointerMode`]); send [`InputEvent::PointerRel`]
    /// movements while it is relative.
    pub fn set_pointer_mode(&mut self, relative: bool) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::PointerMode { relative })
    }

    /// Tell the novice which optional encodings this viewer decodes (see
    /// [`Message::Decodes`]); without it the novice uses none of them.
    pub fn announce_decodes(&mut self, encodings: u8) -> Result<(), SendError> {
        if !self.c.started {
            return Err(SendError::NotAllowed);
        }
        self.c.send(&Message::Decodes { encodings })
    }

    /// Disconnect (SES-10).
    pub fn disconnect(&mut self) {
        self.c.end(EndReason::LocalLeft, true);
    }

    // ---- internals ----

    fn step(&mut self) -> bool {
        match self.state {
            ExpertState::Connecting => self.read_handshake(),
            _ => self.read_record(),
        }
    }

    fn read_handshake(&mut self) -> bool {
        let frame = match self.inbox.next_handshake() {
            Ok(Some(frame)) => frame,
            Ok(None) => return false,
            Err(_) => {
                self.c.end(EndReason::HandshakeFailed, false);
                return true;
            }
        };
        let Some(mut hs) = self.handshake.take() else {
            self.c.end(EndReason::ProtocolError, false);
            return true;
        };
        let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
        if hs.read_message(frame, &mut payload).is_err() {
            self.c.end(EndReason::HandshakeFailed, false);
            return true;
        }
        if !hs.is_finished() {
            // Offered help: message 2 carried the machine's key; answer with
            // ours and our claim.
            if let (Some(expected), Some(actual)) = (self.expected_novice_key, hs.remote_static()) {
                if expected != actual {
                    self.c.end(EndReason::HandshakeFailed, false);
                    return true;
                }
            }
            let payload = self.offer_payload.clone();
            let written = self
                .c
                .outbox
                .push_frame(|out| hs.write_message(&payload, out));
            if !matches!(written, Ok(Ok(()))) || !hs.is_finished() {
                self.c.end(EndReason::HandshakeFailed, false);
                return true;
            }
        }
        match hs.into_transport() {
            Ok(t) => {
                self.c.transport = Some(t);
                self.state = ExpertState::Authenticating;
            }
            Err(_) => self.c.end(EndReason::HandshakeFailed, false),
        }
        true
    }

    fn read_record(&mut self) -> bool {
        let (message, plaintext) = match next_message(&mut self.inbox, self.c.transport.as_mut()) {
            Ok(Some(next)) => next,
            Ok(None) => return false,
            Err(reason) => {
                self.c.end(reason, true);
                return true;
            }
        };
        let outcome = match self.c.handle_common(&message, plaintext) {
            Ok(true) => Ok(()),
            Ok(false) => Self::handle_own(
                &mut self.c,
                &mut self.state,
                &mut self.assembler,
                &message,
                plaintext,
            )
            .map_err(Stop::protocol),
            Err(stop) => Err(stop),
        };
        if let Err(stop) = outcome {
            self.c.end(stop.reason, stop.tell_peer);
        }
        true
    }

    /// Messages only the expert receives.
    fn handle_own(
        c: &mut Common<TX>,
        state: &mut ExpertState,
        assembler: &mut FrameAssembler,
        message: &Message<'_>,
        plaintext: &[u8],
    ) -> Result<(), EndReason> {
        match (*state, *message) {
            (ExpertState::Authenticating, Message::Admitted { novice_name }) => {
                c.peer_name = display_name(novice_name);
                *state = ExpertState::AwaitingConsent;
                c.emit(Pending::Admitted);
            }
            (ExpertState::AwaitingConsent, Message::ConsentGiven { unattended }) => {
                c.started = true;
                if unattended {
                    c.emit(Pending::Unattended);
                }
                *state = ExpertState::Viewing;
                c.emit(Pending::Started);
            }
            (ExpertState::Authenticating | ExpertState::AwaitingConsent, _) => {
                // Nothing but admission and consent may come first (INV-08).
                return Err(EndReason::ProtocolError);
            }
            (ExpertState::RequestingControl, Message::ControlGranted) => {
                *state = ExpertState::InControl;
                c.emit(Pending::ControlGranted);
            }
            (_, Message::ControlRefused { reason }) => {
                if *state == ExpertState::RequestingControl {
                    *state = ExpertState::Viewing;
                }
                c.emit(Pending::ControlRefused(reason));
            }
            (_, Message::ControlStopped { by, how }) => {
                if *state == ExpertState::InControl {
                    *state = ExpertState::Viewing;
                    c.emit(Pending::ControlEnded { by, how });
                }
            }
            (_, Message::ChatEntry { seq, from, text }) => {
                c.chat
                    .apply(seq, from, text)
                    .map_err(|_| EndReason::ProtocolError)?;
                c.emit(Pending::Chat(seq));
            }
            (
                _,
                Message::FrameStart {
                    frame,
                    width,
                    height,
                    rects,
                },
            ) => {
                assembler
                    .on_frame_start(frame, width, height, rects)
                    .map_err(|_| EndReason::ProtocolError)?;
                c.emit(Pending::FrameStart {
                    frame,
                    width,
                    height,
                });
            }
            (
                _,
                Message::Rect {
                    frame,
                    x,
                    y,
                    w,
                    h,
                    encoding,
                    total,
                    offset,
                    data,
                },
            ) => {
                assembler
                    .on_rect(frame, x, y, w, h, encoding, total, offset, data.len())
                    .map_err(|_| EndReason::ProtocolError)?;
                let at = (data.as_ptr() as usize).wrapping_sub(plaintext.as_ptr() as usize);
                c.emit(Pending::Rect {
                    frame,
                    x,
                    y,
                    w,
                    h,
                    encoding,
                    total,
                    offset,
                    at,
                    len: data.len(),
                });
            }
            (_, Message::FrameEnd { frame }) => {
                let ack = assembler
                    .on_frame_end(frame)
                    .map_err(|_| EndReason::ProtocolError)?;
                Self::frame_ended(c, ack);
            }
            (_, Message::NextFrame { rects }) => {
                let next = assembler
                    .on_next_frame(rects)
                    .map_err(|_| EndReason::ProtocolError)?;
                c.emit(Pending::FrameStart {
                    frame: next.frame,
                    width: next.width,
                    height: next.height,
                });
                if next.ended {
                    Self::frame_ended(c, next.frame);
                }
            }
            (
                _,
                Message::Tile {
                    x,
                    y,
                    w,
                    h,
                    encoding,
                    data,
                },
            ) => {
                let Some(frame) = assembler.frame_in_progress() else {
                    return Err(EndReason::ProtocolError);
                };
                let ended = assembler
                    .on_tile(x, y, w, h, encoding, data.len())
                    .map_err(|_| EndReason::ProtocolError)?;
                let at = (data.as_ptr() as usize).wrapping_sub(plaintext.as_ptr() as usize);
                c.emit(Pending::Rect {
                    frame,
                    x,
                    y,
                    w,
                    h,
                    encoding,
                    // `on_tile` checked that the length fits a u32.
                    total: data.len() as u32,
                    offset: 0,
                    at,
                    len: data.len(),
                });
                if let Some(ack) = ended {
                    Self::frame_ended(c, ack);
                }
            }
            (_, Message::Cursor { x, y }) => c.emit(Pending::Cursor { x, y }),
            (_, Message::KeyboardLeds { leds }) => c.emit(Pending::KeyboardLeds(leds)),
            _ => return Err(EndReason::ProtocolError),
        }
        Ok(())
    }
}

impl<const TX: usize> ExpertSession<TX> {
    /// A frame is complete: acknowledge it and tell the application.
    fn frame_ended(c: &mut Common<TX>, frame: u32) {
        let _ = c.send(&Message::FrameAck { frame });
        c.emit(Pending::FrameEnd(frame));
    }
}

fn check_name(name: &str) -> Result<(), ExpertError> {
    if name.trim().is_empty() || name.len() > crate::message::MAX_NAME_BYTES {
        Err(ExpertError::BadName)
    } else {
        Ok(())
    }
}

/// A summary, not the secrets: state and permission.
impl<const TX: usize> core::fmt::Debug for ExpertSession<TX> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExpertSession")
            .field("state", &self.state())
            .field("novice_name", &self.novice_name())
            .finish_non_exhaustive()
    }
}
