//! The novice's book of invitations: creation, listing, revocation and the
//! connect-time check (INV-01…INV-04, INV-06, INV-07, INV-10).
//!
//! The book is plain data (`Serialize`/`Deserialize`); the driver saves it
//! after every change that matters (create, revoke, a counted failure, use),
//! because a failure count that is lost on restart would let an attacker
//! reset the lock by making the novice's program restart.

use core::fmt;

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroize;

use super::password::{derive_password_key, proof_matches, PasswordParams, SALT_BYTES};
use super::{
    Address, Invitation, InvitationId, DEFAULT_KDF_ITERATIONS, DEFAULT_MAX_FAILURES, MAX_ADDRESSES,
    MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
};
use crate::message::MAX_NAME_BYTES;
use crate::reason::EndReason;

/// Where an invitation stands, as listed to the novice (INV-04).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InvitationStatus {
    /// Can still be used.
    Open,
    /// An expert was admitted with it and the novice accepted; single use.
    Used,
    /// Its expiry time has passed (INV-03).
    Expired,
    /// The novice revoked it (INV-04).
    Revoked,
    /// Too many wrong passwords (INV-10).
    Locked,
}

impl InvitationStatus {
    /// Why a connection with an invitation in this status is refused, or
    /// `None` when it is open.
    pub const fn refusal(self) -> Option<EndReason> {
        match self {
            InvitationStatus::Open => None,
            InvitationStatus::Used => Some(EndReason::AlreadyUsed),
            InvitationStatus::Expired => Some(EndReason::Expired),
            InvitationStatus::Revoked => Some(EndReason::Revoked),
            InvitationStatus::Locked => Some(EndReason::Locked),
        }
    }
}

/// What the novice chose for a new invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewInvitation<'a> {
    /// The novice's display name, at most [`MAX_NAME_BYTES`], not empty.
    pub novice_name: &'a str,
    /// Wall-clock Unix time in ms when the invitation stops working; must be
    /// after the creation time (INV-03).
    pub expires_at_ms: u64,
    /// Where the expert should connect, at most [`MAX_ADDRESSES`] of at most
    /// [`super::MAX_ADDRESS_BYTES`] each. May be empty when the invitation
    /// travels as a live request through the relay.
    pub addresses: &'a [&'a str],
    /// The password the expert must type, if any (INV-02). Not empty.
    pub password: Option<&'a [u8]>,
    /// PBKDF2 rounds for the password key; see [`DEFAULT_KDF_ITERATIONS`].
    pub kdf_iterations: u32,
}

impl<'a> NewInvitation<'a> {
    /// An invitation without addresses or password, with the default rounds.
    pub const fn new(novice_name: &'a str, expires_at_ms: u64) -> Self {
        NewInvitation {
            novice_name,
            expires_at_ms,
            addresses: &[],
            password: None,
            kdf_iterations: DEFAULT_KDF_ITERATIONS,
        }
    }
}

/// Why [`InvitationBook::create`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BookError {
    /// Every slot holds an open invitation; revoke one first.
    #[error("too many open invitations: revoke one first")]
    Full,
    /// The name is empty.
    #[error("the invitation needs your name")]
    EmptyName,
    /// The name is longer than [`MAX_NAME_BYTES`].
    #[error("the name is too long")]
    NameTooLong,
    /// More than [`MAX_ADDRESSES`] addresses.
    #[error("too many addresses for one invitation")]
    TooManyAddresses,
    /// An address is empty.
    #[error("an address is empty")]
    EmptyAddress,
    /// An address is longer than [`super::MAX_ADDRESS_BYTES`].
    #[error("an address is too long")]
    AddressTooLong,
    /// The expiry is not after the creation time.
    #[error("the expiry time has already passed")]
    ExpiryInPast,
    /// The password is empty (leave it out instead).
    #[error("the password is empty")]
    EmptyPassword,
    /// The rounds are outside `MIN_KDF_ITERATIONS..=MAX_KDF_ITERATIONS`.
    #[error("the password strengthening rounds are out of range")]
    BadKdfIterations,
}

