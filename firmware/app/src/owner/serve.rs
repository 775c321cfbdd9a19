//! The owner channel's connection loop: TCP accept, the Noise XX
//! handshake, then one request and its reply at a time.

use beckon_core::handshake::{parse_frame_header, Handshake, FRAME_HEADER_LEN, MAX_FRAME};
use beckon_core::invitation::InvitationId;
use beckon_core::owner::{
    self, pairing_proof_matches, OwnerRefusal, OwnerReply, OwnerRequest, MAX_OWNER_MESSAGE,
    OWNER_PORT, OWNER_PREAMBLE, PAIRING_ATTEMPTS,
};
use beckon_core::record::{Transport, HEADER_LEN, TAG_LEN};
use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_time::{with_timeout, Duration};
use rand_core::CryptoRngCore;

use super::invite;
use crate::dongle::Dongle;
use crate::hw::{Console, Slot, Storage};

/// How long one owner connection may last.
const CONNECTION_LIMIT: Duration = Duration::from_secs(60);

/// Record buffer: a request or reply and its record overhead.
const RECORD_BUF: usize = HEADER_LEN + MAX_OWNER_MESSAGE + TAG_LEN;

/// The owner channel's buffers; keep them in a `static` (StaticCell).
pub struct OwnerBuffers {
    rx: [u8; 1024],
    tx: [u8; 2048],
    frame: [u8; MAX_FRAME],
    record: [u8; RECORD_BUF],
    plain: [u8; MAX_OWNER_MESSAGE],
}

impl OwnerBuffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        OwnerBuffers {
            rx: [0; 1024],
            tx: [0; 2048],
            frame: [0; MAX_FRAME],
            record: [0; RECORD_BUF],
            plain: [0; MAX_OWNER_MESSAGE],
        }
    }
}

impl Default for OwnerBuffers {
    fn default() -> Self {
        Self::new()
    }
}

/// Why an owner connection ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Fail {
    Io,
    Preamble,
    Handshake,
    Record,
    NotOwner,
}

/// Serve the owner channel forever.
pub async fn serve<R, S, C>(
    stack: Stack<'_>,
    dongle: &Dongle<R, S>,
    console: &C,
    bufs: &mut OwnerBuffers,
) -> !
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    C: Console,
{
    loop {
        let OwnerBuffers {
            rx,
            tx,
            frame,
            record,
            plain,
        } = bufs;
        let mut socket = TcpSocket::new(stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(20)));
        if let Err(e) = socket.accept(OWNER_PORT).await {
            crate::log::warning!("owner accept failed: {}", e);
            continue;
        }
        crate::log::info!("owner channel from {}", socket.remote_endpoint());
        let result = with_timeout(
            CONNECTION_LIMIT,
            connection(&mut socket, dongle, console, frame, record, plain),
        )
        .await;
        match result {
            Ok(Ok(())) => crate::log::info!("owner channel closed"),
            Ok(Err(f)) => crate::log::warning!("owner channel ended: {}", f),
            Err(_) => crate::log::warning!("owner channel timed out"),
        }
        socket.close();
        let _ = with_timeout(Duration::from_secs(2), socket.flush()).await;
        socket.abort();
    }
}

async fn read_exact(socket: &mut TcpSocket<'_>, buf: &mut [u8]) -> Result<(), Fail> {
    let mut at = 0;
    while at < buf.len() {
        match socket.read(&mut buf[at..]).await {
            Ok(0) | Err(_) => return Err(Fail::Io),
            Ok(n) => at += n,
        }
    }
    Ok(())
}

async fn write_all(socket: &mut TcpSocket<'_>, mut buf: &[u8]) -> Result<(), Fail> {
    while !buf.is_empty() {
        match socket.write(buf).await {
            Ok(0) | Err(_) => return Err(Fail::Io),
            Ok(n) => buf = &buf[n..],
        }
    }
    Ok(())
}

/// Read one framed handshake message into `frame`; its length.
async fn read_frame(
    socket: &mut TcpSocket<'_>,
    frame: &mut [u8; MAX_FRAME],
) -> Result<usize, Fail> {
    read_exact(socket, &mut frame[..FRAME_HEADER_LEN]).await?;
    let len = parse_frame_header(&frame[..FRAME_HEADER_LEN])
        .ok()
        .flatten()
        .ok_or(Fail::Handshake)?;
    read_exact(socket, &mut frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len]).await?;
    Ok(len)
}

