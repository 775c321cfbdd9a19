//! Any bytes fed to `Message::decode` give `Ok` or an error, never a panic;
//! whatever decodes must encode again and decode to the same message. The
//! same bytes taken as a record's plaintext (messages back to back, with
//! `Message::decode_prefix`) must come apart without a panic, each message
//! taking at least two bytes.
//!
//! Run with `cargo fuzz run message_decode` in `core/fuzz`.
#![no_main]

use beckon_core::message::Message;
use beckon_core::record::MAX_PLAINTEXT;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok((_, used)) = Message::decode_prefix(rest) {
        assert!((2..=rest.len()).contains(&used), "{used} of {}", rest.len());
        rest = &rest[used..];
    }
    let Ok(message) = Message::decode(data) else {
        return;
    };
    // Re-encoding is never longer than the input: decoding may accept longer
    // forms of a varint than encoding writes, never shorter ones.
    let mut out = vec![0u8; data.len().max(MAX_PLAINTEXT)];
    let len = match message.encode(&mut out) {
        Ok(len) => len,
        Err(e) => panic!("decoded message does not encode again: {e:?} {message:?}"),
    };
    let again = Message::decode(&out[..len]);
    assert_eq!(again, Ok(message), "round trip changed the message");
});