/// One invitation with its secrets and history, as kept by the novice.
///
/// Fields are private so that only the book's rules change them; secrets are
/// wiped when the entry is dropped and left out of `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct BookEntry {
    invitation: Invitation,
    secret_key: [u8; 32],
    verifier: Option<[u8; 32]>,
    created_at_ms: u64,
    revoked: bool,
    used: bool,
    failures: u8,
}

impl BookEntry {
    /// The public invitation.
    pub fn invitation(&self) -> &Invitation {
        &self.invitation
    }

    /// The invitation's X25519 static secret, for the `NK` responder.
    pub fn secret_key(&self) -> &[u8; 32] {
        &self.secret_key
    }

    /// Whether the expert must prove the password.
    pub fn has_password(&self) -> bool {
        self.verifier.is_some()
    }

    /// When the invitation was created, wall-clock Unix time in ms.
    pub fn created_at_ms(&self) -> u64 {
        self.created_at_ms
    }

    /// Whether the novice revoked it.
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// Whether a session was accepted with it.
    pub fn is_used(&self) -> bool {
        self.used
    }

    /// Wrong or missing password proofs counted so far.
    pub fn failures(&self) -> u8 {
        self.failures
    }

    /// The status at `now_ms`, given the book's lock threshold.
    ///
    /// When several apply, the one shown is: used (history that stays true),
    /// then revoked (the novice's own latest decision), then locked, then
    /// expired. [`InvitationBook::check`] refuses with the same precedence, so
    /// the expert hears the reason the novice sees in the list.
    pub fn status(&self, now_ms: u64, max_failures: u8) -> InvitationStatus {
        if self.used {
            InvitationStatus::Used
        } else if self.revoked {
            InvitationStatus::Revoked
        } else if self.failures >= max_failures {
            InvitationStatus::Locked
        } else if self.invitation.is_expired(now_ms) {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Open
        }
    }
}

impl Drop for BookEntry {
    fn drop(&mut self) {
        self.secret_key.zeroize();
        self.verifier.zeroize();
    }
}

impl fmt::Debug for BookEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BookEntry")
            .field("invitation", &self.invitation)
            .field("secret_key", &"<secret>")
            .field("has_password", &self.verifier.is_some())
            .field("created_at_ms", &self.created_at_ms)
            .field("revoked", &self.revoked)
            .field("used", &self.used)
            .field("failures", &self.failures)
            .finish()
    }
}

/// The novice's invitations, at most `N` of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvitationBook<const N: usize> {
    entries: heapless::Vec<BookEntry, N>,
    max_failures: u8,
}

impl<const N: usize> Default for InvitationBook<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> InvitationBook<N> {
    /// An empty book that locks an invitation after
    /// [`DEFAULT_MAX_FAILURES`] wrong passwords.
    pub const fn new() -> Self {
        Self::with_max_failures(DEFAULT_MAX_FAILURES)
    }

    /// An empty book that locks after `max` wrong passwords; `0` is taken as
    /// `1` (an invitation nobody could ever use is not a setting).
    pub const fn with_max_failures(max: u8) -> Self {
        InvitationBook {
            entries: heapless::Vec::new(),
            max_failures: if max == 0 { 1 } else { max },
        }
    }

    /// Wrong passwords tolerated before an invitation locks. At least 1,
    /// even if a saved book says 0.
    pub fn max_failures(&self) -> u8 {
        self.max_failures.max(1)
    }

