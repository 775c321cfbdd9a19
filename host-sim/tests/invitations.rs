//! Requested help, end to end: invitations, passwords, consent (INV-*).

mod support;

use beckon_core::invitation::{Invitation, InvitationStatus};
use beckon_core::reason::EndReason;
use beckon_host_sim::agent::Prompt;
use beckon_host_sim::events::Ev;
use beckon_host_sim::Sim;
use support::*;

#[test]
fn inv_01_02_05_06_07_08_invitation_text_with_password_then_consent_then_view() {
    let mut sim = Sim::new(1);
    let inv = invitation(&mut sim, Some("tulip"));
    assert!(inv.needs_password());
    // The invitation travels as text (copy and paste) …
    let text = inv.to_text().expect("text");
    let received = Invitation::from_text(&text).expect("the expert reads it");
    // … and as a file; both carry the same invitation.
    let file = inv.to_file().expect("file");
    assert_eq!(Invitation::from_file(&file).expect("file form"), received);

    let k = sim
        .connect_invitation("Henk", &received, Some("tulip"))
        .expect("connect");
    wait_for(&mut sim, 5_000, "consent prompt", |s| {
        !s.prompts().is_empty()
    });
    // The novice's machine checked the password and asks the person.
    assert_eq!(
        sim.prompts(),
        [Prompt::Consent {
            conn: k,
            expert_name: "Henk".into()
        }]
    );
    wait_for(&mut sim, 1_000, "the expert hears it was admitted", |s| {
        s.experts[k].saw(&Ev::Admitted("Oma Jansen".into()))
    });
    // Nothing of the screen before the yes (INV-08).
    sim.run_for(3_000);
    assert!(sim.experts[k].view.frames.is_empty());
    assert!(!sim.experts[k]
        .events()
        .any(|e| matches!(e, Ev::FrameStart(..) | Ev::Started)));

    sim.person_consents(k, true).expect("consent");
    wait_for(&mut sim, 5_000, "the first frame", |s| {
        !s.experts[k].view.frames.is_empty()
    });
    sim.run_for(500);
    assert!(
        sim.expert_sees_the_screen(k),
        "the helper's view is the screen"
    );
    assert_eq!(
        sim.agent.book.status(&inv.id, sim.now()),
        Some(InvitationStatus::Used)
    );
}

#[test]
fn inv_08_person_declines() {
    let mut sim = Sim::new(2);
    let inv = invitation(&mut sim, None);
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "consent prompt", |s| {
        !s.prompts().is_empty()
    });
    sim.person_consents(k, false).expect("decline");
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Declined);
    assert!(sim.experts[k].view.frames.is_empty());
    assert!(sim.prompts().is_empty());
}

#[test]
fn inv_03_07_expired_invitation_is_refused_with_a_reason() {
    let mut sim = Sim::new(3);
    let now = sim.now();
    let inv = sim
        .agent
        .invite(now, "Oma", None, 60_000)
        .expect("invitation");
    sim.run_for(61_000);
    assert_eq!(
        sim.agent.book.status(&inv.id, sim.now()),
        Some(InvitationStatus::Expired)
    );
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Expired);
    assert_eq!(novice_end(&mut sim, k, 5_000), EndReason::Expired);
    assert!(
        sim.prompts().is_empty(),
        "nobody is asked about a dead invitation"
    );
}

#[test]
fn inv_04_07_revoked_invitation_is_refused() {
    let mut sim = Sim::new(4);
    let inv = invitation(&mut sim, None);
    let other = invitation(&mut sim, None);
    assert!(sim.agent.book.revoke(&inv.id));
    let listed: Vec<_> = sim
        .agent
        .book
        .list(sim.now())
        .map(|(i, s)| (i.id, s))
        .collect();
    assert!(listed.contains(&(inv.id, InvitationStatus::Revoked)));
    assert!(listed.contains(&(other.id, InvitationStatus::Open)));
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Revoked);
    // The other one still works.
    let j = sim
        .connect_invitation("Henk", &other, None)
        .expect("connect");
    wait_for(&mut sim, 5_000, "consent prompt", |s| {
        s.agent.conns[j].saw(&Ev::ConsentRequested("Henk".into()))
    });
}

#[test]
fn inv_04_revoke_all_refuses_every_invitation() {
    let mut sim = Sim::new(5);
    let invs: Vec<_> = (0..3).map(|_| invitation(&mut sim, None)).collect();
    assert_eq!(sim.agent.book.revoke_all(), 3);
    for inv in &invs {
        let k = sim.connect_invitation("Henk", inv, None).expect("connect");
        assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Revoked);
    }
}

