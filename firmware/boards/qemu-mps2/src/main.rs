//! The Beckon dongle on QEMU's MPS2 AN386 (Cortex-M4F).
//!
//! - network: the board's LAN9118 ([`lan9118`]) under embassy-net, DHCP
//!   with a static fallback (QEMU's user network hands out 10.0.2.15);
//! - time: SysTick at 1 kHz ([`time`]);
//! - console: CMSDK UART0 ([`uart`]), a line protocol that stands in for
//!   the button and the person's keyboard, and prints what the person
//!   must see;
//! - the target: a drawn test screen as the frame source and a simulated
//!   USB keyboard that types into it ([`screen`]);
//! - logs: defmt over semihosting to the host's stderr ([`log`]);
//! - clock and entropy seed: from the host, through semihosting ([`host`]).
//!
//! Everything else is the shared app (`beckon-dongle`).
#![no_std]
#![no_main]

mod host;
mod lan9118;
mod log;
mod screen;
mod storage;
mod time;
mod uart;

use beckon_dongle::hw::Console;
use beckon_dongle::owner::{self, OwnerBuffers};
use beckon_dongle::session::{self, Buffers, Io};
use beckon_dongle::{net, Dongle};
use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::NVIC;
use cortex_m_rt::exception;
use embassy_executor::Spawner;
use embassy_net::{Ipv4Address, Ipv4Cidr, StackResources};
use embassy_time::{Duration, Ticker};
use panic_probe as _;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use static_cell::StaticCell;

use crate::storage::HostStorage;
use crate::uart::Uart;

/// The name helpers see.
const NAME: &str = "Beckon dongle (QEMU)";

/// How long DHCP may take before the static fallback.
const DHCP_WAIT: Duration = Duration::from_secs(6);

type TheDongle = Dongle<ChaCha20Rng, HostStorage>;

/// The LAN9118's interrupt line, for the NVIC.
#[derive(Clone, Copy)]
struct EthIrq;

// SAFETY: 13 is a valid external interrupt number on this board.
unsafe impl InterruptNumber for EthIrq {
    fn number(self) -> u16 {
        lan9118::IRQ
    }
}

/// No device crate exists for the MPS2, so every external interrupt lands
/// here (cortex-m-rt's default vector table) and is dispatched by number.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == lan9118::IRQ as i16 {
        lan9118::on_interrupt();
    } else {
        defmt::warn!("unexpected interrupt {}", irqn);
    }
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, lan9118::Lan9118>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn console_task(dongle: &'static TheDongle, uart: &'static Uart) -> ! {
    let mut line: heapless::String<{ beckon_dongle_kit::console::MAX_LINE }> =
        heapless::String::new();
    let mut ticker = Ticker::every(Duration::from_millis(5));
    loop {
        while let Some(b) = uart.try_read() {
            match b {
                b'\r' | b'\n' if !line.is_empty() => {
                    defmt::info!("console: {=str}", line.as_str());
                    dongle.console_line(&line, uart);
                    line.clear();
                }
                // The guard stores the byte; only a full line reaches the arm.
                0x20..=0x7E if line.push(char::from(b)).is_err() => {
                    uart.line(format_args!("error: line too long"));
                    line.clear();
                }
                _ => {}
            }
        }
        ticker.next().await;
    }
}

#[embassy_executor::task]
async fn owner_task(
    stack: embassy_net::Stack<'static>,
    dongle: &'static TheDongle,
    uart: &'static Uart,
) -> ! {
    static BUFFERS: StaticCell<OwnerBuffers> = StaticCell::new();
    owner::serve(stack, dongle, uart, BUFFERS.init(OwnerBuffers::new())).await
}

#[embassy_executor::task]
async fn clock_task() -> ! {
    let mut ticker = Ticker::every(Duration::from_secs(1));
    loop {
        ticker.next().await;
        screen::tick_second();
    }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let mut cp = cortex_m::Peripherals::take().expect("taken once, at boot");
    time::init(&mut cp.SYST);
    static UART: StaticCell<Uart> = StaticCell::new();
    let uart: &'static Uart = UART.init(Uart::init());
    uart.line(format_args!(
        "Beckon dongle firmware {}, board qemu-mps2",
        env!("CARGO_PKG_VERSION")
    ));

    let seed = host::seed().unwrap_or_else(|| {
        uart.line(format_args!(
            "warning: no entropy seed from the host; keys are predictable (pass seed=HEX)"
        ));
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&host::unix_ms().to_le_bytes());
        s
    });
    let mut rng = ChaCha20Rng::from_seed(seed);
    let net_seed = rng.next_u64();
    let mut dongle_seed = [0u8; 32];
    rng.fill_bytes(&mut dongle_seed);

    let mut dir = heapless::String::new();
    let storage = HostStorage::new(host::store_dir(&mut dir));
    if !storage.is_persistent() {
        uart.line(format_args!(
            "note: no store=DIR from the host; keys and invitations last until power-off"
        ));
    }
    static DONGLE: StaticCell<TheDongle> = StaticCell::new();
    let dongle: &'static TheDongle = DONGLE.init(Dongle::new(
        NAME,
        host::unix_ms(),
        ChaCha20Rng::from_seed(dongle_seed),
        storage,
    ));
    let mut key_hex: heapless::String<64> = heapless::String::new();
    for b in dongle.public_key() {
        let _ = core::fmt::write(&mut key_hex, format_args!("{b:02x}"));
    }
    uart.line(format_args!("device key: {key_hex}"));
    dongle.announce_pairing(uart);

    screen::init();
    let nic = match lan9118::Lan9118::new() {
        Ok(n) => n,
        Err(e) => {
            uart.line(format_args!("fatal: no Ethernet ({e:?})"));
            defmt::panic!("no Ethernet: {}", e);
        }
    };
    // SAFETY: the handler for this line is installed (DefaultHandler).
    unsafe { NVIC::unmask(EthIrq) };

    // Sockets: the session, the owner channel, and DHCP.
    static RESOURCES: StaticCell<StackResources<4>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        nic,
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        net_seed,
    );
    spawner.spawn(net_task(runner).expect("one network task"));
    spawner.spawn(console_task(dongle, uart).expect("one console task"));
    spawner.spawn(clock_task().expect("one clock task"));
    spawner.spawn(owner_task(stack, dongle, uart).expect("one owner task"));

    let address = net::configure(
        stack,
        DHCP_WAIT,
        net::Fallback {
            address: Ipv4Cidr::new(Ipv4Address::new(10, 0, 2, 15), 24),
            gateway: Some(Ipv4Address::new(10, 0, 2, 2)),
        },
    )
    .await;
    uart.line(format_args!(
        "ready: listening on {}:{} (owner channel on port {}; type `help` for the console commands)",
        address.address(),
        session::PORT,
        beckon_core::owner::OWNER_PORT
    ));

    static BUFFERS: StaticCell<Buffers> = StaticCell::new();
    let mut video = screen::Video;
    let mut hid = screen::Hid { console: uart };
    let mut led = screen::ScreenLed;
    session::serve(
        stack,
        dongle,
        Io {
            video: &mut video,
            hid: &mut hid,
            led: &mut led,
            console: uart,
        },
        BUFFERS.init(Buffers::new()),
    )
    .await
}
