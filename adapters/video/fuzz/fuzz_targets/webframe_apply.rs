//! Any bytes given to `webframe::apply` give `Ok` or an error, never a
//! panic; an error other than a corrupt rectangle leaves the screen as it
//! was, and a success leaves it the size the message declared.
//!
//! Run with `cargo fuzz run webframe_apply` in `adapters/video/fuzz`.
#![no_main]

use beckon_video::webframe::{self, WebFrameError};
use beckon_video::Screen;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a header, so most inputs get past it and reach
    // the records: none, a valid one for the screen, or one for another size
    // (a resize).
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut msg = Vec::with_capacity(rest.len() + 8);
    match mode % 3 {
        0 => {}
        1 => msg.extend_from_slice(b"BKW\x01\x40\x00\x30\x00"),
        _ => msg.extend_from_slice(b"BKW\x01\x21\x00\x13\x00"),
    }
    msg.extend_from_slice(rest);

    let mut screen = Screen::new(64, 48);
    let before = screen.clone();
    match webframe::apply(&mut screen, &msg) {
        Ok(applied) => {
            // A success means the header was there.
            let declared = (
                u16::from_le_bytes([msg[4], msg[5]]),
                u16::from_le_bytes([msg[6], msg[7]]),
            );
            assert_eq!((screen.width(), screen.height()), declared);
            assert_eq!(applied.resized, declared != (64, 48));
        }
        Err(WebFrameError::Rect { .. }) => {}
        Err(_) => assert_eq!(screen, before, "a refused frame changed the screen"),
    }
});
