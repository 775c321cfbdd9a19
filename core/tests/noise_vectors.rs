//! Noise conformance: every public test vector (cacophony format) for a
//! protocol Beckon's handshake offers, run through Beckon's own handshake and
//! record code with the vector's fixed keys.
//!
//! Supported: `Noise_{NK,XX}_25519_ChaChaPoly_{BLAKE2s,SHA256}` without
//! pre-shared keys. BLAKE2s is the protocol's hash; SHA-256 runs the same code
//! with the other hash the vectors cover. Every other vector is skipped.
//!
//! Reads `tests/vectors/cacophony-nk-xx.json` (the cacophony vectors,
//! filtered to the NK and XX families over 25519 and ChaChaPoly), or the file
//! named by `BECKON_NOISE_VECTORS`. Ends by printing
//! `N vectors passed, M failed, K skipped`.

use std::io::Write;
use std::path::PathBuf;

use beckon_core::handshake::{Blake2s, Handshake, HandshakeHash, Pattern, Sha256};
use beckon_core::record::{sealed_len, Transport, HEADER_LEN};
use serde::Deserialize;

#[derive(Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    #[serde(alias = "name")]
    protocol_name: String,
    init_prologue: Hex,
    init_static: Option<Hex>,
    init_ephemeral: Option<Hex>,
    init_remote_static: Option<Hex>,
    #[serde(default)]
    init_psks: Vec<Hex>,
    resp_prologue: Hex,
    resp_static: Option<Hex>,
    resp_ephemeral: Option<Hex>,
    #[serde(default)]
    resp_psks: Vec<Hex>,
    handshake_hash: Option<Hex>,
    messages: Vec<VectorMessage>,
}

#[derive(Deserialize)]
struct VectorMessage {
    payload: Hex,
    ciphertext: Hex,
}

/// Bytes written as a hex string in the JSON.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Hex(Vec<u8>);

impl TryFrom<String> for Hex {
    type Error = hex::FromHexError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        hex::decode(text).map(Hex)
    }
}

impl Hex {
    fn key(&self) -> Result<[u8; 32], String> {
        self.0
            .as_slice()
            .try_into()
            .map_err(|_| format!("key of {} bytes", self.0.len()))
    }
}

fn key(field: &Option<Hex>, name: &str) -> Result<[u8; 32], String> {
    field.as_ref().ok_or(format!("missing {name}"))?.key()
}

/// What a vector asks for, when Beckon's handshake offers it.
#[derive(Clone, Copy)]
enum Suite {
    Blake2s(Pattern),
    Sha256(Pattern),
}

fn supported(vector: &Vector) -> Option<Suite> {
    if !vector.init_psks.is_empty() || !vector.resp_psks.is_empty() {
        return None;
    }
    let parts: Vec<&str> = vector.protocol_name.split('_').collect();
    let ["Noise", pattern, "25519", "ChaChaPoly", hash] = parts.as_slice() else {
        return None;
    };
    let pattern = match *pattern {
        "NK" => Pattern::Nk,
        "XX" => Pattern::Xx,
        _ => return None,
    };
    match *hash {
        "BLAKE2s" => Some(Suite::Blake2s(pattern)),
        "SHA256" => Some(Suite::Sha256(pattern)),
        _ => None,
    }
}

/// Both sides of the vector's handshake, built with its fixed keys.
fn sides<H: HandshakeHash>(
    vector: &Vector,
    pattern: Pattern,
) -> Result<(Handshake<H>, Handshake<H>), String> {
    let init_e = key(&vector.init_ephemeral, "init_ephemeral")?;
    let resp_e = key(&vector.resp_ephemeral, "resp_ephemeral")?;
    let (init_s, init_rs, resp_s) = match pattern {
        // NK: the initiator has no static key and knows the responder's.
        Pattern::Nk => (
            None,
            Some(key(&vector.init_remote_static, "init_remote_static")?),
            key(&vector.resp_static, "resp_static")?,
        ),
        Pattern::Xx => (
            Some(key(&vector.init_static, "init_static")?),
            None,
            key(&vector.resp_static, "resp_static")?,
        ),
    };
    let initiator = Handshake::<H>::with_fixed_keys(
        pattern,
        true,
        &vector.init_prologue.0,
        init_s.as_ref(),
        &init_e,
        init_rs.as_ref(),
    )
    .map_err(|e| format!("initiator: {e}"))?;
    let responder = Handshake::<H>::with_fixed_keys(
        pattern,
        false,
        &vector.resp_prologue.0,
        Some(&resp_s),
        &resp_e,
        None,
    )
    .map_err(|e| format!("responder: {e}"))?;
    Ok((initiator, responder))
}

