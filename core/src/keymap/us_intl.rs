//! US international with dead keys, as xkeyboard-config `us(intl)`; the
//! layout Dutch users type on.
//!
//! `` ` ~ ^ ' " `` are dead keys on levels 1–2; their plain characters move
//! to AltGr. AltGr also gives the common accented letters directly.

use super::{c, d, Key};

/// One row per key: HID usage and what levels 1–4 (none, Shift, AltGr,
/// Shift+AltGr) type. The comment names the key as xkb does.
#[rustfmt::skip]
pub(super) const KEYS: &[Key] = &[
    // Digit row.
    (0x35, [d('`'), d('~'), c('`'), c('~')]), // <TLDE>
    (0x1E, [c('1'), c('!'), c('¡'), c('¹')]), // <AE01>
    (0x1F, [c('2'), c('@'), c('²'), d('˝')]), // <AE02>
    (0x20, [c('3'), c('#'), c('³'), d('¯')]), // <AE03>
    (0x21, [c('4'), c('$'), c('¤'), c('£')]), // <AE04>
    (0x22, [c('5'), c('%'), c('€'), d('¸')]), // <AE05>
    (0x23, [c('6'), d('^'), c('¼'), c('^')]), // <AE06>
    (0x24, [c('7'), c('&'), c('½'), d('\u{31b}')]), // <AE07>
    (0x25, [c('8'), c('*'), c('¾'), d('˛')]), // <AE08>
    (0x26, [c('9'), c('('), c('‘'), d('˘')]), // <AE09>
    (0x27, [c('0'), c(')'), c('’'), d('˚')]), // <AE10>
    (0x2D, [c('-'), c('_'), c('¥'), d('\u{323}')]), // <AE11>
    (0x2E, [c('='), c('+'), c('×'), c('÷')]), // <AE12>
    // Top letter row.
    (0x14, [c('q'), c('Q'), c('ä'), c('Ä')]), // <AD01>
    (0x1A, [c('w'), c('W'), c('å'), c('Å')]), // <AD02>
    (0x08, [c('e'), c('E'), c('é'), c('É')]), // <AD03>
    (0x15, [c('r'), c('R'), c('®'), c('®')]), // <AD04>
    (0x17, [c('t'), c('T'), c('þ'), c('Þ')]), // <AD05>
    (0x1C, [c('y'), c('Y'), c('ü'), c('Ü')]), // <AD06>
    (0x18, [c('u'), c('U'), c('ú'), c('Ú')]), // <AD07>
    (0x0C, [c('i'), c('I'), c('í'), c('Í')]), // <AD08>
    (0x12, [c('o'), c('O'), c('ó'), c('Ó')]), // <AD09>
    (0x13, [c('p'), c('P'), c('ö'), c('Ö')]), // <AD10>
    (0x2F, [c('['), c('{'), c('«'), c('“')]), // <AD11>
    (0x30, [c(']'), c('}'), c('»'), c('”')]), // <AD12>
    // Home row.
    (0x04, [c('a'), c('A'), c('á'), c('Á')]), // <AC01>
    (0x16, [c('s'), c('S'), c('ß'), c('§')]), // <AC02>
    (0x07, [c('d'), c('D'), c('ð'), c('Ð')]), // <AC03>
    (0x09, [c('f'), c('F'), c('f'), c('F')]), // <AC04>
    (0x0A, [c('g'), c('G'), c('g'), c('G')]), // <AC05>
    (0x0B, [c('h'), c('H'), c('h'), c('H')]), // <AC06>
    (0x0D, [c('j'), c('J'), c('j'), c('J')]), // <AC07>
    (0x0E, [c('k'), c('K'), c('œ'), c('Œ')]), // <AC08>
    (0x0F, [c('l'), c('L'), c('ø'), c('Ø')]), // <AC09>
    (0x33, [c(';'), c(':'), c('¶'), c('°')]), // <AC10>
    (0x34, [d('´'), d('¨'), c('\''), c('"')]), // <AC11>
    // Bottom row.
    (0x31, [c('\\'), c('|'), c('¬'), c('¦')]), // <BKSL>
    (0x1D, [c('z'), c('Z'), c('æ'), c('Æ')]), // <AB01>
    (0x1B, [c('x'), c('X'), c('x'), c('X')]), // <AB02>
    (0x06, [c('c'), c('C'), c('©'), c('¢')]), // <AB03>
    (0x19, [c('v'), c('V'), c('v'), c('V')]), // <AB04>
    (0x05, [c('b'), c('B'), c('b'), c('B')]), // <AB05>
    (0x11, [c('n'), c('N'), c('ñ'), c('Ñ')]), // <AB06>
    (0x10, [c('m'), c('M'), c('µ'), c('µ')]), // <AB07>
    (0x36, [c(','), c('<'), c('ç'), c('Ç')]), // <AB08>
    (0x37, [c('.'), c('>'), d('˙'), d('ˇ')]), // <AB09>
    (0x38, [c('/'), c('?'), c('¿'), d('\u{309}')]), // <AB10>
    // The ISO key between left Shift and Z, and Space.
    (0x64, [c('\\'), c('|'), c('\\'), c('|')]), // <LSGT>
    (0x2C, [c(' '), c(' '), c(' '), c(' ')]), // <SPCE>
];
