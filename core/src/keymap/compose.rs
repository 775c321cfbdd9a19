//! Dead keys: which accent plus which base letter makes which character.
//!
//! One table serves every layout: a dead key is named by its accent (the
//! character in [`super::Symbol::Dead`]), not by where it sits, so German `´`
//! and Norwegian AltGr+`\` compose alike. The letter pairs are those of the
//! X11 `en_US.UTF-8` Compose file for the accents our layouts have; the host
//! test checks them against it.

/// The accents dead keys carry, in their spacing form where Unicode has one
/// (the combining mark otherwise). Dead key + Space types the accent itself.
pub(super) const ACCENTS: [char; 17] = [
    '`', '´', '^', '~', '¯', '˘', '˙', '¨', '˚', '˝', 'ˇ', '¸', '˛',
    // No spacing forms: dot below, hook above, horn. Then macron below.
    '\u{323}', '\u{309}', '\u{31B}', 'ˍ',
];

/// Per accent, pairs of (base, result) written as one string, two characters
/// a pair. Both cases of the common accented Latin letters.
const PAIRS: &[(char, &str)] = &[
    ('`', "aàeèiìoòuùAÀEÈIÌOÒUÙ"),
    ('´', "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝcćCĆnńNŃsśSŚzźZŹ"),
    ('^', "aâeêiîoôuûAÂEÊIÎOÔUÛ"),
    ('~', "aãoõnñiĩuũAÃOÕNÑIĨUŨ"),
    ('¨', "aäeëiïoöuüyÿAÄEËIÏOÖUÜYŸ"),
    ('˚', "aåuůAÅUŮ"),
    ('ˇ', "cčdďeěnňrřsštťzžCČDĎEĚNŇRŘSŠTŤZŽ"),
    ('¸', "cçsşCÇSŞ"),
    ('˛', "aąeęiįuųAĄEĘIĮUŲ"),
    ('˝', "oőuűOŐUŰ"),
    ('¯', "aāeēiīoōuūAĀEĒIĪOŌUŪ"),
    ('˘', "aăgğuŭAĂGĞUŬ"),
    ('˙', "cċeėgġzżCĊEĖGĠZŻ"),
];

/// The character `dead` followed by `base` makes, if they compose.
pub(super) fn compose(dead: char, base: char) -> Option<char> {
    if base == ' ' {
        return ACCENTS.contains(&dead).then_some(dead);
    }
    let (_, pairs) = PAIRS.iter().find(|(accent, _)| *accent == dead)?;
    let mut chars = pairs.chars();
    while let (Some(b), Some(result)) = (chars.next(), chars.next()) {
        if b == base {
            return Some(result);
        }
    }
    None
}

/// Every (dead, base) pair that composes to `ch`; accent + Space first.
pub(super) fn decompose(ch: char) -> impl Iterator<Item = (char, char)> {
    let spacing = ACCENTS.contains(&ch).then_some((ch, ' '));
    let letters = PAIRS.iter().filter_map(move |(accent, pairs)| {
        let mut chars = pairs.chars();
        while let (Some(base), Some(result)) = (chars.next(), chars.next()) {
            if result == ch {
                return Some((*accent, base));
            }
        }
        None
    });
    spacing.into_iter().chain(letters)
}
