//! The simulated network: duplex links made of two [`Pipe`]s, each behind
//! a [`FaultTap`].
//!
//! A link joins one expert to one of the novice agent's connections. The
//! novice's end is where the agent listens; the expert's end is the client.

mod fault;
mod pipe;

pub use fault::{Fault, FaultTap, PlannedFault, Tapped, Trigger};
pub use pipe::{Delivery, Pipe, PipeSpec, PipeStats, SEGMENT};

use rand_chacha::ChaCha20Rng;

use crate::PREAMBLE_LEN;

/// Which way bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Toward {
    /// From the expert to the novice's machine.
    Novice,
    /// From the novice's machine to the expert.
    Expert,
}

/// How a link is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSpec {
    /// The expert → novice direction.
    pub to_novice: PipeSpec,
    /// The novice → expert direction.
    pub to_expert: PipeSpec,
}

impl LinkSpec {
    /// The same parameters both ways.
    pub const fn symmetric(spec: PipeSpec) -> Self {
        LinkSpec {
            to_novice: spec,
            to_expert: spec,
        }
    }

    /// A loopback-like link.
    pub const fn lan() -> Self {
        Self::symmetric(PipeSpec::lan())
    }

    /// `kbps` each way with `rtt_ms` round trip.
    pub const fn slow(kbps: u64, rtt_ms: u64) -> Self {
        Self::symmetric(PipeSpec::slow(kbps, rtt_ms))
    }
}

/// Which ends learn that a link was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutNotice {
    /// Both ends get a reset.
    Both,
    /// Only the novice's end learns it; the expert hears nothing.
    NoviceOnly,
    /// Only the expert's end learns it; the novice hears nothing.
    ExpertOnly,
}

/// A duplex link.
#[derive(Debug)]
pub struct Link {
    to_novice: Pipe,
    to_expert: Pipe,
    tap_to_novice: FaultTap,
    tap_to_expert: FaultTap,
}

impl Link {
    /// A link that is up.
    pub fn new(spec: LinkSpec) -> Self {
        Link {
            to_novice: Pipe::new(spec.to_novice),
            to_expert: Pipe::new(spec.to_expert),
            tap_to_novice: FaultTap::new(PREAMBLE_LEN),
            tap_to_expert: FaultTap::new(0),
        }
    }

    /// One direction.
    pub fn pipe(&self, toward: Toward) -> &Pipe {
        match toward {
            Toward::Novice => &self.to_novice,
            Toward::Expert => &self.to_expert,
        }
    }

    /// One direction, to change.
    pub fn pipe_mut(&mut self, toward: Toward) -> &mut Pipe {
        match toward {
            Toward::Novice => &mut self.to_novice,
            Toward::Expert => &mut self.to_expert,
        }
    }

    /// Plan a fault on one direction.
    pub fn plan(&mut self, toward: Toward, fault: PlannedFault) {
        match toward {
            Toward::Novice => self.tap_to_novice.plan(fault),
            Toward::Expert => self.tap_to_expert.plan(fault),
        }
    }

    /// Write bytes toward one end, through its fault tap. Returns the
    /// faults that fired.
    pub fn write(
        &mut self,
        toward: Toward,
        now_ms: u64,
        bytes: &[u8],
        rng: &mut ChaCha20Rng,
    ) -> Vec<Fault> {
        let (tap, pipe) = match toward {
            Toward::Novice => (&mut self.tap_to_novice, &mut self.to_novice),
            Toward::Expert => (&mut self.tap_to_expert, &mut self.to_expert),
        };
        let tapped = tap.pass(now_ms, bytes, rng);
        pipe.write(now_ms, &tapped.bytes, rng);
        if tapped.close {
            pipe.close(now_ms, rng);
        }
        tapped.fired
    }

    /// Cut both directions; `notice` says which ends hear of it.
    pub fn cut(&mut self, notice: CutNotice) {
        self.to_novice
            .cut(matches!(notice, CutNotice::Both | CutNotice::NoviceOnly));
        self.to_expert
            .cut(matches!(notice, CutNotice::Both | CutNotice::ExpertOnly));
    }

    /// Both directions go silent without closing.
    pub fn black_hole(&mut self) {
        self.to_novice.black_hole();
        self.to_expert.black_hole();
    }

    /// The earliest delivery due on either direction.
    pub fn next_arrival(&self) -> Option<u64> {
        [self.to_novice.next_arrival(), self.to_expert.next_arrival()]
            .into_iter()
            .flatten()
            .min()
    }
}
