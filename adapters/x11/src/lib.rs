//! # beckon-x11
//!
//! Beckon's Linux X11 adapter: the novice's screen and input on an X server.
//!
//! [`X11Display`] captures the root window (MIT-SHM through a memfd when the
//! server offers it, `GetImage` otherwise) into RGBA, reports what changed
//! (XDamage), where the pointer is, injects the helper's input (XTEST) and
//! reports the person's own input (XInput2 raw events), telling it apart from
//! what it injected itself. It is a [`beckon_video::stream::FrameSource`].
//!
//! Keys travel as USB HID usages, which name physical key positions; they
//! become X keycodes through a fixed table ([`keymap`]), and the server's
//! current keymap decides what they type, so the novice's layout applies.
//!
//! Pure Rust: `x11rb`'s own connection, no libxcb, no `unsafe`.
//!
//! ## Files
//! - `display.rs`: [`X11Display`], the event queue and the public API.
//! - `caps.rs`: [`Capabilities`].
//! - `capture.rs`, `shm.rs`, `format.rs`: capture, the MIT-SHM segment, and
//!   the server's pixel format to RGBA.
//! - `damage.rs`: XDamage regions.
//! - `moves.rs`: top-level windows that moved, as hints for copies.
//! - `watch.rs`: a thread that wakes the driver when something is drawn.
//! - `inject.rs`, `scale.rs`: XTEST injection, pointer units to pixels.
//! - `local.rs`, `echo.rs`: local input, and recognising our own injections.
//! - `keymap.rs`: HID usages ↔ X keycodes.
//! - `error.rs`: [`X11Error`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod caps;
mod capture;
mod damage;
mod display;
mod echo;
mod error;
mod format;
mod inject;
pub mod keymap;
mod local;
mod moves;
mod scale;
mod shm;
mod watch;

pub use caps::{Capabilities, ExtensionVersion};
pub use display::X11Display;
pub use error::X11Error;
pub use watch::watch_damage;
