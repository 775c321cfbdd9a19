//! What both benchmarks set up the same way: an invitation in a scratch
//! book, an agent that says yes to everything, and a quiet helper.

use std::path::Path;

use beckon::agent::{Agent, AgentConfig, Answer, Answers, SharedHub};
use beckon::book::BookStore;
use beckon::clock::unix_ms;
use beckon::expert::{ClientOptions, FileAnswer};
use beckon::home::Home;
use beckon::machine::Machine;
use beckon::story::Story;
use beckon_core::invitation::{Invitation, NewInvitation};
use beckon_core::session::{Config, ExpertSession};
use rand_core::OsRng;

/// A fresh invitation to `addr`, valid for an hour, in `home`'s book.
pub fn open_invitation(home: &Home, addr: &str) -> Invitation {
    let now = unix_ms();
    let refs = [addr];
    let mut new = NewInvitation::new("Bench", now + 3_600_000);
    new.addresses = &refs;
    BookStore::new(home)
        .update(|b| (true, b.create(&mut OsRng, &new, now).cloned()))
        .expect("book")
        .expect("invitation")
}

/// The helper's session for `invitation` (no password).
pub fn helper_session(invitation: &Invitation) -> ExpertSession {
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

/// An agent on `hub` that accepts sessions, control and files at once.
pub fn eager_agent(home: Home, hub: SharedHub, scratch: &Path) -> Agent {
    let machine = Machine::load_or_create(&home).expect("machine");
    let config = AgentConfig {
        home,
        answers: Answers {
            consent: Answer::Yes,
            control: Answer::Yes,
            files: Answer::Yes,
        },
        download_dir: scratch.join("downloads"),
        session: Config::default(),
    };
    Agent::new(config, machine, hub, None, Story::silent())
}

/// A helper that says nothing and declines files.
pub fn quiet_helper(scratch: &Path) -> ClientOptions {
    ClientOptions {
        download_dir: scratch.join("helper"),
        files: FileAnswer::Decline,
        story: Story::silent(),
        news: None,
    }
}
