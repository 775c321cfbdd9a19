//! `beckon invite`: a new invitation in the book, as a file and as text.

use std::path::PathBuf;

use crate::cli::InviteArgs;
use crate::clock::{format_utc, parse_duration};
use crate::error::{Error, Result};
use crate::home::{write_atomic, Home};

/// Where `beckon share` listens unless told otherwise.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:7070";

pub fn run(args: InviteArgs) -> Result<()> {
    let home = Home::locate()?;
    let lifetime = parse_duration(&args.expires).map_err(Error::Usage)?;
    let password = if args.password_stdin {
        Some(super::read_stdin_line("password")?)
    } else {
        None
    };
    let name = args.name.unwrap_or_else(super::default_person_name);
    let addresses = if args.addresses.is_empty() {
        vec![DEFAULT_ADDRESS.to_string()]
    } else {
        args.addresses
    };
    let invitation = crate::book::create(&home, &name, lifetime, password.as_deref(), &addresses)?;
    let text = invitation.to_text()?;
    let file = invitation.to_file()?;
    let id = invitation.id.to_string();
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("invitation-{}.beckon", &id[..8])));
    write_atomic(&out, file.as_bytes())?;
    eprintln!(
        "Invitation {id} from {name}, valid until {}.\n\
         Written to {}. Send the file, or the text below, to your helper.{}\n\
         Run `beckon share` so they can reach you.",
        format_utc(invitation.expires_at_ms),
        out.display(),
        if invitation.needs_password() {
            "\nTell them the password another way, by phone for instance."
        } else {
            ""
        }
    );
    println!("{text}");
    Ok(())
}
