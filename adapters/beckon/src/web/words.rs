//! The session's facts in the page's language: why a session ended, who
//! stopped control and how, why control was refused.

use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};

use super::i18n::Texts;

/// Why a session ended, in words; `side` is the side reading it.
pub fn end_reason(texts: &Texts, reason: EndReason) -> String {
    use EndReason as R;
    let key = match reason {
        R::WrongPassword => "end-wrong-password",
        R::Locked => "end-locked",
        R::Expired => "end-expired",
        R::Revoked => "end-revoked",
        R::AlreadyUsed => "end-already-used",
        R::UnknownInvitation => "end-unknown-invitation",
        R::RequestedHelpDisabled | R::OfferedHelpDisabled => "end-help-disabled",
        R::PolicyDenies | R::BadCertificate => "end-policy",
        R::Declined => "end-declined",
        R::ConsentTimeout => "end-consent-timeout",
        R::LocalLeft => "end-local-left",
        R::PeerLeft => "end-peer-left",
        R::LinkLost => "end-link-lost",
        R::TamperedRecord => "end-tampered",
        R::HandshakeFailed | R::ProtocolError | R::UnsupportedVersion => "end-broken",
    };
    texts.get(key, &[])
}

/// How control was stopped, as the end of a sentence.
pub fn stop_method(texts: &Texts, how: StopMethod) -> String {
    let key = match how {
        StopMethod::EscKey => "how-escape",
        StopMethod::CtrlC => "how-ctrl-c",
        StopMethod::StopButton => "how-button",
        StopMethod::ExpertReleased => "how-released",
        StopMethod::SessionEnded => "how-other",
    };
    texts.get(key, &[])
}

/// Who stopped control, seen from the helper's side.
pub fn control_ended_for_helper(texts: &Texts, by: Side, how: StopMethod, person: &str) -> String {
    match by {
        Side::Expert => texts.get("control-ended-by-you", &[]),
        Side::Novice => texts.get(
            "control-ended-by-person",
            &[
                ("name", person.to_string().into()),
                ("how", stop_method(texts, how).into()),
            ],
        ),
    }
}

/// Why a control request was refused.
pub fn refusal(texts: &Texts, r: ControlRefusal) -> String {
    let key = match r {
        ControlRefusal::DisabledOnMachine => "refused-disabled",
        ControlRefusal::PolicyViewOnly => "refused-policy",
        ControlRefusal::Declined => "refused-declined",
        ControlRefusal::NoAnswer => "refused-no-answer",
        ControlRefusal::AlreadyPending => "refused-pending",
        ControlRefusal::NotViewing => "refused-not-viewing",
    };
    texts.get(key, &[])
}

/// The machine's keyboard lock lights, e.g. "On: Caps Lock, Num Lock".
pub fn keyboard_leds(texts: &Texts, leds: u8) -> String {
    use beckon_core::message::{LED_CAPS_LOCK, LED_NUM_LOCK, LED_SCROLL_LOCK};
    let on: Vec<String> = [
        (LED_CAPS_LOCK, "kbd-caps"),
        (LED_NUM_LOCK, "kbd-num"),
        (LED_SCROLL_LOCK, "kbd-scroll"),
    ]
    .into_iter()
    .filter(|(bit, _)| leds & bit != 0)
    .map(|(_, key)| texts.get(key, &[]))
    .collect();
    if on.is_empty() {
        texts.get("kbd-none", &[])
    } else {
        texts.get("kbd-on", &[("keys", on.join(", ").into())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use beckon_core::message::{LED_CAPS_LOCK, LED_NUM_LOCK};

    #[test]
    fn l10n_01_the_lock_lights_read_as_words() {
        let en = Texts::new(Lang::En);
        assert_eq!(
            keyboard_leds(&en, LED_CAPS_LOCK | LED_NUM_LOCK),
            "On: Caps Lock, Num Lock"
        );
        assert_eq!(keyboard_leds(&en, 0), "no lock key on");
        let de = Texts::new(Lang::De);
        assert_eq!(keyboard_leds(&de, LED_CAPS_LOCK), "Aktiv: Feststelltaste");
    }
}
