//! A readable account of a run: time, who, what kind of line, and what.
//!
//! Scenarios print it when they fail (and with `BECKON_SIM_TRACE=1`
//! always); `beckon demo` prints it as the story of the session.

use std::fmt;

/// Who a line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The novice's agent, one of its connections.
    Novice(usize),
    /// An expert client.
    Expert(usize),
    /// The person at the novice's machine.
    Person,
    /// The dongle's console and LED (firmware-in-the-loop).
    Dongle,
    /// The simulated network.
    Net,
    /// The simulator itself (scenario steps).
    Sim,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Novice(i) => write!(f, "novice#{i}"),
            Actor::Expert(i) => write!(f, "expert#{i}"),
            Actor::Person => f.write_str("person"),
            Actor::Dongle => f.write_str("dongle"),
            Actor::Net => f.write_str("network"),
            Actor::Sim => f.write_str("sim"),
        }
    }
}

/// What kind of line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something the core reported.
    Event,
    /// Something a driver or a person did.
    Action,
    /// Something the network did (a cut, a fault).
    Net,
    /// A scenario step.
    Step,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Event => "event ",
            Kind::Action => "action",
            Kind::Net => "net   ",
            Kind::Step => "step  ",
        })
    }
}

/// One line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Milliseconds since the start of the run.
    pub t_ms: u64,
    /// Who.
    pub actor: Actor,
    /// What kind.
    pub kind: Kind,
    /// What.
    pub text: String,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>5}.{:03}s  {:<9} {}  {}",
            self.t_ms / 1000,
            self.t_ms % 1000,
            self.actor.to_string(),
            self.kind,
            self.text
        )
    }
}

/// The lines of a run.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    lines: Vec<Line>,
    /// Print each line as it is written.
    pub echo: bool,
    /// Also keep the lines about every frame, file chunk and injected key.
    pub verbose: bool,
}

impl Transcript {
    /// An empty transcript; echoes when `BECKON_SIM_TRACE` is set.
    pub fn new() -> Self {
        Transcript {
            lines: Vec::new(),
            echo: std::env::var_os("BECKON_SIM_TRACE").is_some(),
            verbose: std::env::var_os("BECKON_SIM_VERBOSE").is_some(),
        }
    }

    /// Add a line.
    pub fn push(&mut self, t_ms: u64, actor: Actor, kind: Kind, text: impl Into<String>) {
        let line = Line {
            t_ms,
            actor,
            kind,
            text: text.into(),
        };
        if self.echo {
            println!("{line}");
        }
        self.lines.push(line);
    }

    /// All lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Whether some line's text contains `needle`.
    pub fn mentions(&self, needle: &str) -> bool {
        self.lines.iter().any(|l| l.text.contains(needle))
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}
