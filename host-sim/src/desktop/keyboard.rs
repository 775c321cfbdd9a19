//! The simulated keyboard: which keys are held, modifier state, dead keys, and
//! what a key press means to the focused editor.

use beckon_core::keymap::{
    Layout, Modifiers, Symbol, USAGE_LEFT_SHIFT, USAGE_RIGHT_ALT, USAGE_RIGHT_SHIFT,
};

/// HID usages the editor understands without the layout.
pub(crate) mod usage {
    pub const ENTER: u8 = 0x28;
    pub const ESCAPE: u8 = 0x29;
    pub const BACKSPACE: u8 = 0x2A;
    pub const TAB: u8 = 0x2B;
    pub const HOME: u8 = 0x4A;
    pub const DELETE: u8 = 0x4C;
    pub const END: u8 = 0x4D;
    pub const RIGHT: u8 = 0x4F;
    pub const LEFT: u8 = 0x50;
    pub const DOWN: u8 = 0x51;
    pub const UP: u8 = 0x52;
    pub const KEYPAD_ENTER: u8 = 0x58;
    pub const LEFT_CTRL: u8 = 0xE0;
    pub const LEFT_ALT: u8 = 0xE2;
    pub const LEFT_GUI: u8 = 0xE3;
    pub const RIGHT_CTRL: u8 = 0xE4;
    pub const RIGHT_GUI: u8 = 0xE7;
}

/// What a key press asks the editor to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditKey {
    Insert(char),
    Newline,
    Tab,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
}

/// Held keys and the pending dead key.
#[derive(Debug, Clone)]
pub(crate) struct Keyboard {
    held: [bool; 256],
    layout: Layout,
    dead: Option<char>,
}

impl Keyboard {
    pub fn new(layout: Layout) -> Keyboard {
        Keyboard {
            held: [false; 256],
            layout,
            dead: None,
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Changes the layout; a pending dead key is dropped.
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = layout;
        self.dead = None;
    }

    /// Held usages, ascending.
    pub fn held(&self) -> Vec<u8> {
        (0..=255u8).filter(|&u| self.held[usize::from(u)]).collect()
    }

    fn is_held(&self, u: u8) -> bool {
        self.held[usize::from(u)]
    }

    fn modifiers(&self) -> Modifiers {
        Modifiers {
            shift: self.is_held(USAGE_LEFT_SHIFT) || self.is_held(USAGE_RIGHT_SHIFT),
            altgr: self.is_held(USAGE_RIGHT_ALT),
        }
    }

    /// Ctrl, Left Alt or a GUI key is held: shortcuts, not typing.
    fn shortcut_held(&self) -> bool {
        [
            usage::LEFT_CTRL,
            usage::RIGHT_CTRL,
            usage::LEFT_ALT,
            usage::LEFT_GUI,
            usage::RIGHT_GUI,
        ]
        .iter()
        .any(|&u| self.is_held(u))
    }

    /// Applies a key event; returns the editing steps it causes, in order
    /// (none for releases, repeats of a held key, modifiers, shortcuts).
    pub fn key(&mut self, u: u8, down: bool) -> Vec<EditKey> {
        let was = self.is_held(u);
        self.held[usize::from(u)] = down;
        if !down || was || (0xE0..=0xE7).contains(&u) {
            return Vec::new();
        }
        if self.shortcut_held() {
            return Vec::new();
        }
        let special = match u {
            usage::ENTER | usage::KEYPAD_ENTER => Some(EditKey::Newline),
            usage::TAB => Some(EditKey::Tab),
            usage::BACKSPACE => Some(EditKey::Backspace),
            usage::DELETE => Some(EditKey::Delete),
            usage::LEFT => Some(EditKey::Left),
            usage::RIGHT => Some(EditKey::Right),
            usage::UP => Some(EditKey::Up),
            usage::DOWN => Some(EditKey::Down),
            usage::HOME => Some(EditKey::Home),
            usage::END => Some(EditKey::End),
            _ => None,
        };
        if u == usage::ESCAPE || u == usage::BACKSPACE {
            // Escape types nothing; both cancel a pending dead key.
            if self.dead.take().is_some() {
                return Vec::new();
            }
        }
        if let Some(k) = special {
            // A dead key followed by an editing key is typed as itself first.
            let mut out: Vec<EditKey> = self.dead.take().map(EditKey::Insert).into_iter().collect();
            out.push(k);
            return out;
        }
        match self.layout.symbol(u, self.modifiers()) {
            Some(Symbol::Char(c)) if !c.is_control() => match self.dead.take() {
                None => vec![EditKey::Insert(c)],
                Some(d) => match self.layout.compose(d, c) {
                    Some(x) => vec![EditKey::Insert(x)],
                    None => vec![EditKey::Insert(d), EditKey::Insert(c)],
                },
            },
            Some(Symbol::Dead(d)) => match self.dead.take() {
                None => {
                    self.dead = Some(d);
                    Vec::new()
                }
                Some(p) => match self.layout.compose(p, d) {
                    Some(x) => vec![EditKey::Insert(x)],
                    None => vec![EditKey::Insert(p), EditKey::Insert(d)],
                },
            },
            _ => Vec::new(),
        }
    }
}
