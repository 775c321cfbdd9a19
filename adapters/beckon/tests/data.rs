//! The data directory, settings, policy and doctor, through the binary.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

#[test]
fn inv_04_book_is_private_and_survives_a_crash() {
    let w = World::new();
    w.invite(&[], Some("pw"), free_port());
    let book = w.home().join("book.json");
    let mode = std::fs::metadata(&book).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "book mode {mode:o}");
    // A crash between writing the temporary file and renaming it leaves the
    // temporary behind: it is ignored and the book is intact.
    std::fs::write(
        w.home().join(".book.json.tmp.4242.1"),
        b"{\"format\":1,\"bo",
    )
    .unwrap();
    let list = w.run(&["invitations"], "");
    assert_success(&list, "invitations");
    assert!(stdout(&list).contains("open"), "{}", stdout(&list));
    w.invite(&[], None, free_port());
    assert_eq!(stdout(&w.run(&["invitations"], "")).lines().count(), 3);
    // A damaged book is refused, not silently replaced.
    std::fs::write(&book, b"{\"format\":1,\"book\":").unwrap();
    let out = w.run(&["invitations"], "");
    assert_code(&out, 1, "damaged book");
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_code(
        &w.run(&["invite", "--address", "127.0.0.1:1"], ""),
        1,
        "invite on damaged book",
    );
    assert_eq!(std::fs::read(&book).unwrap(), b"{\"format\":1,\"book\":");
}

#[test]
fn ses_03_control_is_off_by_default_and_settings_need_the_owner() {
    let w = World::new();
    let out = w.run(&["settings"], "");
    assert_success(&out, "settings");
    assert!(
        stdout(&out).starts_with("remote control   off"),
        "{}",
        stdout(&out)
    );
    let out = w.run(&["settings", "--allow-control", "on"], "");
    assert!(
        stdout(&out).starts_with("remote control   on"),
        "{}",
        stdout(&out)
    );
    let file = w.home().join("settings.json");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    if rustix_is_root() {
        std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
        let out = w.run(&["settings", "--allow-control", "off"], "");
        assert_code(&out, 13, "settings of another user");
        assert!(
            stderr(&out).contains("belongs to another user"),
            "{}",
            stderr(&out)
        );
        // Not trusted either: the safe default applies.
        let out = w.run(&["settings"], "");
        assert!(
            stdout(&out).starts_with("remote control   off"),
            "{}",
            stdout(&out)
        );
    }
}

fn rustix_is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

#[test]
fn off_07_policy_check_names_helpers_with_their_levels() {
    let w = World::new();
    let key = |name: &str| {
        let p = w.path(name);
        let out = w.run(&["keygen", "--out", p.to_str().unwrap()], "");
        assert_success(&out, "keygen");
        stdout(&out).trim().to_string()
    };
    let (henk, anna) = (key("henk.key"), key("anna.key"));
    let policy = w.path("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "default_level = \"view\"\n\
             [[helpers]]\nname = \"Henk\"\nkey = \"{henk}\"\nlevel = \"control\"\n\
             [[helpers]]\nname = \"Anna\"\nkey = \"{anna}\"\n"
        ),
    )
    .unwrap();
    let out = w.run(&["policy", "check", policy.to_str().unwrap()], "");
    assert_success(&out, "policy check");
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!("\"{name}\"")))
            .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
            .to_string()
    };
    assert!(line("Henk").contains("view and control"), "{text}");
    assert!(line("Anna").contains("view only (default)"), "{text}");
    // A duplicate and a key that can never work are reported, with a failure code.
    std::fs::write(
        &policy,
        format!(
            "[[helpers]]\nname = \"Henk\"\nkey = \"{henk}\"\n\
             [[helpers]]\nname = \"Again\"\nkey = \"{henk}\"\n\
             [[helpers]]\nname = \"Zero\"\nkey = \"{}\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let out = w.run(&["policy", "check", policy.to_str().unwrap()], "");
    assert_code(&out, 1, "policy with problems");
    assert!(
        stdout(&out).contains("problem with #1 \"Again\""),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("problem with #2 \"Zero\""),
        "{}",
        stdout(&out)
    );
    std::fs::write(&policy, "helpers = 3").unwrap();
    assert_code(
        &w.run(&["policy", "check", policy.to_str().unwrap()], ""),
        1,
        "bad policy",
    );
}

#[test]
fn net_04_doctor_passes_in_a_fresh_home_and_says_how_to_fix_a_busy_port() {
    let w = World::new();
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let out = w.run(&["doctor", "--listen", &listen], "");
    assert_success(&out, "doctor");
    assert!(!stdout(&out).contains("FAIL"), "{}", stdout(&out));
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = busy.local_addr().unwrap().to_string();
    let out = w.run(&["doctor", "--listen", &taken], "");
    assert_code(&out, 1, "doctor with a busy port");
    assert!(stdout(&out).contains("fix:"), "{}", stdout(&out));
    // A display nobody runs: the failure says how to fix it.
    let out = w.run(&["doctor", "--listen", &listen, "--display", ":97"], "");
    assert_code(&out, 1, "doctor with no X server");
    assert!(
        stdout(&out).contains("cannot open X11 display :97") && stdout(&out).contains("fix:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn demo_headless_runs_the_whole_story_and_writes_the_picture() {
    let w = World::new();
    let png = w.path("demo.png");
    let out = w.run(
        &["demo", "--headless", "--snapshot", png.to_str().unwrap()],
        "",
    );
    assert_success(&out, "demo");
    assert!(is_png(&png));
    let story = stdout(&out);
    for needle in [
        "invitation checked",
        "control ended by the person (Esc key)",
        "chat from the helper",
        "delivered intact",
    ] {
        assert!(story.contains(needle), "{needle:?} missing:\n{story}");
    }
}
