//! A small driver for the SMSC LAN9118 (the MPS2's LAN9220 is register
//! compatible), implementing `embassy-net-driver`.
//!
//! The chip is programmed I/O: frames go through 32-bit data FIFOs, one
//! status word each way. Receive is interrupt-driven (the "RX status FIFO
//! level" interrupt wakes the network task); transmit writes the frame
//! straight into the TX FIFO, which on this chip takes a whole frame.
//! Register facts are from the LAN9118 datasheet as QEMU models it.

use core::ptr::{read_volatile, write_volatile};
use core::task::Context;

use embassy_net_driver::{Capabilities, HardwareAddress, LinkState};
use embassy_sync::waitqueue::AtomicWaker;

/// Where the MPS2 FPGA maps the chip.
pub const BASE: usize = 0x4020_0000;
/// Its interrupt line on the AN385/AN386 images.
pub const IRQ: u16 = 13;

// System control and status registers (byte offsets).
const RX_DATA_FIFO: usize = 0x00;
const TX_DATA_FIFO: usize = 0x20;
const RX_STATUS_FIFO: usize = 0x40;
const TX_STATUS_FIFO: usize = 0x48;
const ID_REV: usize = 0x50;
const IRQ_CFG: usize = 0x54;
const INT_STS: usize = 0x58;
const INT_EN: usize = 0x5C;
const BYTE_TEST: usize = 0x64;
const FIFO_INT: usize = 0x68;
const TX_CFG: usize = 0x70;
const HW_CFG: usize = 0x74;
const RX_FIFO_INF: usize = 0x7C;
const TX_FIFO_INF: usize = 0x80;
const PMT_CTRL: usize = 0x84;
const MAC_CSR_CMD: usize = 0xA4;
const MAC_CSR_DATA: usize = 0xA8;

// MAC registers, reached through MAC_CSR_CMD/DATA.
const MAC_CR: u32 = 1;
const MAC_ADDRH: u32 = 2;
const MAC_ADDRL: u32 = 3;
const MII_ACC: u32 = 6;
const MII_DATA: u32 = 7;

const BYTE_TEST_VALUE: u32 = 0x8765_4321;
const HW_CFG_SRST: u32 = 1 << 0;
const PMT_READY: u32 = 1 << 0;
const CSR_BUSY: u32 = 1 << 31;
const CSR_READ: u32 = 1 << 30;
const MAC_CR_TXEN: u32 = 1 << 3;
const MAC_CR_RXEN: u32 = 1 << 2;
const MAC_CR_FDPX: u32 = 1 << 20;
const TX_CFG_TX_ON: u32 = 1 << 1;
const INT_RSFL: u32 = 1 << 3;
const IRQ_EN: u32 = 1 << 8;
const IRQ_POL_HIGH: u32 = 1 << 4;
const IRQ_PUSH_PULL: u32 = 1 << 0;
const TX_CMD_A_FIRST: u32 = 1 << 13;
const TX_CMD_A_LAST: u32 = 1 << 12;
const RX_STS_ERROR: u32 = 1 << 15;
const PHY_ADDR: u32 = 1;
const PHY_BSR: u32 = 1;
const PHY_BSR_LINK: u32 = 1 << 2;

/// Largest Ethernet frame handled (no VLAN tags, no jumbo frames).
pub const MTU: usize = 1514;
/// Room for a frame and its 4-byte CRC, in whole words.
const FRAME_WORDS: usize = (MTU + 4).div_ceil(4);

static RX_WAKER: AtomicWaker = AtomicWaker::new();

/// Why the chip did not come up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum InitError {
    /// BYTE_TEST did not read back its fixed pattern: no chip there, or
    /// the bus is byte-swapped.
    NoChip(u32),
    /// The chip did not leave reset.
    NotReady,
}

/// The LAN9118 at [`BASE`].
pub struct Lan9118 {
    mac: [u8; 6],
    rx: [u32; FRAME_WORDS],
    rx_len: usize,
    tx: [u8; MTU],
    tag: u16,
}

fn rd(off: usize) -> u32 {
    // SAFETY: an offset inside the chip's 256-byte register window.
    unsafe { read_volatile((BASE + off) as *const u32) }
}

fn wr(off: usize, v: u32) {
    // SAFETY: as in `rd`.
    unsafe { write_volatile((BASE + off) as *mut u32, v) }
}

fn mac_read(reg: u32) -> u32 {
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
    wr(MAC_CSR_CMD, CSR_BUSY | CSR_READ | reg);
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
    rd(MAC_CSR_DATA)
}

fn mac_write(reg: u32, v: u32) {
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
    wr(MAC_CSR_DATA, v);
    wr(MAC_CSR_CMD, CSR_BUSY | reg);
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
}

fn phy_read(reg: u32) -> u32 {
    // MII_ACC: PHY address in bits 15:11, register in 10:6, bit 0 busy.
    mac_write(MII_ACC, (PHY_ADDR << 11) | (reg << 6) | 1);
    while mac_read(MII_ACC) & 1 != 0 {}
    mac_read(MII_DATA) & 0xFFFF
}

