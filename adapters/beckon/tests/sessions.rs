//! End to end over real processes and real TCP: `invite` → `share` →
//! `connect`, and every way a helper can be turned away.

mod common;

use std::time::Duration;

use common::*;

const HELLO_SCRIPT: &str = "request-control\nwait-control\ntype hello\nwait 300\n";

#[test]
fn ses_02_invite_share_connect_types_hello_and_writes_the_picture() {
    let w = World::new();
    let port = free_port();
    w.allow_control();
    let text = w.invite(&[], Some("blue tulip"), port);
    let mut share = w.share(port);
    let png = w.path("seen.png");
    let script = w.script(HELLO_SCRIPT);
    let out = w.run(
        &[
            "connect",
            &text,
            "--password-stdin",
            "--name",
            "Henk",
            "--script",
            script.to_str().unwrap(),
            "--snapshot",
            png.to_str().unwrap(),
        ],
        "blue tulip\n",
    );
    assert_success(&out, "connect");
    assert!(is_png(&png), "no picture at {}", png.display());
    share.wait_line(
        "Henk shares your keyboard and mouse",
        Duration::from_secs(10),
    );
    assert!(
        stdout(&out).contains("control is shared"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn inv_05_wrong_password_has_its_own_exit_code() {
    let w = World::new();
    let port = free_port();
    let text = w.invite(&[], Some("blue tulip"), port);
    let _share = w.share(port);
    let script = w.script("wait-screen\n");
    let out = w.run(
        &[
            "connect",
            &text,
            "--password-stdin",
            "--script",
            script.to_str().unwrap(),
        ],
        "red rose\n",
    );
    assert_code(&out, 4, "wrong password");
    assert!(stderr(&out).contains("wrong password"), "{}", stderr(&out));
}

#[test]
fn inv_04_revoked_invitation_has_its_own_exit_code() {
    let w = World::new();
    let port = free_port();
    let text = w.invite(&[], None, port);
    let list = w.run(&["invitations"], "");
    let id = stdout(&list)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("an id in the list")
        .to_string();
    assert_success(&w.run(&["revoke", &id[..8]], ""), "revoke");
    let _share = w.share(port);
    let script = w.script("wait-screen\n");
    let out = w.run(
        &["connect", &text, "--script", script.to_str().unwrap()],
        "",
    );
    assert_code(&out, 6, "revoked");
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
}

#[test]
fn inv_11_tampered_text_is_refused_without_connecting() {
    let w = World::new();
    // Nobody listens on this port: had it connected, the code would be 10.
    let port = free_port();
    let text = w.invite(&[], None, port);
    let mut chars: Vec<char> = text.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'a' { 'b' } else { 'a' };
    let tampered: String = chars.into_iter().collect();
    let out = w.run(&["connect", &tampered], "");
    assert_code(&out, 3, "tampered");
    assert!(
        stderr(&out).contains("typo or was altered"),
        "{}",
        stderr(&out)
    );
    let cut = &text[..text.len() / 2];
    assert_code(&w.run(&["connect", cut], ""), 3, "truncated");
    assert_code(
        &w.run(&["connect", "no-such-file.beckon"], ""),
        3,
        "not an invitation",
    );
}

#[test]
fn net_03_share_keeps_serving_after_a_garbage_connection() {
    let w = World::new();
    let port = free_port();
    let text = w.invite(&[], None, port);
    let mut share = w.share(port);
    let junk: Vec<u8> = (0..997u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    send_garbage(port, &junk);
    send_garbage(port, b"BKN1Ithis is not a handshake at all");
    share.wait_line("agent#2   session ended", Duration::from_secs(10));
    assert!(share.alive(), "share died after garbage");
    let script = w.script("wait-screen\nchat still here\n");
    let out = w.run(
        &["connect", &text, "--script", script.to_str().unwrap()],
        "",
    );
    assert_success(&out, "connect after garbage");
    share.wait_line("chat from the helper: still here", Duration::from_secs(10));
}

#[test]
fn ses_03_control_is_refused_while_the_machine_leaves_it_off() {
    let w = World::new();
    let port = free_port();
    let text = w.invite(&[], None, port);
    let _share = w.share(port);
    let script = w.script("request-control\nwait-control\ntype never\n");
    let out = w.run(
        &["connect", &text, "--script", script.to_str().unwrap()],
        "",
    );
    assert_code(&out, 9, "control refused");
    assert!(
        stderr(&out).contains("remote control is disabled on this machine"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn inv_03_expired_invitation_has_its_own_exit_code_and_status() {
    let w = World::new();
    let port = free_port();
    let text = w.invite(&["--expires", "1s"], None, port);
    let open = w.invite(&[], None, port);
    let used = w.invite(&[], None, port);
    let revoked = w.invite(&[], None, port);
    let _ = (open, revoked);
    let mut share = w.share(port);
    let script = w.script("wait-screen\n");
    assert_success(
        &w.run(
            &["connect", &used, "--script", script.to_str().unwrap()],
            "",
        ),
        "connect",
    );
    share.wait_line("the other side disconnected", Duration::from_secs(10));
    // Revoke the newest one by its id (the last line of the list).
    let list = stdout(&w.run(&["invitations"], ""));
    let last_id = list
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_success(&w.run(&["revoke", &last_id], ""), "revoke");
    std::thread::sleep(Duration::from_millis(1100));
    let out = w.run(&["connect", &text], "");
    assert_code(&out, 5, "expired");
    let list = stdout(&w.run(&["invitations"], ""));
    let statuses: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(statuses, ["expired", "open", "used", "revoked"], "{list}");
}

#[test]
fn off_01_offered_help_follows_settings_and_policy() {
    let w = World::new();
    let port = free_port();
    let key = w.path("henk.key");
    let out = w.run(&["keygen", "--out", key.to_str().unwrap()], "");
    assert_success(&out, "keygen");
    let public = stdout(&out).trim().to_string();
    let addr = format!("127.0.0.1:{port}");
    let _share = w.share(port);
    let script = w.script("wait-screen\n");
    let offer = |w: &World| {
        w.run(
            &[
                "offer",
                &addr,
                "--key",
                key.to_str().unwrap(),
                "--script",
                script.to_str().unwrap(),
            ],
            "",
        )
    };
    assert_code(&offer(&w), 11, "offered help off");
    assert_success(
        &w.run(&["settings", "--offered-help", "on"], ""),
        "settings",
    );
    assert_code(&offer(&w), 11, "not in the policy");
    std::fs::write(
        w.home().join("policy.toml"),
        format!("[[helpers]]\nname = \"Henk\"\nkey = \"{public}\"\n"),
    )
    .unwrap();
    assert_success(&offer(&w), "offer admitted by the policy");
}

#[test]
fn off_02_03_group_certified_helper_is_admitted_with_the_groups_level() {
    let w = World::new();
    let port = free_port();
    let group = w.path("helpdesk.group");
    let out = w.run(&["group", "new", "--out", group.to_str().unwrap()], "");
    assert_success(&out, "group new");
    let group_public = stdout(&out).trim().to_string();
    let key = w.path("anna.key");
    let out = w.run(&["keygen", "--out", key.to_str().unwrap()], "");
    assert_success(&out, "keygen");
    let anna_public = stdout(&out).trim().to_string();
    let cert = w.path("anna.cert");
    let out = w.run(
        &[
            "group",
            "sign",
            "--group",
            group.to_str().unwrap(),
            "--helper",
            &anna_public,
            "--name",
            "Anna",
            "--out",
            cert.to_str().unwrap(),
        ],
        "",
    );
    assert_success(&out, "group sign");
    assert_success(
        &w.run(&["settings", "--offered-help", "on"], ""),
        "settings",
    );
    // The policy lists only the group, view only.
    std::fs::write(
        w.home().join("policy.toml"),
        format!(
            "default_level = \"control\"\n[[groups]]\nname = \"Helpdesk\"\nkey = \"{group_public}\"\nlevel = \"view\"\n"
        ),
    )
    .unwrap();
    let check = w.run(
        &[
            "policy",
            "check",
            w.home().join("policy.toml").to_str().unwrap(),
        ],
        "",
    );
    assert!(stdout(&check).contains("Helpdesk"), "{}", stdout(&check));
    let addr = format!("127.0.0.1:{port}");
    w.allow_control();
    let _share = w.share(port);
    let offer = |cert: Option<&std::path::Path>, script: &str| {
        let script = w.script(script);
        let mut args = vec![
            "offer".to_string(),
            addr.clone(),
            "--key".into(),
            key.to_str().unwrap().into(),
            "--script".into(),
            script.to_str().unwrap().into(),
        ];
        if let Some(c) = cert {
            args.push("--cert".into());
            args.push(c.to_str().unwrap().into());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        w.run(&refs, "")
    };
    // Without the certificate Anna is a stranger; with it she is in, and the
    // group's view-only level refuses control even though control is on.
    assert_code(&offer(None, "wait-screen\n"), 11, "no certificate");
    assert_success(&offer(Some(&cert), "wait-screen\n"), "certified");
    assert_code(
        &offer(Some(&cert), "wait-screen\nrequest-control\nwait-control\n"),
        9,
        "view-only group",
    );
}
