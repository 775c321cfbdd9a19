//! L10N-02 properties of the keymap: typing and decoding are inverses.
//!
//! For every layout, every character it can type (found by pressing every key
//! on every level, and every dead key before every such character) is typed
//! by `strokes` as key presses that `symbol`/`compose` turn back into that
//! character. Random characters are either typed that faithfully or refused.

use std::collections::BTreeSet;

use beckon_core::keymap::{
    Layout, Modifiers, Stroke, Symbol, Untypeable, USAGE_LEFT_SHIFT, USAGE_RIGHT_ALT,
};
use beckon_core::message::InputEvent;
use proptest::prelude::*;

/// What the target makes of the strokes, the way the simulated desktop does.
fn replay(layout: Layout, strokes: &[Stroke]) -> Option<char> {
    replay_locked(layout, strokes, false)
}

/// [`replay`] on a target whose Caps Lock is on or off.
fn replay_locked(layout: Layout, strokes: &[Stroke], caps: bool) -> Option<char> {
    let symbol = |s: &Stroke| layout.symbol_locked(s.usage, s.mods, caps);
    match strokes {
        [one] => match one.usage {
            0x28 => Some('\n'),
            0x2B => Some('\t'),
            _ => match symbol(one)? {
                Symbol::Char(c) => Some(c),
                Symbol::Dead(_) => None,
            },
        },
        [dead, base] => {
            let Symbol::Dead(accent) = symbol(dead)? else {
                return None;
            };
            let Symbol::Char(c) = symbol(base)? else {
                return None;
            };
            layout.compose(accent, c)
        }
        _ => None,
    }
}

/// Every character the layout types directly, and its dead keys.
fn direct(layout: Layout) -> (BTreeSet<char>, BTreeSet<char>) {
    let mut chars = BTreeSet::new();
    let mut dead = BTreeSet::new();
    for usage in 0..=u8::MAX {
        for mods in Modifiers::LEVELS {
            match layout.symbol(usage, mods) {
                Some(Symbol::Char(c)) => {
                    chars.insert(c);
                }
                Some(Symbol::Dead(a)) => {
                    dead.insert(a);
                }
                None => {}
            }
        }
    }
    (chars, dead)
}

/// Every character the layout can type at all.
fn typeable(layout: Layout) -> BTreeSet<char> {
    let (chars, dead) = direct(layout);
    let mut all = chars.clone();
    for &accent in &dead {
        for &base in &chars {
            if let Some(c) = layout.compose(accent, base) {
                all.insert(c);
            }
        }
    }
    all.insert('\n');
    all.insert('\t');
    all
}

#[test]
fn l10n_02_every_typeable_char_round_trips() {
    for layout in Layout::ALL {
        let all = typeable(layout);
        for &ch in &all {
            let strokes = layout
                .strokes(ch)
                .unwrap_or_else(|e| panic!("{e} although some keys produce it"));
            assert_eq!(
                replay(layout, &strokes),
                Some(ch),
                "{layout:?} {ch:?} via {strokes:?}"
            );
        }
        println!("{}: {} characters typeable", layout.name(), all.len());
    }
}

#[test]
fn l10n_02_every_typeable_char_round_trips_with_caps_lock_on() {
    for layout in Layout::ALL {
        for &ch in &typeable(layout) {
            let strokes = layout.strokes_locked(ch, true).unwrap();
            assert_eq!(
                replay_locked(layout, &strokes, true),
                Some(ch),
                "{layout:?} {ch:?} via {strokes:?} with Caps Lock on"
            );
        }
    }
}

#[test]
fn l10n_02_caps_lock_acts_on_letters_only() {
    let shift = |layout: Layout, ch: char| layout.strokes_locked(ch, true).unwrap()[0].mods.shift;
    // Letters flip: lower case needs Shift while Caps Lock is on.
    assert!(shift(Layout::Us, 'a') && !shift(Layout::Us, 'A'));
    assert!(shift(Layout::German, 'ä') && !shift(Layout::German, 'Ä'));
    assert!(shift(Layout::Norwegian, 'ø') && !shift(Layout::Norwegian, 'Ø'));
    // Digits and punctuation do not.
    assert!(!shift(Layout::Us, '1') && shift(Layout::Us, '!'));
    assert!(
        !shift(Layout::German, 'ß'),
        "ß has no upper case on its key"
    );
    // Nor does AltGr: German AltGr+Q is @ either way.
    let at = Layout::German.strokes_locked('@', true).unwrap()[0];
    assert!(at.mods.altgr && !at.mods.shift);
    assert_eq!(
        Layout::German.symbol_locked(at.usage, at.mods, true),
        Some(Symbol::Char('@'))
    );
}

#[test]
fn l10n_02_printable_ascii_is_typeable_everywhere() {
    for layout in Layout::ALL {
        for ch in (' '..='~').chain(['\n', '\t']) {
            assert!(layout.strokes(ch).is_ok(), "{layout:?} {ch:?}");
        }
    }
}

#[test]
fn l10n_02_us_refuses_what_it_cannot_type() {
    for ch in ['€', 'é', 'ß', 'ø', '´', '\u{7}'] {
        assert_eq!(
            Layout::Us.strokes(ch),
            Err(Untypeable {
                ch,
                layout: Layout::Us
            })
        );
    }
    let err = Layout::Us.strokes('€').unwrap_err();
    assert_eq!(err.to_string(), "the US keyboard layout cannot type '€'");
}

