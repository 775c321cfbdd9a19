//! The screen the novice shares and the input devices behind it.
//!
//! [`Display`] is what the agent needs from a machine; the simulated desktop
//! implements it here, the X11 back-end will implement it in its own crate.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;
use beckon_host_sim::desktop::Desktop;
use beckon_video::stream::FrameSource;
use beckon_video::Rect;

use crate::error::{Error, Result};

/// A screen with a keyboard and a mouse.
pub trait Display: Send {
    /// Width in pixels.
    fn width(&self) -> u16;
    /// Height in pixels.
    fn height(&self) -> u16;
    /// The current screen, RGBA8, `width * height * 4` bytes.
    fn pixels(&mut self) -> &[u8];
    /// Regions changed since the last call (the first call: everything).
    fn take_damage(&mut self) -> Vec<Rect>;
    /// Where the pointer is, in pointer units (`0..=POINTER_MAX`).
    fn pointer_abs(&self) -> (u16, u16);
    /// Windows that moved since the last call, as copy vectors (see
    /// `beckon_video::Encoder::hint_moves`). By default none are known.
    fn take_moves(&mut self) -> Vec<(i32, i32)> {
        Vec::new()
    }
    /// Inject the helper's input.
    fn inject(&mut self, input: InputEvent);
    /// Release every key and button the helper may have left held.
    fn release_all(&mut self);
    /// Input the person made on the machine's own keyboard and mouse since
    /// the last call (never what [`Display::inject`] sent).
    fn local_input(&mut self) -> Vec<InputEvent>;
    /// Call `wake` (from any thread) whenever the screen changes, so the
    /// agent need not poll for it. By default never: the agent polls.
    fn watch_changes(&mut self, _wake: Box<dyn Fn() + Send>) {}
    /// Show the agent's status lines on the screen, where there is a place
    /// for them (SES-06, SES-13). By default nowhere.
    fn show_status(&mut self, _lines: &[String]) {}
    /// The simulated desktop behind this display, if it is one (for the demo,
    /// tests and benchmarks).
    fn as_simulated(&mut self) -> Option<&mut Desktop> {
        None
    }
}

/// Which display to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplayChoice {
    /// The built-in simulated desktop.
    Simulated,
    /// An X11 display such as `:0`.
    X11(String),
}

/// Open the chosen display. The simulated one also returns its local
/// keyboard, the way to be "the person at the machine".
pub fn open(choice: &DisplayChoice) -> Result<(Box<dyn Display>, Option<LocalKeyboard>)> {
    match choice {
        DisplayChoice::Simulated => {
            let sim = SimulatedDisplay::new(1280, 800, Layout::Us);
            let keyboard = sim.local_keyboard();
            Ok((Box::new(sim), Some(keyboard)))
        }
        DisplayChoice::X11(name) => {
            let x = beckon_x11::X11Display::open(Some(name))
                .map_err(|e| Error::Other(format!("cannot open X11 display {name}: {e}")))?;
            Ok((
                Box::new(X11Screen {
                    x,
                    name: name.clone(),
                }),
                None,
            ))
        }
    }
}

/// The simulated desktop of `beckon-host-sim` as a [`Display`].
#[derive(Debug)]
pub struct SimulatedDisplay {
    desktop: Desktop,
    local: Arc<Mutex<VecDeque<InputEvent>>>,
}

/// The simulated machine's own keyboard and mouse: what the person does
/// there reaches the desktop and is reported as local input.
#[derive(Debug, Clone)]
pub struct LocalKeyboard {
    queue: Arc<Mutex<VecDeque<InputEvent>>>,
}

impl LocalKeyboard {
    /// The person makes this input.
    pub fn send(&self, input: InputEvent) {
        if let Ok(mut q) = self.queue.lock() {
            q.push_back(input);
        }
    }

    /// The person presses and releases one key (HID usage).
    pub fn press(&self, usage: u8) {
        self.send(InputEvent::Key { usage, down: true });
        self.send(InputEvent::Key { usage, down: false });
    }
}

impl SimulatedDisplay {
    /// A desktop of this size and keyboard layout.
    pub fn new(width: u16, height: u16, layout: Layout) -> SimulatedDisplay {
        SimulatedDisplay {
            desktop: Desktop::new(width, height, layout),
            local: Arc::default(),
        }
    }