async fn send_reply(
    socket: &mut TcpSocket<'_>,
    t: &mut Transport,
    reply: &OwnerReply<'_>,
    plain: &mut [u8; MAX_OWNER_MESSAGE],
    record: &mut [u8; RECORD_BUF],
) -> Result<(), Fail> {
    let n = owner::encode(reply, plain).ok_or(Fail::Record)?;
    let len = t.seal(&plain[..n], record).map_err(|_| Fail::Record)?;
    write_all(socket, &record[..len]).await
}

async fn connection<R, S, C>(
    socket: &mut TcpSocket<'_>,
    dongle: &Dongle<R, S>,
    console: &C,
    frame: &mut [u8; MAX_FRAME],
    record: &mut [u8; RECORD_BUF],
    plain: &mut [u8; MAX_OWNER_MESSAGE],
) -> Result<(), Fail>
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    C: Console,
{
    let mut preamble = [0u8; 4];
    read_exact(socket, &mut preamble).await?;
    if preamble != OWNER_PREAMBLE {
        return Err(Fail::Preamble);
    }
    // Noise XX: -> e; <- e, ee, s, es; -> s, se. No payloads.
    let mut hs = dongle
        .with(|st| Handshake::xx_responder(&mut st.rng, &st.key.secret))
        .map_err(|_| Fail::Handshake)?;
    let mut payload = [0u8; 64];
    let len = read_frame(socket, frame).await?;
    hs.read_message(
        &frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len],
        &mut payload,
    )
    .map_err(|_| Fail::Handshake)?;
    let n = hs.write_framed(&[], frame).map_err(|_| Fail::Handshake)?;
    write_all(socket, &frame[..n]).await?;
    let len = read_frame(socket, frame).await?;
    hs.read_message(
        &frame[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len],
        &mut payload,
    )
    .map_err(|_| Fail::Handshake)?;
    let peer = hs.remote_static().ok_or(Fail::Handshake)?;
    let hash = hs.handshake_hash();
    let mut t = hs.into_transport().map_err(|_| Fail::Handshake)?;

    loop {
        // One record: header, then a body no longer than an owner message.
        if read_exact(socket, &mut record[..HEADER_LEN]).await.is_err() {
            return Ok(()); // the owner hung up between requests
        }
        let body_len = usize::from(u16::from_be_bytes([record[0], record[1]]));
        if !(TAG_LEN..=MAX_OWNER_MESSAGE + TAG_LEN).contains(&body_len) {
            return Err(Fail::Record);
        }
        read_exact(socket, &mut record[HEADER_LEN..HEADER_LEN + body_len]).await?;
        let n = t
            .open_in_place(&mut record[HEADER_LEN..HEADER_LEN + body_len])
            .map_err(|_| Fail::Record)?;
        // The request is decoded from a copy: `record` and `plain` are
        // reused to send the reply while the request is borrowed.
        let mut request_bytes = [0u8; MAX_OWNER_MESSAGE];
        request_bytes[..n].copy_from_slice(&record[HEADER_LEN..HEADER_LEN + n]);
        let Some(request) = owner::decode_request(&request_bytes[..n]) else {
            send_reply(
                socket,
                &mut t,
                &OwnerReply::Refused(OwnerRefusal::BadRequest),
                plain,
                record,
            )
            .await?;
            continue;
        };
        let owner = dongle.with(|st| st.owner);
        match (owner, request) {
            (Some(k), _) if k != peer => {
                send_reply(
                    socket,
                    &mut t,
                    &OwnerReply::Refused(OwnerRefusal::NotOwner),
                    plain,
                    record,
                )
                .await?;
                return Err(Fail::NotOwner);
            }
            (None, OwnerRequest::Pair { proof }) => {
                let reply = pair(dongle, console, peer, &hash, &proof);
                send_reply(socket, &mut t, &reply, plain, record).await?;
            }
            (None, _) => {
                send_reply(
                    socket,
                    &mut t,
                    &OwnerReply::Refused(OwnerRefusal::NotPaired),
                    plain,
                    record,
                )
                .await?;
            }
            (Some(_), OwnerRequest::Pair { .. }) => {
                send_reply(socket, &mut t, &OwnerReply::Paired, plain, record).await?;
            }
            (
                Some(_),
                OwnerRequest::Invite {
                    minutes,
                    addresses,
                    password,
                    pre_approved,
                },
            ) => {
                let mut text: heapless::String<{ beckon_core::invitation::TEXT_CAP }> =
                    heapless::String::new();
                let made = invite(
                    dongle,
                    minutes,
                    &addresses,
                    password,
                    pre_approved,
                    &mut text,
                );
                let reply = match made {
                    Ok(()) => {
                        console.line(format_args!(
                            "the owner made an invitation ({minutes} minutes{})",
                            if pre_approved {
                                ", pre-approved: helpers get in without asking"
                            } else {
                                ""
                            }
                        ));
                        OwnerReply::Invitation { text: &text }
                    }
                    Err(r) => OwnerReply::Refused(r),
                };
                send_reply(socket, &mut t, &reply, plain, record).await?;
            }
            (Some(_), OwnerRequest::List) => {
                let now = dongle.now_ms();
                // Copy the entries out first: the book is not held across
                // the awaits that send them.
                let mut entries: heapless::Vec<OwnerReply<'static>, { crate::BOOK_CAPACITY }> =
                    heapless::Vec::new();
                dongle.with(|st| {
                    for (inv, status) in st.book.list(now) {
                        let _ = entries.push(OwnerReply::Entry {
                            id: inv.id.0,
                            status,
                            expires_at_ms: inv.expires_at_ms,
                            password: inv.needs_password(),
                        });
                    }
                });
                for e in &entries {
                    send_reply(socket, &mut t, e, plain, record).await?;
                }
                send_reply(socket, &mut t, &OwnerReply::EndOfList, plain, record).await?;
            }
            (Some(_), OwnerRequest::Revoke { id }) => {
                let count = dongle.with_book(|st| match id {
                    None => st.book.revoke_all(),
                    Some(id) => usize::from(st.book.revoke(&InvitationId(id))),
                });
                console.line(format_args!("the owner revoked {count} invitation(s)"));
                let reply = OwnerReply::Revoked {
                    count: count as u32,
                };
                send_reply(socket, &mut t, &reply, plain, record).await?;
            }
            (Some(_), OwnerRequest::SetClock { unix_ms }) => {
                let now = dongle.set_clock(unix_ms);
                send_reply(
                    socket,
                    &mut t,
                    &OwnerReply::Clock { unix_ms: now },
                    plain,
                    record,
                )
                .await?;
            }
            (Some(_), OwnerRequest::AllowControl(on)) => {
                dongle.set_remote_control(on, console);
                send_reply(socket, &mut t, &OwnerReply::Control(on), plain, record).await?;
            }
        };
    }
}

fn pair<R, S, C>(
    dongle: &Dongle<R, S>,
    console: &C,
    peer: [u8; 32],
    hash: &[u8; 32],
    proof: &[u8; 32],
) -> OwnerReply<'static>
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    C: Console,
{
    let reply = dongle.with(|st| {
        let Some(code) = st.pairing_code.clone() else {
            return OwnerReply::Refused(OwnerRefusal::NoCode);
        };
        if pairing_proof_matches(&code, hash, proof) {
            st.owner = Some(peer);
            st.pairing_code = None;
            if !st.storage.store(Slot::Owner, &peer) {
                crate::log::warning!("owner key not stored; pairing is lost at the next boot");
            }
            OwnerReply::Paired
        } else {
            st.pairing_failures += 1;
            if st.pairing_failures >= PAIRING_ATTEMPTS {
                st.pairing_code = None;
            }
            OwnerReply::Refused(OwnerRefusal::WrongCode)
        }
    });
    match reply {
        OwnerReply::Paired => console.line(format_args!("paired: this dongle has an owner now")),
        OwnerReply::Refused(r) => console.line(format_args!("pairing refused: {r}")),
        _ => {}
    }
    reply
}
