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
use beckon::agent::Hub;
use beckon::display::SimulatedDisplay;
use beckon::expert::{Client, Cmd, Control};
use beckon::home::Home;
use beckon::observe::{editor_text, view_matches};
use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use tokio::net::TcpListener;
use tokio::sync::watch;

#[path = "support/mod.rs"]
mod support;
use support::{eager_agent, helper_session, open_invitation, quiet_helper};

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

fn main() {
    let rt = beckon::runtime().expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let home = Home::at(scratch.path().join("home"));
    beckon::settings::change(&home, |s| s.allow_remote_control = true).expect("settings");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let addr = listener.local_addr().expect("address").to_string();
    let invitation = open_invitation(&home, &addr);

    let hub = Hub::new(Box::new(SimulatedDisplay::new(1280, 800, Layout::Us)));
    let agent = eager_agent(home.clone(), hub.clone(), scratch.path());
    let (_stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move { agent.serve(listener, stop_rx).await });

    let limit = Duration::from_secs(30);

    // Connect → first picture, each time with a fresh invitation.
    let mut to_first_frame = Vec::with_capacity(CONNECTS);
    for _ in 0..CONNECTS {
        let fresh = open_invitation(&home, &addr);
        let t0 = Instant::now();
        let mut c = Client::connect(
            std::slice::from_ref(&addr),
            helper_session(&fresh),
            quiet_helper(scratch.path()),
        )
        .await
        .expect("connect");
        let (_, ok) = c.wait_for(limit, |s| s.started && s.frames > 0).await;
        assert!(ok, "no picture");
        to_first_frame.push(t0.elapsed());
        let _ = c.finish().await;
    }

    let mut client = Client::connect(
        &[addr],
        helper_session(&invitation),
        quiet_helper(scratch.path()),
    )
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
