//! `beckon keygen`: a helper key for offered help (OFF-02).

use std::path::Path;

use beckon_core::handshake::StaticKeypair;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::cli::KeygenArgs;
use crate::error::{Error, Result};
use crate::home::write_new;

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    secret: String,
    public: String,
}

pub fn run(args: KeygenArgs) -> Result<()> {
    let key = StaticKeypair::generate(&mut OsRng);
    let file = KeyFile {
        format: 1,
        secret: hex::encode(key.secret),
        public: hex::encode(key.public),
    };
    let bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| Error::Other(format!("cannot encode the key: {e}")))?;
    write_new(&args.out, &bytes, 0o600)?;
    eprintln!(
        "Helper key written to {} (keep it to yourself).\n\
         Give this public key to the administrator of the machines you help:",
        args.out.display()
    );
    println!("{}", file.public);
    Ok(())
}

/// Read a helper key file.
pub fn load(path: &Path) -> Result<StaticKeypair> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let corrupt = |detail: &str| Error::Corrupt {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    let file: KeyFile = serde_json::from_slice(&bytes).map_err(|e| corrupt(&e.to_string()))?;
    let secret: [u8; 32] = hex::decode(file.secret.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| corrupt("the secret is not 64 hex digits"))?;
    Ok(StaticKeypair::from_secret(secret))
}
