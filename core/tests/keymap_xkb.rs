//! L10N-02: the keymap tables agree with the published layout definitions.
//!
//! The reference is xkeyboard-config (Debian package `xkb-data`), read from
//! `/usr/share/X11/xkb/symbols/` at test time. A keymap on a real system is
//! built as `pc+<layout>`, so the test resolves the `pc` base first (it gives
//! Space and the ISO key to layouts that do not name them), then the layout's
//! section, following `include` lines the way xkbcommon merges them: later key
//! definitions override earlier ones level by level, and an empty level does
//! not erase an inherited one.
//!
//! For every key of the typing area and each of the first four levels (none,
//! Shift, AltGr, Shift+AltGr) `Layout::symbol` must give exactly what xkb
//! gives, with dead keys as `Symbol::Dead` carrying the accent's spacing form.
//! Missing data is a failure, never a silent pass.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use beckon_core::keymap::{Layout, Modifiers, Symbol};

const XKB_SYMBOLS: &str = "/usr/share/X11/xkb/symbols";

/// The typing area: xkb key name and the USB HID usage of the same position.
const TYPING_AREA: &[(&str, u8)] = &[
    ("TLDE", 0x35),
    ("AE01", 0x1E),
    ("AE02", 0x1F),
    ("AE03", 0x20),
    ("AE04", 0x21),
    ("AE05", 0x22),
    ("AE06", 0x23),
    ("AE07", 0x24),
    ("AE08", 0x25),
    ("AE09", 0x26),
    ("AE10", 0x27),
    ("AE11", 0x2D),
    ("AE12", 0x2E),
    ("AD01", 0x14),
    ("AD02", 0x1A),
    ("AD03", 0x08),
    ("AD04", 0x15),
    ("AD05", 0x17),
    ("AD06", 0x1C),
    ("AD07", 0x18),
    ("AD08", 0x0C),
    ("AD09", 0x12),
    ("AD10", 0x13),
    ("AD11", 0x2F),
    ("AD12", 0x30),
    ("AC01", 0x04),
    ("AC02", 0x16),
    ("AC03", 0x07),
    ("AC04", 0x09),
    ("AC05", 0x0A),
    ("AC06", 0x0B),
    ("AC07", 0x0D),
    ("AC08", 0x0E),
    ("AC09", 0x0F),
    ("AC10", 0x33),
    ("AC11", 0x34),
    ("BKSL", 0x31),
    ("AB01", 0x1D),
    ("AB02", 0x1B),
    ("AB03", 0x06),
    ("AB04", 0x19),
    ("AB05", 0x05),
    ("AB06", 0x11),
    ("AB07", 0x10),
    ("AB08", 0x36),
    ("AB09", 0x37),
    ("AB10", 0x38),
    ("LSGT", 0x64),
    ("SPCE", 0x2C),
];

/// HID has a second usage for the key xkb calls `<BKSL>` (0x32, "Non-US #"
/// on ISO boards); Linux maps both to the same key, so both must agree.
const BKSL_ISO_USAGE: u8 = 0x32;