#[test]
fn l10n_02_german_types_umlauts_directly_and_accents_with_dead_keys() {
    assert_eq!(Layout::German.strokes('ü').unwrap().len(), 1);
    assert_eq!(Layout::German.strokes('€').unwrap().len(), 1);
    let e_grave = Layout::German.strokes('è').unwrap();
    assert_eq!(e_grave.len(), 2);
    assert_eq!(e_grave[0].usage, 0x2E);
    assert!(e_grave[0].mods.shift);
    // The dead key's own accent: dead key, then Space.
    let caret = Layout::German.strokes('^').unwrap();
    assert_eq!(
        caret.iter().map(|s| s.usage).collect::<Vec<_>>(),
        vec![0x35, 0x2C]
    );
}

#[test]
fn l10n_02_norwegian_types_tilde_with_altgr_dead_key_and_space() {
    let tilde = Layout::Norwegian.strokes('~').unwrap();
    assert_eq!(tilde.len(), 2);
    assert_eq!(tilde[0].usage, 0x30);
    assert!(tilde[0].mods.altgr);
    assert_eq!(tilde[1].usage, 0x2C);
    assert_eq!(Layout::Norwegian.strokes('å').unwrap().len(), 1);
    assert_eq!(Layout::Norwegian.strokes('ô').unwrap().len(), 2);
}

#[test]
fn l10n_02_us_international_prefers_altgr_over_dead_keys() {
    // á is on AltGr+A; the ' dead key would also make it, with two strokes.
    let a = Layout::UsInternational.strokes('á').unwrap();
    assert_eq!(a.len(), 1);
    assert!(a[0].mods.altgr);
    // The apostrophe itself is AltGr+' (the plain key is dead).
    let apostrophe = Layout::UsInternational.strokes('\'').unwrap();
    assert_eq!(apostrophe.len(), 1);
    assert_eq!(apostrophe[0].usage, 0x34);
    assert!(apostrophe[0].mods.altgr);
    // ã needs the ~ dead key.
    assert_eq!(Layout::UsInternational.strokes('ã').unwrap().len(), 2);
}

#[test]
fn l10n_02_us_never_types_on_the_iso_key() {
    for ch in ['<', '>', '\\', '|'] {
        let strokes = Layout::Us.strokes(ch).unwrap();
        assert!(strokes.iter().all(|s| s.usage != 0x64), "{ch:?}");
    }
}

#[test]
fn l10n_02_names_round_trip_and_aliases_resolve() {
    for layout in Layout::ALL {
        assert_eq!(Layout::from_name(layout.name()), Some(layout));
        assert_eq!(
            Layout::from_name(&layout.name().to_uppercase()),
            Some(layout)
        );
    }
    assert_eq!(Layout::from_name("nl"), Some(Layout::UsInternational));
    assert_eq!(Layout::from_name("NB"), Some(Layout::Norwegian));
    assert_eq!(Layout::from_name("fr"), None);
    assert_eq!(Layout::from_name(""), None);
}

fn any_layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(Layout::ALL.to_vec())
}

fn any_stroke() -> impl Strategy<Value = Stroke> {
    (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(usage, shift, altgr)| Stroke {
        usage,
        mods: Modifiers { shift, altgr },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Any character is either typed faithfully or refused, naming itself.
    #[test]
    fn l10n_02_strokes_replay_to_the_char(layout in any_layout(), ch in any::<char>()) {
        match layout.strokes(ch) {
            Ok(strokes) => prop_assert_eq!(replay(layout, &strokes), Some(ch)),
            Err(e) => {
                prop_assert_eq!(e, Untypeable { ch, layout });
                prop_assert!(!typeable(layout).contains(&ch));
            }
        }
    }

    /// A stroke releases exactly what it pressed, modifiers around the key.
    #[test]
    fn l10n_02_stroke_events_release_what_they_press(stroke in any_stroke()) {
        let events = stroke.events();
        let keys: Vec<(u8, bool)> = events
            .iter()
            .map(|e| match *e {
                InputEvent::Key { usage, down } => (usage, down),
                other => panic!("not a key event: {other:?}"),
            })
            .collect();
        let downs: Vec<u8> = keys.iter().filter(|k| k.1).map(|k| k.0).collect();
        let mut ups: Vec<u8> = keys.iter().filter(|k| !k.1).map(|k| k.0).collect();
        ups.reverse();
        prop_assert_eq!(&downs, &ups, "releases mirror presses");
        // The key is pressed last and released first, right after.
        let n = keys.len();
        prop_assert_eq!(keys[n / 2 - 1], (stroke.usage, true));
        prop_assert_eq!(keys[n / 2], (stroke.usage, false));
        let mut mods = Vec::new();
        if stroke.mods.shift {
            mods.push(USAGE_LEFT_SHIFT);
        }
        if stroke.mods.altgr {
            mods.push(USAGE_RIGHT_ALT);
        }
        prop_assert_eq!(&downs[..downs.len() - 1], &mods[..]);
    }
}
