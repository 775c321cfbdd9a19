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

    /// Whether faults are still waiting.
    pub fn has_plans(&self) -> bool {
        !self.planned.is_empty()
    }

    /// Frames seen so far.
    pub fn frames_seen(&self) -> u32 {
        self.next_frame
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
