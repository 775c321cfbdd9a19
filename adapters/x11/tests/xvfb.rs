//! The adapter against a real X server: each test starts its own Xvfb.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use beckon_core::message::InputEvent;
use beckon_video::Rect;
use beckon_x11::keymap::usage_to_keycode;
use beckon_x11::X11Display;
use support::client::{Client, TextWindow, EVENT_TIMEOUT};
use support::xvfb::Xvfb;
use x11rb::protocol::xproto::{ConnectionExt as _, EventMask, KeyButMask, Rectangle};
use x11rb::protocol::Event;

const SHIFT: u8 = 0xE1;

fn rect(x: i16, y: i16, width: u16, height: u16) -> Rectangle {
    Rectangle {
        x,
        y,
        width,
        height,
    }
}

fn open(x: &Xvfb) -> X11Display {
    X11Display::open(Some(x.display())).expect("open the Xvfb display")
}

fn key(d: &mut X11Display, usage: u8, down: bool) {
    d.inject(InputEvent::Key { usage, down }).unwrap();
}

/// Type one key, with Shift around it when `shift`.
fn tap(d: &mut X11Display, usage: u8, shift: bool) {
    if shift {
        key(d, SHIFT, true);
    }
    key(d, usage, true);
    key(d, usage, false);
    if shift {
        key(d, SHIFT, false);
    }
}

#[test]
fn capture_equals_the_servers_own_image_pixel_for_pixel() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let win = client.window(rect(100, 50, 300, 200), 0x123456, EventMask::NO_EVENT);
    client.fill(win, 0xFF0000, &[rect(10, 10, 50, 40)]);
    client.fill(win, 0x00FF00, &[rect(70, 10, 50, 40)]);
    client.fill(win, 0x0000FF, &[rect(130, 10, 50, 40)]);
    client.fill(client.root, 0xABCDEF, &[rect(600, 500, 30, 20)]);

    let mut d = open(&x);
    let caps = d.capabilities();
    assert!(
        caps.shm && caps.damage && caps.xfixes && caps.xtest && caps.xinput2,
        "{caps}"
    );
    assert_eq!(caps.versions.len(), 5, "{caps}");
    assert_eq!((d.width(), d.height()), (1024, 768));

    let expected = client.root_rgba();
    let got = d.capture().unwrap().to_vec();
    assert_eq!(got.len(), 1024 * 768 * 4);
    let px = |x: usize, y: usize| &got[(y * 1024 + x) * 4..][..4];
    assert_eq!(px(100 + 10, 50 + 10), [0xFF, 0, 0, 0xFF]);
    assert_eq!(px(100 + 70, 50 + 10), [0, 0xFF, 0, 0xFF]);
    assert_eq!(px(100 + 179, 50 + 49), [0, 0, 0xFF, 0xFF]);
    assert_eq!(px(100 + 299, 50 + 199), [0x12, 0x34, 0x56, 0xFF]);
    assert_eq!(px(600, 500), [0xAB, 0xCD, 0xEF, 0xFF]);
    let first_difference = got.iter().zip(&expected).position(|(a, b)| a != b);
    assert_eq!(first_difference, None, "capture differs from GetImage");

    // The FrameSource view is the same picture.
    let via_trait = beckon_video::stream::FrameSource::pixels(&mut d).to_vec();
    assert!(via_trait == expected);
}

#[test]
fn without_mit_shm_capture_falls_back_to_get_image() {
    let x = Xvfb::start_with(&["-extension", "MIT-SHM"]);
    let client = Client::connect(x.display());
    client.fill(client.root, 0x336699, &[rect(10, 20, 300, 100)]);
    let mut d = open(&x);
    let caps = d.capabilities();
    assert!(!caps.shm && caps.damage && caps.xtest, "{caps}");
    let got = d.capture().unwrap().to_vec();
    assert!(got == client.root_rgba(), "capture differs from GetImage");
    assert_eq!(&got[(20 * 1024 + 10) * 4..][..4], [0x33, 0x66, 0x99, 0xFF]);
}

