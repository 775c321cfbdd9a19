//! The dongle's small hardware on the simulator's bench: its clock, status
//! LED, serial console and storage. Each records what the firmware did so
//! the simulator can put it in the transcript.

use std::cell::{Cell, RefCell};

use beckon_dongle::hw::{Console, Led, LedState, Slot, Storage};

thread_local! {
    /// The virtual clock's milliseconds since the run began, as the
    /// dongle's uptime. Set by the simulator before every call into the
    /// firmware; a thread-local because the firmware takes a plain `fn`,
    /// and each test (thread) runs its own world.
    static UPTIME_MS: Cell<u64> = const { Cell::new(0) };
}

/// Set the dongle's uptime (the simulator's elapsed time).
pub(crate) fn set_uptime(ms: u64) {
    UPTIME_MS.with(|c| c.set(ms));
}

/// The dongle's uptime clock: `Dongle::with_uptime`'s source.
pub(crate) fn uptime_ms() -> u64 {
    UPTIME_MS.with(Cell::get)
}

/// The serial console: the firmware's lines, waiting for the transcript.
#[derive(Debug, Default)]
pub struct BenchConsole {
    pending: RefCell<Vec<String>>,
}

impl BenchConsole {
    /// The lines printed since the last call.
    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.pending.borrow_mut())
    }
}

impl Console for BenchConsole {
    fn line(&self, args: std::fmt::Arguments<'_>) {
        self.pending.borrow_mut().push(args.to_string());
    }
}

/// The status LED: every state it showed, newest last.
#[derive(Debug, Default)]
pub struct BenchLed {
    /// What it showed, in order.
    pub shown: Vec<LedState>,
    told: usize,
}

impl BenchLed {
    /// The states shown since the last call.
    pub(crate) fn take_new(&mut self) -> Vec<LedState> {
        let new = self.shown[self.told..].to_vec();
        self.told = self.shown.len();
        new
    }

    /// What it shows now.
    pub fn now(&self) -> Option<LedState> {
        self.shown.last().copied()
    }
}

impl Led for BenchLed {
    fn show(&mut self, state: LedState) {
        self.shown.push(state);
    }
}

/// Storage in memory: every record the firmware wrote, by slot.
#[derive(Debug, Default)]
pub struct MemStorage {
    records: Vec<(Slot, Vec<u8>)>,
}

impl Storage for MemStorage {
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
        let (_, data) = self.records.iter().find(|(s, _)| *s == slot)?;
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        Some(n)
    }

    fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
        self.records.retain(|(s, _)| *s != slot);
        self.records.push((slot, data.to_vec()));
        true
    }
}
