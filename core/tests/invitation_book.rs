//! The novice's invitation book (INV-01…INV-04, INV-06, INV-07, INV-10).

use beckon_core::invitation::{
    derive_password_key, password_proof, BookError, Invitation, InvitationBook, InvitationId,
    InvitationStatus, NewInvitation, DEFAULT_KDF_ITERATIONS, DEFAULT_MAX_FAILURES,
    MAX_ENCODED_BYTES, MIN_KDF_ITERATIONS,
};
use beckon_core::reason::EndReason;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_700_000_000_000;
const HOUR: u64 = 3_600_000;
const PASSWORD: &[u8] = b"blue kettle 42";
/// What the handshake would hand both sides: unique per handshake.
const BINDING: [u8; 32] = [0xb1; 32];

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn plain(name: &str) -> NewInvitation<'_> {
    NewInvitation::new(name, NOW + HOUR)
}

fn with_password(name: &str) -> NewInvitation<'_> {
    NewInvitation {
        password: Some(PASSWORD),
        kdf_iterations: MIN_KDF_ITERATIONS,
        ..plain(name)
    }
}

/// What the expert's side computes from the invitation and a typed password.
fn expert_proof(invitation: &Invitation, typed: &[u8], binding: &[u8; 32]) -> [u8; 32] {
    let params = invitation
        .password
        .as_ref()
        .expect("invitation has a password");
    password_proof(&derive_password_key(typed, params), binding)
}

fn create<const N: usize>(
    book: &mut InvitationBook<N>,
    rng: &mut ChaCha20Rng,
    new: &NewInvitation<'_>,
) -> Invitation {
    book.create(rng, new, NOW).unwrap().clone()
}

#[test]
fn inv_01_create_fills_every_field() {
    let mut book = InvitationBook::<4>::new();
    let new = NewInvitation {
        addresses: &["192.0.2.4:7070", "[2001:db8::4]:7070"],
        ..with_password("Grete")
    };
    let invitation = create(&mut book, &mut rng(), &new);
    assert_eq!(invitation.novice_name, "Grete");
    assert_eq!(invitation.expires_at_ms, NOW + HOUR);
    assert_eq!(invitation.addresses.len(), 2);
    assert_eq!(invitation.addresses[1], "[2001:db8::4]:7070");
    assert_eq!(invitation.password.unwrap().iterations, MIN_KDF_ITERATIONS);

    let entry = book.entry(&invitation.id).unwrap();
    assert_eq!(entry.invitation(), &invitation);
    assert_eq!(entry.created_at_ms(), NOW);
    assert!(entry.has_password());
    assert_eq!(
        (entry.is_revoked(), entry.is_used(), entry.failures()),
        (false, false, 0)
    );
    // The public key in the invitation belongs to the stored secret.
    let secret = x25519_dalek::StaticSecret::from(*entry.secret_key());
    assert_eq!(
        x25519_dalek::PublicKey::from(&secret).to_bytes(),
        invitation.novice_key
    );
}

#[test]
fn inv_01_new_invitation_defaults() {
    let new = NewInvitation::new("Grete", NOW + HOUR);
    assert!(new.addresses.is_empty());
    assert_eq!(new.password, None);
    assert_eq!(new.kdf_iterations, DEFAULT_KDF_ITERATIONS);
    let book = InvitationBook::<1>::default();
    assert_eq!(book.max_failures(), DEFAULT_MAX_FAILURES);
    assert!(book.is_empty());
}

#[test]
fn inv_01_every_invitation_is_fresh() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let a = create(&mut book, &mut rng, &with_password("Grete"));
    let b = create(&mut book, &mut rng, &with_password("Grete"));
    assert_ne!(a.id, b.id);
    assert_ne!(a.novice_key, b.novice_key);
    assert_ne!(a.password.unwrap().salt, b.password.unwrap().salt);
    let secrets: Vec<[u8; 32]> = book.entries().map(|e| *e.secret_key()).collect();
    assert_ne!(secrets[0], secrets[1]);
    assert_eq!(book.len(), 2);
}

