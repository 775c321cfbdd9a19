//! What the dongle's tasks share: the owner's invitations and settings,
//! the device key, the RNG, storage, and the person's button and keys on
//! their way to the session.

use core::cell::RefCell;
use core::fmt::Write as _;

use beckon_core::handshake::StaticKeypair;
use beckon_core::invitation::{InvitationBook, InvitationId, NewInvitation};
use beckon_core::policy::MachineSettings;
use beckon_core::session::NoviceState;
use beckon_dongle_kit::console::{self, Command};
use beckon_dongle_kit::hid::MouseMode;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::channel::Channel;
use rand_core::CryptoRngCore;

use crate::hw::{Console, Slot, Storage};
use crate::log;

/// Invitations the dongle keeps.
pub const BOOK_CAPACITY: usize = 8;

/// How long a console-made invitation stays open.
const INVITE_MINUTES: u64 = 60;

/// Something the person did on the dongle, for the session task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UserEvent {
    /// The button, briefly.
    Button,
    /// The button, held.
    ButtonLong,
    /// A key on the person's own keyboard (passed through to the target).
    Key {
        /// HID usage.
        usage: u8,
        /// Pressed or released.
        down: bool,
    },
    /// The owner switched the mouse the target sees.
    Mouse(MouseMode),
}

pub(crate) struct State<R, S> {
    pub(crate) book: InvitationBook<BOOK_CAPACITY>,
    pub(crate) settings: MachineSettings,
    pub(crate) key: StaticKeypair,
    pub(crate) rng: R,
    pub(crate) storage: S,
    /// The live session's state, for `status`.
    pub(crate) session: Option<NoviceState>,
    /// The owner's key, once paired.
    pub(crate) owner: Option<[u8; 32]>,
    /// The one-time pairing code, while one is valid.
    pub(crate) pairing_code: Option<heapless::String<{ beckon_core::owner::PAIRING_CODE_DIGITS }>>,
    /// Wrong codes tried against the current one.
    pub(crate) pairing_failures: u8,
    /// Invitations the owner marked pre-approved (unattended help).
    pub(crate) pre_approved: heapless::Vec<[u8; 16], BOOK_CAPACITY>,
}

/// The dongle's shared state. Make one `static` of it in the board.
pub struct Dongle<R, S> {
    name: &'static str,
    /// The wall clock when `uptime_ms` read zero; the owner may set it.
    boot_unix_ms: Mutex<CriticalSectionRawMutex, core::cell::Cell<u64>>,
    /// Milliseconds since boot: embassy-time's clock on a board, the
    /// virtual clock in host-sim.
    uptime_ms: fn() -> u64,
    // Critical-section mutexes rather than thread-mode ones: they work in
    // every context on a board, and on the host (critical-section's `std`
    // implementation), where thread-mode ones insist on a thread named
    // "main".
    pub(crate) state: Mutex<CriticalSectionRawMutex, RefCell<State<R, S>>>,
    pub(crate) events: Channel<CriticalSectionRawMutex, UserEvent, 16>,
}

impl<R: CryptoRngCore + Send, S: Storage + Send> Dongle<R, S> {
    /// The dongle named `name` (shown to helpers), whose wall clock read
    /// `boot_unix_ms` when `embassy_time` read zero: [`Dongle::with_uptime`]
    /// with embassy-time's clock.
    #[cfg(feature = "embassy")]
    pub fn new(name: &'static str, boot_unix_ms: u64, rng: R, storage: S) -> Self {
        fn embassy_uptime_ms() -> u64 {
            embassy_time::Instant::now().as_millis()
        }
        Self::with_uptime(name, boot_unix_ms, embassy_uptime_ms, rng, storage)
    }

    /// The dongle named `name` (shown to helpers), whose wall clock read
    /// `boot_unix_ms` when `uptime_ms` read zero. Loads the device key
    /// and settings from `storage`, making a key on first boot. Remote
    /// control starts disabled until the owner enables it (SES-03).
    pub fn with_uptime(
        name: &'static str,
        boot_unix_ms: u64,
        uptime_ms: fn() -> u64,
        mut rng: R,
        mut storage: S,
    ) -> Self {
        let mut secret = [0u8; 32];
        let key = match storage.load(Slot::DeviceKey, &mut secret) {
            Some(32) => StaticKeypair::from_secret(secret),
            _ => {
                let key = StaticKeypair::generate(&mut rng);
                if !storage.store(Slot::DeviceKey, &key.secret) {
                    log::warning!("device key not stored; it changes at the next boot");
                }
                log::info!("new device key made");
                key
            }
        };
        let mut flags = [0u8; 1];
        let settings = MachineSettings {
            allow_remote_control: matches!(storage.load(Slot::Settings, &mut flags), Some(1))
                && flags[0] & 1 != 0,
            ..MachineSettings::default()
        };
        let mut owner_key = [0u8; 32];
        let owner =
            matches!(storage.load(Slot::Owner, &mut owner_key), Some(32)).then_some(owner_key);
        let (book, pre_approved) = crate::book_record::load(&mut storage);
        // First boot (no owner yet): a one-time code for `beckon dongle pair`.
        let pairing_code = owner.is_none().then(|| new_code(&mut rng));
        Dongle {
            name,
            boot_unix_ms: Mutex::new(core::cell::Cell::new(boot_unix_ms)),
            uptime_ms,
            state: Mutex::new(RefCell::new(State {
                book,
                settings,
                key,
                rng,
                storage,
                session: None,
                owner,
                pairing_code,
                pairing_failures: 0,
                pre_approved,
            })),
            events: Channel::new(),
        }
    }

