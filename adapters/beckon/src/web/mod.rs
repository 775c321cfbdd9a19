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

use std::collections::BTreeMap;

use axum::extract::ws::WebSocket;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cli::WebArgs;
use crate::error::{Error, Result};

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

impl WebOptions {
    /// The options the command line gave: `--lang`, else the system's
    /// language (L10N-01).
    pub fn from_args(args: &WebArgs) -> Result<WebOptions> {
        let lang = match &args.lang {
            Some(l) => Lang::parse(l).ok_or_else(|| {
                Error::Usage(format!("--lang {l:?}: Beckon speaks en, nl, nb and de"))
            })?,
            None => Lang::from_os(),
        };
        Ok(WebOptions {
            open_browser: !args.no_browser,
            port: args.web_port,
            lang,
        })
    }
}

/// Start the server for `page`, print its link (always: a person may want
/// to open it elsewhere on this machine) and open it unless told not to.
pub async fn serve(
    page: Page,
    options: &WebOptions,
) -> Result<(WebServer, mpsc::Receiver<WebSocket>)> {
    let (server, sockets) = WebServer::start(page, options.port).await?;
    let what = match page {
        Page::Console => "Console",
        Page::Panel => "Panel",
    };
    println!("{what}: {}", server.url());
    if options.open_browser {
        server.open_in_browser();
    }
    Ok((server, sockets))
}

/// A language in the page's switch.
#[derive(Debug, Clone, Serialize)]
pub struct LangChoice {
    code: &'static str,
    name: &'static str,
}

/// The first message a tab gets (`t: "hello"`), and again on a language
/// change (`t: "texts"`): the languages and every text without variables.
#[derive(Debug, Clone, Serialize)]
pub struct Hello {
    t: &'static str,
    page: &'static str,
    lang: &'static str,
    langs: Vec<LangChoice>,
    texts: BTreeMap<String, String>,
}

impl Hello {
    /// The greeting `t` ("hello" or "texts") of `page` in `texts`' language.
    pub fn new(t: &'static str, page: Page, texts: &Texts) -> Hello {
        Hello {
            t,
            page: match page {
                Page::Console => "console",
                Page::Panel => "panel",
            },
            lang: texts.lang().code(),
            langs: Lang::ALL
                .iter()
                .map(|l| LangChoice {
                    code: l.code(),
                    name: l.endonym(),
                })
                .collect(),
            texts: texts.catalog(),
        }
    }
}
