//! The machine's long-term identity: its X25519 key (offered help) and the
//! name helpers see, kept in the data directory.

use beckon_core::handshake::StaticKeypair;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::home::{read_optional, write_atomic, FileLock, Home};

const MACHINE_FILE: &str = "machine.json";
const LOCK_FILE: &str = "machine.lock";

#[derive(Serialize, Deserialize)]
struct MachineFile {
    format: u32,
    secret: String,
    name: String,
}

/// The machine's key and name.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The long-term key.
    pub key: StaticKeypair,
    /// The name shown to helpers who offer help.
    pub name: String,
}

impl Machine {
    /// Load the identity, creating it on first use.
    pub fn load_or_create(home: &Home) -> Result<Machine> {
        home.ensure()?;
        let path = home.file(MACHINE_FILE);
        let _lock = FileLock::acquire(&home.file(LOCK_FILE))?;
        if let Some(bytes) = read_optional(&path)? {
            let corrupt = |detail: String| Error::Corrupt {
                path: path.clone(),
                detail,
            };
            let file: MachineFile =
                serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
            let secret: [u8; 32] = hex::decode(&file.secret)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| corrupt("the key is not 64 hex digits".into()))?;
            return Ok(Machine {
                key: StaticKeypair::from_secret(secret),
                name: file.name,
            });
        }
        let key = StaticKeypair::generate(&mut OsRng);
        let name = default_machine_name();
        let file = MachineFile {
            format: 1,
            secret: hex::encode(key.secret),
            name: name.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::Other(format!("cannot encode the machine key: {e}")))?;
        write_atomic(&path, &bytes)?;
        Ok(Machine { key, name })
    }
}

/// "<user>'s computer", from the environment.
fn default_machine_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    if user.is_empty() {
        "This computer".to_string()
    } else {
        crate::text::fit(&format!("{user}'s computer"), 60)
    }
}
