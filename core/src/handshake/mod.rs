//! The Noise handshakes that open every Beckon session (DESIGN §2).
//!
//! - *Requested help* (an invitation): `Noise_NK_25519_ChaChaPoly_BLAKE2s`.
//!   The expert is the initiator and already knows the novice's invitation
//!   key, so message 1 is encrypted to it and can carry the invitation id and
//!   the password proof.
//!
//!   ```text
//!   <- s                       (the invitation key, known in advance)
//!   ...
//!   -> e, es      [claim]      expert → novice
//!   <- e, ee      [admitted]   novice → expert
//!   ```
//! - *Offered help*: `Noise_XX_25519_ChaChaPoly_BLAKE2s`. Both static keys
//!   travel encrypted; the novice's machine checks the expert's against its
//!   policy.
//!
//!   ```text
//!   -> e                       expert → novice
//!   <- e, ee, s, es            novice → expert
//!   -> s, se      [claim]      expert → novice
//!   ```
//!
//! Every handshake mixes [`PROLOGUE`] in, so a Beckon handshake never
//! completes with anything that is not speaking Beckon. Ephemeral keys come
//! from the caller's RNG. A finished handshake becomes a
//! [`Transport`] for the record layer.
//!
//! Reading a message accepts any bytes: it returns `Ok` or an error and never
//! panics.

mod binding;
mod engine;
mod error;
mod framing;
mod keys;

use clatter::handshakepattern::{noise_nk, noise_xx};
use clatter::traits::Handshaker;
use rand_core::CryptoRngCore;

use crate::record::Transport;

pub use engine::{Blake2s, HandshakeHash, Sha256};
pub use error::HandshakeError;
pub use framing::{parse_frame_header, split_frame, FRAME_HEADER_LEN, MAX_FRAME};
pub use keys::StaticKeypair;

use engine::{Engine, EngineKeyPair};

/// Prologue mixed into every Beckon handshake: the protocol and its version.
pub const PROLOGUE: &[u8] = b"beckon/1";

/// Largest handshake message Beckon sends or accepts. Payloads are small
/// (ids, names, a password proof, a certificate of at most 200 bytes); a
/// bigger message is refused before any cryptography.
pub const MAX_HANDSHAKE_MESSAGE: usize = 1024;

/// Length of X25519 keys.
pub const KEY_LEN: usize = 32;

/// Which Noise pattern a handshake runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pattern {
    /// `NK`: requested help; the initiator knows the responder's static key.
    Nk,
    /// `XX`: offered help; both static keys are exchanged.
    Xx,
}

impl Pattern {
    /// Number of handshake messages the pattern exchanges.
    pub const fn message_count(self) -> usize {
        match self {
            Self::Nk => 2,
            Self::Xx => 3,
        }
    }
}

/// One side of a Noise handshake in progress.
///
/// The type parameter is the handshake's hash. Beckon's protocol uses the
/// default, [`Blake2s`]; the constructors exist only for it.
///
/// `Clone` is for trial decryption: the novice tries an incoming NK message 1
/// against each open invitation on a copy (see [`Handshake::trial_read`]).
/// Keep at most one copy past a successful read: copies share the ephemeral
/// key, so two copies that both write would encrypt under the same key and
/// nonce.
#[derive(Clone)]
pub struct Handshake<H: HandshakeHash = Blake2s> {
    noise: Engine<H>,
    pattern: Pattern,
    initiator: bool,
    /// The ephemeral public key drawn from the caller's RNG; the first message
    /// this side writes must carry it (see `EphemeralGivenUpFront`).
    local_ephemeral: [u8; KEY_LEN],
    /// The handshake hash after the prologue and pre-messages, for
    /// [`Handshake::binding`].
    h0: [u8; 32],
    /// Whether this side has written a message yet.
    wrote: bool,
    /// Set by the first error that ends the handshake.
    failed: bool,
}

