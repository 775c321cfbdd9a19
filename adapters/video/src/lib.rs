//! # beckon-video
//!
//! Beckon's screen encoder (novice side) and screen decoder (expert side).
//! `beckon-core` frames video and checks rectangle lengths; this crate turns
//! RGBA screens into the rectangles that travel in those frames, and back.
//!
//! ## How a screen is encoded
//! The screen is cut into square tiles ([`EncoderConfig::tile`]). Each
//! [`Encoder::encode`] compares the tiles (all of them, or only those the
//! windowing system reported as damaged) with the previous screen and sends
//! the tiles that changed, each in the cheapest encoding that is exact:
//! [`Encoding::Solid`] for one colour, [`Encoding::Lz4`] when it is smaller
//! than the pixels, else [`Encoding::Raw`]. Lossy and structural encodings
//! (JPEG, copy/scroll, palette) are chosen in the same per-tile step once
//! they exist.
//!
//! ## How it is decoded
//! [`Screen`] holds the viewer's copy of the screen; [`Screen::apply`] decodes
//! one rectangle into it. Its input comes from the network, so every length,
//! position and declared size is checked before anything is allocated or
//! written.
//!
//! ## Files
//! - `rect.rs`: [`Rect`] and its bounds arithmetic.
//! - `tiles.rs`: the tile grid, damage to tiles, tile comparison and copies.
//! - `encode.rs`: [`Encoder`] and the per-tile choice of encoding.
//! - `decode.rs`: [`Screen`].
//! - `stream.rs`: [`stream::Streamer`] and [`stream::View`], the picture
//!   over a `beckon-core` session, for every driver.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod decode;
mod encode;
mod rect;
pub mod stream;
mod tiles;

pub use beckon_core::message::Encoding;
pub use decode::{DecodeError, Screen};
pub use encode::{EncodeError, EncodeStats, EncodedRect, Encoder, EncoderConfig};
pub use rect::Rect;

/// Bytes per pixel: every screen is RGBA8, row-major, without row padding.
pub const BYTES_PER_PIXEL: usize = 4;
