//! File transfers as the pages show them (SES-07): one row per transfer with
//! its progress, and files a page uploads before Beckon offers them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use beckon_host_sim::events::Ev;
use serde::Serialize;

use super::i18n::Texts;
use crate::files::Finished;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Out,
    In,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Offered,
    Asking,
    Moving,
    Saved(PathBuf),
    Done,
    Declined,
    Cancelled,
    Failed(String),
}

#[derive(Debug, Clone)]
struct Transfer {
    dir: Dir,
    name: String,
    size: u64,
    done: u64,
    state: State,
}

/// One transfer, ready for a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileRow {
    /// The page's key for the transfer (the transfer id, or whatever the
    /// page's owner made of it with the connection's).
    pub id: u64,
    /// `out` (we send) or `in` (we receive).
    pub dir: &'static str,
    /// Name and size in words.
    pub line: String,
    /// Total bytes.
    pub size: u64,
    /// Bytes moved so far.
    pub done: u64,
    /// State in words.
    pub state: String,
    /// Whether the page may accept or decline it.
    pub can_answer: bool,
    /// Whether the page may cancel it.
    pub can_cancel: bool,
}

/// Every transfer of a session.
#[derive(Debug, Default)]
pub struct FileBoard {
    transfers: BTreeMap<u32, Transfer>,
}

impl FileBoard {
    /// We offered a file.
    pub fn offered(&mut self, id: u32, name: String, size: u64) {
        self.transfers.insert(
            id,
            Transfer {
                dir: Dir::Out,
                name,
                size,
                done: 0,
                state: State::Offered,
            },
        );
    }

    /// We answered an offer.
    pub fn answered(&mut self, id: u32, accept: bool) {
        if let Some(t) = self.transfers.get_mut(&id) {
            if t.state == State::Asking {
                t.state = if accept {
                    State::Moving
                } else {
                    State::Declined
                };
            }
        }
    }

    /// What the session said; returns whether a row changed.
    pub fn on_event(&mut self, ev: &Ev) -> bool {
        match ev {
            Ev::FileOffered(id, name, size) => {
                self.transfers.insert(
                    *id,
                    Transfer {
                        dir: Dir::In,
                        name: name.clone(),
                        size: *size,
                        done: 0,
                        state: State::Asking,
                    },
                );
            }
            Ev::FileAccepted(id) => self.set(*id, State::Moving),
            Ev::FileDeclined(id) => self.set(*id, State::Declined),
            Ev::FileCancelled(id, _) => self.set(*id, State::Cancelled),
            Ev::FileProgress(id, done, _) => match self.transfers.get_mut(id) {
                Some(t) => t.done = *done,
                None => return false,
            },
            _ => return false,
        }
        true
    }

    /// A transfer ended the way `f` says.
    pub fn finished(&mut self, id: u32, f: &Finished) {
        let state = match f {
            Finished::Saved(path) => State::Saved(path.clone()),
            Finished::Delivered(_) => State::Done,
            Finished::Discarded(_) | Finished::Damaged(_) => {
                State::Failed("the file arrived damaged".into())
            }
            Finished::NotDone(_) => match self.transfers.get(&id).map(|t| &t.state) {
                Some(State::Declined) => State::Declined,
                _ => State::Cancelled,
            },
        };
        if let Some(t) = self.transfers.get_mut(&id) {
            if matches!(state, State::Saved(_) | State::Done) {
                t.done = t.size;
            }
        }
        self.set(id, state);
    }

    fn set(&mut self, id: u32, state: State) {
        if let Some(t) = self.transfers.get_mut(&id) {
            t.state = state;
        }
    }

