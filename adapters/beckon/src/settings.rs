//! Machine settings on disk (SES-03, OFF-01, OFF-06): read fresh for every
//! connection, changed only by the machine's owner.

use std::path::PathBuf;

use beckon_core::policy::MachineSettings;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::home::{owned_by_me, read_optional, write_atomic, FileLock, Home};

const SETTINGS_FILE: &str = "settings.json";
const LOCK_FILE: &str = "settings.lock";

#[derive(Serialize, Deserialize)]
struct SettingsFile {
    format: u32,
    allow_remote_control: bool,
    requested_help: bool,
    offered_help: bool,
}

/// Where the settings live.
pub fn settings_path(home: &Home) -> PathBuf {
    home.file(SETTINGS_FILE)
}

/// The settings; defaults (remote control off) when there is no file.
///
/// A file that belongs to another user is not trusted: the safe defaults
/// apply and a warning is logged.
pub fn load(home: &Home) -> Result<MachineSettings> {
    let path = settings_path(home);
    let Some(bytes) = read_optional(&path)? else {
        return Ok(MachineSettings::default());
    };
    if !owned_by_me(&path)? {
        tracing::warn!(
            path = %path.display(),
            "the settings file belongs to another user; using the safe defaults"
        );
        return Ok(MachineSettings::default());
    }
    let f: SettingsFile = serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    Ok(MachineSettings {
        allow_remote_control: f.allow_remote_control,
        requested_help: f.requested_help,
        offered_help: f.offered_help,
    })
}

/// Change the settings with `change`. Refused unless the data directory and
/// the settings file belong to the user running this.
pub fn change(home: &Home, change: impl FnOnce(&mut MachineSettings)) -> Result<MachineSettings> {
    home.ensure()?;
    for path in [home.dir().to_path_buf(), settings_path(home)] {
        if path.exists() && !owned_by_me(&path)? {
            return Err(Error::NotOwner { path });
        }
    }
    let _lock = FileLock::acquire(&home.file(LOCK_FILE))?;
    let mut settings = load(home)?;
    change(&mut settings);
    let file = SettingsFile {
        format: 1,
        allow_remote_control: settings.allow_remote_control,
        requested_help: settings.requested_help,
        offered_help: settings.offered_help,
    };
    let bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| Error::Other(format!("cannot encode the settings: {e}")))?;
    write_atomic(&settings_path(home), &bytes)?;
    Ok(settings)
}
