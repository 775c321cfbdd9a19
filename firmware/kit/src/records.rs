//! Named records in two flash sectors used in turn, so a power cut at any
//! moment leaves either the old set of records or the new one — never
//! none.
//!
//! Each sector holds at most one *block*: a 32-byte header, then the
//! records one after another, each a tag byte, a little-endian `u16`
//! length and that many bytes — variable length, so a record may be a
//! 1-byte setting or a kilobyte-sized invitation book. The header carries
//! a magic word, a sequence number, the records' length and a CRC-32 of
//! them (and a CRC of itself).
//!
//! A store writes the whole new block into the sector that does not hold
//! the current one (erasing it first if it is not blank): records first,
//! the header last, so the block only becomes valid once it is complete.
//! Then it erases the old sector. Loading takes the valid block with the
//! highest sequence number. Stores are rare (first boot, pairing, the
//! owner's settings), so copying every record each time costs nothing
//! that matters, and one erase per store keeps wear far below any flash's
//! endurance.
//!
//! The flash must read at any byte offset (`READ_SIZE` 1, as memory-mapped
//! flash does) and program in units of at most 32 bytes that divide 32.

use embedded_storage::nor_flash::NorFlash;

/// Bytes of the header; records start after it. It is also the unit the
/// writer programs (one STM32H7 flash word).
pub const HEADER: u32 = 32;
/// Tag of an erased byte; never a record's tag.
pub const ERASED: u8 = 0xFF;
const MAGIC: [u8; 4] = *b"BKR1";

/// CRC-32 (IEEE 802.3), bit by bit: a few hundred bytes at boot and at a
/// store do not justify a 1 KiB table.
#[derive(Clone, Copy)]
struct Crc(u32);

impl Crc {
    const fn new() -> Self {
        Crc(!0)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            for _ in 0..8 {
                self.0 = (self.0 >> 1) ^ (0xEDB8_8320 & (self.0 & 1).wrapping_neg());
            }
        }
    }
    fn finish(self) -> u32 {
        !self.0
    }
}

/// A valid block's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    seq: u32,
    len: u32,
}

/// The records of two flash sectors at `base` and `base + sector`.
pub struct Records<F> {
    flash: F,
    base: u32,
    sector: u32,
}

impl<F: NorFlash> Records<F> {
    /// Records in the two `sector`-byte sectors from flash offset `base`.
    pub fn new(flash: F, base: u32, sector: u32) -> Self {
        Records {
            flash,
            base,
            sector,
        }
    }

    fn start(&self, i: u8) -> u32 {
        self.base + u32::from(i) * self.sector
    }

    fn read(&mut self, at: u32, buf: &mut [u8]) -> bool {
        self.flash.read(at, buf).is_ok()
    }

    /// The header of sector `i` if it starts a complete, intact block.
    fn head(&mut self, i: u8) -> Option<Head> {
        let start = self.start(i);
        let mut h = [0u8; HEADER as usize];
        if !self.read(start, &mut h) || h[..4] != MAGIC {
            return None;
        }
        let word = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        let mut own = Crc::new();
        own.update(&h[..16]);
        if own.finish() != word(16) {
            return None;
        }
        let head = Head {
            seq: word(4),
            len: word(8),
        };
        if head.len > self.sector - HEADER {
            return None;
        }
        // The records must be what the header says.
        let mut crc = Crc::new();
        let mut chunk = [0u8; 32];
        let mut at = 0;
        while at < head.len {
            let n = (head.len - at).min(32) as usize;
            if !self.read(start + HEADER + at, &mut chunk[..n]) {
                return None;
            }
            crc.update(&chunk[..n]);
            at += n as u32;
        }
        (crc.finish() == word(12)).then_some(head)
    }

    /// The sector holding the current block, and its header.
    fn current(&mut self) -> Option<(u8, Head)> {
        match (self.head(0), self.head(1)) {
            (Some(a), Some(b)) if b.seq > a.seq => Some((1, b)),
            (Some(a), _) => Some((0, a)),
            (None, Some(b)) => Some((1, b)),
            (None, None) => None,
        }
    }

    /// Walk the records of a block: `(tag, offset of the data, length)`.
    fn walk(&mut self, i: u8, head: Head, mut f: impl FnMut(&mut Self, u8, u32, u16) -> bool) {
        let records = self.start(i) + HEADER;
        let mut at = 0u32;
        while at + 3 <= head.len {
            let mut r = [0u8; 3];
            if !self.read(records + at, &mut r) {
                return;
            }
            let len = u16::from_le_bytes([r[1], r[2]]);
            if at + 3 + u32::from(len) > head.len || !f(self, r[0], records + at + 3, len) {
                return;
            }
            at += 3 + u32::from(len);
        }
    }

