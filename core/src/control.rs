//! Shared-control arbitration (SES-02 … SES-05), in the core so every driver
//! behaves the same.
//!
//! The [`Arbiter`] sits between the expert's input and the machine. It decides,
//! event by event, what reaches the machine:
//!
//! - Expert input is injected only while control is shared. The session grants
//!   control only after the novice said yes in this session and the machine
//!   settings and policy level allow it (see [`crate::policy::decide_control`]).
//! - The novice's *local* Esc or Ctrl+C, or the Stop Control button, ends
//!   control at once. The expert's own Esc is just a key.
//! - While the novice types or moves the mouse, expert input is held back for
//!   a grace period instead of colliding; keys the expert holds are released
//!   first so the novice's typing is not altered by, say, the expert's Shift.
//! - Every key and button the expert holds is released when control ends, the
//!   link drops or the session ends: no stuck keys.
//!
//! The arbiter never injects anything itself: it hands events to a sink
//! closure, which the session turns into actions for the driver.

use heapless::Deque;

use crate::message::{InputEvent, POINTER_MAX};
use crate::reason::StopMethod;

/// How long local input holds expert input back, by default.
pub const DEFAULT_GRACE_MS: u64 = 500;

/// Expert events that may wait out one grace period. Beyond this, new events
/// are dropped (a held-back burst larger than this is not typing, it is a
/// flood, and must not build an unbounded queue).
pub const HELD_BACK_CAPACITY: usize = 64;

/// USB HID usage of the Escape key.
pub const USAGE_ESCAPE: u8 = 0x29;
/// USB HID usage of the C key.
pub const USAGE_C: u8 = 0x06;
/// USB HID usage of the left Control key.
pub const USAGE_LEFT_CTRL: u8 = 0xE0;
/// USB HID usage of the right Control key.
pub const USAGE_RIGHT_CTRL: u8 = 0xE4;

/// Pointer buttons the protocol knows (left, right, middle, back, forward).
const BUTTONS: u8 = 5;

/// Input from the novice's own keyboard and mouse, as the driver observed it
/// (the driver must tell it apart from what it injected itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LocalInput {
    /// A local key, by USB HID usage.
    Key {
        /// USB HID keyboard usage id.
        usage: u8,
        /// `true` when pressed.
        down: bool,
    },
    /// The local mouse moved, clicked or scrolled.
    Pointer,
}

/// Whether control is shared right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ControlState {
    /// Expert input is dropped.
    Viewing,
    /// Expert input reaches the machine (subject to the grace period).
    Shared,
}

/// What happened to one expert event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Disposition {
    /// Sent to the sink.
    Injected,
    /// Waiting for the grace period to pass.
    HeldBack,
    /// Discarded: control is not shared, the event is invalid, or it would
    /// release something the expert does not hold.
    Dropped,
}

/// A set of up to 256 HID usages, as a bitmap (no allocation, O(1)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct UsageSet([u32; 8]);

impl UsageSet {
    fn contains(&self, usage: u8) -> bool {
        let (word, bit) = (usize::from(usage / 32), usage % 32);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
    fn set(&mut self, usage: u8, on: bool) {
        let (word, bit) = (usize::from(usage / 32), usage % 32);
        if let Some(w) = self.0.get_mut(word) {
            if on {
                *w |= 1 << bit;
            } else {
                *w &= !(1 << bit);
            }
        }
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(move |u| self.contains(*u))
    }
}

/// The arbiter for one session. Create a new one per session: consent never
/// carries over.
#[derive(Debug, Clone)]
pub struct Arbiter {
    state: ControlState,
    grace_ms: u64,
    /// Local input seen at or after this time holds the expert back until
    /// `grace_until`.
    grace_until: Option<u64>,
    /// Keys the expert pressed that reached the machine and are not released.
    expert_keys: UsageSet,
    /// Buttons the expert pressed that reached the machine, one bit each.
    expert_buttons: u8,
    /// The novice's local Control keys, to recognise Ctrl+C.
    local_ctrl: u8,
    held_back: Deque<InputEvent, HELD_BACK_CAPACITY>,
}

impl Default for Arbiter {
    fn default() -> Self {
        Self::new(DEFAULT_GRACE_MS)
    }
}

impl Arbiter {
    /// A new arbiter in [`ControlState::Viewing`] with the given grace period.
    pub fn new(grace_ms: u64) -> Self {
        Self {
            state: ControlState::Viewing,
            grace_ms,
            grace_until: None,
            expert_keys: UsageSet::default(),
            expert_buttons: 0,
            local_ctrl: 0,
            held_back: Deque::new(),
        }
    }

