//! The Noise engine under the handshake: `clatter`, fixed to X25519 and
//! ChaCha20-Poly1305, and the few adapters it needs.

use clatter::bytearray::SensitiveByteArray;
use clatter::crypto::cipher::ChaChaPoly;
use clatter::crypto::dh::X25519;
use clatter::NqHandshakeCore;
use rand_core::{CryptoRng, RngCore};

/// A hash function a [`super::Handshake`] can run with.
///
/// Beckon's protocol uses [`Blake2s`]. [`Sha256`] exists so that the public
/// Noise test vectors for `..._SHA256` exercise the same handshake code as
/// well. The trait is sealed: no other hash can be plugged in.
pub trait HandshakeHash: sealed::Sealed + Clone + core::fmt::Debug {
    /// The engine's implementation of this hash.
    #[doc(hidden)]
    type Noise: clatter::traits::Hash<Output = SensitiveByteArray<[u8; 32]>>;
}

/// BLAKE2s-256, the hash of `Noise_*_25519_ChaChaPoly_BLAKE2s`, Beckon's
/// protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blake2s {}

/// SHA-256, for conformance tests against the public Noise vectors only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sha256 {}

impl HandshakeHash for Blake2s {
    type Noise = clatter::crypto::hash::Blake2s;
}

impl HandshakeHash for Sha256 {
    type Noise = clatter::crypto::hash::Sha256;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Blake2s {}
    impl Sealed for super::Sha256 {}
}

/// The clatter handshake state Beckon drives.
pub(super) type Engine<H> =
    NqHandshakeCore<X25519, ChaChaPoly, <H as HandshakeHash>::Noise, EphemeralGivenUpFront>;

/// A key pair in the engine's own form.
pub(super) type EngineKeyPair = clatter::KeyPair<[u8; 32], SensitiveByteArray<[u8; 32]>>;

/// The RNG type parameter clatter insists on, deliberately without randomness.
///
/// Clatter takes its RNG as a *type* it builds with `Default`, so it cannot be
/// the caller's RNG, and this crate has no RNG of its own (no OS, no clock).
/// Clatter only draws from it to make an ephemeral key pair it was not given.
/// Every [`super::Handshake`] is built with an ephemeral key pair already
/// drawn from the caller's RNG, and clatter never discards it, so nothing ever
/// calls this type.
///
/// It is private to the handshake module, so no other code can pick it as an
/// RNG by mistake. Were it reached anyway, it would give zeros, the ephemeral
/// would not be the one Beckon drew, and `Handshake::write_message` refuses to
/// release any first message that does not carry the ephemeral Beckon drew.
/// So it fails closed, without panicking.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct EphemeralGivenUpFront;

impl RngCore for EphemeralGivenUpFront {
    fn next_u32(&mut self) -> u32 {
        0
    }

    fn next_u64(&mut self) -> u64 {
        0
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(0);
        Err(rand_core::Error::from(core::num::NonZeroU32::MIN))
    }
}

// Required by clatter's `Rng` bound. Not a claim of randomness: see the type's
// documentation for why this is never used to make a key.
impl CryptoRng for EphemeralGivenUpFront {}
