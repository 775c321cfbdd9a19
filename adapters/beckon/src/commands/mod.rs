//! One file per command.

mod client;
mod connect;
mod demo;
mod doctor;
pub mod dongle;
mod group;
mod invitations;
mod invite;
mod keygen;
mod offer;
mod policy;
mod settings;
mod share;

use crate::cli::{Cli, Command, PolicyCommand};
use crate::error::{Error, Result};

/// Run the command; the exit code is 0 on success.
pub async fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Invite(a) => invite::run(a).map(|()| 0),
        Command::Invitations => invitations::list().map(|()| 0),
        Command::Revoke(a) => invitations::revoke(a).map(|()| 0),
        Command::Settings(a) => settings::run(a).map(|()| 0),
        Command::Share(a) => share::run(a).await.map(|()| 0),
        Command::Connect(a) => connect::run(a).await,
        Command::Offer(a) => offer::run(a).await,
        Command::Keygen(a) => keygen::run(a).map(|()| 0),
        Command::Group(a) => group::run(a).map(|()| 0),
        Command::Policy(a) => match a.command {
            PolicyCommand::Check { file } => policy::check(&file),
        },
        Command::Doctor(a) => doctor::run(a).await,
        Command::Demo(a) => demo::run(a).await.map(|()| 0),
        Command::Dongle(a) => dongle::run(a).map(|()| 0),
    }
}

/// The first line of standard input, without its line break.
pub fn read_stdin_line(what: &str) -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io(format!("cannot read the {what} from standard input"), e))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err(Error::Usage(format!(
            "the {what} on standard input is empty"
        )));
    }
    Ok(line)
}

/// The user's name for display, from the environment.
pub fn default_person_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    if user.is_empty() {
        "Someone".into()
    } else {
        crate::text::fit(&user, 64)
    }
}
