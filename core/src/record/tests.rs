extern crate std;

use std::vec;
use std::vec::Vec;

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use proptest::prelude::*;

use super::*;

const KEY_A: [u8; 32] = [0x11; 32];
const KEY_B: [u8; 32] = [0x22; 32];

/// Two ends of one session: what one seals, the other opens.
fn pair() -> (Transport, Transport) {
    (
        Transport::from_keys(KEY_A, KEY_B),
        Transport::from_keys(KEY_B, KEY_A),
    )
}

fn sealed(transport: &mut Transport, plaintext: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; sealed_len(plaintext.len())];
    let n = transport.seal(plaintext, &mut out).unwrap();
    assert_eq!(n, out.len());
    out
}

/// Open a whole record (header included) the way a driver would.
fn opened(transport: &mut Transport, record: &[u8]) -> Result<Vec<u8>, RecordError> {
    let mut bytes = record.to_vec();
    let opened = transport.open_record(&mut bytes)?.expect("a whole record");
    assert_eq!(opened.record_len, record.len());
    Ok(bytes[opened.plaintext()].to_vec())
}

#[test]
fn records_round_trip_both_ways() {
    let (mut alice, mut bob) = pair();
    for i in 0..5u8 {
        let text = [i; 37];
        let record = sealed(&mut alice, &text);
        assert_eq!(opened(&mut bob, &record).unwrap(), text);
        let reply = sealed(&mut bob, &text[..i as usize]);
        assert_eq!(opened(&mut alice, &reply).unwrap(), &text[..i as usize]);
    }
    assert_eq!(alice.records_sent(), 5);
    assert_eq!(bob.records_received(), 5);
}

#[test]
fn header_announces_ciphertext_and_tag_big_endian() {
    let (mut alice, _) = pair();
    let record = sealed(&mut alice, &[7u8; 300]);
    assert_eq!(record.len(), HEADER_LEN + 300 + TAG_LEN);
    assert_eq!(&record[..2], &316u16.to_be_bytes());
}

#[test]
fn seal_in_place_matches_seal() {
    let (mut a1, _) = pair();
    let (mut a2, _) = pair();
    let text = b"the same words, sealed two ways";
    let expected = sealed(&mut a1, text);
    let mut buf = [0u8; 128];
    buf[HEADER_LEN..HEADER_LEN + text.len()].copy_from_slice(text);
    let n = a2.seal_in_place(&mut buf, text.len()).unwrap();
    assert_eq!(&buf[..n], expected.as_slice());
}

#[test]
fn body_is_a_noise_transport_message() {
    // Noise: ENCRYPT(k, n, ad = empty, plaintext) with the ChaChaPoly nonce
    // 32 zero bits followed by little-endian n. Record number 1 uses n = 1.
    let (mut alice, _) = pair();
    let _first = sealed(&mut alice, b"zero");
    let record = sealed(&mut alice, b"one");

    let mut expected = b"one".to_vec();
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&1u64.to_le_bytes());
    let tag = ChaCha20Poly1305::new((&KEY_A).into())
        .encrypt_in_place_detached(&nonce.into(), &[], &mut expected)
        .unwrap();
    expected.extend_from_slice(&tag);
    assert_eq!(&record[HEADER_LEN..], expected.as_slice());
}

#[test]
fn empty_and_full_records_are_allowed() {
    let (mut alice, mut bob) = pair();
    let empty = sealed(&mut alice, &[]);
    assert_eq!(empty.len(), HEADER_LEN + TAG_LEN);
    assert_eq!(opened(&mut bob, &empty).unwrap(), Vec::<u8>::new());

    let full = vec![0xA5; MAX_PLAINTEXT];
    let record = sealed(&mut alice, &full);
    assert_eq!(record.len(), MAX_RECORD);
    assert_eq!(opened(&mut bob, &record).unwrap(), full);
}

#[test]
fn oversized_plaintext_is_refused_without_poisoning() {
    let (mut alice, _) = pair();
    let mut out = vec![0u8; MAX_RECORD + 1];
    let too_big = vec![0u8; MAX_PLAINTEXT + 1];
    assert_eq!(alice.seal(&too_big, &mut out), Err(RecordError::TooLarge));
    assert_eq!(
        alice.seal_in_place(&mut out, MAX_PLAINTEXT + 1),
        Err(RecordError::TooLarge)
    );
    assert!(!alice.is_poisoned());
    assert_eq!(alice.records_sent(), 0);
}