    /// Whether control is shared.
    pub fn state(&self) -> ControlState {
        self.state
    }

    /// Share control. The caller has checked consent, machine settings and
    /// policy; the arbiter only enforces what follows from it.
    pub fn grant(&mut self) {
        self.state = ControlState::Shared;
        self.grace_until = None;
    }

    /// End shared control (any reason): drops held-back input and releases
    /// everything the expert holds, through `sink`. Does nothing when control
    /// is not shared, except making sure nothing is held.
    pub fn end(&mut self, sink: &mut impl FnMut(InputEvent)) {
        self.state = ControlState::Viewing;
        self.grace_until = None;
        self.held_back.clear();
        self.release_all(sink);
    }

    /// Whether any expert key or button is down on the machine.
    pub fn expert_holds_anything(&self) -> bool {
        !self.expert_keys.is_empty() || self.expert_buttons != 0
    }

    /// Events waiting for the grace period.
    pub fn held_back(&self) -> usize {
        self.held_back.len()
    }

    /// When the arbiter wants [`Arbiter::handle_timeout`] called.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.grace_until
    }

    /// An event from the expert. Returns what happened to it.
    pub fn on_expert_input(
        &mut self,
        now: u64,
        event: InputEvent,
        sink: &mut impl FnMut(InputEvent),
    ) -> Disposition {
        self.handle_timeout(now, sink);
        if self.state != ControlState::Shared {
            return Disposition::Dropped;
        }
        let Some(event) = sanitize(event) else {
            return Disposition::Dropped;
        };
        if self.grace_until.is_some() {
            // A release of something the expert holds is always safe and must
            // not wait: it can only end a press, never start one.
            if self.is_release_of_held(&event) {
                self.inject(event, sink);
                return Disposition::Injected;
            }
            return match self.held_back.push_back(event) {
                Ok(()) => Disposition::HeldBack,
                Err(_) => Disposition::Dropped,
            };
        }
        if self.inject(event, sink) {
            Disposition::Injected
        } else {
            Disposition::Dropped
        }
    }

    /// Input from the novice's own keyboard or mouse. Returns how control was
    /// stopped when this input stops it (local Esc or Ctrl+C while shared).
    pub fn on_local_input(
        &mut self,
        now: u64,
        input: LocalInput,
        sink: &mut impl FnMut(InputEvent),
    ) -> Option<StopMethod> {
        let stop = match input {
            LocalInput::Key { usage, down } => {
                let ctrl_bit = match usage {
                    USAGE_LEFT_CTRL => 1,
                    USAGE_RIGHT_CTRL => 2,
                    _ => 0,
                };
                if ctrl_bit != 0 {
                    if down {
                        self.local_ctrl |= ctrl_bit;
                    } else {
                        self.local_ctrl &= !ctrl_bit;
                    }
                }
                match (usage, down) {
                    (USAGE_ESCAPE, true) => Some(StopMethod::EscKey),
                    (USAGE_C, true) if self.local_ctrl != 0 => Some(StopMethod::CtrlC),
                    _ => None,
                }
            }
            LocalInput::Pointer => None,
        };
        if self.state != ControlState::Shared {
            return None;
        }
        if let Some(how) = stop {
            self.end(sink);
            return Some(how);
        }
        // The novice is active: hold the expert back. Entering the grace
        // period releases what the expert holds, so the novice's keys and
        // clicks are not modified by the expert's modifiers or buttons.
        if self.grace_until.is_none() {
            self.release_all(sink);
        }
        self.grace_until = Some(now.saturating_add(self.grace_ms));
        None
    }

    /// Let time pass: when the grace period is over, held-back expert input
    /// is injected in order.
    pub fn handle_timeout(&mut self, now: u64, sink: &mut impl FnMut(InputEvent)) {
        match self.grace_until {
            Some(until) if now >= until => {
                self.grace_until = None;
                while let Some(event) = self.held_back.pop_front() {
                    self.inject(event, sink);
                }
            }
            _ => {}
        }
    }

    fn is_release_of_held(&self, event: &InputEvent) -> bool {
        match *event {
            InputEvent::Key { usage, down: false } => self.expert_keys.contains(usage),
            InputEvent::Button {
                button,
                down: false,
            } => self.expert_buttons & (1 << button) != 0,
            _ => false,
        }
    }

