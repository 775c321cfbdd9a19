//! US English, as xkeyboard-config `us(basic)` on a `pc105` base.
//!
//! Right Alt is plain Alt on this layout (no level-3 switch), so AltGr types
//! nothing. The ISO key 0x64 is listed because a `pc105` keymap gives it `<>`;
//! typing never uses it (see [`super::Layout::strokes`]).

use super::{c, Key, N};

/// One row per key: HID usage and what levels 1–4 (none, Shift, AltGr,
/// Shift+AltGr) type. The comment names the key as xkb does.
#[rustfmt::skip]
pub(super) const KEYS: &[Key] = &[
    // Digit row.
    (0x35, [c('`'), c('~'), N, N]), // <TLDE>
    (0x1E, [c('1'), c('!'), N, N]), // <AE01>
    (0x1F, [c('2'), c('@'), N, N]), // <AE02>
    (0x20, [c('3'), c('#'), N, N]), // <AE03>
    (0x21, [c('4'), c('$'), N, N]), // <AE04>
    (0x22, [c('5'), c('%'), N, N]), // <AE05>
    (0x23, [c('6'), c('^'), N, N]), // <AE06>
    (0x24, [c('7'), c('&'), N, N]), // <AE07>
    (0x25, [c('8'), c('*'), N, N]), // <AE08>
    (0x26, [c('9'), c('('), N, N]), // <AE09>
    (0x27, [c('0'), c(')'), N, N]), // <AE10>
    (0x2D, [c('-'), c('_'), N, N]), // <AE11>
    (0x2E, [c('='), c('+'), N, N]), // <AE12>
    // Top letter row.
    (0x14, [c('q'), c('Q'), N, N]), // <AD01>
    (0x1A, [c('w'), c('W'), N, N]), // <AD02>
    (0x08, [c('e'), c('E'), N, N]), // <AD03>
    (0x15, [c('r'), c('R'), N, N]), // <AD04>
    (0x17, [c('t'), c('T'), N, N]), // <AD05>
    (0x1C, [c('y'), c('Y'), N, N]), // <AD06>
    (0x18, [c('u'), c('U'), N, N]), // <AD07>
    (0x0C, [c('i'), c('I'), N, N]), // <AD08>
    (0x12, [c('o'), c('O'), N, N]), // <AD09>
    (0x13, [c('p'), c('P'), N, N]), // <AD10>
    (0x2F, [c('['), c('{'), N, N]), // <AD11>
    (0x30, [c(']'), c('}'), N, N]), // <AD12>
    // Home row.
    (0x04, [c('a'), c('A'), N, N]), // <AC01>
    (0x16, [c('s'), c('S'), N, N]), // <AC02>
    (0x07, [c('d'), c('D'), N, N]), // <AC03>
    (0x09, [c('f'), c('F'), N, N]), // <AC04>
    (0x0A, [c('g'), c('G'), N, N]), // <AC05>
    (0x0B, [c('h'), c('H'), N, N]), // <AC06>
    (0x0D, [c('j'), c('J'), N, N]), // <AC07>
    (0x0E, [c('k'), c('K'), N, N]), // <AC08>
    (0x0F, [c('l'), c('L'), N, N]), // <AC09>
    (0x33, [c(';'), c(':'), N, N]), // <AC10>
    (0x34, [c('\''), c('"'), N, N]), // <AC11>
    // Bottom row.
    (0x31, [c('\\'), c('|'), N, N]), // <BKSL>
    (0x1D, [c('z'), c('Z'), N, N]), // <AB01>
    (0x1B, [c('x'), c('X'), N, N]), // <AB02>
    (0x06, [c('c'), c('C'), N, N]), // <AB03>
    (0x19, [c('v'), c('V'), N, N]), // <AB04>
    (0x05, [c('b'), c('B'), N, N]), // <AB05>
    (0x11, [c('n'), c('N'), N, N]), // <AB06>
    (0x10, [c('m'), c('M'), N, N]), // <AB07>
    (0x36, [c(','), c('<'), N, N]), // <AB08>
    (0x37, [c('.'), c('>'), N, N]), // <AB09>
    (0x38, [c('/'), c('?'), N, N]), // <AB10>
    // The ISO key between left Shift and Z, and Space.
    (0x64, [c('<'), c('>'), N, N]), // <LSGT>
    (0x2C, [c(' '), c(' '), N, N]), // <SPCE>
];