#[test]
fn small_buffer_is_refused_without_using_a_nonce() {
    let (mut alice, mut bob) = pair();
    let mut out = [0u8; HEADER_LEN + 4 + TAG_LEN - 1];
    assert_eq!(
        alice.seal(b"four", &mut out),
        Err(RecordError::BufferTooSmall)
    );
    assert_eq!(
        alice.seal_in_place(&mut out, 4),
        Err(RecordError::BufferTooSmall)
    );
    assert!(!alice.is_poisoned());
    // The next record still uses nonce 0, so the peer opens it.
    let record = sealed(&mut alice, b"four");
    assert_eq!(opened(&mut bob, &record).unwrap(), b"four");
}

#[test]
fn tampering_any_byte_fails_authentication_and_poisons() {
    let (mut alice, _) = pair();
    let record = sealed(&mut alice, b"do not change a single bit of this");
    for position in HEADER_LEN..record.len() {
        let (_, mut bob) = pair();
        let mut body = record[HEADER_LEN..].to_vec();
        body[position - HEADER_LEN] ^= 0x01;
        assert_eq!(
            bob.open_in_place(&mut body),
            Err(RecordError::Authentication),
            "flipped byte {position}"
        );
        assert!(bob.is_poisoned());
        // Poisoned: the genuine record is refused too, but bob can still
        // seal a last record to say why the session ends.
        let mut genuine = record[HEADER_LEN..].to_vec();
        assert_eq!(bob.open_in_place(&mut genuine), Err(RecordError::Poisoned));
        assert!(bob.seal(b"bye", &mut [0u8; 64]).is_ok());
    }
}

#[test]
fn tampered_header_length_fails() {
    let (mut alice, _) = pair();
    let record = sealed(&mut alice, b"twelve bytes");
    // Announce one byte less: the body read is short by one, so the tag is
    // wrong.
    let (_, mut bob) = pair();
    let mut shorter = record.clone();
    shorter[1] -= 1;
    assert_eq!(
        bob.open_record(&mut shorter),
        Err(RecordError::Authentication)
    );
    assert!(bob.is_poisoned());
}

#[test]
fn replayed_or_reordered_records_fail() {
    let (mut alice, mut bob) = pair();
    let first = sealed(&mut alice, b"first");
    let second = sealed(&mut alice, b"second");
    assert_eq!(opened(&mut bob, &first).unwrap(), b"first");
    assert_eq!(opened(&mut bob, &first), Err(RecordError::Authentication));

    let (_, mut carol) = pair();
    assert_eq!(
        opened(&mut carol, &second),
        Err(RecordError::Authentication)
    );
    assert!(carol.is_poisoned());
}

#[test]
fn record_from_the_wrong_direction_fails() {
    let (mut alice, _) = pair();
    let record = sealed(&mut alice, b"reflected");
    // Alice must not accept her own record bounced back to her.
    assert_eq!(
        opened(&mut alice, &record),
        Err(RecordError::Authentication)
    );
}

#[test]
fn parse_header_needs_two_bytes() {
    assert_eq!(parse_header(&[]), Ok(None));
    assert_eq!(parse_header(&[0x00]), Ok(None));
    assert_eq!(parse_header(&[0x00, 0x10]), Ok(Some(TAG_LEN)));
    assert_eq!(parse_header(&[0x00, 0x10, 0xFF, 0xFF]), Ok(Some(TAG_LEN)));
}

#[test]
fn parse_header_rejects_impossible_lengths() {
    assert_eq!(parse_header(&[0x00, 0x00]), Err(RecordError::BadLength));
    assert_eq!(
        parse_header(&((TAG_LEN - 1) as u16).to_be_bytes()),
        Err(RecordError::BadLength)
    );
    let largest = (MAX_PLAINTEXT + TAG_LEN) as u16;
    assert_eq!(
        parse_header(&largest.to_be_bytes()),
        Ok(Some(MAX_PLAINTEXT + TAG_LEN))
    );
    assert_eq!(
        parse_header(&(largest + 1).to_be_bytes()),
        Err(RecordError::TooLarge)
    );
    assert_eq!(parse_header(&[0xFF, 0xFF]), Err(RecordError::TooLarge));
}

