//! `beckon dongle`: the owner's side of a KVM dongle's owner channel
//! (issue 7, `beckon_core::owner`).
//!
//! `pair` proves the one-time code the dongle shows and pins the dongle's
//! device key; `invite`, `invitations`, `revoke` and `control` then talk
//! only to that key, with this machine's owner key (made at the first
//! pairing, kept in the data directory with mode 0600).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use beckon_core::handshake::{
    parse_frame_header, Handshake, StaticKeypair, FRAME_HEADER_LEN, MAX_FRAME,
};
use beckon_core::invitation::InvitationId;
use beckon_core::owner::{
    self, pairing_proof, OwnerReply, OwnerRequest, MAX_OWNER_MESSAGE, OWNER_PORT, OWNER_PREAMBLE,
};
use beckon_core::record::{Transport, HEADER_LEN, TAG_LEN};
use clap::{Args, Subcommand, ValueEnum};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::home::{read_optional, write_atomic, write_new, Home};

/// `beckon dongle`.
#[derive(Debug, Args)]
pub struct DongleArgs {
    /// What to do with the dongle.
    #[command(subcommand)]
    pub command: DongleCommand,
}

/// `beckon dongle …`.
#[derive(Debug, Subcommand)]
pub enum DongleCommand {
    /// Become the dongle's owner, once, with the code it shows on its console.
    Pair {
        /// The dongle: HOST or HOST:PORT (port 7071 by default).
        addr: String,
        /// The one-time code (read from standard input when left out).
        #[arg(long)]
        code: Option<String>,
    },
    /// Make an invitation on the dongle and print its text for the helper.
    Invite {
        /// The dongle.
        addr: String,
        /// Minutes until the invitation expires.
        #[arg(long, default_value_t = 60)]
        minutes: u32,
        /// Where helpers connect (HOST:PORT, repeatable); default: the
        /// dongle's host on port 7070.
        #[arg(long = "address")]
        addresses: Vec<String>,
        /// Read a password for the invitation from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Unattended hardware help: the dongle lets this helper in, and
        /// grants control when remote control is on, without asking anyone.
        #[arg(long)]
        pre_approved: bool,
    },
    /// List the dongle's invitations with their status.
    Invitations {
        /// The dongle.
        addr: String,
    },
    /// Revoke one of the dongle's invitations, or all of them.
    Revoke {
        /// The dongle.
        addr: String,
        /// The invitation's id (from `invitations`).
        id: Option<String>,
        /// Revoke every invitation.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Allow or forbid remote control on the dongle (off by default).
    Control {
        /// The dongle.
        addr: String,
        /// on or off.
        setting: OnOff,
    },
}

/// A switch.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnOff {
    /// Allowed (the person is still asked every time).
    On,
    /// Not allowed.
    Off,
}

/// The port a dongle serves sessions on.
const SESSION_PORT: u16 = 7070;

const OWNER_KEY_FILE: &str = "owner-key.json";
const DONGLES_FILE: &str = "dongles.json";

#[derive(Serialize, Deserialize)]
struct OwnerKeyFile {
    format: u32,
    secret: String,
}

/// Dongles paired from here: address → device key (hex).
#[derive(Default, Serialize, Deserialize)]
struct Dongles {
    format: u32,
    dongles: BTreeMap<String, String>,
}