impl<H: HandshakeHash> core::fmt::Debug for Handshake<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key material.
        f.debug_struct("Handshake")
            .field("pattern", &self.pattern)
            .field("initiator", &self.initiator)
            .field("finished", &self.is_finished())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl Handshake {
    /// NK initiator: the expert answering an invitation whose static public
    /// key is `responder_static_public` (requested help).
    pub fn nk_initiator(
        rng: &mut impl CryptoRngCore,
        responder_static_public: &[u8; KEY_LEN],
    ) -> Result<Self, HandshakeError> {
        Self::build(
            Pattern::Nk,
            true,
            PROLOGUE,
            None,
            keys::ephemeral(rng),
            Some(*responder_static_public),
        )
    }

    /// NK responder: the novice, holding the invitation's static secret.
    pub fn nk_responder(
        rng: &mut impl CryptoRngCore,
        static_secret: &[u8; KEY_LEN],
    ) -> Result<Self, HandshakeError> {
        Self::build(
            Pattern::Nk,
            false,
            PROLOGUE,
            Some(StaticKeypair::from_secret(*static_secret).to_engine()),
            keys::ephemeral(rng),
            None,
        )
    }

    /// XX initiator: the expert offering help, with their identity key.
    pub fn xx_initiator(
        rng: &mut impl CryptoRngCore,
        static_secret: &[u8; KEY_LEN],
    ) -> Result<Self, HandshakeError> {
        Self::build(
            Pattern::Xx,
            true,
            PROLOGUE,
            Some(StaticKeypair::from_secret(*static_secret).to_engine()),
            keys::ephemeral(rng),
            None,
        )
    }

    /// XX responder: the novice's machine receiving offered help, with its
    /// machine key.
    pub fn xx_responder(
        rng: &mut impl CryptoRngCore,
        static_secret: &[u8; KEY_LEN],
    ) -> Result<Self, HandshakeError> {
        Self::build(
            Pattern::Xx,
            false,
            PROLOGUE,
            Some(StaticKeypair::from_secret(*static_secret).to_engine()),
            keys::ephemeral(rng),
            None,
        )
    }
}

impl<H: HandshakeHash> Handshake<H> {
    /// A handshake with every key fixed by the caller and any prologue, for
    /// the Noise conformance vectors. Not for sessions: a fixed ephemeral key
    /// used twice breaks the protocol's security.
    #[doc(hidden)]
    pub fn with_fixed_keys(
        pattern: Pattern,
        initiator: bool,
        prologue: &[u8],
        static_secret: Option<&[u8; KEY_LEN]>,
        ephemeral_secret: &[u8; KEY_LEN],
        remote_static: Option<&[u8; KEY_LEN]>,
    ) -> Result<Self, HandshakeError> {
        let needs_remote_static = pattern == Pattern::Nk && initiator;
        let needs_static = !(pattern == Pattern::Nk && initiator);
        if needs_remote_static != remote_static.is_some() || needs_static != static_secret.is_some()
        {
            return Err(HandshakeError::Internal);
        }
        Self::build(
            pattern,
            initiator,
            prologue,
            static_secret.map(|secret| StaticKeypair::from_secret(*secret).to_engine()),
            StaticKeypair::from_secret(*ephemeral_secret).to_engine(),
            remote_static.copied(),
        )
    }

    fn build(
        pattern: Pattern,
        initiator: bool,
        prologue: &[u8],
        local_static: Option<EngineKeyPair>,
        ephemeral: EngineKeyPair,
        remote_static: Option<[u8; KEY_LEN]>,
    ) -> Result<Self, HandshakeError> {
        let noise_pattern = match pattern {
            Pattern::Nk => noise_nk(),
            Pattern::Xx => noise_xx(),
        };
        let local_ephemeral = ephemeral.public;
        // Clatter panics on malformed psk patterns; NK and XX have no psk.
        let noise = Engine::<H>::new(
            noise_pattern,
            prologue,
            initiator,
            local_static,
            Some(ephemeral),
            remote_static,
            None,
        )?;
        let h0 = *noise.get_state().get_hash();
        Ok(Self {
            noise,
            pattern,
            initiator,
            local_ephemeral,
            h0,
            wrote: false,
            failed: false,
        })
    }

    /// The pattern this handshake runs.
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// `true` on the side that writes message 1 (the expert, in Beckon).
    pub fn is_initiator(&self) -> bool {
        self.initiator
    }

    /// Write the next handshake message, carrying `payload`, into `out`;
    /// returns the message's length.
    ///
    /// The payload of NK message 1 and of every message after it is
    /// encrypted; the payload of XX message 1 is not (put nothing secret
    /// there).
    pub fn write_message(
        &mut self,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        self.check_turn(true)?;
        let message_len = payload
            .len()
            .checked_add(self.noise.get_next_message_overhead()?)
            .ok_or(HandshakeError::TooLong)?;
        // Guarding here also keeps clatter's own length panic unreachable.
        if message_len > MAX_HANDSHAKE_MESSAGE {
            return Err(HandshakeError::TooLong);
        }
        if out.len() < message_len {
            return Err(HandshakeError::BufferTooSmall);
        }
        let written = self
            .noise
            .write_message(payload, out)
            .inspect_err(|_| self.failed = true)?;
        if !self.wrote {
            // Each side's first message starts with its ephemeral key (`e` in
            // both patterns). It must be the one drawn from the caller's RNG.
            if out.get(..KEY_LEN) != Some(&self.local_ephemeral[..]) {
                self.failed = true;
                out.fill(0);
                return Err(HandshakeError::Internal);
            }
            self.wrote = true;
        }
        Ok(written)
    }

    /// Write the next handshake message as a frame,
    /// `[u16 big-endian length][message]`, into `out`; returns the frame's
    /// length.
    pub fn write_framed(
        &mut self,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        if out.len() < FRAME_HEADER_LEN {
            return Err(HandshakeError::BufferTooSmall);
        }
        let (header, body) = out.split_at_mut(FRAME_HEADER_LEN);
        let written = self.write_message(payload, body)?;
        framing::write_frame_header(written, header)?;
        Ok(FRAME_HEADER_LEN + written)
    }

