//! The dongle firmware's automation: `cargo xtask firmware-test` (the QEMU
//! board end to end against the real desktop client) and `cargo xtask
//! size` (flash and static RAM per board).
//!
//! The firmware is its own cargo workspace in `firmware/` (it builds for
//! the MCU, the root workspace for the host), so these steps run cargo
//! there.

use crate::defmt_log;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use crate::run;

/// The bare-metal target of every board.
const TARGET: &str = "thumbv7em-none-eabihf";
/// The QEMU board's package and binary.
const QEMU_BOARD: &str = "beckon-dongle-qemu";
/// The TCP port the dongle serves sessions on inside QEMU.
const GUEST_PORT: u16 = 7070;
/// The TCP port of the dongle's owner channel inside QEMU.
const GUEST_OWNER_PORT: u16 = 7071;
/// How long any one step of the story may take.
const STEP_LIMIT: Duration = Duration::from_secs(60);
/// What the helper types; it must appear on the target's screen.
const TYPED: &str = "Hello, dongle!";
/// The typed-text box on the QEMU test screen: x, y, w, h (see
/// `firmware/boards/qemu-mps2/src/screen.rs`).
const TEXT_BOX: (u32, u32, u32, u32) = (8, 150, 304, 20);

/// One board: its package, where its image lands, and the symbols that are
/// frame buffers (left out of the static RAM goal).
struct Board {
    name: &'static str,
    package: &'static str,
    frame_buffers: &'static [&'static str],
}

const BOARDS: &[Board] = &[
    Board {
        name: "qemu-mps2",
        package: QEMU_BOARD,
        frame_buffers: &["screen6SCREEN"],
    },
    Board {
        name: "stm32h743",
        package: "beckon-dongle-stm32h743",
        frame_buffers: &["video5FRAME", "video7CAPTURE"],
    },
];

/// Flash and static RAM goals (issue 7).
const FLASH_GOAL: u64 = 256 * 1024;
const RAM_GOAL: u64 = 128 * 1024;

fn firmware_dir(root: &Path) -> PathBuf {
    root.join("firmware")
}