#[test]
fn inv_01_created_invitation_survives_its_text_form() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let received = Invitation::from_text(&invitation.to_text().unwrap()).unwrap();
    let proof = expert_proof(&received, PASSWORD, &BINDING);
    assert!(book
        .check(
            NOW,
            &received.id,
            &received.novice_key,
            Some(&proof),
            &BINDING
        )
        .is_ok());
}

#[test]
fn inv_01_create_validates_its_input() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let long_name = "x".repeat(65);
    let long_address = "a".repeat(65);
    let cases: [(NewInvitation<'_>, BookError); 9] = [
        (plain(""), BookError::EmptyName),
        (plain("   "), BookError::EmptyName),
        (plain(&long_name), BookError::NameTooLong),
        (
            NewInvitation {
                addresses: &["a:1", "b:1", "c:1", "d:1", "e:1"],
                ..plain("Grete")
            },
            BookError::TooManyAddresses,
        ),
        (
            NewInvitation {
                addresses: &[&long_address],
                ..plain("Grete")
            },
            BookError::AddressTooLong,
        ),
        (
            NewInvitation {
                addresses: &["a:1", " "],
                ..plain("Grete")
            },
            BookError::EmptyAddress,
        ),
        (
            NewInvitation {
                password: Some(b""),
                ..plain("Grete")
            },
            BookError::EmptyPassword,
        ),
        (
            NewInvitation {
                kdf_iterations: MIN_KDF_ITERATIONS - 1,
                ..with_password("Grete")
            },
            BookError::BadKdfIterations,
        ),
        (
            NewInvitation {
                kdf_iterations: u32::MAX,
                ..with_password("Grete")
            },
            BookError::BadKdfIterations,
        ),
    ];
    for (new, expected) in cases {
        assert_eq!(
            book.create(&mut rng, &new, NOW).map(|_| ()),
            Err(expected),
            "{new:?}"
        );
    }
    assert!(book.is_empty());
    // 64 bytes of name is fine.
    assert!(book.create(&mut rng, &plain(&"x".repeat(64)), NOW).is_ok());
}

#[test]
fn inv_02_password_is_never_stored() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let saved = postcard::to_allocvec(&book).unwrap();
    assert!(!saved.windows(PASSWORD.len()).any(|w| w == PASSWORD));
    // The invitation (what a thief of the file holds) carries neither the
    // password nor the verifier.
    let mut bytes = [0u8; MAX_ENCODED_BYTES];
    let len = invitation.encode(&mut bytes).unwrap();
    let verifier = derive_password_key(PASSWORD, invitation.password.as_ref().unwrap());
    assert!(!bytes[..len].windows(PASSWORD.len()).any(|w| w == PASSWORD));
    assert!(!bytes[..len].windows(8).any(|w| w == &verifier[..8]));
    // ... while the book does keep the verifier, so it can check.
    assert!(saved.windows(32).any(|w| w == verifier));
}

#[test]
fn inv_03_expiry_must_be_in_the_future() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    for expires in [NOW - 1, NOW] {
        let new = NewInvitation::new("Grete", expires);
        assert_eq!(
            book.create(&mut rng, &new, NOW).map(|_| ()),
            Err(BookError::ExpiryInPast)
        );
    }
    assert!(book
        .create(&mut rng, &NewInvitation::new("Grete", NOW + 1), NOW)
        .is_ok());
}

