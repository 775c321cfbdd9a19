//! `beckon invitations` and `beckon revoke` (INV-04).

use beckon_core::invitation::{InvitationId, InvitationStatus};

use crate::book::BookStore;
use crate::cli::RevokeArgs;
use crate::clock::{format_utc, unix_ms};
use crate::error::{Error, Result};
use crate::home::Home;

fn status_word(s: InvitationStatus) -> &'static str {
    match s {
        InvitationStatus::Open => "open",
        InvitationStatus::Used => "used",
        InvitationStatus::Expired => "expired",
        InvitationStatus::Revoked => "revoked",
        InvitationStatus::Locked => "locked",
    }
}

pub fn list() -> Result<()> {
    let home = Home::locate()?;
    let book = BookStore::new(&home).load()?;
    if book.is_empty() {
        println!("No invitations yet. Make one with `beckon invite`.");
        return Ok(());
    }
    let now = unix_ms();
    println!("{:<32}  {:<20}  {:<20}  STATUS", "ID", "NAME", "EXPIRES");
    for (inv, status) in book.list(now) {
        let name = crate::text::fit(inv.novice_name.as_str(), 20);
        println!(
            "{:<32}  {:<20}  {:<20}  {}",
            inv.id.to_string(),
            name,
            format_utc(inv.expires_at_ms),
            status_word(status)
        );
    }
    Ok(())
}

pub fn revoke(args: RevokeArgs) -> Result<()> {
    let home = Home::locate()?;
    let store = BookStore::new(&home);
    if args.all {
        let n = store.update(|book| (true, book.revoke_all()))?;
        println!("Revoked every invitation ({n} could still have been used).");
        return Ok(());
    }
    let wanted = args.id.unwrap_or_default().trim().to_ascii_lowercase();
    if wanted.len() < 4 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Usage(format!(
            "{wanted:?} is not an invitation id; give at least its first 4 hex digits"
        )));
    }
    let id = store.update(|book| {
        let matches: Vec<InvitationId> = book
            .entries()
            .map(|e| e.invitation().id)
            .filter(|id| id.to_string().starts_with(&wanted))
            .collect();
        match matches.as_slice() {
            [one] => {
                book.revoke(one);
                (true, Ok(*one))
            }
            [] => (
                false,
                Err(Error::Usage(format!("no invitation starts with {wanted}"))),
            ),
            _ => (
                false,
                Err(Error::Usage(format!(
                    "several invitations start with {wanted}; give more digits"
                ))),
            ),
        }
    })??;
    println!("Revoked invitation {id}.");
    Ok(())
}
