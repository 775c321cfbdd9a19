//! Helpers for the end-to-end tests: a fresh data directory per test, the
//! built `beckon` binary, free ports and a `share` process that is killed
//! when the test ends.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A test's own `BECKON_HOME` and scratch space.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        World {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_beckon"));
        c.args(args)
            .env("BECKON_HOME", self.home())
            .env_remove("BECKON_LOG")
            // Tests say which screen they mean; never the developer's own.
            .env_remove("DISPLAY")
            .current_dir(self.dir.path());
        c
    }

    /// Run to the end with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn beckon");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("wait for beckon")
    }

    /// `beckon invite`, returning the invitation text.
    pub fn invite(&self, extra: &[&str], password: Option<&str>, port: u16) -> String {
        let address = format!("127.0.0.1:{port}");
        let out_file = self.path(&format!("inv-{}.beckon", rand_suffix()));
        let mut args = vec![
            "invite",
            "--name",
            "Oma",
            "--address",
            &address,
            "--out",
            out_file.to_str().expect("utf-8 path"),
        ];
        if password.is_some() {
            args.push("--password-stdin");
        }
        args.extend_from_slice(extra);
        let out = self.run(&args, &format!("{}\n", password.unwrap_or("")));
        assert_success(&out, "invite");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(text.starts_with("beckon1:"), "invite printed {text:?}");
        text
    }

    pub fn script(&self, lines: &str) -> PathBuf {
        let p = self.path(&format!("script-{}.txt", rand_suffix()));
        std::fs::write(&p, lines).expect("write script");
        p
    }

    pub fn allow_control(&self) {
        let out = self.run(&["settings", "--allow-control", "on"], "");
        assert_success(&out, "settings");
    }

    /// `beckon share --simulated --yes` on `port`, ready to accept.
    pub fn share(&self, port: u16) -> Share {
        self.share_with(port, &["--simulated", "--yes"])
    }

    /// `beckon share ARGS` on `port` with a pipe as its terminal, so the
    /// test answers its questions with [`Share::say`].
    pub fn share_with(&self, port: u16, args: &[&str]) -> Share {
        let listen = format!("127.0.0.1:{port}");
        let mut child = self
            // The terminal answers here, as before the panel existed.
            .cmd(&["share", "--no-panel", "--listen", &listen])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn share");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut share = Share {
            child,
            stdin,
            lines: rx,
            seen: Vec::new(),
            cursor: 0,
        };
        share.wait_line("Sharing", Duration::from_secs(20));
        share
    }
}

/// A running `beckon share`.
pub struct Share {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    /// Lines before this one were matched by [`Share::wait_next`].
    cursor: usize,
}

impl Share {
    /// Wait for a line of the story containing `needle`.
    pub fn wait_line(&mut self, needle: &str, limit: Duration) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "share never said {needle:?}; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Wait for a line containing `needle` that comes after the last one
    /// this returned (questions repeat; each answer is for a new one).
    pub fn wait_next(&mut self, needle: &str, limit: Duration) -> String {
        let end = Instant::now() + limit;
        loop {
            if let Some(i) = self.seen[self.cursor..]
                .iter()
                .position(|l| l.contains(needle))
            {
                self.cursor += i + 1;
                return self.seen[self.cursor - 1].clone();
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "share never said {needle:?}; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Type a line at the person's terminal.
    pub fn say(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("share has a terminal");
        writeln!(stdin, "{line}").expect("write to share");
        stdin.flush().expect("flush");
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn assert_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: wrong exit code\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() > 1000)
}

/// Write bytes to a port with a plain socket and close it.
pub fn send_garbage(port: u16, bytes: &[u8]) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Both);
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
