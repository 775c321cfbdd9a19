//! `beckon demo`: the whole story in one process, over real loopback TCP and
//! real crypto: the simulated desktop is Oma's machine, Henk is the helper.

use std::path::{Path, PathBuf};
use std::time::Duration;

use beckon_core::invitation::{Invitation, NewInvitation};
use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use beckon_core::session::{Config, ExpertSession};
use rand_core::OsRng;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::agent::{self, Agent, AgentConfig, Answer, Answers, ConnCmd, Hub};
use crate::book::BookStore;
use crate::cli::DemoArgs;
use crate::clock::unix_ms;
use crate::display::SimulatedDisplay;
use crate::error::{Error, Result};
use crate::expert::script::{run_step, Pace, Step};
use crate::expert::{Client, ClientOptions, Control, FileAnswer};
use crate::files::Finished;
use crate::home::{write_atomic, Home};
use crate::machine::Machine;
use crate::observe::{editor_text, view_matches};
use crate::story::{Story, Who};

const PASSWORD: &str = "blue tulip";
const SENTENCE: &str = "Hello Oma! I will now open the printer settings for you.";

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        let dir =
            std::env::temp_dir().join(format!("beckon-demo-{}-{}", std::process::id(), unix_ms()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stuck(what: &str) -> Error {
    Error::Other(format!("the demo got stuck: {what} did not happen in time"))
}

pub async fn run(args: DemoArgs) -> Result<()> {
    let story = Story::new();
    let scratch = Scratch::new()?;
    let home = Home::at(scratch.0.join("home"));
    crate::settings::change(&home, |s| s.allow_remote_control = true)?;
    let machine = Machine::load_or_create(&home)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::io("cannot listen on loopback", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("cannot read the listening address", e))?
        .to_string();
    story.tell(
        Who::Demo,
        format!("Oma's machine (simulated desktop) listens on {addr}; its owner allowed remote control, every session still asks"),
    );

    let now = unix_ms();
    let refs = [addr.as_str()];
    let mut new = NewInvitation::new("Oma Jansen", now + 3_600_000);
    new.addresses = &refs;
    new.password = Some(PASSWORD.as_bytes());
    let invitation = BookStore::new(&home)
        .update(|book| match book.create(&mut OsRng, &new, now) {
            Ok(inv) => (true, Ok(inv.clone())),
            Err(e) => (false, Err(e)),
        })?
        .map_err(|e| Error::Other(format!("cannot make the invitation: {e}")))?;
    let text = invitation.to_text()?;
    story.tell(
        Who::Person,
        "Oma makes an invitation with a password and mails the text to Henk:",
    );
    println!("\n  {text}\n  (the password travels by phone: \"{PASSWORD}\")\n");

    let sim = SimulatedDisplay::new(1280, 800, Layout::Us);
    let keyboard = sim.local_keyboard();
    let hub = Hub::new(Box::new(sim));
    let config = AgentConfig {
        home: home.clone(),
        answers: Answers {
            consent: Answer::Yes,
            control: Answer::Yes,
            files: Answer::Yes,
        },
        download_dir: scratch.0.join("oma-downloads"),
        session: Config::default(),
    };
    let agent = Agent::new(config, machine, hub.clone(), None, story.clone());
    let registry = agent.registry();
    let (stop_tx, stop_rx) = watch::channel(false);
    let agent_task = tokio::spawn(async move { agent.serve(listener, stop_rx).await });

    story.tell(
        Who::Helper,
        "Henk pastes the text and types the password he heard on the phone",
    );
    let pasted = Invitation::from_text(&text)?;
    let session = ExpertSession::for_invitation(
        Config::default(),
        &mut OsRng,
        &pasted,
        Some(PASSWORD.as_bytes()),
        "Henk",
        unix_ms(),
    )
    .map_err(|e| Error::Other(e.to_string()))?;
    let options = ClientOptions {
        download_dir: scratch.0.join("henk-downloads"),
        files: FileAnswer::Accept,
        story: story.clone(),
        news: None,
    };
    let mut client = Client::connect(std::slice::from_ref(&addr), session, options).await?;
    let limit = Duration::from_secs(30);
    let (s, ok) = client.wait_for(limit, |s| s.started && s.frames > 0).await;
    if !ok {
        return Err(s
            .ended
            .map(Error::Ended)
            .unwrap_or_else(|| stuck("the first picture")));
    }
    story.tell(Who::Demo, "Henk sees Oma's screen");

    story.tell(Who::Demo, "Henk asks to share control; Oma allows it");
    let pace = Pace {
        layout: Layout::Us,
        key_delay: Duration::from_millis(40),
        limit,
    };
    run_step(&mut client, &Step::RequestControl, &pace).await?;
    run_step(&mut client, &Step::WaitControl, &pace).await?;

    story.tell(
        Who::Demo,
        "Henk types into Oma's notes; halfway through, Oma presses Esc",
    );
    let mut esc_pressed = false;
    for ch in SENTENCE.chars() {
        if client.now().control != Control::Granted {
            break;
        }
        let events: Vec<InputEvent> = Layout::Us
            .strokes(ch)
            .map_err(|e| Error::Other(e.to_string()))?
            .iter()
            .flat_map(|s| s.events())
            .collect();
        client.send(crate::expert::Cmd::Input(events));
        tokio::time::sleep(pace.key_delay).await;
        if !esc_pressed && editor_text(&hub).chars().count() >= 20 {
            story.tell(Who::Person, "Oma presses Esc on her own keyboard");
            keyboard.press(0x29);
            esc_pressed = true;
        }
    }
    let (_, ok) = client
        .wait_for(limit, |s| matches!(s.control, Control::Ended(..)))
        .await;
    if !ok {
        return Err(stuck("the end of shared control"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    story.tell(Who::Demo, "they chat");
    agent::broadcast(
        &registry,
        &ConnCmd::Chat("Sorry, I got nervous. What were you going to do?".into()),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.send(crate::expert::Cmd::Chat(
        "No problem! I will send you a short guide instead.".into(),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    story.tell(Who::Demo, "Henk sends a file; Oma accepts it");
    let guide = scratch.0.join("printer-guide.txt");
    let body = "1. Open Settings.\n2. Choose Printers.\n3. Click the blue printer.\n".repeat(400);
    std::fs::write(&guide, body)
        .map_err(|e| Error::io(format!("cannot write {}", guide.display()), e))?;
    run_step(&mut client, &Step::SendFile(guide), &pace).await?;

    let deadline = tokio::time::Instant::now() + limit;
    while !view_matches(&client, &hub) {
        if tokio::time::Instant::now() > deadline {
            return Err(stuck("the last picture"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let png = client.snapshot_png()?;
    write_snapshot(&args.snapshot, &png)?;
    story.tell(
        Who::Demo,
        format!(
            "Henk's view, pixel for pixel Oma's screen, is in {}",
            args.snapshot.display()
        ),
    );

    if !args.headless {
        story.tell(Who::Demo, "the session stays open; press Ctrl+C to hang up");
        let mut status = client.status.clone();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = status.wait_for(|s| s.ended.is_some()) => {}
        }
    }

    story.tell(Who::Helper, "Henk hangs up");
    let frames = client.now().frames;
    let files = client.now().files;
    let end = client.finish().await;
    // Let Oma's side hear the goodbye before the agent stops.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !registry.lock().map(|r| r.is_empty()).unwrap_or(true)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop_tx.send(true);
    let _ = agent_task.await;
    println!();
    println!("  editor text    : {:?}", editor_text(&hub));
    println!("  frames seen    : {frames}");
    for (id, f) in files {
        if let Finished::Delivered(name) = f {
            println!("  file #{id}        : {name} delivered, checksum verified");
        }
    }
    if let Some(r) = end.ended {
        println!("  session ended  : {r}");
    }
    println!("  helper's view  : {}", args.snapshot.display());
    Ok(())
}

fn write_snapshot(path: &Path, png: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    write_atomic(path, png)
}
