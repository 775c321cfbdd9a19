//! The dongle's hardware-free parts, kept apart from the embassy app so
//! they are tested on the host (`cargo test -p beckon-dongle-kit --target
//! x86_64-unknown-linux-gnu` in `firmware/`):
//!
//! - [`tiles`]: an indexed-colour screen and its tile encoder (`Solid` and
//!   `Palette` rectangles, the formats the expert's decoder reads);
//! - [`hid`]: boot-keyboard and mouse report state that merges the local
//!   keyboard with the helper's keys and releases the helper's on demand;
//! - [`console`]: the serial console's line protocol (button, local keys,
//!   owner commands);
//! - [`target`]: a simulated target computer's text line, fed with HID
//!   reports through a keyboard layout;
//! - [`capture`]: captured RGB332 pixels to the indexed screen, with exact
//!   tile damage (the STM32 board's DCMI frame source);
//! - [`records`]: named records in two flash sectors used in turn, safe
//!   against a power cut (the STM32 board's storage);
//! - `canvas` (feature `canvas`): drawing an indexed-colour test screen
//!   with embedded-graphics, marking the tiles it touches;
//! - [`calendar`]: Unix time to a calendar date and back (the STM32
//!   board's real-time clock).
//!
//! no_std, no alloc, no I/O.
#![no_std]
#![deny(missing_docs)]

pub mod calendar;
#[cfg(feature = "canvas")]
pub mod canvas;
pub mod capture;
pub mod console;
pub mod hid;
pub mod records;
pub mod target;
pub mod tiles;
