//! The session task: accept a helper on TCP, run beckon-core's novice role
//! over the socket, ask the person through the button, stream the frame
//! source, and drive the HID sink.
//!
//! One helper at a time: a dongle has one screen and one keyboard port, and
//! its RAM holds one session's buffers. While nobody is connected the
//! person's keyboard still passes through to the target.

use beckon_core::control::LocalInput;
use beckon_core::reason::EndReason;
use beckon_core::session::{Config, Event, HelpMode, NoviceSession, NoviceState, SendError};
use beckon_dongle_kit::hid::{Keyboard, Mouse, Source};
use beckon_dongle_kit::tiles::{encode_tile, Damage, Grid, MAX_TILE_BYTES};
use embassy_futures::select::{select, select4, Either, Either4};
use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_time::{Duration, Instant, Timer};
use rand_core::CryptoRngCore;

use crate::dongle::{Dongle, UserEvent};
use crate::hw::{Console, FrameSource, HidSink, Led, LedState, Storage};

/// The TCP port helpers connect to (the same as the desktop's, NET-02).
pub const PORT: u16 = 7070;

/// The session's send buffer. The core needs room for one full record
/// plus its control reserve before it takes bulk data; this leaves a few
/// KiB of tiles per flush.
pub const OUTBOX: usize = 24 * 1024;

/// How often the screen is checked for changes while a helper watches.
const FRAME_INTERVAL: Duration = Duration::from_millis(100);

/// How long to wait for the last bytes (a goodbye) before closing.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The buffers one session needs; keep them in a `static` (StaticCell).
pub struct Buffers {
    rx: [u8; 4096],
    tx: [u8; 8192],
    tile: [u8; MAX_TILE_BYTES],
}

impl Buffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        Buffers {
            rx: [0; 4096],
            tx: [0; 8192],
            tile: [0; MAX_TILE_BYTES],
        }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}

/// The hardware a session drives.
pub struct Io<'a, F, H, L, C> {
    /// The target's screen.
    pub video: &'a mut F,
    /// The USB HID device towards the target.
    pub hid: &'a mut H,
    /// The status LED.
    pub led: &'a mut L,
    /// The person's console.
    pub console: &'a C,
}

/// What the button answers next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
enum Prompt {
    None,
    Consent,
    Control,
}

/// An event copied out of the session, so the session can be called while
/// acting on it.
enum Owned {
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
    Ended(EndReason),
    Other,
}

fn own(ev: &Event<'_>) -> Owned {
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
        Event::Ended(r) => Owned::Ended(r),
        _ => Owned::Other,
    }
}

