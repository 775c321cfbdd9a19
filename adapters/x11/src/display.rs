//! [`X11Display`]: one connection to an X server, and everything the adapter
//! does on it.

use std::cell::Cell;
use std::time::{Duration, Instant};

use beckon_core::message::InputEvent;
use beckon_video::stream::FrameSource;
use beckon_video::Rect;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _, EventMask, Window};
use x11rb::protocol::{damage, shm, xfixes, xinput, xtest, Event};
use x11rb::rust_connection::RustConnection;

use crate::caps::{Capabilities, ExtensionVersion};
use crate::capture::{Area, Capturer};
use crate::damage::DamageTracker;
use crate::echo::Echoes;
use crate::error::X11Error;
use crate::format::PixelFormat;
use crate::inject::Injector;
use crate::local::LocalWatcher;
use crate::moves::{MoveTracker, MAX_WINDOWS};
use crate::scale::px_to_abs;

/// One X display (its default screen): capture, damage, pointer, injection
/// and local input.
///
/// The screen size is read once, at [`X11Display::open`]; a resolution change
/// (RandR) needs a new `X11Display`. Not thread-safe by design: one driver
/// loop owns it. Dropping it releases whatever it still holds.
#[derive(Debug)]
pub struct X11Display {
    conn: RustConnection,
    root: Window,
    width: u16,
    height: u16,
    caps: Capabilities,
    capturer: Capturer,
    damage: Option<DamageTracker>,
    injector: Injector,
    echoes: Echoes,
    local: Option<LocalWatcher>,
    /// The last pointer position read, in pointer units (for
    /// [`FrameSource::pointer_abs`] when a query fails).
    last_pointer_abs: Cell<(u16, u16)>,
    /// Damage handed out since the last capture: what the next
    /// [`FrameSource::pixels`] grabs, instead of the whole screen.
    stale: Vec<Rect>,
    /// When the whole screen was last grabbed; `None`: never, or a partial
    /// grab failed.
    whole_at: Option<Instant>,
    moves: MoveTracker,
}

/// How often [`FrameSource::pixels`] grabs the whole screen even with damage
/// tracking: a safety net should the server ever miss a change, at the cost
/// of a few milliseconds a second.
const WHOLE_CAPTURE_EVERY: Duration = Duration::from_secs(1);

/// More damaged rectangles than this are grabbed as their bounding box: one
/// round trip instead of many (a scrolled text area reports a rectangle a
/// line).
const MAX_PARTS: usize = 8;

