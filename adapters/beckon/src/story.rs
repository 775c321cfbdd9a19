//! The story of a session as people read it: one line per thing that
//! happened, with the time since the start, on standard output.

use std::fmt;
use std::time::Instant;

/// Who a line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The novice's agent as a whole.
    Agent,
    /// One connection of the agent.
    Conn(u64),
    /// The person at the novice's machine.
    Person,
    /// The helper's client.
    Helper,
    /// The demo's narrator.
    Demo,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Agent => f.write_str("agent"),
            Who::Conn(n) => write!(f, "agent#{n}"),
            Who::Person => f.write_str("person"),
            Who::Helper => f.write_str("helper"),
            Who::Demo => f.write_str("demo"),
        }
    }
}

/// Where story lines go.
#[derive(Debug, Clone)]
pub struct Story {
    start: Instant,
    /// Print nothing (benchmarks).
    pub quiet: bool,
}

impl Default for Story {
    fn default() -> Self {
        Story::new()
    }
}

impl Story {
    /// A story starting now.
    pub fn new() -> Story {
        Story {
            start: Instant::now(),
            quiet: false,
        }
    }

    /// A story that prints nothing.
    pub fn silent() -> Story {
        Story {
            quiet: true,
            ..Story::new()
        }
    }

    /// Tell one thing.
    pub fn tell(&self, who: Who, text: impl AsRef<str>) {
        if self.quiet {
            return;
        }
        let ms = self.start.elapsed().as_millis();
        println!(
            "{:>4}.{:03}s  {:<9} {}",
            ms / 1000,
            ms % 1000,
            who.to_string(),
            text.as_ref()
        );
    }
}
