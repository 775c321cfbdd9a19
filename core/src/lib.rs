//! # beckon-core
//!
//! The protocol core of Beckon, remote assistance for people who need help and
//! the helpers they trust. The same code runs in the `beckon` desktop app, in
//! the KVM-over-IP dongle's firmware and in the host simulator.
//!
//! The crate is *sans-IO*: it never touches a socket, a clock, a thread, a file
//! or the heap. A driver feeds it events (bytes received, the time, local
//! input, the user's choices) and drains actions (bytes to send, input to
//! inject, prompts to show). Time is a `u64` of milliseconds supplied by the
//! caller and randomness comes from a caller-supplied
//! [`rand_core::CryptoRngCore`].
//!
//! ## Map
//! - [`invitation`]: invitations (requested help), their text form and the
//!   novice's invitation book.
//! - [`policy`]: machine settings and the offered-help policy.
//! - [`handshake`]: Noise `NK` (invitations) and `XX` (offered help).
//! - [`record`]: the encrypted record layer after the handshake.
//! - [`message`]: the one versioned message enum that travels in records.
//! - [`session`]: the novice and expert state machines.
//! - [`control`]: shared-control arbitration.
//! - [`chat`], [`transfer`], [`video`]: the pieces a session is made of.
//! - [`keymap`]: target keyboard layouts, for typing text (L10N-02).
//! - [`reason`]: why things end, who did them and how.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "std")]
extern crate std;

pub mod chat;
pub mod control;
pub mod handshake;
pub mod invitation;
pub mod keymap;
pub mod message;
pub mod owner;
pub mod policy;
pub mod reason;
pub mod record;
pub mod session;
pub mod transfer;
pub mod video;

pub use rand_core;
