//! The Beckon dongle on an STM32H743 (NUCLEO-H743ZI2).
//!
//! **Untested on hardware**: this board builds in CI, and nothing more has
//! been checked. It is thin over the shared app (`beckon-dongle`):
//!
//! - network: the on-chip Ethernet MAC with the board's LAN8742A PHY (RMII),
//!   under embassy-net, DHCP with a static fallback;
//! - the target's keyboard and mouse: USB OTG FS as a HID device (a boot
//!   keyboard, a boot mouse for BIOS screens, an absolute pointer), with
//!   report descriptors from `usbd-hid` ([`usb`]);
//! - keys, owner and settings: the last two flash sectors of bank 2, used
//!   in turn so a power cut loses nothing ([`storage`]);
//! - the wall clock: the RTC on the LSE crystal, read at boot, written when
//!   the owner sets the clock ([`clock`]);
//! - randomness: the hardware RNG;
//! - the button: B1 (PC13), short and long presses; the LED: LD1–LD3;
//! - the console: USART3 on the ST-LINK's virtual COM port;
//! - logs: defmt over RTT (probe-rs);
//! - video: DCMI capture of 640×480 at 60 Hz from a TFP401-class DVI/HDMI
//!   receiver wired as RGB332, mapped to the 16 VGA colours ([`video`]).
#![no_std]
#![no_main]

mod clock;
mod storage;
mod usb;
mod video;

use core::cell::RefCell;
use core::fmt::Write as _;

use beckon_dongle::hw::{Console, Led, LedState};
use beckon_dongle::owner::{self, OwnerBuffers};
use beckon_dongle::session::{self, Buffers, Io};
use beckon_dongle::{net, Dongle, UserEvent};
use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_net::{Ipv4Address, Ipv4Cidr, StackResources};
use embassy_stm32::dcmi::{self, Dcmi};
use embassy_stm32::eth::{Ethernet, GenericPhy, PacketQueue};
use embassy_stm32::exti::ExtiInput;
use embassy_stm32::gpio::{Level, Output, Pull, Speed};
use embassy_stm32::mode::Async;
use embassy_stm32::peripherals::{ETH, ETH_SMA, RNG};
use embassy_stm32::rng::Rng;
use embassy_stm32::rtc::{Rtc, RtcConfig};
use embassy_stm32::usart::{self, Uart};
use embassy_stm32::{bind_interrupts, eth, peripherals, rng, Config};
use embassy_sync::blocking_mutex::raw::ThreadModeRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time::{Duration, Instant, Timer};
use panic_probe as _;
use static_cell::StaticCell;

bind_interrupts!(struct Irqs {
    ETH => eth::InterruptHandler;
    RNG => rng::InterruptHandler<peripherals::RNG>;
    OTG_FS => embassy_stm32::usb::InterruptHandler<peripherals::USB_OTG_FS>;
    USART3 => usart::InterruptHandler<peripherals::USART3>;
    DMA1_STREAM0 => embassy_stm32::dma::InterruptHandler<peripherals::DMA1_CH0>;
    DMA1_STREAM1 => embassy_stm32::dma::InterruptHandler<peripherals::DMA1_CH1>;
    DCMI => dcmi::InterruptHandler<peripherals::DCMI>;
    DMA1_STREAM2 => embassy_stm32::dma::InterruptHandler<peripherals::DMA1_CH2>;
    EXTI15_10 => embassy_stm32::exti::InterruptHandler<embassy_stm32::interrupt::typelevel::EXTI15_10>;
});

/// The name helpers see.
const NAME: &str = "Beckon dongle";

/// A long press of the button, in milliseconds.
const LONG_PRESS: Duration = Duration::from_millis(1500);

type Eth = Ethernet<'static, ETH, GenericPhy<embassy_stm32::eth::Sma<'static, ETH_SMA>>>;
type TheRng = Rng<'static, RNG>;
type TheDongle = Dongle<TheRng, storage::FlashStorage>;

