//! USB OTG FS as the target's HID devices: a boot keyboard (with the LED
//! output report), a boot mouse (what BIOS setup screens read) and an
//! absolute pointer. Report descriptors come from `usbd-hid`.
//!
//! The app's `HidSink` is synchronous; reports go through a channel to the
//! task that owns the endpoints, so a slow host never stalls the session.

use beckon_dongle::hw::HidSink;
use beckon_dongle_kit::hid::{KeyboardReport, MouseMode, MouseReport};
use core::sync::atomic::{AtomicU8, Ordering};
use embassy_executor::Spawner;
use embassy_stm32::peripherals::{PA11, PA12, USB_OTG_FS};
use embassy_stm32::usb::{Driver, InterruptHandler};
use embassy_stm32::{interrupt, Peri};
use embassy_sync::blocking_mutex::raw::ThreadModeRawMutex;
use embassy_sync::channel::Channel;

use embassy_usb::class::hid::{
    self, HidBootProtocol, HidReader, HidReaderWriter, HidSubclass, HidWriter, ReportId,
    RequestHandler, State,
};
use embassy_usb::control::OutResponse;
use embassy_usb::{Builder, UsbDevice};
use static_cell::StaticCell;
use usbd_hid::descriptor::generator_prelude::*;
use usbd_hid::descriptor::{KeyboardReport as KbdDesc, MouseReport as MouseDesc};

/// An absolute pointer: buttons, x and y over the whole screen, a wheel.
/// The app's coordinates are 0..=32767; the descriptor's logical range is
/// the field type's (0..=65535), so they are doubled on the way out.
#[gen_hid_descriptor(
    (collection = APPLICATION, usage_page = GENERIC_DESKTOP, usage = MOUSE) = {
        (collection = PHYSICAL, usage = POINTER) = {
            (usage_page = BUTTON, usage_min = BUTTON_1, usage_max = BUTTON_8) = {
                #[packed_bits = 8] #[item_settings(data,variable,absolute)] buttons=input;
            };
            (usage_page = GENERIC_DESKTOP,) = {
                (usage = X,) = {
                    #[item_settings(data,variable,absolute)] x=input;
                };
                (usage = Y,) = {
                    #[item_settings(data,variable,absolute)] y=input;
                };
                (usage = WHEEL,) = {
                    #[item_settings(data,variable,relative)] wheel=input;
                };
            };
        };
    }
)]
struct AbsolutePointerReport {
    buttons: u8,
    x: u16,
    y: u16,
    wheel: i8,
}

enum Report {
    Keyboard([u8; 8]),
    Mouse([u8; 5]),
    Absolute([u8; 6]),
}

static REPORTS: Channel<ThreadModeRawMutex, Report, 16> = Channel::new();

/// The keyboard lights the target set last (boot keyboard output report:
/// bit 0 Num, 1 Caps, 2 Scroll).
static LEDS: AtomicU8 = AtomicU8::new(0);

/// Takes the keyboard's output report, whichever way the host sends it:
/// as SET_REPORT on the control pipe (what most BIOSes do) or on the
/// interrupt OUT endpoint.
struct LedReport;

impl RequestHandler for LedReport {
    fn set_report(&mut self, _id: ReportId, data: &[u8]) -> OutResponse {
        if let Some(&leds) = data.first() {
            LEDS.store(leds, Ordering::Relaxed);
        }
        OutResponse::Accepted
    }
}

/// The app's HID sink on this board.
pub struct UsbHid;

impl HidSink for UsbHid {
    fn keyboard(&mut self, report: &KeyboardReport) {
        if REPORTS.try_send(Report::Keyboard(report.bytes())).is_err() {
            defmt::warn!("HID queue full: keyboard report dropped");
        }
    }

    fn mouse(&mut self, mode: MouseMode, r: &MouseReport) {
        let report = match mode {
            MouseMode::Relative => Report::Mouse([
                r.buttons,
                r.x.clamp(-127, 127) as i8 as u8,
                r.y.clamp(-127, 127) as i8 as u8,
                r.wheel as u8,
                r.pan as u8,
            ]),
            MouseMode::Absolute => {
                let x = (r.x.clamp(0, 32767) as u16) * 2;
                let y = (r.y.clamp(0, 32767) as u16) * 2;
                let [x0, x1] = x.to_le_bytes();
                let [y0, y1] = y.to_le_bytes();
                Report::Absolute([r.buttons, x0, x1, y0, y1, r.wheel as u8])
            }
        };
        if REPORTS.try_send(report).is_err() {
            defmt::warn!("HID queue full: mouse report dropped");
        }
    }