impl X11Display {
    /// Connect to `display` (e.g. `":99"`), or `$DISPLAY` when `None`. Sets up
    /// MIT-SHM capture when available (fallback: `GetImage`), XDamage on the
    /// root window, XTEST injection and XInput2 local-input detection; a
    /// missing extension only disables what needs it (see
    /// [`X11Display::capabilities`]).
    pub fn open(display: Option<&str>) -> Result<X11Display, X11Error> {
        let (conn, screen_num) = x11rb::connect(display)?;
        let setup = conn.setup();
        let screen = setup.roots.get(screen_num).ok_or(X11Error::NoScreen)?;
        let (root, width, height) = (screen.root, screen.width_in_pixels, screen.height_in_pixels);
        let (min_keycode, max_keycode) = (setup.min_keycode, setup.max_keycode);
        let format = PixelFormat::of_root(setup, screen_num)?;

        let mut caps = Capabilities::default();
        let shm_version = probe(&conn, shm::X11_EXTENSION_NAME, |c| {
            let r = shm::ConnectionExt::shm_query_version(c)?.reply()?;
            Ok((r.major_version.into(), r.minor_version.into()))
        });
        let xfixes_version = probe(&conn, xfixes::X11_EXTENSION_NAME, |c| {
            let r = xfixes::ConnectionExt::xfixes_query_version(c, 6, 0)?.reply()?;
            Ok((r.major_version, r.minor_version))
        });
        let damage_version = probe(&conn, damage::X11_EXTENSION_NAME, |c| {
            let r = damage::ConnectionExt::damage_query_version(c, 1, 1)?.reply()?;
            Ok((r.major_version, r.minor_version))
        });
        let xtest_version = probe(&conn, xtest::X11_EXTENSION_NAME, |c| {
            let r = xtest::ConnectionExt::xtest_get_version(c, 2, 2)?.reply()?;
            Ok((r.major_version.into(), r.minor_version.into()))
        });
        let xinput_version = probe(&conn, xinput::X11_EXTENSION_NAME, |c| {
            let r = xinput::ConnectionExt::xinput_xi_query_version(c, 2, 2)?.reply()?;
            Ok((r.major_version.into(), r.minor_version.into()))
        });
        for (name, version) in [
            (shm::X11_EXTENSION_NAME, shm_version),
            (xfixes::X11_EXTENSION_NAME, xfixes_version),
            (damage::X11_EXTENSION_NAME, damage_version),
            (xtest::X11_EXTENSION_NAME, xtest_version),
            (xinput::X11_EXTENSION_NAME, xinput_version),
        ] {
            if let Some((major, minor)) = version {
                caps.versions.push(ExtensionVersion { name, major, minor });
            }
        }

        let shm_fd = shm_version.is_some_and(|v| v >= (1, 2));
        let capturer = Capturer::new(&conn, root, width, height, format, shm_fd);
        caps.shm = capturer.uses_shm();
        caps.xfixes = xfixes_version.is_some_and(|v| v >= (2, 0));
        caps.xtest = xtest_version.is_some();

        let damage = if caps.xfixes && damage_version.is_some_and(|v| v >= (1, 1)) {
            DamageTracker::new(&conn, root)
                .map_err(|e| tracing::warn!("XDamage unavailable: {e}"))
                .ok()
        } else {
            None
        };
        caps.damage = damage.is_some();

        let local = if xinput_version.is_some_and(|v| v >= (2, 0)) {
            LocalWatcher::new(&conn, root)
                .map_err(|e| tracing::warn!("XInput2 local input unavailable: {e}"))
                .ok()
        } else {
            None
        };
        caps.xinput2 = local.is_some();
        // Top-level windows' moves (moves.rs). Other clients may select the
        // same: SubstructureNotify, unlike SubstructureRedirect, is shared.
        conn.change_window_attributes(
            root,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
        )?;
        // The windows already there: after this round trip the server has
        // our selection, so a window made later comes as a CreateNotify and
        // one moved later as a ConfigureNotify, and none falls between.
        let mut moves = MoveTracker::default();
        seed_windows(&conn, root, &mut moves)?;
        tracing::info!("X display {width}x{height}: {caps}");

        Ok(X11Display {
            injector: Injector::new(root, width, height, min_keycode, max_keycode),
            conn,
            root,
            width,
            height,
            caps,
            capturer,
            damage,
            echoes: Echoes::default(),
            local,
            last_pointer_abs: Cell::new((0, 0)),
            stale: Vec::new(),
            whole_at: None,
            moves,
        })
    }

    /// Screen width in pixels.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Screen height in pixels.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// Which extensions are there and in use, with their versions, for
    /// `beckon doctor`.
    pub fn capabilities(&self) -> Capabilities {
        self.caps.clone()
    }

    /// Grab the whole screen into an internal RGBA buffer (4 bytes per pixel,
    /// alpha 255) and return it. Uses MIT-SHM when available; if it fails,
    /// falls back to `GetImage` for good.
    pub fn capture(&mut self) -> Result<&[u8], X11Error> {
        self.whole_at = None;
        self.stale.clear();
        self.capturer.capture(&self.conn)?;
        self.whole_at = Some(Instant::now());
        Ok(self.capturer.last())
    }

