//! Property tests for shared-control arbitration (SES-02 … SES-05).
//!
//! Over random sequences of grants, stops, expert input, local input and the
//! passing of time, the machine never receives a press or a move from the
//! expert without consent in force, and once control ends no expert key or
//! button is left held. 100 000 cases run in CI (the arbiter is pure and fast).

use std::collections::BTreeSet;

use beckon_core::control::{
    Arbiter, ControlState, LocalInput, USAGE_C, USAGE_ESCAPE, USAGE_LEFT_CTRL,
};
use beckon_core::message::InputEvent;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Grant,
    StopButton,
    Expert(InputEvent),
    Local(LocalInput),
    Wait(u64),
}

fn input_event() -> impl Strategy<Value = InputEvent> {
    prop_oneof![
        // A small alphabet of usages so presses and releases pair up often.
        (
            prop::sample::select(vec![0u8, 4, 5, 6, USAGE_ESCAPE, USAGE_LEFT_CTRL, 0xE1]),
            any::<bool>()
        )
            .prop_map(|(usage, down)| InputEvent::Key { usage, down }),
        (0u8..7, any::<bool>()).prop_map(|(button, down)| InputEvent::Button { button, down }),
        (any::<u16>(), any::<u16>()).prop_map(|(x, y)| InputEvent::PointerAbs { x, y }),
        (any::<i16>(), any::<i16>()).prop_map(|(dx, dy)| InputEvent::PointerRel { dx, dy }),
        (any::<i8>(), any::<i8>()).prop_map(|(dx, dy)| InputEvent::Wheel { dx, dy }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Grant),
        1 => Just(Op::StopButton),
        8 => input_event().prop_map(Op::Expert),
        3 => (prop::sample::select(vec![4u8, USAGE_C, USAGE_ESCAPE, USAGE_LEFT_CTRL]), any::<bool>())
            .prop_map(|(usage, down)| Op::Local(LocalInput::Key { usage, down })),
        1 => Just(Op::Local(LocalInput::Pointer)),
        3 => (0u64..800).prop_map(Op::Wait),
    ]
}

/// What the machine sees: the keys and buttons currently held by injection.
#[derive(Default)]
struct Machine {
    keys: BTreeSet<u8>,
    buttons: BTreeSet<u8>,
    presses_without_consent: usize,
}

impl Machine {
    fn apply(&mut self, e: InputEvent, consent: bool) {
        let is_press_or_move = match e {
            InputEvent::Key { usage, down } => {
                if down {
                    self.keys.insert(usage);
                } else {
                    self.keys.remove(&usage);
                }
                down
            }
            InputEvent::Button { button, down } => {
                if down {
                    self.buttons.insert(button);
                } else {
                    self.buttons.remove(&button);
                }
                down
            }
            _ => true,
        };
        if is_press_or_move && !consent {
            self.presses_without_consent += 1;
        }
    }
    fn holds_anything(&self) -> bool {
        !self.keys.is_empty() || !self.buttons.is_empty()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn ses_02_05_no_input_without_consent_and_no_stuck_keys(ops in prop::collection::vec(op(), 0..60)) {
        let mut arbiter = Arbiter::default();
        let mut machine = Machine::default();
        let mut now = 0u64;
        // Consent in force: granted in this session and not ended since.
        let mut consent = false;
        for op in ops {
            let mut out = Vec::new();
            match op {
                Op::Grant => { arbiter.grant(); consent = true; }
                Op::StopButton => {
                    arbiter.end(&mut |e| out.push(e));
                    consent = false;
                }
                Op::Expert(e) => { arbiter.on_expert_input(now, e, &mut |e| out.push(e)); }
                Op::Local(l) => {
                    if arbiter.on_local_input(now, l, &mut |e| out.push(e)).is_some() {
                        consent = false;
                    }
                }
                Op::Wait(ms) => { now += ms; arbiter.handle_timeout(now, &mut |e| out.push(e)); }
            }
            for e in out {
                machine.apply(e, consent && arbiter.state() == ControlState::Shared);
            }
            if !consent {
                prop_assert!(!machine.holds_anything(), "expert input held after control ended");
                prop_assert_eq!(arbiter.state(), ControlState::Viewing);
            }
            prop_assert_eq!(machine.presses_without_consent, 0);
        }
        // Session end: nothing may stay held.
        let mut out = Vec::new();
        arbiter.end(&mut |e| out.push(e));
        for e in out { machine.apply(e, false); }
        prop_assert!(!machine.holds_anything());
        prop_assert_eq!(machine.presses_without_consent, 0);
    }
}