    /// How many invitations the book holds, in any status.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the book holds no invitation.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Create an invitation (INV-01, INV-02, INV-03): a fresh X25519 static
    /// keypair, a random id and, with a password, a random salt and the
    /// stored verifier.
    ///
    /// When the book is full, the oldest entry that can no longer admit
    /// anyone (expired, revoked, used or locked at `now_ms`) makes room;
    /// open invitations are never dropped silently, so with all `N` open the
    /// result is [`BookError::Full`].
    pub fn create(
        &mut self,
        rng: &mut impl CryptoRngCore,
        new: &NewInvitation<'_>,
        now_ms: u64,
    ) -> Result<&Invitation, BookError> {
        let novice_name = validate_name(new.novice_name)?;
        let addresses = validate_addresses(new.addresses)?;
        if new.expires_at_ms <= now_ms {
            return Err(BookError::ExpiryInPast);
        }
        if let Some(password) = new.password {
            if password.is_empty() {
                return Err(BookError::EmptyPassword);
            }
            if !(MIN_KDF_ITERATIONS..=MAX_KDF_ITERATIONS).contains(&new.kdf_iterations) {
                return Err(BookError::BadKdfIterations);
            }
        }
        if self.entries.is_full() {
            self.evict_one_closed(now_ms)?;
        }

        let id = InvitationId::random(rng);
        let secret = StaticSecret::random_from_rng(&mut *rng);
        let novice_key = PublicKey::from(&secret).to_bytes();
        let (password, verifier) = match new.password {
            Some(password) => {
                let mut salt = [0u8; SALT_BYTES];
                rng.fill_bytes(&mut salt);
                let params = PasswordParams {
                    salt,
                    iterations: new.kdf_iterations,
                };
                (Some(params), Some(derive_password_key(password, &params)))
            }
            None => (None, None),
        };
        let entry = BookEntry {
            invitation: Invitation {
                id,
                novice_key,
                novice_name,
                expires_at_ms: new.expires_at_ms,
                addresses,
                password,
            },
            secret_key: secret.to_bytes(),
            verifier,
            created_at_ms: now_ms,
            revoked: false,
            used: false,
            failures: 0,
        };
        self.entries.push(entry).map_err(|_| BookError::Full)?;
        self.entries
            .last()
            .map(|entry| &entry.invitation)
            .ok_or(BookError::Full)
    }

