//! Telling the adapter's own injected input apart from everyone else's.
//!
//! XInput2 raw events name the slave device an event came from. Input the
//! adapter injects comes from the server's XTEST devices, but so does input
//! any other XTEST client makes (`xdotool`, a second remote tool, on-screen
//! keyboards). So the adapter remembers every event it injected, in order,
//! and an event from an XTEST device that matches one of them is its own
//! echo; anything else — any real device, or an XTEST event nobody here
//! asked for — is local input.
//!
//! XTEST processes a fake event while it handles the request, so once a
//! round trip that was sent after the injection returns, every echo of it
//! has arrived. The adapter therefore forgets what it expects at each drain
//! (which starts with such a round trip): an echo that never came (a release
//! of a key that was not down, say) cannot swallow a later real event.

use std::collections::VecDeque;

/// At most this many expected echoes are kept between drains; older ones are
/// forgotten (a flood of injections with no drain in between).
const CAPACITY: usize = 4096;

/// One raw event the adapter expects to see because it injected it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Echo {
    /// A key, by X keycode.
    Key {
        /// X keycode.
        keycode: u8,
        /// Pressed or released.
        down: bool,
    },
    /// A pointer button (wheel clicks too), by X button number.
    Button {
        /// X button.
        button: u8,
        /// Pressed or released.
        down: bool,
    },
    /// Pointer motion.
    Motion,
}

/// The echoes still to come, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Echoes(VecDeque<Echo>);

impl Echoes {
    /// Remember an injected event.
    pub(crate) fn expect(&mut self, echo: Echo) {
        if self.0.len() == CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(echo);
    }

    /// Whether `echo` was expected; if so it is no longer.
    pub(crate) fn claim(&mut self, echo: Echo) -> bool {
        match self.0.iter().position(|e| *e == echo) {
            Some(i) => {
                self.0.remove(i);
                true
            }
            None => false,
        }
    }

    /// Forget every expected echo (all that could come have come).
    pub(crate) fn clear(&mut self) {
        if !self.0.is_empty() {
            tracing::trace!("{} injected events had no echo", self.0.len());
        }
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_once_in_any_order() {
        let mut e = Echoes::default();
        let a = Echo::Key {
            keycode: 38,
            down: true,
        };
        e.expect(a);
        e.expect(Echo::Motion);
        assert!(e.claim(Echo::Motion));
        assert!(!e.claim(Echo::Motion));
        assert!(e.claim(a));
        assert!(!e.claim(a));
        e.expect(a);
        e.clear();
        assert!(!e.claim(a));
    }
}