fn image(root: &Path, package: &str) -> PathBuf {
    firmware_dir(root)
        .join("target")
        .join(TARGET)
        .join("release")
        .join(package)
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Build every board's release image.
fn build_images(root: &Path) -> Result<(), String> {
    for b in BOARDS {
        run(cargo()
            .current_dir(firmware_dir(root))
            .args(["build", "--release", "-p", b.package]))?;
    }
    Ok(())
}

/// `cargo xtask size`: flash and static RAM of each board's image.
pub fn size(root: &Path) -> Result<(), String> {
    build_images(root)?;
    println!();
    println!(
        "{:<12} {:>10} {:>12} {:>14} {:>16}",
        "board", "flash", "static RAM", "frame buffers", "RAM w/o frames"
    );
    let mut over = Vec::new();
    for b in BOARDS {
        let s = measure(&image(root, b.package), b.frame_buffers)?;
        let ram_rest = s.ram - s.frames;
        println!(
            "{:<12} {:>10} {:>12} {:>14} {:>16}",
            b.name,
            kib(s.flash),
            kib(s.ram),
            kib(s.frames),
            kib(ram_rest)
        );
        if s.flash > FLASH_GOAL {
            over.push(format!(
                "{}: flash {} > {}",
                b.name,
                kib(s.flash),
                kib(FLASH_GOAL)
            ));
        }
        if ram_rest > RAM_GOAL {
            over.push(format!(
                "{}: static RAM {} > {}",
                b.name,
                kib(ram_rest),
                kib(RAM_GOAL)
            ));
        }
    }
    println!(
        "goals: flash <= {}, static RAM (frame buffers excluded) <= {}",
        kib(FLASH_GOAL),
        kib(RAM_GOAL)
    );
    if over.is_empty() {
        println!("xtask size: every board is within the goals");
        Ok(())
    } else {
        // Figures, not a gate: report, and let the reader decide.
        println!("xtask size: over the goal: {}", over.join("; "));
        Ok(())
    }
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

struct Sizes {
    flash: u64,
    ram: u64,
    frames: u64,
}

/// Sizes from the ELF's section headers: flash is every allocated section
/// with file contents (code, read-only data, the initial values of
/// `.data`), static RAM every allocated section that lives at a RAM
/// address (`.data`, `.bss`, `.uninit`); frame buffers are the symbols
/// named.
fn measure(elf: &Path, frame_buffers: &[&str]) -> Result<Sizes, String> {
    use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind};
    let data = fs::read(elf).map_err(|e| format!("cannot read {}: {e}", elf.display()))?;
    let file = object::File::parse(&*data).map_err(|e| format!("{}: {e}", elf.display()))?;
    let (mut flash, mut ram) = (0u64, 0u64);
    for s in file.sections() {
        let SectionFlags::Elf { sh_flags } = s.flags() else {
            continue;
        };
        const SHF_ALLOC: u64 = 0x2;
        if sh_flags & SHF_ALLOC == 0 || s.size() == 0 {
            continue;
        }
        let in_ram = s.address() >= 0x2000_0000;
        let has_bytes = !matches!(s.kind(), SectionKind::UninitializedData);
        if in_ram {
            ram += s.size();
        }
        // `.data` sits in RAM and its initial values in flash.
        if has_bytes {
            flash += s.size();
        }
    }
    let frames = file
        .symbols()
        .filter(|sym| {
            let name = sym.name().unwrap_or("");
            frame_buffers.iter().any(|f| name.contains(f))
        })
        .map(|sym| sym.size())
        .sum();
    Ok(Sizes { flash, ram, frames })
}

/// `cargo xtask firmware-test`: boot the QEMU image and walk the story of
/// issue 7 with the real `beckon connect`.
pub fn firmware_test(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    step(1, "checking qemu-system-arm");
    let qemu_ok = Command::new("qemu-system-arm")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !qemu_ok {
        return Err("qemu-system-arm is not installed (apt-get install qemu-system-arm)".into());
    }
    step(
        2,
        "checking the firmware workspace: format, clippy, the kit's and the app's host tests",
    );
    let fw = firmware_dir(root);
    run(cargo().current_dir(&fw).args(["fmt", "--all", "--check"]))?;
    run(cargo()
        .current_dir(&fw)
        .args(["clippy", "--workspace", "--", "-D", "warnings"]))?;
    // The kit is no_std but hardware-free: its tests run on the host.
    let host = host_triple()?;
    run(cargo().current_dir(&fw).args([
        "test",
        "-p",
        "beckon-dongle-kit",
        "--features",
        "canvas",
        "--target",
        &host,
    ]))?;
    // So is the app without its embassy shell and defmt (the stored
    // invitation book's tests).
    run(cargo().current_dir(&fw).args([
        "test",
        "-p",
        "beckon-dongle",
        "--no-default-features",
        "--target",
        &host,
    ]))?;
    step(3, "building the firmware image and the desktop client");
    run(cargo()
        .current_dir(firmware_dir(root))
        .args(["build", "--release", "-p", QEMU_BOARD]))?;
    run(cargo()
        .current_dir(root)
        .args(["build", "--quiet", "-p", "beckon", "--bin", "beckon"]))?;
    let beckon = root.join("target").join("debug").join("beckon");

    let work = root.join("target").join("firmware-test");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("cannot make {}: {e}", work.display()))?;
    let port = free_port()?;
    let owner_port = free_port()?;

    step(
        4,
        &format!("booting the dongle in QEMU (sessions on 127.0.0.1:{port}, owner channel on {owner_port})"),
    );
    let elf = image(root, QEMU_BOARD);
    let mut dongle = Dongle::boot(&elf, port, owner_port, &work, 1)?;
    let mut result = story(&mut dongle, &beckon, port, owner_port, &work);
    dongle.stop();
    // The defmt log must decode with this image and tell the same story.
    result = result.and_then(|()| {
        dongle.check_log(
            &elf,
            &[
                "new device key made",
                "helper connected from",
                "invitation checked",
                "session ended",
            ],
            &[],
        )
    });
    if result.is_ok() {
        step(
            12,
            "a restart keeps the device key, the owner, the setting and the invitations",
        );
        dongle = Dongle::boot(&elf, port, owner_port, &work, 2)?;
        result = after_restart(&mut dongle, &beckon, owner_port, &work);
        dongle.stop();
        result = result.and_then(|()| dongle.check_log(&elf, &[], &["new device key made"]));
    }
    match &result {
        Ok(()) => println!(
            "\nxtask firmware-test: the dongle story passed in {:.0?}",
            started.elapsed()
        ),
        Err(_) => {
            println!("\n--- the dongle's console, last lines ---");
            for l in dongle.history.iter().rev().take(30).rev() {
                println!("    {l}");
            }
            println!("--- its defmt log, last lines ---");
            match defmt_log::decode(&elf, &dongle.log) {
                Ok(lines) => {
                    for l in lines.iter().rev().take(30).rev() {
                        println!("    {l}");
                    }
                }
                Err(e) => println!("    {e}"),
            }
        }
    }
    result
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String, String> {
    let out = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV names no host".into())
}

fn step(n: u32, what: &str) {
    println!("\nfirmware-test [{n}/12] {what}");
}

fn story(
    dongle: &mut Dongle,
    beckon: &Path,
    port: u16,
    owner_port: u16,
    work: &Path,
) -> Result<(), String> {
    let line = dongle.expect("pairing code: ")?;
    let code = line
        .split_once("pairing code: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .ok_or("no pairing code on the console")?
        .to_string();
    dongle.expect("ready: listening on")?;

    step(
        5,
        "the owner pairs with `beckon dongle pair`, enables control, makes an invitation",
    );
    let owner_home = work.join("owner-home");
    let dongle_addr = format!("127.0.0.1:{owner_port}");
    let owner = |args: &[&str]| owner_command(beckon, &owner_home, args);
    owner(&["pair", &dongle_addr, "--code", &code])?;
    dongle.expect("paired: this dongle has an owner now")?;
    // Someone else who saw the code cannot take the dongle over afterwards.
    let stranger = owner_command(
        beckon,
        &work.join("stranger-home"),
        &["pair", &dongle_addr, "--code", &code],
    );
    match stranger {
        Err(e) if e.contains("another owner") => {
            println!("    a second pairing is refused: another owner")
        }
        Err(e) => return Err(format!("a second pairing failed for the wrong reason: {e}")),
        Ok(_) => return Err("a second owner could pair with a used code".into()),
    }
    owner(&["control", &dongle_addr, "on"])?;
    dongle.expect("remote control: allowed")?;
    let invitation = owner(&[
        "invite",
        &dongle_addr,
        "--minutes",
        "30",
        "--address",
        &format!("127.0.0.1:{port}"),
    ])?
    .trim()
    .to_string();
    if !invitation.starts_with("beckon1:") {
        return Err(format!(
            "`beckon dongle invite` printed no invitation: {invitation:?}"
        ));
    }
    let listed = owner(&["invitations", &dongle_addr])?;
    if !listed.contains("open") {
        return Err(format!(
            "the new invitation is not listed as open: {listed:?}"
        ));
    }

    step(
        6,
        "the helper connects with `beckon connect --script`; consent by button",
    );
    let script = work.join("helper.script");
    fs::write(
        &script,
        format!(
            "wait-screen\nrequest-control\nwait-control\ntype {TYPED}\nwait 1500\nwait-screen\n\
             wait-control-ended\nwait-screen\ndisconnect\n"
        ),
    )
    .map_err(|e| format!("cannot write the script: {e}"))?;
    let snapshot = work.join("helper-view.png");
    let home = work.join("helper-home");
    let mut helper = Command::new(beckon)
        .args(["connect", &invitation, "--name", "Helper Hanna", "--script"])
        .arg(&script)
        .arg("--snapshot")
        .arg(&snapshot)
        .args(["--layout", "us", "--wait-limit", "60"])
        .env("BECKON_HOME", &home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", beckon.display()))?;
    let outcome = (|| -> Result<u64, String> {
        dongle.expect("wants to see this screen")?;
        dongle.send("button")?;
        dongle.expect("session started")?;

        step(7, "control request, consent by button");
        dongle.expect("asks to share control")?;
        dongle.send("button")?;
        dongle.expect("control shared")?;

        step(
            8,
            &format!("the helper types {TYPED:?}; the target renders it"),
        );
        let shown = dongle.expect(&format!("target text: \"{TYPED}\""))?;
        let lit = parse_lit(&shown)?;

        step(
            9,
            "local Caps Lock reaches the helper; local Esc ends control",
        );
        dongle.send("key capslock")?;
        dongle.send("key esc")?;
        dongle.expect("control ended: you pressed Esc")?;

        step(10, "the helper hangs up; the invitation is used");
        dongle.expect("session ended")?;
        let listed = owner(&["invitations", &dongle_addr])?;
        if !listed.contains("used") {
            return Err(format!("the invitation is not listed as used: {listed:?}"));
        }
        owner(&["revoke", &dongle_addr, "--all"])?;
        Ok(lit)
    })()
    .and_then(|lit| {
        let status = wait_child(&mut helper, STEP_LIMIT)?;
        let out = helper_output(&mut helper);
        if !status {
            return Err(format!("`beckon connect` failed:\n{out}"));
        }
        if !out.contains("the machine's keyboard: Caps Lock on") {
            return Err(format!("the helper never saw Caps Lock on:\n{out}"));
        }
        println!("    the helper's console says: Caps Lock on");
        check_snapshot(&snapshot, lit)
    });
    if outcome.is_err() {
        let _ = helper.kill();
        let _ = helper.wait();
        println!("--- beckon connect ---\n{}", helper_output(&mut helper));
    }
    outcome?;

    step(
        11,
        "unattended help: a pre-approved invitation needs no button; a relative mouse for BIOS screens",
    );
    let invitation = owner(&[
        "invite",
        &dongle_addr,
        "--pre-approved",
        "--address",
        &format!("127.0.0.1:{port}"),
    ])?
    .trim()
    .to_string();
    let script = work.join("unattended.script");
    fs::write(
        &script,
        "wait-screen\nrequest-control\nwait-control\nmouse relative\nmove-by 5 -3\nwait 500\ndisconnect\n",
    )
    .map_err(|e| format!("cannot write the script: {e}"))?;
    let mut helper = Command::new(beckon)
        .args(["connect", &invitation, "--name", "Night Shift", "--script"])
        .arg(&script)
        .args(["--wait-limit", "60"])
        .env("BECKON_HOME", work.join("helper-home"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", beckon.display()))?;
    let outcome = (|| -> Result<(), String> {
        dongle.expect("connects with a pre-approved invitation")?;
        dongle.expect("takes control (pre-approved)")?;
        dongle.expect("the helper switched the mouse: relative")?;
        dongle.expect("session ended")?;
        let ok = wait_child(&mut helper, STEP_LIMIT)?;
        let out = helper_output(&mut helper);
        if !ok {
            return Err(format!("`beckon connect` failed:\n{out}"));
        }
        if !out.contains("unattended: nobody at the machine was asked") {
            return Err(format!(
                "the helper was not told the session is pre-approved:\n{out}"
            ));
        }
        println!("    the helper's console says: pre-approved, nobody was asked");
        Ok(())
    })();
    if outcome.is_err() {
        let _ = helper.kill();
        let _ = helper.wait();
        println!("--- beckon connect ---\n{}", helper_output(&mut helper));
    }
    outcome
}

/// Run `beckon dongle ARGS` as the owner; its standard output.
/// The second boot, with the records the first one stored.
fn after_restart(
    dongle: &mut Dongle,
    beckon: &Path,
    owner_port: u16,
    work: &Path,
) -> Result<(), String> {
    dongle.expect("ready: listening on")?;
    if dongle.history.iter().any(|l| l.contains("pairing code: ")) {
        return Err("the restarted dongle offers pairing again: it forgot its owner".into());
    }
    dongle.send("status")?;
    let status = dongle.expect("status: ")?;
    if !status.contains("remote control allowed") {
        return Err(format!(
            "the restarted dongle forgot that control is allowed: {status}"
        ));
    }
    // The owner's client checks the dongle's device key against the one it
    // pinned at pairing, and the dongle checks the owner's key: a listing
    // at all proves both keys survived.
    let listed = owner_command(
        beckon,
        &work.join("owner-home"),
        &["invitations", &format!("127.0.0.1:{owner_port}")],
    )?;
    let rows: Vec<&str> = listed.lines().filter(|l| !l.trim().is_empty()).collect();
    // Both were used (the first also revoked afterwards; used shows).
    if rows.len() != 2 || rows.iter().any(|r| !r.contains("used")) {
        return Err(format!(
            "the restarted dongle lost its invitations (want two used ones): {listed:?}"
        ));
    }
    println!("    same key, same owner, control allowed, both invitations listed");
    Ok(())
}

fn owner_command(beckon: &Path, home: &Path, args: &[&str]) -> Result<String, String> {
    println!("    owner$ beckon dongle {}", args.join(" "));
    let out = Command::new(beckon)
        .arg("dongle")
        .args(args)
        .env("BECKON_HOME", home)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", beckon.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    for l in stdout.lines().chain(stderr.lines()) {
        println!("    owner| {l}");
    }
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "`beckon dongle {}` failed: {}",
            args.join(" "),
            stderr.trim()
        ))
    }
}

/// The text-pixel count the firmware reported for the text box.
fn parse_lit(line: &str) -> Result<u64, String> {
    line.rsplit(": ")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no pixel count in {line:?}"))
}

/// The helper's picture must show the typed text: exactly as many white
/// pixels in the text box as the target drew there.
fn check_snapshot(png_path: &Path, lit: u64) -> Result<(), String> {
    let file = fs::File::open(png_path)
        .map_err(|e| format!("no snapshot from the helper ({}): {e}", png_path.display()))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| format!("snapshot unreadable: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("snapshot unreadable: {e}"))?;
    if info.color_type != png::ColorType::Rgba {
        return Err(format!("snapshot is {:?}, not RGBA", info.color_type));
    }
    let (x0, y0, w, h) = TEXT_BOX;
    if x0 + w > info.width || y0 + h > info.height {
        return Err(format!(
            "snapshot is {}x{}, smaller than the test screen",
            info.width, info.height
        ));
    }
    let mut white = 0u64;
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let at = ((y * info.width + x) * 4) as usize;
            if buf[at..at + 4] == [255, 255, 255, 255] {
                white += 1;
            }
        }
    }
    if white != lit {
        return Err(format!(
            "the helper's view shows {white} text pixels in the text box, the target drew {lit}"
        ));
    }
    println!("    the helper's snapshot shows the typed text ({white} text pixels match)");
    Ok(())
}

