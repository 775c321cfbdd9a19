//! The embassy time driver on SysTick: a 1 kHz interrupt from the 25 MHz
//! core clock, counted in embassy's default 1 MHz ticks (the unit every
//! board of the workspace shares, since cargo unifies embassy-time's tick
//! feature across a workspace build). Why SysTick and not a CMSDK timer: every Cortex-M has it and QEMU
//! models it exactly, so the driver needs no board registers. A 1 ms tick
//! costs one short interrupt a millisecond, which the emulated M4 does not
//! notice; a tickless driver would matter on battery, not here.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;

/// The MPS2 FPGA images clock the core at 25 MHz.
const CORE_HZ: u32 = 25_000_000;
/// SysTick interrupts a second.
const IRQ_HZ: u32 = 1_000;
/// embassy ticks per interrupt.
const TICKS_PER_IRQ: u64 = embassy_time_driver::TICK_HZ / IRQ_HZ as u64;

struct SysTickDriver {
    ticks: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.ticks.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let mut q = self.queue.borrow(cs).borrow_mut();
            q.schedule_wake(at, waker);
            // A time already past is served at the next interrupt, within 1 ms.
        });
    }
}

/// Start the tick. Call once, first thing.
pub fn init(syst: &mut SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / IRQ_HZ - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let t = DRIVER.ticks.borrow(cs).get() + TICKS_PER_IRQ;
        DRIVER.ticks.borrow(cs).set(t);
        DRIVER.queue.borrow(cs).borrow_mut().next_expiration(t);
    });
}