/// Run `beckon dongle …`.
pub fn run(args: DongleArgs) -> Result<()> {
    let home = Home::locate()?;
    home.ensure()?;
    match args.command {
        DongleCommand::Pair { addr, code } => pair(&home, &addr, code),
        DongleCommand::Invite {
            addr,
            minutes,
            addresses,
            password_stdin,
            pre_approved,
        } => {
            let password = if password_stdin {
                Some(super::read_stdin_line("password")?)
            } else {
                None
            };
            let addr = normalise(&addr);
            let addresses = if addresses.is_empty() {
                vec![format!("{}:{SESSION_PORT}", host_of(&addr))]
            } else {
                addresses
            };
            let mut ch = Channel::owner(&home, &addr)?;
            let mut list = heapless::Vec::new();
            for a in &addresses {
                list.push(a.as_str())
                    .map_err(|_| Error::Usage("at most 4 addresses".into()))?;
            }
            let reply = ch.ask(&OwnerRequest::Invite {
                minutes,
                addresses: list,
                password: password.as_deref(),
                pre_approved,
            })?;
            match owner::decode_reply(&reply) {
                Some(OwnerReply::Invitation { text }) => {
                    if pre_approved {
                        eprintln!(
                            "Pre-approved: the dongle will let this helper in, and give them control \
                             when remote control is on, without asking anyone at the machine."
                        );
                    }
                    eprintln!(
                        "Invitation made on the dongle, open for {minutes} minutes. Give the helper this text:"
                    );
                    println!("{text}");
                    Ok(())
                }
                other => Err(refused(other)),
            }
        }
        DongleCommand::Invitations { addr } => {
            let mut ch = Channel::owner(&home, &normalise(&addr))?;
            ch.send(&OwnerRequest::List)?;
            let now = unix_now_ms();
            let mut any = false;
            loop {
                let reply = ch.receive()?;
                match owner::decode_reply(&reply) {
                    Some(OwnerReply::Entry {
                        id,
                        status,
                        expires_at_ms,
                        password,
                    }) => {
                        any = true;
                        let mins = expires_at_ms.saturating_sub(now) / 60_000;
                        println!(
                            "{}  {:<8} {:>5} min left{}",
                            hex::encode(id),
                            format!("{status:?}").to_lowercase(),
                            mins,
                            if password { "  (password)" } else { "" }
                        );
                    }
                    Some(OwnerReply::EndOfList) => break,
                    other => return Err(refused(other)),
                }
            }
            if !any {
                eprintln!("The dongle has no invitations.");
            }
            Ok(())
        }
        DongleCommand::Revoke { addr, id, all } => {
            let id = match (id, all) {
                (_, true) => None,
                (Some(id), false) => Some(
                    InvitationId::from_hex(&id)
                        .ok_or_else(|| Error::Usage(format!("{id:?} is not an invitation id")))?
                        .0,
                ),
                (None, false) => {
                    return Err(Error::Usage("name an invitation id, or --all".into()))
                }
            };
            let mut ch = Channel::owner(&home, &normalise(&addr))?;
            match owner::decode_reply(&ch.ask(&OwnerRequest::Revoke { id })?) {
                Some(OwnerReply::Revoked { count }) => {
                    println!("Revoked {count} invitation(s).");
                    Ok(())
                }
                other => Err(refused(other)),
            }
        }
        DongleCommand::Control { addr, setting } => {
            let on = matches!(setting, OnOff::On);
            let mut ch = Channel::owner(&home, &normalise(&addr))?;
            match owner::decode_reply(&ch.ask(&OwnerRequest::AllowControl(on))?) {
                Some(OwnerReply::Control(now)) => {
                    println!(
                        "Remote control on the dongle: {}",
                        if now {
                            "allowed (the person is asked every time)"
                        } else {
                            "off"
                        }
                    );
                    Ok(())
                }
                other => Err(refused(other)),
            }
        }
    }
}

fn pair(home: &Home, addr: &str, code: Option<String>) -> Result<()> {
    let addr = normalise(addr);
    let code = match code {
        Some(c) => c,
        None => {
            eprintln!("The pairing code the dongle shows:");
            super::read_stdin_line("pairing code")?
        }
    };
    let code = code.trim().replace(['-', ' '], "");
    let key = owner_key(home, true)?;
    let (mut ch, device, hash) = Channel::open(&addr, &key)?;
    let proof = pairing_proof(&code, &hash);
    match owner::decode_reply(&ch.ask(&OwnerRequest::Pair { proof })?) {
        Some(OwnerReply::Paired) => {
            let mut dongles = load_dongles(home)?;
            dongles.format = 1;
            dongles.dongles.insert(addr.clone(), hex::encode(device));
            let bytes = serde_json::to_vec_pretty(&dongles)
                .map_err(|e| Error::Other(format!("cannot encode the dongle list: {e}")))?;
            write_atomic(&home.file(DONGLES_FILE), &bytes)?;
            println!(
                "Paired with the dongle at {addr} (device key {}).",
                hex::encode(device)
            );
            Ok(())
        }
        other => Err(refused(other)),
    }
}