#[test]
fn inv_04_list_shows_every_status() {
    let mut book = InvitationBook::<8>::new();
    let mut rng = rng();
    let open = create(&mut book, &mut rng, &plain("open"));
    let used = create(&mut book, &mut rng, &plain("used"));
    let revoked = create(&mut book, &mut rng, &plain("revoked"));
    let locked = create(&mut book, &mut rng, &with_password("locked"));
    let short = create(&mut book, &mut rng, &NewInvitation::new("short", NOW + 10));
    assert!(book.mark_used(&used.id));
    assert!(book.revoke(&revoked.id));
    for _ in 0..DEFAULT_MAX_FAILURES {
        let _ = book.check(
            NOW,
            &locked.id,
            &locked.novice_key,
            Some(&[0; 32]),
            &BINDING,
        );
    }

    let at = |now| -> Vec<(String, InvitationStatus)> {
        book.list(now)
            .map(|(invitation, status)| (invitation.novice_name.to_string(), status))
            .collect()
    };
    use InvitationStatus::*;
    assert_eq!(
        at(NOW + 9),
        [
            ("open", Open),
            ("used", Used),
            ("revoked", Revoked),
            ("locked", Locked),
            ("short", Open)
        ]
        .map(|(n, s)| (n.to_string(), s))
    );
    // It expires *at* its expiry time.
    assert_eq!(at(NOW + 10)[4].1, Expired);
    assert_eq!(book.status(&short.id, NOW + 10), Some(Expired));
    assert_eq!(book.status(&open.id, NOW + HOUR - 1), Some(Open));
    assert_eq!(book.status(&open.id, NOW + HOUR), Some(Expired));
    assert_eq!(book.status(&InvitationId([9; 16]), NOW), None);
}

#[test]
fn inv_04_status_precedence_used_then_revoked_then_locked_then_expired() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let a = create(&mut book, &mut rng, &with_password("a"));
    for _ in 0..DEFAULT_MAX_FAILURES {
        let _ = book.check(NOW, &a.id, &a.novice_key, None, &BINDING);
    }
    let later = NOW + 2 * HOUR;
    assert_eq!(book.status(&a.id, later), Some(InvitationStatus::Locked));
    book.revoke(&a.id);
    assert_eq!(book.status(&a.id, later), Some(InvitationStatus::Revoked));

    let b = create(&mut book, &mut rng, &plain("b"));
    book.mark_used(&b.id);
    book.revoke(&b.id);
    assert_eq!(book.status(&b.id, later), Some(InvitationStatus::Used));
}

#[test]
fn inv_04_revoke_one() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let a = create(&mut book, &mut rng, &plain("a"));
    let b = create(&mut book, &mut rng, &plain("b"));
    assert!(book.revoke(&a.id));
    assert!(book.revoke(&a.id), "revoking twice is harmless");
    assert!(!book.revoke(&InvitationId([0; 16])));
    assert_eq!(book.status(&a.id, NOW), Some(InvitationStatus::Revoked));
    assert_eq!(book.status(&b.id, NOW), Some(InvitationStatus::Open));
    assert_eq!(
        book.check(NOW, &a.id, &a.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::Revoked)
    );
}

#[test]
fn inv_04_revoke_all() {
    let mut book = InvitationBook::<8>::new();
    let mut rng = rng();
    let ids: Vec<InvitationId> = (0..4)
        .map(|_| create(&mut book, &mut rng, &plain("x")).id)
        .collect();
    book.revoke(&ids[0]);
    book.mark_used(&ids[1]);
    assert_eq!(book.revoke_all(), 2);
    assert!(book
        .list(NOW)
        .all(|(_, s)| matches!(s, InvitationStatus::Revoked | InvitationStatus::Used)));
    assert_eq!(book.revoke_all(), 0);
    for id in &ids[2..] {
        let key = book.entry(id).unwrap().invitation().novice_key;
        assert_eq!(
            book.check(NOW, id, &key, None, &BINDING).map(|_| ()),
            Err(EndReason::Revoked)
        );
    }
}

#[test]
fn inv_06_right_password_is_admitted() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let proof = expert_proof(&invitation, PASSWORD, &BINDING);
    let entry = book
        .check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(&proof),
            &BINDING,
        )
        .unwrap();
    assert_eq!(entry.invitation().id, invitation.id);
    assert_eq!(entry.failures(), 0);
}

