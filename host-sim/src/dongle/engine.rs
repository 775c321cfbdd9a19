//! The dongle world's engine: at each instant, deliver bytes, drive the
//! firmware's visit the way a board's session task does (the person's
//! events, `step`, bytes in, timers, bytes out), drive the helpers, and
//! find the next instant anything is due.

use beckon_dongle::hw::{Led, LedState};
use beckon_dongle::session::{ended, idle};
use sha2::Digest;

use super::world::{Action, DongleSim};
use crate::net::Toward;
use crate::transcript::{Actor, Kind};
use crate::T0;

/// How long the dongle waits for its last bytes (a goodbye) to leave
/// before it closes anyway: the board's `CLOSE_GRACE`.
const CLOSE_GRACE_MS: u64 = 2_000;

impl DongleSim {
    /// Do everything due now, until nothing moves.
    pub(super) fn settle(&mut self) {
        for _ in 0..1_000_000 {
            let moved = self.settle_once();
            self.record_bench();
            if !moved {
                return;
            }
        }
        // A livelock is a bug in the simulator, the firmware or the core:
        // fail loudly with the transcript, do not hang.
        #[allow(clippy::panic)]
        {
            panic!(
                "the dongle world does not settle at t={} ms",
                self.elapsed()
            );
        }
    }

    fn settle_once(&mut self) -> bool {
        let now = self.now;
        super::bench::set_uptime(self.elapsed());
        let mut moved = false;
        while let Some((&key, _)) = self.actions.first_key_value() {
            if key.0 > now {
                break;
            }
            if let Some(action) = self.actions.remove(&key) {
                self.perform(action);
                moved = true;
            }
        }
        for k in 0..self.links.len() {
            for toward in [Toward::Novice, Toward::Expert] {
                let wire = match toward {
                    Toward::Novice => &mut self.wires[k],
                    Toward::Expert => &mut self.experts[k].wire,
                };
                if let Some(bytes) = wire.receive(&mut self.links[k], toward, now) {
                    self.digest.update(now.to_le_bytes());
                    self.digest.update((k as u64).to_le_bytes());
                    self.digest.update([toward as u8]);
                    self.digest.update(&bytes);
                    moved = true;
                }
            }
        }
        moved |= self.drive_dongle(now);
        for k in 0..self.links.len() {
            moved |= self.drive_expert(k, now);
        }
        moved
    }

    /// The board's session task, one pass.
    fn drive_dongle(&mut self, now: u64) -> bool {
        let mut moved = false;
        // The person's button and keys, from the console.
        while let Some(ev) = self.dongle.take_user_event() {
            let io = &mut self.bench.io();
            match &mut self.live {
                Some(live) if live.ending_since.is_none() => {
                    live.visit.user(ev, now, &mut self.reports, io)
                }
                _ => idle(&self.dongle, ev, &mut self.reports, io),
            }
            moved = true;
        }
        let Some(live) = &mut self.live else {
            return moved;
        };
        let k = live.conn;
        if live.ending_since.is_none() {
            loop {
                let mut io = self.bench.io();
                if let Some(reason) = live.visit.step(
                    now,
                    &self.dongle,
                    &mut self.reports,
                    &mut io,
                    &mut self.tile,
                ) {
                    ended(&self.dongle, reason, &mut self.reports, &mut io);
                    live.ending_since = Some(now);
                    self.ends[k] = Some(reason);
                    moved = true;
                    break;
                }
                if !self.wires[k].push(live.visit.as_mut(), now) {
                    break;
                }
                moved = true;
            }
            if live.ending_since.is_none()
                && live
                    .visit
                    .session()
                    .poll_timeout()
                    .is_some_and(|t| t <= now)
            {
                live.visit.handle_timeout(now);
                moved = true;
            }
        }
        let (m, fired) = self.wires[k].transmit(
            live.visit.as_mut(),
            &mut self.links[k],
            Toward::Expert,
            now,
            &mut self.net_rng,
        );
        moved |= m;
        if let Some(since) = live.ending_since {
            if live.visit.is_closed() || now >= since + CLOSE_GRACE_MS {
                self.wires[k].close(&mut self.links[k], Toward::Expert, now, &mut self.net_rng);
                self.live = None;
                // Back to waiting for the next helper.
                self.bench.led.show(LedState::Idle);
                moved = true;
            }
        }
        for f in fired {
            self.log(
                Actor::Net,
                Kind::Net,
                &format!("link {k}: {f:?} toward the dongle's helper"),
            );
        }
        moved
    }

