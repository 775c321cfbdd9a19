//! Machine settings and the offered-help policy (SES-03, OFF-01…OFF-07).
//!
//! Everything here is data plus pure decision functions that return a
//! machine-readable reason. The driver loads the settings and the policy
//! (from a file, an administrator's tool, the dongle's storage) and passes
//! the current ones to each decision, so a changed policy applies to the very
//! next connection without a restart (OFF-04).
//!
//! Layout:
//! - this file: settings, the policy, and the admission and control decisions;
//! - `certificate.rs`: group-signed helper certificates ([`HelperCertificate`]);
//! - `explain.rs`: what `beckon policy check` shows (OFF-07, [`explain_offer`],
//!   [`Policy::problems`]).

mod certificate;
mod explain;

use serde::{Deserialize, Serialize};

use crate::message::MAX_NAME_BYTES;
use crate::reason::{ControlRefusal, EndReason, Level};

pub use certificate::{CertificateError, HelperCertificate, SIGNED_MESSAGE_CAP};
pub use explain::{explain_offer, EntryProblem, OfferExplanation};

/// What the machine's administrator allows (SES-03, OFF-01, OFF-06).
///
/// The default is the safe one: no remote control, invitations allowed,
/// offered help off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MachineSettings {
    /// Whether a helper may ever be granted shared control (SES-03). Even
    /// when on, the novice is asked in every session.
    pub allow_remote_control: bool,
    /// Whether invitations (requested help) are accepted.
    pub requested_help: bool,
    /// Whether helpers listed in the policy may offer help without an
    /// invitation (OFF-01). Independent of `requested_help` (OFF-06).
    pub offered_help: bool,
}

impl Default for MachineSettings {
    fn default() -> Self {
        MachineSettings {
            allow_remote_control: false,
            requested_help: true,
            offered_help: false,
        }
    }
}

/// Who a policy entry is about (OFF-02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Subject {
    /// One helper, by the X25519 Noise static public key it proves in the
    /// handshake.
    Helper([u8; 32]),
    /// Every helper holding a valid [`HelperCertificate`] signed by this
    /// Ed25519 group key.
    Group([u8; 32]),
}

/// One line of the policy: a helper or group, a name for people, and what
/// they may do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PolicyEntry {
    /// Who.
    pub subject: Subject,
    /// A name for administrators and the consent prompt.
    pub name: heapless::String<MAX_NAME_BYTES>,
    /// What they may do; `None` means the policy's default level (the old
    /// system's single level for everyone, OFF-03).
    pub level: Option<Level>,
}

/// The offered-help policy: which helpers are admitted and at what level
/// (OFF-02, OFF-03).
///
/// A subject appears at most once when built with [`Policy::allow`]; if a
/// policy read from elsewhere lists one twice, the first entry counts and
/// [`Policy::problems`] reports the later one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Policy<const N: usize> {
    /// The level of entries that do not set their own.
    pub default_level: Level,
    /// The helpers and groups admitted, at most `N`.
    pub entries: heapless::Vec<PolicyEntry, N>,
}

impl<const N: usize> Default for Policy<N> {
    /// An empty policy whose default level is view only.
    fn default() -> Self {
        Self::new(Level::ViewOnly)
    }
}

/// Why a policy or certificate could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PolicyError {
    /// A name is longer than [`MAX_NAME_BYTES`].
    #[error("the name is too long")]
    NameTooLong,
    /// The policy has no room for another entry.
    #[error("the policy has no room for another entry")]
    Full,
}

impl<const N: usize> Policy<N> {
    /// An empty policy with the given default level.
    pub const fn new(default_level: Level) -> Self {
        Policy {
            default_level,
            entries: heapless::Vec::new(),
        }
    }

