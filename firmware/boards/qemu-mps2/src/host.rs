//! What the QEMU board takes from the host through semihosting: the wall
//! clock and an entropy seed. The MPS2 has neither a battery-backed clock
//! nor a random number generator; a real board reads its RTC (or gets the
//! time from its owner) and its TRNG.

use cortex_m_semihosting::{nr, syscall1};

/// The host's Unix time in milliseconds (second resolution).
pub fn unix_ms() -> u64 {
    // SAFETY: SYS_TIME takes no argument; QEMU runs with semihosting on.
    let secs = unsafe { syscall1(nr::TIME, 0) };
    secs as u64 * 1000
}

/// A 32-byte seed from the `seed=HEX` word of the semihosting command
/// line (`-semihosting-config enable=on,arg=...`), which the test harness
/// fills from the host's RNG. `None` when absent or malformed.
pub fn seed() -> Option<[u8; 32]> {
    let mut line = [0u8; CMDLINE_MAX];
    let hex = word(&mut line, "seed=")?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The host directory of the `store=DIR` word, where the dongle keeps its
/// records (see `storage`). `None` when absent: records then live in RAM.
pub fn store_dir(into: &mut heapless::String<96>) -> Option<&str> {
    let mut line = [0u8; CMDLINE_MAX];
    let dir = word(&mut line, "store=")?;
    into.clear();
    into.push_str(dir).ok()?;
    Some(into.as_str())
}

/// Room for the command line: the image name, a seed and a directory.
const CMDLINE_MAX: usize = 320;

/// The value of the first `KEY=value` word of the semihosting command line.
fn word<'a>(buf: &'a mut [u8; CMDLINE_MAX], key: &str) -> Option<&'a str> {
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: SYS_GET_CMDLINE writes at most `block[1]` bytes to
    // `block[0]` and the length it wrote back to `block[1]`; the block is
    // passed by address and read back volatile, since the host changed it.
    let failed = unsafe { syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) } != 0;
    if failed {
        return None;
    }
    // SAFETY: reading our own local array.
    let len = unsafe { core::ptr::read_volatile(&block[1]) }.min(buf.len());
    let end = buf[..len].iter().position(|&b| b == 0).unwrap_or(len);
    let line = core::str::from_utf8(&buf[..end]).ok()?;
    line.split_ascii_whitespace()
        .find_map(|w| w.strip_prefix(key))
}
