//! The one display all connections share: damage and local input are
//! gathered once and handed to every connection, status lines from every
//! connection are shown together.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use beckon_core::message::InputEvent;
use beckon_video::Rect;
use tokio::sync::watch;

use crate::display::Display;

#[derive(Default)]
struct Slot {
    damage: Vec<Rect>,
    /// Windows that moved: copy vectors (see `Display::take_moves`).
    moves: Vec<(i32, i32)>,
    local: Vec<InputEvent>,
    status: Vec<String>,
}

/// What one connection takes from the display at a time.
#[derive(Debug, Default)]
pub struct Taken {
    /// Regions that changed.
    pub damage: Vec<Rect>,
    /// Windows that moved, as copy vectors.
    pub moves: Vec<(i32, i32)>,
    /// The person's own input.
    pub local: Vec<InputEvent>,
}

/// The display and what each connection has not taken from it yet.
pub struct Hub {
    display: Box<dyn Display>,
    slots: BTreeMap<u64, Slot>,
    next: u64,
    status_shown: Vec<String>,
    changed: Arc<watch::Sender<u64>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("slots", &self.slots.len())
            .finish()
    }
}

/// The hub behind a lock, as the tasks share it.
pub type SharedHub = Arc<Mutex<Hub>>;

/// Lock the hub; a task that panicked while holding it does not stop the rest.
pub fn lock(hub: &SharedHub) -> MutexGuard<'_, Hub> {
    hub.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    /// A hub around a display.
    pub fn new(display: Box<dyn Display>) -> SharedHub {
        let (tx, _) = watch::channel(0u64);
        let changed = Arc::new(tx);
        let mut display = display;
        let drawn = Arc::clone(&changed);
        display.watch_changes(Box::new(move || {
            drawn.send_modify(|n| *n = n.wrapping_add(1));
        }));
        let mut hub = Hub {
            display,
            slots: BTreeMap::new(),
            next: 0,
            status_shown: Vec::new(),
            changed,
        };
        hub.refresh_status();
        Arc::new(Mutex::new(hub))
    }

    /// A receiver told whenever the display changed: injected input, or
    /// drawing the display reports ([`Display::watch_changes`]).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// A new connection's slot.
    pub fn join(&mut self) -> u64 {
        self.next += 1;
        self.slots.insert(self.next, Slot::default());
        self.next
    }

    /// A connection is gone.
    pub fn leave(&mut self, slot: u64) {
        self.slots.remove(&slot);
        self.refresh_status();
    }

    /// Gather the display's damage, window moves and local input for every
    /// slot, and take this slot's share.
    pub fn take(&mut self, slot: u64) -> Taken {
        let damage = self.display.take_damage();
        let moves = self.display.take_moves();
        let local = self.display.local_input();
        if !damage.is_empty() || !moves.is_empty() || !local.is_empty() {
            for s in self.slots.values_mut() {
                s.damage.extend_from_slice(&damage);
                s.moves.extend_from_slice(&moves);
                s.local.extend_from_slice(&local);
            }
        }
        match self.slots.get_mut(&slot) {
            Some(s) => Taken {
                damage: std::mem::take(&mut s.damage),
                moves: std::mem::take(&mut s.moves),
                local: std::mem::take(&mut s.local),
            },
            None => Taken::default(),
        }
    }

    /// Inject the helper's input and wake the other connections.
    pub fn inject(&mut self, input: InputEvent) {
        self.display.inject(input);
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Release whatever the helper may have left held.
    pub fn release_all(&mut self) {
        self.display.release_all();
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// This connection's status lines (SES-06).
    pub fn set_status(&mut self, slot: u64, lines: Vec<String>) {
        if let Some(s) = self.slots.get_mut(&slot) {
            if s.status != lines {
                s.status = lines;
                self.refresh_status();
            }
        }
    }

    fn refresh_status(&mut self) {
        let mut lines: Vec<String> = self
            .slots
            .values()
            .flat_map(|s| s.status.iter().cloned())
            .collect();
        if lines.is_empty() {
            lines.push("Nobody is connected.".into());
        } else {
            lines.push("Your helper sees everything on your screen.".into());
        }
        if lines != self.status_shown {
            self.display.show_status(&lines);
            self.status_shown = lines;
        }
    }

    /// The display itself.
    pub fn display(&mut self) -> &mut dyn Display {
        self.display.as_mut()
    }
}
