//! One direction of a simulated link: a reliable, ordered byte pipe with
//! latency, bandwidth, jitter, a bounded send buffer, and the two ways a
//! real link dies (a cut that closes, a black hole that goes silent).
//!
//! It behaves like one direction of a TCP connection as the application sees
//! it: writes are split into segments that leave one after another at the
//! link's rate, arrive after the latency (plus jitter, never out of order),
//! and the sender can only write while its socket buffer has room. That last
//! part matters: without it a slow link would hide a queue that grows
//! without bound, which is exactly what SES-12 forbids.

use std::collections::VecDeque;

use rand::Rng;
use rand_chacha::ChaCha20Rng;

/// Bytes per segment, as on an Ethernet path with TCP timestamps.
pub const SEGMENT: usize = 1448;

/// Parameters of one direction of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipeSpec {
    /// One-way latency in milliseconds.
    pub latency_ms: u64,
    /// Extra random delay, uniform in `0..=jitter_ms` (order is kept).
    pub jitter_ms: u64,
    /// Bits per second on the wire; `None` is unlimited.
    pub bandwidth_bps: Option<u64>,
    /// Bytes the sender may have written that have not left yet (the socket
    /// send buffer).
    pub send_buffer: usize,
}

impl PipeSpec {
    /// A loopback-like link: 1 ms, no limit.
    pub const fn lan() -> Self {
        PipeSpec {
            latency_ms: 1,
            jitter_ms: 0,
            bandwidth_bps: None,
            send_buffer: 256 * 1024,
        }
    }

    /// A slow link: `kbps` kilobits a second and `rtt_ms` round trip
    /// (half of it each way), with a send buffer of about a second of data.
    pub const fn slow(kbps: u64, rtt_ms: u64) -> Self {
        let bps = kbps * 1000;
        let buffer = (bps / 8) as usize;
        PipeSpec {
            latency_ms: rtt_ms / 2,
            jitter_ms: 0,
            bandwidth_bps: Some(bps),
            send_buffer: if buffer < 16 * 1024 {
                16 * 1024
            } else {
                buffer
            },
        }
    }

    /// The same with jitter.
    pub const fn with_jitter(mut self, jitter_ms: u64) -> Self {
        self.jitter_ms = jitter_ms;
        self
    }
}

/// What travels: data, or the end of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Payload {
    Data(Vec<u8>),
    Fin,
}

#[derive(Debug, Clone)]
struct Segment {
    /// When its last bit leaves the sender (µs).
    depart_us: u64,
    /// When it reaches the receiver (ms).
    arrive_ms: u64,
    payload: Payload,
}

/// What the receiving end gets from [`Pipe::deliver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Bytes, in order.
    Data(Vec<u8>),
    /// The sender closed (or the link was cut): no more bytes will come.
    Closed,
}

/// Whether the pipe still carries anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Up,
    /// Nothing is delivered any more, and nobody is told.
    BlackHole,
    /// Torn down: everything in flight is lost; the receiver learns it.
    Cut,
}

/// One direction of a link.
#[derive(Debug)]
pub struct Pipe {
    spec: PipeSpec,
    segments: VecDeque<Segment>,
    /// When the wire is free for the next segment (µs).
    wire_free_us: u64,
    /// Arrival of the last segment, to keep order under jitter.
    last_arrive_ms: u64,
    health: Health,
    /// The receiver must be told of a cut (once).
    cut_pending: bool,
    fin_sent: bool,
    /// Counters.
    stats: PipeStats,
}

/// What a pipe carried, for tests and the transcript.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PipeStats {
    /// Bytes the sender wrote.
    pub bytes_written: u64,
    /// Bytes the receiver got.
    pub bytes_delivered: u64,
    /// Most bytes ever waiting in the send buffer or on the wire.
    pub max_in_flight: usize,
}

impl Pipe {
    /// A pipe that is up.
    pub fn new(spec: PipeSpec) -> Self {
        Pipe {
            spec,
            segments: VecDeque::new(),
            wire_free_us: 0,
            last_arrive_ms: 0,
            health: Health::Up,
            cut_pending: false,
            fin_sent: false,
            stats: PipeStats::default(),
        }
    }

