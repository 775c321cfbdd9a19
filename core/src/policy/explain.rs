//! Explaining a policy before it is rolled out (OFF-07): what `beckon policy
//! check` shows.
//!
//! [`explain_offer`] is the one implementation of the admission rules;
//! [`super::decide_offer`] returns its decision, so what the check tool says
//! is exactly what a machine will do. [`Policy::problems`] finds entries that
//! can never work — what the old tool could not do for the accounts typed
//! into it.

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};

use super::{Admission, CertificateError, HelperCertificate, MachineSettings, Policy, Subject};
use crate::reason::EndReason;

/// Everything that went into an offered-help decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OfferExplanation {
    /// The decision itself, as [`super::decide_offer`] returns it.
    pub decision: Result<Admission, EndReason>,
    /// Whether offered help is switched on in the settings.
    pub offered_help_enabled: bool,
    /// Index of the entry listing the helper's own key, if any.
    pub helper_entry: Option<usize>,
    /// Index of the entry listing the certificate's group, if a certificate
    /// was given and its group is listed.
    pub group_entry: Option<usize>,
    /// The certificate's own verdict (signature, expiry, helper key), when
    /// one was given. Reported even when it did not matter for the decision,
    /// so an administrator sees a broken certificate before it is needed.
    pub certificate: Option<Result<(), CertificateError>>,
}

/// Explain whether and why `helper_key`, optionally with `cert`, would be
/// admitted at `now_ms` (OFF-07). The rules are documented on
/// [`super::decide_offer`]. To check a certificate file on its own, pass its
/// `helper_key` as the helper key.
pub fn explain_offer<const N: usize>(
    settings: &MachineSettings,
    policy: &Policy<N>,
    helper_key: &[u8; 32],
    cert: Option<&HelperCertificate>,
    now_ms: u64,
) -> OfferExplanation {
    let helper_entry = position(policy, &Subject::Helper(*helper_key));
    let group_entry = cert.and_then(|cert| position(policy, &Subject::Group(cert.group_key)));
    let certificate = cert.map(|cert| cert.verify_for(helper_key, now_ms));

    let level_at = |index: usize| {
        policy
            .entries
            .get(index)
            .map(|entry| policy.effective_level(entry))
    };
    let decision = if !settings.offered_help {
        Err(EndReason::OfferedHelpDisabled)
    } else if let Some(level) = helper_entry.and_then(level_at) {
        Ok(Admission {
            level,
            matched: Subject::Helper(*helper_key),
        })
    } else {
        match (cert, group_entry.and_then(level_at), certificate) {
            (Some(cert), Some(level), Some(Ok(()))) => Ok(Admission {
                level,
                matched: Subject::Group(cert.group_key),
            }),
            (Some(_), Some(_), _) => Err(EndReason::BadCertificate),
            _ => Err(EndReason::PolicyDenies),
        }
    };
    OfferExplanation {
        decision,
        offered_help_enabled: settings.offered_help,
        helper_entry,
        group_entry,
        certificate,
    }
}

fn position<const N: usize>(policy: &Policy<N>, subject: &Subject) -> Option<usize> {
    policy
        .entries
        .iter()
        .position(|entry| entry.subject == *subject)
}

/// Something wrong with a policy entry that would make it never apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EntryProblem {
    /// A group key that is not a usable Ed25519 key: no certificate can ever
    /// verify under it (a typo, or an X25519 key pasted by mistake).
    InvalidGroupKey,
    /// A helper key that is a low-order X25519 point (e.g. all zeros): no
    /// handshake can prove it, so the entry admits nobody.
    InvalidHelperKey,
    /// The subject is already listed at this earlier index; this entry is
    /// ignored.
    Duplicate {
        /// Index of the entry that counts.
        first: usize,
    },
}

impl<const N: usize> Policy<N> {
    /// Entries that can never apply, with their index (OFF-07).
    pub fn problems(&self) -> impl Iterator<Item = (usize, EntryProblem)> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter_map(move |(index, entry)| {
                let first = position(self, &entry.subject).unwrap_or(index);
                let problem = if first != index {
                    Some(EntryProblem::Duplicate { first })
                } else {
                    match entry.subject {
                        Subject::Group(key) if !is_usable_group_key(&key) => {
                            Some(EntryProblem::InvalidGroupKey)
                        }
                        Subject::Helper(key) if !is_usable_helper_key(&key) => {
                            Some(EntryProblem::InvalidHelperKey)
                        }
                        _ => None,
                    }
                };
                problem.map(|problem| (index, problem))
            })
    }
}

fn is_usable_group_key(key: &[u8; 32]) -> bool {
    VerifyingKey::from_bytes(key).is_ok_and(|key| !key.is_weak())
}

/// Whether a Diffie-Hellman with this key yields a real shared secret. The
/// scalar is public and fixed: clamping makes every X25519 scalar a multiple
/// of the cofactor, so *any* scalar sends exactly the low-order points to
/// zero, which `was_contributory` detects.
fn is_usable_helper_key(key: &[u8; 32]) -> bool {
    StaticSecret::from([0x42; 32])
        .diffie_hellman(&PublicKey::from(*key))
        .was_contributory()
}