#[test]
fn inv_06_wrong_password_is_refused() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let proof = expert_proof(&invitation, b"blue kettle 43", &BINDING);
    assert_eq!(
        book.check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(&proof),
            &BINDING
        )
        .map(|_| ()),
        Err(EndReason::WrongPassword)
    );
    assert_eq!(book.entry(&invitation.id).unwrap().failures(), 1);
}

#[test]
fn inv_06_missing_proof_for_a_password_invitation_is_a_failure() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    assert_eq!(
        book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::WrongPassword)
    );
    assert_eq!(book.entry(&invitation.id).unwrap().failures(), 1);
}

#[test]
fn inv_06_proof_is_bound_to_the_handshake() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    // A proof recorded in one handshake does not work in another.
    let replayed = expert_proof(&invitation, PASSWORD, &[0xa0; 32]);
    assert_eq!(
        book.check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(&replayed),
            &BINDING
        )
        .map(|_| ()),
        Err(EndReason::WrongPassword)
    );
}

#[test]
fn inv_06_proof_without_password_is_ignored() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &plain("Grete"));
    assert!(book
        .check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(&[1; 32]),
            &BINDING
        )
        .is_ok());
    assert!(book
        .check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
        .is_ok());
}

#[test]
fn inv_06_default_rounds_work_end_to_end() {
    let mut book = InvitationBook::<4>::new();
    let new = NewInvitation {
        password: Some(PASSWORD),
        ..plain("Grete")
    };
    let invitation = create(&mut book, &mut rng(), &new);
    assert_eq!(
        invitation.password.unwrap().iterations,
        DEFAULT_KDF_ITERATIONS
    );
    let proof = expert_proof(&invitation, PASSWORD, &BINDING);
    assert!(book
        .check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(&proof),
            &BINDING
        )
        .is_ok());
}

#[test]
fn inv_07_unknown_invitation_is_refused() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &plain("Grete"));
    assert_eq!(
        book.check(
            NOW,
            &InvitationId([3; 16]),
            &invitation.novice_key,
            None,
            &BINDING
        )
        .map(|_| ()),
        Err(EndReason::UnknownInvitation)
    );
}

#[test]
fn inv_11_id_under_another_invitations_key_is_unknown() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let a = create(&mut book, &mut rng, &with_password("a"));
    let b = create(&mut book, &mut rng, &plain("b"));
    // Someone holding only invitation `b` names `a`'s id.
    assert_eq!(
        book.check(NOW, &a.id, &b.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::UnknownInvitation)
    );
    // ... and no guess was counted against `a`.
    assert_eq!(book.entry(&a.id).unwrap().failures(), 0);
}

#[test]
fn inv_07_expired_invitation_is_refused() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &plain("Grete"));
    assert!(book
        .check(
            NOW + HOUR - 1,
            &invitation.id,
            &invitation.novice_key,
            None,
            &BINDING
        )
        .is_ok());
    assert_eq!(
        book.check(
            NOW + HOUR,
            &invitation.id,
            &invitation.novice_key,
            None,
            &BINDING
        )
        .map(|_| ()),
        Err(EndReason::Expired)
    );
}

#[test]
fn inv_07_used_invitation_is_refused() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &plain("Grete"));
    assert!(book
        .check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
        .is_ok());
    // Passing the check alone does not use it (the novice may decline).
    assert_eq!(
        book.status(&invitation.id, NOW),
        Some(InvitationStatus::Open)
    );
    assert!(book.mark_used(&invitation.id));
    assert!(!book.mark_used(&InvitationId([0; 16])));
    assert_eq!(
        book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::AlreadyUsed)
    );
}

