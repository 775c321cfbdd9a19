//! The person at the novice's machine, in a terminal: questions are printed
//! one at a time and answered with a line on standard input; other lines are
//! commands (`stop`, `chat TEXT`, `disconnect`, `help`).

use std::collections::VecDeque;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use super::{ConnCmd, Registry};

/// A question for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Start a session with this helper (INV-08)?
    Consent {
        /// The helper's name.
        helper: String,
    },
    /// Share keyboard and mouse with this helper (SES-02)?
    Control {
        /// The helper's name.
        helper: String,
    },
    /// Accept this file (SES-07)?
    File {
        /// The helper's name.
        helper: String,
        /// Transfer id.
        id: u32,
        /// File name.
        name: String,
        /// Size in bytes.
        size: u64,
    },
}

impl Ask {
    /// The question in words.
    pub fn text(&self) -> String {
        match self {
            Ask::Consent { helper } => format!(
                "{helper} wants to see your screen and chat with you.\n  \
                 They will see everything on your screen: only say yes to someone you trust.\n  \
                 Start the session? [y/n]"
            ),
            Ask::Control { helper } => format!(
                "{helper} asks to use your keyboard and mouse together with you.\n  \
                 You can take control back at any moment: press Esc, press Ctrl+C, or type stop here.\n  \
                 Allow it? [y/n]"
            ),
            Ask::File {
                helper, name, size, ..
            } => format!("{helper} sends you the file {name:?} ({size} bytes). Accept it? [y/n]"),
        }
    }

    /// The command that carries the answer.
    pub fn answer(&self, yes: bool) -> ConnCmd {
        match self {
            Ask::Consent { .. } => ConnCmd::Consent(yes),
            Ask::Control { .. } => ConnCmd::Control(yes),
            Ask::File { id, .. } => ConnCmd::AnswerFile(*id, yes),
        }
    }
}

/// A question from one connection.
#[derive(Debug)]
pub struct Question {
    /// The connection asking.
    pub conn: u64,
    /// What.
    pub ask: Ask,
    /// Where the answer goes.
    pub reply: mpsc::UnboundedSender<ConnCmd>,
}

/// Messages to the person's task.
#[derive(Debug)]
pub enum ToPerson {
    /// Ask this.
    Ask(Question),
    /// The connection's questions no longer matter (it ended, or the core
    /// settled them).
    Retract {
        /// The connection.
        conn: u64,
    },
}

fn yes_no(line: &str) -> Option<bool> {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "j" | "ja" => Some(true),
        "n" | "no" | "nee" | "nei" | "nein" => Some(false),
        _ => None,
    }
}

/// Run the person's side until the agent stops. Without a terminal (end of
/// input), every later question is answered no.
pub async fn run(mut rx: mpsc::UnboundedReceiver<ToPerson>, registry: Registry) {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut queue: VecDeque<Question> = VecDeque::new();
    let mut shown = false;
    let mut eof = false;
    loop {
        if let Some(q) = queue.front() {
            if eof {
                println!("  (nobody at the terminal: answering no) {}", q.ask.text());
                let _ = q.reply.send(q.ask.answer(false));
                queue.pop_front();
                continue;
            }
            if !shown {
                println!("\n? {}", q.ask.text());
                shown = true;
            }
        }
        tokio::select! {
            msg = rx.recv() => match msg {
                None => return,
                Some(ToPerson::Ask(q)) => queue.push_back(q),
                Some(ToPerson::Retract { conn }) => {
                    if queue.front().is_some_and(|q| q.conn == conn) {
                        shown = false;
                    }
                    queue.retain(|q| q.conn != conn);
                }
            },
            line = lines.next_line(), if !eof => match line {
                Ok(Some(line)) => {
                    let trimmed = line.trim();
                    if command(trimmed, &registry) {
                        continue;
                    }
                    match (queue.front(), yes_no(trimmed)) {
                        (Some(q), Some(yes)) => {
                            let _ = q.reply.send(q.ask.answer(yes));
                            queue.pop_front();
                            shown = false;
                        }
                        (Some(_), None) => println!("  Please answer y (yes) or n (no)."),
                        (None, _) if trimmed.is_empty() => {}
                        (None, _) => println!("  Not understood. Type help for the commands."),
                    }
                }
                _ => eof = true,
            },
        }
    }
}

/// A command line; returns whether it was one.
fn command(line: &str, registry: &Registry) -> bool {
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let cmd = match word.to_ascii_lowercase().as_str() {
        "stop" => {
            println!("  Taking control back.");
            ConnCmd::StopControl
        }
        "chat" if !rest.trim().is_empty() => ConnCmd::Chat(rest.trim().to_string()),
        "send-file" if !rest.trim().is_empty() => {
            ConnCmd::SendFile(std::path::PathBuf::from(rest.trim()))
        }
        "disconnect" => ConnCmd::Disconnect,
        "help" => {
            println!(
                "  stop             take keyboard and mouse back from the helper\n  \
                 chat TEXT        write to the helper\n  \
                 send-file PATH   offer a file to the helper\n  \
                 disconnect       end every session\n  \
                 y / n            answer the question shown"
            );
            return true;
        }
        _ => return false,
    };
    super::broadcast(registry, &cmd);
    true
}
