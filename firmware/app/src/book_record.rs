//! The invitation book as one stored record, so a restart keeps every
//! invitation's state: a used one stays used (INV-07), a locked one stays
//! locked (INV-10), a revoked one stays revoked (INV-04), and a
//! pre-approved one stays pre-approved.
//!
//! The record is the core's versioned postcard form of the book and the
//! list of pre-approved invitation ids. A record that does not decode
//! (another firmware's format, a torn write the board did not catch) is
//! dropped for an empty book: every invitation then fails closed, as
//! unknown, and the owner makes new ones.

use beckon_core::invitation::InvitationBook;
use beckon_core::message::{decode_value, encode_value};

use crate::hw::{Slot, Storage, BOOK_RECORD_MAX};
use crate::BOOK_CAPACITY;

/// The ids of the invitations the owner pre-approved.
pub(crate) type PreApproved = heapless::Vec<[u8; 16], BOOK_CAPACITY>;

/// Read the book from `storage`; empty if there is none or it is unreadable.
pub(crate) fn load(storage: &mut impl Storage) -> (InvitationBook<BOOK_CAPACITY>, PreApproved) {
    let mut buf = [0u8; BOOK_RECORD_MAX];
    let Some(len) = storage.load(Slot::Book, &mut buf) else {
        return (InvitationBook::new(), PreApproved::new());
    };
    match buf.get(..len).map(decode_value) {
        Some(Ok(record)) => record,
        _ => {
            crate::log::warning!("the stored invitations do not read back; starting with none");
            (InvitationBook::new(), PreApproved::new())
        }
    }
}

/// Write the book to `storage`. Marks of invitations no longer in the
/// book are dropped first. Returns whether it was stored.
pub(crate) fn store(
    storage: &mut impl Storage,
    book: &InvitationBook<BOOK_CAPACITY>,
    pre_approved: &mut PreApproved,
) -> bool {
    pre_approved.retain(|id| book.entries().any(|e| e.invitation().id.0 == *id));
    let mut buf = [0u8; BOOK_RECORD_MAX];
    match encode_value(&(book, &*pre_approved), &mut buf) {
        Ok(len) => storage.store(Slot::Book, &buf[..len]),
        Err(_) => false,
    }
}

/// A digest of everything about the book that a stored record must keep
/// up with: which invitations exist, and their use, revocation, failed
/// attempts and pre-approval.
pub(crate) fn fingerprint(book: &InvitationBook<BOOK_CAPACITY>, pre_approved: &PreApproved) -> u64 {
    // FNV-1a: a change detector, not a security check.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for e in book.entries() {
        eat(&e.invitation().id.0);
        eat(&[
            u8::from(e.is_used()),
            u8::from(e.is_revoked()),
            e.failures(),
        ]);
    }
    for id in pre_approved {
        eat(id);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use beckon_core::invitation::NewInvitation;
    use rand_core::SeedableRng;

    /// A store that keeps the last record of each slot.
    #[derive(Default)]
    struct Memory(Option<([u8; BOOK_RECORD_MAX], usize)>);

    impl Storage for Memory {
        fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
            let (data, len) = self.0.as_ref().filter(|_| slot == Slot::Book)?;
            buf.get_mut(..*len)?.copy_from_slice(&data[..*len]);
            Some(*len)
        }
        fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
            if slot != Slot::Book || data.len() > BOOK_RECORD_MAX {
                return false;
            }
            let mut copy = [0u8; BOOK_RECORD_MAX];
            copy[..data.len()].copy_from_slice(data);
            self.0 = Some((copy, data.len()));
            true
        }
    }

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }

    #[test]
    fn inv_07_a_full_book_of_long_invitations_fits_and_reads_back() {
        let mut book = InvitationBook::<BOOK_CAPACITY>::new();
        let name = "N".repeat(beckon_core::message::MAX_NAME_BYTES);
        let long = "a".repeat(60);
        let addresses = [long.as_str(); beckon_core::invitation::MAX_ADDRESSES];
        let mut rng = rng();
        let mut new = NewInvitation::new(&name, 10_000_000);
        new.addresses = &addresses;
        new.password = Some(b"tulip");
        let mut approved = PreApproved::new();
        for _ in 0..BOOK_CAPACITY {
            let id = book.create(&mut rng, &new, 1_000).unwrap().id;
            approved.push(id.0).unwrap();
        }
        let first = book.entries().next().unwrap().invitation().id;
        book.mark_used(&first);
        let mut memory = Memory::default();
        assert!(store(&mut memory, &book, &mut approved));
        let (back, back_approved) = load(&mut memory);
        assert_eq!(back.len(), BOOK_CAPACITY);
        assert_eq!(back_approved, approved);
        assert_eq!(
            back.status(&first, 2_000),
            book.status(&first, 2_000),
            "a used invitation stays used"
        );
    }

    #[test]
    fn inv_04_marks_of_invitations_gone_from_the_book_are_dropped() {
        let mut memory = Memory::default();
        let book = InvitationBook::<BOOK_CAPACITY>::new();
        let mut approved = PreApproved::new();
        approved.push([9; 16]).unwrap();
        assert!(store(&mut memory, &book, &mut approved));
        assert!(approved.is_empty());
    }

    #[test]
    fn inv_10_every_change_that_matters_changes_the_fingerprint() {
        let mut book = InvitationBook::<BOOK_CAPACITY>::new();
        let approved = PreApproved::new();
        let mut seen = vec![fingerprint(&book, &approved)];
        let mut rng = rng();
        let mut new = NewInvitation::new("Oma", 10_000_000);
        new.password = Some(b"tulip");
        let id = book.create(&mut rng, &new, 1_000).unwrap().id;
        seen.push(fingerprint(&book, &approved));
        let key = book.entry(&id).unwrap().invitation().novice_key;
        // No proof for an invitation with a password: one failed attempt.
        let _ = book.check(2_000, &id, &key, None, &[0; 32]);
        seen.push(fingerprint(&book, &approved));
        book.revoke(&id);
        seen.push(fingerprint(&book, &approved));
        let mut marked = approved.clone();
        marked.push(id.0).unwrap();
        seen.push(fingerprint(&book, &marked));
        let unique: std::collections::BTreeSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{seen:?}");
    }

    #[test]
    fn a_record_that_does_not_read_back_gives_an_empty_book() {
        let mut memory = Memory::default();
        memory.store(Slot::Book, &[0xff, 1, 2, 3]);
        let (book, approved) = load(&mut memory);
        assert!(book.is_empty() && approved.is_empty());
    }
}