    /// The dongle's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Wall-clock Unix milliseconds (the core checks expiries against it).
    pub fn now_ms(&self) -> u64 {
        self.boot_unix_ms.lock(|b| b.get()) + (self.uptime_ms)()
    }

    /// Set the wall clock (from the owner). Refused while a session runs:
    /// a step in the session's clock would fire or delay its timers.
    /// Returns the clock afterwards.
    pub fn set_clock(&self, unix_ms: u64) -> u64 {
        if self.with(|s| s.session.is_none()) {
            let boot = unix_ms.saturating_sub((self.uptime_ms)());
            self.boot_unix_ms.lock(|b| b.set(boot));
        }
        self.now_ms()
    }

    /// Print the pairing code, if one is valid (first boot, or after a
    /// long button press), for `beckon dongle pair`.
    pub fn announce_pairing(&self, out: &impl Console) {
        if let Some(code) = self.with(|s| s.pairing_code.clone()) {
            out.line(format_args!(
                "pairing code: {code} (for `beckon dongle pair ADDR`; valid for one pairing)"
            ));
        }
    }

    /// A long button press with nobody connected: a fresh pairing code, so
    /// the person holding the dongle can (re)claim it.
    pub fn renew_pairing_code(&self, out: &impl Console) {
        self.with(|s| {
            let code = new_code(&mut s.rng);
            s.pairing_code = Some(code);
            s.pairing_failures = 0;
        });
        self.announce_pairing(out);
    }

    /// Allow or forbid remote control, and remember it.
    pub fn set_remote_control(&self, on: bool, out: &impl Console) {
        self.with(|s| {
            s.settings.allow_remote_control = on;
            if !s.storage.store(Slot::Settings, &[u8::from(on)]) {
                out.line(format_args!("warning: the setting is not stored"));
            }
        });
        out.line(format_args!(
            "remote control: {}",
            if on {
                "allowed (asked every time)"
            } else {
                "off"
            }
        ));
    }

    /// The `embassy_time` instant of a wall-clock time.
    #[cfg(feature = "embassy")]
    pub fn instant_at(&self, unix_ms: u64) -> embassy_time::Instant {
        embassy_time::Instant::from_millis(
            unix_ms.saturating_sub(self.boot_unix_ms.lock(|b| b.get())),
        )
    }

