//! Shared helpers for the tests against a real Xvfb.
#![allow(dead_code)]

pub mod client;
pub mod xvfb;
