//! The browser pages: the helper's console (`beckon connect`) and the
//! person's panel (`beckon share`), served on 127.0.0.1 by the process that
//! holds the session. The browser only renders and reports clicks and keys;
//! keys, crypto and the session stay in `beckon`.
//!
//! - [`server`]: the HTTP server, its assets and the WebSocket upgrade;
//! - [`guard`]: the token, host and origin checks every request passes;
//! - [`tabs`]: the open tabs of a page and the messages to and from them;
//! - [`i18n`]: the texts in four languages;
//! - [`keycodes`]: physical keys to HID usages;
//! - [`console`], [`panel`]: what each page shows and does.

pub mod assets;
pub mod console;
pub mod files;
pub mod guard;
pub mod i18n;
pub mod keycodes;
pub mod panel;
pub mod server;
pub mod tabs;
pub mod words;

pub use assets::Page;
pub use i18n::{Lang, Texts};
pub use server::WebServer;

/// How a command serves its page.
#[derive(Debug, Clone, Copy)]
pub struct WebOptions {
    /// Open the page in the browser (else only print its link).
    pub open_browser: bool,
    /// The port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// The pages' language.
    pub lang: Lang,
}

/// Print the page's link (always: a person may want to open it elsewhere on
/// this machine) and open it unless told not to.
pub fn announce(server: &WebServer, what: &str, options: &WebOptions) {
    println!("{what}: {}", server.url());
    if options.open_browser {
        server.open_in_browser();
    }
}
