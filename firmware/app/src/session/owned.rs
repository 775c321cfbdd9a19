//! The session's events, copied out of it, so the session can be called
//! while the dongle acts on one.

use beckon_core::reason::EndReason;
use beckon_core::session::Event;

/// An event copied out of the session, so the session can be called while
/// acting on it.
pub(super) enum Owned {
    Authenticate,
    Consent(heapless::String<64>),
    Started,
    ControlRequested,
    ControlGranted,
    ControlEnded(beckon_core::reason::Side, beckon_core::reason::StopMethod),
    ControlRefused(beckon_core::reason::ControlRefusal),
    Inject(beckon_core::message::InputEvent),
    Chat(heapless::String<128>),
    FileOffered(u32),
    /// The helper wants a relative (`true`) or absolute mouse.
    PointerMode(bool),
    Ended(EndReason),
    Other,
}

pub(super) fn own(ev: &Event<'_>) -> Owned {
    match *ev {
        Event::Authenticate => Owned::Authenticate,
        Event::ConsentRequested { expert_name } => {
            let mut s = heapless::String::new();
            for c in expert_name.chars() {
                if s.push(c).is_err() {
                    break;
                }
            }
            Owned::Consent(s)
        }
        Event::Started => Owned::Started,
        Event::ControlRequested => Owned::ControlRequested,
        Event::ControlGranted => Owned::ControlGranted,
        Event::ControlEnded { by, how } => Owned::ControlEnded(by, how),
        Event::ControlRefused(r) => Owned::ControlRefused(r),
        Event::Inject(i) => Owned::Inject(i),
        Event::Chat(entry) => {
            let mut s = heapless::String::new();
            for c in entry.text.chars() {
                if s.push(c).is_err() {
                    break;
                }
            }
            Owned::Chat(s)
        }
        Event::FileOffered { id, .. } => Owned::FileOffered(id),
        Event::PointerMode { relative } => Owned::PointerMode(relative),
        Event::Ended(r) => Owned::Ended(r),
        _ => Owned::Other,
    }
}
