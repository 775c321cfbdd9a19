//! End-to-end tests of the simulated desktop.

use beckon_core::keymap::Layout;
use beckon_core::message::{InputEvent, POINTER_MAX};
use beckon_host_sim::desktop::{DamageRect, Desktop};

const W: u16 = 1280;
const H: u16 = 800;

const SHIFT: u8 = 0xE1;
const RSHIFT: u8 = 0xE5;
const CTRL: u8 = 0xE0;
const ALTGR: u8 = 0xE6;
const ENTER: u8 = 0x28;
const BACKSPACE: u8 = 0x2A;
const DELETE: u8 = 0x4C;
const RIGHT: u8 = 0x4F;
const LEFT: u8 = 0x50;
const DOWN: u8 = 0x51;
const UP: u8 = 0x52;
const HOME: u8 = 0x4A;
const END: u8 = 0x4D;

fn key(d: &mut Desktop, usage: u8) {
    d.apply(InputEvent::Key { usage, down: true });
    d.apply(InputEvent::Key { usage, down: false });
}

fn chord(d: &mut Desktop, modifier: u8, usage: u8) {
    d.apply(InputEvent::Key {
        usage: modifier,
        down: true,
    });
    key(d, usage);
    d.apply(InputEvent::Key {
        usage: modifier,
        down: false,
    });
}

/// HID usage of a lowercase letter or digit on a US keyboard.
fn usage_of(c: char) -> u8 {
    match c {
        'a'..='z' => 0x04 + (c as u8 - b'a'),
        '1'..='9' => 0x1E + (c as u8 - b'1'),
        '0' => 0x27,
        ' ' => 0x2C,
        _ => panic!("no usage for {c:?}"),
    }
}

fn type_str(d: &mut Desktop, s: &str) {
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            chord(d, SHIFT, usage_of(c.to_ascii_lowercase()));
        } else if c == '\n' {
            key(d, ENTER);
        } else {
            key(d, usage_of(c));
        }
    }
}

fn desktop() -> Desktop {
    let mut d = Desktop::new(W, H, Layout::Us);
    d.pixels();
    d.take_damage();
    d
}

fn click_at(d: &mut Desktop, x: u16, y: u16) {
    move_to(d, x, y);
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
}

fn move_to(d: &mut Desktop, x: u16, y: u16) {
    let abs = |p: u16, size: u16| -> u16 {
        ((u32::from(p) * u32::from(POINTER_MAX) + u32::from(size - 1) / 2) / u32::from(size - 1))
            as u16
    };
    d.apply(InputEvent::PointerAbs {
        x: abs(x, d.width()),
        y: abs(y, d.height()),
    });
    assert_eq!(d.pointer(), (x, y));
}

/// Checks that every pixel that differs between `before` and `after` lies in
/// one of `damage`; returns how many pixels changed.
fn assert_covered(before: &[u8], after: &[u8], damage: &[DamageRect], width: u16) -> usize {
    assert_eq!(before.len(), after.len());
    let mut changed = 0;
    for (i, (a, b)) in before
        .chunks_exact(4)
        .zip(after.chunks_exact(4))
        .enumerate()
    {
        if a != b {
            changed += 1;
            let x = (i % usize::from(width)) as u16;
            let y = (i / usize::from(width)) as u16;
            assert!(
                damage.iter().any(|r| r.contains(x, y)),
                "pixel ({x}, {y}) changed outside the damage {damage:?}"
            );
        }
    }
    changed
}

fn damage_area(damage: &[DamageRect]) -> u32 {
    damage.iter().map(DamageRect::area).sum()
}

#[test]
fn typing_hello() {
    let mut d = desktop();
    type_str(&mut d, "hello");
    assert_eq!(d.editor_text(), "hello");
    assert_eq!(d.editor_caret(), (0, 5));
    assert!(d.held_keys().is_empty());
}

