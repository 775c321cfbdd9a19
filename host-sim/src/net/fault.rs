//! Bad input on purpose: a layer in front of a pipe that changes the byte
//! stream at the granularity of frames.
//!
//! Everything Beckon sends after the expert's 5-byte preamble is framed as
//! `[u16 big-endian length][body]` (handshake messages and records alike),
//! so the layer can find frame boundaries without any key and hit one
//! exact record: flip a bit in it, cut it short, play it again, drop it or
//! put garbage after it. Like smoltcp's `FaultInjector`, it wraps the link
//! and knows nothing of what the bytes mean.

use rand::RngCore;
use rand_chacha::ChaCha20Rng;

/// Something to do to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Flip one bit of the frame's body (a corrupted or forged record).
    FlipBit,
    /// Send only the first half of the frame, then carry on with the next
    /// ones (the receiver loses the frame boundary).
    Truncate,
    /// Send the first half of the frame and close the link.
    TruncateAndClose,
    /// Send the frame, then the same frame again (a replayed record).
    Replay,
    /// Leave the frame out (a deleted record).
    Drop,
    /// Send the frame, then this many random bytes.
    Garbage(u16),
}

/// When a fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// On the frame with this index (0 = the first frame after the preamble).
    Frame(u32),
    /// On the first frame written at or after this time (ms).
    At(u64),
}

/// A fault waiting for its trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedFault {
    /// What to do.
    pub fault: Fault,
    /// When.
    pub trigger: Trigger,
}

/// What the tap produced for one write.
#[derive(Debug, Default)]
pub struct Tapped {
    /// The bytes to put on the link.
    pub bytes: Vec<u8>,
    /// Faults that fired, for the transcript.
    pub fired: Vec<Fault>,
    /// Close the link after these bytes.
    pub close: bool,
}

/// Splits a byte stream into frames and applies planned faults.
#[derive(Debug)]
pub struct FaultTap {
    /// Bytes before the first frame (the preamble) still to pass through.
    skip: usize,
    /// The frame being gathered.
    partial: Vec<u8>,
    /// Index of the next complete frame.
    next_frame: u32,
    planned: Vec<PlannedFault>,
    /// Once the stream is out of step (truncated), frames are passed on raw.
    derailed: bool,
}

impl FaultTap {
    /// A tap for a stream that starts with `preamble` unframed bytes.
    pub fn new(preamble: usize) -> Self {
        FaultTap {
            skip: preamble,
            partial: Vec::new(),
            next_frame: 0,
            planned: Vec::new(),
            derailed: false,
        }
    }

    /// Plan a fault.
    pub fn plan(&mut self, fault: PlannedFault) {
        self.planned.push(fault);
    }

    /// Pass `bytes`, written at `now_ms`, through the tap. Without a fault
    /// due this is the identity, except that the end of a frame that is not
    /// complete yet waits in the tap until the rest is written.
    pub fn pass(&mut self, now_ms: u64, bytes: &[u8], rng: &mut ChaCha20Rng) -> Tapped {
        let mut out = Tapped::default();
        let mut rest = bytes;
        if self.skip > 0 {
            let n = self.skip.min(rest.len());
            out.bytes.extend_from_slice(&rest[..n]);
            self.skip -= n;
            rest = &rest[n..];
        }
        if self.derailed {
            out.bytes.extend_from_slice(rest);
            return out;
        }
        self.partial.extend_from_slice(rest);
        while let Some(len) = frame_len(&self.partial) {
            if self.partial.len() < len {
                break;
            }
            let frame: Vec<u8> = self.partial.drain(..len).collect();
            let index = self.next_frame;
            self.next_frame += 1;
            let due = self.planned.iter().position(|p| match p.trigger {
                Trigger::Frame(i) => i == index,
                Trigger::At(t) => now_ms >= t,
            });
            let Some(due) = due else {
                out.bytes.extend_from_slice(&frame);
                continue;
            };
            let fault = self.planned.remove(due).fault;
            out.fired.push(fault);
            match fault {
                Fault::FlipBit => {
                    let mut frame = frame;
                    // Past the length header, so the record still parses as
                    // one and fails its authentication.
                    let body = frame.len() - 2;
                    let at = 2 + (rng.next_u32() as usize % body);
                    frame[at] ^= 1 << (rng.next_u32() % 8);
                    out.bytes.extend_from_slice(&frame);
                }
                Fault::Truncate => {
                    out.bytes.extend_from_slice(&frame[..frame.len() / 2]);
                    self.derailed = true;
                }
                Fault::TruncateAndClose => {
                    out.bytes.extend_from_slice(&frame[..frame.len() / 2]);
                    out.close = true;
                    self.derailed = true;
                    return out;
                }
                Fault::Replay => {
                    out.bytes.extend_from_slice(&frame);
                    out.bytes.extend_from_slice(&frame);
                }
                Fault::Drop => {}
                Fault::Garbage(n) => {
                    out.bytes.extend_from_slice(&frame);
                    let mut junk = vec![0u8; usize::from(n)];
                    rng.fill_bytes(&mut junk);
                    out.bytes.extend_from_slice(&junk);
                }
            }
            if self.derailed {
                out.bytes.append(&mut self.partial);
                break;
            }
        }
        out
    }
}

