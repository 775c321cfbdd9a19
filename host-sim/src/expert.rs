//! The expert's client: a core session, the view of the novice's screen,
//! chat and files.

use beckon_core::keymap::Layout;
use beckon_core::reason::EndReason;
use beckon_core::session::{Event, ExpertSession};

use crate::agent::Answer;
use crate::endpoint::Wire;
use crate::events::{Ev, Seen};
use crate::files::FileDesk;
use crate::transcript::{Actor, Kind, Transcript};
use crate::video::View;

/// One expert.
#[derive(Debug)]
pub struct ExpertClient {
    /// Its number (the same as its connection's and link's).
    pub id: usize,
    /// The helper's name.
    pub name: String,
    /// The core's session.
    pub session: ExpertSession,
    pub(crate) wire: Wire,
    /// Every event, with its time.
    pub log: Vec<(u64, Ev)>,
    /// Files both ways.
    pub files: FileDesk,
    /// The novice's screen as this expert sees it.
    pub view: View,
    /// The layout the helper believes the target has, for typing text.
    pub layout: Layout,
    /// How the helper answers offered files.
    pub file_answer: Answer,
    /// How it ended, once it did.
    pub ended: Option<EndReason>,
    /// When each input event that the session took was sent.
    pub input_times: Vec<u64>,
}

impl ExpertClient {
    pub(crate) fn new(id: usize, name: &str, session: ExpertSession, layout: Layout) -> Self {
        ExpertClient {
            id,
            name: name.into(),
            session,
            wire: Wire::default(),
            log: Vec::new(),
            files: FileDesk::default(),
            view: View::default(),
            layout,
            file_answer: Answer::Wait,
            ended: None,
            input_times: Vec::new(),
        }
    }

    /// Drain the session's events. Returns whether control ended (so the
    /// simulator can drop the helper's queued typing).
    pub(crate) fn drain(&mut self, now: u64, t: &mut Transcript, t0: u64) -> bool {
        let mut control_ended = false;
        while let Some(event) = self.session.poll_event() {
            let ev = Ev::from(&event);
            self.files.on_event(&event);
            self.view.on_event(&event, now);
            if let Event::FileOffered { id, .. } = event {
                if self.file_answer != Answer::Wait {
                    let _ = self
                        .session
                        .answer_file(id, self.file_answer == Answer::Yes);
                }
            }
            if !ev.is_chatty() || t.verbose {
                t.push(now - t0, Actor::Expert(self.id), Kind::Event, ev.describe());
            }
            match ev {
                Ev::ControlEnded(..) => control_ended = true,
                Ev::Ended(r) => {
                    self.ended = Some(r);
                    control_ended = true;
                }
                _ => {}
            }
            self.log.push((now, ev));
        }
        control_ended
    }
}

impl Seen for ExpertClient {
    fn log(&self) -> &[(u64, Ev)] {
        &self.log
    }
}