/// Keysyms with a character of their own that occur in the tested sections.
/// Single letters and digits, `Uxxxx` and `0x100xxxx` are handled in code.
const KEYSYM_CHARS: &[(&str, char)] = &[
    ("space", ' '),
    ("nobreakspace", '\u{A0}'),
    ("exclam", '!'),
    ("quotedbl", '"'),
    ("numbersign", '#'),
    ("dollar", '$'),
    ("percent", '%'),
    ("ampersand", '&'),
    ("apostrophe", '\''),
    ("parenleft", '('),
    ("parenright", ')'),
    ("asterisk", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("minus", '-'),
    ("period", '.'),
    ("slash", '/'),
    ("colon", ':'),
    ("semicolon", ';'),
    ("less", '<'),
    ("equal", '='),
    ("greater", '>'),
    ("question", '?'),
    ("at", '@'),
    ("bracketleft", '['),
    ("backslash", '\\'),
    ("bracketright", ']'),
    ("asciicircum", '^'),
    ("underscore", '_'),
    ("grave", '`'),
    ("braceleft", '{'),
    ("bar", '|'),
    ("braceright", '}'),
    ("asciitilde", '~'),
    ("exclamdown", '¡'),
    ("cent", '¢'),
    ("sterling", '£'),
    ("currency", '¤'),
    ("yen", '¥'),
    ("brokenbar", '¦'),
    ("section", '§'),
    ("diaeresis", '¨'),
    ("copyright", '©'),
    ("ordfeminine", 'ª'),
    ("guillemotleft", '«'),
    ("notsign", '¬'),
    ("registered", '®'),
    ("macron", '¯'),
    ("degree", '°'),
    ("plusminus", '±'),
    ("twosuperior", '²'),
    ("threesuperior", '³'),
    ("acute", '´'),
    ("mu", 'µ'),
    ("paragraph", '¶'),
    ("periodcentered", '·'),
    ("onesuperior", '¹'),
    ("masculine", 'º'),
    ("guillemotright", '»'),
    ("onequarter", '¼'),
    ("onehalf", '½'),
    ("threequarters", '¾'),
    ("questiondown", '¿'),
    ("Aring", 'Å'),
    ("AE", 'Æ'),
    ("Adiaeresis", 'Ä'),
    ("Aacute", 'Á'),
    ("Ccedilla", 'Ç'),
    ("Eacute", 'É'),
    ("Iacute", 'Í'),
    ("ETH", 'Ð'),
    ("Ntilde", 'Ñ'),
    ("Oacute", 'Ó'),
    ("Odiaeresis", 'Ö'),
    ("multiply", '×'),
    ("Ooblique", 'Ø'),
    ("Uacute", 'Ú'),
    ("Udiaeresis", 'Ü'),
    ("THORN", 'Þ'),
    ("ssharp", 'ß'),
    ("aacute", 'á'),
    ("adiaeresis", 'ä'),
    ("aring", 'å'),
    ("ae", 'æ'),
    ("ccedilla", 'ç'),
    ("eacute", 'é'),
    ("iacute", 'í'),
    ("eth", 'ð'),
    ("ntilde", 'ñ'),
    ("oacute", 'ó'),
    ("odiaeresis", 'ö'),
    ("division", '÷'),
    ("oslash", 'ø'),
    ("uacute", 'ú'),
    ("udiaeresis", 'ü'),
    ("thorn", 'þ'),
    ("dstroke", 'đ'),
    ("hstroke", 'ħ'),
    ("Hstroke", 'Ħ'),
    ("idotless", 'ı'),
    ("kra", 'ĸ'),
    ("lstroke", 'ł'),
    ("Lstroke", 'Ł'),
    ("eng", 'ŋ'),
    ("ENG", 'Ŋ'),
    ("oe", 'œ'),
    ("OE", 'Œ'),
    ("tslash", 'ŧ'),
    ("Tslash", 'Ŧ'),
    ("Greek_OMEGA", 'Ω'),
    ("Greek_pi", 'π'),
    ("Greek_PI", 'Π'),
    ("endash", '–'),
    ("emdash", '—'),
    ("leftsinglequotemark", '‘'),
    ("rightsinglequotemark", '’'),
    ("singlelowquotemark", '‚'),
    ("leftdoublequotemark", '“'),
    ("rightdoublequotemark", '”'),
    ("doublelowquotemark", '„'),
    ("ellipsis", '…'),
    ("EuroSign", '€'),
    ("trademark", '™'),
    ("oneeighth", '⅛'),
    ("threeeighths", '⅜'),
    ("fiveeighths", '⅝'),
    ("seveneighths", '⅞'),
    ("leftarrow", '←'),
    ("uparrow", '↑'),
    ("rightarrow", '→'),
    ("downarrow", '↓'),
];

/// Dead keysyms and the character that names them in `Symbol::Dead`: the
/// accent's spacing form where Unicode has one, else the combining mark.
const DEAD_KEYSYMS: &[(&str, char)] = &[
    ("dead_grave", '`'),
    ("dead_acute", '´'),
    ("dead_circumflex", '^'),
    ("dead_tilde", '~'),
    ("dead_macron", '¯'),
    ("dead_breve", '˘'),
    ("dead_abovedot", '˙'),
    ("dead_diaeresis", '¨'),
    ("dead_abovering", '˚'),
    ("dead_doubleacute", '˝'),
    ("dead_caron", 'ˇ'),
    ("dead_cedilla", '¸'),
    ("dead_ogonek", '˛'),
    ("dead_belowdot", '\u{323}'),
    ("dead_hook", '\u{309}'),
    ("dead_horn", '\u{31B}'),
    ("dead_belowmacron", 'ˍ'),
];

/// One key as xkb resolves it: the symbols of group 1, by level.
type Levels = Vec<Option<String>>;

#[derive(Default)]
struct Resolved {
    keys: BTreeMap<String, Levels>,
    /// Whether some included section makes Right Alt choose level 3 (AltGr).
    /// Without it (plain `us`) Right Alt is Alt and types no character.
    level3_switch: bool,
}

fn xkb_dir() -> PathBuf {
    let dir = PathBuf::from(XKB_SYMBOLS);
    assert!(
        dir.join("us").is_file() && dir.join("latin").is_file(),
        "xkeyboard-config data not found in {XKB_SYMBOLS}: install the `xkb-data` \
         package (apt-get install xkb-data); the L10N-02 layout test needs it"
    );
    dir
}

/// Drops `//` and `#` comments (xkb files use both) and keeps line structure.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut cut = line.len();
        let mut in_string = false;
        let bytes = line.as_bytes();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                b'#' if !in_string => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The body of section `name` of a symbols file (the default one for `None`).
fn section_body(text: &str, name: Option<&str>) -> Option<String> {
    let text = strip_comments(text);
    let mut search = 0;
    while let Some(found) = text[search..].find("xkb_symbols") {
        let start = search + found;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let flags = &text[line_start..start];
        let after = &text[start + "xkb_symbols".len()..];
        let open_quote = after.find('"')?;
        let close_quote = after[open_quote + 1..].find('"')? + open_quote + 1;
        let this_name = &after[open_quote + 1..close_quote];
        let brace = after.find('{')?;
        // Find the matching closing brace.
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in after[brace..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(brace + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end?;
        let wanted = match name {
            Some(n) => this_name == n,
            None => flags.contains("default"),
        };
        if wanted {
            return Some(after[brace + 1..end].to_string());
        }
        search = start + "xkb_symbols".len() + end;
    }
    // A file without a `default` flag uses its first section.
    if name.is_none() {
        let start = text.find("xkb_symbols")?;
        let after = &text[start..];
        let quote = after.find('"')?;
        let rest = &after[quote + 1..];
        let first = &rest[..rest.find('"')?];
        return section_body(&text, Some(first));
    }
    None
}

/// Loads `file(section)` into `into`, following includes first-to-last.
fn load(dir: &Path, spec: &str, into: &mut Resolved, depth: usize) {
    assert!(depth < 16, "include loop at {spec}");
    let (file, section) = match spec.find('(') {
        Some(open) => (&spec[..open], Some(spec[open + 1..].trim_end_matches(')'))),
        None => (spec, None),
    };
    if file == "level3" && section.is_some_and(|s| s.contains("switch")) {
        into.level3_switch = true;
    }
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): install the `xkb-data` package",
            path.display()
        )
    });
    let body = section_body(&text, section)
        .unwrap_or_else(|| panic!("no section {section:?} in {}", path.display()));

    let mut rest = body.as_str();
    loop {
        let next_include = rest.find("include");
        let next_key = rest.find("key <");
        match (next_include, next_key) {
            (Some(i), k) if k.is_none_or(|k| i < k) => {
                let after = &rest[i..];
                let open = after.find('"').expect("include without a name");
                let close = after[open + 1..].find('"').expect("unterminated include") + open + 1;
                for part in after[open + 1..close].split(['+', '|']) {
                    if !part.is_empty() {
                        load(dir, part, into, depth + 1);
                    }
                }
                rest = &after[close + 1..];
            }
            (_, Some(k)) => {
                let after = &rest[k + "key <".len()..];
                let name_end = after.find('>').expect("unterminated key name");
                let name = &after[..name_end];
                let body_end = after.find("};").expect("unterminated key");
                let key_body = &after[name_end + 1..body_end];
                if TYPING_AREA.iter().any(|(n, _)| *n == name) {
                    merge(into.keys.entry(name.to_string()).or_default(), key_body);
                }
                rest = &after[body_end + 2..];
            }
            _ => break,
        }
    }
}

