//! The whole Beckon story in one process, on the core alone: an invitation
//! with a password travels as copy-paste text, the helper connects, the
//! person accepts, the screen is shared, control is granted, the helper types,
//! the person presses Esc, they chat, a file crosses, and the helper leaves.
//!
//! Every byte between the two sides is a real Noise handshake message or
//! encrypted record; only the link is in memory. Run it with
//! `cargo run -p beckon-core --example session`.

use beckon_core::control::{LocalInput, USAGE_ESCAPE};
use beckon_core::handshake::StaticKeypair;
use beckon_core::invitation::{Invitation, InvitationBook, NewInvitation};
use beckon_core::message::{Encoding, InputEvent};
use beckon_core::policy::MachineSettings;
use beckon_core::session::{Config, Event, ExpertSession, NoviceSession};
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Prints one transcript line: simulated time, side, what happened.
fn say(now: u64, start: u64, side: &str, what: impl AsRef<str>) {
    let t = (now - start) as f64 / 1000.0;
    println!("[{t:7.3}s] {side:<7}| {}", what.as_ref());
}

struct Story {
    start: u64,
    now: u64,
    novice: NoviceSession,
    expert: ExpertSession,
    book: InvitationBook<8>,
    typed: String,
    received_file: Vec<u8>,
}

impl Story {
    /// Narrate every event the novice has, acting as its driver would.
    fn drain_novice(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.novice.poll_event() {
            any = true;
            let line = match e {
                Event::Authenticate => "a helper is knocking: checking the invitation".to_string(),
                Event::Inject(InputEvent::Key { usage, down: true }) => {
                    if let Some(c) = letter(usage) {
                        self.typed.push(c);
                    }
                    format!(
                        "injected key {usage:#04x}; the editor now shows {:?}",
                        self.typed
                    )
                }
                Event::Inject(other) => format!("injected {other:?}"),
                Event::FileData { data, .. } => {
                    self.received_file.extend_from_slice(data);
                    format!("received {} bytes of the file", data.len())
                }
                other => describe(&other),
            };
            say(self.now, self.start, "novice", line);
        }
        any
    }

    /// Narrate every event the expert has.
    fn drain_expert(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.expert.poll_event() {
            any = true;
            say(self.now, self.start, "expert", describe(&e));
        }
        any
    }

