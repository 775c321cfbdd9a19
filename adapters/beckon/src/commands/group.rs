//! `beckon group`: an organisation's Ed25519 group key, and certificates
//! that make a helper's key a member (OFF-02). A machine whose policy lists
//! the group's public key admits every helper with a valid certificate.

use std::path::Path;

use beckon_core::policy::HelperCertificate;
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::cli::{GroupArgs, GroupCommand};
use crate::clock::unix_ms;
use crate::error::{Error, Result};
use crate::home::write_new;

/// A group key file.
#[derive(Serialize, Deserialize)]
struct GroupFile {
    format: u32,
    secret: String,
    public: String,
}

pub fn run(args: GroupArgs) -> Result<()> {
    match args.command {
        GroupCommand::New { out } => new(&out),
        GroupCommand::Sign {
            group,
            helper,
            name,
            days,
            out,
        } => sign(&group, &helper, &name, days, &out),
    }
}

fn new(out: &Path) -> Result<()> {
    let key = SigningKey::generate(&mut OsRng);
    let file = GroupFile {
        format: 1,
        secret: hex::encode(key.to_bytes()),
        public: hex::encode(key.verifying_key().to_bytes()),
    };
    let bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| Error::Other(format!("cannot encode the group key: {e}")))?;
    write_new(out, &bytes, 0o600)?;
    eprintln!(
        "Group key written to {} (keep it offline; whoever has it can certify helpers).\n\
         Put this public key in the policy of the machines you look after:",
        out.display()
    );
    println!("{}", file.public);
    Ok(())
}

fn load(path: &Path) -> Result<SigningKey> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let corrupt = |detail: &str| Error::Corrupt {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    let file: GroupFile = serde_json::from_slice(&bytes).map_err(|e| corrupt(&e.to_string()))?;
    let secret: [u8; 32] = hex::decode(file.secret.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| corrupt("the secret is not 64 hex digits"))?;
    Ok(SigningKey::from_bytes(&secret))
}

fn sign(group: &Path, helper: &str, name: &str, days: u32, out: &Path) -> Result<()> {
    let key = load(group)?;
    let helper_key: [u8; 32] = hex::decode(helper.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| {
            Error::Usage("--helper must be the helper's public key: 64 hex digits".into())
        })?;
    let expires = unix_ms().saturating_add(u64::from(days) * 86_400_000);
    let cert = HelperCertificate::issue(&key, helper_key, name, expires)
        .map_err(|e| Error::Usage(format!("cannot certify {name:?}: {e}")))?;
    let bytes = serde_json::to_vec_pretty(&cert)
        .map_err(|e| Error::Other(format!("cannot encode the certificate: {e}")))?;
    write_new(out, &bytes, 0o644)?;
    eprintln!(
        "Certificate for {name:?} written to {} (valid {days} days); the helper passes it to `beckon offer --cert`.",
        out.display()
    );
    Ok(())
}
