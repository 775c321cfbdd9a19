//! Machine settings, the offered-help policy and the control decision
//! (SES-03, OFF-01…OFF-07).

use beckon_core::policy::{
    decide_control, decide_offer, decide_request, explain_offer, Admission, CertificateError,
    EntryProblem, HelperCertificate, MachineSettings, Policy, PolicyError, Subject,
};
use beckon_core::reason::{ControlRefusal, EndReason, Level};
use ed25519_dalek::SigningKey;

const NOW: u64 = 1_700_000_000_000;
const DAY: u64 = 86_400_000;
const ADA: [u8; 32] = [0xad; 32];
const BOB: [u8; 32] = [0xb0; 32];

fn it_desk() -> SigningKey {
    SigningKey::from_bytes(&[0x17; 32])
}

fn it_desk_key() -> [u8; 32] {
    it_desk().verifying_key().to_bytes()
}

fn offered() -> MachineSettings {
    MachineSettings {
        offered_help: true,
        ..MachineSettings::default()
    }
}

fn cert_for(helper: [u8; 32], expires: u64) -> HelperCertificate {
    HelperCertificate::issue(&it_desk(), helper, "from the IT desk", expires).unwrap()
}

#[test]
fn ses_03_remote_control_is_off_by_default() {
    let settings = MachineSettings::default();
    assert!(!settings.allow_remote_control);
    assert!(settings.requested_help);
    assert!(!settings.offered_help);
    assert_eq!(
        decide_control(&settings, Level::Control),
        Err(ControlRefusal::DisabledOnMachine)
    );
}

#[test]
fn ses_03_control_needs_the_machine_and_the_level() {
    let allowed = MachineSettings {
        allow_remote_control: true,
        ..MachineSettings::default()
    };
    assert_eq!(decide_control(&allowed, Level::Control), Ok(()));
    assert_eq!(
        decide_control(&allowed, Level::ViewOnly),
        Err(ControlRefusal::PolicyViewOnly)
    );
    // The machine-wide refusal takes precedence over the level.
    assert_eq!(
        decide_control(&MachineSettings::default(), Level::ViewOnly),
        Err(ControlRefusal::DisabledOnMachine)
    );
}

#[test]
fn off_01_offered_help_is_off_by_default() {
    let mut policy = Policy::<4>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    assert_eq!(
        decide_offer(&MachineSettings::default(), &policy, &ADA, None, NOW),
        Err(EndReason::OfferedHelpDisabled)
    );
}

#[test]
fn off_02_listed_helper_is_admitted() {
    let mut policy = Policy::<4>::new(Level::Control);
    policy.allow_helper(ADA, "Ada", None).unwrap();
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, None, NOW),
        Ok(Admission {
            level: Level::Control,
            matched: Subject::Helper(ADA)
        })
    );
}

#[test]
fn off_02_unlisted_helper_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, None, NOW),
        Err(EndReason::PolicyDenies)
    );
    assert_eq!(
        decide_offer(&offered(), &Policy::<4>::default(), &ADA, None, NOW),
        Err(EndReason::PolicyDenies)
    );
}

#[test]
fn off_02_group_certified_helper_is_admitted() {
    let mut policy = Policy::<4>::default();
    policy
        .allow_group(it_desk_key(), "IT desk", Some(Level::Control))
        .unwrap();
    let cert = cert_for(BOB, NOW + DAY);
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&cert), NOW),
        Ok(Admission {
            level: Level::Control,
            matched: Subject::Group(it_desk_key())
        })
    );
}

#[test]
fn off_02_group_without_certificate_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, None, NOW),
        Err(EndReason::PolicyDenies)
    );
}

#[test]
fn off_02_expired_certificate_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    let cert = cert_for(BOB, NOW + DAY);
    assert!(decide_offer(&offered(), &policy, &BOB, Some(&cert), NOW + DAY - 1).is_ok());
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&cert), NOW + DAY),
        Err(EndReason::BadCertificate)
    );
}

#[test]
fn off_02_forged_certificate_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    let mut forged =
        HelperCertificate::issue(&SigningKey::from_bytes(&[0x66; 32]), BOB, "Bob", NOW + DAY)
            .unwrap();
    forged.group_key = it_desk_key();
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&forged), NOW),
        Err(EndReason::BadCertificate)
    );
}

#[test]
fn off_02_certificate_of_another_helper_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    let adas = cert_for(ADA, NOW + DAY);
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&adas), NOW),
        Err(EndReason::BadCertificate)
    );
}

#[test]
fn off_02_certificate_from_unlisted_group_is_refused() {
    let mut policy = Policy::<4>::default();
    policy.allow_group([0x99; 32], "Other org", None).unwrap();
    let cert = cert_for(BOB, NOW + DAY);
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&cert), NOW),
        Err(EndReason::PolicyDenies)
    );
}