    /// Read the peer's next handshake message; its payload goes to
    /// `payload_out` and its length is returned.
    ///
    /// Any bytes are accepted: the result is `Ok` or an error, never a panic.
    /// A message that fails authentication ends the handshake; to try one
    /// message against several keys, use [`Handshake::trial_read`].
    pub fn read_message(
        &mut self,
        message: &[u8],
        payload_out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        self.check_turn(false)?;
        // Also keeps clatter's panic on messages over 65535 bytes unreachable.
        if message.len() > MAX_HANDSHAKE_MESSAGE {
            return Err(HandshakeError::TooLong);
        }
        let overhead = self.noise.get_next_message_overhead()?;
        let Some(payload_len) = message.len().checked_sub(overhead) else {
            self.failed = true;
            return Err(HandshakeError::InvalidMessage);
        };
        if payload_out.len() < payload_len {
            return Err(HandshakeError::BufferTooSmall);
        }
        self.noise
            .read_message(message, payload_out)
            .map_err(|error| {
                self.failed = true;
                // The engine copies ciphertext out before authenticating it; leave
                // nothing behind from a message that failed.
                if let Some(written) = payload_out.get_mut(..payload_len) {
                    written.fill(0);
                }
                HandshakeError::from(error)
            })
    }

    /// Read `message` on a copy of this handshake and return the copy, now a
    /// step further, with the payload's length; `self` is left as it was.
    ///
    /// This is trial decryption: the novice holds one NK responder per open
    /// invitation and offers an incoming message 1 to each until one
    /// authenticates it. Keep only the returned copy.
    pub fn trial_read(
        &self,
        message: &[u8],
        payload_out: &mut [u8],
    ) -> Result<(Self, usize), HandshakeError> {
        let mut attempt = self.clone();
        let payload_len = attempt.read_message(message, payload_out)?;
        Ok((attempt, payload_len))
    }

    /// `true` once every message has been written or read.
    pub fn is_finished(&self) -> bool {
        !self.failed && self.noise.is_finished()
    }

    /// `true` when the next step is [`Handshake::write_message`].
    pub fn is_write_turn(&self) -> bool {
        !self.failed && self.noise.is_write_turn()
    }

    /// 32 bytes that name this handshake and no other, for the password
    /// proof in NK message 1: a MAC over it cannot be replayed in another
    /// handshake.
    ///
    /// It is `BLAKE2s("beckon password binding" || h0 || e_i)`, where `h0`
    /// is the Noise handshake hash after the prologue and pre-messages and
    /// `e_i` the initiator's ephemeral public key. The initiator knows it
    /// from the start; the responder once it has read message 1. `None`
    /// before that, and after a failure.
    pub fn binding(&self) -> Option<[u8; 32]> {
        if self.failed {
            return None;
        }
        let initiator_ephemeral = if self.initiator {
            self.local_ephemeral
        } else {
            self.noise.get_remote_ephemeral()?
        };
        Some(binding::derive(&self.h0, &initiator_ephemeral))
    }

    /// The peer's static public key, once known: for an NK initiator the key
    /// it was built with, for XX after the message that carries it. `None`
    /// otherwise, and after a failure.
    pub fn remote_static(&self) -> Option<[u8; KEY_LEN]> {
        if self.failed {
            return None;
        }
        self.noise.get_remote_static()
    }

    /// The Noise handshake hash `h` so far; after the last message it is
    /// unique to this session and equal on both sides.
    pub fn handshake_hash(&self) -> [u8; 32] {
        *self.noise.get_state().get_hash()
    }

    /// The record layer for the finished handshake: this side's sending and
    /// receiving keys from the Noise `Split()`.
    pub fn into_transport(self) -> Result<Transport, HandshakeError> {
        if self.failed {
            return Err(HandshakeError::Failed);
        }
        if !self.noise.is_finished() {
            return Err(HandshakeError::NotFinished);
        }
        let ciphers = self.noise.finalize()?.take();
        let (to_responder, _) = ciphers.initiator_to_responder.take();
        let (to_initiator, _) = ciphers.responder_to_initiator.take();
        let transport = if self.initiator {
            Transport::from_keys(*to_responder, *to_initiator)
        } else {
            Transport::from_keys(*to_initiator, *to_responder)
        };
        Ok(transport)
    }

    /// Refuse a step taken out of turn, after a failure or after the end.
    /// Clatter would panic if asked to read once finished.
    fn check_turn(&self, writing: bool) -> Result<(), HandshakeError> {
        if self.failed {
            Err(HandshakeError::Failed)
        } else if self.noise.is_finished() || self.noise.is_write_turn() != writing {
            Err(HandshakeError::WrongTurn)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