impl Lan9118 {
    /// Reset the chip, read its MAC address (loaded from its EEPROM) and
    /// enable transmit, receive and the receive interrupt. The caller
    /// unmasks [`IRQ`] in the NVIC and calls [`on_interrupt`] from it.
    pub fn new() -> Result<Self, InitError> {
        let test = rd(BYTE_TEST);
        if test != BYTE_TEST_VALUE {
            return Err(InitError::NoChip(test));
        }
        wr(HW_CFG, HW_CFG_SRST);
        let mut spins = 0u32;
        while rd(HW_CFG) & HW_CFG_SRST != 0 || rd(PMT_CTRL) & PMT_READY == 0 {
            spins += 1;
            if spins > 1_000_000 {
                return Err(InitError::NotReady);
            }
        }
        let lo = mac_read(MAC_ADDRL).to_le_bytes();
        let hi = mac_read(MAC_ADDRH).to_le_bytes();
        let mac = [lo[0], lo[1], lo[2], lo[3], hi[0], hi[1]];
        defmt::info!("LAN9118 id {=u32:x}, MAC {=[u8]:02x}", rd(ID_REV), mac);
        // Our address, broadcast and (through the exact filter) nothing
        // else: leave promiscuous mode, which is the reset default.
        mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX);
        wr(TX_CFG, TX_CFG_TX_ON);
        // Interrupt as soon as one status word waits.
        wr(FIFO_INT, 0);
        wr(INT_STS, u32::MAX);
        wr(INT_EN, INT_RSFL);
        wr(IRQ_CFG, IRQ_EN | IRQ_POL_HIGH | IRQ_PUSH_PULL);
        Ok(Lan9118 {
            mac,
            rx: [0; FRAME_WORDS],
            rx_len: 0,
            tx: [0; MTU],
            tag: 0,
        })
    }

    /// Pop the next good frame into `self.rx`; `false` when none waits.
    fn pop_frame(&mut self) -> bool {
        loop {
            if (rd(RX_FIFO_INF) >> 16) & 0xFF == 0 {
                return false;
            }
            let status = rd(RX_STATUS_FIFO);
            let len = ((status >> 16) & 0x3FFF) as usize;
            let words = len.div_ceil(4);
            // Always drain the frame's words, even the ones we drop, so
            // the FIFO stays in step with the status words.
            for i in 0..words {
                let w = rd(RX_DATA_FIFO);
                if let Some(slot) = self.rx.get_mut(i) {
                    *slot = w;
                }
            }
            if status & RX_STS_ERROR != 0 || !(14 + 4..=MTU + 4).contains(&len) {
                defmt::warn!("LAN9118: dropped a frame (status {=u32:x})", status);
                continue;
            }
            self.rx_len = len - 4;
            return true;
        }
    }
}

/// Call from the LAN9118's interrupt: mask the source until the driver
/// has drained the FIFO, and wake the network task.
pub fn on_interrupt() {
    wr(INT_EN, 0);
    wr(INT_STS, INT_RSFL);
    RX_WAKER.wake();
}

/// A received frame, borrowed from the driver.
pub struct RxToken<'a> {
    words: &'a mut [u32; FRAME_WORDS],
    len: usize,
}

impl embassy_net_driver::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        // The FIFO hands bytes over little-endian: lay the words out as
        // bytes in place.
        for w in self.words.iter_mut() {
            *w = u32::from_le(*w);
        }
        // SAFETY: a [u32; N] is 4N initialised bytes with no padding.
        let bytes: &mut [u8; FRAME_WORDS * 4] =
            unsafe { &mut *(self.words as *mut [u32; FRAME_WORDS]).cast() };
        f(&mut bytes[..self.len])
    }
}

/// Room for one frame to send.
pub struct TxToken<'a> {
    buf: &'a mut [u8; MTU],
    tag: &'a mut u16,
}

impl embassy_net_driver::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(MTU);
        let r = f(&mut self.buf[..len]);
        *self.tag = self.tag.wrapping_add(1);
        // Command A: one buffer that is both the first and last segment.
        wr(TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | len as u32);
        // Command B: a tag for the status word, and the frame length.
        wr(TX_DATA_FIFO, (u32::from(*self.tag) << 16) | len as u32);
        for chunk in self.buf[..len].chunks(4) {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            wr(TX_DATA_FIFO, u32::from_le_bytes(w));
        }
        // Nobody reads transmit statuses; pop them so the FIFO never fills.
        while (rd(TX_FIFO_INF) >> 16) & 0xFF != 0 {
            let _ = rd(TX_STATUS_FIFO);
        }
        r
    }
}

impl embassy_net_driver::Driver for Lan9118 {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, cx: &mut Context) -> Option<(RxToken<'_>, TxToken<'_>)> {
        if !self.pop_frame() {
            // Arm the interrupt, then look once more: a frame that came in
            // between would otherwise wait for the next one.
            RX_WAKER.register(cx.waker());
            wr(INT_STS, INT_RSFL);
            wr(INT_EN, INT_RSFL);
            if !self.pop_frame() {
                return None;
            }
        }
        Some((
            RxToken {
                words: &mut self.rx,
                len: self.rx_len,
            },
            TxToken {
                buf: &mut self.tx,
                tag: &mut self.tag,
            },
        ))
    }

    fn transmit(&mut self, cx: &mut Context) -> Option<TxToken<'_>> {
        // The TX data FIFO takes a whole frame with its two command words
        // whenever it is empty, and we leave it empty after each frame; if
        // it is still busy, ask to be polled again rather than arm the
        // "TX data available" interrupt for a wait of microseconds.
        if (rd(TX_FIFO_INF) & 0xFFFF) < (MTU + 8) as u32 {
            cx.waker().wake_by_ref();
            return None;
        }
        Some(TxToken {
            buf: &mut self.tx,
            tag: &mut self.tag,
        })
    }

    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        if phy_read(PHY_BSR) & PHY_BSR_LINK != 0 {
            LinkState::Up
        } else {
            LinkState::Down
        }
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps.max_burst_size = Some(1);
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac)
    }
}
