//! The five workloads: the X clients each one needs (set up before anyone
//! connects) and the scripted activity (run once a viewer watches).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, Gcontext, ImageFormat, Rectangle, Window,
    WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use crate::probe::Region;
use crate::xvfb::Xvfb;

pub const WIDTH: u16 = 1920;
pub const HEIGHT: u16 = 1080;

const FULL: Region = Region {
    x: 0,
    y: 0,
    w: WIDTH,
    h: HEIGHT,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Typing,
    Scrolling,
    Drag,
    FullScreen,
    Motion,
    /// A photograph panned across a 640x360 region at 30 frames a second:
    /// what a video looks like to the encoder.
    Video,
}

impl Workload {
    pub const ALL: [Workload; 6] = [
        Workload::Typing,
        Workload::Scrolling,
        Workload::Drag,
        Workload::FullScreen,
        Workload::Motion,
        Workload::Video,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Typing => "typing",
            Workload::Scrolling => "scrolling",
            Workload::Drag => "drag",
            Workload::FullScreen => "fullscreen",
            Workload::Motion => "motion",
            Workload::Video => "video",
        }
    }
}

/// 500 characters of lower-case text and spaces (no Shift, no newline).
pub fn typing_text() -> String {
    let words = "the quick brown fox jumps over a lazy dog while five wizards box \
                 and pack my jug with liquor ";
    words.chars().cycle().take(500).collect()
}

/// A long text file for `less`: 3000 lines of varied length.
fn write_long_file(path: &Path) {
    let words = [
        "remote",
        "assistance",
        "helper",
        "person",
        "screen",
        "frame",
        "tile",
        "encoder",
        "latency",
        "bytes",
        "x11",
        "damage",
        "palette",
        "lz4",
        "jpeg",
        "copy",
        "scroll",
        "terminal",
        "keyboard",
        "pointer",
    ];
    let mut text = String::new();
    let mut seed = 12345u32;
    for line in 0..3000 {
        text.push_str(&format!("{line:5}: "));
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let n = 2 + (seed >> 16) as usize % 16;
        for i in 0..n {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            text.push_str(words[(seed >> 16) as usize % words.len()]);
            text.push(if i % 5 == 4 { ',' } else { ' ' });
        }
        text.push('\n');
    }
    std::fs::write(path, text).expect("write the text file");
}

/// One workload's X clients, killed on drop.
pub struct Scene {
    pub workload: Workload,
    /// Where the change happens; latencies look only there.
    pub probe: Region,
    children: Vec<Child>,
    window: Option<u32>,
    painter: Option<Painter>,
}