fn unix_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn refused(reply: Option<OwnerReply<'_>>) -> Error {
    match reply {
        Some(OwnerReply::Refused(r)) => Error::Other(format!("the dongle refused: {r}")),
        _ => Error::Other("the dongle sent an answer this version does not understand".into()),
    }
}

/// HOST:PORT, with the owner port when none is given.
fn normalise(addr: &str) -> String {
    if addr
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        addr.to_string()
    } else {
        format!("{addr}:{OWNER_PORT}")
    }
}

fn host_of(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(h, _)| h)
}

/// This machine's owner key; made (mode 0600) when `create` and missing.
fn owner_key(home: &Home, create: bool) -> Result<StaticKeypair> {
    let path = home.file(OWNER_KEY_FILE);
    match read_optional(&path)? {
        Some(bytes) => {
            let corrupt = |detail: &str| Error::Corrupt {
                path: path.clone(),
                detail: detail.into(),
            };
            let file: OwnerKeyFile =
                serde_json::from_slice(&bytes).map_err(|e| corrupt(&e.to_string()))?;
            let secret: [u8; 32] = hex::decode(file.secret.trim())
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| corrupt("the secret is not 64 hex digits"))?;
            Ok(StaticKeypair::from_secret(secret))
        }
        None if create => {
            let key = StaticKeypair::generate(&mut OsRng);
            let file = OwnerKeyFile {
                format: 1,
                secret: hex::encode(key.secret),
            };
            let bytes = serde_json::to_vec_pretty(&file)
                .map_err(|e| Error::Other(format!("cannot encode the owner key: {e}")))?;
            write_new(&path, &bytes, 0o600)?;
            Ok(key)
        }
        None => Err(Error::Usage(
            "no dongle is paired from this machine: run `beckon dongle pair ADDR` first".into(),
        )),
    }
}

fn load_dongles(home: &Home) -> Result<Dongles> {
    let path = home.file(DONGLES_FILE);
    match read_optional(&path)? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
            path,
            detail: e.to_string(),
        }),
        None => Ok(Dongles::default()),
    }
}

/// An open, authenticated owner channel.
struct Channel {
    stream: TcpStream,
    t: Transport,
}