/// Serve helpers forever, one at a time.
pub async fn serve<R, S, F, H, L, C>(
    stack: Stack<'_>,
    dongle: &Dongle<R, S>,
    io: Io<'_, F, H, L, C>,
    bufs: &mut Buffers,
) -> !
where
    R: CryptoRngCore + Send,
    S: Storage + Send,
    F: FrameSource,
    H: HidSink,
    L: Led,
    C: Console,
{
    let Io {
        video,
        hid,
        led,
        console,
    } = io;
    let mut keyboard = Keyboard::new();
    let mut mouse = Mouse::default();
    loop {
        led.show(LedState::Idle);
        let mut socket = TcpSocket::new(stack, &mut bufs.rx, &mut bufs.tx);
        // The core keeps its own keepalive and idle timeout (NET-03).
        socket.set_timeout(None);
        socket.set_nagle_enabled(false);
        {
            let accept = socket.accept(PORT);
            let mut accept = core::pin::pin!(accept);
            loop {
                match select(&mut accept, dongle.events.receive()).await {
                    Either::First(Ok(())) => break,
                    Either::First(Err(e)) => {
                        defmt::warn!("accept failed: {}", e);
                        Timer::after_millis(100).await;
                        break;
                    }
                    // Nobody connected: a long press shows a new pairing
                    // code (the owner channel), and the person's keyboard
                    // still works.
                    Either::Second(UserEvent::ButtonLong) => dongle.renew_pairing_code(console),
                    Either::Second(ev) => idle_event(ev, &mut keyboard, &mut mouse, hid),
                }
            }
        }
        if socket.remote_endpoint().is_none() {
            continue;
        }
        defmt::info!("helper connected from {}", socket.remote_endpoint());
        console.line(format_args!("helper connecting …"));
        let mut run = Run {
            prompt: Prompt::None,
            frame: None,
            damage: Damage::new(),
            expert: heapless::String::new(),
            full_screen_due: false,
            pre_approved: false,
        };
        let reason = run
            .session(
                &mut socket,
                dongle,
                video,
                hid,
                led,
                console,
                &mut keyboard,
                &mut mouse,
                &mut bufs.tile,
            )
            .await;
        // Whatever happened, nothing the helper pressed stays down.
        release_remote(&mut keyboard, &mut mouse, hid);
        dongle.with(|s| s.session = None);
        console.line(format_args!("session ended: {reason}"));
        defmt::info!("session ended: {}", reason);
        socket.close();
        let _ = embassy_time::with_timeout(CLOSE_GRACE, socket.flush()).await;
        socket.abort();
        let _ = embassy_time::with_timeout(CLOSE_GRACE, socket.flush()).await;
    }
}

fn idle_event<H: HidSink>(ev: UserEvent, keyboard: &mut Keyboard, mouse: &mut Mouse, hid: &mut H) {
    match ev {
        UserEvent::Key { usage, down } => {
            if keyboard.key(Source::Local, usage, down) {
                hid.keyboard(&keyboard.report());
            }
        }
        UserEvent::Mouse(mode) => mouse.mode = mode,
        UserEvent::Button | UserEvent::ButtonLong => {}
    }
}

fn release_remote<H: HidSink>(keyboard: &mut Keyboard, mouse: &mut Mouse, hid: &mut H) {
    if keyboard.release_remote() {
        hid.keyboard(&keyboard.report());
    }
    if let Some(r) = mouse.release() {
        hid.mouse(mouse.mode, &r);
    }
}

struct Run {
    prompt: Prompt,
    /// The frame being sent: its number and the tiles still to send.
    frame: Option<(u32, Damage)>,
    /// Tiles changed since the last frame began.
    damage: Damage,
    expert: heapless::String<64>,
    /// Send every tile with the next frame (the session just started).
    full_screen_due: bool,
    /// The helper came with an invitation the owner pre-approved: nobody
    /// at the machine is asked (unattended hardware help).
    pre_approved: bool,
}

