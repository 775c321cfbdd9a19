//! `beckon offer`: offered help with the helper's own key (OFF-01, OFF-02).

use beckon_core::policy::HelperCertificate;
use beckon_core::session::{Config, ExpertSession};
use rand_core::OsRng;

use crate::cli::OfferArgs;
use crate::clock::unix_ms;
use crate::error::{Error, Result};

pub async fn run(args: OfferArgs) -> Result<u8> {
    let key = super::keygen::load(&args.key)?;
    let certificate = match &args.cert {
        Some(path) => Some(load_certificate(path)?),
        None => None,
    };
    let pinned = match &args.machine_key {
        Some(text) => Some(crate::text::parse_key(text).map_err(Error::Usage)?),
        None => None,
    };
    let name = args
        .client
        .name
        .clone()
        .unwrap_or_else(super::default_person_name);
    let session = ExpertSession::for_offer(
        Config::default(),
        &mut OsRng,
        &key.secret,
        certificate.as_deref(),
        pinned,
        &name,
        unix_ms(),
    )
    .map_err(|e| Error::Usage(e.to_string()))?;
    super::client::run(session, vec![args.address.clone()], args.client).await
}

/// A certificate file: the JSON form of a helper certificate, or the hex of
/// its byte form. Returned as the bytes that travel.
fn load_certificate(path: &std::path::Path) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let cert: HelperCertificate = match serde_json::from_str(&text) {
        Ok(c) => c,
        Err(_) => {
            let bytes = hex::decode(text.trim())
                .map_err(|_| corrupt("neither a JSON certificate nor hex".into()))?;
            HelperCertificate::decode(&bytes).map_err(|e| corrupt(e.to_string()))?
        }
    };
    let mut out = vec![0u8; 512];
    let n = cert.encode(&mut out).map_err(|e| corrupt(e.to_string()))?;
    out.truncate(n);
    Ok(out)
}
