//! # beckon
//!
//! Beckon's command-line app: the novice's agent (`beckon share`) and the
//! helper's client (`beckon connect`, `beckon offer`) over TCP in real time,
//! the invitation book, machine settings and policy on disk, `doctor` and
//! the in-process `demo`. The protocol is `beckon-core`'s; the picture is
//! `beckon-video`'s; the simulated desktop is `beckon-host-sim`'s.
//!
//! ## Map
//! - [`cli`], [`commands`]: the command line, one file per command.
//! - [`agent`]: the novice's agent, one task per connection; [`display`]:
//!   the screen it shares.
//! - [`expert`]: the helper's client and its script language.
//! - [`link`]: a core session over a TCP socket; [`files`]: transfers on disk.
//! - [`home`], [`book`], [`machine`], [`settings`], [`policy_file`]: the data
//!   directory and what lives in it.
//! - [`error`]: failures and exit codes; [`story`]: what happened, in words.
//! - [`web`]: the browser pages (the helper's console, the person's panel).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod agent;
pub mod book;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod display;
pub mod error;
pub mod expert;
pub mod files;
pub mod home;
pub mod link;
pub mod machine;
pub mod observe;
pub mod policy_file;
pub mod settings;
pub mod story;
pub mod text;
pub mod web;

/// The runtime every `beckon` process (and benchmark) runs on: two workers,
/// and a large stack, because sessions are large values and debug builds
/// copy them on the stack.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(16 * 1024 * 1024)
        .enable_all()
        .build()
}
