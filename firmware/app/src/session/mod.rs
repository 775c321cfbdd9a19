//! The session: accept a helper, run beckon-core's novice role, ask the
//! person through the button, stream the frame source, and drive the HID
//! sink.
//!
//! One helper at a time: a dongle has one screen and one keyboard port, and
//! its RAM holds one session's buffers. While nobody is connected the
//! person's keyboard still passes through to the target ([`idle`]).
//!
//! [`Visit`] is one helper's session without any I/O: the caller hands it
//! bytes, the time and the person's events, and moves its bytes. The async
//! shell (`serve`, feature `embassy`) drives it over an embassy-net socket
//! on a board; host-sim drives the same code over simulated links.

mod owned;
#[cfg(feature = "embassy")]
mod serve;
mod video;
mod visit;

use beckon_core::reason::EndReason;
use beckon_dongle_kit::hid::{Keyboard, Mouse, Source};
use beckon_dongle_kit::tiles::MAX_TILE_BYTES;
use rand_core::CryptoRngCore;

use crate::dongle::{Dongle, UserEvent};
use crate::hw::{Console, HidSink, Storage};
use crate::log;

#[cfg(feature = "embassy")]
pub use serve::serve;
pub use visit::Visit;

/// The TCP port helpers connect to (the same as the desktop's, NET-02).
pub const PORT: u16 = 7070;

/// The session's send buffer. The core needs room for one full record
/// plus its control reserve before it takes bulk data; this leaves a few
/// KiB of tiles per flush.
pub const OUTBOX: usize = 24 * 1024;

/// How often (ms) the screen is checked for changes while a helper watches.
pub const FRAME_INTERVAL_MS: u64 = 100;

/// The buffers one session needs; keep them in a `static` (StaticCell).
pub struct Buffers {
    #[cfg_attr(not(feature = "embassy"), allow(dead_code))]
    rx: [u8; 4096],
    #[cfg_attr(not(feature = "embassy"), allow(dead_code))]
    tx: [u8; 8192],
    /// Room for one encoded tile, for [`Visit::step`].
    pub tile: [u8; MAX_TILE_BYTES],
}

impl Buffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        Buffers {
            rx: [0; 4096],
            tx: [0; 8192],
            tile: [0; MAX_TILE_BYTES],
        }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}

/// The hardware a session drives.
pub struct Io<'a, F, H, L, C> {
    /// The target's screen.
    pub video: &'a mut F,
    /// The USB HID device towards the target.
    pub hid: &'a mut H,
    /// The status LED.
    pub led: &'a mut L,
    /// The person's console.
    pub console: &'a C,
}

/// What the dongle's keyboard and mouse hold towards the target. It
/// outlives sessions: the person's keys pass through with nobody
/// connected, and a helper's keys are released when their session ends.
#[derive(Debug, Default)]
pub struct Reports {
    keyboard: Keyboard,
    mouse: Mouse,
}

impl Reports {
    /// Nothing held.
    pub fn new() -> Self {
        Reports {
            keyboard: Keyboard::new(),
            mouse: Mouse::default(),
        }
    }

    /// Release whatever the helper holds, telling the target.
    fn release_remote<H: HidSink>(&mut self, hid: &mut H) {
        if self.keyboard.release_remote() {
            hid.keyboard(&self.keyboard.report());
        }
        if let Some(r) = self.mouse.release() {
            hid.mouse(self.mouse.mode, &r);
        }
    }
}

impl<R: CryptoRngCore + Send, S: Storage + Send> Dongle<R, S> {
    /// The person's next event, if one waits (for a driver that polls
    /// rather than awaits the queue).
    pub fn take_user_event(&self) -> Option<UserEvent> {
        self.events.try_receive().ok()
    }
}

/// The person's event while nobody is connected: a long press shows a new
/// pairing code (for the owner channel), and the person's keyboard still
/// works.
pub fn idle<R, S, F, H, L, C>(
    dongle: &Dongle<R, S>,
    ev: UserEvent,
    reports: &mut Reports,
    io: &mut Io<'_, F, H, L, C>,
) where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    H: HidSink,
    C: Console,
{
    match ev {
        UserEvent::ButtonLong => dongle.renew_pairing_code(io.console),
        UserEvent::Key { usage, down } => {
            if reports.keyboard.key(Source::Local, usage, down) {
                io.hid.keyboard(&reports.keyboard.report());
            }
        }
        UserEvent::Mouse(mode) => reports.mouse.mode = mode,
        UserEvent::Button => {}
    }
}

/// A session ended (after its last bytes went, as far as they could):
/// nothing the helper pressed stays down, the LED and `status` say nobody
/// is connected, and the person reads why.
pub fn ended<R, S, F, H, L, C>(
    dongle: &Dongle<R, S>,
    reason: EndReason,
    reports: &mut Reports,
    io: &mut Io<'_, F, H, L, C>,
) where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    H: HidSink,
    C: Console,
{
    reports.release_remote(io.hid);
    dongle.with(|s| s.session = None);
    io.console.line(format_args!("session ended: {reason}"));
    log::info!("session ended: {}", reason);
}