#[test]
fn shift_gives_capitals_with_either_shift() {
    let mut d = desktop();
    chord(&mut d, SHIFT, usage_of('a'));
    chord(&mut d, RSHIFT, usage_of('b'));
    key(&mut d, usage_of('c'));
    assert_eq!(d.editor_text(), "ABc");
}

#[test]
fn editing_keys() {
    let mut d = desktop();
    type_str(&mut d, "abc");
    key(&mut d, BACKSPACE);
    assert_eq!(d.editor_text(), "ab");
    key(&mut d, ENTER);
    type_str(&mut d, "cd");
    assert_eq!(d.editor_text(), "ab\ncd");
    assert_eq!(d.editor_caret(), (1, 2));
    key(&mut d, UP);
    assert_eq!(d.editor_caret(), (0, 2));
    key(&mut d, LEFT);
    type_str(&mut d, "x");
    assert_eq!(d.editor_text(), "axb\ncd");
    key(&mut d, END);
    key(&mut d, DELETE); // joins the next line
    assert_eq!(d.editor_text(), "axbcd");
    key(&mut d, HOME);
    key(&mut d, DELETE);
    assert_eq!(d.editor_text(), "xbcd");
    key(&mut d, RIGHT);
    key(&mut d, 0x58); // keypad Enter
    assert_eq!(d.editor_text(), "x\nbcd");
    key(&mut d, HOME);
    key(&mut d, BACKSPACE); // joins with the previous line
    assert_eq!(d.editor_text(), "xbcd");
    assert_eq!(d.editor_caret(), (0, 1));
    key(&mut d, DOWN); // no line below: nothing happens
    assert_eq!(d.editor_caret(), (0, 1));
    key(&mut d, 0x2B); // Tab
    assert_eq!(d.editor_text(), "x\tbcd");
    key(&mut d, 0x29); // Escape types nothing
    assert_eq!(d.editor_text(), "x\tbcd");
}

#[test]
fn arrows_cross_line_ends() {
    let mut d = desktop();
    type_str(&mut d, "ab\ncd");
    key(&mut d, HOME);
    key(&mut d, LEFT);
    assert_eq!(d.editor_caret(), (0, 2));
    key(&mut d, RIGHT);
    assert_eq!(d.editor_caret(), (1, 0));
}

#[test]
fn ctrl_and_alt_suppress_typing() {
    let mut d = desktop();
    chord(&mut d, CTRL, usage_of('c'));
    chord(&mut d, 0xE4, usage_of('v'));
    chord(&mut d, 0xE2, usage_of('f'));
    assert_eq!(d.editor_text(), "");
    type_str(&mut d, "ok");
    assert_eq!(d.editor_text(), "ok");
}

#[test]
fn german_altgr_and_dead_keys() {
    let mut d = Desktop::new(W, H, Layout::German);
    chord(&mut d, ALTGR, usage_of('q'));
    assert_eq!(d.editor_text(), "@");
    key(&mut d, 0x35); // dead ^
    assert_eq!(d.editor_text(), "@");
    key(&mut d, usage_of('e'));
    assert_eq!(d.editor_text(), "@ê");
    // A dead key followed by a character it does not combine with: both.
    key(&mut d, 0x35);
    key(&mut d, usage_of('x'));
    assert_eq!(d.editor_text(), "@ê^x");
    // Backspace cancels a pending dead key.
    key(&mut d, 0x35);
    key(&mut d, BACKSPACE);
    assert_eq!(d.editor_text(), "@ê^x");
}

#[test]
fn set_layout_switches_layouts() {
    let mut d = desktop();
    chord(&mut d, ALTGR, usage_of('q'));
    assert_eq!(d.editor_text(), "");
    d.set_layout(Layout::German);
    assert_eq!(d.layout(), Layout::German);
    chord(&mut d, ALTGR, usage_of('q'));
    assert_eq!(d.editor_text(), "@");
}

