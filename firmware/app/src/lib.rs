//! The dongle firmware app: board-agnostic embassy code over small hardware
//! traits (DESIGN §5).
//!
//! A board crate owns the peripherals, implements the traits in [`hw`],
//! and spawns its tasks; each task calls into this crate:
//!
//! - its network task runs `embassy_net::Runner::run`, and
//!   `net::configure` brings the address up (DHCP, then a static fallback);
//! - its console task feeds lines to [`Dongle::console_line`];
//! - its session task calls `session::serve`, which accepts helpers on
//!   TCP, runs beckon-core's novice role, streams the frame source and
//!   drives the HID sink;
//! - its owner task calls `owner::serve`, the owner's channel for pairing
//!   and invitations (`beckon dongle`).
//!
//! Everything the tasks share lives in one [`Dongle`], behind a blocking
//! critical-section mutex held only for short, non-async steps.
//!
//! The session itself is sans-IO ([`session::Visit`]): it takes bytes,
//! times and the person's events as arguments and never waits. The async
//! parts (`net`, `session::serve`, `owner::serve`) are a thin shell over
//! it behind the default `embassy` feature, so host-sim runs the same
//! session logic with simulated hardware (firmware-in-the-loop) without
//! embassy-net or a defmt logger.
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]

mod book_record;
mod dongle;
pub mod hw;
mod log;
#[cfg(feature = "embassy")]
pub mod net;
pub mod owner;
pub mod session;

pub use dongle::{Dongle, UserEvent, BOOK_CAPACITY};
