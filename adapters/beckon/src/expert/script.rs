//! The helper's commands, one per line, from a script file or a terminal:
//!
//! ```text
//! request-control        ask to share keyboard and mouse
//! wait-control           wait for the answer; refused ends the script
//! release-control        give control back
//! type TEXT              type TEXT through the target's keyboard layout
//! key NAME               press one key: esc, enter, tab, backspace, …
//! click X Y              left click at a pixel of the person's screen
//! chat TEXT              write in the chat
//! send-file PATH         offer a file and wait until it is through
//! accept-file ID         accept a file the person offered
//! decline-file ID        decline it
//! wait MS                wait
//! wait-screen            wait for the first picture, or the next one
//! disconnect             hang up
//! ```
//!
//! Empty lines and lines starting with `#` are skipped.

use std::path::PathBuf;
use std::time::Duration;

use beckon_core::keymap::Layout;
use beckon_core::message::InputEvent;

use super::{Client, Cmd, Control};
use crate::error::{Error, Result};

/// One command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ask for control.
    RequestControl,
    /// Wait for the answer.
    WaitControl,
    /// Wait until shared control ends (the person stopped it, or the helper
    /// gave it back).
    WaitControlEnded,
    /// Give control back.
    ReleaseControl,
    /// Type text.
    Type(String),
    /// Press one key (its HID usage).
    Key(u8),
    /// Click at a pixel.
    Click(u16, u16),
    /// Ask the machine for a relative (`true`, BIOS screens) or an
    /// absolute pointer.
    PointerMode(bool),
    /// Move a relative pointer by some counts.
    MoveBy(i16, i16),
    /// Chat.
    Chat(String),
    /// Offer a file.
    SendFile(PathBuf),
    /// Accept an offered file.
    AcceptFile(u32),
    /// Decline an offered file.
    DeclineFile(u32),
    /// Wait milliseconds.
    Wait(u64),
    /// Wait for a picture.
    WaitScreen,
    /// Hang up.
    Disconnect,
}

/// HID usage of a key by name.
pub fn key_usage(name: &str) -> Option<u8> {
    let n = name.to_ascii_lowercase();
    Some(match n.as_str() {
        "esc" | "escape" => 0x29,
        "enter" | "return" => 0x28,
        "tab" => 0x2B,
        "backspace" => 0x2A,
        "space" => 0x2C,
        "delete" | "del" => 0x4C,
        "insert" => 0x49,
        "home" => 0x4A,
        "end" => 0x4D,
        "pageup" => 0x4B,
        "pagedown" => 0x4E,
        "right" => 0x4F,
        "left" => 0x50,
        "down" => 0x51,
        "up" => 0x52,
        _ => {
            let f: u8 = n.strip_prefix('f')?.parse().ok()?;
            match f {
                1..=12 => 0x3A + f - 1,
                _ => return None,
            }
        }
    })
}

