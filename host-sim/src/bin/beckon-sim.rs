//! `beckon-sim`: Beckon's whole story on the simulated desktop, headless.
//!
//! A person ("Oma") invites a helper ("Henk") with a password; Henk opens
//! the invitation, Oma accepts, Henk sees the screen, asks for control,
//! types into the editor until Oma presses Esc, they chat, Henk sends a
//! file and hangs up. Both sides run the real core with real Noise over the
//! simulated network; the transcript is printed as it happens and the
//! helper's view is written as a PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use beckon_core::invitation::Invitation;
use beckon_core::policy::MachineSettings;
use beckon_host_sim::agent::Answer;
use beckon_host_sim::desktop::png::encode_rgba;
use beckon_host_sim::events::{Ev, Seen};
use beckon_host_sim::net::{LinkSpec, PipeSpec};
use beckon_host_sim::Sim;
use clap::{Parser, ValueEnum};

/// Beckon's host simulator.
#[derive(Parser, Debug)]
#[command(name = "beckon-sim", version, about)]
struct Cli {
    /// Seed of every random choice: the same seed gives the same run.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// The link between the helper and the person.
    #[arg(long, value_enum, default_value_t = Link::Lan)]
    link: Link,
    /// Where to write what the helper sees at the end.
    #[arg(long, default_value = "target/beckon-demo.png")]
    snapshot: PathBuf,
    /// Also print every frame, file chunk and injected key.
    #[arg(long)]
    verbose: bool,
}

/// Kinds of link.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Link {
    /// A local network.
    Lan,
    /// A home connection: 10 Mb/s, 40 ms round trip, some jitter.
    Home,
    /// A poor mobile link: 256 kb/s, 100 ms round trip.
    Slow,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("beckon-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Run until `done` or fail with `what`.
fn until(
    sim: &mut Sim,
    what: &str,
    limit_ms: u64,
    done: impl FnMut(&mut Sim) -> bool,
) -> Result<(), String> {
    if sim.run_until(limit_ms, done) {
        Ok(())
    } else {
        Err(format!(
            "the story got stuck: {what} did not happen within {limit_ms} ms"
        ))
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let mut sim = Sim::new(cli.seed);
    sim.transcript.echo = true;
    sim.transcript.verbose = cli.verbose;
    sim.set_link(match cli.link {
        Link::Lan => LinkSpec::lan(),
        Link::Home => LinkSpec::symmetric(PipeSpec::slow(10_000, 40).with_jitter(10)),
        Link::Slow => LinkSpec::slow(256, 100),
    });
    // The machine's owner allowed remote control; every session still asks.
    sim.agent.set_settings(MachineSettings {
        allow_remote_control: true,
        ..MachineSettings::default()
    });
    sim.agent.answers.files = Answer::Wait;

    sim.note("Oma makes an invitation with a password and sends the text to Henk.");
    let now = sim.now();
    let invitation = sim
        .agent
        .invite(now, "Oma Jansen", Some("blue tulip"), 3_600_000)
        .map_err(|e| format!("could not make the invitation: {e}"))?;
    let text = invitation.to_text().map_err(|e| e.to_string())?;
    println!("\n  invitation: {text}\n  (the password travels by phone: \"blue tulip\")\n");

    sim.note("Henk pastes the text and types the password he heard on the phone.");
    let pasted = Invitation::from_text(&text).map_err(|e| e.to_string())?;
    let k = sim
        .connect_invitation("Henk", &pasted, Some("blue tulip"))
        .map_err(|e| e.to_string())?;
    until(&mut sim, "the consent question", 10_000, |s| {
        !s.prompts().is_empty()
    })?;
    sim.person_consents(k, true).map_err(|e| e.to_string())?;
    until(&mut sim, "the first picture", 60_000, |s| {
        s.expert_sees_the_screen(k)
    })?;
    let (frames, bytes) = (
        sim.agent.conns[k].video.frames_sent,
        sim.agent.conns[k].video.bytes_sent,
    );
    sim.note(&format!(
        "Henk sees Oma's screen, pixel for pixel ({frames} frame(s), {} KB).",
        bytes / 1024
    ));

    sim.note("Henk asks to share control; Oma allows it.");
    sim.expert_requests_control(k).map_err(|e| e.to_string())?;
    until(&mut sim, "the control question", 10_000, |s| {
        !s.prompts().is_empty()
    })?;
    sim.person_answers_control(k, true)
        .map_err(|e| e.to_string())?;
    until(&mut sim, "control", 10_000, |s| {
        s.experts[k].saw(&Ev::ControlGranted)
    })?;

    sim.note("Henk types into Oma's notes; halfway through, Oma presses Esc.");
    let sentence = "Hello Oma! I will now open the printer settings for you.";
    sim.expert_types(k, sentence).map_err(|e| e.to_string())?;
    until(&mut sim, "some typing", 20_000, |s| {
        s.editor_text().len() >= 20
    })?;
    sim.person_presses(0x29);
    until(&mut sim, "control to end", 10_000, |s| {
        s.experts[k]
            .events()
            .any(|e| matches!(e, Ev::ControlEnded(..)))
    })?;
    sim.run_for(1_000);

    sim.note("They chat.");
    sim.person_chats(k, "Sorry, I got nervous. What were you going to do?")
        .map_err(|e| e.to_string())?;
    sim.run_for(500);
    sim.expert_chats(k, "No problem! I will send you a short guide instead.")
        .map_err(|e| e.to_string())?;
    sim.run_for(500);

    sim.note("Henk sends a file; Oma accepts it.");
    let guide = b"1. Open Settings.\n2. Choose Printers.\n3. Click the blue printer.\n".repeat(400);
    let id = sim
        .expert_sends_file(k, "printer-guide.txt", guide, None)
        .map_err(|e| e.to_string())?;
    until(&mut sim, "the file question", 10_000, |s| {
        !s.prompts().is_empty()
    })?;
    sim.person_answers_file(k, id, true)
        .map_err(|e| e.to_string())?;
    until(&mut sim, "the file", 60_000, |s| {
        s.experts[k]
            .events()
            .any(|e| matches!(e, Ev::FileFinished(i, _) if *i == id))
    })?;
    until(&mut sim, "the last picture", 30_000, |s| {
        s.expert_sees_the_screen(k)
    })?;

    let view = sim.experts[k].view.screen().clone();
    let png = encode_rgba(view.width(), view.height(), view.pixels()).map_err(|e| e.to_string())?;
    if let Some(dir) = cli.snapshot.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&cli.snapshot, png).map_err(|e| format!("{}: {e}", cli.snapshot.display()))?;

    sim.note("Henk hangs up.");
    sim.expert_disconnects(k);
    until(&mut sim, "the end", 10_000, |s| {
        s.agent.conns[k].ended.is_some()
    })?;

    let c = &sim.agent.conns[k];
    println!();
    println!("  editor text      : {:?}", sim.editor_text());
    println!(
        "  frames sent      : {} ({} bytes encoded)",
        c.video.frames_sent, c.video.bytes_sent
    );
    println!(
        "  bytes on the wire: {} to the helper, {} to the person",
        sim.link(k)
            .pipe(beckon_host_sim::net::Toward::Expert)
            .stats()
            .bytes_written,
        sim.link(k)
            .pipe(beckon_host_sim::net::Toward::Novice)
            .stats()
            .bytes_written
    );
    println!(
        "  simulated time   : {:.1} s",
        sim.elapsed() as f64 / 1000.0
    );
    println!("  helper's view    : {}", cli.snapshot.display());
    let digest: String = sim
        .digest()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("  run digest       : {digest} (same seed, same digest)");
    Ok(())
}