#[test]
fn truncated_or_oversized_bodies_poison() {
    let (_, mut bob) = pair();
    assert_eq!(
        bob.open_in_place(&mut [0u8; TAG_LEN - 1]),
        Err(RecordError::BadLength)
    );
    assert!(bob.is_poisoned());

    let (_, mut carol) = pair();
    let mut huge = vec![0u8; MAX_PLAINTEXT + TAG_LEN + 1];
    assert_eq!(carol.open_in_place(&mut huge), Err(RecordError::TooLarge));
    assert!(carol.is_poisoned());

    let (_, mut dave) = pair();
    assert_eq!(
        dave.open_record(&mut [0xFF, 0xFF, 0, 0]),
        Err(RecordError::TooLarge)
    );
    assert!(dave.is_poisoned());
}

#[test]
fn open_record_waits_for_a_whole_record() {
    let (mut alice, mut bob) = pair();
    let mut stream = sealed(&mut alice, b"one");
    stream.extend_from_slice(&sealed(&mut alice, b"two"));
    let first_len = HEADER_LEN + 3 + TAG_LEN;

    for cut in 0..first_len {
        let mut partial = stream[..cut].to_vec();
        assert_eq!(bob.open_record(&mut partial), Ok(None), "cut at {cut}");
    }
    assert!(!bob.is_poisoned());

    let first = bob.open_record(&mut stream).unwrap().unwrap();
    assert_eq!(first.record_len, first_len);
    assert_eq!(&stream[first.plaintext()], b"one");
    let rest = &mut stream[first.record_len..];
    let second = bob.open_record(rest).unwrap().unwrap();
    assert_eq!(&rest[second.plaintext()], b"two");
}

#[test]
fn nonce_exhaustion_is_an_error_not_a_wrap() {
    let (mut alice, mut bob) = pair();
    alice.set_counters_for_test(u64::MAX - 1, 0);
    bob.set_counters_for_test(0, u64::MAX - 1);
    let last = sealed(&mut alice, b"last");
    assert_eq!(opened(&mut bob, &last).unwrap(), b"last");

    let mut out = [0u8; 64];
    assert_eq!(
        alice.seal(b"more", &mut out),
        Err(RecordError::NonceExhausted)
    );
    assert!(alice.is_poisoned());
    assert_eq!(alice.records_sent(), u64::MAX);

    let mut body = [0u8; TAG_LEN];
    assert_eq!(
        bob.open_in_place(&mut body),
        Err(RecordError::NonceExhausted)
    );
    assert!(bob.is_poisoned());
}

#[test]
fn debug_output_hides_keys() {
    let (alice, _) = pair();
    let text = std::format!("{alice:?}");
    assert!(text.contains("Transport"));
    assert!(!text.contains("17"), "key byte 0x11 leaked: {text}");
}

proptest! {
    #[test]
    fn opening_arbitrary_bodies_never_panics(mut body in proptest::collection::vec(any::<u8>(), 0..MAX_RECORD + 64)) {
        let (_, mut bob) = pair();
        let result = bob.open_in_place(&mut body);
        // A random body is never a valid record, and every failure poisons.
        prop_assert!(result.is_err());
        prop_assert!(bob.is_poisoned());
    }

    #[test]
    fn opening_arbitrary_streams_never_panics(mut bytes in proptest::collection::vec(any::<u8>(), 0..2 * MAX_RECORD)) {
        let (_, mut bob) = pair();
        match bob.open_record(&mut bytes) {
            Ok(None) => prop_assert!(!bob.is_poisoned()),
            Ok(Some(_)) => prop_assert!(false, "random bytes authenticated"),
            Err(_) => prop_assert!(bob.is_poisoned()),
        }
    }

    #[test]
    fn any_plaintext_round_trips(texts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..2048), 1..6)) {
        let (mut alice, mut bob) = pair();
        for text in &texts {
            let record = sealed(&mut alice, text);
            prop_assert_eq!(parse_header(&record), Ok(Some(record.len() - HEADER_LEN)));
            prop_assert_eq!(&opened(&mut bob, &record).unwrap(), text);
        }
    }
}
