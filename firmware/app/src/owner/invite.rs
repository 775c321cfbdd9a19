//! The owner's `invite`: an invitation in the dongle's book, possibly
//! pre-approved (unattended help). Apart from the channel's async loop so
//! host-sim can make the same invitations the owner would.

use beckon_core::invitation::{NewInvitation, MAX_ADDRESSES};
use beckon_core::owner::OwnerRefusal;
use rand_core::CryptoRngCore;

use crate::dongle::Dongle;
use crate::hw::Storage;

/// Longest invitation life the owner may ask for: a week.
pub const MAX_MINUTES: u32 = 7 * 24 * 60;

/// Make an invitation for `minutes` to helpers who connect to `addresses`,
/// with an optional password; `pre_approved` lets its helper in (and into
/// control, where the owner allowed control) without asking anyone at the
/// machine. Its text goes into `text`.
pub fn invite<R, S>(
    dongle: &Dongle<R, S>,
    minutes: u32,
    addresses: &[&str],
    password: Option<&str>,
    pre_approved: bool,
    text: &mut heapless::String<{ beckon_core::invitation::TEXT_CAP }>,
) -> Result<(), OwnerRefusal>
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
{
    if !(1..=MAX_MINUTES).contains(&minutes) || addresses.len() > MAX_ADDRESSES {
        return Err(OwnerRefusal::BadRequest);
    }
    let now = dongle.now_ms();
    let mut new = NewInvitation::new(dongle.name(), now + u64::from(minutes) * 60_000);
    new.addresses = addresses;
    new.password = password.map(str::as_bytes);
    let made = dongle.with_book(|st| {
        let crate::dongle::State {
            book,
            rng,
            pre_approved: approved,
            ..
        } = st;
        let made = book.create(rng, &new, now).cloned();
        if let (Ok(inv), true) = (&made, pre_approved) {
            if approved.is_full() {
                // The oldest mark belongs to an invitation long gone from
                // the book's open slots.
                approved.remove(0);
            }
            let _ = approved.push(inv.id.0);
        }
        made
    });
    match made {
        Ok(inv) => {
            let t = inv.to_text().map_err(|_| OwnerRefusal::BadRequest)?;
            text.clear();
            text.push_str(&t).map_err(|_| OwnerRefusal::BadRequest)
        }
        Err(beckon_core::invitation::BookError::Full) => Err(OwnerRefusal::BookFull),
        Err(_) => Err(OwnerRefusal::BadRequest),
    }
}
