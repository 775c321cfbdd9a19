//! Latency over loopback TCP with real crypto: from `connect` to the first
//! picture (handshake, consent answered at once, the whole first frame),
//! from the helper's key press to the change in the simulated desktop's
//! editor, and to the helper's view showing the same pixels as the desktop.
//! Prints median and p99.
//!
//! `cargo bench -p beckon --bench latency` (add `--profile dev` for a quick,
//! unoptimised run).

use std::time::{Duration, Instant};

use beckon::agent::hub::lock;
use beckon::agent::{Agent, AgentConfig, Answer, Answers, Hub};
use beckon::book::BookStore;
use beckon::clock::unix_ms;
use beckon::display::SimulatedDisplay;
use beckon::expert::{Client, ClientOptions, Cmd, Control, FileAnswer};
use beckon::home::Home;
use beckon::machine::Machine;
use beckon::observe::{editor_text, view_matches};
use beckon::story::Story;
use beckon_core::invitation::NewInvitation;
use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use beckon_core::session::{Config, ExpertSession};
use rand_core::OsRng;
use tokio::net::TcpListener;
use tokio::sync::watch;

const ROUNDS: usize = 200;

/// Connections timed from `connect` to the first picture.
const CONNECTS: usize = 20;

/// Pause between two key presses, as a quick typist leaves (about 12 keys a
/// second): the picture's frame pacing then never has to wait.
const TYPING_GAP: Duration = Duration::from_millis(80);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what:<34} median {:>7.2} ms   p99 {:>7.2} ms   ({} samples)",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn session_for(invitation: &beckon_core::invitation::Invitation) -> ExpertSession {
    ExpertSession::for_invitation(
        Config::default(),
        &mut OsRng,
        invitation,
        None,
        "Bench",
        unix_ms(),
    )
    .expect("session")
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(16 * 1024 * 1024)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let home = Home::at(scratch.path().join("home"));
    beckon::settings::change(&home, |s| s.allow_remote_control = true).expect("settings");
    let machine = Machine::load_or_create(&home).expect("machine");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let addr = listener.local_addr().expect("address").to_string();
    let now = unix_ms();
    let refs = [addr.as_str()];
    let mut new = NewInvitation::new("Bench", now + 3_600_000);
    new.addresses = &refs;
    let invitation = BookStore::new(&home)
        .update(|b| (true, b.create(&mut OsRng, &new, now).cloned()))
        .expect("book")
        .expect("invitation");

    let hub = Hub::new(Box::new(SimulatedDisplay::new(1280, 800, Layout::Us)));
    let home_for_connects = home.clone();
    let config = AgentConfig {
        home,
        answers: Answers {
            consent: Answer::Yes,
            control: Answer::Yes,
            files: Answer::Yes,
        },
        download_dir: scratch.path().join("downloads"),
        session: Config::default(),
    };
    let agent = Agent::new(config, machine, hub.clone(), None, Story::silent());
    let (_stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move { agent.serve(listener, stop_rx).await });

    let limit = Duration::from_secs(30);
    let options = || ClientOptions {
        download_dir: scratch.path().join("helper"),
        files: FileAnswer::Decline,
        story: Story::silent(),
    };

    // Connect → first picture, each time with a fresh invitation.
    let mut to_first_frame = Vec::with_capacity(CONNECTS);
    for _ in 0..CONNECTS {
        let now = unix_ms();
        let mut new = NewInvitation::new("Bench", now + 3_600_000);
        new.addresses = &refs;
        let fresh = BookStore::new(&home_for_connects)
            .update(|b| (true, b.create(&mut OsRng, &new, now).cloned()))
            .expect("book")
            .expect("invitation");
        let t0 = Instant::now();
        let mut c = Client::connect(std::slice::from_ref(&addr), session_for(&fresh), options())
            .await
            .expect("connect");
        let (_, ok) = c.wait_for(limit, |s| s.started && s.frames > 0).await;
        assert!(ok, "no picture");
        to_first_frame.push(t0.elapsed());
        let _ = c.finish().await;
    }

    let mut client = Client::connect(&[addr], session_for(&invitation), options())
        .await
        .expect("connect");
    let (_, ok) = client.wait_for(limit, |s| s.started && s.frames > 0).await;
    assert!(ok, "no picture");
    let (tx, rx) = tokio::sync::oneshot::channel();
    client.send(Cmd::RequestControl(tx));
    rx.await.expect("task").expect("request");
    let (_, ok) = client
        .wait_for(limit, |s| s.control == Control::Granted)
        .await;
    assert!(ok, "no control");

    let mut changed = lock(&hub).subscribe();
    let mut status = client.status.clone();
    let mut to_desktop = Vec::with_capacity(ROUNDS);
    let mut to_view = Vec::with_capacity(ROUNDS);
    let x: Vec<InputEvent> = Layout::Us
        .strokes('x')
        .expect("x")
        .iter()
        .flat_map(|s| s.events())
        .collect();
    let backspace = vec![
        InputEvent::Key {
            usage: 0x2A,
            down: true,
        },
        InputEvent::Key {
            usage: 0x2A,
            down: false,
        },
    ];
    for round in 0..ROUNDS {
        // Let the previous round's picture settle, then pause as a typist does.
        while !view_matches(&client, &hub) {
            let _ = tokio::time::timeout(Duration::from_millis(20), status.changed()).await;
        }
        tokio::time::sleep(TYPING_GAP).await;
        let before = editor_text(&hub);
        let keys = if round % 2 == 0 {
            x.clone()
        } else {
            backspace.clone()
        };
        changed.borrow_and_update();
        status.borrow_and_update();
        let t0 = Instant::now();
        client.send(Cmd::Input(keys));
        while editor_text(&hub) == before {
            let _ = tokio::time::timeout(Duration::from_millis(5), changed.changed()).await;
            assert!(t0.elapsed() < limit, "the editor never changed");
        }
        to_desktop.push(t0.elapsed());
        while !view_matches(&client, &hub) {
            let _ = tokio::time::timeout(Duration::from_millis(5), status.changed()).await;
            assert!(t0.elapsed() < limit, "the view never caught up");
        }
        to_view.push(t0.elapsed());
    }
    println!("beckon latency over loopback TCP (1280x800 simulated desktop)");
    report("connect -> first picture", to_first_frame);
    report("key -> desktop editor changed", to_desktop);
    report("key -> helper's view shows it", to_view);
    let _ = client.finish().await;
}