/// Merges one key definition over what was inherited, level by level.
fn merge(levels: &mut Levels, key_body: &str) {
    let list_start = match key_body.find("symbols[") {
        Some(s) => s + key_body[s..].find('=').expect("symbols without '='"),
        None => 0,
    };
    let Some(open) = key_body[list_start..].find('[').map(|i| i + list_start) else {
        return;
    };
    let close = key_body[open..]
        .find(']')
        .expect("unterminated symbol list")
        + open;
    let new: Vec<Option<String>> = key_body[open + 1..close]
        .split(',')
        .map(str::trim)
        .map(|s| (s != "NoSymbol" && !s.is_empty()).then(|| s.to_string()))
        .collect();
    if levels.len() < new.len() {
        levels.resize(new.len(), None);
    }
    for (slot, sym) in levels.iter_mut().zip(new) {
        if sym.is_some() {
            *slot = sym;
        }
    }
}

fn keysym(name: &str) -> Symbol {
    if let Some((_, c)) = DEAD_KEYSYMS.iter().find(|(n, _)| *n == name) {
        return Symbol::Dead(*c);
    }
    if let Some((_, c)) = KEYSYM_CHARS.iter().find(|(n, _)| *n == name) {
        return Symbol::Char(*c);
    }
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Symbol::Char(c);
    }
    let code = if let Some(hex) = name.strip_prefix('U') {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(hex) = name.strip_prefix("0x") {
        // Unicode keysyms are 0x01000000 + the code point.
        u32::from_str_radix(hex, 16).ok().map(|v| v - 0x0100_0000)
    } else {
        None
    };
    match code.and_then(char::from_u32) {
        Some(c) => Symbol::Char(c),
        None => panic!("keysym {name:?} is not in the test's name table"),
    }
}