/// Length of the frame at the start of `bytes`, header included.
fn frame_len(bytes: &[u8]) -> Option<usize> {
    let header = bytes.get(..2)?;
    Some(2 + usize::from(u16::from_be_bytes([header[0], header[1]])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut f = (body.len() as u16).to_be_bytes().to_vec();
        f.extend_from_slice(body);
        f
    }

    fn stream() -> Vec<u8> {
        let mut s = b"BKN1I".to_vec();
        for body in [&b"first"[..], b"second", b"third"] {
            s.extend(frame(body));
        }
        s
    }

    fn tapped(fault: Fault, trigger: Trigger, chunk: usize) -> Tapped {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let mut tap = FaultTap::new(5);
        tap.plan(PlannedFault { fault, trigger });
        let mut all = Tapped::default();
        // Written in pieces that split frames, as a socket would.
        for piece in stream().chunks(chunk) {
            let t = tap.pass(10, piece, &mut rng);
            all.bytes.extend(t.bytes);
            all.fired.extend(t.fired);
            all.close |= t.close;
        }
        all
    }

    #[test]
    fn without_a_due_fault_the_stream_passes_unchanged() {
        for chunk in [1, 3, 7, 100] {
            let t = tapped(Fault::FlipBit, Trigger::Frame(9), chunk);
            assert_eq!(t.bytes, stream());
            assert!(t.fired.is_empty());
        }
    }

    #[test]
    fn flip_hits_one_bit_of_the_chosen_frame_body() {
        let t = tapped(Fault::FlipBit, Trigger::Frame(1), 4);
        let clean = stream();
        assert_eq!(t.bytes.len(), clean.len());
        let diff: Vec<usize> = (0..clean.len())
            .filter(|i| t.bytes[*i] != clean[*i])
            .collect();
        assert_eq!(diff.len(), 1);
        let second = 5 + 2 + 5;
        assert!((second + 2..second + 2 + 6).contains(&diff[0]), "{diff:?}");
        assert_eq!((t.bytes[diff[0]] ^ clean[diff[0]]).count_ones(), 1);
    }

    #[test]
    fn replay_drop_and_garbage_reshape_the_stream() {
        let replay = tapped(Fault::Replay, Trigger::Frame(0), 5);
        let mut expected = b"BKN1I".to_vec();
        expected.extend(frame(b"first"));
        expected.extend(frame(b"first"));
        expected.extend(frame(b"second"));
        expected.extend(frame(b"third"));
        assert_eq!(replay.bytes, expected);

        let dropped = tapped(Fault::Drop, Trigger::Frame(2), 5);
        assert_eq!(dropped.bytes, stream()[..stream().len() - 7]);

        let garbage = tapped(Fault::Garbage(9), Trigger::At(0), 64);
        assert_eq!(garbage.bytes.len(), stream().len() + 9);
        assert_eq!(garbage.fired, [Fault::Garbage(9)]);
    }

    #[test]
    fn truncation_keeps_half_a_frame_and_may_close() {
        let t = tapped(Fault::TruncateAndClose, Trigger::Frame(1), 64);
        assert!(t.close);
        assert_eq!(t.bytes.len(), 5 + 7 + 8 / 2);
        let t = tapped(Fault::Truncate, Trigger::Frame(1), 64);
        assert!(!t.close);
        assert_eq!(t.bytes.len(), stream().len() - 4);
    }
}
