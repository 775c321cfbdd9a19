//! Input the person makes on the machine's own keyboard and mouse, from
//! XInput2 raw events, minus the adapter's own injections (see [`crate::echo`]).

use beckon_core::message::InputEvent;
use x11rb::protocol::xinput::{self, ConnectionExt as _};
use x11rb::protocol::xproto::Window;
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

use crate::echo::{Echo, Echoes};
use crate::error::X11Error;
use crate::keymap::keycode_to_usage;

/// Raw input watcher on the root window.
#[derive(Debug)]
pub(crate) struct LocalWatcher {
    /// The slave devices XTEST injects through.
    xtest_devices: Vec<xinput::DeviceId>,
    /// Local events seen and not yet taken, pointer motion excluded.
    pending: Vec<InputEvent>,
    /// The local pointer moved since the last take.
    moved: bool,
}

impl LocalWatcher {
    /// Select raw key, button and motion events of every master device on
    /// `root` (XInput 2.0 or later, checked by the caller).
    pub(crate) fn new(conn: &RustConnection, root: Window) -> Result<LocalWatcher, X11Error> {
        let devices = conn.xinput_xi_query_device(xinput::Device::ALL)?.reply()?;
        let xtest_devices = devices
            .infos
            .iter()
            .filter(|d| d.name.windows(5).any(|w| w == b"XTEST"))
            .map(|d| d.deviceid)
            .collect::<Vec<_>>();
        tracing::debug!("XTEST devices: {xtest_devices:?}");
        let mask = xinput::XIEventMask::RAW_KEY_PRESS
            | xinput::XIEventMask::RAW_KEY_RELEASE
            | xinput::XIEventMask::RAW_BUTTON_PRESS
            | xinput::XIEventMask::RAW_BUTTON_RELEASE
            | xinput::XIEventMask::RAW_MOTION;
        conn.xinput_xi_select_events(
            root,
            &[xinput::EventMask {
                deviceid: xinput::Device::ALL_MASTER.into(),
                mask: vec![mask],
            }],
        )?
        .check()?;
        Ok(LocalWatcher {
            xtest_devices,
            pending: Vec::new(),
            moved: false,
        })
    }

    /// Look at one event from the queue; raw input that is not an echo of
    /// the adapter's own injection is kept for [`LocalWatcher::take`].
    pub(crate) fn on_event(&mut self, event: &Event, echoes: &mut Echoes) {
        let (source, echo, detail) = match event {
            Event::XinputRawKeyPress(e) => {
                if e.flags.contains(xinput::KeyEventFlags::KEY_REPEAT) {
                    return;
                }
                let keycode = u8::try_from(e.detail).unwrap_or(0);
                let echo = Echo::Key {
                    keycode,
                    down: true,
                };
                (e.sourceid, echo, e.detail)
            }
            Event::XinputRawKeyRelease(e) => {
                let keycode = u8::try_from(e.detail).unwrap_or(0);
                let echo = Echo::Key {
                    keycode,
                    down: false,
                };
                (e.sourceid, echo, e.detail)
            }
            Event::XinputRawButtonPress(e) => {
                let button = u8::try_from(e.detail).unwrap_or(0);
                (e.sourceid, Echo::Button { button, down: true }, e.detail)
            }
            Event::XinputRawButtonRelease(e) => {
                let button = u8::try_from(e.detail).unwrap_or(0);
                let echo = Echo::Button {
                    button,
                    down: false,
                };
                (e.sourceid, echo, e.detail)
            }
            Event::XinputRawMotion(e) => (e.sourceid, Echo::Motion, 0),
            _ => return,
        };
        if self.xtest_devices.contains(&source) && echoes.claim(echo) {
            return;
        }
        tracing::trace!("local input from device {source}: {echo:?} ({detail})");
        match echo {
            Echo::Key { keycode, down } => match keycode_to_usage(keycode) {
                Some(usage) => self.pending.push(InputEvent::Key { usage, down }),
                None => tracing::debug!("local key {keycode} has no HID usage"),
            },
            Echo::Button { button, down } => {
                if let Some(event) = button_event(button, down) {
                    self.pending.push(event);
                }
            }
            Echo::Motion => self.moved = true,
        }
    }

    /// The local input gathered so far, and whether the pointer moved.
    pub(crate) fn take(&mut self) -> (Vec<InputEvent>, bool) {
        (
            std::mem::take(&mut self.pending),
            std::mem::take(&mut self.moved),
        )
    }
}

/// A raw X button event in the protocol's terms: buttons 1, 3, 2, 8, 9 are
/// 0..=4, presses of 4/5/6/7 are wheel detents (their releases say nothing).
fn button_event(button: u8, down: bool) -> Option<InputEvent> {
    let wheel = |dx, dy| down.then_some(InputEvent::Wheel { dx, dy });
    match button {
        1 => Some(InputEvent::Button { button: 0, down }),
        3 => Some(InputEvent::Button { button: 1, down }),
        2 => Some(InputEvent::Button { button: 2, down }),
        8 => Some(InputEvent::Button { button: 3, down }),
        9 => Some(InputEvent::Button { button: 4, down }),
        4 => wheel(0, 1),
        5 => wheel(0, -1),
        6 => wheel(-1, 0),
        7 => wheel(1, 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_and_wheel() {
        assert_eq!(
            button_event(3, true),
            Some(InputEvent::Button {
                button: 1,
                down: true
            })
        );
        assert_eq!(
            button_event(4, true),
            Some(InputEvent::Wheel { dx: 0, dy: 1 })
        );
        assert_eq!(button_event(4, false), None);
        assert_eq!(button_event(12, true), None);
    }
}