#[test]
fn typed_character_damages_only_a_small_area() {
    let mut d = desktop();
    type_str(&mut d, "Hello");
    d.pixels();
    d.take_damage();
    let before = d.pixels().to_vec();
    key(&mut d, usage_of('w'));
    let damage = d.take_damage();
    let after = d.pixels().to_vec();
    let changed = assert_covered(&before, &after, &damage, W);
    assert!(changed > 10, "typing must change pixels, changed {changed}");
    let area = damage_area(&damage);
    let screen = u32::from(W) * u32::from(H);
    assert!(
        area * 50 < screen,
        "damage {area} px is too large: {damage:?}"
    );
}

#[test]
fn every_change_is_covered_by_damage() {
    let mut d = desktop();
    let mut before = d.pixels().to_vec();
    let mut check = |d: &mut Desktop, what: &str| {
        let damage = d.take_damage();
        let after = d.pixels().to_vec();
        let changed = assert_covered(&before, &after, &damage, W);
        assert!(changed > 0, "{what} changed nothing");
        before = after;
    };
    type_str(&mut d, "one\ntwo");
    check(&mut d, "typing");
    key(&mut d, UP);
    check(&mut d, "caret up");
    key(&mut d, ENTER);
    check(&mut d, "split line");
    key(&mut d, BACKSPACE);
    check(&mut d, "join line");
    d.apply(InputEvent::PointerRel { dx: 40, dy: -25 });
    check(&mut d, "pointer move");
    let (bx, by) = d.button_center();
    move_to(&mut d, bx, by);
    check(&mut d, "pointer to button");
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    check(&mut d, "button press");
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
    check(&mut d, "button release");
    d.set_status(&[
        "Alice is connected.",
        "She can see your screen.",
        "Press Ctrl+Alt+End to stop.",
    ]);
    check(&mut d, "status");
    d.set_clock_text("09:41");
    check(&mut d, "clock");
    d.set_layout(Layout::Norwegian);
    check(&mut d, "layout");
}

#[test]
fn incremental_painting_matches_a_full_repaint() {
    let mut d = desktop();
    for i in 0..60 {
        type_str(&mut d, "the quick brown fox ");
        if i % 7 == 0 {
            key(&mut d, ENTER);
        }
        if i % 11 == 0 {
            key(&mut d, UP);
            key(&mut d, BACKSPACE);
        }
        d.apply(InputEvent::PointerRel { dx: 13, dy: 7 });
        d.pixels();
    }
    d.apply(InputEvent::Wheel { dx: 0, dy: 2 });
    let incremental = d.pixels().to_vec();
    d.invalidate();
    assert_eq!(d.pixels(), &incremental[..]);
}

#[test]
fn long_text_scrolls_to_keep_the_caret_visible() {
    let mut d = desktop();
    for _ in 0..80 {
        type_str(&mut d, "line\n");
    }
    type_str(
        &mut d,
        "last line with a lot of words to go past the right edge of the editor window for sure ok",
    );
    let text = d.editor_text();
    assert_eq!(text.lines().count(), 81);
    d.pixels();
    d.take_damage();
    let before = d.pixels().to_vec();
    key(&mut d, usage_of('z'));
    let damage = d.take_damage();
    let after = d.pixels().to_vec();
    // The caret is at the bottom right of the view: typing there changes pixels.
    assert!(assert_covered(&before, &after, &damage, W) > 0);
    d.apply(InputEvent::Wheel { dx: 0, dy: 5 });
    assert_eq!(d.wheel_total(), (0, 5));
    let damage = d.take_damage();
    let scrolled = d.pixels().to_vec();
    assert!(assert_covered(&after, &scrolled, &damage, W) > 0);
}

