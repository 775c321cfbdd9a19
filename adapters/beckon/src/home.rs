//! The data directory: where the invitation book, the machine's key, its
//! settings and the policy live, and how files in it are written so that a
//! crash never loses or corrupts one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Environment variable that overrides the data directory (tests, portable use).
pub const HOME_ENV: &str = "BECKON_HOME";

/// The data directory.
#[derive(Debug, Clone)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// `$BECKON_HOME`, else the user's data directory for Beckon.
    pub fn locate() -> Result<Home> {
        if let Some(dir) = std::env::var_os(HOME_ENV).filter(|d| !d.is_empty()) {
            return Ok(Home::at(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("", "", "beckon").ok_or_else(|| {
            Error::Other(format!(
                "cannot find your home directory; set {HOME_ENV} to a directory for Beckon's data"
            ))
        })?;
        Ok(Home::at(dirs.data_dir().to_path_buf()))
    }

    /// A data directory at `dir`.
    pub fn at(dir: PathBuf) -> Home {
        Home { dir }
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Create the directory (mode 0700) if it is missing.
    pub fn ensure(&self) -> Result<()> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| Error::io(format!("cannot create {}", self.dir.display()), e))
    }
}

/// Write `bytes` to `path` so that readers see the old or the new content,
/// never a mix: a temporary file beside it (mode 0600), fsync, rename over,
/// fsync the directory. A crash leaves at most a stray temporary file, which
/// every reader ignores.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let what = |verb: &str| format!("cannot {verb} {}", path.display());
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let nanos = crate::clock::unix_ms();
    let tmp = dir.join(format!(".{name}.tmp.{}.{nanos}", std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // The rename is durable once the directory is.
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| Error::io(what("write"), e))
}

/// The content of `path`, or `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// An exclusive advisory lock on a file beside the data, held until dropped,
/// so that two Beckon processes never update the same file at once.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Lock `path` (created, mode 0600, if missing), waiting for other holders.
    pub fn acquire(path: &Path) -> Result<FileLock> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive).map_err(|e| {
            Error::io(
                format!("cannot lock {}", path.display()),
                io::Error::from(e),
            )
        })?;
        Ok(FileLock { _file: file })
    }
}

/// The user this process runs as.
pub fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Whether `path` (which must exist) belongs to the user this process runs as.
pub fn owned_by_me(path: &Path) -> Result<bool> {
    let meta = fs::metadata(path)
        .map_err(|e| Error::io(format!("cannot inspect {}", path.display()), e))?;
    Ok(meta.uid() == current_uid())
}

/// Write `bytes` to a new file at `path` with `mode`, refusing to overwrite.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}
