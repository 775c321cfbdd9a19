//! The defmt global logger: frames go to the host's stderr through
//! semihosting.
//!
//! Why not `defmt-semihosting`: it writes to semihosting *stdout*, which
//! QEMU shares with the UART console on `-serial stdio`, so the binary
//! frames would land in the middle of the console text. ARM semihosting
//! opens `:tt` in append mode as stderr, which keeps the two apart: the
//! console on stdout, defmt frames on stderr (decode them with
//! `defmt-print -e ELF`).

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m_semihosting::hio::{self, HostStream};

#[defmt::global_logger]
struct Logger;

struct State {
    encoder: UnsafeCell<defmt::Encoder>,
    restore: UnsafeCell<critical_section::RestoreState>,
    stream: UnsafeCell<Option<HostStream>>,
}

// SAFETY: every access happens between `acquire` and `release`, inside a
// critical section, guarded by `TAKEN`.
unsafe impl Sync for State {}

static TAKEN: AtomicBool = AtomicBool::new(false);
static STATE: State = State {
    encoder: UnsafeCell::new(defmt::Encoder::new()),
    restore: UnsafeCell::new(critical_section::RestoreState::invalid()),
    stream: UnsafeCell::new(None),
};

fn emit(bytes: &[u8]) {
    // SAFETY: only called with the logger acquired (see `State`).
    let stream = unsafe { &mut *STATE.stream.get() };
    if stream.is_none() {
        *stream = hio::hstderr().ok();
    }
    if let Some(s) = stream {
        let _ = s.write_all(bytes);
    }
}

// SAFETY: the trait's contract (acquire/release pairs, no reentrancy) is
// kept by the critical section and the `TAKEN` flag.
unsafe impl defmt::Logger for Logger {
    fn acquire() {
        // SAFETY: released in `release`.
        let restore = unsafe { critical_section::acquire() };
        if TAKEN.swap(true, Ordering::Relaxed) {
            // A log call inside a log call (from a panic in formatting).
            // SAFETY: undo the acquire above before panicking.
            unsafe { critical_section::release(restore) };
            panic!("defmt logger taken reentrantly");
        }
        // SAFETY: we hold the logger.
        unsafe {
            *STATE.restore.get() = restore;
            (*STATE.encoder.get()).start_frame(emit);
        }
    }

    unsafe fn flush() {}

    unsafe fn release() {
        // SAFETY: the caller acquired the logger.
        unsafe {
            (*STATE.encoder.get()).end_frame(emit);
            TAKEN.store(false, Ordering::Relaxed);
            critical_section::release(*STATE.restore.get());
        }
    }

    unsafe fn write(bytes: &[u8]) {
        // SAFETY: the caller acquired the logger.
        unsafe { (*STATE.encoder.get()).write(bytes, emit) }
    }
}