    /// Its parameters.
    pub fn spec(&self) -> PipeSpec {
        self.spec
    }

    /// Change the parameters from now on (a link that gets slower or faster).
    pub fn set_spec(&mut self, spec: PipeSpec) {
        self.spec = spec;
    }

    /// Counters so far.
    pub fn stats(&self) -> PipeStats {
        self.stats
    }

    /// Bytes written that have not left the sender yet at `now_ms`.
    pub fn unsent(&self, now_ms: u64) -> usize {
        let now_us = now_ms * 1000;
        self.segments
            .iter()
            .filter(|s| s.depart_us > now_us)
            .map(|s| match &s.payload {
                Payload::Data(d) => d.len(),
                Payload::Fin => 0,
            })
            .sum()
    }

    /// When the next byte still in the send buffer leaves it (ms), so a
    /// blocked sender knows when to try again.
    pub fn next_departure(&self, now_ms: u64) -> Option<u64> {
        let now_us = now_ms * 1000;
        self.segments
            .iter()
            .map(|s| s.depart_us)
            .find(|d| *d > now_us)
            .map(|d| d.div_ceil(1000).max(now_ms + 1))
    }

    /// Bytes written and not yet delivered.
    pub fn in_flight(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match &s.payload {
                Payload::Data(d) => d.len(),
                Payload::Fin => 0,
            })
            .sum()
    }

    /// How many bytes the sender may write now.
    pub fn room(&self, now_ms: u64) -> usize {
        if self.fin_sent || self.health == Health::Cut {
            return 0;
        }
        self.spec.send_buffer.saturating_sub(self.unsent(now_ms))
    }

    /// Whether the sender may still write (not closed, not cut).
    pub fn writable(&self) -> bool {
        !self.fin_sent && self.health != Health::Cut
    }

    /// Write bytes at `now_ms`. Ask [`Pipe::room`] first: the pipe takes
    /// everything it is given (a fault may add bytes beyond the room).
    pub fn write(&mut self, now_ms: u64, bytes: &[u8], rng: &mut ChaCha20Rng) {
        if !self.writable() {
            return;
        }
        for chunk in bytes.chunks(SEGMENT) {
            self.push(now_ms, Payload::Data(chunk.to_vec()), rng);
        }
        self.stats.bytes_written += bytes.len() as u64;
        self.stats.max_in_flight = self.stats.max_in_flight.max(self.in_flight());
    }

    /// The sender closes its end: the receiver learns it after the data.
    pub fn close(&mut self, now_ms: u64, rng: &mut ChaCha20Rng) {
        if self.writable() {
            self.fin_sent = true;
            self.push(now_ms, Payload::Fin, rng);
        }
    }

    /// Stop delivering from now on, without telling anyone.
    pub fn black_hole(&mut self) {
        if self.health == Health::Up {
            self.health = Health::BlackHole;
            self.segments.clear();
        }
    }

    /// Tear the pipe down: what is in flight is lost. When `tell_receiver`,
    /// the receiving end learns of it (a reset); otherwise it hears nothing.
    pub fn cut(&mut self, tell_receiver: bool) {
        if self.health != Health::Cut {
            self.health = Health::Cut;
            self.segments.clear();
            self.cut_pending = tell_receiver;
        }
    }

    /// When the next delivery is due, if any.
    pub fn next_arrival(&self) -> Option<u64> {
        if self.cut_pending {
            return Some(0);
        }
        self.segments.front().map(|s| s.arrive_ms)
    }

    /// Take what has arrived by `now_ms`.
    pub fn deliver(&mut self, now_ms: u64) -> Option<Delivery> {
        if self.cut_pending {
            self.cut_pending = false;
            return Some(Delivery::Closed);
        }
        if self.health != Health::Up {
            return None;
        }
        if self.segments.front()?.arrive_ms > now_ms {
            return None;
        }
        // Coalesce everything that has arrived, as a socket read would.
        let mut data = Vec::new();
        while let Some(s) = self.segments.front() {
            if s.arrive_ms > now_ms {
                break;
            }
            match &s.payload {
                Payload::Data(d) => data.extend_from_slice(d),
                Payload::Fin if data.is_empty() => {
                    self.segments.pop_front();
                    return Some(Delivery::Closed);
                }
                // Deliver the data first; the close comes with the next call.
                Payload::Fin => break,
            }
            self.segments.pop_front();
        }
        self.stats.bytes_delivered += data.len() as u64;
        Some(Delivery::Data(data))
    }

    fn push(&mut self, now_ms: u64, payload: Payload, rng: &mut ChaCha20Rng) {
        if self.health != Health::Up {
            // A black hole swallows; a cut pipe refuses (room is 0).
            return;
        }
        let bits = match &payload {
            Payload::Data(d) => d.len() as u64 * 8,
            Payload::Fin => 0,
        };
        let start_us = self.wire_free_us.max(now_ms * 1000);
        let serialise_us = match self.spec.bandwidth_bps {
            Some(bps) if bps > 0 => (bits * 1_000_000).div_ceil(bps),
            _ => 0,
        };
        let depart_us = start_us + serialise_us;
        self.wire_free_us = depart_us;
        let jitter = if self.spec.jitter_ms > 0 {
            rng.gen_range(0..=self.spec.jitter_ms)
        } else {
            0
        };
        let arrive_ms =
            (depart_us.div_ceil(1000) + self.spec.latency_ms + jitter).max(self.last_arrive_ms);
        self.last_arrive_ms = arrive_ms;
        self.segments.push_back(Segment {
            depart_us,
            arrive_ms,
            payload,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(1)
    }

    #[test]
    fn latency_and_order() {
        let mut r = rng();
        let mut p = Pipe::new(PipeSpec {
            latency_ms: 50,
            jitter_ms: 20,
            bandwidth_bps: None,
            send_buffer: 1 << 20,
        });
        for i in 0..100u8 {
            p.write(u64::from(i), &[i], &mut r);
        }
        let mut got = Vec::new();
        for t in 0..300 {
            if let Some(Delivery::Data(d)) = p.deliver(t) {
                assert!(t >= 50);
                got.extend(d);
            }
        }
        assert_eq!(got, (0..100u8).collect::<Vec<_>>());
    }

    #[test]
    fn bandwidth_paces_and_send_buffer_bounds() {
        let mut r = rng();
        // 80 kb/s = 10 bytes per ms.
        let mut p = Pipe::new(PipeSpec {
            latency_ms: 0,
            jitter_ms: 0,
            bandwidth_bps: Some(80_000),
            send_buffer: 10_000,
        });
        let n = p.room(0);
        assert_eq!(n, 10_000);
        p.write(0, &vec![0; n], &mut r);
        assert_eq!(p.room(0), 0);
        // After 500 ms about 5000 bytes have left.
        let room = p.room(500);
        assert!((4_000..=6_000).contains(&room), "{room}");
        let mut total = 0;
        for t in 0..=1_100 {
            if let Some(Delivery::Data(d)) = p.deliver(t) {
                total += d.len();
            }
        }
        assert_eq!(total, 10_000);
    }

    #[test]
    fn fin_after_data_and_cut_tells() {
        let mut r = rng();
        let mut p = Pipe::new(PipeSpec::lan());
        p.write(0, b"bye", &mut r);
        p.close(0, &mut r);
        assert_eq!(p.deliver(5), Some(Delivery::Data(b"bye".to_vec())));
        assert_eq!(p.deliver(5), Some(Delivery::Closed));
        let mut q = Pipe::new(PipeSpec::lan());
        q.write(0, b"lost", &mut r);
        q.cut(true);
        assert_eq!(q.deliver(5), Some(Delivery::Closed));
        assert_eq!(q.deliver(6), None);
    }

    #[test]
    fn black_hole_is_silent() {
        let mut r = rng();
        let mut p = Pipe::new(PipeSpec::lan());
        p.write(0, b"x", &mut r);
        p.black_hole();
        p.write(1, b"y", &mut r);
        for t in 0..100 {
            assert_eq!(p.deliver(t), None);
        }
    }
}