    /// Move bytes until both sides are quiet, narrating every event.
    fn run(&mut self) {
        loop {
            let mut moved = self.drain_novice() | self.drain_expert();
            if let Some(bytes) = self.expert.poll_transmit() {
                let mut rest = bytes.to_vec();
                self.expert.advance_transmit(rest.len());
                while !rest.is_empty() {
                    let taken = self.novice.handle_input(self.now, &rest);
                    rest.drain(..taken);
                    self.drain_novice();
                }
                moved = true;
            }
            if let Some(bytes) = self.novice.poll_transmit() {
                let mut rest = bytes.to_vec();
                self.novice.advance_transmit(rest.len());
                while !rest.is_empty() {
                    let taken = self.expert.handle_input(self.now, &rest);
                    rest.drain(..taken);
                    self.drain_expert();
                }
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    fn wait(&mut self, ms: u64) {
        self.now += ms;
        self.novice.handle_timeout(self.now);
        self.expert.handle_timeout(self.now);
        self.run();
    }
}

fn letter(usage: u8) -> Option<char> {
    (0x04..=0x1d)
        .contains(&usage)
        .then(|| (b'a' + usage - 0x04) as char)
}

fn describe(e: &Event<'_>) -> String {
    match e {
        Event::ConsentRequested { expert_name } => {
            format!("asks the person: {expert_name} wants to see your screen and chat. Allow?")
        }
        Event::Admitted { novice_name } => {
            format!("{novice_name}'s machine accepted the invitation; waiting for them to say yes")
        }
        Event::Started => "session started: screen view and chat".into(),
        Event::ControlRequested => "asks the person: the helper wants to share control. Stop any time with Esc, Ctrl+C or Stop control".into(),
        Event::ControlGranted => "shared control is on".into(),
        Event::ControlRefused(r) => format!("control refused: {r}"),
        Event::ControlEnded { by, how } => format!("control ended by the {by:?} ({how:?})"),
        Event::Chat(entry) => format!("chat #{} from {:?}: {}", entry.seq, entry.from, entry.text),
        Event::FileOffered { name, size, .. } => format!("file offered: {name} ({size} bytes)"),
        Event::FileAccepted { id } => format!("file {id} accepted; sending"),
        Event::FileProgress { done, total, .. } => format!("file progress: {done} of {total} bytes"),
        Event::FileFinished { outcome, .. } => format!("file transfer finished: {outcome:?}"),
        Event::FrameStart { frame, width, height } => format!("frame {frame}: {width}x{height}"),
        Event::Rect { w, h, encoding, .. } => format!("  rectangle {w}x{h} ({encoding:?})"),
        Event::FrameEnd { frame } => format!("frame {frame} complete (acked)"),
        Event::Ended(reason) => format!("session ended: {reason}"),
        other => format!("{other:?}"),
    }
}

fn main() {
    let mut rng = OsRng;
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let now = start;

    // The person who needs help makes an invitation with a password.
    let mut book = InvitationBook::<8>::new();
    let invitation = book
        .create(
            &mut rng,
            &NewInvitation {
                novice_name: "Oma Jansen",
                expires_at_ms: now + 3_600_000,
                addresses: &["127.0.0.1:7070"],
                password: Some(b"tulip"),
                kdf_iterations: beckon_core::invitation::DEFAULT_KDF_ITERATIONS,
            },
            now,
        )
        .expect("a new book has room")
        .clone();
    let text = invitation.to_text().expect("fits");
    say(
        now,
        start,
        "novice",
        format!("invitation created, valid for 1 h: {text}"),
    );
    say(
        now,
        start,
        "novice",
        "tells the helper the password by phone",
    );

    // The helper pastes the text and types the password.
    let pasted = Invitation::from_text(&text).expect("the text decodes");
    let settings = MachineSettings {
        allow_remote_control: true,
        ..MachineSettings::default()
    };
    let machine_key = StaticKeypair::generate(&mut rng);
    let novice = NoviceSession::new(
        Config::default(),
        &mut rng,
        settings,
        &machine_key.secret,
        "Oma's laptop",
        now,
    );
    let expert = ExpertSession::for_invitation(
        Config::default(),
        &mut rng,
        &pasted,
        Some(b"tulip"),
        "Henk",
        now,
    )
    .expect("password given");
    say(
        now,
        start,
        "expert",
        "connects with the invitation and the password",
    );

    let mut s = Story {
        start,
        now,
        novice,
        expert,
        book,
        typed: String::new(),
        received_file: Vec::new(),
    };
    s.run();
    s.novice
        .admit_invitation(s.now, &mut rng, &mut s.book)
        .expect("the password is right");
    s.run();
    s.wait(1_500);
    s.novice.consent(s.now, true).expect("awaiting consent");
    s.run();

    // The screen: one frame, a solid background.
    let frame = s.novice.begin_frame(1280, 800, 1).expect("window open");
    s.novice
        .send_rect(
            frame,
            (0, 0, 1280, 800),
            Encoding::Solid,
            4,
            0,
            &[0x20, 0x40, 0x80, 0xff],
        )
        .expect("room");
    s.novice.end_frame(frame).expect("room");
    s.run();

    // Control: asked, allowed, typed into, stopped with Esc.
    s.wait(800);
    s.expert.request_control().expect("viewing");
    s.run();
    s.wait(2_000);
    s.novice.answer_control(s.now, true).expect("offered");
    s.run();
    for (i, usage) in [0x0b, 0x08, 0x0f, 0x0f, 0x12, 0x1a, 0x12, 0x15, 0x0f, 0x07]
        .into_iter()
        .enumerate()
    {
        if i == 5 {
            s.wait(40);
            say(s.now, start, "novice", "presses Esc on the local keyboard");
            s.novice.local_input(
                s.now,
                LocalInput::Key {
                    usage: USAGE_ESCAPE,
                    down: true,
                },
            );
            s.run();
        }
        let _ = s.expert.send_input(InputEvent::Key { usage, down: true });
        let _ = s.expert.send_input(InputEvent::Key { usage, down: false });
        s.wait(40);
    }
    say(
        s.now,
        start,
        "novice",
        format!("the editor shows {:?}: the rest was never typed", s.typed),
    );

    // Chat and a file.
    s.novice.send_chat("Dank je, Henk!").expect("started");
    s.expert
        .send_chat("Graag gedaan. Ik stuur je de handleiding.")
        .expect("started");
    s.run();
    let manual = b"Stap 1: herstart de printer.\nStap 2: druk op OK.\n".repeat(200);
    let id = s
        .expert
        .offer_file(
            "handleiding.txt",
            manual.len() as u64,
            Sha256::digest(&manual).into(),
        )
        .expect("room");
    s.run();
    s.novice.answer_file(id, true).expect("offered");
    s.run();
    while let Some((tid, offset, max)) = s.expert.next_file_chunk() {
        let end = (offset as usize + max).min(manual.len());
        s.expert
            .send_file_chunk(tid, offset, &manual[offset as usize..end])
            .expect("asked for");
        s.run();
    }
    s.run();
    assert_eq!(s.received_file, manual, "the file arrived whole");

    // The helper leaves.
    s.wait(1_000);
    s.expert.disconnect();
    s.run();
    say(
        s.now,
        start,
        "both",
        "done: every byte above crossed as Noise-encrypted records",
    );
}
