//! # beckon-host-sim
//!
//! Beckon's host simulator: a simulated machine (desktop, keyboard, mouse),
//! a simulated network (latency, bandwidth, jitter, cuts, black holes and
//! bad bytes on purpose) and a virtual clock, all driven by one seed. The
//! real `beckon-core` novice and expert state machines run inside it with
//! real Noise handshakes and records; nothing takes a shortcut around them.
//!
//! It serves two purposes:
//! - deterministic end-to-end scenarios, one per requirement
//!   (`host-sim/tests/`), each able to print a transcript;
//! - the default desktop of `beckon demo`, so the main job runs headless.
//!
//! ## Map
//! - [`sim`]: the world, its clock and its queue of timed actions.
//! - [`agent`]: the novice's machine and agent (book, settings, policy,
//!   one session per connection).
//! - [`expert`]: an expert's client and its view of the screen.
//! - [`desktop`]: the simulated desktop and input devices.
//! - [`dongle`]: firmware-in-the-loop: the dongle's own firmware app with
//!   a simulated target computer, LED, console and storage
//!   ([`dongle::DongleSim`]).
//! - [`net`]: links, their pipes and the fault tap.
//! - [`files`]: files between the two; the picture is `beckon-video`'s
//!   [`video`] streamer and view.
//! - [`transcript`], [`events`]: what happened, in words.
//!
//! ```
//! use beckon_host_sim::{agent::Answer, Sim};
//!
//! let mut sim = Sim::new(7);
//! sim.agent.answers.consent = Answer::Yes;
//! let invitation = sim.agent.invite(sim.now(), "Oma", Some("tulip"), 3_600_000).unwrap();
//! let k = sim.connect_invitation("Henk", &invitation, Some("tulip")).unwrap();
//! sim.run_for(2_000);
//! assert!(sim.expert_sees_the_screen(k));
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod agent;
pub mod desktop;
pub mod dongle;
pub mod endpoint;
pub mod events;
pub mod expert;
pub mod files;
pub mod net;
pub mod sim;
pub mod transcript;

/// The picture over a session, shared with every driver.
pub use beckon_video::stream as video;

pub use sim::{Sim, SimConfig, T0};

/// Bytes of the expert's preamble (magic and mode) before the first frame.
pub(crate) const PREAMBLE_LEN: usize = beckon_core::session::PREAMBLE_MAGIC.len() + 1;