#[test]
fn inv_07_used_invitation_is_refused_the_second_time() {
    let mut sim = Sim::new(6);
    let k = started(&mut sim);
    let inv = sim
        .agent
        .book
        .entries()
        .next()
        .expect("one")
        .invitation()
        .clone();
    sim.expert_disconnects(k);
    sim.run_for(1_000);
    let j = sim
        .connect_invitation("Henk", &inv, Some("tulip"))
        .expect("connect");
    assert_eq!(expert_end(&mut sim, j, 5_000), EndReason::AlreadyUsed);
}

#[test]
fn inv_05_06_wrong_password_is_refused_by_the_novice() {
    let mut sim = Sim::new(7);
    let inv = invitation(&mut sim, Some("tulip"));
    let k = sim
        .connect_invitation("Henk", &inv, Some("tulp"))
        .expect("connect");
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::WrongPassword);
    let entry = sim.agent.book.entry(&inv.id).expect("entry");
    assert_eq!(entry.failures(), 1, "counted on the novice's side");
}

#[test]
fn inv_10_three_wrong_passwords_lock_and_the_fourth_right_one_is_refused() {
    let mut sim = Sim::new(8);
    let inv = invitation(&mut sim, Some("tulip"));
    let guesses = [
        ("tulp", EndReason::WrongPassword),
        ("tullip", EndReason::WrongPassword),
        // The third wrong guess locks the invitation and says so.
        ("Tulip", EndReason::Locked),
    ];
    for (guess, reason) in guesses {
        let k = sim
            .connect_invitation("Mallory", &inv, Some(guess))
            .expect("connect");
        assert_eq!(expert_end(&mut sim, k, 5_000), reason);
    }
    assert_eq!(
        sim.agent.book.status(&inv.id, sim.now()),
        Some(InvitationStatus::Locked)
    );
    let k = sim
        .connect_invitation("Henk", &inv, Some("tulip"))
        .expect("connect");
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::Locked);
    assert!(sim.prompts().is_empty());
}

#[test]
fn inv_11_tampered_invitation_text_is_refused_before_connecting() {
    let mut sim = Sim::new(9);
    let inv = invitation(&mut sim, None);
    let text = inv.to_text().expect("text").to_string();
    // One changed character: the checksum catches it.
    let mut chars: Vec<char> = text.chars().collect();
    let at = chars.len() - 5;
    chars[at] = if chars[at] == 'a' { 'b' } else { 'a' };
    let tampered: String = chars.into_iter().collect();
    let err = Invitation::from_text(&tampered).expect_err("refused");
    assert!(!err.to_string().is_empty());
    // Truncated: refused too.
    assert!(Invitation::from_text(&text[..text.len() / 2]).is_err());
}

#[test]
fn inv_11_invitation_bound_to_another_key_is_refused() {
    let mut sim = Sim::new(10);
    let mut inv = invitation(&mut sim, None);
    // A forger keeps the id but swaps in a key of their own.
    inv.novice_key = [7u8; 32];
    let k = sim
        .connect_invitation("Mallory", &inv, None)
        .expect("connect");
    let reason = expert_end(&mut sim, k, 15_000);
    assert!(
        matches!(
            reason,
            EndReason::HandshakeFailed | EndReason::UnknownInvitation
        ),
        "{reason:?}"
    );
    assert!(sim.prompts().is_empty());
    // The genuine invitation is untouched.
    let inv = sim
        .agent
        .book
        .entries()
        .next()
        .unwrap()
        .invitation()
        .clone();
    let j = sim.connect_invitation("Henk", &inv, None).expect("connect");
    wait_for(&mut sim, 5_000, "consent prompt", |s| {
        s.agent.conns[j].saw(&Ev::ConsentRequested("Henk".into()))
    });
}

#[test]
fn inv_08_consent_prompt_times_out() {
    let mut sim = Sim::new(11);
    let inv = invitation(&mut sim, None);
    let k = sim.connect_invitation("Henk", &inv, None).expect("connect");
    let timeout = beckon_core::session::Config::default().consent_timeout_ms;
    assert_eq!(
        expert_end(&mut sim, k, timeout + 5_000),
        EndReason::ConsentTimeout
    );
    assert!(sim.prompts().is_empty(), "the stale prompt is gone");
}
