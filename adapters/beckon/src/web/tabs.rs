//! The open tabs of one page. Each WebSocket gets a writer task fed by a
//! bounded queue and a reader task that turns what the page says into
//! [`TabEvent`]s for the page's owner. A tab that cannot keep up is closed
//! rather than fed a gap: the page opens a new socket and starts afresh.

use std::collections::BTreeMap;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::mpsc;

/// How many messages may wait for a slow tab before it is closed.
const QUEUE: usize = 512;

/// Largest message a page may send (a file chunk plus its header).
pub const MAX_FROM_PAGE: usize = 1 << 20;

/// What a tab did.
#[derive(Debug)]
pub enum TabEvent {
    /// A tab opened; greet it.
    Opened(u64),
    /// A tab sent JSON.
    Said(u64, serde_json::Value),
    /// A tab sent bytes.
    Bytes(u64, Vec<u8>),
    /// A tab went away.
    Closed(u64),
}

/// The open tabs.
#[derive(Debug, Default)]
pub struct Tabs {
    next: u64,
    open: BTreeMap<u64, mpsc::Sender<Message>>,
}

impl Tabs {
    /// Take a new socket: its events go to `events`.
    pub fn attach(&mut self, socket: WebSocket, events: mpsc::UnboundedSender<TabEvent>) {
        self.next += 1;
        let id = self.next;
        let (mut sink, mut stream) = socket.split();
        let (tx, mut rx) = mpsc::channel::<Message>(QUEUE);
        tokio::spawn(async move {
            while let Some(msg) = rx.recv().await {
                let close = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || close {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let reader_events = events.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let ev = match msg {
                    Message::Text(text) => match serde_json::from_str(text.as_str()) {
                        Ok(v) => TabEvent::Said(id, v),
                        Err(e) => {
                            tracing::debug!(tab = id, "page sent bad JSON: {e}");
                            continue;
                        }
                    },
                    Message::Binary(b) if b.len() <= MAX_FROM_PAGE => {
                        TabEvent::Bytes(id, b.to_vec())
                    }
                    Message::Close(_) => break,
                    _ => continue,
                };
                if reader_events.send(ev).is_err() {
                    break;
                }
            }
            let _ = reader_events.send(TabEvent::Closed(id));
        });
        self.open.insert(id, tx);
        let _ = events.send(TabEvent::Opened(id));
    }

    /// A tab went away.
    pub fn remove(&mut self, id: u64) {
        self.open.remove(&id);
    }

    /// Whether any tab is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Send JSON to one tab.
    pub fn send_to(&mut self, id: u64, value: &impl Serialize) {
        if let Ok(text) = serde_json::to_string(value) {
            self.push(id, Message::Text(text.into()));
        }
    }

    /// Send JSON to every tab.
    pub fn send_all(&mut self, value: &impl Serialize) {
        if let Ok(text) = serde_json::to_string(value) {
            let ids: Vec<u64> = self.open.keys().copied().collect();
            for id in ids {
                self.push(id, Message::Text(text.clone().into()));
            }
        }
    }

    /// Send bytes to one tab.
    pub fn bytes_to(&mut self, id: u64, bytes: &[u8]) {
        self.push(id, Message::Binary(bytes.to_vec().into()));
    }

    fn push(&mut self, id: u64, msg: Message) {
        let Some(tx) = self.open.get(&id) else {
            return;
        };
        if tx.try_send(msg).is_err() {
            // Full (a tab that stopped reading) or gone: close it; a page
            // that is still there reconnects and gets a fresh start.
            tracing::debug!(tab = id, "tab cannot keep up; closing it");
            let _ = tx.try_send(Message::Close(None));
            self.open.remove(&id);
        }
    }
}
