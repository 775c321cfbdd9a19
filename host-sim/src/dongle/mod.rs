//! Firmware-in-the-loop: the dongle's own app (`beckon-dongle`, the code
//! that runs on the boards) inside the simulator, with simulated hardware.
//!
//! The firmware's session is sans-IO ([`beckon_dongle::session::Visit`]),
//! so [`DongleSim`] drives it the way a board's embassy shell does, but
//! over the simulator's links and virtual clock: bytes in, `step`, bytes
//! out, timers. The dongle's shared state ([`beckon_dongle::Dongle`]:
//! device key, invitation book, settings, button queue) is the firmware's
//! too; its console commands are the ones a person types on the bench.
//!
//! The hardware: a [`target::Target`] computer whose screen is the frame
//! source and whose USB keyboard and mouse are the HID sink (typed keys
//! show in its text box, read through its keyboard layout); a status LED,
//! a serial console and storage from [`bench`] that record into the
//! transcript. Helpers are the simulator's usual [`ExpertClient`]s.
//!
//! [`ExpertClient`]: crate::expert::ExpertClient

pub mod bench;
mod engine;
pub mod target;
mod visit;
mod world;

pub use world::{ConnectError, DongleSim, DongleSimConfig, DONGLE_NAME};