    /// One helper's client, one pass.
    fn drive_expert(&mut self, k: usize, now: u64) -> bool {
        let mut moved = false;
        let mut control_over = false;
        loop {
            control_over |= self.experts[k].drain(now, &mut self.transcript, T0);
            let x = &mut self.experts[k];
            if !x.wire.push(&mut x.session, now) {
                break;
            }
            moved = true;
        }
        let x = &mut self.experts[k];
        if x.session.poll_timeout().is_some_and(|t| t <= now) {
            x.session.handle_timeout(now);
            control_over |= self.experts[k].drain(now, &mut self.transcript, T0);
            moved = true;
        }
        if control_over {
            // A real client stops typing when control ends.
            self.actions
                .retain(|_, a| !matches!(a, Action::Expert(e, _) if *e == k));
        }
        let x = &mut self.experts[k];
        let (m, fired) = x.wire.transmit(
            &mut x.session,
            &mut self.links[k],
            Toward::Novice,
            now,
            &mut self.net_rng,
        );
        for f in fired {
            self.log(
                Actor::Net,
                Kind::Net,
                &format!("link {k}: {f:?} toward the dongle"),
            );
        }
        moved | m
    }

    fn perform(&mut self, action: Action) {
        match action {
            Action::Expert(e, input) => {
                let now = self.now;
                let x = &mut self.experts[e];
                match x.session.send_input(input) {
                    Ok(()) => x.input_times.push(now),
                    Err(err) => {
                        // Stop typing: the rest of the queue would fail too.
                        self.actions
                            .retain(|_, a| !matches!(a, Action::Expert(i, _) if *i == e));
                        self.log(
                            Actor::Expert(e),
                            Kind::Action,
                            &format!("input not sent: {err}"),
                        );
                    }
                }
            }
            Action::Cut(k, notice) => {
                self.links[k].cut(notice);
                self.log(Actor::Net, Kind::Net, &format!("link {k} cut ({notice:?})"));
            }
            Action::BlackHole(k) => {
                self.links[k].black_hole();
                self.log(Actor::Net, Kind::Net, &format!("link {k} goes silent"));
            }
        }
    }

    /// The next instant anything is due after now.
    pub(super) fn next_wake(&self) -> Option<u64> {
        let now = self.now;
        let mut wakes: Vec<u64> = Vec::new();
        if let Some((&(t, _), _)) = self.actions.first_key_value() {
            wakes.push(t);
        }
        for (k, link) in self.links.iter().enumerate() {
            wakes.extend(link.next_arrival());
            let x = &self.experts[k];
            wakes.extend(x.session.poll_timeout());
            if x.session.poll_transmit().is_some() {
                wakes.extend(link.pipe(Toward::Novice).next_departure(now));
            }
        }
        if let Some(live) = &self.live {
            match live.ending_since {
                // The board's timer: the session's timers and the frame tick.
                None => wakes.extend(live.visit.poll_timeout(now)),
                Some(since) => wakes.push(since + CLOSE_GRACE_MS),
            }
            if live.visit.poll_transmit().is_some() {
                wakes.extend(
                    self.links[live.conn]
                        .pipe(Toward::Expert)
                        .next_departure(now),
                );
            }
        }
        wakes.into_iter().filter(|t| *t > now).min()
    }
}