#[test]
fn damage_covers_what_was_drawn_and_not_everything() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut d = open(&x);
    // Right after opening, the whole screen is new to the caller.
    assert_eq!(d.take_damage().unwrap(), [Rect::new(0, 0, 1024, 768)]);
    assert_eq!(d.take_damage().unwrap(), Vec::<Rect>::new());

    client.fill(client.root, 0xFF00FF, &[rect(200, 300, 50, 40)]);
    let mut damage = Vec::new();
    let end = Instant::now() + EVENT_TIMEOUT;
    while damage.is_empty() && Instant::now() < end {
        damage = d.take_damage().unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    let covers = |x: u16, y: u16| {
        damage
            .iter()
            .any(|r| (r.x..r.x + r.w).contains(&x) && (r.y..r.y + r.h).contains(&y))
    };
    assert!(
        covers(200, 300) && covers(249, 339) && covers(225, 320),
        "{damage:?}"
    );
    let area: u32 = damage.iter().map(Rect::area).sum();
    assert!(area < 1024 * 768 / 4, "{damage:?} covers too much");
    assert!(!covers(0, 0) && !covers(1023, 767), "{damage:?}");
    assert_eq!(d.take_damage().unwrap(), Vec::<Rect>::new());
}

/// Wait until the server reports damage, and return it.
fn wait_for_damage(d: &mut X11Display) -> Vec<Rect> {
    let end = Instant::now() + EVENT_TIMEOUT;
    loop {
        let damage = d.take_damage().unwrap();
        if !damage.is_empty() || Instant::now() >= end {
            return damage;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// After the first picture, only what damage reported is grabbed again, and
/// the picture is still exactly the server's.
#[test]
fn capture_grabs_only_the_damage_and_stays_exact() {
    use beckon_video::stream::FrameSource;
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut d = open(&x);
    wait_for_damage(&mut d);
    assert!(d.pixels() == client.root_rgba());

    // A few parts, then many (grabbed as their bounding box).
    client.fill(
        client.root,
        0x10E020,
        &[rect(5, 5, 20, 10), rect(900, 700, 30, 30)],
    );
    assert!(!wait_for_damage(&mut d).is_empty());
    assert!(d.pixels() == client.root_rgba(), "after two parts");
    let many: Vec<_> = (0..40)
        .map(|i| rect(300 + i * 7, 100 + i * 5, 5, 3))
        .collect();
    client.fill(client.root, 0x2040F0, &many);
    assert!(!wait_for_damage(&mut d).is_empty());
    assert!(d.pixels() == client.root_rgba(), "after many parts");

    // A one-pixel change, once its damage is taken.
    client.fill(client.root, 0xFFFF00, &[rect(500, 500, 1, 1)]);
    assert!(!wait_for_damage(&mut d).is_empty());
    let at = (500 * 1024 + 500) * 4;
    assert_eq!(&d.pixels()[at..at + 4], [0xFF, 0xFF, 0, 0xFF]);
    assert!(d.pixels() == client.root_rgba());
}

/// The first non-empty moves the display reports, reading its events, or
/// none after [`EVENT_TIMEOUT`].
fn wait_for_moves(d: &mut X11Display) -> Vec<(i32, i32)> {
    let end = Instant::now() + EVENT_TIMEOUT;
    let mut moves = Vec::new();
    while moves.is_empty() && Instant::now() < end {
        let _ = d.take_damage().unwrap();
        moves = d.take_moves();
        std::thread::sleep(Duration::from_millis(10));
    }
    moves
}

/// A top-level window moved by another client is reported as a copy vector
/// from where it is now to where it was; a resize is not a move.
#[test]
fn a_moved_window_is_reported_as_a_vector() {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::ConfigureWindowAux;
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut d = open(&x);
    let win = client.window(rect(100, 80, 200, 150), 0x445566, EventMask::NO_EVENT);
    let configure = |aux: &ConfigureWindowAux| {
        client.conn.configure_window(win, aux).unwrap();
        client.conn.flush().unwrap();
        client.sync();
    };
    // Known once the server told us where it is. The damage can come in
    // before the tracker has read that ConfigureNotify, and a window it
    // does not know yet at a take gives no vector for the next move: drain
    // both for a while first.
    configure(&ConfigureWindowAux::new().x(110).y(85));
    wait_for_damage(&mut d);
    let settled = Instant::now() + Duration::from_millis(300);
    while Instant::now() < settled {
        let _ = d.take_damage().unwrap();
        let _ = d.take_moves();
        std::thread::sleep(Duration::from_millis(10));
    }
    configure(&ConfigureWindowAux::new().x(150).y(120));
    let moves = wait_for_moves(&mut d);
    assert_eq!(moves, [(110 - 150, 85 - 120)]);
    configure(&ConfigureWindowAux::new().width(250));
    std::thread::sleep(Duration::from_millis(50));
    let _ = d.take_damage().unwrap();
    assert_eq!(d.take_moves(), Vec::<(i32, i32)>::new(), "a resize");
}

/// A window that was on the screen before the display was opened is known
/// from the start: its first move is already a vector.
#[test]
fn a_window_there_before_start_gives_a_vector_on_its_first_move() {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::ConfigureWindowAux;
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let win = client.window(rect(40, 30, 120, 90), 0x664422, EventMask::NO_EVENT);
    let mut d = open(&x);
    let _ = d.take_damage().unwrap();
    assert_eq!(
        d.take_moves(),
        Vec::<(i32, i32)>::new(),
        "nothing moved yet"
    );
    client
        .conn
        .configure_window(win, &ConfigureWindowAux::new().x(70).y(20))
        .unwrap();
    client.conn.flush().unwrap();
    client.sync();
    let moves = wait_for_moves(&mut d);
    assert_eq!(moves, [(40 - 70, 30 - 20)]);
}

/// "Hello, World!" as HID usages on a US keyboard, with Shift or not.
const HELLO: &[(u8, bool)] = &[
    (0x0B, true),
    (0x08, false),
    (0x0F, false),
    (0x0F, false),
    (0x12, false),
    (0x36, false),
    (0x2C, false),
    (0x1A, true),
    (0x12, false),
    (0x15, false),
    (0x0F, false),
    (0x07, false),
    (0x1E, true),
];

#[test]
fn injected_keys_type_hello_world_in_a_real_client() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut text = TextWindow::new(&client);
    let mut d = open(&x);
    for &(usage, shift) in HELLO {
        tap(&mut d, usage, shift);
    }
    assert_eq!(text.read(&client, 13), "Hello, World!");
}

#[test]
fn usages_are_physical_positions_through_the_servers_layout() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    german_layout(&x, &client);
    let mut text = TextWindow::new(&client);
    let mut d = open(&x);
    // US Y, US Z, Shift + US Y, US '-' (ß on German), US ';' (ö on German).
    tap(&mut d, 0x1C, false);
    tap(&mut d, 0x1D, false);
    tap(&mut d, 0x1C, true);
    tap(&mut d, 0x2D, false);
    tap(&mut d, 0x33, false);
    assert_eq!(text.read(&client, 5), "zyZßö");
}

/// Switch the server to the German layout with `setxkbmap de`. Some Xvfb
/// builds (Debian 12's 21.1.7) accept the request but keep their keymap; then
/// the German assignments of the keys under test go in through the core
/// `ChangeKeyboardMapping`, which XKB folds into its keymap just the same.
fn german_layout(x: &Xvfb, client: &Client) {
    x.run("setxkbmap", &["de"], "x11-xkb-utils");
    let y_key = usage_to_keycode(0x1C).unwrap();
    if client.keysyms(y_key).first() == Some(&u32::from(b'z')) {
        return;
    }
    eprintln!("note: setxkbmap left this Xvfb's keymap alone; using ChangeKeyboardMapping");
    // z Z, y Y, ß ?, ö Ö.
    for (usage, syms) in [
        (0x1C, [0x7A, 0x5A]),
        (0x1D, [0x79, 0x59]),
        (0x2D, [0xDF, 0x3F]),
        (0x33, [0xF6, 0xD6]),
    ] {
        let keycode = usage_to_keycode(usage).unwrap();
        client
            .conn
            .change_keyboard_mapping(1, keycode, 2, &syms)
            .unwrap();
    }
    client.sync();
    assert_eq!(client.keysyms(y_key).first(), Some(&u32::from(b'z')));
}

#[test]
fn keymap_table_matches_the_servers_xkb_key_names() {
    let x = Xvfb::start();
    let dump = x.run("xkbcomp", &["-xkb", x.display(), "-"], "x11-xkb-utils");
    let dump = String::from_utf8_lossy(&dump);
    // `<NAME> = code;` and `alias <ALIAS> = <NAME>;` from the keycodes section.
    let mut codes: HashMap<String, u8> = HashMap::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    for line in dump.lines().map(str::trim) {
        let line = line.trim_end_matches(';');
        if let Some(rest) = line.strip_prefix("alias ") {
            if let Some((a, b)) = rest.split_once(" = ") {
                aliases.push((a.to_string(), b.to_string()));
            }
        } else if let Some((name, code)) = line.split_once(" = ") {
            if let (true, Ok(code)) = (name.starts_with('<'), code.parse()) {
                codes.insert(name.to_string(), code);
            }
        }
    }
    for (alias, name) in aliases {
        if let Some(&code) = codes.get(&name) {
            codes.entry(alias).or_insert(code);
        }
    }
    let mut expected: Vec<(u8, String)> = Vec::new();
    // Rows of the main block, by XKB position name.
    let rows: [(&str, &[u8]); 4] = [
        (
            "AE",
            &[
                0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2D, 0x2E,
            ],
        ),
        (
            "AD",
            &[
                0x14, 0x1A, 0x08, 0x15, 0x17, 0x1C, 0x18, 0x0C, 0x12, 0x13, 0x2F, 0x30,
            ],
        ),
        (
            "AC",
            &[
                0x04, 0x16, 0x07, 0x09, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x33, 0x34,
            ],
        ),
        (
            "AB",
            &[0x1D, 0x1B, 0x06, 0x19, 0x05, 0x11, 0x10, 0x36, 0x37, 0x38],
        ),
    ];
    for (row, usages) in rows {
        for (i, &u) in usages.iter().enumerate() {
            expected.push((u, format!("<{row}{:02}>", i + 1)));
        }
    }
    for i in 0..12u8 {
        expected.push((0x3A + i, format!("<FK{:02}>", i + 1)));
        expected.push((0x68 + i, format!("<FK{:02}>", i + 13)));
    }
    let named: &[(u8, &str)] = &[
        (0x28, "RTRN"),
        (0x29, "ESC"),
        (0x2A, "BKSP"),
        (0x2B, "TAB"),
        (0x2C, "SPCE"),
        (0x31, "BKSL"),
        (0x32, "AC12"),
        (0x35, "TLDE"),
        (0x39, "CAPS"),
        (0x46, "PRSC"),
        (0x47, "SCLK"),
        (0x48, "PAUS"),
        (0x49, "INS"),
        (0x4A, "HOME"),
        (0x4B, "PGUP"),
        (0x4C, "DELE"),
        (0x4D, "END"),
        (0x4E, "PGDN"),
        (0x4F, "RGHT"),
        (0x50, "LEFT"),
        (0x51, "DOWN"),
        (0x52, "UP"),
        (0x53, "NMLK"),
        (0x54, "KPDV"),
        (0x55, "KPMU"),
        (0x56, "KPSU"),
        (0x57, "KPAD"),
        (0x58, "KPEN"),
        (0x59, "KP1"),
        (0x5A, "KP2"),
        (0x5B, "KP3"),
        (0x5C, "KP4"),
        (0x5D, "KP5"),
        (0x5E, "KP6"),
        (0x5F, "KP7"),
        (0x60, "KP8"),
        (0x61, "KP9"),
        (0x62, "KP0"),
        (0x63, "KPDL"),
        (0x64, "LSGT"),
        (0x65, "COMP"),
        (0x67, "KPEQ"),
        (0xE0, "LCTL"),
        (0xE1, "LFSH"),
        (0xE2, "LALT"),
        (0xE3, "LWIN"),
        (0xE4, "RCTL"),
        (0xE5, "RTSH"),
        (0xE6, "RALT"),
        (0xE7, "RWIN"),
        (0x7F, "MUTE"),
        (0x80, "VOL+"),
        (0x81, "VOL-"),
        (0x66, "POWR"),
    ];
    for &(u, name) in named {
        expected.push((u, format!("<{name}>")));
    }
    let mut wrong = Vec::new();
    for (usage, name) in &expected {
        let server = codes.get(name).copied();
        if server.is_none() || server != usage_to_keycode(*usage) {
            wrong.push(format!(
                "usage {usage:#04x} {name}: server {server:?}, table {:?}",
                usage_to_keycode(*usage)
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn absolute_pointer_spans_the_screen_and_relative_moves() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut d = open(&x);
    let server = || {
        let r = client
            .conn
            .query_pointer(client.root)
            .unwrap()
            .reply()
            .unwrap();
        (r.root_x, r.root_y)
    };
    for (abs, px) in [
        ((0, 0), (0, 0)),
        ((32767, 32767), (1023, 767)),
        ((32767, 0), (1023, 0)),
        ((0, 32767), (0, 767)),
        ((16384, 16384), (512, 384)),
    ] {
        d.inject(InputEvent::PointerAbs { x: abs.0, y: abs.1 })
            .unwrap();
        assert_eq!(d.pointer().unwrap(), px, "{abs:?}");
        assert_eq!(server(), (px.0 as i16, px.1 as i16));
    }
    d.inject(InputEvent::PointerRel { dx: 10, dy: -5 }).unwrap();
    assert_eq!(d.pointer().unwrap(), (522, 379));
    let (ax, ay) = beckon_video::stream::FrameSource::pointer_abs(&d);
    assert_eq!((ax, ay), (16720, 16191));
}

#[test]
fn buttons_and_wheel_reach_a_window() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let win = client.window(
        rect(0, 0, 1024, 768),
        0,
        EventMask::BUTTON_PRESS | EventMask::BUTTON_RELEASE,
    );
    let mut d = open(&x);
    d.inject(InputEvent::PointerAbs { x: 16384, y: 16384 })
        .unwrap();
    for button in [0, 1, 2, 3, 4] {
        d.inject(InputEvent::Button { button, down: true }).unwrap();
        d.inject(InputEvent::Button {
            button,
            down: false,
        })
        .unwrap();
    }
    d.inject(InputEvent::Wheel { dx: 0, dy: 1 }).unwrap();
    d.inject(InputEvent::Wheel { dx: 0, dy: -2 }).unwrap();
    d.inject(InputEvent::Wheel { dx: 1, dy: 0 }).unwrap();
    d.inject(InputEvent::Wheel { dx: -1, dy: 0 }).unwrap();
    let want = [1, 3, 2, 8, 9, 4, 5, 5, 7, 6];
    let mut presses = Vec::new();
    let mut releases = 0;
    while presses.len() < want.len() || releases < want.len() {
        match client.next_event(EVENT_TIMEOUT) {
            Some(Event::ButtonPress(e)) => {
                assert_eq!(e.event, win);
                presses.push(e.detail);
            }
            Some(Event::ButtonRelease(_)) => releases += 1,
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(presses, want);
    assert_eq!(releases, want.len());
}

#[test]
fn release_all_lets_go_of_held_keys_and_buttons() {
    let x = Xvfb::start();
    let client = Client::connect(x.display());
    let mut d = open(&x);
    let shift = usize::from(usage_to_keycode(SHIFT).unwrap());
    let shift_down = || {
        let keys = client.conn.query_keymap().unwrap().reply().unwrap().keys;
        keys[shift / 8] & (1 << (shift % 8)) != 0
    };
    let mask = || {
        let r = client
            .conn
            .query_pointer(client.root)
            .unwrap()
            .reply()
            .unwrap();
        r.mask
    };
    key(&mut d, SHIFT, true);
    d.inject(InputEvent::Button {
        button: 0,
        down: true,
    })
    .unwrap();
    d.pointer().unwrap(); // a round trip: the server has handled our input
    assert!(shift_down());
    assert!(mask().contains(KeyButMask::SHIFT | KeyButMask::BUTTON1));
    d.release_all().unwrap();
    d.pointer().unwrap(); // a round trip: the server has handled our input
    assert!(!shift_down());
    assert!(!mask().contains(KeyButMask::SHIFT));
    assert!(!mask().contains(KeyButMask::BUTTON1));
    // Nothing held any more: a second call does nothing.
    d.release_all().unwrap();
}

#[test]
fn local_input_reports_other_clients_but_not_our_own_injections() {
    let x = Xvfb::start();
    let mut d = open(&x);
    assert_eq!(d.local_input().unwrap(), []);

    tap(&mut d, 0x04, true);
    d.inject(InputEvent::PointerAbs { x: 100, y: 200 }).unwrap();
    d.inject(InputEvent::PointerRel { dx: 3, dy: 3 }).unwrap();
    d.inject(InputEvent::Button {
        button: 1,
        down: true,
    })
    .unwrap();
    d.inject(InputEvent::Wheel { dx: 0, dy: -1 }).unwrap();
    d.release_all().unwrap();
    assert_eq!(d.local_input().unwrap(), []);

    x.run("xdotool", &["key", "Escape"], "xdotool");
    let mut seen = Vec::new();
    let end = Instant::now() + EVENT_TIMEOUT;
    while seen.len() < 2 && Instant::now() < end {
        seen.extend(d.local_input().unwrap());
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        seen,
        [
            InputEvent::Key {
                usage: 0x29,
                down: true
            },
            InputEvent::Key {
                usage: 0x29,
                down: false
            },
        ]
    );

    // Our own Esc right after is still ours.
    tap(&mut d, 0x29, false);
    assert_eq!(d.local_input().unwrap(), []);

    // Another client's pointer motion and click are local too.
    x.run(
        "xdotool",
        &["mousemove_relative", "5", "5", "click", "1"],
        "xdotool",
    );
    let mut seen = Vec::new();
    let end = Instant::now() + EVENT_TIMEOUT;
    while seen.len() < 3 && Instant::now() < end {
        seen.extend(d.local_input().unwrap());
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(seen.contains(&InputEvent::Button {
        button: 0,
        down: true
    }));
    assert!(
        seen.iter()
            .any(|e| matches!(e, InputEvent::PointerAbs { .. })),
        "{seen:?}"
    );
}
