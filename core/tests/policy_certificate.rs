//! Group-signed helper certificates (OFF-02).

use beckon_core::message::{DecodeError, EncodeError};
use beckon_core::policy::{CertificateError, HelperCertificate, PolicyError};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000_000;
const DAY: u64 = 86_400_000;
const HELPER_KEY: [u8; 32] = [0x11; 32];

fn group() -> SigningKey {
    SigningKey::from_bytes(&[0x47; 32])
}

fn certificate() -> HelperCertificate {
    HelperCertificate::issue(&group(), HELPER_KEY, "Ada, IT desk", NOW + DAY).unwrap()
}

#[test]
fn off_02_issued_certificate_verifies() {
    let cert = certificate();
    assert_eq!(cert.helper_key, HELPER_KEY);
    assert_eq!(cert.helper_name, "Ada, IT desk");
    assert_eq!(cert.expires_at_ms, NOW + DAY);
    assert_eq!(cert.group_key, group().verifying_key().to_bytes());
    assert_eq!(cert.verify(NOW), Ok(()));
    assert_eq!(cert.verify_for(&HELPER_KEY, NOW), Ok(()));
}

#[test]
fn off_02_certificate_for_another_helper_is_refused() {
    assert_eq!(
        certificate().verify_for(&[0x12; 32], NOW),
        Err(CertificateError::OtherHelper)
    );
}

#[test]
fn off_02_certificate_expires() {
    let cert = certificate();
    assert_eq!(cert.verify(NOW + DAY - 1), Ok(()));
    assert_eq!(cert.verify(NOW + DAY), Err(CertificateError::Expired));
}

#[test]
fn off_02_tampering_with_any_signed_field_fails() {
    let original = certificate();
    let mut tampered = Vec::new();

    let mut c = original.clone();
    c.helper_key[0] ^= 1;
    tampered.push(("helper_key", c, CertificateError::BadSignature));
    let mut c = original.clone();
    c.helper_name = "Ada, IT desk!".try_into().unwrap();
    tampered.push(("helper_name", c, CertificateError::BadSignature));
    let mut c = original.clone();
    c.expires_at_ms += 1;
    tampered.push(("expires_at_ms", c, CertificateError::BadSignature));
    let mut c = original.clone();
    c.signature[63] ^= 0x01;
    tampered.push(("signature", c, CertificateError::BadSignature));
    let mut c = original.clone();
    c.group_key = SigningKey::from_bytes(&[0x48; 32])
        .verifying_key()
        .to_bytes();
    tampered.push(("group_key", c, CertificateError::BadSignature));

    for (field, cert, expected) in tampered {
        assert_eq!(cert.verify(NOW), Err(expected), "{field}");
    }
}

#[test]
fn off_02_forged_certificate_fails_even_when_expired() {
    // Signed by someone else but claiming the group's key.
    let mut forged = HelperCertificate::issue(
        &SigningKey::from_bytes(&[0x99; 32]),
        HELPER_KEY,
        "Mallory",
        NOW + DAY,
    )
    .unwrap();
    forged.group_key = group().verifying_key().to_bytes();
    assert_eq!(forged.verify(NOW), Err(CertificateError::BadSignature));
    assert_eq!(
        forged.verify(NOW + 2 * DAY),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn off_02_unusable_group_key_is_reported() {
    let mut cert = certificate();
    // Not a point on the curve (y = 2 has no matching x).
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    cert.group_key = not_a_point;
    assert_eq!(cert.verify(NOW), Err(CertificateError::BadGroupKey));
    // The identity point is of small order: weak.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    cert.group_key = identity;
    assert_eq!(cert.verify(NOW), Err(CertificateError::BadGroupKey));
}

#[test]
fn off_02_signed_message_is_unambiguous() {
    // Moving a byte from the name into the expiry must change the message.
    let a = HelperCertificate::issue(&group(), HELPER_KEY, "ab", 0x0100).unwrap();
    let b = HelperCertificate::issue(&group(), HELPER_KEY, "b", 0x0100).unwrap();
    assert_ne!(a.signed_message(), b.signed_message());
    assert!(a
        .signed_message()
        .starts_with(b"beckon helper certificate v1\0"));
}

#[test]
fn off_02_long_name_is_refused() {
    assert_eq!(
        HelperCertificate::issue(&group(), HELPER_KEY, &"n".repeat(65), NOW),
        Err(PolicyError::NameTooLong)
    );
    let longest =
        HelperCertificate::issue(&group(), HELPER_KEY, &"n".repeat(64), NOW + DAY).unwrap();
    assert_eq!(longest.verify(NOW), Ok(()));
}

#[test]
fn off_02_certificate_bytes_round_trip() {
    let cert = certificate();
    let mut out = [0u8; 256];
    let len = cert.encode(&mut out).unwrap();
    let back = HelperCertificate::decode(&out[..len]).unwrap();
    assert_eq!(back, cert);
    assert_eq!(back.verify_for(&HELPER_KEY, NOW), Ok(()));

    assert_eq!(
        cert.encode(&mut out[..len - 1]),
        Err(EncodeError::BufferTooSmall)
    );
    assert_eq!(HelperCertificate::decode(&[]), Err(DecodeError::Truncated));
    assert_eq!(
        HelperCertificate::decode(&out[..len - 1]),
        Err(DecodeError::Truncated)
    );
    let mut newer = out[..len].to_vec();
    newer[0] = 2;
    assert_eq!(
        HelperCertificate::decode(&newer),
        Err(DecodeError::UnsupportedVersion(2))
    );
}

#[test]
fn off_02_certificate_json_round_trip() {
    let cert = certificate();
    let json = serde_json::to_string(&cert).unwrap();
    assert_eq!(
        serde_json::from_str::<HelperCertificate>(&json).unwrap(),
        cert
    );
}

proptest! {
    #[test]
    fn off_02_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(cert) = HelperCertificate::decode(&bytes) {
            let _ = cert.verify(NOW);
        }
    }

    #[test]
    fn off_02_any_flipped_bit_breaks_the_certificate(bit in 0usize..(8 * (32 + 8 + 32 + 64)), name_flip in any::<bool>()) {
        let mut cert = certificate();
        if name_flip {
            let mut name = cert.helper_name.as_bytes().to_vec();
            let at = bit % name.len();
            // Stay within ASCII so the name remains a string.
            name[at] ^= 1 << (bit % 7);
            cert.helper_name = std::str::from_utf8(&name).unwrap().try_into().unwrap();
        } else {
            let (byte, mask) = (bit / 8, 1u8 << (bit % 8));
            match byte {
                0..=31 => cert.helper_key[byte] ^= mask,
                32..=39 => cert.expires_at_ms ^= u64::from(mask) << (8 * (byte - 32)),
                40..=71 => cert.group_key[byte - 40] ^= mask,
                _ => cert.signature[byte - 72] ^= mask,
            }
        }
        prop_assert!(cert.verify(NOW).is_err());
    }
}
