//! Offered help under an organisation's policy, end to end (OFF-*).

mod support;

use beckon_core::handshake::StaticKeypair;
use beckon_core::policy::{explain_offer, HelperCertificate, MachineSettings, Subject};
use beckon_core::reason::{ControlRefusal, EndReason, Level};
use beckon_host_sim::agent::Prompt;
use beckon_host_sim::events::Ev;
use beckon_host_sim::Sim;
use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use support::*;

struct Helpdesk {
    rng: ChaCha20Rng,
    group: SigningKey,
}

impl Helpdesk {
    fn new(seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let group = SigningKey::generate(&mut rng);
        Helpdesk { rng, group }
    }

    fn helper(&mut self) -> StaticKeypair {
        StaticKeypair::generate(&mut self.rng)
    }

    fn certificate(&self, helper: &StaticKeypair, name: &str) -> Vec<u8> {
        let cert = HelperCertificate::issue(
            &self.group,
            helper.public,
            name,
            support::HOUR * 24 * 365 * 5 + beckon_host_sim::T0,
        )
        .expect("certificate");
        let mut buf = [0u8; 512];
        let n = cert.encode(&mut buf).expect("encode");
        buf[..n].to_vec()
    }
}

fn offered_help_on(sim: &mut Sim, control: bool) {
    sim.agent.set_settings(MachineSettings {
        allow_remote_control: control,
        requested_help: true,
        offered_help: true,
    });
}

/// Offer help and return the connection once the machine decided.
fn offer(sim: &mut Sim, name: &str, helper: &StaticKeypair, cert: Option<&[u8]>) -> usize {
    let k = sim
        .connect_offer(name, &helper.secret, cert)
        .expect("connect");
    wait_for(sim, 5_000, "a decision", |s| {
        s.agent.conns[k].saw(&Ev::Authenticate)
            && (s.experts[k].ended.is_some() || !s.prompts().is_empty())
    });
    k
}

/// The person says yes and the helper's console shows the screen.
fn accept(sim: &mut Sim, k: usize) {
    sim.person_consents(k, true).expect("consent");
    wait_for(sim, 5_000, "started", |s| s.experts[k].saw(&Ev::Started));
}

#[test]
fn off_01_02_05_listed_helper_key_is_admitted_and_the_person_still_decides() {
    let (mut sim, anna) = machine_listing(80, Some(Level::Control), Level::ViewOnly);
    let k = offer(&mut sim, "Anna", &anna, None);
    assert_eq!(
        sim.prompts(),
        [Prompt::Consent {
            conn: k,
            expert_name: "Anna".into()
        }]
    );
    accept(&mut sim, k);
    // Control is still asked for explicitly (OFF-05).
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "control prompt", |s| {
        s.prompts().contains(&Prompt::Control { conn: k })
    });
    sim.person_answers_control(k, true).expect("allow");
    wait_for(&mut sim, 5_000, "granted", |s| {
        s.experts[k].saw(&Ev::ControlGranted)
    });
    sim.expert_types(k, "ipconfig").expect("typable");
    wait_for(&mut sim, 5_000, "typed", |s| s.editor_text() == "ipconfig");
}

#[test]
fn off_02_03_helper_signed_by_a_listed_group_with_a_level_per_group() {
    let mut sim = Sim::new(81);
    let mut desk = Helpdesk::new(2);
    let bram = desk.helper();
    let cert = desk.certificate(&bram, "Bram");
    offered_help_on(&mut sim, true);
    sim.agent
        .policy
        .allow_group(
            desk.group.verifying_key().to_bytes(),
            "Helpdesk",
            Some(Level::Control),
        )
        .expect("policy");
    let k = offer(&mut sim, "Bram", &bram, Some(&cert));
    assert!(!sim.prompts().is_empty(), "admitted and asked");
    accept(&mut sim, k);
    sim.expert_requests_control(k).expect("request");
    wait_for(&mut sim, 5_000, "asked", |s| {
        s.prompts().contains(&Prompt::Control { conn: k })
    });
}

#[test]
fn off_02_unlisted_helper_is_refused() {
    let mut sim = Sim::new(82);
    let mut desk = Helpdesk::new(3);
    let listed = desk.helper();
    let stranger = desk.helper();
    offered_help_on(&mut sim, true);
    sim.agent
        .policy
        .allow_helper(listed.public, "Listed", None)
        .expect("policy");
    let k = offer(&mut sim, "Stranger", &stranger, None);
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::PolicyDenies);
    assert!(sim.prompts().is_empty(), "the person is not bothered");
    // A certificate from a group the policy does not list does not help.
    let other_desk = Helpdesk::new(4);
    let cert = other_desk.certificate(&stranger, "Stranger");
    let j = offer(&mut sim, "Stranger", &stranger, Some(&cert));
    assert_eq!(expert_end(&mut sim, j, 5_000), EndReason::PolicyDenies);
}

/// A machine with offered help (and control) on whose policy lists one
/// helper at `level`, with `default` for entries without one.
fn machine_listing(seed: u64, level: Option<Level>, default: Level) -> (Sim, StaticKeypair) {
    let mut sim = Sim::new(seed);
    let helper = Helpdesk::new(seed).helper();
    offered_help_on(&mut sim, true);
    sim.agent.policy.default_level = default;
    sim.agent
        .policy
        .allow_helper(helper.public, "Helper", level)
        .expect("policy");
    (sim, helper)
}

