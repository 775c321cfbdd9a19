//! A private Xvfb for one test: started on a free display, killed on drop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long Xvfb may take to come up on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running Xvfb, `1024x768x24`. Killed when dropped.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Start one. Xvfb picks a free display number itself (`-displayfd`) and
    /// writes it to our pipe once it accepts connections, so there is no
    /// polling and no race with other tests.
    ///
    /// Panics (failing the test, not skipping it) when Xvfb is not installed.
    pub fn start() -> Xvfb {
        Xvfb::start_with(&[])
    }

    /// Like [`Xvfb::start`], with extra server arguments (e.g. `-extension
    /// MIT-SHM` to turn an extension off).
    pub fn start_with(extra: &[&str]) -> Xvfb {
        let spawned = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "Xvfb is not installed: these tests need a real X server; \
                 install the `xvfb` package (apt-get install xvfb)"
            ),
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Xvfb did not come up within {START_TIMEOUT:?}");
            }
        };
        let number: u32 = match line.trim().parse() {
            Ok(n) => n,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                panic!("Xvfb failed to start ({status:?}); it said {line:?}");
            }
        };
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }

    /// The display name, e.g. `":3"`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// A command for an X client on this display.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display);
        c
    }

    /// Run an X client on this display to completion; panics with `hint`
    /// (which package to install) when the program is missing, and when it
    /// fails.
    pub fn run(&self, program: &str, args: &[&str], hint: &str) -> Vec<u8> {
        let out = match self.command(program).args(args).output() {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("{program} is not installed: install the `{hint}` package")
            }
            Err(e) => panic!("cannot run {program}: {e}"),
        };
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

impl Drop for Xvfb {
    /// Ask Xvfb to quit (SIGTERM, so it removes its lock file and socket),
    /// and kill it if it has not after a second.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let asked = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if asked {
            let end = std::time::Instant::now() + Duration::from_secs(1);
            while std::time::Instant::now() < end {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
