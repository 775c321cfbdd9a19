//! The novice's agent: accepts TCP connections and runs one core session per
//! connection, each in its own task. It admits or refuses helpers itself
//! (invitation book, machine settings and policy, read fresh for every
//! connection) and asks the person only what a person decides.

mod conn;
pub mod hub;
pub mod news;
pub mod person;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use beckon_core::session::Config;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::home::Home;
use crate::machine::Machine;
use crate::story::{Story, Who};
pub use hub::{Hub, SharedHub};
pub use news::{News, NewsKind};
pub use person::ToPerson;

/// What a connection's task is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnCmd {
    /// The person's answer to the consent question.
    Consent(bool),
    /// The person's answer to the control question.
    Control(bool),
    /// The person's answer about an offered file.
    AnswerFile(u32, bool),
    /// The person clicked Stop control or typed `stop`.
    StopControl,
    /// The person pressed Ctrl+C (in the terminal running the agent).
    CtrlC,
    /// The person writes in the chat.
    Chat(String),
    /// The person offers a file.
    SendFile(PathBuf),
    /// The person cancels a transfer of this connection.
    CancelFile(u32),
    /// The person ends the session.
    Disconnect,
}

/// How questions are answered when nobody asks the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Ask the person (no person: no).
    Ask,
    /// Yes, and say so in the story.
    Yes,
}

/// Answers given without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// Start sessions.
    pub consent: Answer,
    /// Share control.
    pub control: Answer,
    /// Accept files.
    pub files: Answer,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            consent: Answer::Ask,
            control: Answer::Ask,
            files: Answer::Ask,
        }
    }
}

/// A live connection as the rest of the agent sees it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its command channel.
    pub tx: mpsc::UnboundedSender<ConnCmd>,
    /// Whether control is shared right now.
    pub in_control: bool,
}

/// Live connections by slot.
pub type Registry = Arc<Mutex<BTreeMap<u64, Entry>>>;

/// Send `cmd` to every live connection.
pub fn broadcast(registry: &Registry, cmd: &ConnCmd) {
    let reg = registry.lock().unwrap_or_else(|p| p.into_inner());
    for e in reg.values() {
        let _ = e.tx.send(cmd.clone());
    }
}

/// Whether any connection shares control now.
pub fn anyone_in_control(registry: &Registry) -> bool {
    let reg = registry.lock().unwrap_or_else(|p| p.into_inner());
    reg.values().any(|e| e.in_control)
}

/// How the agent is set up.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The data directory (book, settings, policy).
    pub home: Home,
    /// Answers given without asking.
    pub answers: Answers,
    /// Where accepted files go.
    pub download_dir: PathBuf,
    /// Session timings.
    pub session: Config,
}

/// The agent.
#[derive(Debug)]
pub struct Agent {
    ctx: Arc<conn::Ctx>,
}

impl Agent {
    /// An agent sharing the display in `hub`. `person` is where questions go
    /// (`None`: whatever is not answered by `answers` is answered no).
    pub fn new(
        config: AgentConfig,
        machine: Machine,
        hub: SharedHub,
        person: Option<mpsc::UnboundedSender<ToPerson>>,
        story: Story,
    ) -> Agent {
        Agent {
            ctx: Arc::new(conn::Ctx {
                config,
                machine,
                hub,
                person,
                story,
                registry: Registry::default(),
                news: OnceLock::new(),
            }),
        }
    }

    /// Also report what every connection does to `news` (the panel). Set
    /// once, before `serve`; a second call is ignored.
    pub fn report_to(&self, news: mpsc::UnboundedSender<News>) {
        if self.ctx.news.set(news).is_err() {
            tracing::warn!("the agent already reports its news elsewhere");
        }
    }

    /// The live connections.
    pub fn registry(&self) -> Registry {
        self.ctx.registry.clone()
    }

    /// The shared display.
    pub fn hub(&self) -> SharedHub {
        self.ctx.hub.clone()
    }

    /// Accept connections until `stop` turns true; then end every session
    /// and wait (briefly) for them to say goodbye.
    pub async fn serve(&self, listener: TcpListener, mut stop: watch::Receiver<bool>) {
        let mut tasks = JoinSet::new();
        let mut n: u64 = 0;
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        n += 1;
                        tracing::info!(%peer, conn = n, "connection accepted");
                        let ctx = self.ctx.clone();
                        tasks.spawn(conn::serve(ctx, stream, n));
                    }
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                },
                _ = stop.changed() => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
        broadcast(&self.ctx.registry, &ConnCmd::Disconnect);
        let grace = tokio::time::sleep(std::time::Duration::from_secs(2));
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { break },
                _ = &mut grace => {
                    tasks.abort_all();
                    break;
                }
            }
        }
        self.ctx.story.tell(Who::Agent, "the agent stopped");
    }
}
