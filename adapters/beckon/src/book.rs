//! The invitation book on disk: loaded, changed and saved under a lock, so a
//! wrong-password count or a revocation is never lost (INV-04, INV-10).

use beckon_core::invitation::{
    Invitation, InvitationBook, InvitationId, InvitationStatus, NewInvitation,
};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::clock::unix_ms;
use crate::error::{Error, Result};
use crate::home::{read_optional, write_atomic, FileLock, Home};

/// Invitations one machine keeps.
pub const BOOK_CAPACITY: usize = 64;

/// The book type this app keeps.
pub type Book = InvitationBook<BOOK_CAPACITY>;

const BOOK_FILE: &str = "book.json";
const LOCK_FILE: &str = "book.lock";
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BookFile {
    format: u32,
    book: Book,
}

/// The book in a data directory.
#[derive(Debug, Clone)]
pub struct BookStore {
    home: Home,
}

impl BookStore {
    /// The book of this data directory.
    pub fn new(home: &Home) -> BookStore {
        BookStore { home: home.clone() }
    }

    /// Read the book; a missing file is an empty book, a damaged one an error.
    pub fn load(&self) -> Result<Book> {
        let path = self.home.file(BOOK_FILE);
        let Some(bytes) = read_optional(&path)? else {
            return Ok(Book::new());
        };
        let file: BookFile = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        if file.format != FORMAT {
            return Err(Error::Corrupt {
                path,
                detail: format!("unknown format {}", file.format),
            });
        }
        Ok(file.book)
    }

    /// Load, change and save the book while holding its lock. `change`
    /// returns whether to save and a result for the caller.
    pub fn update<T>(&self, change: impl FnOnce(&mut Book) -> (bool, T)) -> Result<T> {
        self.home.ensure()?;
        let _lock = FileLock::acquire(&self.home.file(LOCK_FILE))?;
        let mut book = self.load()?;
        let (save, out) = change(&mut book);
        if save {
            self.save(&book)?;
        }
        Ok(out)
    }

    fn save(&self, book: &Book) -> Result<()> {
        let file = BookFile {
            format: FORMAT,
            book: book.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::Other(format!("cannot encode the invitation book: {e}")))?;
        write_atomic(&self.home.file(BOOK_FILE), &bytes)
    }

    /// Where the book lives.
    pub fn path(&self) -> std::path::PathBuf {
        self.home.file(BOOK_FILE)
    }
}

/// A new invitation in `home`'s book from `name`, valid for `lifetime_ms`,
/// reachable at `addresses`, with an optional password (INV-01..03).
pub fn create(
    home: &Home,
    name: &str,
    lifetime_ms: u64,
    password: Option<&str>,
    addresses: &[String],
) -> Result<Invitation> {
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let now = unix_ms();
    let mut new = NewInvitation::new(name, now.saturating_add(lifetime_ms));
    new.addresses = &refs;
    new.password = password.map(str::as_bytes);
    BookStore::new(home)
        .update(|book| match book.create(&mut OsRng, &new, now) {
            Ok(inv) => (true, Ok(inv.clone())),
            Err(e) => (false, Err(e)),
        })?
        .map_err(|e| Error::Usage(format!("cannot create the invitation: {e}")))
}

/// One invitation as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    /// Its id.
    pub id: InvitationId,
    /// The person's name in it.
    pub name: String,
    /// When it expires.
    pub expires_at_ms: u64,
    /// What it is now.
    pub status: InvitationStatus,
}

/// Every invitation of `home`'s book with its status now (INV-04).
pub fn rows(home: &Home) -> Result<Vec<InvitationRow>> {
    let book = BookStore::new(home).load()?;
    Ok(book
        .list(unix_ms())
        .map(|(inv, status)| InvitationRow {
            id: inv.id,
            name: inv.novice_name.as_str().to_string(),
            expires_at_ms: inv.expires_at_ms,
            status,
        })
        .collect())
}

/// Revoke every invitation; returns how many could still have been used.
pub fn revoke_all(home: &Home) -> Result<usize> {
    BookStore::new(home).update(|book| (true, book.revoke_all()))
}

/// Revoke the one invitation whose id starts with `wanted` (at least 4 hex
/// digits).
pub fn revoke_one(home: &Home, wanted: &str) -> Result<InvitationId> {
    let store = BookStore::new(home);
    let wanted = wanted.trim().to_ascii_lowercase();
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
    Ok(id)
}

/// An invitation's status as one English word, as `beckon invitations`
/// prints it and the panel keys its rows.
pub fn status_word(s: InvitationStatus) -> &'static str {
    match s {
        InvitationStatus::Open => "open",
        InvitationStatus::Used => "used",
        InvitationStatus::Expired => "expired",
        InvitationStatus::Revoked => "revoked",
        InvitationStatus::Locked => "locked",
    }
}
