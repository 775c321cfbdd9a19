//! The invitation book on disk: loaded, changed and saved under a lock, so a
//! wrong-password count or a revocation is never lost (INV-04, INV-10).

use beckon_core::invitation::InvitationBook;
use serde::{Deserialize, Serialize};

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
