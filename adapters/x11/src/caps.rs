//! Which X extensions the adapter found, for `beckon doctor`.

use std::fmt;

/// One extension the server offers, with the version it agreed to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionVersion {
    /// The extension's protocol name, e.g. `"MIT-SHM"`.
    pub name: &'static str,
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

/// What the adapter can do on this display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Captures go through MIT-SHM (version 1.2 or later, and the connection
    /// can pass file descriptors); otherwise through the slower `GetImage`.
    pub shm: bool,
    /// XDamage tracks what changed; otherwise every frame is the whole screen.
    pub damage: bool,
    /// XFixes is there (damage regions need it).
    pub xfixes: bool,
    /// XTEST is there: input can be injected.
    pub xtest: bool,
    /// XInput 2 is there: local input can be told apart and reported.
    pub xinput2: bool,
    /// Every extension found, with its version, in the order probed.
    pub versions: Vec<ExtensionVersion>,
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yes = |b: bool| if b { "yes" } else { "no" };
        write!(
            f,
            "shm capture: {}, damage: {}, xfixes: {}, xtest injection: {}, xinput2 local input: {}",
            yes(self.shm),
            yes(self.damage),
            yes(self.xfixes),
            yes(self.xtest),
            yes(self.xinput2)
        )?;
        for v in &self.versions {
            write!(f, "; {} {}.{}", v.name, v.major, v.minor)?;
        }
        Ok(())
    }
}
