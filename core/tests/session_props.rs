//! Sessions fed arbitrary bytes: no panic, and an end with a reason when the
//! bytes cannot be right (the threat model's "bad input ends at most its own
//! session").

mod support;

use beckon_core::reason::EndReason;
use beckon_core::session::{Event, ExpertSession, NoviceSession};
use proptest::prelude::*;
use support::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn listening_novice_survives_any_bytes(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8)) {
        let mut r = rng(1);
        let mut machine = Machine::new(&mut r);
        let _ = machine.invite(&mut r, Some("pw"));
        let mut novice: NoviceSession = NoviceSession::new(config(), &mut r, machine.settings, &machine.key.secret, "pc", T0);
        for chunk in &chunks {
            let _ = novice.handle_input(T0, chunk);
            while let Some(e) = novice.poll_event() {
                if e == Event::Authenticate {
                    // Whatever the bytes, admission ends with a verdict, never a panic.
                    let _ = novice.admit_invitation(T0, &mut r, &mut machine.book);
                }
            }
        }
    }

    #[test]
    fn connecting_expert_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut r = rng(2);
        let mut machine = Machine::new(&mut r);
        let invitation = machine.invite(&mut r, None);
        let mut expert: ExpertSession = ExpertSession::for_invitation(config(), &mut r, &invitation, None, "Henk", T0).unwrap();
        let _ = expert.handle_input(T0, &bytes);
        while expert.poll_event().is_some() {}
    }

    #[test]
    fn garbage_mid_session_ends_only_that_session(bytes in prop::collection::vec(any::<u8>(), 1..64)) {
        let mut r = rng(3);
        let mut machine = Machine::new(&mut r);
        let invitation = machine.invite(&mut r, None);
        let mut p = Pair::invitation(&mut machine, &mut r, &invitation, None);
        p.admit_and_accept(&mut machine);
        let _ = p.novice.handle_input(p.now, &bytes);
        p.pump();
        // Either the bytes are an incomplete record still waiting, or the
        // session ended with a reason a person can read.
        if let Some(Ev::Ended(reason)) = p.novice_events.last() {
            prop_assert!(matches!(reason, EndReason::TamperedRecord | EndReason::ProtocolError));
        }
        // The machine's book is intact: a new invitation still works.
        let next = machine.invite(&mut r, None);
        let mut again = Pair::invitation(&mut machine, &mut r, &next, None);
        again.admit_and_accept(&mut machine);
    }
}
