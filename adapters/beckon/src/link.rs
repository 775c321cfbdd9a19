//! Bytes between a core session and a TCP socket, without ever blocking the
//! task: reads and writes happen only when the socket is ready, so neither
//! side can wedge the other by filling buffers.

use std::io;

use beckon_host_sim::endpoint::{Endpoint, Inbox};
use tokio::net::TcpStream;

/// Most bytes read ahead of what the session took.
const READ_AHEAD: usize = 256 * 1024;

/// One connection's socket and the bytes in flight on it.
#[derive(Debug)]
pub struct Link {
    stream: TcpStream,
    inbox: Inbox,
    fin_sent: bool,
    /// Bytes read and written, for the story's summary.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
}

/// What woke the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The socket can be read.
    Read,
    /// The socket can be written.
    Write,
}

impl Link {
    /// A link over a connected socket.
    pub fn new(stream: TcpStream) -> Link {
        let _ = stream.set_nodelay(true);
        Link {
            stream,
            inbox: Inbox::default(),
            fin_sent: false,
            bytes_in: 0,
            bytes_out: 0,
        }
    }

    /// The peer's address, for logs.
    pub fn peer(&self) -> String {
        self.stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into())
    }

    /// Wait until the socket can be read (when more is wanted) or written
    /// (when `write` says there is something to send).
    pub async fn ready(&self, write: bool) -> Ready {
        let read = !self.inbox.is_peer_closed() && self.inbox.len() < READ_AHEAD;
        tokio::select! {
            r = self.stream.readable(), if read => { let _ = r; Ready::Read }
            w = self.stream.writable(), if write => { let _ = w; Ready::Write }
            else => std::future::pending().await,
        }
    }

    /// Whether waiting for the socket makes sense at all.
    pub fn can_wait(&self, write: bool) -> bool {
        write || (!self.inbox.is_peer_closed() && self.inbox.len() < READ_AHEAD)
    }

    /// Read what the socket has now. A closed or failed socket is noted and
    /// told to the session by [`Link::push`].
    pub fn read_now(&mut self) {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if self.inbox.len() >= READ_AHEAD {
                return;
            }
            match self.stream.try_read(&mut buf) {
                Ok(0) => {
                    self.inbox.peer_closed();
                    return;
                }
                Ok(n) => {
                    self.bytes_in += n as u64;
                    self.inbox.extend(&buf[..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::debug!(peer = %self.peer(), "read failed: {e}");
                    self.inbox.peer_closed();
                    return;
                }
            }
        }
    }

    /// Offer the bytes read to the session, or tell it the link closed once
    /// they are all in. Drain its events before each call. Returns whether
    /// the session took anything.
    pub fn push<S: Endpoint>(&mut self, s: &mut S, now: u64) -> bool {
        self.inbox.push(s, now)
    }

    /// Write what the session has to send, as far as the socket takes it now;
    /// once the session is closed and drained, shut the write side.
    pub async fn flush<S: Endpoint>(&mut self, s: &mut S) {
        while let Some(bytes) = s.poll_transmit() {
            match self.stream.try_write(bytes) {
                Ok(n) => {
                    self.bytes_out += n as u64;
                    s.advance_transmit(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Nobody will read them: drop them and let the read side
                    // tell the session the link is gone.
                    tracing::debug!(peer = %self.peer(), "write failed: {e}");
                    let n = bytes.len();
                    s.advance_transmit(n);
                    self.inbox.peer_closed();
                }
            }
        }
        if s.is_closed() && !self.fin_sent {
            self.fin_sent = true;
            use tokio::io::AsyncWriteExt;
            let _ = self.stream.shutdown().await;
        }
    }

    /// Whether the session is over and everything was sent.
    pub fn is_done<S: Endpoint>(&self, s: &S) -> bool {
        self.fin_sent && s.poll_transmit().is_none()
    }
}

/// Milliseconds from `now` until `deadline` (Unix ms), as a tokio instant.
pub fn instant_at(now: u64, deadline: u64) -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_millis(deadline.saturating_sub(now))
}
