//! The session task on a board: accept a helper on TCP and drive a
//! [`Visit`] with the socket, the person's events and embassy-time timers.

use embassy_futures::select::{select, select4, Either, Either4};
use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_time::{Duration, Instant, Timer};
use rand_core::CryptoRngCore;

use super::{ended, idle, Buffers, Io, Reports, Visit, PORT};
use crate::dongle::Dongle;
use crate::hw::{Console, FrameSource, HidSink, Led, LedState, Storage};
use crate::log;

/// How long to wait for the last bytes (a goodbye) before closing.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Serve helpers forever, one at a time.
pub async fn serve<R, S, F, H, L, C>(
    stack: Stack<'_>,
    dongle: &Dongle<R, S>,
    mut io: Io<'_, F, H, L, C>,
    bufs: &mut Buffers,
) -> !
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    F: FrameSource,
    H: HidSink,
    L: Led,
    C: Console,
{
    let mut reports = Reports::new();
    loop {
        io.led.show(LedState::Idle);
        let mut socket = TcpSocket::new(stack, &mut bufs.rx, &mut bufs.tx);
        // The core keeps its own keepalive and idle timeout (NET-03).
        socket.set_timeout(None);
        socket.set_nagle_enabled(false);
        {
            let accept = socket.accept(PORT);
            let mut accept = core::pin::pin!(accept);
            loop {
                match select(&mut accept, dongle.events.receive()).await {
                    Either::First(Ok(())) => break,
                    Either::First(Err(e)) => {
                        log::warning!("accept failed: {}", e);
                        Timer::after_millis(100).await;
                        break;
                    }
                    Either::Second(ev) => idle(dongle, ev, &mut reports, &mut io),
                }
            }
        }
        if socket.remote_endpoint().is_none() {
            continue;
        }
        log::info!("helper connected from {}", socket.remote_endpoint());
        io.console.line(format_args!("helper connecting …"));
        let mut visit = Visit::new(dongle, dongle.now_ms());
        let reason = visit_over_socket(
            &mut visit,
            &mut socket,
            dongle,
            &mut reports,
            &mut io,
            &mut bufs.tile,
        )
        .await;
        ended(dongle, reason, &mut reports, &mut io);
        socket.close();
        let _ = embassy_time::with_timeout(CLOSE_GRACE, socket.flush()).await;
        socket.abort();
        let _ = embassy_time::with_timeout(CLOSE_GRACE, socket.flush()).await;
    }
}

/// Drive one visit until it ends; returns why.
async fn visit_over_socket<R, S, F, H, L, C>(
    visit: &mut Visit,
    socket: &mut TcpSocket<'_>,
    dongle: &Dongle<R, S>,
    reports: &mut Reports,
    io: &mut Io<'_, F, H, L, C>,
    tile: &mut [u8; beckon_dongle_kit::tiles::MAX_TILE_BYTES],
) -> beckon_core::reason::EndReason
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    F: FrameSource,
    H: HidSink,
    L: Led,
    C: Console,
{
    loop {
        let now = dongle.now_ms();
        // 1. Act on what the session says; pictures, while someone watches.
        if let Some(reason) = visit.step(now, dongle, reports, io, tile) {
            flush(socket, visit).await;
            return reason;
        }
        // 2. Bytes out, as many as the socket takes now.
        send_some(socket, visit).await;
        if visit.is_closed() {
            return beckon_core::reason::EndReason::LocalLeft;
        }
        // 3. Wait for bytes, room, the person, or a timer.
        let wake = visit
            .poll_timeout(dongle.now_ms())
            .map(|t| dongle.instant_at(t));
        let timer = Timer::at(wake.unwrap_or(Instant::now() + Duration::from_secs(1)));
        let want_write = visit.poll_transmit().is_some();
        let write_ready = async {
            if want_write {
                socket.wait_write_ready().await
            } else {
                core::future::pending().await
            }
        };
        match select4(
            socket.wait_read_ready(),
            write_ready,
            dongle.events.receive(),
            timer,
        )
        .await
        {
            Either4::First(()) => {
                let now = dongle.now_ms();
                if !socket.may_recv() && socket.recv_queue() == 0 {
                    visit.handle_close(now);
                    continue;
                }
                let _ = socket
                    .read_with(|buf| (visit.handle_input(now, buf), ()))
                    .await;
            }
            Either4::Second(()) => {}
            Either4::Third(ev) => visit.user(ev, dongle.now_ms(), reports, io),
            Either4::Fourth(()) => visit.handle_timeout(dongle.now_ms()),
        }
    }
}

/// Hand the socket whatever it has room for right now.
async fn send_some(socket: &mut TcpSocket<'_>, visit: &mut Visit) {
    while socket.can_send() {
        let Some(bytes) = visit.poll_transmit() else {
            return;
        };
        let n = socket
            .write_with(|buf| {
                let n = buf.len().min(bytes.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                (n, n)
            })
            .await
            .unwrap_or(0);
        if n == 0 {
            return;
        }
        visit.advance_transmit(n);
    }
}

/// Send everything left (a goodbye), for a short while at most.
async fn flush(socket: &mut TcpSocket<'_>, visit: &mut Visit) {
    let _ = embassy_time::with_timeout(CLOSE_GRACE, async {
        while visit.poll_transmit().is_some() {
            send_some(socket, visit).await;
            socket.wait_write_ready().await;
        }
    })
    .await;
}