    /// Bring the captured picture up to date: only the damage handed out
    /// since the last capture when damage is tracked (a typed character is a
    /// few hundred pixels, not 8 MB of a full HD screen), else everything.
    fn refresh(&mut self) -> Result<(), X11Error> {
        let whole_due = self.damage.is_none()
            || self
                .whole_at
                .is_none_or(|t| t.elapsed() >= WHOLE_CAPTURE_EVERY);
        if whole_due {
            return self.capture().map(|_| ());
        }
        let stale = std::mem::take(&mut self.stale);
        let parts = match stale.len() {
            0..=MAX_PARTS => stale,
            _ => Rect::bounding(stale).into_iter().collect(),
        };
        for r in parts {
            let area = Area::of(r.x, r.y, r.w, r.h);
            if let Err(e) = self.capturer.capture_area(&self.conn, area) {
                // Grab everything next time.
                self.whole_at = None;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Regions XDamage reported since the last call, clipped to the screen;
    /// empty when nothing changed. The first call after opening returns the
    /// whole screen (the server marks a window entirely damaged when damage
    /// tracking starts). Never blocks on input; it makes one round trip to
    /// collect what the server has sent. Without XDamage, every call returns
    /// the whole screen.
    pub fn take_damage(&mut self) -> Result<Vec<Rect>, X11Error> {
        self.drain()?;
        match &mut self.damage {
            Some(tracker) => {
                let rects = tracker.take(&self.conn, self.width, self.height)?;
                self.stale.extend_from_slice(&rects);
                // Nobody may capture for a while (a helper waiting for
                // consent): keep the list short.
                if self.stale.len() > 4 * MAX_PARTS {
                    let whole = Rect::bounding(self.stale.drain(..));
                    self.stale.extend(whole);
                }
                Ok(rects)
            }
            None => Ok(vec![Rect::new(0, 0, self.width, self.height)]),
        }
    }

    /// Top-level windows that moved (same size, new place) since the last
    /// call, as copy vectors from where each is now to where it was (see
    /// [`beckon_video::Encoder::hint_moves`]). As of the last
    /// [`X11Display::take_damage`], which reads the server's events.
    pub fn take_moves(&mut self) -> Vec<(i32, i32)> {
        self.moves.take()
    }

    /// Pointer position in pixels.
    pub fn pointer(&mut self) -> Result<(u16, u16), X11Error> {
        self.query_pointer()
    }

    /// Inject one event with XTEST.
    ///
    /// Keys: the HID usage names the physical key, which becomes an X keycode
    /// through [`crate::keymap`]; the server's current keymap decides what it
    /// types, so Shift and AltGr levels work as the server's layout says.
    /// Absolute pointer positions map `0..=POINTER_MAX` onto the screen's
    /// pixels; relative moves move; buttons 0..=4 are X buttons 1, 3, 2, 8, 9;
    /// each wheel detent is a click of X button 4 (up), 5 (down), 6 (left) or
    /// 7 (right). Keys and buttons the server cannot express are dropped.
    pub fn inject(&mut self, event: InputEvent) -> Result<(), X11Error> {
        if !self.caps.xtest {
            return Err(X11Error::MissingExtension("XTEST"));
        }
        self.injector.inject(&self.conn, &mut self.echoes, event)?;
        self.conn.flush()?;
        Ok(())
    }

    /// Release every key and button this adapter pressed and has not
    /// released (when control ends or the link drops).
    pub fn release_all(&mut self) -> Result<(), X11Error> {
        if !self.caps.xtest || !self.injector.holds_anything() {
            return Ok(());
        }
        self.injector.release_all(&self.conn, &mut self.echoes)?;
        self.conn.flush()?;
        Ok(())
    }

    /// Input the person made on the machine's keyboard and mouse since the
    /// last call, and not input this adapter injected: keys as HID usages,
    /// buttons, wheel detents, and one [`InputEvent::PointerAbs`] (where the
    /// pointer is now) when it moved.
    ///
    /// XInput2 raw events name the device an event came from, but XTEST's
    /// virtual devices carry every XTEST client's input, not only ours. So an
    /// event is ours when it comes from an XTEST device and matches one we
    /// injected since the last call; anything else is local, including other
    /// XTEST clients (`xdotool`, on-screen keyboards). Key autorepeat is not
    /// reported. Empty without XInput2.
    pub fn local_input(&mut self) -> Result<Vec<InputEvent>, X11Error> {
        self.drain()?;
        let Some(local) = &mut self.local else {
            return Ok(Vec::new());
        };
        let (mut events, moved) = local.take();
        if moved {
            let (x, y) = self.query_pointer()?;
            events.push(InputEvent::PointerAbs {
                x: px_to_abs(x, self.width),
                y: px_to_abs(y, self.height),
            });
        }
        Ok(events)
    }

    /// Collect everything the server has sent so far, without waiting for
    /// anything new: one round trip (so every echo of our injections is in),
    /// then the queued events.
    fn drain(&mut self) -> Result<(), X11Error> {
        self.conn.get_input_focus()?.reply()?;
        while let Some(event) = self.conn.poll_for_event()? {
            match &event {
                Event::DamageNotify(e) => {
                    if let Some(tracker) = &mut self.damage {
                        tracker.notify(e);
                    }
                }
                Event::ConfigureNotify(e) if e.event == self.root => self.moves.on_configure(e),
                Event::CreateNotify(e) if e.parent == self.root => {
                    self.moves.place(e.window, e.x, e.y, e.width, e.height);
                }
                Event::DestroyNotify(e) if e.event == self.root => self.moves.forget(e.window),
                Event::Error(e) => tracing::warn!("X error: {e:?}"),
                _ => {
                    if let Some(local) = &mut self.local {
                        local.on_event(&event, &mut self.echoes);
                    }
                }
            }
        }
        self.echoes.clear();
        Ok(())
    }

    fn query_pointer(&self) -> Result<(u16, u16), X11Error> {
        let reply = self.conn.query_pointer(self.root)?.reply()?;
        let clamp = |v: i16, size: u16| {
            u16::try_from(v.max(0))
                .unwrap_or(0)
                .min(size.saturating_sub(1))
        };
        let (x, y) = (
            clamp(reply.root_x, self.width),
            clamp(reply.root_y, self.height),
        );
        self.last_pointer_abs
            .set((px_to_abs(x, self.width), px_to_abs(y, self.height)));
        Ok((x, y))
    }
}

impl FrameSource for X11Display {
    fn width(&self) -> u16 {
        self.width
    }

    fn height(&self) -> u16 {
        self.height
    }

    /// Captures the screen; on error logs it and returns the last good frame.
    fn pixels(&mut self) -> &[u8] {
        if let Err(e) = self.refresh() {
            tracing::warn!("screen capture failed: {e}");
        }
        self.capturer.last()
    }

    /// Queries the pointer; on error logs it and returns the last position.
    fn pointer_abs(&self) -> (u16, u16) {
        if let Err(e) = self.query_pointer() {
            tracing::warn!("pointer query failed: {e}");
        }
        self.last_pointer_abs.get()
    }
}

impl Drop for X11Display {
    /// Releases whatever the adapter still holds, and frees server resources.
    fn drop(&mut self) {
        if let Err(e) = self.release_all() {
            tracing::warn!("releasing held input failed: {e}");
        }
        self.capturer.close(&self.conn);
        if let Some(tracker) = &self.damage {
            tracker.close(&self.conn);
        }
        let _ = self.conn.flush();
    }
}

/// The version of extension `name` agreed by `query`, or `None` when the
/// server lacks it or the query fails.
fn probe(
    conn: &RustConnection,
    name: &'static str,
    query: impl FnOnce(&RustConnection) -> Result<(u32, u32), X11Error>,
) -> Option<(u32, u32)> {
    match conn.extension_information(name) {
        Ok(Some(_)) => {}
        Ok(None) => {
            tracing::info!("X server lacks {name}");
            return None;
        }
        Err(e) => {
            tracing::warn!("cannot ask for {name}: {e}");
            return None;
        }
    }
    query(conn)
        .map_err(|e| tracing::warn!("{name} version query failed: {e}"))
        .ok()
}

/// Tell `moves` where each top-level window is now. The geometry requests
/// go out together and their replies are read after, one wait for all.
fn seed_windows(
    conn: &RustConnection,
    root: Window,
    moves: &mut MoveTracker,
) -> Result<(), X11Error> {
    let children = conn.query_tree(root)?.reply()?.children;
    let cookies = children
        .iter()
        .take(MAX_WINDOWS)
        .map(|&w| conn.get_geometry(w).map(|c| (w, c)))
        .collect::<Result<Vec<_>, _>>()?;
    for (window, cookie) in cookies {
        // A window destroyed since the tree was read answers with an
        // error: it is simply not followed.
        if let Ok(g) = cookie.reply() {
            moves.place(window, g.x, g.y, g.width, g.height);
        }
    }
    Ok(())
}
