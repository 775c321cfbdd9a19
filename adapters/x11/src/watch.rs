//! Waking the driver when the screen changes, instead of having it poll.
//!
//! [`X11Display`](crate::X11Display) learns of damage only when its owner
//! asks, so a driver that polls every 25 ms sees a typed character 12 ms late
//! on average. This watcher has its own connection and its own damage object
//! on the root window, blocks on the server's events in a thread, and calls
//! `wake` when something is drawn. It owns no picture; the display still
//! takes the damage and grabs the pixels when the driver runs.

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::Event;
use x11rb::NONE;

use crate::error::X11Error;

/// After a wake, changes are gathered this long before the next wake: a
/// burst of drawing (a page of text) wakes the driver a few times, not once
/// per drawing request.
const COALESCE: Duration = Duration::from_millis(2);

/// Call `wake` from a background thread whenever something is drawn on
/// `display`'s screen (`None`: `$DISPLAY`). Fails when the display cannot be
/// opened or lacks XDamage; the thread ends when the server goes away and
/// otherwise lives as long as the process.
pub fn watch_damage(
    display: Option<&str>,
    wake: impl Fn() + Send + 'static,
) -> Result<(), X11Error> {
    let (conn, screen_num) = x11rb::connect(display)?;
    let root = conn
        .setup()
        .roots
        .get(screen_num)
        .ok_or(X11Error::NoScreen)?
        .root;
    conn.damage_query_version(1, 1)?.reply()?;
    let damage = conn.generate_id()?;
    conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)?
        .check()?;
    std::thread::Builder::new()
        .name("x11-damage-watch".into())
        .spawn(move || loop {
            match conn.wait_for_event() {
                Ok(Event::DamageNotify(_)) => {
                    wake();
                    std::thread::sleep(COALESCE);
                    // Empty the region, so the next drawing reports again.
                    let emptied = conn
                        .damage_subtract(damage, NONE, NONE)
                        .map(|_| ())
                        .and_then(|()| conn.flush());
                    if emptied.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!("damage watch ends: {e}");
                    return;
                }
            }
        })?;
    Ok(())
}