    /// Drop the oldest entry that is not open at `now_ms`.
    fn evict_one_closed(&mut self, now_ms: u64) -> Result<(), BookError> {
        let max_failures = self.max_failures();
        let oldest_closed = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.status(now_ms, max_failures) != InvitationStatus::Open)
            .min_by_key(|(_, entry)| entry.created_at_ms)
            .map(|(index, _)| index)
            .ok_or(BookError::Full)?;
        // `remove` keeps creation order for the list; the index comes from
        // `enumerate` over the same vector, so it is in bounds.
        drop(self.entries.remove(oldest_closed));
        Ok(())
    }

    /// Every entry, oldest first, secrets included.
    pub fn entries(&self) -> impl Iterator<Item = &BookEntry> {
        self.entries.iter()
    }

    /// The entry for `id`, if known.
    pub fn entry(&self, id: &InvitationId) -> Option<&BookEntry> {
        self.entries.iter().find(|entry| entry.invitation.id == *id)
    }

    /// Every invitation with its status at `now_ms`, oldest first (INV-04).
    pub fn list(&self, now_ms: u64) -> impl Iterator<Item = (&Invitation, InvitationStatus)> {
        let max_failures = self.max_failures();
        self.entries
            .iter()
            .map(move |entry| (&entry.invitation, entry.status(now_ms, max_failures)))
    }

    /// The status of `id` at `now_ms`, or `None` if unknown.
    pub fn status(&self, id: &InvitationId, now_ms: u64) -> Option<InvitationStatus> {
        self.entry(id)
            .map(|entry| entry.status(now_ms, self.max_failures()))
    }

    /// Revoke one invitation (INV-04). `false` if the id is unknown.
    /// Revoking twice is harmless.
    pub fn revoke(&mut self, id: &InvitationId) -> bool {
        match self.entry_mut(id) {
            Some(entry) => {
                entry.revoked = true;
                true
            }
            None => false,
        }
    }

    /// Revoke every invitation (INV-04). Returns how many could still have
    /// admitted someone: not revoked, used or locked before. The book has no
    /// clock, so invitations that expired but were never closed count too;
    /// to report exactly, count [`InvitationStatus::Open`] in
    /// [`InvitationBook::list`] first.
    pub fn revoke_all(&mut self) -> usize {
        let max_failures = self.max_failures();
        let mut newly_closed = 0;
        for entry in self.entries.iter_mut() {
            if !entry.revoked && !entry.used && entry.failures < max_failures {
                newly_closed += 1;
            }
            entry.revoked = true;
        }
        newly_closed
    }

    /// The connect-time check (INV-06, INV-07, INV-10), run when an expert's
    /// first handshake message decrypted with one of the book's keys.
    ///
    /// - `novice_key_used`: the public key of the secret that decrypted the
    ///   message; `id` and `proof` come from the message's payload;
    ///   `binding` is the handshake's unique 32-byte value the proof covers.
    ///
    /// The checks run in this order, each for a reason:
    /// 1. The id is known and `novice_key_used` is *its* key, else
    ///    [`EndReason::UnknownInvitation`]. An id that arrived under another
    ///    invitation's key proves nothing about this one (INV-11), and says
    ///    nothing about its status to someone who never held it.
    /// 2. Used, revoked, locked, expired — refused with the reason the
    ///    novice's list shows. This comes *before* the password so that no
    ///    guess is ever evaluated on a dead invitation: nothing is counted,
    ///    and nothing is learnt about the password by trying it there. In
    ///    particular a locked invitation refuses even the right password.
    /// 3. The password proof, when the invitation has a password. A wrong or
    ///    missing proof counts a failure; the failure that reaches
    ///    `max_failures` locks the invitation and is answered with
    ///    [`EndReason::Locked`] so the expert knows to ask for a new one,
    ///    earlier ones with [`EndReason::WrongPassword`]. A correct proof
    ///    does not reset the count: the limit is on guesses per invitation,
    ///    not in a row.
    ///
    /// Passing the check does not use the invitation: call
    /// [`InvitationBook::mark_used`] once the novice accepted the session, so
    /// a declined or abandoned attempt leaves it open.
    pub fn check(
        &mut self,
        now_ms: u64,
        id: &InvitationId,
        novice_key_used: &[u8; 32],
        proof: Option<&[u8; 32]>,
        binding: &[u8; 32],
    ) -> Result<&BookEntry, EndReason> {
        let max_failures = self.max_failures();
        let entry = self
            .entries
            .iter_mut()
            .find(|entry| entry.invitation.id == *id)
            .ok_or(EndReason::UnknownInvitation)?;
        if !bool::from(entry.invitation.novice_key.ct_eq(novice_key_used)) {
            return Err(EndReason::UnknownInvitation);
        }
        if let Some(refusal) = entry.status(now_ms, max_failures).refusal() {
            return Err(refusal);
        }
        if let Some(verifier) = &entry.verifier {
            let correct = proof.is_some_and(|proof| proof_matches(verifier, binding, proof));
            if !correct {
                entry.failures = entry.failures.saturating_add(1);
                return Err(if entry.failures >= max_failures {
                    EndReason::Locked
                } else {
                    EndReason::WrongPassword
                });
            }
        }
        Ok(entry)
    }

    /// Mark an invitation used once the novice accepted a session with it:
    /// invitations are single use. `false` if the id is unknown.
    pub fn mark_used(&mut self, id: &InvitationId) -> bool {
        match self.entry_mut(id) {
            Some(entry) => {
                entry.used = true;
                true
            }
            None => false,
        }
    }

    fn entry_mut(&mut self, id: &InvitationId) -> Option<&mut BookEntry> {
        self.entries
            .iter_mut()
            .find(|entry| entry.invitation.id == *id)
    }
}

fn validate_name(name: &str) -> Result<heapless::String<MAX_NAME_BYTES>, BookError> {
    if name.trim().is_empty() {
        return Err(BookError::EmptyName);
    }
    heapless::String::try_from(name).map_err(|_| BookError::NameTooLong)
}

fn validate_addresses(
    addresses: &[&str],
) -> Result<heapless::Vec<Address, MAX_ADDRESSES>, BookError> {
    if addresses.len() > MAX_ADDRESSES {
        return Err(BookError::TooManyAddresses);
    }
    let mut out = heapless::Vec::new();
    for address in addresses {
        if address.trim().is_empty() {
            return Err(BookError::EmptyAddress);
        }
        let address = Address::try_from(*address).map_err(|_| BookError::AddressTooLong)?;
        out.push(address).map_err(|_| BookError::TooManyAddresses)?;
    }
    Ok(out)
}
