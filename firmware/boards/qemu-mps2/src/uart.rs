//! The CMSDK APB UART0: the dongle's serial console.
//!
//! Polled, not interrupt-driven: the console carries a few short lines a
//! second, the host side (QEMU's chardev) buffers what the one-byte
//! receive register cannot hold, and a 5 ms poll costs nothing.

use core::fmt::Write as _;
use core::ptr::{read_volatile, write_volatile};

use beckon_dongle::hw::Console;

const UART0: usize = 0x4000_4000;
const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;
const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;

/// The console UART.
pub struct Uart {
    _private: (),
}

fn reg(off: usize) -> *mut u32 {
    (UART0 + off) as *mut u32
}

impl Uart {
    /// Enable transmit and receive at 115200 baud (25 MHz / 217).
    pub fn init() -> Self {
        // SAFETY: UART0's registers on this board; nothing else uses them.
        unsafe {
            write_volatile(reg(BAUDDIV), 25_000_000 / 115_200);
            write_volatile(reg(CTRL), CTRL_TX_EN | CTRL_RX_EN);
        }
        Uart { _private: () }
    }

    fn put(&self, b: u8) {
        // SAFETY: as in `init`; reads and writes of the UART's own registers.
        unsafe {
            while read_volatile(reg(STATE)) & STATE_TX_FULL != 0 {}
            write_volatile(reg(DATA), u32::from(b));
        }
    }

    /// A received byte, if one is waiting.
    pub fn try_read(&self) -> Option<u8> {
        // SAFETY: as in `init`.
        unsafe {
            if read_volatile(reg(STATE)) & STATE_RX_FULL != 0 {
                Some(read_volatile(reg(DATA)) as u8)
            } else {
                None
            }
        }
    }
}

struct Writer<'a>(&'a Uart);

impl core::fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                self.0.put(b'\r');
            }
            self.0.put(b);
        }
        Ok(())
    }
}

impl Console for Uart {
    fn line(&self, args: core::fmt::Arguments<'_>) {
        let mut w = Writer(self);
        let _ = w.write_fmt(args);
        let _ = w.write_str("\n");
    }
}
