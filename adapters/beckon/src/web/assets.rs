//! The files the pages are made of, built into the binary so `beckon` is one
//! file to install. The decoder is our own Rust (`beckon-video`) compiled to
//! WebAssembly by `build.rs`.

/// Which page a server shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The helper's console (`beckon connect`).
    Console,
    /// The person's panel (`beckon share`).
    Panel,
}

impl Page {
    /// The page's HTML, with `__TOKEN__` where the run's token goes.
    pub fn html(self) -> &'static str {
        match self {
            Page::Console => include_str!("../../web/console.html"),
            Page::Panel => include_str!("../../web/panel.html"),
        }
    }
}

/// One asset.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its name under `/assets/`.
    pub name: &'static str,
    /// Its content type.
    pub mime: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every asset.
pub const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../web/style.css"),
    },
    Asset {
        name: "common.js",
        mime: JS,
        bytes: include_bytes!("../../web/common.js"),
    },
    Asset {
        name: "console.js",
        mime: JS,
        bytes: include_bytes!("../../web/console.js"),
    },
    Asset {
        name: "panel.js",
        mime: JS,
        bytes: include_bytes!("../../web/panel.js"),
    },
    Asset {
        name: "decoder.js",
        mime: JS,
        bytes: include_bytes!("../../web/decoder.js"),
    },
    Asset {
        name: "decoder-worker.js",
        mime: JS,
        bytes: include_bytes!("../../web/decoder-worker.js"),
    },
    Asset {
        name: "decoder.wasm",
        mime: "application/wasm",
        bytes: include_bytes!(env!("BECKON_DECODER_WASM")),
    },
];

/// The asset called `name`.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Whether this build carries the screen decoder (it needs the
/// `wasm32-unknown-unknown` target at build time).
pub fn has_decoder() -> bool {
    find("decoder.wasm").is_some_and(|a| !a.bytes.is_empty())
}
