//! Captured pixels to the indexed screen, and which tiles they changed.
//!
//! The STM32 board's DCMI delivers one byte a pixel, RGB332 (the top three
//! bits of red and green and the top two of blue, wired from a 24-bit
//! HDMI/DVI receiver). The tile encoder takes at most [`MAX_COLOURS`]
//! colours in a tile, so a captured picture is mapped onto the 16-colour
//! VGA palette: a text-mode or BIOS screen uses exactly those colours, and
//! RGB332 tells all of them apart (their levels 0x00/0x55/0xAA/0xFF land on
//! different RGB332 codes), so such a screen comes through exactly; a
//! photo or a desktop comes through posterised. The mapping is a 256-entry
//! table built at compile time.
//!
//! [`convert_rows`] maps a band of captured rows into the screen and marks
//! the tiles whose pixels differ from what the screen held, so damage is
//! exact (no hashes) and costs one compare per pixel.

use crate::tiles::{Damage, Grid, MAX_COLOURS, TILE_H, TILE_W};

/// The 16 VGA text-mode colours (RGBA), in the BIOS attribute order.
pub const VGA16: [[u8; 4]; 16] = [
    [0x00, 0x00, 0x00, 255], // black
    [0x00, 0x00, 0xAA, 255], // blue
    [0x00, 0xAA, 0x00, 255], // green
    [0x00, 0xAA, 0xAA, 255], // cyan
    [0xAA, 0x00, 0x00, 255], // red
    [0xAA, 0x00, 0xAA, 255], // magenta
    [0xAA, 0x55, 0x00, 255], // brown
    [0xAA, 0xAA, 0xAA, 255], // light grey
    [0x55, 0x55, 0x55, 255], // dark grey
    [0x55, 0x55, 0xFF, 255], // light blue
    [0x55, 0xFF, 0x55, 255], // light green
    [0x55, 0xFF, 0xFF, 255], // light cyan
    [0xFF, 0x55, 0x55, 255], // light red
    [0xFF, 0x55, 0xFF, 255], // light magenta
    [0xFF, 0xFF, 0x55, 255], // yellow
    [0xFF, 0xFF, 0xFF, 255], // white
];

// The encoder's limit is what makes a 16-colour palette necessary.
const _: () = assert!(VGA16.len() <= MAX_COLOURS);

/// The RGB332 code of a colour: `rrrgggbb`.
pub const fn rgb332(r: u8, g: u8, b: u8) -> u8 {
    (r & 0xE0) | ((g & 0xE0) >> 3) | (b >> 6)
}

/// The colour an RGB332 code stands for, each channel widened to 8 bits by
/// repeating its bits (so 0b111 is 0xFF and 0b000 is 0x00).
pub const fn rgb332_colour(c: u8) -> [u8; 3] {
    let r = c >> 5;
    let g = (c >> 2) & 7;
    let b = c & 3;
    [
        (r << 5) | (r << 2) | (r >> 1),
        (g << 5) | (g << 2) | (g >> 1),
        (b << 6) | (b << 4) | (b << 2) | b,
    ]
}

const fn nearest_vga(c: u8) -> u8 {
    let [r, g, b] = rgb332_colour(c);
    let mut best = 0;
    let mut best_d = u32::MAX;
    let mut i = 0;
    while i < VGA16.len() {
        let dr = r.abs_diff(VGA16[i][0]) as u32;
        let dg = g.abs_diff(VGA16[i][1]) as u32;
        let db = b.abs_diff(VGA16[i][2]) as u32;
        let d = dr * dr + dg * dg + db * db;
        if d < best_d {
            best_d = d;
            best = i as u8;
        }
        i += 1;
    }
    best
}

const fn build_lut() -> [u8; 256] {
    let mut lut = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        lut[c] = nearest_vga(c as u8);
        c += 1;
    }
    lut
}

/// RGB332 code → index into [`VGA16`] (the nearest colour).
pub static RGB332_TO_VGA16: [u8; 256] = build_lut();

/// Map captured rows into `screen` and mark the tiles that changed.
///
/// `captured` holds whole rows of RGB332 pixels as the DCMI's DMA writes
/// them: four pixels a 32-bit word, the leftmost in the low byte. They land
/// on the screen's rows from `first_row` on. `screen` is `width` pixels a
/// row of [`VGA16`] indices. `width` must be a multiple of 4; rows that
/// would fall outside `screen` are left out.
pub fn convert_rows(
    captured: &[u32],
    screen: &mut [u8],
    width: u16,
    first_row: u16,
    damage: &mut Damage,
) {
    let w = usize::from(width);
    if w == 0 || w % 4 != 0 {
        return;
    }
    let grid = Grid {
        width,
        height: u16::try_from(screen.len() / w).unwrap_or(u16::MAX),
    };
    let cols = usize::from(grid.cols());
    let words_per_tile = usize::from(TILE_W) / 4;
    let rows = captured.chunks_exact(w / 4);
    let lines = screen.chunks_exact_mut(w).skip(usize::from(first_row));
    for (y, (src, dst)) in rows.zip(lines).enumerate() {
        let tile_row = (usize::from(first_row) + y) / usize::from(TILE_H);
        for (tx, (s, d)) in src
            .chunks(words_per_tile)
            .zip(dst.chunks_mut(usize::from(TILE_W)))
            .enumerate()
        {
            let mut changed = false;
            for (word, px) in s.iter().zip(d.chunks_exact_mut(4)) {
                let b = word.to_le_bytes();
                let new = [
                    RGB332_TO_VGA16[usize::from(b[0])],
                    RGB332_TO_VGA16[usize::from(b[1])],
                    RGB332_TO_VGA16[usize::from(b[2])],
                    RGB332_TO_VGA16[usize::from(b[3])],
                ];
                if px != new {
                    px.copy_from_slice(&new);
                    changed = true;
                }
            }
            if changed {
                damage.mark_tile(tile_row * cols + tx);
            }
        }
    }
}

#[cfg(test)]
mod tests;
