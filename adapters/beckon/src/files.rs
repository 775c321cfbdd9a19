//! Files in a session (SES-07), on disk: what this side offers is read in
//! chunks as the session asks; what the peer sends is written to a hidden
//! temporary file and renamed into place only when the SHA-256 matched.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use beckon_core::session::{Event, FileOutcome};
use beckon_host_sim::endpoint::Endpoint;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

struct Outgoing {
    name: String,
    file: File,
    bar: ProgressBar,
}

struct Incoming {
    name: String,
    size: u64,
    part: Option<(PathBuf, File)>,
    bar: Option<ProgressBar>,
}

/// What became of a transfer, for the caller to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// A file arrived and was saved here.
    Saved(PathBuf),
    /// A file arrived damaged and was deleted.
    Discarded(String),
    /// A file this side sent arrived intact.
    Delivered(String),
    /// A file this side sent arrived damaged at the peer.
    Damaged(String),
    /// Declined or cancelled.
    NotDone(String),
}

/// The files of one session.
pub struct FileDesk {
    dir: PathBuf,
    outgoing: BTreeMap<u32, Outgoing>,
    incoming: BTreeMap<u32, Incoming>,
}

impl std::fmt::Debug for FileDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDesk")
            .field("dir", &self.dir)
            .field("outgoing", &self.outgoing.len())
            .field("incoming", &self.incoming.len())
            .finish()
    }
}

fn bar(size: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(size), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    bar
}

impl FileDesk {
    /// Files received go into `dir`.
    pub fn new(dir: PathBuf) -> FileDesk {
        FileDesk {
            dir,
            outgoing: BTreeMap::new(),
            incoming: BTreeMap::new(),
        }
    }

    /// Offer the file at `path`; returns the transfer id.
    pub fn offer(&mut self, s: &mut impl Endpoint, path: &Path) -> Result<u32> {
        let what = |verb: &str| format!("cannot {verb} {}", path.display());
        let mut file = File::open(path).map_err(|e| Error::io(what("open"), e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| Error::io(what("read"), e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Usage(format!("{} is not a file", path.display())))?;
        let id = s
            .offer_file(&name, size, hasher.finalize().into())
            .map_err(|e| Error::Other(format!("cannot offer {name}: {e}")))?;
        let bar = bar(size, &format!("sending {name}"));
        self.outgoing.insert(id, Outgoing { name, file, bar });
        Ok(id)
    }

    /// Accept or decline an offered file. Accepting creates its temporary file.
    pub fn answer(&mut self, s: &mut impl Endpoint, id: u32, accept: bool) -> Result<()> {
        let Some(f) = self.incoming.get_mut(&id) else {
            return Err(Error::Usage(format!("no file #{id} is on offer")));
        };
        if accept {
            fs::create_dir_all(&self.dir)
                .map_err(|e| Error::io(format!("cannot create {}", self.dir.display()), e))?;
            let tmp = self.dir.join(format!(".{}.{id}.part", f.name));
            // Never through a file (or link) that is already there.
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))?;
            f.part = Some((tmp, file));
            f.bar = Some(bar(f.size, &format!("receiving {}", f.name)));
        }
        s.answer_file(id, accept)
            .map_err(|e| Error::Other(format!("cannot answer file #{id}: {e}")))
    }

