//! `beckon invitations` and `beckon revoke` (INV-04).

use crate::book::{self, BookStore};
use crate::cli::RevokeArgs;
use crate::clock::{format_utc, unix_ms};
use crate::error::Result;
use crate::home::Home;

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
            book::status_word(status)
        );
    }
    Ok(())
}

pub fn revoke(args: RevokeArgs) -> Result<()> {
    let home = Home::locate()?;
    if args.all {
        let n = book::revoke_all(&home)?;
        println!("Revoked every invitation ({n} could still have been used).");
        return Ok(());
    }
    let id = book::revoke_one(&home, &args.id.unwrap_or_default())?;
    println!("Revoked invitation {id}.");
    Ok(())
}