impl Channel {
    /// Open the channel to a dongle paired from here, and check that it is
    /// the same dongle (its device key).
    fn owner(home: &Home, addr: &str) -> Result<Channel> {
        let pinned = load_dongles(home)?
            .dongles
            .get(addr)
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no dongle at {addr} is paired from here: run `beckon dongle pair {addr}` first"
                ))
            })?;
        let key = owner_key(home, false)?;
        let (mut ch, device, _) = Channel::open(addr, &key)?;
        if hex::encode(device) != pinned {
            return Err(Error::Other(format!(
                "the device at {addr} is not the dongle paired from here (its key changed); \
                 pair again if it was reset"
            )));
        }
        // A dongle may have no clock of its own: give it ours first, so
        // the invitations it makes expire when they say.
        match owner::decode_reply(&ch.ask(&OwnerRequest::SetClock {
            unix_ms: unix_now_ms(),
        })?) {
            Some(OwnerReply::Clock { .. }) => Ok(ch),
            other => Err(refused(other)),
        }
    }

    /// Connect and run the XX handshake; the dongle's device key and the
    /// handshake hash. A dongle serves one owner connection at a time and
    /// takes a moment to listen again after one closes, so a connection
    /// that is refused or reset before the handshake completes is tried
    /// again a few times (nothing has been asked of the dongle yet).
    fn open(addr: &str, key: &StaticKeypair) -> Result<(Channel, [u8; 32], [u8; 32])> {
        const ATTEMPTS: u64 = 5;
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            match Channel::open_once(addr, key) {
                Err(Error::Connect(e)) => {
                    tracing::debug!("owner channel, attempt {attempt}: {e}");
                    last = e;
                    std::thread::sleep(Duration::from_millis(300 * attempt));
                }
                other => return other,
            }
        }
        Err(Error::Connect(format!(
            "{last} (tried {ATTEMPTS} times; is the dongle busy with another owner connection?)"
        )))
    }

    fn open_once(addr: &str, key: &StaticKeypair) -> Result<(Channel, [u8; 32], [u8; 32])> {
        let conn_err = |e: std::io::Error| Error::Connect(format!("{addr}: {e}"));
        let sock = addr
            .to_socket_addrs()
            .map_err(conn_err)?
            .next()
            .ok_or_else(|| Error::Connect(format!("{addr}: no address")))?;
        let mut stream =
            TcpStream::connect_timeout(&sock, Duration::from_secs(10)).map_err(conn_err)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(conn_err)?;
        let hs_err = |e| Error::Other(format!("owner handshake with {addr} failed: {e}"));
        let mut hs = Handshake::xx_initiator(&mut OsRng, &key.secret).map_err(hs_err)?;
        let mut frame = [0u8; MAX_FRAME];
        let mut payload = [0u8; 64];
        stream.write_all(&OWNER_PREAMBLE).map_err(conn_err)?;
        let n = hs.write_framed(&[], &mut frame).map_err(hs_err)?;
        stream.write_all(&frame[..n]).map_err(conn_err)?;
        stream
            .read_exact(&mut frame[..FRAME_HEADER_LEN])
            .map_err(conn_err)?;
        let len = parse_frame_header(&frame[..FRAME_HEADER_LEN])
            .map_err(hs_err)?
            .ok_or_else(|| Error::Other("owner handshake: short frame".into()))?;
        stream
            .read_exact(&mut frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len])
            .map_err(conn_err)?;
        hs.read_message(
            &frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len],
            &mut payload,
        )
        .map_err(hs_err)?;
        let n = hs.write_framed(&[], &mut frame).map_err(hs_err)?;
        stream.write_all(&frame[..n]).map_err(conn_err)?;
        let device = hs
            .remote_static()
            .ok_or_else(|| Error::Other("owner handshake: no device key".into()))?;
        let hash = hs.handshake_hash();
        let t = hs.into_transport().map_err(hs_err)?;
        Ok((Channel { stream, t }, device, hash))
    }

    fn send(&mut self, req: &OwnerRequest<'_>) -> Result<()> {
        let mut plain = [0u8; MAX_OWNER_MESSAGE];
        let n = owner::encode(req, &mut plain)
            .ok_or_else(|| Error::Usage("the request is too long for the dongle".into()))?;
        let mut record = [0u8; HEADER_LEN + MAX_OWNER_MESSAGE + TAG_LEN];
        let len = self
            .t
            .seal(&plain[..n], &mut record)
            .map_err(|e| Error::Other(format!("cannot seal the request: {e}")))?;
        self.stream
            .write_all(&record[..len])
            .map_err(|e| Error::Connect(format!("the dongle: {e}")))
    }

    fn receive(&mut self) -> Result<Vec<u8>> {
        let io = |e: std::io::Error| Error::Connect(format!("the dongle: {e}"));
        let mut header = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut header).map_err(io)?;
        let len = usize::from(u16::from_be_bytes(header));
        if !(TAG_LEN..=MAX_OWNER_MESSAGE + TAG_LEN).contains(&len) {
            return Err(Error::Other("the dongle sent a malformed record".into()));
        }
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).map_err(io)?;
        let n = self
            .t
            .open_in_place(&mut body)
            .map_err(|e| Error::Other(format!("the dongle's answer does not authenticate: {e}")))?;
        body.truncate(n);
        Ok(body)
    }

    fn ask(&mut self, req: &OwnerRequest<'_>) -> Result<Vec<u8>> {
        self.send(req)?;
        self.receive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dongle_address_gets_the_owner_port_when_it_has_none() {
        assert_eq!(normalise("192.0.2.7"), "192.0.2.7:7071");
        assert_eq!(normalise("192.0.2.7:9000"), "192.0.2.7:9000");
        assert_eq!(normalise("dongle.local"), "dongle.local:7071");
        assert_eq!(host_of("192.0.2.7:7071"), "192.0.2.7");
    }

    #[test]
    fn owner_commands_need_a_pairing_first() {
        let dir = std::env::temp_dir().join(format!("beckon-dongle-test-{}", std::process::id()));
        let home = Home::at(dir.clone());
        home.ensure().unwrap();
        let err = Channel::owner(&home, "192.0.2.7:7071").err().unwrap();
        assert!(err.to_string().contains("beckon dongle pair"), "{err}");
        assert!(owner_key(&home, false).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