    /// Send the chunks the session asks for.
    pub fn pump(&mut self, s: &mut impl Endpoint) -> bool {
        let mut moved = false;
        let mut buf = Vec::new();
        while let Some((id, offset, max)) = s.next_file_chunk() {
            let Some(out) = self.outgoing.get_mut(&id) else {
                let _ = s.cancel_file(id);
                return true;
            };
            buf.resize(max, 0);
            let read = out
                .file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| read_up_to(&mut out.file, &mut buf));
            match read {
                Ok(n) => {
                    if s.send_file_chunk(id, offset, &buf[..n]).is_err() {
                        break;
                    }
                    moved = true;
                }
                Err(e) => {
                    tracing::warn!("cannot read {}: {e}; cancelling", out.name);
                    let _ = s.cancel_file(id);
                    return true;
                }
            }
        }
        moved
    }

    /// Keep what the core reports; returns a transfer's end when it ended.
    pub fn on_event(&mut self, event: &Event<'_>) -> Option<(u32, Finished)> {
        match *event {
            Event::FileOffered { id, name, size } => {
                self.incoming.insert(
                    id,
                    Incoming {
                        name: safe_name(name),
                        size,
                        part: None,
                        bar: None,
                    },
                );
                None
            }
            Event::FileData { id, offset, data } => {
                let f = self.incoming.get_mut(&id)?;
                if let Some((path, file)) = f.part.as_mut() {
                    let written = file
                        .seek(SeekFrom::Start(offset))
                        .and_then(|_| file.write_all(data));
                    if let Err(e) = written {
                        tracing::warn!("cannot write {}: {e}", path.display());
                    }
                }
                None
            }
            Event::FileProgress { id, done, .. } => {
                if let Some(bar) = self.incoming.get(&id).and_then(|f| f.bar.as_ref()) {
                    bar.set_position(done);
                }
                if let Some(out) = self.outgoing.get(&id) {
                    out.bar.set_position(done);
                }
                None
            }
            Event::FileFinished { id, outcome } => {
                if let Some(out) = self.outgoing.remove(&id) {
                    out.bar.finish_and_clear();
                    return Some((
                        id,
                        match outcome {
                            FileOutcome::Ok => Finished::Delivered(out.name),
                            FileOutcome::HashMismatch => Finished::Damaged(out.name),
                        },
                    ));
                }
                let f = self.incoming.remove(&id)?;
                if let Some(bar) = &f.bar {
                    bar.finish_and_clear();
                }
                let (tmp, file) = f.part?;
                let ok = outcome == FileOutcome::Ok && file.sync_all().is_ok();
                drop(file);
                if !ok {
                    let _ = fs::remove_file(&tmp);
                    return Some((id, Finished::Discarded(f.name)));
                }
                let target = free_name(&self.dir, &f.name);
                match fs::rename(&tmp, &target) {
                    Ok(()) => Some((id, Finished::Saved(target))),
                    Err(e) => {
                        tracing::warn!("cannot save {}: {e}", target.display());
                        let _ = fs::remove_file(&tmp);
                        Some((id, Finished::Discarded(f.name)))
                    }
                }
            }
            Event::FileCancelled { id, .. } | Event::FileDeclined { id } => {
                if let Some(out) = self.outgoing.remove(&id) {
                    out.bar.finish_and_clear();
                    return Some((id, Finished::NotDone(out.name)));
                }
                let f = self.incoming.remove(&id)?;
                if let Some((tmp, _)) = f.part {
                    let _ = fs::remove_file(tmp);
                }
                if let Some(bar) = f.bar {
                    bar.finish_and_clear();
                }
                Some((id, Finished::NotDone(f.name)))
            }
            _ => None,
        }
    }

    /// Delete the temporary files of transfers that never finished.
    pub fn abandon(&mut self) {
        for (_, f) in std::mem::take(&mut self.incoming) {
            if let Some((tmp, _)) = f.part {
                let _ = fs::remove_file(tmp);
            }
        }
        self.outgoing.clear();
    }
}

/// A finished transfer in words.
pub fn finished_words(id: u32, f: &Finished) -> String {
    match f {
        Finished::Saved(path) => format!("file #{id} received and checked: {}", path.display()),
        Finished::Discarded(name) => {
            format!("file #{id} ({name}) arrived damaged (checksum mismatch) and was deleted")
        }
        Finished::Delivered(name) => format!("file #{id} ({name}) delivered intact"),
        Finished::Damaged(name) => format!("file #{id} ({name}) arrived damaged at the other end"),
        Finished::NotDone(name) => format!("file #{id} ({name}) declined or cancelled"),
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The last path component only, never empty or hidden.
fn safe_name(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = base.trim_start_matches('.');
    if base.is_empty() {
        "received-file".into()
    } else {
        base.to_string()
    }
}

/// `dir/name`, or `dir/name (2)` … when that exists.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.to_string(), String::new()),
    };
    (2..10_000)
        .map(|i| dir.join(format!("{stem} ({i}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}