/// Parse one line; `None` for blank lines and comments.
pub fn parse_line(line: &str) -> std::result::Result<Option<Step>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let need = |what: &str| {
        if rest.is_empty() {
            Err(format!("{word} needs {what}"))
        } else {
            Ok(rest.to_string())
        }
    };
    let number = |text: &str, what: &str| -> std::result::Result<u64, String> {
        text.parse()
            .map_err(|_| format!("{word}: {text:?} is not {what}"))
    };
    let step = match word.to_ascii_lowercase().as_str() {
        "request-control" => Step::RequestControl,
        "wait-control" => Step::WaitControl,
        "wait-control-ended" => Step::WaitControlEnded,
        "release-control" => Step::ReleaseControl,
        "type" => Step::Type(need("the text to type")?),
        "key" => {
            let name = need("a key name")?;
            Step::Key(key_usage(&name).ok_or_else(|| {
                format!("unknown key {name:?}; known: esc, enter, tab, backspace, space, delete, arrows, home, end, pageup, pagedown, f1-f12")
            })?)
        }
        "click" => {
            let mut parts = rest.split_whitespace();
            let (Some(x), Some(y), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err("click needs X and Y pixels".into());
            };
            let px = |t: &str| {
                number(t, "a pixel")
                    .and_then(|v| u16::try_from(v).map_err(|_| format!("{t} is off the screen")))
            };
            Step::Click(px(x)?, px(y)?)
        }
        "mouse" => match need("relative or absolute")?.to_ascii_lowercase().as_str() {
            "relative" | "rel" => Step::PointerMode(true),
            "absolute" | "abs" => Step::PointerMode(false),
            other => return Err(format!("mouse: {other:?} is neither relative nor absolute")),
        },
        "move-by" => {
            let mut parts = rest.split_whitespace();
            let (Some(dx), Some(dy), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err("move-by needs DX and DY".into());
            };
            let step = |t: &str| {
                t.parse::<i16>()
                    .map_err(|_| format!("move-by: {t:?} is not a step of -32768..32767"))
            };
            Step::MoveBy(step(dx)?, step(dy)?)
        }
        "chat" => Step::Chat(need("a message")?),
        "send-file" => Step::SendFile(PathBuf::from(need("a file")?)),
        "accept-file" | "decline-file" => {
            let id = u32::try_from(number(&need("a file number")?, "a file number")?)
                .map_err(|_| "no such file number".to_string())?;
            if word.eq_ignore_ascii_case("accept-file") {
                Step::AcceptFile(id)
            } else {
                Step::DeclineFile(id)
            }
        }
        "wait" => Step::Wait(number(&need("milliseconds")?, "milliseconds")?),
        "wait-screen" => Step::WaitScreen,
        "disconnect" => Step::Disconnect,
        other => return Err(format!("unknown command {other:?}")),
    };
    Ok(Some(step))
}

/// Parse a whole script; errors name the line.
pub fn parse_script(text: &str) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(step)) => steps.push(step),
            Ok(None) => {}
            Err(e) => return Err(Error::Usage(format!("script line {}: {e}", i + 1))),
        }
    }
    Ok(steps)
}

/// How steps are carried out.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// The target's keyboard layout.
    pub layout: Layout,
    /// Pause between typed characters.
    pub key_delay: Duration,
    /// Longest wait for the person or the machine.
    pub limit: Duration,
}

/// Whether to go on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Next step.
    Continue,
    /// The script hung up.
    Stop,
}

fn ended(client: &Client) -> Result<()> {
    match client.now().ended {
        Some(r) => Err(Error::EndedEarly(r)),
        None => Ok(()),
    }
}