    fn leds(&self) -> u8 {
        LEDS.load(Ordering::Relaxed)
    }
}

type UsbDriver = Driver<'static, USB_OTG_FS>;

#[embassy_executor::task]
async fn usb_task(mut device: UsbDevice<'static, UsbDriver>) -> ! {
    device.run().await
}

#[embassy_executor::task]
async fn led_task(reader: HidReader<'static, UsbDriver, 1>) -> ! {
    reader.run(false, &mut LedReport).await
}

#[embassy_executor::task]
async fn hid_task(
    mut keyboard: HidWriter<'static, UsbDriver, 8>,
    mut mouse: HidWriter<'static, UsbDriver, 8>,
    mut absolute: HidWriter<'static, UsbDriver, 8>,
) -> ! {
    loop {
        let sent = match REPORTS.receive().await {
            Report::Keyboard(r) => keyboard.write(&r).await,
            Report::Mouse(r) => mouse.write(&r).await,
            Report::Absolute(r) => absolute.write(&r).await,
        };
        if sent.is_err() {
            // Not attached or not configured: the target is off. The
            // session goes on; the report is lost, as on a real cable.
            defmt::debug!("HID report not delivered");
        }
    }
}

/// Start the USB device and its HID functions; returns the app's sink.
pub fn start(
    spawner: &Spawner,
    otg: Peri<'static, USB_OTG_FS>,
    dp: Peri<'static, PA12>,
    dm: Peri<'static, PA11>,
    irqs: impl interrupt::typelevel::Binding<interrupt::typelevel::OTG_FS, InterruptHandler<USB_OTG_FS>>
        + 'static,
) -> UsbHid {
    static EP_OUT: StaticCell<[u8; 256]> = StaticCell::new();
    let mut config = embassy_stm32::usb::Config::default();
    // The NUCLEO's USB connector has no VBUS sense wired to PA9.
    config.vbus_detection = false;
    let driver = Driver::new_fs(otg, irqs, dp, dm, EP_OUT.init([0; 256]), config);

    let mut usb_config = embassy_usb::Config::new(0x1209, 0x0001);
    usb_config.manufacturer = Some("Beckon");
    usb_config.product = Some("Beckon dongle HID");
    usb_config.max_power = 100;

    static CONFIG_DESC: StaticCell<[u8; 256]> = StaticCell::new();
    static BOS_DESC: StaticCell<[u8; 256]> = StaticCell::new();
    static CONTROL_BUF: StaticCell<[u8; 64]> = StaticCell::new();
    let mut builder = Builder::new(
        driver,
        usb_config,
        CONFIG_DESC.init([0; 256]),
        BOS_DESC.init([0; 256]),
        &mut [],
        CONTROL_BUF.init([0; 64]),
    );

    static KBD_STATE: StaticCell<State<'static>> = StaticCell::new();
    static MOUSE_STATE: StaticCell<State<'static>> = StaticCell::new();
    static ABS_STATE: StaticCell<State<'static>> = StaticCell::new();
    static LED_CONTROL: StaticCell<LedReport> = StaticCell::new();
    let keyboard = HidReaderWriter::<_, 1, 8>::new(
        &mut builder,
        KBD_STATE.init(State::new()),
        hid::Config {
            report_descriptor: KbdDesc::desc(),
            request_handler: Some(LED_CONTROL.init(LedReport)),
            poll_ms: 10,
            max_packet_size: 8,
            hid_subclass: HidSubclass::Boot,
            hid_boot_protocol: HidBootProtocol::Keyboard,
        },
    );
    let mouse = HidWriter::<_, 8>::new(
        &mut builder,
        MOUSE_STATE.init(State::new()),
        hid::Config {
            report_descriptor: MouseDesc::desc(),
            request_handler: None,
            poll_ms: 10,
            max_packet_size: 8,
            hid_subclass: HidSubclass::Boot,
            hid_boot_protocol: HidBootProtocol::Mouse,
        },
    );
    let absolute = HidWriter::<_, 8>::new(
        &mut builder,
        ABS_STATE.init(State::new()),
        hid::Config {
            report_descriptor: AbsolutePointerReport::desc(),
            request_handler: None,
            poll_ms: 10,
            max_packet_size: 8,
            hid_subclass: HidSubclass::No,
            hid_boot_protocol: HidBootProtocol::None,
        },
    );
    let device = builder.build();
    spawner.spawn(usb_task(device).expect("one USB task"));
    let (leds, keyboard) = keyboard.split();
    spawner.spawn(led_task(leds).expect("one LED task"));
    spawner.spawn(hid_task(keyboard, mouse, absolute).expect("one HID task"));
    UsbHid
}