#[test]
fn pointer_absolute_round_trip() {
    let mut d = desktop();
    for (x, y) in [(0u16, 0u16), (1, 1), (639, 400), (1279, 799), (17, 523)] {
        move_to(&mut d, x, y);
        let (ax, ay) = d.pointer_abs();
        d.apply(InputEvent::PointerAbs { x: 0, y: 0 });
        d.apply(InputEvent::PointerAbs { x: ax, y: ay });
        assert_eq!(d.pointer(), (x, y));
    }
    d.apply(InputEvent::PointerAbs {
        x: POINTER_MAX,
        y: POINTER_MAX,
    });
    assert_eq!(d.pointer(), (W - 1, H - 1));
    assert_eq!(d.pointer_abs(), (POINTER_MAX, POINTER_MAX));
    d.apply(InputEvent::PointerAbs {
        x: POINTER_MAX / 2,
        y: POINTER_MAX / 2,
    });
    assert_eq!(d.pointer(), (639, 399));
    // Every pixel of a small odd-sized screen round-trips.
    let mut small = Desktop::new(333, 211, Layout::Us);
    for x in 0..333 {
        small.apply(InputEvent::PointerRel { dx: -1000, dy: 0 });
        small.apply(InputEvent::PointerRel { dx: x, dy: 0 });
        let (ax, ay) = small.pointer_abs();
        small.apply(InputEvent::PointerAbs { x: ax, y: ay });
        assert_eq!(small.pointer().0, x as u16);
    }
}

#[test]
fn relative_moves_clamp_to_the_screen() {
    let mut d = desktop();
    d.apply(InputEvent::PointerRel {
        dx: -5000,
        dy: -5000,
    });
    assert_eq!(d.pointer(), (0, 0));
    d.apply(InputEvent::PointerRel { dx: 30, dy: 20 });
    assert_eq!(d.pointer(), (30, 20));
    d.apply(InputEvent::PointerRel {
        dx: i16::MAX,
        dy: i16::MAX,
    });
    assert_eq!(d.pointer(), (W - 1, H - 1));
}

#[test]
fn button_clicks_are_counted() {
    let mut d = desktop();
    let (bx, by) = d.button_center();
    click_at(&mut d, bx, by);
    click_at(&mut d, bx, by);
    assert_eq!(d.button_clicks(), 2);
    // Press on the button, release elsewhere: no click.
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    d.apply(InputEvent::PointerRel { dx: 0, dy: 200 });
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
    assert_eq!(d.button_clicks(), 2);
    // Press elsewhere, release on the button: no click.
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    move_to(&mut d, bx, by);
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
    assert_eq!(d.button_clicks(), 2);
    // The right button does not click.
    d.apply(InputEvent::Button {
        button: 1,
        down: true,
    });
    d.apply(InputEvent::Button {
        button: 1,
        down: false,
    });
    assert_eq!(d.button_clicks(), 2);
}

#[test]
fn pressed_button_looks_different() {
    let mut d = desktop();
    let (bx, by) = d.button_center();
    move_to(&mut d, bx, by - 12);
    let up = d.pixels().to_vec();
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    let down = d.pixels().to_vec();
    assert_ne!(up, down);
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
    let after = d.pixels().to_vec();
    assert_ne!(after, up, "the counter text shows the click");
}

#[test]
fn held_keys_and_buttons_are_tracked() {
    let mut d = desktop();
    d.apply(InputEvent::Key {
        usage: SHIFT,
        down: true,
    });
    d.apply(InputEvent::Key {
        usage: 0x04,
        down: true,
    });
    d.apply(InputEvent::Key {
        usage: 0x04,
        down: true,
    }); // again: ignored
    assert_eq!(d.held_keys(), vec![0x04, SHIFT]);
    assert_eq!(d.editor_text(), "A");
    d.apply(InputEvent::Key {
        usage: 0x05,
        down: false,
    }); // not held: ignored
    d.apply(InputEvent::Key {
        usage: 0x04,
        down: false,
    });
    assert_eq!(d.held_keys(), vec![SHIFT]);
    d.apply(InputEvent::Key {
        usage: SHIFT,
        down: false,
    });
    assert!(d.held_keys().is_empty());

    d.apply(InputEvent::Button {
        button: 2,
        down: true,
    });
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    assert_eq!(d.held_buttons(), vec![0, 2]);
    d.apply(InputEvent::Button {
        button: 1,
        down: false,
    });
    d.apply(InputEvent::Button {
        button: 0,
        down: false,
    });
    assert_eq!(d.held_buttons(), vec![2]);
}