/// The console on USART3, shared by the tasks that print. Writes block:
/// lines are short and the person reads them at 115200 baud.
struct SerialConsole {
    uart: Mutex<ThreadModeRawMutex, RefCell<usart::UartTx<'static, Async>>>,
}

impl Console for SerialConsole {
    fn line(&self, args: core::fmt::Arguments<'_>) {
        struct W<'a>(&'a mut usart::UartTx<'static, Async>);
        impl core::fmt::Write for W<'_> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                self.0
                    .blocking_write(s.as_bytes())
                    .map_err(|_| core::fmt::Error)
            }
        }
        self.uart.lock(|u| {
            let mut u = u.borrow_mut();
            let mut w = W(&mut u);
            let _ = w.write_fmt(args);
            let _ = w.write_str("\r\n");
        });
    }
}

/// LD1 (green) when a helper watches, LD2 (yellow) while asking, LD3 (red)
/// while control is shared.
struct Leds {
    green: Output<'static>,
    yellow: Output<'static>,
    red: Output<'static>,
}

impl Led for Leds {
    fn show(&mut self, state: LedState) {
        let (g, y, r) = match state {
            LedState::Offline => (false, false, false),
            LedState::Idle => (true, false, false),
            LedState::Asking => (true, true, false),
            LedState::Viewing => (true, false, false),
            LedState::Control => (true, false, true),
        };
        self.green.set_level(Level::from(g));
        self.yellow.set_level(Level::from(y));
        self.red.set_level(Level::from(r));
    }
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Eth>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn owner_task(
    stack: embassy_net::Stack<'static>,
    dongle: &'static TheDongle,
    console: &'static SerialConsole,
) -> ! {
    static BUFFERS: StaticCell<OwnerBuffers> = StaticCell::new();
    owner::serve(stack, dongle, console, BUFFERS.init(OwnerBuffers::new())).await
}

/// B1: a short press answers yes or stops control; a long press answers no,
/// ends the session, or (idle) shows a new pairing code.
#[embassy_executor::task]
async fn button_task(mut button: ExtiInput<'static, Async>, dongle: &'static TheDongle) -> ! {
    loop {
        button.wait_for_rising_edge().await;
        let down = Instant::now();
        button.wait_for_falling_edge().await;
        // Ignore contact bounce.
        let held = Instant::now() - down;
        if held < Duration::from_millis(30) {
            continue;
        }
        dongle.user_event(if held >= LONG_PRESS {
            UserEvent::ButtonLong
        } else {
            UserEvent::Button
        });
        Timer::after_millis(50).await;
    }
}

/// Keep the RTC in step with the dongle's clock: when the owner sets the
/// clock (the app's `Dongle::set_clock`), the dongle's wall clock at
/// `embassy_time` zero jumps; then write the new time to the RTC. Between
/// such jumps the RTC (a crystal) keeps better time than the dongle (the
/// HSI), so it is not overwritten.
#[embassy_executor::task]
async fn clock_task(mut rtc: Rtc, dongle: &'static TheDongle) -> ! {
    let at_zero = || dongle.now_ms().saturating_sub(Instant::now().as_millis());
    let mut last = at_zero();
    loop {
        Timer::after_secs(1).await;
        let now = at_zero();
        // Two readings of the millisecond clock may differ by one; the RTC
        // counts whole seconds.
        if now.abs_diff(last) > 1000 {
            if clock::write(&mut rtc, dongle.now_ms()) {
                defmt::info!("RTC set from the owner's clock");
            } else {
                defmt::warn!("the RTC cannot hold the owner's clock");
            }
        }
        last = now;
    }
}

/// Console lines from the ST-LINK's virtual COM port.
#[embassy_executor::task]
async fn console_task(
    mut rx: usart::UartRx<'static, embassy_stm32::mode::Async>,
    dongle: &'static TheDongle,
    console: &'static SerialConsole,
) -> ! {
    let mut line: heapless::String<{ beckon_dongle_kit::console::MAX_LINE }> =
        heapless::String::new();
    let mut byte = [0u8; 1];
    loop {
        if rx.read(&mut byte).await.is_err() {
            continue;
        }
        match byte[0] {
            b'\r' | b'\n' if !line.is_empty() => {
                dongle.console_line(&line, console);
                line.clear();
            }
            // The guard stores the byte; only a full line reaches the arm.
            0x20..=0x7E if line.push(char::from(byte[0])).is_err() => {
                console.line(format_args!("error: line too long"));
                line.clear();
            }
            _ => {}
        }
    }
}

fn clocks() -> Config {
    use embassy_stm32::rcc::{
        mux, AHBPrescaler, APBPrescaler, HSIPrescaler, Hsi48Config, Pll, PllDiv, PllMul, PllPreDiv,
        PllSource, Sysclk, VoltageScale,
    };
    let mut config = Config::default();
    // 400 MHz from the 64 MHz HSI; HSI48 for USB (synchronised to the
    // host's start-of-frame packets), the Ethernet MAC on the AHB clock.
    config.rcc.hsi = Some(HSIPrescaler::DIV1);
    config.rcc.csi = true;
    config.rcc.hsi48 = Some(Hsi48Config {
        sync_from_usb: true,
    });
    config.rcc.pll1 = Some(Pll {
        source: PllSource::HSI,
        prediv: PllPreDiv::DIV4,
        mul: PllMul::MUL50,
        fracn: None,
        divp: Some(PllDiv::DIV2),
        divq: Some(PllDiv::DIV8),
        divr: None,
    });
    config.rcc.sys = Sysclk::PLL1_P;
    config.rcc.ahb_pre = AHBPrescaler::DIV2;
    config.rcc.apb1_pre = APBPrescaler::DIV2;
    config.rcc.apb2_pre = APBPrescaler::DIV2;
    config.rcc.apb3_pre = APBPrescaler::DIV2;
    config.rcc.apb4_pre = APBPrescaler::DIV2;
    config.rcc.voltage_scale = VoltageScale::Scale1;
    config.rcc.mux.usbsel = mux::Usbsel::HSI48;
    // The RTC on the NUCLEO's 32.768 kHz crystal (X2).
    config.rcc.ls = embassy_stm32::rcc::LsConfig::default_lse();
    config
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    defmt::info!("Beckon dongle, board stm32h743");

    let (tx, rx) = match Uart::new(
        p.USART3,
        p.PD9,
        p.PD8,
        p.DMA1_CH0,
        p.DMA1_CH1,
        Irqs,
        usart::Config::default(),
    ) {
        Ok(u) => u.split(),
        Err(_) => defmt::panic!("USART3 does not start"),
    };
    static CONSOLE: StaticCell<SerialConsole> = StaticCell::new();
    let console: &'static SerialConsole = CONSOLE.init(SerialConsole {
        uart: Mutex::new(RefCell::new(tx)),
    });
    console.line(format_args!(
        "Beckon dongle firmware {}, board stm32h743 (untested on hardware)",
        env!("CARGO_PKG_VERSION")
    ));

    let mut leds = Leds {
        green: Output::new(p.PB0, Level::Low, Speed::Low),
        yellow: Output::new(p.PE1, Level::Low, Speed::Low),
        red: Output::new(p.PB14, Level::Low, Speed::Low),
    };
    leds.show(LedState::Offline);

    let mut rng = Rng::new(p.RNG, Irqs);
    let mut seed = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rng, &mut seed);
    let net_seed = u64::from_le_bytes(seed);

    // The wall clock from the RTC if it was ever set (it runs on across
    // resets, and across power cuts with a battery on VBAT); otherwise a
    // fixed floor until the owner's `beckon dongle` sets it (every owner
    // command does, before it makes or lists invitations).
    let (rtc, rtc_time) = Rtc::new(p.RTC, RtcConfig::default());
    let boot_unix_ms = match clock::read(&rtc_time) {
        Some(ms) => ms.saturating_sub(Instant::now().as_millis()),
        None => {
            console.line(format_args!(
                "clock: the RTC was never set; the owner's next command sets it"
            ));
            clock::FLOOR_UNIX_MS
        }
    };
    static DONGLE: StaticCell<TheDongle> = StaticCell::new();
    let dongle: &'static TheDongle = DONGLE.init(Dongle::new(
        NAME,
        boot_unix_ms,
        rng,
        storage::FlashStorage::new(p.FLASH),
    ));
    let mut key_hex: heapless::String<64> = heapless::String::new();
    for b in dongle.public_key() {
        let _ = write!(key_hex, "{b:02x}");
    }
    console.line(format_args!("device key: {key_hex}"));
    dongle.announce_pairing(console);

    // The MAC address: locally administered, from the device key, so it is
    // stable across boots and unique per dongle.
    let k = dongle.public_key();
    let mac = [0x02, k[0], k[1], k[2], k[3], k[4]];
    static PACKETS: StaticCell<PacketQueue<2, 4>> = StaticCell::new();
    let eth: Eth = Ethernet::new(
        PACKETS.init(PacketQueue::<2, 4>::new()),
        p.ETH,
        Irqs,
        p.PA1,
        p.PA7,
        p.PC4,
        p.PC5,
        p.PG13,
        p.PB13,
        p.PG11,
        mac,
        p.ETH_SMA,
        p.PA2,
        p.PC1,
    );
    static RESOURCES: StaticCell<StackResources<4>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        eth,
        embassy_net::Config::dhcpv4(Default::default()),
        RESOURCES.init(StackResources::new()),
        net_seed,
    );
    spawner.spawn(net_task(runner).expect("one network task"));
    spawner.spawn(console_task(rx, dongle, console).expect("one console task"));
    spawner.spawn(clock_task(rtc, dongle).expect("one clock task"));
    let button = ExtiInput::new(p.PC13, p.EXTI13, Pull::Down, Irqs);
    spawner.spawn(button_task(button, dongle).expect("one button task"));
    let hid = usb::start(&spawner, p.USB_OTG_FS, p.PA12, p.PA11, Irqs);
    spawner.spawn(owner_task(stack, dongle, console).expect("one owner task"));

    let address = net::configure(
        stack,
        Duration::from_secs(10),
        net::Fallback {
            address: Ipv4Cidr::new(Ipv4Address::new(192, 168, 7, 2), 24),
            gateway: None,
        },
    )
    .await;
    console.line(format_args!(
        "ready: listening on {}:{} (owner channel on port {})",
        address.address(),
        session::PORT,
        beckon_core::owner::OWNER_PORT
    ));

    // The DVI receiver on the DCMI, 8 bits of RGB332 (wiring in video.rs);
    // DE on HSYNC (high while pixels are valid), 640×480's negative VSYNC.
    let mut dcmi_config = dcmi::Config::default();
    dcmi_config.vsync_level = dcmi::VSyncDataInvalidLevel::Low;
    dcmi_config.hsync_level = dcmi::HSyncDataInvalidLevel::Low;
    dcmi_config.pixclk_polarity = dcmi::PixelClockPolarity::RisingEdge;
    let dcmi = Dcmi::new_8bit(
        p.DCMI,
        p.DMA1_CH2,
        Irqs,
        p.PC6,
        p.PC7,
        p.PC8,
        p.PC9,
        p.PE4,
        p.PD3,
        p.PE5,
        p.PE6,
        p.PG9,
        p.PA4,
        p.PA6,
        dcmi_config,
    );
    let mut video = video::start(&spawner, dcmi, console);

    static BUFFERS: StaticCell<Buffers> = StaticCell::new();
    let mut hid = hid;
    session::serve(
        stack,
        dongle,
        Io {
            video: &mut video,
            hid: &mut hid,
            led: &mut leds,
            console,
        },
        BUFFERS.init(Buffers::new()),
    )
    .await
}
