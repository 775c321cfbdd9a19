//! `beckon connect`: the helper opens an invitation (INV-05).

use std::path::Path;

use beckon_core::invitation::Invitation;
use beckon_core::reason::EndReason;
use beckon_core::session::{Config, ExpertError, ExpertSession};
use rand_core::OsRng;

use crate::cli::ConnectArgs;
use crate::clock::unix_ms;
use crate::error::{Error, Result};
use crate::story::{Story, Who};

/// Read an invitation given as `beckon1:` text or as a `.beckon` file.
pub fn open_invitation(arg: &str) -> Result<Invitation> {
    let trimmed = arg.trim();
    if trimmed.len() >= 7 && trimmed[..7].eq_ignore_ascii_case("beckon1") {
        return Ok(Invitation::from_text(trimmed)?);
    }
    let path = Path::new(arg);
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|source| Error::InvitationFile {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok(Invitation::from_file(&text)?);
    }
    Ok(Invitation::from_text(trimmed)?)
}

pub async fn run(args: ConnectArgs) -> Result<u8> {
    let invitation = open_invitation(&args.invitation)?;
    if invitation.is_expired(unix_ms()) {
        return Err(Error::Ended(EndReason::Expired));
    }
    let console = super::client::uses_console(&args.client);
    // In the console the helper types the password in the page.
    let ask_in_page = console && invitation.needs_password() && !args.password_stdin;
    let password = if invitation.needs_password() && !ask_in_page {
        if !args.password_stdin {
            eprint!("This invitation has a password; type it and press Enter: ");
        }
        Some(super::read_stdin_line("password")?)
    } else {
        None
    };
    let name = args
        .client
        .name
        .clone()
        .unwrap_or_else(super::default_person_name);
    let addresses: Vec<String> = invitation.addresses.iter().map(|a| a.to_string()).collect();
    Story::new().tell(
        Who::Helper,
        format!(
            "invitation from {} opened; connecting to {}",
            invitation.novice_name,
            addresses.join(", ")
        ),
    );
    if ask_in_page {
        // Checked now, so a bad name is a usage error and not a page error.
        session_for(&invitation, Some("-"), &name)?;
        let start = crate::web::console::Start::NeedsPassword(Box::new(invitation));
        return super::client::run_console(start, addresses, name, args.client).await;
    }
    let session = session_for(&invitation, password.as_deref(), &name)?;
    super::client::run(session, addresses, args.client).await
}

fn session_for(
    invitation: &Invitation,
    password: Option<&str>,
    name: &str,
) -> Result<ExpertSession> {
    ExpertSession::for_invitation(
        Config::default(),
        &mut OsRng,
        invitation,
        password.map(str::as_bytes),
        name,
        unix_ms(),
    )
    .map_err(|e| match e {
        ExpertError::BadName => Error::Usage(format!("--name: {e}")),
        e => Error::Other(e.to_string()),
    })
}