    /// Inject one event, keeping track of what is held. Releases of things
    /// the expert does not hold are dropped: they could release a key the
    /// novice is holding.
    fn inject(&mut self, event: InputEvent, sink: &mut impl FnMut(InputEvent)) -> bool {
        match event {
            InputEvent::Key { usage, down } => {
                if !down && !self.expert_keys.contains(usage) {
                    return false;
                }
                self.expert_keys.set(usage, down);
            }
            InputEvent::Button { button, down } => {
                let bit = 1u8 << button;
                if !down && self.expert_buttons & bit == 0 {
                    return false;
                }
                if down {
                    self.expert_buttons |= bit;
                } else {
                    self.expert_buttons &= !bit;
                }
            }
            InputEvent::PointerAbs { .. }
            | InputEvent::PointerRel { .. }
            | InputEvent::Wheel { .. } => {}
        }
        sink(event);
        true
    }

    fn release_all(&mut self, sink: &mut impl FnMut(InputEvent)) {
        for usage in self.expert_keys.iter() {
            sink(InputEvent::Key { usage, down: false });
        }
        self.expert_keys = UsageSet::default();
        for button in 0..BUTTONS {
            if self.expert_buttons & (1 << button) != 0 {
                sink(InputEvent::Button {
                    button,
                    down: false,
                });
            }
        }
        self.expert_buttons = 0;
    }
}