    /// The device key's public half.
    pub fn public_key(&self) -> [u8; 32] {
        self.with(|s| s.key.public)
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut State<R, S>) -> T) -> T {
        self.state.lock(|s| f(&mut s.borrow_mut()))
    }

    /// Like [`Dongle::with`] for a step that may change the invitation
    /// book; the book is stored afterwards, so a restart keeps it.
    pub(crate) fn with_book<T>(&self, f: impl FnOnce(&mut State<R, S>) -> T) -> T {
        self.with(|s| {
            let before = crate::book_record::fingerprint(&s.book, &s.pre_approved);
            let out = f(s);
            let State {
                book,
                pre_approved,
                storage,
                ..
            } = s;
            // Flash wears: write only when something changed (a stranger
            // retrying a locked invitation changes nothing).
            if crate::book_record::fingerprint(book, pre_approved) != before
                && !crate::book_record::store(storage, book, pre_approved)
            {
                crate::log::warning!("invitations not stored; a restart forgets the change");
            }
            out
        })
    }

    /// A person's event from a board's button or keyboard driver.
    pub fn user_event(&self, ev: UserEvent) {
        if self.events.try_send(ev).is_err() {
            log::warning!("user event dropped, the session is busy: {}", ev);
        }
    }

    /// Carry out one console line and print the answer.
    pub fn console_line(&self, line: &str, out: &impl Console) {
        let cmd = match console::parse(line) {
            Ok(c) => c,
            Err(console::ParseError::Empty) => return,
            Err(e) => {
                out.line(format_args!("error: {} (try `help`)", defmt_name(e)));
                return;
            }
        };
        match cmd {
            Command::Button => self.user_event(UserEvent::Button),
            Command::ButtonLong => self.user_event(UserEvent::ButtonLong),
            Command::Key(stroke) => {
                for &m in &stroke.modifiers {
                    self.user_event(UserEvent::Key {
                        usage: m,
                        down: true,
                    });
                }
                self.user_event(UserEvent::Key {
                    usage: stroke.usage,
                    down: true,
                });
                self.user_event(UserEvent::Key {
                    usage: stroke.usage,
                    down: false,
                });
                for &m in stroke.modifiers.iter().rev() {
                    self.user_event(UserEvent::Key {
                        usage: m,
                        down: false,
                    });
                }
            }
            Command::Mouse(mode) => self.user_event(UserEvent::Mouse(mode)),
            Command::Invite(addresses) => self.invite(&addresses, out),
            Command::Invitations => self.list(out),
            Command::Revoke(id) => self.revoke(id.as_deref(), out),
            Command::Control(on) => self.set_remote_control(on, out),
            Command::Status => self.with(|s| {
                out.line(format_args!(
                    "status: session {:?}, remote control {}, {} invitations",
                    s.session,
                    if s.settings.allow_remote_control {
                        "allowed"
                    } else {
                        "off"
                    },
                    s.book.len()
                ));
            }),
            Command::Help => {
                for l in HELP {
                    out.line(format_args!("{l}"));
                }
            }
        }
    }

    fn invite(&self, addresses: &[heapless::String<64>], out: &impl Console) {
        let now = self.now_ms();
        let addrs: heapless::Vec<&str, { console::MAX_INVITE_ADDRESSES }> =
            addresses.iter().map(|a| a.as_str()).collect();
        let mut new = NewInvitation::new(self.name, now + INVITE_MINUTES * 60_000);
        new.addresses = &addrs;
        let made = self.with_book(|s| {
            let State { book, rng, .. } = s;
            book.create(rng, &new, now).cloned()
        });
        match made.map(|inv| inv.to_text()) {
            Ok(Ok(text)) => {
                out.line(format_args!("invitation: {text}"));
                out.line(format_args!(
                    "(open for {INVITE_MINUTES} minutes; `revoke all` ends it sooner)"
                ));
            }
            Ok(Err(_)) => out.line(format_args!("error: the invitation does not encode")),
            Err(e) => out.line(format_args!("error: {}", BookErrorText(e))),
        }
    }

    fn list(&self, out: &impl Console) {
        let now = self.now_ms();
        self.with(|s| {
            if s.book.is_empty() {
                out.line(format_args!("no invitations"));
            }
            for (inv, status) in s.book.list(now) {
                let mut id: heapless::String<32> = heapless::String::new();
                for b in inv.id.0 {
                    let _ = write!(id, "{b:02x}");
                }
                let mins = inv.expires_at_ms.saturating_sub(now) / 60_000;
                out.line(format_args!("{id} {status:?} ({mins} min left)"));
            }
        });
    }

    fn revoke(&self, id: Option<&str>, out: &impl Console) {
        let n = self.with_book(|s| match id {
            None => s.book.revoke_all(),
            Some(hex) => match InvitationId::from_hex(hex) {
                Some(id) => usize::from(s.book.revoke(&id)),
                None => 0,
            },
        });
        out.line(format_args!("revoked {n}"));
    }
}

fn new_code(
    rng: &mut impl CryptoRngCore,
) -> heapless::String<{ beckon_core::owner::PAIRING_CODE_DIGITS }> {
    let mut random = [0u8; 4];
    rng.fill_bytes(&mut random);
    beckon_core::owner::pairing_code(random)
}

/// Words for a book error on the console.
struct BookErrorText(beckon_core::invitation::BookError);

impl core::fmt::Display for BookErrorText {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The core's Display impl comes from thiserror; use it.
        write!(f, "{}", self.0)
    }
}

fn defmt_name(e: console::ParseError) -> &'static str {
    match e {
        console::ParseError::Empty => "empty line",
        console::ParseError::UnknownCommand => "unknown command",
        console::ParseError::BadArgument => "bad or missing argument",
        console::ParseError::UnknownKey => "unknown key name",
    }
}

const HELP: &[&str] = &[
    "button | button-long          the dongle's button (yes / no, stop control)",
    "key NAME                      a key on your keyboard, e.g. key esc, key ctrl+c",
    "invite ADDR...                a new invitation for helpers who connect to ADDR",
    "invitations | revoke ID|all   list or revoke invitations",
    "control on|off                allow a helper to ask for control (off by default)",
    "mouse abs|rel                 the mouse the target sees (rel for BIOS screens)",
    "status | help",
];
