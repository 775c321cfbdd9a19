//! Tests of the video pieces, one file per piece, and of the pieces together
//! on a simulated link.

mod assembler;
mod quality;
mod sender;
mod slow_link;
