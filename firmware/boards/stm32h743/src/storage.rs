//! Keys, owner and settings in the last two 128 KiB flash sectors of bank 2,
//! through the kit's power-cut-safe records ([`Records`]): a store writes
//! a whole new block into the other sector, commits it with its header,
//! then erases the old one, so a cut at any moment leaves the old records
//! or the new ones. `memory.x` ends the program's flash before these
//! sectors.
//!
//! Records are variable length (a tag, a `u16` length, the bytes), so the
//! invitation book (up to `BOOK_RECORD_MAX`, 4 KiB) fits beside the rest.
//!
//! One window stays: the H7's flash has ECC, and a word whose programming
//! or a sector whose erase was cut off may read back with a double ECC
//! error, which faults the read. The records code never depends on such a
//! word, but reading it at boot would still fault; that is not handled.

use beckon_dongle::hw::{Slot, Storage};
use beckon_dongle_kit::records::Records;
use embassy_stm32::flash::{Blocking, Flash};
use embassy_stm32::peripherals::FLASH;
use embassy_stm32::Peri;

/// Offset from the start of flash of the first record sector (2 MiB
/// parts: sector 6 of bank 2; sector 7 follows). `memory.x` ends the
/// program's flash here.
const RECORDS_AT: u32 = 0x1C_0000;
/// One H7 flash sector.
const SECTOR: u32 = 128 * 1024;

/// The record tag of each slot. Tags are never reused for another meaning.
fn tag(slot: Slot) -> u8 {
    match slot {
        Slot::DeviceKey => 1,
        Slot::Settings => 2,
        Slot::Owner => 3,
        Slot::Book => 4,
    }
}

/// The flash-backed store.
pub struct FlashStorage {
    records: Records<Flash<'static, Blocking>>,
}

impl FlashStorage {
    /// Take the flash controller.
    pub fn new(flash: Peri<'static, FLASH>) -> Self {
        FlashStorage {
            records: Records::new(Flash::new_blocking(flash), RECORDS_AT, SECTOR),
        }
    }
}

impl Storage for FlashStorage {
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
        self.records.load(tag(slot), buf)
    }

    fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
        // Blocking: an erase takes about a second on the H7. Stores happen
        // at first boot, at pairing, when the owner changes a setting or
        // the invitations, and once when a helper's invitation is used or
        // a password is wrong: at a session's start, before pictures flow.
        self.records.store(tag(slot), data)
    }
}
