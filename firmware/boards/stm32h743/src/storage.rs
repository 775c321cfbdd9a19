//! Keys, owner and settings in the last 128 KiB sector of flash bank 2.
//!
//! One record block at the start of the sector: a magic word, then each
//! slot with a presence byte. A store reads the block, changes one slot,
//! erases the sector and writes the block back — a few writes in the
//! dongle's life (first boot, pairing, the owner's settings), so wear does
//! not matter and a log-structured store would be more code than worth.
//! A power cut between the erase and the write loses the records (a new
//! key and a new pairing code at the next boot); a second sector to
//! alternate with would close that window and is not written yet.

use beckon_dongle::hw::{Slot, Storage};
use embassy_stm32::flash::{Blocking, Flash};
use embassy_stm32::peripherals::FLASH;
use embassy_stm32::Peri;

/// A floor for the wall clock when nothing better is known: 2026-01-01.
pub const BUILD_FLOOR_UNIX_MS: u64 = 1_767_225_600_000;

/// Offset of the record sector from the start of flash (2 MiB parts: the
/// last sector of bank 2).
const SECTOR: u32 = 0x1E_0000;
const SECTOR_SIZE: u32 = 128 * 1024;
const MAGIC: [u8; 4] = *b"BKS1";
/// The block: magic, then key (1 + 32), owner (1 + 32), settings (1 + 1),
/// padded to whole 32-byte flash words.
const BLOCK: usize = 96;
const KEY_AT: usize = 4;
const OWNER_AT: usize = KEY_AT + 33;
const SETTINGS_AT: usize = OWNER_AT + 33;

/// The flash-backed store.
pub struct FlashStorage {
    flash: Flash<'static, Blocking>,
}

impl FlashStorage {
    /// Take the flash controller.
    pub fn new(flash: Peri<'static, FLASH>) -> Self {
        FlashStorage {
            flash: Flash::new_blocking(flash),
        }
    }

    fn block(&mut self) -> [u8; BLOCK] {
        let mut b = [0u8; BLOCK];
        if self.flash.blocking_read(SECTOR, &mut b).is_err() || b[..4] != MAGIC {
            b = [0; BLOCK];
            b[..4].copy_from_slice(&MAGIC);
        }
        b
    }

    /// Where a fixed-size record lies in the block. The invitation book
    /// has no place in this block yet (it is not kept across restarts).
    fn place(slot: Slot) -> Option<(usize, usize)> {
        match slot {
            Slot::DeviceKey => Some((KEY_AT, 32)),
            Slot::Owner => Some((OWNER_AT, 32)),
            Slot::Settings => Some((SETTINGS_AT, 1)),
            Slot::Book => None,
        }
    }
}

impl Storage for FlashStorage {
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
        let (at, len) = Self::place(slot)?;
        let b = self.block();
        if b[at] != 1 {
            return None;
        }
        buf.get_mut(..len)?
            .copy_from_slice(&b[at + 1..at + 1 + len]);
        Some(len)
    }

    fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
        let Some((at, len)) = Self::place(slot) else {
            return false;
        };
        if data.len() != len {
            return false;
        }
        let mut b = self.block();
        b[at] = 1;
        b[at + 1..at + 1 + len].copy_from_slice(data);
        self.flash
            .blocking_erase(SECTOR, SECTOR + SECTOR_SIZE)
            .and_then(|()| self.flash.blocking_write(SECTOR, &b))
            .is_ok()
    }
}