impl Run {
    #[allow(clippy::too_many_arguments)]
    async fn session<R, S, F, H, L, C>(
        &mut self,
        socket: &mut TcpSocket<'_>,
        dongle: &Dongle<R, S>,
        video: &mut F,
        hid: &mut H,
        led: &mut L,
        console: &C,
        keyboard: &mut Keyboard,
        mouse: &mut Mouse,
        tile: &mut [u8; MAX_TILE_BYTES],
    ) -> EndReason
    where
        R: CryptoRngCore + Send,
        S: Storage + Send,
        F: FrameSource,
        H: HidSink,
        L: Led,
        C: Console,
    {
        let now = dongle.now_ms();
        let mut s: NoviceSession<OUTBOX> = dongle.with(|st| {
            NoviceSession::new(
                Config::default(),
                &mut st.rng,
                st.settings,
                &st.key.secret,
                dongle.name(),
                now,
            )
        });
        loop {
            let now = dongle.now_ms();
            // 1. Act on what the session says.
            while let Some(ev) = s.poll_event().map(|e| own(&e)) {
                if let Some(reason) =
                    self.on_event(ev, &mut s, now, dongle, hid, led, console, keyboard, mouse)
                {
                    flush(socket, &mut s).await;
                    return reason;
                }
            }
            dongle.with(|st| st.session = Some(s.state()));
            // 2. Pictures, while someone watches.
            if matches!(
                s.state(),
                NoviceState::Viewing | NoviceState::ControlOffered | NoviceState::SharedControl
            ) {
                let mut fresh = Damage::new();
                video.take_damage(&mut fresh);
                self.damage.merge(&fresh);
                self.pump_video(&mut s, video, tile);
            }
            // 3. Bytes out, as many as the socket takes now.
            send_some(socket, &mut s).await;
            if s.is_closed() {
                return EndReason::LocalLeft;
            }
            // 4. Wait for bytes, room, the person, or a timer.
            let mut wake = s.poll_timeout().map(|t| dongle.instant_at(t));
            if matches!(
                s.state(),
                NoviceState::Viewing | NoviceState::ControlOffered | NoviceState::SharedControl
            ) {
                let tick = Instant::now() + FRAME_INTERVAL;
                wake = Some(wake.map_or(tick, |w| w.min(tick)));
            }
            let timer = Timer::at(wake.unwrap_or(Instant::now() + Duration::from_secs(1)));
            let want_write = s.poll_transmit().is_some();
            let write_ready = async {
                if want_write {
                    socket.wait_write_ready().await
                } else {
                    core::future::pending().await
                }
            };
            match select4(
                socket.wait_read_ready(),
                write_ready,
                dongle.events.receive(),
                timer,
            )
            .await
            {
                Either4::First(()) => {
                    let now = dongle.now_ms();
                    if !socket.may_recv() && socket.recv_queue() == 0 {
                        s.handle_close(now);
                        continue;
                    }
                    let _ = socket.read_with(|buf| (s.handle_input(now, buf), ())).await;
                }
                Either4::Second(()) => {}
                Either4::Third(ev) => {
                    self.on_user(ev, &mut s, dongle.now_ms(), hid, console, keyboard, mouse)
                }
                Either4::Fourth(()) => s.handle_timeout(dongle.now_ms()),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_event<R, S, H, L, C>(
        &mut self,
        ev: Owned,
        s: &mut NoviceSession<OUTBOX>,
        now: u64,
        dongle: &Dongle<R, S>,
        hid: &mut H,
        led: &mut L,
        console: &C,
        keyboard: &mut Keyboard,
        mouse: &mut Mouse,
    ) -> Option<EndReason>
    where
        R: CryptoRngCore + Send,
        S: Storage + Send,
        H: HidSink,
        L: Led,
        C: Console,
    {
        match ev {
            Owned::Authenticate => {
                let result = match s.mode() {
                    // A use or a wrong password changes the book.
                    Some(HelpMode::Invitation) => dongle.with_book(|st| {
                        let st = &mut *st;
                        s.admit_invitation(now, &mut st.rng, &mut st.book)
                    }),
                    // Offered help needs a policy store and group
                    // certificates (Ed25519), which the dongle does not
                    // have: such a helper is hung up on. Not calling the
                    // core's policy check keeps its Ed25519 code out of
                    // the dongle's flash.
                    Some(HelpMode::Offer) => {
                        s.disconnect(now);
                        Err(EndReason::LocalLeft)
                    }
                    None => Err(EndReason::ProtocolError),
                };
                match result {
                    Ok(()) => {
                        defmt::info!("invitation checked");
                        if let Some(beckon_core::session::AdmittedVia::Invitation(id)) =
                            s.admitted_via()
                        {
                            self.pre_approved = dongle.with(|st| st.pre_approved.contains(&id.0));
                        }
                    }
                    Err(r) => defmt::warn!("helper refused: {}", r),
                }
            }
            Owned::Consent(name) if self.pre_approved => {
                console.line(format_args!(
                    "{name} connects with a pre-approved invitation: the session starts without asking."
                ));
                self.expert = name;
                // The helper is told that nobody here agreed (the core
                // marks the start as unattended).
                let _ = s.start_unattended(now);
            }
            Owned::Consent(name) => {
                self.prompt = Prompt::Consent;
                led.show(LedState::Asking);
                console.line(format_args!(
                    "{name} wants to see this screen. Press the button to start, hold it to say no."
                ));
                self.expert = name;
            }
            Owned::Started => {
                self.prompt = Prompt::None;
                led.show(LedState::Viewing);
                self.damage = Damage::new();
                self.frame = None;
                self.full_screen_due = true;
                console.line(format_args!(
                    "session started: {} sees this screen. Hold the button to end it.",
                    self.expert
                ));
            }
            Owned::ControlRequested if self.pre_approved => {
                // The core asks only when the owner allowed remote control.
                console.line(format_args!(
                    "{} takes control (pre-approved). Esc, Ctrl+C or the button takes it back.",
                    self.expert
                ));
                let _ = s.answer_control(now, true);
            }
            Owned::ControlRequested => {
                self.prompt = Prompt::Control;
                led.show(LedState::Asking);
                console.line(format_args!(
                    "{} asks to share control. Press the button to allow, hold it to refuse. Esc, Ctrl+C or the button takes control back.",
                    self.expert
                ));
            }
            Owned::ControlGranted => {
                self.prompt = Prompt::None;
                led.show(LedState::Control);
                console.line(format_args!("control shared with {}", self.expert));
            }
            Owned::ControlEnded(by, how) => {
                release_remote(keyboard, mouse, hid);
                led.show(LedState::Viewing);
                console.line(format_args!("control ended: {}", stop_words(by, how)));
            }
            Owned::ControlRefused(r) => {
                self.prompt = Prompt::None;
                led.show(LedState::Viewing);
                // The core's refusals carry their own words.
                console.line(format_args!("control request refused: {r}"));
            }
            Owned::Inject(input) => match input {
                beckon_core::message::InputEvent::Key { usage, down } => {
                    if keyboard.key(Source::Remote, usage, down) {
                        hid.keyboard(&keyboard.report());
                    }
                }
                other => {
                    if let Some(r) = mouse.apply(other) {
                        hid.mouse(mouse.mode, &r);
                    }
                }
            },
            Owned::Chat(text) => console.line(format_args!("chat: {text}")),
            Owned::FileOffered(id) => {
                // The dongle has nowhere to put files.
                let _ = s.answer_file(id, false);
            }
            Owned::Ended(reason) => return Some(reason),
            Owned::Other => {}
        }
        None
    }

    /// Answer the question on screen, if there is one (a short press is
    /// yes, a long one no); returns whether there was one.
    fn answer(&mut self, s: &mut NoviceSession<OUTBOX>, now: u64, yes: bool) -> bool {
        let result = match self.prompt {
            Prompt::Consent => s.consent(now, yes),
            Prompt::Control => s.answer_control(now, yes),
            Prompt::None => return false,
        };
        self.prompt = Prompt::None;
        if result.is_err() {
            // The question was settled meanwhile (the helper left, time ran out).
            defmt::debug!("the answer came too late");
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn on_user<H: HidSink, C: Console>(
        &mut self,
        ev: UserEvent,
        s: &mut NoviceSession<OUTBOX>,
        now: u64,
        hid: &mut H,
        console: &C,
        keyboard: &mut Keyboard,
        mouse: &mut Mouse,
    ) {
        match ev {
            UserEvent::Button => {
                if !self.answer(s, now, true) && s.stop_control(now).is_err() {
                    console.line(format_args!(
                        "(nothing to answer; hold the button to end the session)"
                    ));
                }
            }
            UserEvent::ButtonLong => {
                if !self.answer(s, now, false) {
                    s.disconnect(now);
                }
            }
            UserEvent::Key { usage, down } => {
                // Pass through first: the person's key reaches the target
                // whatever the session decides.
                if keyboard.key(Source::Local, usage, down) {
                    hid.keyboard(&keyboard.report());
                }
                s.local_input(now, LocalInput::Key { usage, down });
            }
            UserEvent::Mouse(mode) => {
                if let Some(r) = mouse.release() {
                    hid.mouse(mouse.mode, &r);
                }
                mouse.mode = mode;
                console.line(format_args!("mouse: {mode:?}"));
            }
        }
    }

    /// Send as much of the current frame as the send buffer takes; start a
    /// new frame when the last one is through and something changed.
    fn pump_video<F: FrameSource>(
        &mut self,
        s: &mut NoviceSession<OUTBOX>,
        video: &mut F,
        tile: &mut [u8; MAX_TILE_BYTES],
    ) {
        video.with_frame(|frame| {
            let grid = Grid {
                width: frame.width,
                height: frame.height,
            };
            if self.full_screen_due {
                self.damage.all(grid);
                self.full_screen_due = false;
            }
            if self.frame.is_none() {
                if self.damage.is_empty() || !s.can_send_frame() {
                    return;
                }
                let tiles = self.damage.count();
                // At most MAX_TILES tiles, well inside u16.
                match s.begin_frame(frame.width, frame.height, tiles as u16) {
                    Ok(n) => {
                        self.frame = Some((n, core::mem::take(&mut self.damage)));
                    }
                    Err(_) => return,
                }
            }
            let Some((n, todo)) = self.frame.as_mut() else {
                return;
            };
            let indices: heapless::Vec<usize, 64> = todo.iter().take(64).collect();
            for i in indices {
                let r = grid.rect(i);
                let Ok((enc, len)) = encode_tile(frame, r, tile) else {
                    defmt::error!("tile {} does not encode", i);
                    // Keep the promised count: send it black.
                    continue;
                };
                match s.send_rect(*n, (r.x, r.y, r.w, r.h), enc, len as u32, 0, &tile[..len]) {
                    Ok(()) => todo.unmark(i),
                    Err(SendError::WouldBlock) => return,
                    Err(_) => {
                        self.frame = None;
                        return;
                    }
                }
            }
            if todo.is_empty() {
                let n = *n;
                if s.end_frame(n).is_ok() {
                    self.frame = None;
                }
            }
        });
    }
}

/// How control ended, in words for the person (SES-05).
fn stop_words(by: beckon_core::reason::Side, how: beckon_core::reason::StopMethod) -> &'static str {
    use beckon_core::reason::{Side, StopMethod};
    match (by, how) {
        (_, StopMethod::EscKey) => "you pressed Esc",
        (_, StopMethod::CtrlC) => "you pressed Ctrl+C",
        (Side::Novice, StopMethod::StopButton) => "you pressed the button",
        (Side::Expert, StopMethod::StopButton | StopMethod::ExpertReleased) => {
            "the helper gave control back"
        }
        (Side::Novice, StopMethod::ExpertReleased) => "the helper gave control back",
        (_, StopMethod::SessionEnded) => "the session ended",
    }
}

/// Hand the socket whatever it has room for right now.
async fn send_some(socket: &mut TcpSocket<'_>, s: &mut NoviceSession<OUTBOX>) {
    while socket.can_send() {
        let Some(bytes) = s.poll_transmit() else {
            return;
        };
        let n = socket
            .write_with(|buf| {
                let n = buf.len().min(bytes.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                (n, n)
            })
            .await
            .unwrap_or(0);
        if n == 0 {
            return;
        }
        s.advance_transmit(n);
    }
}

/// Send everything left (a goodbye), for a short while at most.
async fn flush(socket: &mut TcpSocket<'_>, s: &mut NoviceSession<OUTBOX>) {
    let _ = embassy_time::with_timeout(CLOSE_GRACE, async {
        while s.poll_transmit().is_some() {
            send_some(socket, s).await;
            socket.wait_write_ready().await;
        }
    })
    .await;
}
