//! Invitation passwords (INV-02, INV-05, INV-06, INV-10).
//!
//! How the pieces fit together is described in the `invitation` module's
//! documentation (section *Passwords*).
//!
//! The derivation is PBKDF2-HMAC-SHA256: slow enough that a stolen verifier
//! does not give the password away cheaply, available in a no_std crate, and
//! cheap to run on the dongle's MCU at creation time. The connect-time check
//! on the novice's side is a single HMAC, so locking and counting are cheap
//! even under a flood of attempts.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::InvitationError;

/// Length of the random per-invitation salt.
pub const SALT_BYTES: usize = 16;

/// Default PBKDF2-HMAC-SHA256 rounds for new invitations.
///
/// Each round costs two SHA-256 block compressions. A software compression
/// on a Cortex-M7 at 480 MHz takes roughly 1 500–2 000 cycles (3–4 µs), so
/// 30 000 rounds take about 0.2–0.25 s: acceptable once, when the dongle
/// creates an invitation, and the dongle never derives a key at connect time
/// (it checks with one HMAC). On a desktop the expert waits a few
/// milliseconds after typing the password (about 4 ms measured on x86-64
/// with SHA extensions, release build). The count is far below the figures
/// recommended for stored *login* hashes because the verifier never leaves
/// the novice's machine: the online limit of [`super::DEFAULT_MAX_FAILURES`]
/// guesses is the real protection; the rounds only slow down someone who
/// stole the novice's book.
pub const DEFAULT_KDF_ITERATIONS: u32 = 30_000;

/// Fewest rounds accepted when creating or reading an invitation.
pub const MIN_KDF_ITERATIONS: u32 = 1_000;

/// Most rounds accepted when reading an invitation. The expert's machine runs
/// this many rounds for whatever invitation it was handed; the cap keeps a
/// crafted invitation from making it spin for hours (0.3 s measured at the
/// cap on x86-64 with SHA extensions, a few seconds without).
pub const MAX_KDF_ITERATIONS: u32 = 2_000_000;

/// Separates the derived key from any other use of PBKDF2 with the same
/// password and salt.
const KDF_LABEL: &[u8] = b"beckon invitation password v1\0";

/// Separates the proof from any other MAC computed with the same key.
const PROOF_LABEL: &[u8] = b"beckon invitation password proof v1\0";

/// The public settings for deriving the password key. They travel in the
/// invitation; knowing them does not help guess the password offline because
/// there is nothing public to test a guess against.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PasswordParams {
    /// Random per invitation.
    pub salt: [u8; SALT_BYTES],
    /// PBKDF2 rounds, within `MIN_KDF_ITERATIONS..=MAX_KDF_ITERATIONS`.
    pub iterations: u32,
}

impl PasswordParams {
    /// Whether the settings are within the accepted range.
    pub fn validate(&self) -> Result<(), InvitationError> {
        if (MIN_KDF_ITERATIONS..=MAX_KDF_ITERATIONS).contains(&self.iterations) {
            Ok(())
        } else {
            Err(InvitationError::BadPasswordParams)
        }
    }
}

/// Derive the 32-byte password key with PBKDF2-HMAC-SHA256.
///
/// The novice stores the result as the invitation's verifier; the expert uses
/// it for [`password_proof`]. The caller owns the result and should zeroize it
/// when done. Pass the password exactly as typed (UTF-8); any normalisation is
/// the driver's choice and must be the same on both sides.
pub fn derive_password_key(password: &[u8], params: &PasswordParams) -> [u8; 32] {
    let mut salt = [0u8; KDF_LABEL.len() + SALT_BYTES];
    let (label_part, salt_part) = salt.split_at_mut(KDF_LABEL.len());
    label_part.copy_from_slice(KDF_LABEL);
    salt_part.copy_from_slice(&params.salt);
    pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, &salt, params.iterations)
}

/// The proof the expert sends: HMAC-SHA256 keyed with the password key over a
/// domain-separation label and the handshake's 32-byte `binding`.
pub fn password_proof(key: &[u8; 32], binding: &[u8; 32]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails; the fallback is
    // only there to keep the function free of panics.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0u8; 32];
    };
    mac.update(PROOF_LABEL);
    mac.update(binding);
    mac.finalize().into_bytes().into()
}

/// The novice's side: whether `proof` is the right proof for `binding` under
/// `verifier`. Compares in constant time so timing reveals nothing about how
/// close a guess came.
pub fn proof_matches(verifier: &[u8; 32], binding: &[u8; 32], proof: &[u8; 32]) -> bool {
    let mut expected = password_proof(verifier, binding);
    let matches = expected.ct_eq(proof).into();
    expected.zeroize();
    matches
}
