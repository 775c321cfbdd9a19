//! # beckon-video
//!
//! Beckon's screen encoder (novice side) and screen decoder (expert side).
//! `beckon-core` frames video and checks rectangle lengths; this crate turns
//! RGBA screens into the rectangles that travel in those frames, and back.
//!
//! ## How a screen is encoded
//! The screen is cut into square tiles ([`EncoderConfig::tile`]). Each
//! [`Encoder::encode`] compares the tiles (all of them, or only those the
//! windowing system reported as damaged) with the previous screen, then:
//! 1. looks for content that was already on the previous screen at one
//!    offset (a scroll, a dragged window) and sends it as
//!    [`Encoding::Copy`], first in the frame: runs of whole rows of the
//!    changed area, to the pixel, wherever the tiles are (a terminal's text
//!    area rarely lines up with them), or else whole changed tiles;
//! 2. compares the changed tiles again with the screen as those copies
//!    leave it, narrows each one that still differs to the box around its
//!    changed pixels (a typed character is a few pixels of a tile, a
//!    scroll's new line a strip of it), and sends that box in the cheapest
//!    encoding that is exact:
//!    [`Encoding::Solid`] for one colour, [`Encoding::PaletteZ`] for up to
//!    16 colours (text, UI; [`Encoding::Palette`] for small boxes), [`Encoding::Lz4`] when it is smaller than the
//!    pixels, else [`Encoding::Raw`];
//! 3. sends a small box whose exact pixels the viewer already keeps (a glyph
//!    typed again) as [`Encoding::Cached`], a 2-byte key, and a larger
//!    change that is text on one background (a new page in a terminal) as
//!    one [`Encoding::Glyphs`] rectangle, glyph by glyph, most of them keys
//!    of glyphs the viewer keeps;
//! 4. when lossy is allowed ([`Encoder::set_lossy_quality`]), sends tiles
//!    that look photographic (many colours, LZ4 does poorly) as
//!    [`Encoding::Jpeg`] if that is smaller, and sends them again exactly
//!    once they stop changing;
//! 5. with the `h264` feature and when the driver allows it
//!    ([`Encoder::set_h264`]), sends a region that keeps changing with
//!    photographic content (a video) as one [`Encoding::H264`] picture,
//!    exact again once it rests, like JPEG tiles.
//!
//! ## How it is decoded
//! [`Screen`] holds the viewer's copy of the screen; [`Screen::apply`] decodes
//! one rectangle into it. Its input comes from the network, so every length,
//! position and declared size is checked before anything is allocated or
//! written.
//!
//! ## Files
//! - `rect.rs`: [`Rect`] and its bounds arithmetic.
//! - `bounds.rs`: the box around what changed inside a tile.
//! - `cache.rs`: small rectangles both sides keep, for [`Encoding::Cached`].
//! - `glyphs.rs`: text cut into glyphs, both ways, for
//!   [`Encoding::Glyphs`].
//! - `zstream.rs`: the deflate stream through a frame, for
//!   [`Encoding::PaletteZ`].
//! - `tiles.rs`: the tile grid, damage to tiles, tile comparison and copies.
//! - `encode.rs`: [`Encoder`], its passes and the per-tile choice of
//!   encoding.
//! - `scroll.rs`: copy detection (the vote on a vector, the exact check and
//!   the order of copies of whole tiles).
//! - `strips.rs`: copies of runs of rows, to the pixel.
//! - `palette.rs`: the palette format, both ways.
//! - `lz4.rs`: LZ4 with the size prefix into a buffer kept between tiles.
//! - `jpeg.rs`: when JPEG is worth trying, and the JPEG format both ways.
//! - `motion.rs`: finding a region in full motion, by measuring (`h264`
//!   feature).
//! - `h264.rs`: the H.264 format both ways, one OpenH264 encoder or decoder
//!   per region (`h264` feature).
//! - `fullmotion.rs`: the encoder's H.264 path: when it is allowed, the
//!   region's encoder, key pictures (`h264` feature).
//! - `decode.rs`: [`Screen`].
//! - `stream.rs`: [`stream::Streamer`] and [`stream::View`], the picture
//!   over a `beckon-core` session, for every driver.
//! - `webframe.rs`: [`webframe`], one whole frame update as one message for
//!   the helper's browser console ([`webframe::WebFrameWriter`] on the
//!   server, [`webframe::apply`] in the browser, compiled to WebAssembly by
//!   `beckon-video-wasm`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod bounds;
mod cache;
mod decode;
mod encode;
#[cfg(feature = "h264")]
mod fullmotion;
mod glyphs;
#[cfg(feature = "h264")]
mod h264;
mod jpeg;
mod lz4;
#[cfg(feature = "h264")]
mod motion;
mod palette;
mod rect;
mod scroll;
pub mod stream;
mod strips;
mod tiles;
pub mod webframe;
mod zstream;

pub use beckon_core::message::Encoding;
pub use decode::{DecodeError, Screen};
pub use encode::{EncodeError, EncodeStats, EncodedRect, Encoder, EncoderConfig};
pub use rect::Rect;

/// Whether this build encodes and decodes [`Encoding::H264`] (the crate's
/// `h264` feature): a driver allows the encoder's H.264 path
/// ([`Encoder::set_h264`]) only when the viewer's build has it too.
pub const H264: bool = cfg!(feature = "h264");

/// Bytes per pixel: every screen is RGBA8, row-major, without row padding.
pub const BYTES_PER_PIXEL: usize = 4;
