//! Fuzz the record parser and opener: arbitrary bytes arriving on an
//! established session must give records, "need more bytes" or an error that
//! poisons the transport, and never a panic.
//!
//! The input is a receive stream for a transport with fixed keys. Seeds that
//! hold records sealed with those keys let the fuzzer mutate valid records,
//! not only garbage headers.
#![no_main]

use beckon_core::record::{parse_header, RecordError, Transport, HEADER_LEN, MAX_RECORD};

/// Fixed keys: the fuzzer is after parsing and length bugs, not the cipher.
const PEER_TO_US: [u8; 32] = [0x24; 32];
const US_TO_PEER: [u8; 32] = [0x42; 32];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut receiver = Transport::from_keys(US_TO_PEER, PEER_TO_US);
    let mut stream = data.to_vec();
    let mut rest = stream.as_mut_slice();
    loop {
        // The header parser alone must agree with the opener on lengths.
        let announced = parse_header(rest);
        match receiver.open_record(rest) {
            Ok(None) => {
                let incomplete = match announced {
                    Ok(None) => true,
                    Ok(Some(body_len)) => HEADER_LEN + body_len > rest.len(),
                    Err(_) => false,
                };
                assert!(incomplete, "opener waited on a complete record");
                assert!(!receiver.is_poisoned());
                break;
            }
            Ok(Some(opened)) => {
                assert_eq!(announced, Ok(Some(opened.record_len - HEADER_LEN)));
                assert!(opened.record_len <= MAX_RECORD);
                assert!(opened.plaintext().end <= opened.record_len);
                rest = &mut rest[opened.record_len..];
            }
            Err(error) => {
                assert!(receiver.is_poisoned());
                if let Err(header_error) = announced {
                    assert_eq!(error, header_error);
                }
                break;
            }
        }
    }

    // Whatever came before, the peer's genuine next record opens unless the
    // transport was poisoned, and is refused if it was.
    let mut peer = Transport::from_keys(PEER_TO_US, US_TO_PEER);
    let mut record = [0u8; 64];
    for _ in 0..receiver.records_received() {
        peer.seal(b"", &mut record).expect("peer seals");
    }
    let n = peer.seal(b"genuine", &mut record).expect("peer seals");
    let result = receiver.open_record(&mut record[..n]);
    if receiver.is_poisoned() {
        assert_eq!(result, Err(RecordError::Poisoned));
    } else {
        let opened = result.expect("genuine record").expect("whole record");
        assert_eq!(&record[opened.plaintext()], b"genuine");
    }

    // The body opener alone must take any length, too.
    let mut body = data.to_vec();
    let mut fresh = Transport::from_keys(US_TO_PEER, PEER_TO_US);
    if fresh.open_in_place(&mut body).is_err() {
        assert!(fresh.is_poisoned());
    }
});