/// Carry out one step.
pub async fn run_step(client: &mut Client, step: &Step, pace: &Pace) -> Result<Flow> {
    ended(client)?;
    match step {
        Step::RequestControl => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            client.send(Cmd::RequestControl(tx));
            match rx.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(Error::Other(format!("request-control: {e}")));
                }
                Err(_) => ended(client)?,
            }
        }
        Step::WaitControl => {
            if client.now().control == Control::None {
                return Err(Error::Usage(
                    "wait-control: ask with request-control first".into(),
                ));
            }
            let (s, _) = client
                .wait_for(pace.limit, |s| !matches!(s.control, Control::Requested))
                .await;
            match s.control {
                Control::Granted => {}
                Control::Refused(r) => return Err(Error::ControlRefused(r)),
                _ => {
                    ended(client)?;
                    return Err(Error::Other(
                        "wait-control: no answer to the control request".into(),
                    ));
                }
            }
        }
        Step::WaitControlEnded => {
            let (s, _) = client
                .wait_for(pace.limit, |s| !matches!(s.control, Control::Granted))
                .await;
            if !matches!(s.control, Control::Ended(..)) {
                ended(client)?;
                return Err(Error::Other(
                    "wait-control-ended: control did not end in time".into(),
                ));
            }
        }
        Step::ReleaseControl => client.send(Cmd::ReleaseControl),
        Step::Type(text) => type_text(client, text, pace).await?,
        Step::Key(usage) => client.send(Cmd::Input(vec![
            InputEvent::Key {
                usage: *usage,
                down: true,
            },
            InputEvent::Key {
                usage: *usage,
                down: false,
            },
        ])),
        Step::Click(x, y) => client.send(Cmd::Click(*x, *y)),
        Step::PointerMode(relative) => client.send(Cmd::PointerMode(*relative)),
        Step::MoveBy(dx, dy) => client.send(Cmd::Input(vec![InputEvent::PointerRel {
            dx: *dx,
            dy: *dy,
        }])),
        Step::Chat(text) => client.send(Cmd::Chat(text.clone())),
        Step::SendFile(path) => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            client.send(Cmd::SendFile(path.clone(), tx));
            let id = rx
                .await
                .map_err(|_| Error::Other("the session is gone".into()))??;
            let (s, done) = client
                .wait_for(pace.limit, |s| s.files.contains_key(&id))
                .await;
            if !done {
                ended(client)?;
                return Err(Error::Other(format!(
                    "file #{id} did not get through in time"
                )));
            }
            if let Some(f) = s.files.get(&id) {
                if !matches!(f, crate::files::Finished::Delivered(_)) {
                    return Err(Error::Other(crate::files::finished_words(id, f)));
                }
            }
        }
        Step::AcceptFile(id) => client.send(Cmd::AnswerFile(*id, true)),
        Step::DeclineFile(id) => client.send(Cmd::AnswerFile(*id, false)),
        Step::Wait(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        Step::WaitScreen => {
            let before = client.now().frames;
            if before == 0 {
                let (_, ok) = client.wait_for(pace.limit, |s| s.frames > 0).await;
                if !ok {
                    ended(client)?;
                    return Err(Error::Other("no picture of the screen arrived".into()));
                }
            } else {
                // A screen that does not change sends nothing: a quiet
                // screen is not an error.
                client
                    .wait_for(Duration::from_secs(3), |s| s.frames > before)
                    .await;
            }
        }
        Step::Disconnect => return Ok(Flow::Stop),
    }
    Ok(Flow::Continue)
}

/// Type `text` character by character. Characters the layout cannot type
/// are refused before anything is sent; if control ends halfway, the rest is
/// dropped and said so.
async fn type_text(client: &mut Client, text: &str, pace: &Pace) -> Result<()> {
    let mut chars = Vec::new();
    // The machine's Caps Lock, if it told us, so text comes out as written.
    let caps = client.now().caps_lock();
    for ch in text.chars() {
        let strokes = pace
            .layout
            .strokes_locked(ch, caps)
            .map_err(|e| Error::Usage(format!("type: {e}")))?;
        let events: Vec<InputEvent> = strokes.iter().flat_map(|s| s.events()).collect();
        chars.push(events);
    }
    if client.now().control != Control::Granted {
        return Err(Error::Usage(
            "type: not in control; use request-control and wait-control first".into(),
        ));
    }
    let total = chars.len();
    for (i, events) in chars.into_iter().enumerate() {
        if client.now().control != Control::Granted {
            tracing::info!(
                "control ended: {} of {total} characters were not typed",
                total - i
            );
            return Ok(());
        }
        client.send(Cmd::Input(events));
        if !pace.key_delay.is_zero() {
            tokio::time::sleep(pace.key_delay).await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse() {
        assert_eq!(parse_line("  # note"), Ok(None));
        assert_eq!(
            parse_line("type hello world"),
            Ok(Some(Step::Type("hello world".into())))
        );
        assert_eq!(parse_line("key Esc"), Ok(Some(Step::Key(0x29))));
        assert_eq!(parse_line("key f12"), Ok(Some(Step::Key(0x45))));
        assert_eq!(parse_line("click 10 20"), Ok(Some(Step::Click(10, 20))));
        assert!(parse_line("click 10").is_err());
        assert!(parse_line("click 10 99999").is_err());
        assert!(parse_line("key nope").is_err());
        assert!(parse_line("fly away").is_err());
        assert!(parse_line("wait soon").is_err());
    }

    #[test]
    fn scripts_name_the_bad_line() {
        let e = parse_script("wait 1\n\nbogus\n").unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
