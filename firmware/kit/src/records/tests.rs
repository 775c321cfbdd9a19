use super::*;
use embedded_storage::nor_flash::{ErrorType, NorFlashErrorKind, ReadNorFlash};

extern crate std;
use std::vec::Vec;

const SECTOR: u32 = 4096;
const BASE: u32 = 8192;

/// Flash in RAM that programs only erased 32-byte words, like the H7's.
/// `cut_after` simulates a power cut: that many writes and erases go
/// through, the next one does half its work, and nothing after it.
struct Mock {
    mem: Vec<u8>,
    cut_after: Option<usize>,
    ops: usize,
}

impl Mock {
    fn new() -> Self {
        Mock {
            mem: std::vec![0xFF; (BASE + 2 * SECTOR) as usize],
            cut_after: None,
            ops: 0,
        }
    }
    /// Whether this operation runs, runs half, or not at all.
    fn op(&mut self) -> (bool, bool) {
        self.ops += 1;
        match self.cut_after {
            Some(n) if self.ops == n + 1 => (true, true),
            Some(n) if self.ops > n + 1 => (false, false),
            _ => (true, false),
        }
    }
}

impl ErrorType for Mock {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for Mock {
    const READ_SIZE: usize = 1;
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let at = offset as usize;
        let src = self
            .mem
            .get(at..at + bytes.len())
            .ok_or(NorFlashErrorKind::OutOfBounds)?;
        bytes.copy_from_slice(src);
        Ok(())
    }
    fn capacity(&self) -> usize {
        self.mem.len()
    }
}

impl NorFlash for Mock {
    const WRITE_SIZE: usize = 32;
    const ERASE_SIZE: usize = SECTOR as usize;
    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        assert_eq!(from % SECTOR, 0);
        assert_eq!(to % SECTOR, 0);
        let (run, half) = self.op();
        if !run {
            return Err(NorFlashErrorKind::Other);
        }
        let end = if half { from + (to - from) / 2 } else { to };
        self.mem[from as usize..end as usize].fill(0xFF);
        if half {
            Err(NorFlashErrorKind::Other)
        } else {
            Ok(())
        }
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        assert_eq!(offset % 32, 0, "unaligned write");
        assert_eq!(bytes.len() % 32, 0, "partial word");
        let at = offset as usize;
        assert!(
            self.mem[at..at + bytes.len()].iter().all(|&b| b == 0xFF),
            "programming a word that is not erased at {offset}"
        );
        let (run, half) = self.op();
        if !run {
            return Err(NorFlashErrorKind::Other);
        }
        let n = if half { bytes.len() / 2 } else { bytes.len() };
        self.mem[at..at + n].copy_from_slice(&bytes[..n]);
        if half {
            Err(NorFlashErrorKind::Other)
        } else {
            Ok(())
        }
    }
}

fn records(mem: Vec<u8>) -> Records<Mock> {
    let mut m = Mock::new();
    m.mem = mem;
    Records::new(m, BASE, SECTOR)
}

fn get(r: &mut Records<Mock>, tag: u8) -> Option<Vec<u8>> {
    let mut buf = [0u8; 2048];
    r.load(tag, &mut buf).map(|n| buf[..n].to_vec())
}

#[test]
fn empty_flash_has_no_records() {
    let mut r = records(Mock::new().mem);
    assert_eq!(get(&mut r, 1), None);
}

#[test]
fn records_of_any_length_survive_each_other() {
    let mut r = records(Mock::new().mem);
    let book: Vec<u8> = (0..1100u32).map(|i| (i * 31 % 251) as u8).collect();
    assert!(r.store(1, &[7; 32]));
    assert!(r.store(2, &[1]));
    assert!(r.store(4, &book));
    assert!(r.store(3, &[9; 32]));
    assert!(r.store(2, &[0]));
    assert!(r.store(4, &book[..5]));
    assert!(r.store(5, &[]));
    assert_eq!(get(&mut r, 1), Some(std::vec![7; 32]));
    assert_eq!(get(&mut r, 2), Some(std::vec![0]));
    assert_eq!(get(&mut r, 3), Some(std::vec![9; 32]));
    assert_eq!(get(&mut r, 4), Some(book[..5].to_vec()));
    assert_eq!(get(&mut r, 5), Some(std::vec![]));
    assert_eq!(get(&mut r, 6), None);
    // A fresh reader over the same flash (a reboot) sees the same.
    let mut again = records(r.flash.mem.clone());
    assert_eq!(get(&mut again, 4), Some(book[..5].to_vec()));
}

#[test]
fn a_short_buffer_is_not_overrun() {
    let mut r = records(Mock::new().mem);
    assert!(r.store(1, &[7; 32]));
    let mut small = [0u8; 8];
    assert_eq!(r.load(1, &mut small), None);
}

#[test]
fn stores_alternate_sectors_and_leave_one_block() {
    let mut r = records(Mock::new().mem);
    assert!(r.store(1, &[1; 32]));
    assert_eq!(r.current().map(|(i, h)| (i, h.seq)), Some((0, 1)));
    assert!(r.store(1, &[2; 32]));
    assert_eq!(r.current().map(|(i, h)| (i, h.seq)), Some((1, 2)));
    assert!(r.blank(0), "the old sector is erased");
    assert!(r.store(1, &[3; 32]));
    assert_eq!(r.current().map(|(i, h)| (i, h.seq)), Some((0, 3)));
}

#[test]
fn too_much_is_refused_and_the_old_records_stay() {
    let mut r = records(Mock::new().mem);
    assert!(r.store(1, &[1; 32]));
    assert!(!r.store(2, &[0; SECTOR as usize]));
    assert_eq!(get(&mut r, 1), Some(std::vec![1; 32]));
    assert_eq!(get(&mut r, 2), None);
}

#[test]
fn a_power_cut_anywhere_keeps_the_old_or_the_new_records() {
    // The starting state: a key, an owner, a book.
    let mut r = records(Mock::new().mem);
    let book: Vec<u8> = (0..900u32).map(|i| i as u8).collect();
    assert!(r.store(1, &[1; 32]));
    assert!(r.store(3, &[3; 32]));
    assert!(r.store(4, &book));
    // Two stores in a row (the second finds a sector the first left
    // behind), cut after every possible number of flash operations.
    let before = r.flash.mem.clone();
    let mut complete = 0;
    for cut in 0..200 {
        let mut r = records(before.clone());
        r.flash.cut_after = Some(cut);
        let first = r.store(3, &[4; 32]);
        let second = first && r.store(1, &[2; 32]);
        // Reboot.
        let mut after = records(r.flash.mem.clone());
        let key = get(&mut after, 1);
        let owner = get(&mut after, 3);
        assert_eq!(get(&mut after, 4), Some(book.clone()), "cut {cut}");
        assert!(
            key == Some(std::vec![1; 32]) || key == Some(std::vec![2; 32]),
            "cut {cut}"
        );
        assert!(
            owner == Some(std::vec![3; 32]) || owner == Some(std::vec![4; 32]),
            "cut {cut}"
        );
        if second {
            assert_eq!(key, Some(std::vec![2; 32]));
            assert_eq!(owner, Some(std::vec![4; 32]));
            complete += 1;
        }
        // Whatever the cut left, the next store works and keeps the rest.
        after.flash.cut_after = None;
        assert!(after.store(5, &[5]), "cut {cut}");
        assert_eq!(get(&mut after, 4), Some(book.clone()), "cut {cut}");
        assert_eq!(get(&mut after, 5), Some(std::vec![5]), "cut {cut}");
    }
    assert!(complete > 0, "some cut points come after both stores");
}
