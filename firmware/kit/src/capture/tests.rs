use super::*;
use crate::tiles::{encode_tile, IndexedFrame, MAX_TILE_BYTES};

extern crate std;
use std::vec::Vec;

/// Pack RGB332 bytes four to a word, as the DCMI's DMA does.
fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[test]
fn every_vga_colour_comes_through_exactly() {
    for (i, c) in VGA16.iter().enumerate() {
        let code = rgb332(c[0], c[1], c[2]);
        assert_eq!(usize::from(RGB332_TO_VGA16[usize::from(code)]), i, "{c:?}");
    }
}

#[test]
fn the_table_only_names_palette_colours() {
    assert!(RGB332_TO_VGA16
        .iter()
        .all(|&i| usize::from(i) < VGA16.len()));
    // Near colours snap: almost white is white, almost black is black.
    assert_eq!(RGB332_TO_VGA16[usize::from(rgb332(0xF0, 0xF0, 0xF0))], 15);
    assert_eq!(RGB332_TO_VGA16[usize::from(rgb332(0x10, 0x10, 0x10))], 0);
}

#[test]
fn rgb332_widens_full_scale() {
    assert_eq!(rgb332_colour(0xFF), [0xFF, 0xFF, 0xFF]);
    assert_eq!(rgb332_colour(0x00), [0x00, 0x00, 0x00]);
}

const W: u16 = 64;
const H: u16 = 48;

#[test]
fn a_first_capture_damages_what_differs_from_black() {
    let mut screen = std::vec![0u8; usize::from(W) * usize::from(H)];
    // Black everywhere but one white pixel at (40, 20): tile column 1, row 1.
    let mut cap = std::vec![0u8; screen.len()];
    cap[20 * usize::from(W) + 40] = 0xFF;
    let mut damage = Damage::new();
    convert_rows(&words(&cap), &mut screen, W, 0, &mut damage);
    let cols = usize::from(W / TILE_W);
    assert_eq!(damage.iter().collect::<Vec<_>>(), [cols + 1]);
    assert_eq!(screen[20 * usize::from(W) + 40], 15);
    // The same picture again changes nothing.
    let mut again = Damage::new();
    convert_rows(&words(&cap), &mut screen, W, 0, &mut again);
    assert!(again.is_empty());
}

#[test]
fn a_band_lands_on_its_rows() {
    let mut screen = std::vec![0u8; usize::from(W) * usize::from(H)];
    // The bottom half (rows 24..48) of a red screen.
    let red = rgb332(0xAA, 0, 0);
    let band = std::vec![red; usize::from(W) * 24];
    let mut damage = Damage::new();
    convert_rows(&words(&band), &mut screen, W, 24, &mut damage);
    assert!(screen[..usize::from(W) * 24].iter().all(|&p| p == 0));
    assert!(screen[usize::from(W) * 24..].iter().all(|&p| p == 4));
    // Rows 24..48 touch tile rows 1 and 2 (16 pixels each).
    let grid = Grid {
        width: W,
        height: H,
    };
    let marked: Vec<usize> = damage.iter().collect();
    let want: Vec<usize> = (0..grid.len())
        .filter(|&i| {
            let r = grid.rect(i);
            r.y + r.h > 24
        })
        .collect();
    assert_eq!(marked, want);
}

#[test]
fn a_band_past_the_screen_is_cut_off() {
    let mut screen = std::vec![0u8; usize::from(W) * 4];
    let band = std::vec![0xFFu8; usize::from(W) * 8];
    let mut damage = Damage::new();
    convert_rows(&words(&band), &mut screen, W, 2, &mut damage);
    assert!(screen[usize::from(W) * 2..].iter().all(|&p| p == 15));
    assert!(screen[..usize::from(W) * 2].iter().all(|&p| p == 0));
}

#[test]
fn any_capture_encodes() {
    // Every RGB332 code in every tile: the encoder's 16-colour limit holds
    // because the palette has 16 colours.
    let mut screen = std::vec![0u8; usize::from(W) * usize::from(H)];
    let cap: Vec<u8> = (0..screen.len()).map(|i| (i * 7 % 256) as u8).collect();
    let mut damage = Damage::new();
    convert_rows(&words(&cap), &mut screen, W, 0, &mut damage);
    let frame = IndexedFrame {
        width: W,
        height: H,
        palette: &VGA16,
        pixels: &screen,
    };
    let grid = Grid {
        width: W,
        height: H,
    };
    let mut out = [0u8; MAX_TILE_BYTES];
    for i in 0..grid.len() {
        assert!(
            encode_tile(&frame, grid.rect(i), &mut out).is_ok(),
            "tile {i}"
        );
    }
}