#[test]
fn off_03_view_only_level_refuses_control_and_the_view_goes_on() {
    // A level on the entry, and (as the old policy had) one level for all.
    for (level, default) in [
        (Some(Level::ViewOnly), Level::Control),
        (None, Level::ViewOnly),
    ] {
        let (mut sim, helper) = machine_listing(83, level, default);
        let k = offer(&mut sim, "Viewer", &helper, None);
        accept(&mut sim, k);
        sim.expert_requests_control(k).expect("request");
        wait_for(&mut sim, 5_000, "refusal", |s| {
            s.experts[k].saw(&Ev::ControlRefused(ControlRefusal::PolicyViewOnly))
        });
        assert!(sim.prompts().is_empty(), "never asked");
        sim.run_for(1_000);
        assert!(sim.expert_sees_the_screen(k));
    }
}

#[test]
fn off_04_policy_change_applies_to_the_next_request_without_restart() {
    let mut sim = Sim::new(85);
    let mut desk = Helpdesk::new(7);
    let anna = desk.helper();
    offered_help_on(&mut sim, true);
    let k = offer(&mut sim, "Anna", &anna, None);
    assert_eq!(expert_end(&mut sim, k, 5_000), EndReason::PolicyDenies);
    // The administrator adds Anna; the very next offer is admitted.
    sim.agent
        .policy
        .allow_helper(anna.public, "Anna", None)
        .expect("policy");
    let j = offer(&mut sim, "Anna", &anna, None);
    assert!(sim
        .prompts()
        .iter()
        .any(|p| matches!(p, Prompt::Consent { conn, .. } if *conn == j)));
    // And removed again: the next one is refused.
    sim.person_consents(j, false).expect("decline");
    assert!(sim.agent.policy.remove(&Subject::Helper(anna.public)));
    let l = offer(&mut sim, "Anna", &anna, None);
    assert_eq!(expert_end(&mut sim, l, 5_000), EndReason::PolicyDenies);
}

#[test]
fn off_01_offered_help_switched_off_is_refused() {
    let mut sim = Sim::new(86);
    let mut desk = Helpdesk::new(8);
    let anna = desk.helper();
    sim.agent
        .policy
        .allow_helper(anna.public, "Anna", None)
        .expect("policy");
    assert!(!sim.agent.settings.offered_help, "off by default");
    let k = offer(&mut sim, "Anna", &anna, None);
    assert_eq!(
        expert_end(&mut sim, k, 5_000),
        EndReason::OfferedHelpDisabled
    );
}

#[test]
fn off_06_offered_help_works_with_invitations_switched_off() {
    let mut sim = Sim::new(87);
    let mut desk = Helpdesk::new(9);
    let anna = desk.helper();
    sim.agent.set_settings(MachineSettings {
        allow_remote_control: false,
        requested_help: false,
        offered_help: true,
    });
    sim.agent
        .policy
        .allow_helper(anna.public, "Anna", None)
        .expect("policy");
    let k = offer(&mut sim, "Anna", &anna, None);
    assert!(!sim.prompts().is_empty());
    accept(&mut sim, k);
    wait_for(&mut sim, 5_000, "started", |s| {
        s.experts[k].saw(&Ev::Started)
    });
    // Invitations, meanwhile, are refused.
    let inv = invitation(&mut sim, None);
    let j = sim.connect_invitation("Henk", &inv, None).expect("connect");
    assert_eq!(
        expert_end(&mut sim, j, 5_000),
        EndReason::RequestedHelpDisabled
    );
}

#[test]
fn off_07_policy_check_shows_which_helper_may_do_what_before_rollout() {
    let mut sim = Sim::new(88);
    let mut desk = Helpdesk::new(10);
    let anna = desk.helper();
    let bram = desk.helper();
    let cert = desk.certificate(&bram, "Bram");
    offered_help_on(&mut sim, true);
    sim.agent
        .policy
        .allow_helper(anna.public, "Anna", Some(Level::ViewOnly))
        .expect("policy");
    sim.agent
        .policy
        .allow_group(
            desk.group.verifying_key().to_bytes(),
            "Helpdesk",
            Some(Level::Control),
        )
        .expect("policy");
    // The check predicts …
    let now = sim.now();
    let settings = sim.agent.settings;
    let anna_says = explain_offer(&settings, &sim.agent.policy, &anna.public, None, now);
    let cert_parsed = HelperCertificate::decode(&cert).expect("cert");
    let bram_says = explain_offer(
        &settings,
        &sim.agent.policy,
        &bram.public,
        Some(&cert_parsed),
        now,
    );
    assert_eq!(anna_says.decision.map(|a| a.level), Ok(Level::ViewOnly));
    assert_eq!(bram_says.decision.map(|a| a.level), Ok(Level::Control));
    assert_eq!(bram_says.certificate, Some(Ok(())));
    // … and the live sessions agree with it.
    let a = offer(&mut sim, "Anna", &anna, None);
    let b = offer(&mut sim, "Bram", &bram, Some(&cert));
    for (k, says) in [(a, anna_says), (b, bram_says)] {
        let admitted = sim.agent.conns[k].session.admitted_via();
        assert_eq!(
            admitted,
            Some(beckon_core::session::AdmittedVia::Offer(
                says.decision.expect("admitted").level
            ))
        );
    }
}