#[test]
fn off_03_default_level_applies_to_entries_without_one() {
    let mut policy = Policy::<4>::new(Level::ViewOnly);
    policy.allow_helper(ADA, "Ada", None).unwrap();
    let admission = decide_offer(&offered(), &policy, &ADA, None, NOW).unwrap();
    assert_eq!(admission.level, Level::ViewOnly);
    // One level for everyone, as before: change the default, all follow.
    policy.default_level = Level::Control;
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, None, NOW)
            .unwrap()
            .level,
        Level::Control
    );
}

#[test]
fn off_03_level_per_group() {
    let interns = SigningKey::from_bytes(&[0x21; 32]);
    let mut policy = Policy::<4>::new(Level::Control);
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    policy
        .allow_group(
            interns.verifying_key().to_bytes(),
            "Interns",
            Some(Level::ViewOnly),
        )
        .unwrap();
    let desk_cert = cert_for(ADA, NOW + DAY);
    let intern_cert = HelperCertificate::issue(&interns, BOB, "Bob", NOW + DAY).unwrap();
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, Some(&desk_cert), NOW)
            .unwrap()
            .level,
        Level::Control
    );
    assert_eq!(
        decide_offer(&offered(), &policy, &BOB, Some(&intern_cert), NOW)
            .unwrap()
            .level,
        Level::ViewOnly
    );
}

#[test]
fn off_03_view_only_helper_cannot_get_control() {
    let settings = MachineSettings {
        allow_remote_control: true,
        offered_help: true,
        ..MachineSettings::default()
    };
    let mut policy = Policy::<4>::default();
    policy
        .allow_helper(ADA, "Ada", Some(Level::ViewOnly))
        .unwrap();
    let admission = decide_offer(&settings, &policy, &ADA, None, NOW).unwrap();
    assert_eq!(
        decide_control(&settings, admission.level),
        Err(ControlRefusal::PolicyViewOnly)
    );
}

#[test]
fn off_03_helper_entry_wins_over_group() {
    let mut policy = Policy::<4>::default();
    policy
        .allow_group(it_desk_key(), "IT desk", Some(Level::Control))
        .unwrap();
    policy
        .allow_helper(ADA, "Ada (trainee)", Some(Level::ViewOnly))
        .unwrap();
    let cert = cert_for(ADA, NOW + DAY);
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, Some(&cert), NOW),
        Ok(Admission {
            level: Level::ViewOnly,
            matched: Subject::Helper(ADA)
        })
    );
    // And upwards: one member raised above the group's level.
    policy
        .allow_group(it_desk_key(), "IT desk", Some(Level::ViewOnly))
        .unwrap();
    policy
        .allow_helper(ADA, "Ada (lead)", Some(Level::Control))
        .unwrap();
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, Some(&cert), NOW)
            .unwrap()
            .level,
        Level::Control
    );
    // A listed helper does not need a valid certificate.
    let expired = cert_for(ADA, NOW);
    assert!(decide_offer(&offered(), &policy, &ADA, Some(&expired), NOW).is_ok());
}

#[test]
fn off_04_policy_change_applies_at_once() {
    let mut policy = Policy::<4>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    assert!(decide_offer(&offered(), &policy, &ADA, None, NOW).is_ok());
    assert!(policy.remove(&Subject::Helper(ADA)));
    assert!(!policy.remove(&Subject::Helper(ADA)));
    assert_eq!(
        decide_offer(&offered(), &policy, &ADA, None, NOW),
        Err(EndReason::PolicyDenies)
    );
}

#[test]
fn off_06_offered_help_is_independent_of_requested_help() {
    let mut policy = Policy::<4>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    let offers_only = MachineSettings {
        requested_help: false,
        offered_help: true,
        allow_remote_control: false,
    };
    assert!(decide_offer(&offers_only, &policy, &ADA, None, NOW).is_ok());
    assert_eq!(
        decide_request(&offers_only),
        Err(EndReason::RequestedHelpDisabled)
    );

    let requests_only = MachineSettings::default();
    assert_eq!(decide_request(&requests_only), Ok(()));
    assert_eq!(
        decide_offer(&requests_only, &policy, &ADA, None, NOW),
        Err(EndReason::OfferedHelpDisabled)
    );
}

#[test]
fn off_07_effective_levels() {
    let mut policy = Policy::<4>::new(Level::ViewOnly);
    policy.allow_helper(ADA, "Ada", None).unwrap();
    policy
        .allow_group(it_desk_key(), "IT desk", Some(Level::Control))
        .unwrap();
    let levels: Vec<(String, Level)> = policy
        .effective_levels()
        .map(|(entry, level)| (entry.name.to_string(), level))
        .collect();
    assert_eq!(
        levels,
        [
            ("Ada".to_string(), Level::ViewOnly),
            ("IT desk".to_string(), Level::Control)
        ]
    );
}

