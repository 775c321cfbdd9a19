//! The loopback HTTP server behind both pages: the page, its assets and one
//! WebSocket per open tab, every request checked by the [`Guard`] first.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand_core::{OsRng, RngCore};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::assets::{self, Page};
use super::guard::{Guard, RequestFacts};
use crate::error::{Error, Result};

/// A running page server. Dropping it stops the server.
#[derive(Debug)]
pub struct WebServer {
    url: String,
    stop: watch::Sender<bool>,
}

impl WebServer {
    /// Serve `page` on an ephemeral port of 127.0.0.1 (or `port` if not 0).
    /// Each WebSocket a tab opens arrives on the returned receiver.
    pub async fn start(page: Page, port: u16) -> Result<(WebServer, mpsc::Receiver<WebSocket>)> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| Error::io("cannot open the page server on 127.0.0.1", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the page server's address", e))?
            .port();
        let token = new_token();
        let url = format!("http://127.0.0.1:{port}/?t={token}");
        let guard = Arc::new(Guard::new(port, token.clone()));
        let (sockets_tx, sockets) = mpsc::channel(8);
        let app = AppState {
            page,
            token,
            port,
            sockets: sockets_tx,
        };
        let router = Router::new()
            .route("/", get(index))
            .route("/assets/{name}", get(asset))
            .route("/ws", get(websocket))
            .fallback(not_found)
            .with_state(app)
            .layer(middleware::from_fn_with_state(guard, check));
        let (stop, mut stopped) = watch::channel(false);
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!("the page server stopped: {e}");
            }
        });
        Ok((WebServer { url, stop }, sockets))
    }

    /// The page's secret link.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Open the page in the person's browser; if that fails, say where it is.
    pub fn open_in_browser(&self) {
        if let Err(e) = webbrowser::open(&self.url) {
            eprintln!(
                "Could not open a browser ({e}); open this link yourself: {}",
                self.url
            );
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// 32 random bytes as hex: the run's secret.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[derive(Clone)]
struct AppState {
    page: Page,
    token: String,
    port: u16,
    sockets: mpsc::Sender<WebSocket>,
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The guard in front of every route, and the headers every answer carries.
async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let facts = RequestFacts {
        query: req.uri().query(),
        host: header(headers, &header::HOST),
        origin: header(headers, &header::ORIGIN),
        fetch_site: header(headers, &HeaderName::from_static("sec-fetch-site")),
        websocket: header(headers, &header::UPGRADE)
            .is_some_and(|u| u.eq_ignore_ascii_case("websocket")),
    };
    let mut response = match guard.check(&facts) {
        Ok(()) => next.run(req).await,
        Err(refusal) => {
            tracing::warn!(path = %req.uri().path(), "page server: {refusal}");
            (StatusCode::FORBIDDEN, refusal.to_string()).into_response()
        }
    };
    let h = response.headers_mut();
    // The token is in the URL: never let it leave in a Referer, and never
    // keep a page holding it in a cache.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    response
}

async fn index(State(app): State<AppState>) -> Response {
    let html = app.page.html().replace("__TOKEN__", &app.token);
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::find(&name) {
        Some(a) => ([(header::CONTENT_TYPE, a.mime)], a.bytes).into_response(),
        None => not_found().await,
    }
}

async fn websocket(State(app): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let sockets = app.sockets.clone();
    tracing::debug!(port = app.port, "a page opened its WebSocket");
    ws.max_message_size(64 << 20)
        .on_upgrade(move |socket| async move {
            let _ = sockets.send(socket).await;
        })
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}
