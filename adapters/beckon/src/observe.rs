//! Looking at a simulated machine from outside: what its editor holds and
//! whether the helper sees it exactly. The demo and the benchmarks use
//! these to know when something has happened.

use crate::agent::hub::{lock, SharedHub};
use crate::expert::Client;

/// The text in the simulated desktop's editor (empty for other displays).
pub fn editor_text(hub: &SharedHub) -> String {
    lock(hub)
        .display()
        .as_simulated()
        .map(|d| d.editor_text())
        .unwrap_or_default()
}

/// Whether the helper's view equals the simulated desktop, pixel for pixel.
pub fn view_matches(client: &Client, hub: &SharedHub) -> bool {
    let view = client.view.lock().unwrap_or_else(|p| p.into_inner());
    let mut hub = lock(hub);
    let Some(desktop) = hub.display().as_simulated() else {
        return false;
    };
    let screen = view.screen();
    screen.width() == desktop.width()
        && screen.height() == desktop.height()
        && screen.pixels() == desktop.pixels()
}
