//! Property tests: every form round-trips for any invitation, and no input
//! makes a decoder panic (INV-11).

use beckon_core::invitation::{
    Address, Invitation, InvitationError, InvitationId, PasswordParams, MAX_ADDRESSES,
    MAX_ENCODED_BYTES, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS, TEXT_PREFIX,
};
use beckon_core::message::MAX_NAME_BYTES;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = heapless::String<MAX_NAME_BYTES>> {
    "\\PC{0,16}".prop_filter_map("fits", |s: String| {
        heapless::String::try_from(s.as_str()).ok()
    })
}

fn addresses() -> impl Strategy<Value = heapless::Vec<Address, MAX_ADDRESSES>> {
    proptest::collection::vec("[a-z0-9.:\\[\\]-]{1,64}", 0..=MAX_ADDRESSES).prop_map(|list| {
        list.iter()
            .map(|a| Address::try_from(a.as_str()).unwrap())
            .collect()
    })
}

fn password() -> impl Strategy<Value = Option<PasswordParams>> {
    proptest::option::of(
        (any::<[u8; 16]>(), MIN_KDF_ITERATIONS..=MAX_KDF_ITERATIONS)
            .prop_map(|(salt, iterations)| PasswordParams { salt, iterations }),
    )
}

fn invitation() -> impl Strategy<Value = Invitation> {
    (
        any::<[u8; 16]>(),
        any::<[u8; 32]>(),
        name(),
        any::<u64>(),
        addresses(),
        password(),
    )
        .prop_map(
            |(id, novice_key, novice_name, expires_at_ms, addresses, password)| Invitation {
                id: InvitationId(id),
                novice_key,
                novice_name,
                expires_at_ms,
                addresses,
                password,
            },
        )
}

/// Strings that get past the prefix, to reach the deeper checks.
fn prefixed_noise() -> impl Strategy<Value = String> {
    "[0-9a-zA-Z \\-\n]{0,700}".prop_map(|body| format!("{TEXT_PREFIX}{body}"))
}

proptest! {
    #[test]
    fn inv_01_text_round_trips(invitation in invitation()) {
        let text = invitation.to_text().unwrap();
        prop_assert_eq!(Invitation::from_text(&text).unwrap(), invitation);
    }

    #[test]
    fn inv_01_file_round_trips(invitation in invitation()) {
        let file = invitation.to_file().unwrap();
        prop_assert_eq!(Invitation::from_file(&file).unwrap(), invitation);
    }

    #[test]
    fn inv_01_bytes_round_trip(invitation in invitation()) {
        let mut out = [0u8; MAX_ENCODED_BYTES];
        let len = invitation.encode(&mut out).unwrap();
        prop_assert_eq!(Invitation::decode(&out[..len]).unwrap(), invitation);
    }

    #[test]
    fn inv_11_from_text_never_panics(text in "\\PC{0,800}") {
        let _ = Invitation::from_text(&text);
        let _ = Invitation::from_file(&text);
    }

    #[test]
    fn inv_11_prefixed_noise_never_panics(text in prefixed_noise()) {
        prop_assert!(Invitation::from_text(&text).is_err());
        let _ = Invitation::from_file(&text);
    }

    #[test]
    fn inv_11_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Invitation::decode(&bytes);
    }

    #[test]
    fn inv_11_any_single_typo_is_caught(invitation in invitation(), at in any::<prop::sample::Index>(), symbol in 0usize..32) {
        let text = invitation.to_text().unwrap();
        let position = TEXT_PREFIX.len() + at.index(text.len() - TEXT_PREFIX.len());
        let replacement = b"0123456789abcdefghjkmnpqrstvwxyz"[symbol];
        prop_assume!(text.as_bytes()[position] != replacement);
        let mut typo = text.as_bytes().to_vec();
        typo[position] = replacement;
        let typo = String::from_utf8(typo).unwrap();
        prop_assert_eq!(Invitation::from_text(&typo), Err(InvitationError::BadChecksum));
    }
}
