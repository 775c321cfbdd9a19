//! What the simulator needs from either role's session, and the plumbing
//! between a session and its end of a link.

use beckon_core::session::{ExpertSession, NoviceSession, SendError};
use rand_chacha::ChaCha20Rng;

use crate::net::{Delivery, Fault, Link, Toward};

/// The driver interface both roles share (the core writes it once with a
/// macro; this trait lets the simulator write its plumbing once too).
pub trait Endpoint {
    /// Bytes from the link; returns how many were taken.
    fn handle_input(&mut self, now: u64, data: &[u8]) -> usize;
    /// Bytes to send.
    fn poll_transmit(&self) -> Option<&[u8]>;
    /// `n` bytes were sent.
    fn advance_transmit(&mut self, n: usize);
    /// Time passed.
    fn handle_timeout(&mut self, now: u64);
    /// The link closed.
    fn handle_close(&mut self, now: u64);
    /// When to call `handle_timeout`.
    fn poll_timeout(&self) -> Option<u64>;
    /// Ended and drained.
    fn is_closed(&self) -> bool;
    /// The next file chunk to send.
    fn next_file_chunk(&self) -> Option<(u32, u64, usize)>;
    /// Send a file chunk.
    fn send_file_chunk(&mut self, id: u32, offset: u64, data: &[u8]) -> Result<(), SendError>;
    /// Offer a file.
    fn offer_file(&mut self, name: &str, size: u64, sha256: [u8; 32]) -> Result<u32, SendError>;
    /// Accept or decline a file.
    fn answer_file(&mut self, id: u32, accept: bool) -> Result<(), SendError>;
    /// Cancel a transfer.
    fn cancel_file(&mut self, id: u32) -> Result<(), SendError>;
    /// Send a chat message.
    fn send_chat(&mut self, text: &str) -> Result<(), SendError>;
}

macro_rules! endpoint_for {
    ($ty:ty) => {
        impl Endpoint for $ty {
            fn handle_input(&mut self, now: u64, data: &[u8]) -> usize {
                <$ty>::handle_input(self, now, data)
            }
            fn poll_transmit(&self) -> Option<&[u8]> {
                <$ty>::poll_transmit(self)
            }
            fn advance_transmit(&mut self, n: usize) {
                <$ty>::advance_transmit(self, n)
            }
            fn handle_timeout(&mut self, now: u64) {
                <$ty>::handle_timeout(self, now)
            }
            fn handle_close(&mut self, now: u64) {
                <$ty>::handle_close(self, now)
            }
            fn poll_timeout(&self) -> Option<u64> {
                <$ty>::poll_timeout(self)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn next_file_chunk(&self) -> Option<(u32, u64, usize)> {
                <$ty>::next_file_chunk(self)
            }
            fn send_file_chunk(
                &mut self,
                id: u32,
                offset: u64,
                data: &[u8],
            ) -> Result<(), SendError> {
                <$ty>::send_file_chunk(self, id, offset, data)
            }
            fn offer_file(
                &mut self,
                name: &str,
                size: u64,
                sha256: [u8; 32],
            ) -> Result<u32, SendError> {
                <$ty>::offer_file(self, name, size, sha256)
            }
            fn answer_file(&mut self, id: u32, accept: bool) -> Result<(), SendError> {
                <$ty>::answer_file(self, id, accept)
            }
            fn cancel_file(&mut self, id: u32) -> Result<(), SendError> {
                <$ty>::cancel_file(self, id)
            }
            fn send_chat(&mut self, text: &str) -> Result<(), SendError> {
                <$ty>::send_chat(self, text)
            }
        }
    };
}

endpoint_for!(NoviceSession);
endpoint_for!(ExpertSession);

/// Bytes that arrived for a session and were not taken yet, and whether the
/// link closed underneath: what every driver keeps between its socket (or
/// simulated pipe) and the core.
#[derive(Debug, Default)]
pub struct Inbox {
    rx: Vec<u8>,
    peer_closed: bool,
    close_told: bool,
}

impl Inbox {
    /// Bytes arrived.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
    }

    /// The peer closed (or the link broke): no more bytes will come.
    pub fn peer_closed(&mut self) {
        self.peer_closed = true;
    }

    /// Whether the peer closed.
    pub fn is_peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Bytes waiting for the session.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no bytes are waiting.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Offer the waiting bytes to the session, or tell it the link
    /// closed once they are all in. Take its events before each call: a
    /// full inbox takes nothing until they are. Returns whether the
    /// session took anything.
    pub fn push<S: Endpoint>(&mut self, s: &mut S, now: u64) -> bool {
        if !self.rx.is_empty() {
            let taken = s.handle_input(now, &self.rx);
            self.rx.drain(..taken);
            return taken > 0;
        }
        if self.peer_closed && !self.close_told {
            self.close_told = true;
            s.handle_close(now);
            return true;
        }
        false
    }
}

/// One end of a simulated link as its driver sees it.
#[derive(Debug, Default)]
pub struct Wire {
    inbox: Inbox,
    fin_sent: bool,
}

impl Wire {
    /// Take what the link delivered to this end by `now`.
    pub fn receive(&mut self, link: &mut Link, toward: Toward, now: u64) -> Option<Vec<u8>> {
        let mut got = None::<Vec<u8>>;
        while let Some(d) = link.pipe_mut(toward).deliver(now) {
            match d {
                Delivery::Data(bytes) => {
                    self.inbox.extend(&bytes);
                    got.get_or_insert_with(Vec::new).extend_from_slice(&bytes);
                }
                Delivery::Closed => {
                    self.inbox.peer_closed();
                    got.get_or_insert_with(Vec::new);
                }
            }
        }
        got
    }

    /// See [`Inbox::push`].
    pub fn push<S: Endpoint>(&mut self, s: &mut S, now: u64) -> bool {
        self.inbox.push(s, now)
    }

    /// Move the session's bytes onto the link, as far as the send buffer
    /// allows, and close this direction once the session is closed.
    /// Returns whether anything moved and the faults that fired.
    pub fn transmit<S: Endpoint>(
        &mut self,
        s: &mut S,
        link: &mut Link,
        toward: Toward,
        now: u64,
        rng: &mut ChaCha20Rng,
    ) -> (bool, Vec<Fault>) {
        let mut moved = false;
        let mut fired = Vec::new();
        while let Some(bytes) = s.poll_transmit() {
            let pipe = link.pipe(toward);
            if !pipe.writable() {
                // Nobody will read them: the link is gone.
                let n = bytes.len();
                s.advance_transmit(n);
                moved = true;
                continue;
            }
            let n = bytes.len().min(pipe.room(now));
            if n == 0 {
                break;
            }
            let chunk = bytes[..n].to_vec();
            fired.extend(link.write(toward, now, &chunk, rng));
            s.advance_transmit(n);
            moved = true;
        }
        if s.is_closed() && !self.fin_sent {
            self.fin_sent = true;
            link.pipe_mut(toward).close(now, rng);
            moved = true;
        }
        (moved, fired)
    }

    /// Close this direction now, whatever is left unsent (a driver that
    /// gave up waiting for its goodbye to leave). Returns whether it was
    /// still open.
    pub fn close(
        &mut self,
        link: &mut Link,
        toward: Toward,
        now: u64,
        rng: &mut ChaCha20Rng,
    ) -> bool {
        if self.fin_sent {
            return false;
        }
        self.fin_sent = true;
        link.pipe_mut(toward).close(now, rng);
        true
    }
}