impl Drop for Scene {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn xdotool(x: &Xvfb, args: &[String]) -> String {
    let out = x
        .command("xdotool")
        .args(args)
        .output()
        .expect("xdotool is not installed: install the `xdotool` package");
    assert!(
        out.status.success(),
        "xdotool {:?} failed: {}",
        &args[..args.len().min(4)],
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(v: &str) -> String {
    v.to_string()
}

/// Start an xterm running `sh -c command` and wait for its window.
fn xterm(x: &Xvfb, geometry: &str, command: &str) -> (Child, u32) {
    let mut child = x
        .command("xterm")
        .args(["-geometry", geometry, "-e", "sh", "-c", command])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xterm is not installed: install the `xterm` package");
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        let out = x
            .command("xdotool")
            .args(["search", "--onlyvisible", "--class", "xterm"])
            .output()
            .expect("xdotool");
        if let Some(id) = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
        {
            return (child, id);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("xterm did not show a window");
}

/// The window's rectangle (with a few pixels of border), clipped to the
/// screen.
fn geometry(x: &Xvfb, window: u32) -> Region {
    let out = xdotool(
        x,
        &[s("getwindowgeometry"), s("--shell"), window.to_string()],
    );
    let field = |name: &str| -> i32 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let (x0, y0) = ((field("X") - 4).max(0), (field("Y") - 4).max(0));
    let x1 = (field("X") + field("WIDTH") + 4).min(i32::from(WIDTH));
    let y1 = (field("Y") + field("HEIGHT") + 4).min(i32::from(HEIGHT));
    Region {
        x: x0 as u16,
        y: y0 as u16,
        w: (x1 - x0) as u16,
        h: (y1 - y0) as u16,
    }
}

fn focus(x: &Xvfb, window: u32) {
    let g = geometry(x, window);
    xdotool(
        x,
        &[
            s("mousemove"),
            (g.x + g.w / 2).to_string(),
            (g.y + g.h / 2).to_string(),
        ],
    );
    xdotool(x, &[s("windowfocus"), s("--sync"), window.to_string()]);
}

impl Scene {
    /// Start the workload's X clients on `x` and let them draw.
    pub fn setup(workload: Workload, x: &Xvfb, dir: &Path) -> Scene {
        let mut scene = Scene {
            workload,
            probe: FULL,
            children: Vec::new(),
            window: None,
            painter: None,
        };
        match workload {
            Workload::Typing => {
                let (child, id) = xterm(x, "80x24+0+0", "cat");
                scene.children.push(child);
                focus(x, id);
                scene.probe = geometry(x, id);
                scene.window = Some(id);
            }
            Workload::Scrolling | Workload::Drag => {
                let file = dir.join("long.txt");
                write_long_file(&file);
                let geometry_arg = if workload == Workload::Scrolling {
                    "120x60+0+0"
                } else {
                    "80x30+40+40"
                };
                let (child, id) = xterm(x, geometry_arg, &format!("less '{}'", file.display()));
                scene.children.push(child);
                focus(x, id);
                scene.window = Some(id);
                if workload == Workload::Scrolling {
                    scene.probe = geometry(x, id);
                }
            }
            Workload::FullScreen => {
                let p = Painter::new(x.display(), FULL);
                p.put_image(&p.images[0]);
                scene.painter = Some(p);
            }
            Workload::Motion => {
                let region = Region {
                    x: 760,
                    y: 420,
                    w: 400,
                    h: 240,
                };
                let p = Painter::new(x.display(), region);
                p.square(0);
                scene.painter = Some(p);
                scene.probe = region;
            }
            Workload::Video => {
                let region = Region {
                    x: 640,
                    y: 360,
                    w: 640,
                    h: 360,
                };
                let mut p = Painter::new(x.display(), region);
                // Twice as wide as the region, panned across it.
                let wide = Region {
                    w: region.w * 2,
                    ..region
                };
                p.images[0] = photo(wide, 0);
                p.pan(0);
                scene.painter = Some(p);
                scene.probe = region;
            }
        }
        // Let everything finish drawing.
        std::thread::sleep(Duration::from_millis(700));
        scene
    }

    /// Run the scripted activity; returns when the last change was made.
    pub fn perform(&self, x: &Xvfb) {
        match self.workload {
            Workload::Typing => {
                xdotool(x, &[s("type"), s("--delay"), s("20"), typing_text()]);
            }
            Workload::Scrolling => {
                let mut args = vec![s("key"), s("--delay"), s("50")];
                args.extend(std::iter::repeat_n(s("Down"), 80));
                args.extend(std::iter::repeat_n(s("space"), 40));
                xdotool(x, &args);
            }
            Workload::Drag => {
                let id = self.window.expect("window").to_string();
                let mut args = Vec::new();
                let steps = 60;
                for i in 1..=steps {
                    let px = 40 + (1300 - 40) * i / steps;
                    let py = 40 + (600 - 40) * i / steps;
                    // `--sync`: xdotool's `sleep` does not flush Xlib's
                    // buffer, so without a round trip every move would
                    // reach the server at the end, at once.
                    args.extend([s("windowmove"), s("--sync"), id.clone()]);
                    args.extend([px.to_string(), py.to_string()]);
                    args.extend([s("sleep"), s("0.016")]);
                }
                xdotool(x, &args);
            }
            Workload::FullScreen => {
                let p = self.painter.as_ref().expect("painter");
                for i in 1..=8 {
                    std::thread::sleep(Duration::from_millis(500));
                    p.put_image(&p.images[i % 2]);
                }
            }
            Workload::Motion => {
                let p = self.painter.as_ref().expect("painter");
                let start = Instant::now();
                for i in 1..=120u32 {
                    let due = start + Duration::from_micros(33_333 * u64::from(i));
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    p.square(i);
                }
            }
            Workload::Video => {
                let p = self.painter.as_ref().expect("painter");
                let start = Instant::now();
                for i in 1..=90u32 {
                    let due = start + Duration::from_micros(33_333 * u64::from(i));
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    p.pan(i);
                }
            }
        }
    }
}

/// A window drawn by this process over its own X connection: two
/// photograph-like full-screen pictures, or a square moving over a plain
/// background.
struct Painter {
    conn: RustConnection,
    window: Window,
    gc: Gcontext,
    region: Region,
    images: [Vec<u8>; 2],
}

/// Colours as the 24-bit TrueColor visual takes them.
const BACKGROUND: u32 = 0x20_3050;
const SQUARE: u32 = 0xe0_4020;
const SIDE: u16 = 48;

impl Painter {
    fn new(display: &str, region: Region) -> Painter {
        // A fresh server now and then drops a first connection: try again.
        let mut tries = 0;
        let (conn, screen_num) = loop {
            match x11rb::connect(Some(display)) {
                Ok(c) => break c,
                Err(e) if tries < 10 => {
                    tries += 1;
                    eprintln!("vs_vnc: painter could not connect ({e}), trying again");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("painter: connect: {e}"),
            }
        };
        let screen = &conn.setup().roots[screen_num];
        let (root, depth) = (screen.root, screen.root_depth);
        let window = conn.generate_id().expect("id");
        conn.create_window(
            depth,
            window,
            root,
            region.x as i16,
            region.y as i16,
            region.w,
            region.h,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .override_redirect(1)
                .background_pixel(BACKGROUND),
        )
        .expect("create window");
        let gc = conn.generate_id().expect("id");
        conn.create_gc(gc, window, &CreateGCAux::new().foreground(BACKGROUND))
            .expect("gc");
        conn.map_window(window).expect("map");
        conn.sync().expect("sync");
        let images = if region.w == WIDTH {
            [photo(region, 0), photo(region, 1)]
        } else {
            [Vec::new(), Vec::new()]
        };
        Painter {
            conn,
            window,
            gc,
            region,
            images,
        }
    }

    /// Put a BGRX picture of the whole window, in strips that fit a request
    /// without BIG-REQUESTS.
    fn put_image(&self, image: &[u8]) {
        let (w, h) = (usize::from(self.region.w), usize::from(self.region.h));
        let rows = (200_000 / (w * 4)).max(1);
        let depth = self.conn.setup().roots[0].root_depth;
        let mut y = 0;
        while y < h {
            let n = rows.min(h - y);
            self.conn
                .put_image(
                    ImageFormat::Z_PIXMAP,
                    self.window,
                    self.gc,
                    w as u16,
                    n as u16,
                    0,
                    y as i16,
                    0,
                    depth,
                    &image[y * w * 4..(y + n) * w * 4],
                )
                .expect("put image");
            y += n;
        }
        self.conn.sync().expect("sync");
    }

    /// Show step `i` of the pan: the window's width of `images[0]` (twice
    /// as wide), 4 pixels further right each step.
    fn pan(&self, i: u32) {
        let (w, h) = (usize::from(self.region.w), usize::from(self.region.h));
        let off = (i as usize * 4) % w;
        let mut crop = Vec::with_capacity(w * h * 4);
        for row in self.images[0].chunks_exact(w * 2 * 4).take(h) {
            crop.extend_from_slice(&row[off * 4..(off + w) * 4]);
        }
        self.put_image(&crop);
    }

    /// Draw the square at step `i` (clearing where it was at `i - 1`).
    fn square(&self, i: u32) {
        let at = |i: u32| -> (i16, i16) {
            let span_x = u32::from(self.region.w - SIDE);
            let span_y = u32::from(self.region.h - SIDE);
            let bounce = |v: u32, span: u32| {
                let v = v % (2 * span);
                if v > span {
                    2 * span - v
                } else {
                    v
                }
            };
            (bounce(i * 7, span_x) as i16, bounce(i * 4, span_y) as i16)
        };
        let rect = |(x, y): (i16, i16)| Rectangle {
            x,
            y,
            width: SIDE,
            height: SIDE,
        };
        let c = &self.conn;
        if i > 0 {
            c.change_gc(
                self.gc,
                &x11rb::protocol::xproto::ChangeGCAux::new().foreground(BACKGROUND),
            )
            .expect("gc");
            c.poly_fill_rectangle(self.window, self.gc, &[rect(at(i - 1))])
                .expect("fill");
        }
        c.change_gc(
            self.gc,
            &x11rb::protocol::xproto::ChangeGCAux::new().foreground(SQUARE),
        )
        .expect("gc");
        c.poly_fill_rectangle(self.window, self.gc, &[rect(at(i))])
            .expect("fill");
        c.sync().expect("sync");
    }
}

/// A photograph-like picture (BGRX): smooth shapes and shading with fine
/// grain, so no palette or run-length coding captures it.
fn photo(region: Region, which: u32) -> Vec<u8> {
    let (w, h) = (usize::from(region.w), usize::from(region.h));
    let mut out = vec![0u8; w * h * 4];
    let phase = which as f32 * 1.7;
    let mut seed = 0x9e37_79b9u32 ^ which.wrapping_mul(0x85eb_ca6b);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32, y as f32);
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let grain = (seed & 15) as f32 - 7.5;
            let a = (fx * 0.0061 + phase).sin() * (fy * 0.0047 - phase).cos();
            let b = ((fx - 960.0).hypot(fy - 540.0) * 0.019 + phase * 2.0).sin();
            let r = 128.0 + 80.0 * a + 30.0 * b + grain;
            let g = 110.0 + 60.0 * b - 40.0 * a + grain * 0.8;
            let bl = 140.0 + 70.0 * (fx * 0.0023 + fy * 0.0031 + phase).sin() + grain;
            let i = (y * w + x) * 4;
            out[i] = bl.clamp(0.0, 255.0) as u8;
            out[i + 1] = g.clamp(0.0, 255.0) as u8;
            out[i + 2] = r.clamp(0.0, 255.0) as u8;
        }
    }
    out
}