#[test]
fn clicking_in_the_editor_moves_the_caret() {
    let mut d = desktop();
    type_str(&mut d, "hello world\nsecond");
    // Find the text by clicking at the start of the editor's first line: the
    // text area begins a little inside the editor window.
    click_at(&mut d, 36, 90);
    assert_eq!(d.editor_caret(), (0, 0));
    type_str(&mut d, "x");
    assert_eq!(d.editor_text(), "xhello world\nsecond");
}

#[test]
fn snapshot_decodes_to_the_screen() {
    let mut d = desktop();
    d.set_clock_text("Tue 14:05");
    d.set_status(&[
        "Alice is helping you.",
        "She can see your screen and",
        "use your mouse and keyboard.",
        "To stop her: press Escape 3 times.",
    ]);
    type_str(
        &mut d,
        "Dear Alice\n\nThe printer says it is offline again\nCan you have a look\n\nThanks Bob",
    );
    d.set_layout(Layout::German);
    chord(&mut d, ALTGR, usage_of('q'));
    key(&mut d, 0x35);
    key(&mut d, usage_of('e'));
    let (bx, by) = d.button_center();
    click_at(&mut d, bx, by);
    d.apply(InputEvent::Button {
        button: 0,
        down: true,
    });
    let png = d.snapshot_png();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (u32::from(W), u32::from(H)));
    assert_eq!(info.color_type, png::ColorType::Rgba);
    assert_eq!(&buf[..info.buffer_size()], d.pixels());

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("desktop-snapshot.png"), &png).unwrap();
}

#[test]
fn same_inputs_give_same_pixels() {
    let run = || {
        let mut d = Desktop::new(800, 600, Layout::German);
        type_str(&mut d, "Deterministic\n");
        chord(&mut d, ALTGR, usage_of('q'));
        d.apply(InputEvent::PointerRel { dx: 50, dy: -30 });
        d.apply(InputEvent::Button {
            button: 0,
            down: true,
        });
        d.apply(InputEvent::Wheel { dx: 1, dy: -1 });
        d.set_status(&["Bob is connected."]);
        (d.pixels().to_vec(), d.take_damage())
    };
    let (a, da) = run();
    let (b, db) = run();
    assert!(a == b, "pixels differ");
    assert_eq!(da, db);
}

#[test]
fn alpha_is_opaque_and_sizes_are_right() {
    let mut d = Desktop::new(320, 200, Layout::Us);
    assert_eq!((d.width(), d.height()), (320, 200));
    let px = d.pixels();
    assert_eq!(px.len(), 320 * 200 * 4);
    assert!(px.chunks_exact(4).all(|p| p[3] == 255));
    let first = d.take_damage();
    assert_eq!(
        first,
        vec![DamageRect {
            x: 0,
            y: 0,
            w: 320,
            h: 200
        }]
    );
    assert!(d.take_damage().is_empty());
}

#[test]
fn tiny_screens_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (40, 30), (200, 90)] {
        let mut d = Desktop::new(w, h, Layout::Us);
        type_str(&mut d, "hi\nthere");
        d.apply(InputEvent::PointerAbs {
            x: POINTER_MAX,
            y: POINTER_MAX,
        });
        d.apply(InputEvent::Button {
            button: 0,
            down: true,
        });
        d.apply(InputEvent::Wheel { dx: 0, dy: -3 });
        key(&mut d, UP);
        key(&mut d, BACKSPACE);
        let _ = d.pixels();
        assert!(!d.snapshot_png().is_empty());
    }
}
