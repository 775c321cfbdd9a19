//! LZ4 data declaring a huge size is refused before anything that size is
//! allocated. Its own test binary, because it swaps the global allocator to
//! watch the largest allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use beckon_video::{DecodeError, Encoding, Rect, Screen};

/// The system allocator, recording the largest single request.
struct Watch;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Watch = Watch;

#[test]
fn huge_declared_size_is_refused_without_allocating() {
    let mut screen = Screen::new(64, 64);
    let mut data = (1u32 << 31).to_le_bytes().to_vec();
    // A tiny block that would expand a lot if trusted.
    data.extend_from_slice(&[0x1f, 0, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff]);
    LARGEST.store(0, Ordering::Relaxed);
    let got = screen.apply(Rect::new(0, 0, 64, 64), Encoding::Lz4, &data);
    let largest = LARGEST.load(Ordering::Relaxed);
    assert_eq!(
        got,
        Err(DecodeError::Lz4Size {
            declared: 1 << 31,
            expected: 64 * 64 * 4
        })
    );
    assert!(largest < 64 * 64 * 4, "allocated {largest} bytes");
}