fn wait_child(child: &mut Child, limit: Duration) -> Result<bool, String> {
    let until = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status.success());
        }
        if Instant::now() > until {
            return Err("`beckon connect` did not finish in time".into());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn helper_output(child: &mut Child) -> String {
    let mut out = String::new();
    if let Some(s) = child.stdout.take() {
        for l in BufReader::new(s).lines().map_while(Result::ok) {
            out.push_str(&format!("    out: {l}\n"));
        }
    }
    if let Some(s) = child.stderr.take() {
        for l in BufReader::new(s).lines().map_while(Result::ok) {
            out.push_str(&format!("    err: {l}\n"));
        }
    }
    out
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// The dongle under QEMU: its console on stdin/stdout, defmt on stderr.
struct Dongle {
    /// Where its defmt frames go.
    log: PathBuf,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    history: Vec<String>,
}

impl Dongle {
    /// Boot the image; `boot` numbers the boots, each with its own log.
    fn boot(
        image: &Path,
        port: u16,
        owner_port: u16,
        work: &Path,
        boot: u32,
    ) -> Result<Dongle, String> {
        let seed: String = {
            // The MPS2 has no RNG: hand the dongle 32 bytes from the host's.
            let mut bytes = [0u8; 32];
            fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
                .map_err(|e| format!("no host entropy: {e}"))?;
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        // The dongle's records survive a restart as files here (see the
        // board's `storage.rs`). QEMU's option syntax reserves commas.
        let store = work.join("dongle-store");
        fs::create_dir_all(&store).map_err(|e| format!("cannot make {}: {e}", store.display()))?;
        let store = store.display().to_string();
        if store.contains([',', ' ']) {
            return Err(format!(
                "the work directory {store:?} must not contain commas or spaces"
            ));
        }
        let log = work.join(format!("defmt-boot{boot}.bin"));
        let defmt = fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut child = Command::new("qemu-system-arm")
            .args(["-machine", "mps2-an386", "-nographic", "-monitor", "none"])
            .args(["-serial", "stdio"])
            .arg("-nic")
            .arg(format!(
                "user,model=lan9118,hostfwd=tcp:127.0.0.1:{port}-:{GUEST_PORT},\
                 hostfwd=tcp:127.0.0.1:{owner_port}-:{GUEST_OWNER_PORT}"
            ))
            .arg("-semihosting-config")
            .arg(format!(
                "enable=on,target=native,arg=dongle,arg=seed={seed},arg=store={store}"
            ))
            .arg("-kernel")
            .arg(image)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(defmt))
            .spawn()
            .map_err(|e| format!("cannot start qemu-system-arm: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for l in BufReader::new(stdout).split(b'\n').map_while(Result::ok) {
                let l = String::from_utf8_lossy(&l).trim_end().to_string();
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Ok(Dongle {
            log,
            child,
            stdin,
            lines,
            history: Vec::new(),
        })
    }

    /// Wait for a console line containing `what`; returns it.
    fn expect(&mut self, what: &str) -> Result<String, String> {
        let until = Instant::now() + STEP_LIMIT;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    println!("    dongle| {l}");
                    self.history.push(l.clone());
                    if l.contains(what) {
                        return Ok(l);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "the dongle's console did not say {what:?} within {STEP_LIMIT:?}"
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("QEMU exited before the console said {what:?}"))
                }
            }
        }
    }

    /// Type a line on the console.
    fn send(&mut self, line: &str) -> Result<(), String> {
        println!("    console> {line}");
        writeln!(self.stdin, "{line}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("cannot write to the console: {e}"))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// After `stop`: the defmt log decodes, has a line containing each of
    /// `must` and none containing any of `must_not`.
    fn check_log(&self, elf: &Path, must: &[&str], must_not: &[&str]) -> Result<(), String> {
        let lines = defmt_log::decode(elf, &self.log)?;
        for want in must {
            if !lines.iter().any(|l| l.text.contains(want)) {
                return Err(format!("the defmt log has no line with {want:?}"));
            }
        }
        for unwanted in must_not {
            if let Some(l) = lines.iter().find(|l| l.text.contains(unwanted)) {
                return Err(format!("the defmt log says {:?}", l.text));
            }
        }
        println!("    defmt log: {} lines decoded", lines.len());
        for l in lines
            .iter()
            .filter(|l| l.level == "WARN" || l.level == "ERROR")
        {
            println!("    defmt| {l}");
        }
        Ok(())
    }
}