    /// A handle on the machine's own keyboard and mouse.
    pub fn local_keyboard(&self) -> LocalKeyboard {
        LocalKeyboard {
            queue: self.local.clone(),
        }
    }
}

impl Display for SimulatedDisplay {
    fn width(&self) -> u16 {
        self.desktop.width()
    }
    fn height(&self) -> u16 {
        self.desktop.height()
    }
    fn pixels(&mut self) -> &[u8] {
        self.desktop.pixels()
    }
    fn take_damage(&mut self) -> Vec<Rect> {
        self.desktop
            .take_damage()
            .into_iter()
            .map(Rect::from)
            .collect()
    }
    fn pointer_abs(&self) -> (u16, u16) {
        self.desktop.pointer_abs()
    }
    fn inject(&mut self, input: InputEvent) {
        self.desktop.apply(input);
    }
    fn release_all(&mut self) {
        for usage in self.desktop.held_keys() {
            self.desktop.apply(InputEvent::Key { usage, down: false });
        }
        for button in self.desktop.held_buttons() {
            self.desktop.apply(InputEvent::Button {
                button,
                down: false,
            });
        }
    }
    fn local_input(&mut self) -> Vec<InputEvent> {
        let taken: Vec<InputEvent> = match self.local.lock() {
            Ok(mut q) => q.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for input in &taken {
            self.desktop.apply(*input);
        }
        taken
    }
    fn show_status(&mut self, lines: &[String]) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.desktop.set_status(&refs);
    }
    fn as_simulated(&mut self) -> Option<&mut Desktop> {
        Some(&mut self.desktop)
    }
}

/// An X11 display (Linux) as a [`Display`]: MIT-SHM capture, XDamage,
/// XTEST injection and XInput2 local input, from `beckon-x11`. Failures of
/// one call are logged and the agent keeps going with what it has.
pub struct X11Screen {
    /// The display.
    pub x: beckon_x11::X11Display,
    /// Its name, such as `:0`, to open a second connection that watches it.
    pub name: String,
}

impl X11Screen {
    /// What the X server offers, for `beckon doctor`.
    pub fn capabilities(&self) -> beckon_x11::Capabilities {
        self.x.capabilities()
    }
}

impl Display for X11Screen {
    fn width(&self) -> u16 {
        self.x.width()
    }
    fn height(&self) -> u16 {
        self.x.height()
    }
    fn pixels(&mut self) -> &[u8] {
        FrameSource::pixels(&mut self.x)
    }
    fn take_damage(&mut self) -> Vec<Rect> {
        self.x.take_damage().unwrap_or_else(|e| {
            tracing::warn!("damage tracking failed, sending the whole screen: {e}");
            vec![Rect {
                x: 0,
                y: 0,
                w: self.x.width(),
                h: self.x.height(),
            }]
        })
    }
    fn pointer_abs(&self) -> (u16, u16) {
        FrameSource::pointer_abs(&self.x)
    }
    fn inject(&mut self, input: InputEvent) {
        if let Err(e) = self.x.inject(input) {
            tracing::warn!("could not inject {input:?}: {e}");
        }
    }
    fn release_all(&mut self) {
        if let Err(e) = self.x.release_all() {
            tracing::warn!("could not release the helper's keys: {e}");
        }
    }
    fn take_moves(&mut self) -> Vec<(i32, i32)> {
        self.x.take_moves()
    }
    fn watch_changes(&mut self, wake: Box<dyn Fn() + Send>) {
        if let Err(e) = beckon_x11::watch_damage(Some(&self.name), wake) {
            tracing::warn!("cannot watch the screen for changes, polling instead: {e}");
        }
    }
    fn local_input(&mut self) -> Vec<InputEvent> {
        self.x.local_input().unwrap_or_else(|e| {
            tracing::warn!("could not read local input: {e}");
            Vec::new()
        })
    }
}

/// A [`Display`] seen as the video streamer's [`FrameSource`].
pub struct Source<'a>(pub &'a mut dyn Display);

impl FrameSource for Source<'_> {
    fn width(&self) -> u16 {
        self.0.width()
    }
    fn height(&self) -> u16 {
        self.0.height()
    }
    fn pixels(&mut self) -> &[u8] {
        self.0.pixels()
    }
    fn pointer_abs(&self) -> (u16, u16) {
        self.0.pointer_abs()
    }
}