    /// The rows, newest last, in `texts`' language; `key` makes the page's
    /// key from a transfer id.
    pub fn rows(&self, texts: &Texts, key: impl Fn(u32) -> u64) -> Vec<FileRow> {
        self.transfers
            .iter()
            .map(|(id, t)| {
                let state = match &t.state {
                    State::Offered => texts.get("file-state-offered", &[]),
                    State::Asking => texts.get("file-state-asking", &[]),
                    State::Moving if t.dir == Dir::Out => texts.get("file-state-sending", &[]),
                    State::Moving => texts.get("file-state-receiving", &[]),
                    State::Saved(p) => texts.get(
                        "file-state-saved",
                        &[("path", p.display().to_string().into())],
                    ),
                    State::Done => texts.get("file-state-done", &[]),
                    State::Declined => texts.get("file-state-declined", &[]),
                    State::Cancelled => texts.get("file-state-cancelled", &[]),
                    State::Failed(r) => {
                        texts.get("file-state-failed", &[("reason", r.clone().into())])
                    }
                };
                FileRow {
                    id: key(*id),
                    dir: match t.dir {
                        Dir::Out => "out",
                        Dir::In => "in",
                    },
                    line: texts.get(
                        "file-line",
                        &[
                            ("name", t.name.clone().into()),
                            ("size", size_words(texts, t.size).into()),
                        ],
                    ),
                    size: t.size,
                    done: t.done,
                    state,
                    can_answer: t.state == State::Asking,
                    can_cancel: matches!(t.state, State::Offered | State::Moving),
                }
            })
            .collect()
    }
}

/// A size in words: bytes, KB or MB (decimal, one digit after the point).
pub fn size_words(texts: &Texts, bytes: u64) -> String {
    // Whole numbers of tenths, so no float formatting differs by locale.
    let tenths = |unit: u64| {
        let t = (bytes * 10 + unit / 2) / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    if bytes < 1000 {
        texts.get("size-bytes", &[("n", bytes.to_string().into())])
    } else if bytes < 1_000_000 {
        texts.get("size-kb", &[("n", tenths(1000).into())])
    } else {
        texts.get("size-mb", &[("n", tenths(1_000_000).into())])
    }
}

/// Files pages are uploading, by tab, before Beckon offers them.
#[derive(Debug)]
pub struct Uploads {
    dir: PathBuf,
    open: BTreeMap<u64, Upload>,
}

#[derive(Debug)]
struct Upload {
    path: PathBuf,
    file: std::fs::File,
    expected: u64,
    written: u64,
}

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The name is not a plain file name.
    #[error("the file name {0:?} cannot be used")]
    BadName(String),
    /// Bytes arrived with no upload open.
    #[error("file bytes arrived before the file was announced")]
    NotOpen,
    /// More bytes than announced.
    #[error("the page sent more bytes than the file has")]
    TooLong,
    /// Fewer bytes than announced.
    #[error("the page sent fewer bytes than the file has")]
    TooShort,
    /// The disk said no.
    #[error("cannot keep the file: {0}")]
    Io(#[from] std::io::Error),
}

impl Uploads {
    /// Uploads kept in a private folder of the system's temporary folder.
    pub fn new() -> Uploads {
        let dir = std::env::temp_dir().join(format!("beckon-uploads-{}", std::process::id()));
        Uploads {
            dir,
            open: BTreeMap::new(),
        }
    }

    /// A tab announces a file.
    pub fn begin(&mut self, tab: u64, name: &str, size: u64) -> Result<(), UploadError> {
        let clean = std::path::Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n == name)
            .ok_or_else(|| UploadError::BadName(name.to_string()))?;
        let dir = self.dir.join(format!("tab{tab}-{}", self.open.len()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(clean);
        let file = std::fs::File::create(&path)?;
        self.open.insert(
            tab,
            Upload {
                path,
                file,
                expected: size,
                written: 0,
            },
        );
        Ok(())
    }

    /// Bytes of the tab's open upload.
    pub fn bytes(&mut self, tab: u64, data: &[u8]) -> Result<(), UploadError> {
        let up = self.open.get_mut(&tab).ok_or(UploadError::NotOpen)?;
        if up.written + data.len() as u64 > up.expected {
            self.open.remove(&tab);
            return Err(UploadError::TooLong);
        }
        up.file.write_all(data)?;
        up.written += data.len() as u64;
        Ok(())
    }

    /// The tab's upload is complete: its path, to offer.
    pub fn end(&mut self, tab: u64) -> Result<PathBuf, UploadError> {
        let mut up = self.open.remove(&tab).ok_or(UploadError::NotOpen)?;
        if up.written != up.expected {
            return Err(UploadError::TooShort);
        }
        up.file.flush()?;
        Ok(up.path)
    }

    /// A tab closed: forget its upload.
    pub fn drop_tab(&mut self, tab: u64) {
        self.open.remove(&tab);
    }
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads::new()
    }
}

impl Drop for Uploads {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