    /// Admit `subject` at `level` (`None`: the default level). An existing
    /// entry for the same subject is replaced in place.
    pub fn allow(
        &mut self,
        subject: Subject,
        name: &str,
        level: Option<Level>,
    ) -> Result<(), PolicyError> {
        let entry = PolicyEntry {
            subject,
            name: heapless::String::try_from(name).map_err(|_| PolicyError::NameTooLong)?,
            level,
        };
        match self
            .entries
            .iter_mut()
            .find(|existing| existing.subject == subject)
        {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry).map_err(|_| PolicyError::Full)?,
        }
        Ok(())
    }

    /// Admit one helper by its Noise static public key.
    pub fn allow_helper(
        &mut self,
        helper_key: [u8; 32],
        name: &str,
        level: Option<Level>,
    ) -> Result<(), PolicyError> {
        self.allow(Subject::Helper(helper_key), name, level)
    }

    /// Admit every helper certified by a group's Ed25519 key.
    pub fn allow_group(
        &mut self,
        group_key: [u8; 32],
        name: &str,
        level: Option<Level>,
    ) -> Result<(), PolicyError> {
        self.allow(Subject::Group(group_key), name, level)
    }

    /// Remove the entry for `subject`; `false` if there was none.
    pub fn remove(&mut self, subject: &Subject) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| entry.subject != *subject);
        self.entries.len() != before
    }

    /// The entry that applies to `subject` (the first one listing it).
    pub fn find(&self, subject: &Subject) -> Option<&PolicyEntry> {
        self.entries.iter().find(|entry| entry.subject == *subject)
    }

    /// The level an entry grants: its own, or the policy's default.
    pub fn effective_level(&self, entry: &PolicyEntry) -> Level {
        entry.level.unwrap_or(self.default_level)
    }

    /// Every entry with the level it grants (OFF-07).
    pub fn effective_levels(&self) -> impl Iterator<Item = (&PolicyEntry, Level)> {
        self.entries
            .iter()
            .map(move |entry| (entry, self.effective_level(entry)))
    }
}

/// A helper admitted by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Admission {
    /// What the helper may do in the session.
    pub level: Level,
    /// The entry that admitted the helper: the helper's own key, or the
    /// group whose certificate the helper presented.
    pub matched: Subject,
}

/// May this helper offer help to this machine (OFF-01…OFF-03, OFF-06)?
///
/// - Offered help must be on; whether requested help is on does not matter
///   (OFF-06). Otherwise [`EndReason::OfferedHelpDisabled`].
/// - If the policy lists `helper_key` itself, that entry decides, whatever
///   certificate comes along.
/// - Otherwise a certificate from a listed group admits the helper at the
///   group's level if it is validly signed, unexpired at `now_ms` and for
///   `helper_key`; if not, [`EndReason::BadCertificate`].
/// - Anything else is [`EndReason::PolicyDenies`], including a valid
///   certificate from a group the policy does not list.
///
/// When a helper is listed by key *and* certified by a listed group, the
/// helper's own entry wins, even when the group's level is higher. The more
/// specific entry is the administrator's deliberate statement about this
/// person, and it is the only way to restrict one member of a group (e.g. a
/// trainee to view only); taking the higher level would silently ignore such
/// a restriction, while raising one member's level still works by listing it.
///
/// The decision also sets the level for the session; the novice still has to
/// accept the session and grant control (OFF-05).
pub fn decide_offer<const N: usize>(
    settings: &MachineSettings,
    policy: &Policy<N>,
    helper_key: &[u8; 32],
    cert: Option<&HelperCertificate>,
    now_ms: u64,
) -> Result<Admission, EndReason> {
    explain_offer(settings, policy, helper_key, cert, now_ms).decision
}

/// May an expert connect with an invitation at all (requested help)?
pub fn decide_request(settings: &MachineSettings) -> Result<(), EndReason> {
    if settings.requested_help {
        Ok(())
    } else {
        Err(EndReason::RequestedHelpDisabled)
    }
}

/// May the helper ask for shared control (SES-03, OFF-03)?
///
/// Only when the machine allows remote control *and* the helper's level is
/// [`Level::Control`]. A machine without remote control answers
/// [`ControlRefusal::DisabledOnMachine`] whatever the level: that is the
/// machine-wide reason, and telling the helper their level would only
/// suggest a policy change that could not help. The novice is still asked in
/// every session (SES-02); this decision only says whether asking is allowed.
pub fn decide_control(settings: &MachineSettings, level: Level) -> Result<(), ControlRefusal> {
    if !settings.allow_remote_control {
        return Err(ControlRefusal::DisabledOnMachine);
    }
    match level {
        Level::Control => Ok(()),
        Level::ViewOnly => Err(ControlRefusal::PolicyViewOnly),
    }
}