#[test]
fn off_07_explain_says_why() {
    let mut policy = Policy::<4>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();

    let expired = cert_for(BOB, NOW);
    let explanation = explain_offer(&offered(), &policy, &BOB, Some(&expired), NOW);
    assert_eq!(explanation.decision, Err(EndReason::BadCertificate));
    assert_eq!(explanation.helper_entry, None);
    assert_eq!(explanation.group_entry, Some(1));
    assert_eq!(
        explanation.certificate,
        Some(Err(CertificateError::Expired))
    );
    assert!(explanation.offered_help_enabled);

    // With offered help off the explanation still reports the rest.
    let good = cert_for(BOB, NOW + DAY);
    let explanation = explain_offer(&MachineSettings::default(), &policy, &BOB, Some(&good), NOW);
    assert_eq!(explanation.decision, Err(EndReason::OfferedHelpDisabled));
    assert!(!explanation.offered_help_enabled);
    assert_eq!(explanation.certificate, Some(Ok(())));
    assert_eq!(explanation.group_entry, Some(1));

    // A listed helper's broken certificate is still shown.
    let adas_expired = cert_for(ADA, NOW);
    let explanation = explain_offer(&offered(), &policy, &ADA, Some(&adas_expired), NOW);
    assert!(explanation.decision.is_ok());
    assert_eq!(explanation.helper_entry, Some(0));
    assert_eq!(
        explanation.certificate,
        Some(Err(CertificateError::Expired))
    );

    // The check tool and the machine agree.
    for (key, cert) in [
        (ADA, None),
        (BOB, Some(&good)),
        (BOB, Some(&expired)),
        ([1; 32], None),
    ] {
        assert_eq!(
            explain_offer(&offered(), &policy, &key, cert, NOW).decision,
            decide_offer(&offered(), &policy, &key, cert, NOW)
        );
    }
}

#[test]
fn off_07_problems_find_entries_that_never_apply() {
    let mut policy = Policy::<8>::default();
    let real_helper =
        x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([5; 32])).to_bytes();
    policy.allow_helper(real_helper, "Ada", None).unwrap();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    assert_eq!(policy.problems().count(), 0);

    policy.allow_helper([0; 32], "typo", None).unwrap();
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    policy
        .allow_group(not_a_point, "pasted wrong key", None)
        .unwrap();
    // A duplicate can only come from a file written by hand.
    let duplicate = policy.entries[0].clone();
    policy.entries.push(duplicate).unwrap();
    assert_eq!(
        policy.problems().collect::<Vec<_>>(),
        [
            (2, EntryProblem::InvalidHelperKey),
            (3, EntryProblem::InvalidGroupKey),
            (4, EntryProblem::Duplicate { first: 0 })
        ]
    );
}

#[test]
fn policy_allow_replaces_and_reports_limits() {
    let mut policy = Policy::<1>::default();
    policy.allow_helper(ADA, "Ada", None).unwrap();
    policy
        .allow_helper(ADA, "Ada L.", Some(Level::Control))
        .unwrap();
    assert_eq!(policy.entries.len(), 1);
    let entry = policy.find(&Subject::Helper(ADA)).unwrap();
    assert_eq!(
        (entry.name.as_str(), entry.level),
        ("Ada L.", Some(Level::Control))
    );
    assert_eq!(
        policy.allow_helper(BOB, "Bob", None),
        Err(PolicyError::Full)
    );
    assert_eq!(
        policy.allow_helper(ADA, &"n".repeat(65), None),
        Err(PolicyError::NameTooLong)
    );
}

#[test]
fn policy_and_settings_serde_round_trip() {
    let mut policy = Policy::<4>::new(Level::Control);
    policy
        .allow_helper(ADA, "Ada", Some(Level::ViewOnly))
        .unwrap();
    policy.allow_group(it_desk_key(), "IT desk", None).unwrap();
    let bytes = postcard::to_allocvec(&policy).unwrap();
    assert_eq!(postcard::from_bytes::<Policy<4>>(&bytes).unwrap(), policy);
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(serde_json::from_str::<Policy<4>>(&json).unwrap(), policy);
    // A policy with more entries than this build holds is refused, not cut.
    assert!(postcard::from_bytes::<Policy<1>>(&bytes).is_err());

    let settings = MachineSettings {
        allow_remote_control: true,
        requested_help: false,
        offered_help: true,
    };
    let json = serde_json::to_string(&settings).unwrap();
    assert_eq!(
        serde_json::from_str::<MachineSettings>(&json).unwrap(),
        settings
    );
}
