//! End to end on a real X server: `beckon share --display :N` on Xvfb and
//! `beckon connect` in script mode, as separate processes over loopback TCP.
//! The person's answers and commands are typed into `share`'s terminal; the
//! person's own Esc is a key press from another X client (`xdotool`).

mod common;
#[allow(dead_code)]
#[path = "../../x11/tests/support/xvfb.rs"]
mod xvfb;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use xvfb::Xvfb;

const LIMIT: Duration = Duration::from_secs(20);

/// An `xterm` running `cat > FILE` at the top left of the display: a real X
/// client whose text we can read back.
struct Terminal {
    child: Child,
}

impl Terminal {
    fn start(x: &Xvfb, file: &Path) -> Terminal {
        let mut child = x
            .command("xterm")
            .args(["-geometry", "80x24+0+0", "-e", "sh", "-c"])
            .arg(format!("cat > '{}'", file.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("xterm is not installed: install the `xterm` package");
        // Wait until its window is mapped.
        let end = Instant::now() + LIMIT;
        while Instant::now() < end {
            let found = x
                .command("xdotool")
                .args(["search", "--onlyvisible", "--class", "xterm"])
                .output()
                .map(|o| !o.stdout.is_empty())
                .unwrap_or(false);
            if found {
                return Terminal { child };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("xterm did not show a window");
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The display's pixels as RGBA, straight from the X server.
fn screen_of(x: &Xvfb) -> (u16, u16, Vec<u8>) {
    let mut d = beckon_x11::X11Display::open(Some(x.display())).expect("open display");
    let pixels = d.capture().expect("capture").to_vec();
    (d.width(), d.height(), pixels)
}

fn png_pixels(path: &Path) -> (u16, u16, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("snapshot written"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    (info.width as u16, info.height as u16, buf)
}

fn connect(w: &World, text: &str, password: &str, script: &str, extra: &[&str]) -> Child {
    let script = w.script(script);
    let mut child = w
        .cmd(&[
            "connect",
            text,
            "--password-stdin",
            "--name",
            "Henk",
            "--script",
        ])
        .arg(&script)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connect");
    use std::io::Write;
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{password}").expect("password");
    child
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().expect("connect finishes");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn net_04_doctor_checks_a_real_x_display() {
    let x = Xvfb::start();
    let w = World::new();
    let listen = format!("127.0.0.1:{}", free_port());
    let out = w.run(
        &["doctor", "--listen", &listen, "--display", x.display()],
        "",
    );
    assert_success(&out, "doctor");
    for present in ["XTEST", "XDamage", "MIT-SHM", "XInput2"] {
        assert!(
            stdout(&out).contains(&format!("[ ok ] {present}")),
            "{present}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn inv_10_three_wrong_passwords_lock_on_a_real_display() {
    let x = Xvfb::start();
    let w = World::new();
    let port = free_port();
    let text = w.invite(&[], Some("tulip"), port);
    let _share = w.share_with(port, &["--display", x.display(), "--yes"]);
    // Two refusals, then the third locks the invitation …
    for (guess, code) in [("tulp", 4), ("tullip", 4), ("Tulip", 8)] {
        let (got, out) = finish(connect(&w, &text, guess, "wait-screen\n", &[]));
        assert_eq!(got, code, "{guess}: {out}");
    }
    // … and the right password is refused too.
    let (got, out) = finish(connect(&w, &text, "tulip", "wait-screen\n", &[]));
    assert_eq!(got, 8, "{out}");
}

#[test]
fn ses_02_03_05_07_08_10_helping_on_a_real_x_display() {
    let x = Xvfb::start();
    let w = World::new();
    let typed = w.path("typed.txt");
    let _terminal = Terminal::start(&x, &typed);
    let port = free_port();
    let downloads = w.path("person-downloads");
    std::fs::create_dir_all(&downloads).expect("dir");
    let mut share = w.share_with(
        port,
        &[
            "--display",
            x.display(),
            "--download-dir",
            downloads.to_str().unwrap(),
        ],
    );

    // 1. Control is off on this machine: the helper sees the screen, and a
    //    control request is refused with its own exit code (SES-03).
    let text = w.invite(&[], Some("tulip"), port);
    let shot = w.path("seen.png");
    let first = connect(
        &w,
        &text,
        "tulip",
        "wait-screen\nwait 1500\nrequest-control\nwait-control\n",
        &["--snapshot", shot.to_str().unwrap()],
    );
    share.wait_next("Start the session?", LIMIT);
    share.say("y");
    let (code, out) = finish(first);
    assert_eq!(code, 9, "control refused while it is off: {out}");
    // The picture the helper had is the display, pixel for pixel (SES-01).
    let (sw, sh, seen) = png_pixels(&shot);
    let (dw, dh, display) = screen_of(&x);
    assert_eq!((sw, sh), (dw, dh));
    let differing = seen
        .chunks(4)
        .zip(display.chunks(4))
        .filter(|(a, b)| a[..3] != b[..3])
        .count();
    assert_eq!(differing, 0, "{differing} pixels differ from the display");

    // 2. The owner allows control; a new session asks again (SES-03).
    assert_success(
        &w.run(&["settings", "--allow-control", "on"], ""),
        "settings",
    );
    let text = w.invite(&[], Some("tulip"), port);
    let to_person = w.path("for-oma.txt");
    std::fs::write(&to_person, b"Steps to fix the printer\n".repeat(3000)).expect("file");
    let to_helper = w.path("error-log.txt");
    std::fs::write(&to_helper, b"E: the printer is offline\n".repeat(1000)).expect("file");
    let helper_downloads = w.path("helper-downloads");
    std::fs::create_dir_all(&helper_downloads).expect("dir");
    let script = format!(
        "wait-screen\nrequest-control\nwait-control\nclick 200 100\n\
         type hello from beckon\nkey enter\nwait-control-ended\n\
         chat can you see this?\nsend-file {}\nwait 4000\ndisconnect\n",
        to_person.display()
    );
    let second = connect(
        &w,
        &text,
        "tulip",
        &script,
        &[
            "--accept-files",
            "--download-dir",
            helper_downloads.to_str().unwrap(),
        ],
    );
    share.wait_next("Start the session?", LIMIT);
    share.say("y");
    share.wait_next("Allow it?", LIMIT);
    share.say("y");

    // 3. The helper's typing reaches a real X client (SES-04).
    let end = Instant::now() + LIMIT;
    while !std::fs::read_to_string(&typed).is_ok_and(|t| t.contains("hello from beckon")) {
        assert!(Instant::now() < end, "the text never reached xterm");
        std::thread::sleep(Duration::from_millis(50));
    }

    // 4. The person presses Esc on their own keyboard: control ends (SES-05).
    let status = x
        .command("xdotool")
        .args(["key", "Escape"])
        .status()
        .expect("xdotool");
    assert!(status.success());
    share.wait_next("Esc", LIMIT);

    // 5. Chat both ways and a file each way (SES-07, SES-08).
    share.wait_next("can you see this?", LIMIT);
    share.say("chat yes, I can");
    share.wait_next("Accept it?", LIMIT);
    share.say("y");
    share.say(&format!("send-file {}", to_helper.display()));

    // 6. The helper hangs up; both sides say so (SES-10).
    let (code, out) = finish(second);
    assert_eq!(code, 0, "{out}");
    share.wait_next("disconnected", LIMIT);
    assert!(out.contains("yes, I can"), "{out}");
    assert!(
        out.contains("Esc"),
        "the helper was told how control ended: {out}"
    );
    let got = std::fs::read(downloads.join("for-oma.txt")).expect("file reached the person");
    assert_eq!(got, std::fs::read(&to_person).unwrap());
    let got =
        std::fs::read(helper_downloads.join("error-log.txt")).expect("file reached the helper");
    assert_eq!(got, std::fs::read(&to_helper).unwrap());
    assert!(share.alive(), "the agent keeps serving");
}