#[test]
fn inv_10_third_wrong_password_locks() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let wrong = expert_proof(&invitation, b"guess", &BINDING);
    let mut check = |proof: &[u8; 32]| {
        book.check(
            NOW,
            &invitation.id,
            &invitation.novice_key,
            Some(proof),
            &BINDING,
        )
        .map(|_| ())
    };
    assert_eq!(check(&wrong), Err(EndReason::WrongPassword));
    assert_eq!(check(&wrong), Err(EndReason::WrongPassword));
    assert_eq!(check(&wrong), Err(EndReason::Locked));
    assert_eq!(
        book.status(&invitation.id, NOW),
        Some(InvitationStatus::Locked)
    );
}

#[test]
fn inv_10_right_password_after_lock_is_refused() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    for _ in 0..DEFAULT_MAX_FAILURES {
        let _ = book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING);
    }
    let right = expert_proof(&invitation, PASSWORD, &BINDING);
    for _ in 0..2 {
        assert_eq!(
            book.check(
                NOW,
                &invitation.id,
                &invitation.novice_key,
                Some(&right),
                &BINDING
            )
            .map(|_| ()),
            Err(EndReason::Locked)
        );
    }
    // Attempts on a locked invitation are not evaluated, so not counted.
    assert_eq!(
        book.entry(&invitation.id).unwrap().failures(),
        DEFAULT_MAX_FAILURES
    );
}

#[test]
fn inv_10_a_right_password_does_not_reset_the_count() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let right = expert_proof(&invitation, PASSWORD, &BINDING);
    let mut check = |proof: Option<&[u8; 32]>| {
        book.check(NOW, &invitation.id, &invitation.novice_key, proof, &BINDING)
            .map(|_| ())
    };
    assert_eq!(check(None), Err(EndReason::WrongPassword));
    assert_eq!(check(Some(&right)), Ok(()));
    assert_eq!(check(None), Err(EndReason::WrongPassword));
    assert_eq!(check(None), Err(EndReason::Locked));
}

#[test]
fn inv_10_no_guess_is_counted_on_a_dead_invitation() {
    let mut book = InvitationBook::<4>::new();
    let mut rng = rng();
    let revoked = create(&mut book, &mut rng, &with_password("revoked"));
    let expired = create(&mut book, &mut rng, &with_password("expired"));
    book.revoke(&revoked.id);
    let right = expert_proof(&revoked, PASSWORD, &BINDING);
    for _ in 0..5 {
        assert_eq!(
            book.check(NOW, &revoked.id, &revoked.novice_key, None, &BINDING)
                .map(|_| ()),
            Err(EndReason::Revoked)
        );
        assert_eq!(
            book.check(NOW + HOUR, &expired.id, &expired.novice_key, None, &BINDING)
                .map(|_| ()),
            Err(EndReason::Expired)
        );
    }
    // Even the right password gets the status, not a password verdict.
    assert_eq!(
        book.check(
            NOW,
            &revoked.id,
            &revoked.novice_key,
            Some(&right),
            &BINDING
        )
        .map(|_| ()),
        Err(EndReason::Revoked)
    );
    assert_eq!(book.entry(&revoked.id).unwrap().failures(), 0);
    assert_eq!(book.entry(&expired.id).unwrap().failures(), 0);
}

#[test]
fn inv_10_lock_threshold_is_configurable() {
    let mut book = InvitationBook::<4>::with_max_failures(1);
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    assert_eq!(
        book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::Locked)
    );
    // Zero would lock every invitation from the start; it means one.
    assert_eq!(InvitationBook::<4>::with_max_failures(0).max_failures(), 1);
}

#[test]
fn inv_10_failures_survive_saving_the_book() {
    let mut book = InvitationBook::<4>::new();
    let invitation = create(&mut book, &mut rng(), &with_password("Grete"));
    let _ = book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING);
    let _ = book.check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING);
    let saved = postcard::to_allocvec(&book).unwrap();
    let mut restored: InvitationBook<4> = postcard::from_bytes(&saved).unwrap();
    assert_eq!(
        restored
            .check(NOW, &invitation.id, &invitation.novice_key, None, &BINDING)
            .map(|_| ()),
        Err(EndReason::Locked)
    );
}

