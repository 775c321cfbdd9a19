//! The dongle's records (device key, owner, settings, invitations) as
//! files on the host, through semihosting.
//!
//! QEMU's MPS2 model has no flash that outlives the process. The test
//! harness passes `store=DIR` on the semihosting command line, and each
//! record becomes `DIR/NAME`, so a second boot of the same image with the
//! same directory is a restart, not a first boot: the same device key, the
//! same owner, the same invitations. A record is written to `NAME.new` and
//! then renamed over `NAME`, so a QEMU killed halfway leaves the old record
//! whole — what a real board's two alternating flash sectors achieve.
//!
//! Without `store=`, records live in RAM and every boot is a first boot.

use beckon_dongle::hw::{Slot, Storage};
use cortex_m_semihosting::syscall;

/// The longest directory path taken from the command line.
const MAX_DIR: usize = 96;
/// Room for the directory, a slash, the longest name and `.new` and a NUL.
const MAX_PATH: usize = MAX_DIR + 16;
/// Semihosting `SYS_OPEN` modes (ISO C `fopen` modes by number).
const MODE_READ_BINARY: usize = 1;
const MODE_WRITE_BINARY: usize = 5;

/// Records in host files, or in RAM when no directory was given.
pub struct HostStorage {
    dir: Option<heapless::String<MAX_DIR>>,
    ram: RamRecords,
}

impl HostStorage {
    /// Records under `dir` (from `store=DIR`), or in RAM.
    pub fn new(dir: Option<&str>) -> Self {
        HostStorage {
            dir: dir.and_then(|d| heapless::String::try_from(d).ok()),
            ram: RamRecords::default(),
        }
    }

    /// Whether records survive a restart.
    pub fn is_persistent(&self) -> bool {
        self.dir.is_some()
    }

    /// `DIR/NAME` (and `suffix`), NUL-terminated for `SYS_OPEN`.
    fn path(&self, slot: Slot, suffix: &str) -> Option<heapless::String<MAX_PATH>> {
        let mut p = heapless::String::new();
        p.push_str(self.dir.as_deref()?).ok()?;
        p.push('/').ok()?;
        p.push_str(file_name(slot)).ok()?;
        p.push_str(suffix).ok()?;
        p.push('\0').ok()?;
        Some(p)
    }
}

fn file_name(slot: Slot) -> &'static str {
    match slot {
        Slot::DeviceKey => "device-key",
        Slot::Settings => "settings",
        Slot::Owner => "owner",
        Slot::Book => "invitations",
    }
}

impl Storage for HostStorage {
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
        let Some(path) = self.path(slot, "") else {
            return self.ram.load(slot, buf);
        };
        let file = File::open(&path, MODE_READ_BINARY)?;
        let len = file.len()?;
        if len > buf.len() {
            defmt::warn!("record {} is larger than its buffer; ignored", slot);
            return None;
        }
        file.read_exact(&mut buf[..len]).then_some(len)
    }

    fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
        let (Some(new), Some(path)) = (self.path(slot, ".new"), self.path(slot, "")) else {
            return self.ram.store(slot, data);
        };
        let Some(file) = File::open(&new, MODE_WRITE_BINARY) else {
            return false;
        };
        if !file.write_all(data) {
            return false;
        }
        drop(file);
        rename(&new, &path)
    }
}

/// An open host file, closed when dropped.
struct File(usize);

impl File {
    /// `path` ends in a NUL, which `SYS_OPEN`'s length excludes.
    fn open(path: &str, mode: usize) -> Option<File> {
        // SAFETY: the pointer and length describe a live, NUL-terminated
        // string; QEMU runs with semihosting enabled.
        let handle = unsafe { syscall!(OPEN, path.as_ptr(), mode, path.len() - 1) };
        (handle as isize >= 0).then_some(File(handle))
    }

    fn len(&self) -> Option<usize> {
        // SAFETY: a handle that SYS_OPEN returned.
        let len = unsafe { syscall!(FLEN, self.0) } as isize;
        usize::try_from(len).ok()
    }

    fn read_exact(&self, buf: &mut [u8]) -> bool {
        // SAFETY: QEMU writes at most `buf.len()` bytes into `buf`.
        // SYS_READ returns how many bytes it did *not* read.
        unsafe { syscall!(READ, self.0, buf.as_mut_ptr(), buf.len()) == 0 }
    }

    fn write_all(&self, data: &[u8]) -> bool {
        // SAFETY: QEMU reads `data.len()` bytes from `data`; SYS_WRITE
        // returns how many it did *not* write.
        unsafe { syscall!(WRITE, self.0, data.as_ptr(), data.len()) == 0 }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // SAFETY: a handle that SYS_OPEN returned, closed once.
        unsafe {
            syscall!(CLOSE, self.0);
        }
    }
}

/// Replace `to` with `from`; both end in a NUL that the lengths exclude.
fn rename(from: &str, to: &str) -> bool {
    // SAFETY: both strings are live; QEMU only reads them.
    unsafe {
        syscall!(
            RENAME,
            from.as_ptr(),
            from.len() - 1,
            to.as_ptr(),
            to.len() - 1
        ) == 0
    }
}

/// Records in RAM, for a QEMU started without `store=`.
#[derive(Default)]
struct RamRecords {
    key: Option<[u8; 32]>,
    settings: Option<u8>,
    owner: Option<[u8; 32]>,
}

impl RamRecords {
    fn load(&mut self, slot: Slot, buf: &mut [u8]) -> Option<usize> {
        match slot {
            Slot::DeviceKey | Slot::Owner => {
                let k = if slot == Slot::DeviceKey {
                    self.key?
                } else {
                    self.owner?
                };
                buf.get_mut(..32)?.copy_from_slice(&k);
                Some(32)
            }
            Slot::Settings => {
                *buf.first_mut()? = self.settings?;
                Some(1)
            }
            // The app keeps the live book itself; RAM has no room to spare
            // for a second copy that would die with the process anyway.
            Slot::Book => None,
        }
    }

    fn store(&mut self, slot: Slot, data: &[u8]) -> bool {
        match (slot, data) {
            (Slot::DeviceKey | Slot::Owner, d) => {
                let Ok(k) = <[u8; 32]>::try_from(d) else {
                    return false;
                };
                if slot == Slot::DeviceKey {
                    self.key = Some(k);
                } else {
                    self.owner = Some(k);
                }
                true
            }
            (Slot::Settings, [b]) => {
                self.settings = Some(*b);
                true
            }
            _ => false,
        }
    }
}
