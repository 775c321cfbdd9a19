//! X25519 key pairs: the long-lived static keys and the per-handshake
//! ephemeral keys.

use clatter::bytearray::SensitiveByteArray;
use rand_core::CryptoRngCore;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::engine::EngineKeyPair;

/// An X25519 static key pair: an invitation's key on the novice's side, a
/// helper's identity key, a machine's key for offered help. The secret is
/// wiped when the value is dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct StaticKeypair {
    /// The secret scalar. Keep it to yourself.
    pub secret: [u8; 32],
    /// The public key that goes into invitations and policies.
    pub public: [u8; 32],
}

impl StaticKeypair {
    /// A fresh key pair from the caller's RNG.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let secret = StaticSecret::random_from_rng(&mut *rng);
        Self {
            public: PublicKey::from(&secret).to_bytes(),
            secret: secret.to_bytes(),
        }
    }

    /// The key pair of a stored secret.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        let secret = StaticSecret::from(secret);
        Self {
            public: PublicKey::from(&secret).to_bytes(),
            secret: secret.to_bytes(),
        }
    }

    pub(super) fn to_engine(&self) -> EngineKeyPair {
        EngineKeyPair::new(self.public, SensitiveByteArray::new(self.secret))
    }
}

impl core::fmt::Debug for StaticKeypair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StaticKeypair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A one-time key pair for one handshake, drawn from the caller's RNG so
/// that clatter never needs an RNG of its own.
pub(super) fn ephemeral(rng: &mut impl CryptoRngCore) -> EngineKeyPair {
    StaticKeypair::generate(rng).to_engine()
}