fn resolve(dir: &Path, spec: &str) -> Resolved {
    let mut resolved = Resolved::default();
    load(dir, "pc(pc105)", &mut resolved, 0);
    load(dir, spec, &mut resolved, 0);
    resolved
}

/// What xkb types at `level` (0-based) of a key, given how many levels the
/// key defines: one-level keys repeat on every level; two-level keys ignore
/// AltGr (their key type does not map it); wider keys use the level as is.
fn xkb_level(levels: &Levels, level: usize, level3_switch: bool) -> Option<Symbol> {
    if level >= 2 && !level3_switch {
        // Right Alt is plain Alt: a shortcut modifier, not a character level.
        return None;
    }
    let index = match levels.len() {
        0 => return None,
        1 => 0,
        2 => level % 2,
        _ => level,
    };
    levels.get(index).cloned().flatten().map(|s| keysym(&s))
}

/// Levels that are deliberately not modelled, as (layout, key, level 1..=4).
/// Each is counted and reported; none is needed today.
const SKIPPED: &[(Layout, &str, usize)] = &[];

fn check_layout(layout: Layout, spec: &str) {
    let dir = xkb_dir();
    let resolved = resolve(&dir, spec);
    let mut checked = 0usize;
    let mut skipped = 0usize;
    let mut mismatches = Vec::new();
    for &(name, usage) in TYPING_AREA {
        let empty = Levels::new();
        let levels = resolved.keys.get(name).unwrap_or(&empty);
        for (level, mods) in Modifiers::LEVELS.iter().enumerate() {
            if SKIPPED.contains(&(layout, name, level + 1)) {
                skipped += 1;
                continue;
            }
            let want = xkb_level(levels, level, resolved.level3_switch);
            let got = layout.symbol(usage, *mods);
            if got != want {
                mismatches.push(format!(
                    "{layout:?} <{name}> (usage {usage:#04x}) level {}: xkb {want:?}, keymap {got:?}",
                    level + 1
                ));
            }
            if usage == 0x31 && layout.symbol(BKSL_ISO_USAGE, *mods) != got {
                mismatches.push(format!(
                    "{layout:?} usage 0x32 differs from 0x31 at level {}",
                    level + 1
                ));
            }
            checked += 1;
        }
    }
    println!(
        "{} ({spec}): {} keys checked, {checked} key levels checked, {skipped} skipped",
        layout.name(),
        TYPING_AREA.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} disagreements with xkeyboard-config:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn l10n_02_us_matches_xkb_us_basic() {
    check_layout(Layout::Us, "us(basic)");
}

#[test]
fn l10n_02_us_international_matches_xkb_us_intl() {
    check_layout(Layout::UsInternational, "us(intl)");
}

#[test]
fn l10n_02_german_matches_xkb_de_basic() {
    check_layout(Layout::German, "de(basic)");
}

#[test]
fn l10n_02_norwegian_matches_xkb_no_basic() {
    check_layout(Layout::Norwegian, "no(basic)");
}

/// The parser itself: a few facts anyone can check on the printed keyboard.
#[test]
fn l10n_02_xkb_parser_reads_known_keys() {
    let dir = xkb_dir();
    let de = resolve(&dir, "de(basic)");
    assert!(de.level3_switch);
    let q = &de.keys["AD01"];
    assert_eq!(xkb_level(q, 2, true), Some(Symbol::Char('@')));
    let lsgt = &de.keys["LSGT"];
    assert_eq!(xkb_level(lsgt, 2, true), Some(Symbol::Char('|')));
    let no = resolve(&dir, "no(basic)");
    assert_eq!(
        xkb_level(&no.keys["AD12"], 0, true),
        Some(Symbol::Dead('¨'))
    );
    let us = resolve(&dir, "us(basic)");
    assert!(!us.level3_switch);
    assert_eq!(
        xkb_level(&us.keys["AE02"], 1, false),
        Some(Symbol::Char('@'))
    );
}

/// Prints the resolved xkb tables; run with `--ignored --nocapture` when
/// reviewing a layout by eye.
#[test]
#[ignore]
fn dump_resolved_layouts() {
    let dir = xkb_dir();
    for spec in ["us(basic)", "us(intl)", "de(basic)", "no(basic)"] {
        let r = resolve(&dir, spec);
        println!("== {spec} (level3 switch: {})", r.level3_switch);
        for &(name, usage) in TYPING_AREA {
            let empty = Levels::new();
            let levels = r.keys.get(name).unwrap_or(&empty);
            let syms: Vec<_> = (0..4)
                .map(|l| xkb_level(levels, l, r.level3_switch))
                .collect();
            println!("{usage:#04x} {name} {syms:?}");
        }
    }
}

/// The X11 Compose table for UTF-8 locales (Debian package `libx11-data`),
/// the reference for what a dead key and a letter make.
const X11_COMPOSE: &str = "/usr/share/X11/locale/en_US.UTF-8/Compose";

/// Every letter pair `Layout::compose` knows agrees with X11's Compose table.
/// (Dead key + Space is left out on purpose: X11 gives `'` and `"` for acute
/// and diaeresis there, the keymap gives the accent itself, as Windows does.)
#[test]
fn l10n_02_compose_matches_x11_compose_table() {
    let text = fs::read_to_string(X11_COMPOSE).unwrap_or_else(|e| {
        panic!("cannot read {X11_COMPOSE} ({e}): install the `libx11-data` package")
    });
    let mut table = BTreeMap::new();
    for line in text.lines() {
        let Some((lhs, rhs)) = line.split_once(':') else {
            continue;
        };
        let keys: Vec<&str> = lhs
            .split_whitespace()
            .filter_map(|k| k.strip_prefix('<')?.strip_suffix('>'))
            .collect();
        let [dead, base] = keys[..] else { continue };
        let Some(result) = rhs.split('"').nth(1) else {
            continue;
        };
        table.insert((dead.to_string(), base.to_string()), result.to_string());
    }
    let mut checked = 0;
    for layout in Layout::ALL {
        for &(dead_name, accent) in DEAD_KEYSYMS {
            for base in ('a'..='z').chain('A'..='Z') {
                let Some(ours) = layout.compose(accent, base) else {
                    continue;
                };
                let theirs = table.get(&(dead_name.to_string(), base.to_string()));
                assert_eq!(
                    theirs.map(String::as_str),
                    Some(ours.to_string().as_str()),
                    "{layout:?}: {dead_name} + {base}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
    println!("{checked} dead key + letter pairs checked against {X11_COMPOSE}");
}
