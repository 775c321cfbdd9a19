//! The owner channel on the dongle (see `beckon_core::owner`): pairing with
//! the one-time code, then invitations and settings from `beckon dongle`.
//!
//! One owner connection at a time, on its own port and task, so managing
//! invitations never waits for (or disturbs) a helper's session.

mod invite;
#[cfg(feature = "embassy")]
mod serve;

pub use invite::{invite, MAX_MINUTES};
#[cfg(feature = "embassy")]
pub use serve::{serve, OwnerBuffers};

use rand_core::CryptoRngCore;

use crate::dongle::Dongle;
use crate::hw::Storage;

impl<R: CryptoRngCore + Send, S: Storage + Send> Dongle<R, S> {
    /// Whether an owner has paired with this dongle.
    pub fn has_owner(&self) -> bool {
        self.with(|s| s.owner.is_some())
    }
}