#[test]
fn book_postcard_round_trip() {
    let mut book = InvitationBook::<4>::with_max_failures(5);
    let mut rng = rng();
    let a = create(&mut book, &mut rng, &with_password("a"));
    let b = create(&mut book, &mut rng, &plain("b"));
    book.revoke(&b.id);
    let saved = postcard::to_allocvec(&book).unwrap();
    let mut restored: InvitationBook<4> = postcard::from_bytes(&saved).unwrap();
    assert_eq!(restored.max_failures(), 5);
    assert_eq!(
        restored
            .list(NOW)
            .map(|(i, s)| (i.clone(), s))
            .collect::<Vec<_>>(),
        book.list(NOW)
            .map(|(i, s)| (i.clone(), s))
            .collect::<Vec<_>>()
    );
    let secrets =
        |book: &InvitationBook<4>| book.entries().map(|e| *e.secret_key()).collect::<Vec<_>>();
    assert_eq!(secrets(&restored), secrets(&book));
    // The restored book still checks passwords.
    let proof = expert_proof(&a, PASSWORD, &BINDING);
    assert!(restored
        .check(NOW, &a.id, &a.novice_key, Some(&proof), &BINDING)
        .is_ok());
}

#[test]
fn book_full_of_open_invitations_refuses() {
    let mut book = InvitationBook::<2>::new();
    let mut rng = rng();
    create(&mut book, &mut rng, &plain("a"));
    create(&mut book, &mut rng, &plain("b"));
    assert_eq!(
        book.create(&mut rng, &plain("c"), NOW).map(|_| ()),
        Err(BookError::Full)
    );
    assert_eq!(book.len(), 2);
}

#[test]
fn book_full_drops_the_oldest_closed_invitation() {
    let mut book = InvitationBook::<3>::new();
    let mut rng = rng();
    let a = book.create(&mut rng, &plain("a"), NOW).unwrap().clone();
    let b = book.create(&mut rng, &plain("b"), NOW + 1).unwrap().clone();
    let c = book.create(&mut rng, &plain("c"), NOW + 2).unwrap().clone();
    book.revoke(&c.id);
    book.mark_used(&a.id);
    let d = book.create(&mut rng, &plain("d"), NOW + 3).unwrap().clone();
    let names: Vec<String> = book
        .list(NOW + 3)
        .map(|(i, _)| i.novice_name.to_string())
        .collect();
    assert_eq!(names, ["b", "c", "d"]);
    assert_eq!(book.status(&a.id, NOW + 3), None);
    assert_eq!(book.status(&b.id, NOW + 3), Some(InvitationStatus::Open));
    assert_eq!(book.status(&d.id, NOW + 3), Some(InvitationStatus::Open));

    // Expired counts as closed: at a later time `b` and `d` have expired too,
    // and the oldest of the closed ones, `b`, goes.
    let later = NOW + 2 * HOUR;
    book.create(&mut rng, &NewInvitation::new("e", later + HOUR), later)
        .unwrap();
    let names: Vec<String> = book
        .list(later)
        .map(|(i, _)| i.novice_name.to_string())
        .collect();
    assert_eq!(names, ["c", "d", "e"]);
}

#[test]
fn book_entry_debug_hides_secrets() {
    let mut book = InvitationBook::<4>::new();
    create(&mut book, &mut rng(), &with_password("Grete"));
    let entry = book.entries().next().unwrap();
    let debug = format!("{:?}", book);
    assert!(debug.contains("<secret>"));
    let secret_rendered = format!("{:?}", entry.secret_key());
    assert!(!debug.contains(&secret_rendered));
}
