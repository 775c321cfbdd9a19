//! One trait per piece of hardware. A board implements these over its
//! peripherals; the app never names a chip.

use beckon_dongle_kit::hid::{KeyboardReport, MouseMode, MouseReport};
use beckon_dongle_kit::tiles::{Damage, IndexedFrame};

/// Where the target's screen comes from (an HDMI capture on hardware, a
/// drawn test screen on QEMU).
pub trait FrameSource {
    /// The current picture. The borrow ends before anything else runs.
    fn with_frame<R>(&mut self, f: impl FnOnce(&IndexedFrame<'_>) -> R) -> R;
    /// Move the tiles that changed since the last call into `into`.
    fn take_damage(&mut self, into: &mut Damage);
}

/// The USB HID device the target computer sees: a boot keyboard and a
/// mouse (absolute or relative).
pub trait HidSink {
    /// Send a keyboard report.
    fn keyboard(&mut self, report: &KeyboardReport);
    /// Send a mouse report in the given mode.
    fn mouse(&mut self, mode: MouseMode, report: &MouseReport);
    /// The keyboard LEDs the target set last (bit 0 Num, 1 Caps, 2 Scroll).
    fn leds(&self) -> u8 {
        0
    }
}

/// What the status LED shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LedState {
    /// No network address yet.
    Offline,
    /// Waiting for a helper.
    Idle,
    /// A question waits for the button.
    Asking,
    /// A helper sees the screen.
    Viewing,
    /// A helper shares control.
    Control,
}

/// The status LED.
pub trait Led {
    /// Show a state.
    fn show(&mut self, state: LedState);
}

/// A few named records that survive a restart: the device key, settings.
pub trait Storage {
    /// Read a record into `buf`; its length, or `None` if never written.
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize>;
    /// Write a record; `false` if it could not be stored.
    fn store(&mut self, slot: Slot, data: &[u8]) -> bool;
}

/// The records the dongle keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Slot {
    /// The long-term device key (32 secret bytes).
    DeviceKey,
    /// The owner's settings (1 byte of flags).
    Settings,
    /// The paired owner's public key (32 bytes).
    Owner,
    /// The invitation book and which invitations are pre-approved, at most
    /// [`BOOK_RECORD_MAX`] bytes.
    Book,
}

/// The largest [`Slot::Book`] record: eight invitations with long names
/// and four addresses each, with room to spare. A board's store must take
/// a record this long.
pub const BOOK_RECORD_MAX: usize = 4096;

/// The person-facing text console (a serial port on the bench). Writes are
/// short and blocking; the app never waits on the console.
pub trait Console {
    /// Print one line.
    fn line(&self, args: core::fmt::Arguments<'_>);
}
