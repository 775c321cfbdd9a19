//! `beckon doctor` (NET-04): what Beckon needs, whether it is there, and how
//! to fix what is not.

use crate::book::BookStore;
use crate::cli::DoctorArgs;
use crate::display::{self, DisplayChoice};
use crate::error::{code, Result};
use crate::home::{owned_by_me, write_atomic, Home};
use crate::machine::Machine;

struct Report {
    failures: usize,
}

impl Report {
    fn ok(&self, what: &str, detail: impl AsRef<str>) {
        println!("[ ok ] {what}: {}", detail.as_ref());
    }

    fn fail(&mut self, what: &str, problem: impl AsRef<str>, fix: impl AsRef<str>) {
        self.failures += 1;
        println!("[FAIL] {what}: {}", problem.as_ref());
        println!("       fix: {}", fix.as_ref());
    }
}

pub async fn run(args: DoctorArgs) -> Result<u8> {
    let mut r = Report { failures: 0 };
    let home = match Home::locate() {
        Ok(h) => h,
        Err(e) => {
            r.fail(
                "data directory",
                e.to_string(),
                "set BECKON_HOME to a directory you own",
            );
            return Ok(code::OTHER);
        }
    };
    let dir = home.dir().display().to_string();
    let probe = home.file(".doctor-probe");
    let writable = home
        .ensure()
        .and_then(|()| write_atomic(&probe, b"probe"))
        .and_then(|()| std::fs::read(&probe).map_err(|e| crate::error::Error::io("read back", e)));
    let _ = std::fs::remove_file(&probe);
    match writable {
        Ok(b) if b == b"probe" => r.ok("data directory", format!("{dir} is readable and writable")),
        Ok(_) => r.fail("data directory", format!("{dir} gives back other bytes than written"), "check the disk"),
        Err(e) => r.fail(
            "data directory",
            e.to_string(),
            format!("make {dir} yours and writable (chmod u+rwx), or set BECKON_HOME to another directory"),
        ),
    }
    match BookStore::new(&home).load() {
        Ok(book) => r.ok("invitation book", format!("{} invitation(s)", book.len())),
        Err(e) => r.fail(
            "invitation book",
            e.to_string(),
            "move the damaged file away; a new empty book is started",
        ),
    }
    let settings_path = crate::settings::settings_path(&home);
    match crate::settings::load(&home) {
        Ok(_) if settings_path.exists() && !owned_by_me(&settings_path).unwrap_or(false) => r.fail(
            "settings",
            format!(
                "{} belongs to another user, so the safe defaults apply",
                settings_path.display()
            ),
            "have the machine's owner run `beckon settings`, or chown the file",
        ),
        Ok(s) => r.ok(
            "settings",
            format!(
                "remote control {}, requested help {}, offered help {}",
                onoff(s.allow_remote_control),
                onoff(s.requested_help),
                onoff(s.offered_help)
            ),
        ),
        Err(e) => r.fail(
            "settings",
            e.to_string(),
            "move the file away, then set them again with `beckon settings`",
        ),
    }
    match crate::policy_file::load_machine(&home) {
        Ok(p) => match crate::policy_file::machine_policy_path(&home) {
            Some(path) => r.ok(
                "policy",
                format!("{} lists {} entr(y/ies)", path.display(), p.entries.len()),
            ),
            None => r.ok(
                "policy",
                "none (nobody may offer help; that is the default)",
            ),
        },
        Err(e) => r.fail(
            "policy",
            e.to_string(),
            "fix the file; `beckon policy check FILE` shows what is wrong",
        ),
    }
    match Machine::load_or_create(&home) {
        Ok(m) => r.ok(
            "machine key",
            format!("{} ({})", crate::text::short_key(&m.key.public), m.name),
        ),
        Err(e) => r.fail(
            "machine key",
            e.to_string(),
            "move the damaged machine.json away; a new key is made",
        ),
    }
    match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => {
            drop(l);
            r.ok("listen port", format!("{} is free", args.listen));
        }
        Err(e) => r.fail(
            "listen port",
            format!("cannot listen on {}: {e}", args.listen),
            "stop the program that uses the port, or choose another with --listen (and in invitations with --address)",
        ),
    }
    // The screen `beckon share` would share: --display, else $DISPLAY.
    let choice = match args
        .display
        .or_else(|| std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()))
    {
        Some(d) => DisplayChoice::X11(d),
        None => DisplayChoice::Simulated,
    };
    match &choice {
        DisplayChoice::Simulated => match display::open(&choice) {
            Ok((d, _)) => r.ok(
                "display",
                format!(
                    "no DISPLAY here: `beckon share --simulated` shares the simulated desktop ({}x{})",
                    d.width(),
                    d.height()
                ),
            ),
            Err(e) => r.fail("display", e.to_string(), "report this as a bug"),
        },
        DisplayChoice::X11(name) => match beckon_x11::X11Display::open(Some(name)) {
            Ok(x) => {
                let caps = x.capabilities();
                r.ok(
                    "display",
                    format!("X11 display {name}, {}x{}", x.width(), x.height()),
                );
                let checks = [
                    (caps.xtest, "XTEST", "the helper cannot type or click", "start the X server with the XTEST extension (Xorg and Xvfb have it unless `-extension XTEST` is given)"),
                    (caps.damage, "XDamage", "every frame is the whole screen (slow)", "use an X server with the DAMAGE extension"),
                    (caps.shm, "MIT-SHM", "capture falls back to GetImage (slower)", "run beckon on the same machine as the X server, with the MIT-SHM extension enabled"),
                    (caps.xinput2, "XInput2", "the person's own Esc and Ctrl+C cannot be seen", "use an X server with XInputExtension 2"),
                ];
                for (present, name, without, fix) in checks {
                    if present {
                        r.ok(name, "present");
                    } else {
                        r.fail(name, format!("missing: {without}"), fix);
                    }
                }
            }
            Err(e) => r.fail(
                "display",
                format!("cannot open X11 display {name}: {e}"),
                "check that the X server runs and DISPLAY/--display names it; as another user, allow access with `xhost +si:localuser:$USER`",
            ),
        },
    }
    if r.failures == 0 {
        println!("Everything Beckon needs is in place.");
        Ok(0)
    } else {
        println!("{} problem(s) found.", r.failures);
        Ok(code::OTHER)
    }
}

fn onoff(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}
