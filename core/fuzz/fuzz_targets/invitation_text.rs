//! Fuzz the invitation decoders (INV-11): no input may panic, and whatever
//! decodes must encode back to something that decodes to the same invitation.
#![no_main]

use beckon_core::invitation::{Invitation, MAX_ENCODED_BYTES};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(invitation) = Invitation::decode(data) {
        round_trips(&invitation);
    }
    // Invalid UTF-8 is exercised through the byte decoder above; the text
    // decoders take `&str`, so feed them the valid prefix.
    let text = match core::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) => core::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
    };
    if let Ok(invitation) = Invitation::from_text(text) {
        round_trips(&invitation);
    }
    if let Ok(invitation) = Invitation::from_file(text) {
        round_trips(&invitation);
    }
});

fn round_trips(invitation: &Invitation) {
    let mut bytes = [0u8; MAX_ENCODED_BYTES];
    let len = invitation
        .encode(&mut bytes)
        .expect("any decoded invitation fits MAX_ENCODED_BYTES");
    assert_eq!(Invitation::decode(&bytes[..len]).as_ref(), Ok(invitation));
    let text = invitation
        .to_text()
        .expect("any decoded invitation fits TEXT_CAP");
    assert_eq!(Invitation::from_text(&text).as_ref(), Ok(invitation));
    let file = invitation
        .to_file()
        .expect("any decoded invitation fits FILE_CAP");
    assert_eq!(Invitation::from_file(&file).as_ref(), Ok(invitation));
}