fn run<H: HandshakeHash>(vector: &Vector, pattern: Pattern) -> Result<(), String> {
    let (mut initiator, mut responder) = sides::<H>(vector, pattern)?;
    let handshake_len = pattern.message_count();
    if vector.messages.len() < handshake_len {
        return Err("fewer messages than the handshake needs".into());
    }
    let (handshake, transport) = vector.messages.split_at(handshake_len);

    for (index, message) in handshake.iter().enumerate() {
        // Messages alternate, the initiator first.
        let (writer, reader) = if index % 2 == 0 {
            (&mut initiator, &mut responder)
        } else {
            (&mut responder, &mut initiator)
        };
        let mut wire = vec![0u8; 2048];
        let n = writer
            .write_message(&message.payload.0, &mut wire)
            .map_err(|e| format!("message {index}: write: {e}"))?;
        if wire[..n] != message.ciphertext.0[..] {
            return Err(format!("message {index}: ciphertext differs"));
        }
        let mut payload = vec![0u8; 2048];
        let m = reader
            .read_message(&wire[..n], &mut payload)
            .map_err(|e| format!("message {index}: read: {e}"))?;
        if payload[..m] != message.payload.0[..] {
            return Err(format!("message {index}: payload differs"));
        }
    }

    if !initiator.is_finished() || !responder.is_finished() {
        return Err("handshake not finished after its messages".into());
    }
    if let Some(expected) = &vector.handshake_hash {
        for (side, hs) in [("initiator", &initiator), ("responder", &responder)] {
            if hs.handshake_hash()[..] != expected.0[..] {
                return Err(format!("{side}: handshake hash differs"));
            }
        }
    }

    let mut initiator = initiator.into_transport().map_err(|e| e.to_string())?;
    let mut responder = responder.into_transport().map_err(|e| e.to_string())?;
    for (offset, message) in transport.iter().enumerate() {
        let index = handshake_len + offset;
        // Transport messages keep alternating after the handshake.
        let (writer, reader) = if index % 2 == 0 {
            (&mut initiator, &mut responder)
        } else {
            (&mut responder, &mut initiator)
        };
        check_record(writer, reader, message).map_err(|e| format!("message {index}: {e}"))?;
    }
    Ok(())
}

/// A record body must be exactly the vector's transport message.
fn check_record(
    writer: &mut Transport,
    reader: &mut Transport,
    message: &VectorMessage,
) -> Result<(), String> {
    let mut record = vec![0u8; sealed_len(message.payload.0.len())];
    let n = writer
        .seal(&message.payload.0, &mut record)
        .map_err(|e| format!("seal: {e}"))?;
    if record[HEADER_LEN..n] != message.ciphertext.0[..] {
        return Err("transport ciphertext differs".into());
    }
    let body = &mut record[HEADER_LEN..n];
    let m = reader
        .open_in_place(body)
        .map_err(|e| format!("open: {e}"))?;
    if body[..m] != message.payload.0[..] {
        return Err("transport payload differs".into());
    }
    Ok(())
}

fn vectors_path() -> PathBuf {
    match std::env::var_os("BECKON_NOISE_VECTORS") {
        Some(path) => PathBuf::from(path),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/cacophony-nk-xx.json")
        }
    }
}

#[test]
fn noise_test_vectors_for_nk_and_xx() {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: VectorFile = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));

    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    for vector in &file.vectors {
        let outcome = match supported(vector) {
            None => {
                skipped += 1;
                continue;
            }
            Some(Suite::Blake2s(pattern)) => run::<Blake2s>(vector, pattern),
            Some(Suite::Sha256(pattern)) => run::<Sha256>(vector, pattern),
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(reason) => {
                failed += 1;
                eprintln!("FAILED {}: {reason}", vector.protocol_name);
            }
        }
    }

    // Written straight to stdout so the summary shows without --nocapture.
    let summary = format!("{passed} vectors passed, {failed} failed, {skipped} skipped\n");
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(summary.as_bytes()).expect("stdout");
    stdout.flush().expect("stdout");

    assert_eq!(failed, 0, "{failed} Noise vectors failed");
    assert!(
        passed > 0,
        "no supported Noise vector in {}",
        path.display()
    );
}