/// Reject or clamp events that no real device produces, so the machine never
/// sees out-of-range values from an untrusted peer.
fn sanitize(event: InputEvent) -> Option<InputEvent> {
    match event {
        // Usage 0 means "no event"; 1..=3 are error codes in HID.
        InputEvent::Key { usage, .. } if usage < 4 => None,
        InputEvent::Button { button, .. } if button >= BUTTONS => None,
        InputEvent::PointerAbs { x, y } => Some(InputEvent::PointerAbs {
            x: x.min(POINTER_MAX),
            y: y.min(POINTER_MAX),
        }),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    fn key(usage: u8, down: bool) -> InputEvent {
        InputEvent::Key { usage, down }
    }

    const A: u8 = 0x04;
    const SHIFT: u8 = 0xE1;

    fn shared() -> (Arbiter, Vec<InputEvent>) {
        let mut a = Arbiter::default();
        a.grant();
        (a, Vec::new())
    }

    #[test]
    fn ses_02_no_input_before_grant() {
        let mut a = Arbiter::default();
        let mut out = Vec::new();
        let d = a.on_expert_input(0, key(A, true), &mut |e| out.push(e));
        assert_eq!(d, Disposition::Dropped);
        assert!(out.is_empty());
    }

    #[test]
    fn ses_04_expert_keys_reach_machine_when_shared() {
        let (mut a, mut out) = shared();
        a.on_expert_input(0, key(A, true), &mut |e| out.push(e));
        a.on_expert_input(1, key(A, false), &mut |e| out.push(e));
        assert_eq!(out, [key(A, true), key(A, false)]);
        assert!(!a.expert_holds_anything());
    }

    #[test]
    fn ses_05_local_esc_ends_control_and_releases_held_keys() {
        let (mut a, mut out) = shared();
        a.on_expert_input(0, key(SHIFT, true), &mut |e| out.push(e));
        a.on_expert_input(0, key(A, true), &mut |e| out.push(e));
        out.clear();
        let how = a.on_local_input(
            5,
            LocalInput::Key {
                usage: USAGE_ESCAPE,
                down: true,
            },
            &mut |e| out.push(e),
        );
        assert_eq!(how, Some(StopMethod::EscKey));
        assert_eq!(a.state(), ControlState::Viewing);
        assert!(out.contains(&key(SHIFT, false)) && out.contains(&key(A, false)));
        assert!(!a.expert_holds_anything());
        // Later expert input goes nowhere.
        out.clear();
        a.on_expert_input(9, key(A, true), &mut |e| out.push(e));
        assert!(out.is_empty());
    }

    #[test]
    fn ses_05_local_ctrl_c_ends_control() {
        let (mut a, mut out) = shared();
        a.on_local_input(
            0,
            LocalInput::Key {
                usage: USAGE_RIGHT_CTRL,
                down: true,
            },
            &mut |e| out.push(e),
        );
        let how = a.on_local_input(
            1,
            LocalInput::Key {
                usage: USAGE_C,
                down: true,
            },
            &mut |e| out.push(e),
        );
        assert_eq!(how, Some(StopMethod::CtrlC));
    }

    #[test]
    fn ses_05_plain_c_does_not_end_control() {
        let (mut a, mut out) = shared();
        let how = a.on_local_input(
            1,
            LocalInput::Key {
                usage: USAGE_C,
                down: true,
            },
            &mut |e| out.push(e),
        );
        assert_eq!(how, None);
        assert_eq!(a.state(), ControlState::Shared);
    }

    #[test]
    fn ses_05_expert_esc_is_just_a_key() {
        let (mut a, mut out) = shared();
        a.on_expert_input(0, key(USAGE_ESCAPE, true), &mut |e| out.push(e));
        a.on_expert_input(0, key(USAGE_ESCAPE, false), &mut |e| out.push(e));
        assert_eq!(a.state(), ControlState::Shared);
        assert_eq!(out, [key(USAGE_ESCAPE, true), key(USAGE_ESCAPE, false)]);
    }

    #[test]
    fn ses_04_local_input_holds_expert_back_for_grace_period() {
        let (mut a, mut out) = shared();
        a.on_local_input(
            100,
            LocalInput::Key {
                usage: A,
                down: true,
            },
            &mut |e| out.push(e),
        );
        let d = a.on_expert_input(200, key(0x05, true), &mut |e| out.push(e));
        assert_eq!(d, Disposition::HeldBack);
        a.on_expert_input(250, key(0x05, false), &mut |e| out.push(e));
        assert!(out.is_empty());
        assert_eq!(a.poll_timeout(), Some(100 + DEFAULT_GRACE_MS));
        // More local typing extends the grace period.
        a.on_local_input(
            400,
            LocalInput::Key {
                usage: A,
                down: false,
            },
            &mut |e| out.push(e),
        );
        a.handle_timeout(700, &mut |e| out.push(e));
        assert!(out.is_empty());
        a.handle_timeout(900, &mut |e| out.push(e));
        assert_eq!(out, [key(0x05, true), key(0x05, false)]);
    }

    #[test]
    fn ses_04_grace_period_releases_expert_modifiers_first() {
        let (mut a, mut out) = shared();
        a.on_expert_input(0, key(SHIFT, true), &mut |e| out.push(e));
        out.clear();
        a.on_local_input(
            10,
            LocalInput::Key {
                usage: A,
                down: true,
            },
            &mut |e| out.push(e),
        );
        assert_eq!(out, [key(SHIFT, false)]);
        // The expert's own release of Shift later is dropped (already released).
        out.clear();
        a.handle_timeout(10 + DEFAULT_GRACE_MS, &mut |e| out.push(e));
        a.on_expert_input(600, key(SHIFT, false), &mut |e| out.push(e));
        assert!(out.is_empty());
    }

    #[test]
    fn ses_04_release_of_unheld_key_is_dropped() {
        let (mut a, mut out) = shared();
        let d = a.on_expert_input(0, key(A, false), &mut |e| out.push(e));
        assert_eq!(d, Disposition::Dropped);
        assert!(out.is_empty());
    }

    #[test]
    fn ses_04_buttons_are_released_on_end() {
        let (mut a, mut out) = shared();
        a.on_expert_input(
            0,
            InputEvent::Button {
                button: 0,
                down: true,
            },
            &mut |e| out.push(e),
        );
        out.clear();
        a.end(&mut |e| out.push(e));
        assert_eq!(
            out,
            [InputEvent::Button {
                button: 0,
                down: false
            }]
        );
    }

    #[test]
    fn out_of_range_input_is_sanitized() {
        let (mut a, mut out) = shared();
        a.on_expert_input(0, InputEvent::PointerAbs { x: u16::MAX, y: 5 }, &mut |e| {
            out.push(e)
        });
        a.on_expert_input(
            0,
            InputEvent::Button {
                button: 9,
                down: true,
            },
            &mut |e| out.push(e),
        );
        a.on_expert_input(0, key(0, true), &mut |e| out.push(e));
        assert_eq!(
            out,
            [InputEvent::PointerAbs {
                x: POINTER_MAX,
                y: 5
            }]
        );
    }

    #[test]
    fn held_back_queue_is_bounded() {
        let (mut a, mut out) = shared();
        a.on_local_input(0, LocalInput::Pointer, &mut |e| out.push(e));
        for i in 0..(HELD_BACK_CAPACITY + 10) {
            let _ = a.on_expert_input(
                1,
                InputEvent::PointerRel {
                    dx: i as i16,
                    dy: 0,
                },
                &mut |e| out.push(e),
            );
        }
        assert_eq!(a.held_back(), HELD_BACK_CAPACITY);
    }
}