    /// Read record `tag` into `buf`: its length, or `None` if it was never
    /// stored (or does not fit `buf`).
    pub fn load(&mut self, tag: u8, buf: &mut [u8]) -> Option<usize> {
        let (i, head) = self.current()?;
        let mut found = None;
        self.walk(i, head, |me, t, at, len| {
            if t != tag {
                return true;
            }
            if let Some(b) = buf.get_mut(..usize::from(len)) {
                if me.read(at, b) {
                    found = Some(usize::from(len));
                }
            }
            false
        });
        found
    }

    fn blank(&mut self, i: u8) -> bool {
        let start = self.start(i);
        let mut chunk = [0u8; 32];
        (0..self.sector / 32)
            .all(|k| self.read(start + k * 32, &mut chunk) && chunk.iter().all(|&b| b == ERASED))
    }

    fn erase(&mut self, i: u8) -> bool {
        let start = self.start(i);
        self.flash.erase(start, start + self.sector).is_ok()
    }

    /// Store record `tag` (replacing its old value), keeping every other
    /// record; `false` if it could not be written (the old records stay).
    pub fn store(&mut self, tag: u8, data: &[u8]) -> bool {
        let Ok(len) = u16::try_from(data.len()) else {
            return false;
        };
        if tag == ERASED || F::WRITE_SIZE == 0 || 32 % F::WRITE_SIZE != 0 {
            return false;
        }
        let old = self.current();
        let target = old.map_or(0, |(i, _)| 1 - i);
        let seq = old.map_or(1, |(_, h)| h.seq.wrapping_add(1));
        // A cut during an earlier store may have left a partial block here.
        if !self.blank(target) && !self.erase(target) {
            return false;
        }
        let start = self.start(target);
        let mut w = Writer {
            at: start + HEADER,
            end: start + self.sector,
            buf: [ERASED; 32],
            fill: 0,
            crc: Crc::new(),
            len: 0,
            ok: true,
        };
        if let Some((i, head)) = old {
            self.walk(i, head, |me, t, at, n| {
                if t != tag {
                    w.push(&mut me.flash, &[t]);
                    w.push(&mut me.flash, &n.to_le_bytes());
                    let mut chunk = [0u8; 32];
                    let mut done = 0u16;
                    while done < n && w.ok {
                        let k = (n - done).min(32);
                        w.ok &= me.read(at + u32::from(done), &mut chunk[..usize::from(k)]);
                        w.push(&mut me.flash, &chunk[..usize::from(k)]);
                        done += k;
                    }
                }
                w.ok
            });
        }
        w.push(&mut self.flash, &[tag]);
        w.push(&mut self.flash, &len.to_le_bytes());
        w.push(&mut self.flash, data);
        w.flush(&mut self.flash);
        if !w.ok {
            return false;
        }
        // The commit: the header, written last.
        let mut h = [0u8; HEADER as usize];
        h[..4].copy_from_slice(&MAGIC);
        h[4..8].copy_from_slice(&seq.to_le_bytes());
        h[8..12].copy_from_slice(&w.len.to_le_bytes());
        h[12..16].copy_from_slice(&w.crc.finish().to_le_bytes());
        let mut own = Crc::new();
        own.update(&h[..16]);
        h[16..20].copy_from_slice(&own.finish().to_le_bytes());
        if self.flash.write(start, &h).is_err() {
            return false;
        }
        // The new block is valid and newer; the old one goes, so the next
        // store finds a blank sector. A cut here is harmless.
        if let Some((i, _)) = old {
            self.erase(i);
        }
        true
    }
}

/// Streams a block's records into flash, 32 bytes at a time.
struct Writer {
    at: u32,
    end: u32,
    buf: [u8; 32],
    fill: usize,
    crc: Crc,
    len: u32,
    ok: bool,
}

impl Writer {
    fn push<F: NorFlash>(&mut self, flash: &mut F, bytes: &[u8]) {
        self.crc.update(bytes);
        self.len += bytes.len() as u32;
        for &b in bytes {
            self.buf[self.fill] = b;
            self.fill += 1;
            if self.fill == self.buf.len() {
                self.flush(flash);
            }
        }
    }

    fn flush<F: NorFlash>(&mut self, flash: &mut F) {
        if self.fill == 0 || !self.ok {
            self.fill = 0;
            return;
        }
        self.buf[self.fill..].fill(ERASED);
        self.ok = self.at + 32 <= self.end && flash.write(self.at, &self.buf).is_ok();
        self.at += 32;
        self.fill = 0;
    }
}

#[cfg(test)]
mod tests;
