//! A small RFB (VNC) viewer for the comparison: RFB 3.8, security type None,
//! a shared ClientInit, 32 bpp true colour, encodings ZRLE, CopyRect and Raw,
//! and incremental update requests in a loop. Every byte read from the
//! socket is counted; every update is decoded into an RGBA framebuffer (the
//! layout `beckon_x11` captures), so it can be compared with the X server.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use flate2::{Decompress, FlushDecompress, Status};

use crate::probe::{Region, Signature};

const ZRLE: i32 = 16;
const COPY_RECT: i32 = 1;
const RAW: i32 = 0;

/// Reads through to the socket, counting bytes.
struct Counting {
    stream: TcpStream,
    bytes: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.stream.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What the viewer thread shares with the bench.
#[derive(Default)]
pub struct Shared {
    /// The framebuffer, RGBA.
    pub fb: Vec<u8>,
    pub width: u16,
    pub height: u16,
    /// Framebuffer updates completed.
    pub updates: u64,
    /// After each update: when it completed and what the probe region held.
    pub timeline: Vec<(Instant, Signature)>,
    /// The region to watch.
    pub probe: Option<Region>,
    /// Why the thread stopped, if it failed.
    pub error: Option<String>,
}

/// A running viewer.
pub struct Viewer {
    pub bytes: Arc<AtomicU64>,
    pub shared: Arc<Mutex<Shared>>,
    stream: TcpStream,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Viewer {
    /// Connect and start the update loop on its own thread.
    pub fn connect(port: u16) -> io::Result<Viewer> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        let bytes = Arc::new(AtomicU64::new(0));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let mut reader = io::BufReader::with_capacity(
            256 * 1024,
            Counting {
                stream: stream.try_clone()?,
                bytes: bytes.clone(),
            },
        );
        let mut writer = stream.try_clone()?;
        let sh = shared.clone();
        let thread = std::thread::spawn(move || {
            if let Err(e) = run(&mut reader, &mut writer, &sh) {
                lock(&sh).error = Some(e.to_string());
            }
        });
        Ok(Viewer {
            bytes,
            shared,
            stream,
            thread: Some(thread),
        })
    }

    /// Bytes read from the socket so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Close the socket and wait for the thread.
    pub fn stop(mut self) -> Shared {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        std::mem::take(&mut *lock(&self.shared))
    }
}

pub fn lock(s: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

fn u8_(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}
fn u16_(r: &mut impl Read) -> io::Result<u16> {
    let mut b = [0; 2];
    r.read_exact(&mut b)?;
    Ok(u16::from_be_bytes(b))
}
fn u32_(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}
fn skip(r: &mut impl Read, n: usize) -> io::Result<()> {
    io::copy(&mut r.take(n as u64), &mut io::sink()).and_then(|got| {
        if got as usize == n {
            Ok(())
        } else {
            Err(io::ErrorKind::UnexpectedEof.into())
        }
    })
}

fn request(w: &mut impl Write, incremental: bool, width: u16, height: u16) -> io::Result<()> {
    let mut m = vec![3u8, u8::from(incremental)];
    for v in [0u16, 0, width, height] {
        m.extend_from_slice(&v.to_be_bytes());
    }
    w.write_all(&m)
}

fn run(r: &mut impl Read, w: &mut impl Write, shared: &Mutex<Shared>) -> io::Result<()> {
    // ProtocolVersion.
    let mut version = [0u8; 12];
    r.read_exact(&mut version)?;
    if &version[..4] != b"RFB " {
        return Err(bad("not an RFB server"));
    }
    w.write_all(b"RFB 003.008\n")?;
    // Security: 3.8 lists the types.
    let n = u8_(r)?;
    if n == 0 {
        let len = u32_(r)? as usize;
        let mut why = vec![0; len];
        r.read_exact(&mut why)?;
        return Err(bad(String::from_utf8_lossy(&why).into_owned()));
    }
    let mut types = vec![0; usize::from(n)];
    r.read_exact(&mut types)?;
    if !types.contains(&1) {
        return Err(bad(format!("no security type None offered: {types:?}")));
    }
    w.write_all(&[1])?;
    if u32_(r)? != 0 {
        return Err(bad("security handshake failed"));
    }
    // ClientInit: shared.
    w.write_all(&[1])?;
    let width = u16_(r)?;
    let height = u16_(r)?;
    let mut format = [0u8; 16];
    r.read_exact(&mut format)?;
    let name_len = u32_(r)? as usize;
    skip(r, name_len)?;
    {
        let mut s = lock(shared);
        s.width = width;
        s.height = height;
        s.fb = vec![0; usize::from(width) * usize::from(height) * 4];
    }
    // SetPixelFormat: 32 bpp, depth 24, little endian, true colour,
    // red/green/blue max 255 at shifts 16/8/0.
    let mut m = vec![0u8, 0, 0, 0, 32, 24, 0, 1];
    m.extend_from_slice(&255u16.to_be_bytes());
    m.extend_from_slice(&255u16.to_be_bytes());
    m.extend_from_slice(&255u16.to_be_bytes());
    m.extend_from_slice(&[16, 8, 0, 0, 0, 0]);
    w.write_all(&m)?;
    // SetEncodings.
    let encodings = [ZRLE, COPY_RECT, RAW];
    let mut m = vec![2u8, 0];
    m.extend_from_slice(&(encodings.len() as u16).to_be_bytes());
    for e in encodings {
        m.extend_from_slice(&e.to_be_bytes());
    }
    w.write_all(&m)?;
    request(w, false, width, height)?;

    let mut zlib = Decompress::new(true);
    let mut compressed = Vec::new();
    let mut plain = Vec::new();
    let mut scratch = Vec::new();
    loop {
        match u8_(r)? {
            0 => {
                let _pad = u8_(r)?;
                let rects = u16_(r)?;
                // Decode into the framebuffer without holding the lock while
                // reading the socket: gather the rectangles' pixels first.
                let (fw, fh) = {
                    let s = lock(shared);
                    (s.width, s.height)
                };
                for _ in 0..rects {
                    let x = u16_(r)?;
                    let y = u16_(r)?;
                    let rw = u16_(r)?;
                    let rh = u16_(r)?;
                    let enc = u32_(r)? as i32;
                    if u32::from(x) + u32::from(rw) > u32::from(fw)
                        || u32::from(y) + u32::from(rh) > u32::from(fh)
                    {
                        return Err(bad(format!("rectangle {x},{y} {rw}x{rh} off screen")));
                    }
                    match enc {
                        RAW => {
                            scratch.resize(usize::from(rw) * usize::from(rh) * 4, 0);
                            r.read_exact(&mut scratch)?;
                            let mut s = lock(shared);
                            let fb = &mut s.fb;
                            for row in 0..usize::from(rh) {
                                for col in 0..usize::from(rw) {
                                    let p = &scratch[(row * usize::from(rw) + col) * 4..][..4];
                                    put(fb, fw, x + col as u16, y + row as u16, [p[2], p[1], p[0]]);
                                }
                            }
                        }
                        COPY_RECT => {
                            let sx = u16_(r)?;
                            let sy = u16_(r)?;
                            if u32::from(sx) + u32::from(rw) > u32::from(fw)
                                || u32::from(sy) + u32::from(rh) > u32::from(fh)
                            {
                                return Err(bad("copy source off screen"));
                            }
                            let mut s = lock(shared);
                            copy_rect(&mut s.fb, fw, (sx, sy), (x, y), (rw, rh));
                        }
                        ZRLE => {
                            let len = u32_(r)? as usize;
                            compressed.resize(len, 0);
                            r.read_exact(&mut compressed)?;
                            inflate(&mut zlib, &compressed, &mut plain)?;
                            let mut s = lock(shared);
                            zrle(&plain, &mut s.fb, fw, (x, y, rw, rh))?;
                        }
                        other => return Err(bad(format!("unexpected encoding {other}"))),
                    }
                }
                let t = Instant::now();
                // Ask for the next update before looking at this one.
                request(w, true, width, height)?;
                let mut s = lock(shared);
                s.updates += 1;
                if let Some(probe) = s.probe {
                    let sig = Signature::of_rgba(&s.fb, s.width, probe);
                    if s.timeline.last().is_none_or(|(_, last)| *last != sig) {
                        s.timeline.push((t, sig));
                    }
                }
            }
            1 => {
                // SetColourMapEntries: not used with true colour; skip.
                let _pad = u8_(r)?;
                let _first = u16_(r)?;
                let n = u16_(r)?;
                skip(r, usize::from(n) * 6)?;
            }
            2 => {} // Bell.
            3 => {
                skip(r, 3)?;
                let len = u32_(r)? as usize;
                skip(r, len)?;
            }
            other => return Err(bad(format!("unexpected server message {other}"))),
        }
    }
}

/// Inflate one rectangle's zlib data (the stream goes on across rectangles).
fn inflate(z: &mut Decompress, input: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    out.clear();
    let start_in = z.total_in();
    loop {
        if out.capacity() - out.len() < 64 * 1024 {
            out.reserve(out.capacity().max(256 * 1024));
        }
        let consumed = (z.total_in() - start_in) as usize;
        let before_out = out.len();
        let status = z
            .decompress_vec(&input[consumed..], out, FlushDecompress::Sync)
            .map_err(|e| bad(format!("zlib: {e}")))?;
        let consumed = (z.total_in() - start_in) as usize;
        if status == Status::StreamEnd {
            return Ok(());
        }
        if consumed == input.len() && out.len() < out.capacity() {
            return Ok(());
        }
        if consumed == input.len() && out.len() == before_out {
            return Ok(());
        }
    }
}

fn put(fb: &mut [u8], fw: u16, x: u16, y: u16, rgb: [u8; 3]) {
    let i = (usize::from(y) * usize::from(fw) + usize::from(x)) * 4;
    fb[i..i + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
}

fn copy_rect(fb: &mut [u8], fw: u16, src: (u16, u16), dst: (u16, u16), size: (u16, u16)) {
    let fw = usize::from(fw);
    let (w, h) = (usize::from(size.0), usize::from(size.1));
    let rows: Vec<usize> = if dst.1 > src.1 {
        (0..h).rev().collect()
    } else {
        (0..h).collect()
    };
    for row in rows {
        let s = ((usize::from(src.1) + row) * fw + usize::from(src.0)) * 4;
        let d = ((usize::from(dst.1) + row) * fw + usize::from(dst.0)) * 4;
        fb.copy_within(s..s + w * 4, d);
    }
}

/// A cursor over the inflated ZRLE data.
struct Cur<'a> {
    d: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn u8(&mut self) -> io::Result<u8> {
        let v = *self
            .d
            .get(self.i)
            .ok_or_else(|| bad("ZRLE data ends early"))?;
        self.i += 1;
        Ok(v)
    }
    /// CPIXEL: 3 bytes for 32 bpp depth 24 little endian, i.e. B, G, R.
    fn cpixel(&mut self) -> io::Result<[u8; 3]> {
        let b = self.u8()?;
        let g = self.u8()?;
        let r = self.u8()?;
        Ok([r, g, b])
    }
    fn run_length(&mut self) -> io::Result<usize> {
        let mut len = 1usize;
        loop {
            let b = self.u8()?;
            len += usize::from(b);
            if b != 255 {
                return Ok(len);
            }
        }
    }
}

/// Decode one ZRLE rectangle (64x64 tiles, left to right, top to bottom).
fn zrle(data: &[u8], fb: &mut [u8], fw: u16, rect: (u16, u16, u16, u16)) -> io::Result<()> {
    let (rx, ry, rw, rh) = rect;
    let mut c = Cur { d: data, i: 0 };
    let mut ty = 0u16;
    while ty < rh {
        let th = (rh - ty).min(64);
        let mut tx = 0u16;
        while tx < rw {
            let tw = (rw - tx).min(64);
            let (x0, y0) = (rx + tx, ry + ty);
            let n = usize::from(tw) * usize::from(th);
            let at = |k: usize| {
                (
                    x0 + (k % usize::from(tw)) as u16,
                    y0 + (k / usize::from(tw)) as u16,
                )
            };
            let sub = c.u8()?;
            match sub {
                0 => {
                    for k in 0..n {
                        let p = c.cpixel()?;
                        let (x, y) = at(k);
                        put(fb, fw, x, y, p);
                    }
                }
                1 => {
                    let p = c.cpixel()?;
                    for k in 0..n {
                        let (x, y) = at(k);
                        put(fb, fw, x, y, p);
                    }
                }
                2..=16 => {
                    let size = usize::from(sub);
                    let mut palette = [[0u8; 3]; 16];
                    for p in palette.iter_mut().take(size) {
                        *p = c.cpixel()?;
                    }
                    let bits = match size {
                        2 => 1,
                        3 | 4 => 2,
                        _ => 4,
                    };
                    for row in 0..usize::from(th) {
                        let mut byte = 0u8;
                        let mut left = 0u32;
                        for col in 0..usize::from(tw) {
                            if left == 0 {
                                byte = c.u8()?;
                                left = 8;
                            }
                            left -= bits;
                            let idx = usize::from((byte >> left) & ((1u8 << bits) - 1));
                            let p = *palette.get(idx).ok_or_else(|| bad("palette index"))?;
                            put(fb, fw, x0 + col as u16, y0 + row as u16, p);
                        }
                    }
                }
                128 => {
                    let mut k = 0;
                    while k < n {
                        let p = c.cpixel()?;
                        let len = c.run_length()?;
                        if k + len > n {
                            return Err(bad("RLE run past the tile"));
                        }
                        for j in k..k + len {
                            let (x, y) = at(j);
                            put(fb, fw, x, y, p);
                        }
                        k += len;
                    }
                }
                130..=255 => {
                    let size = usize::from(sub - 128);
                    let mut palette = [[0u8; 3]; 127];
                    for p in palette.iter_mut().take(size) {
                        *p = c.cpixel()?;
                    }
                    let mut k = 0;
                    while k < n {
                        let b = c.u8()?;
                        let idx = usize::from(b & 127);
                        if idx >= size {
                            return Err(bad("palette RLE index"));
                        }
                        let len = if b & 128 != 0 { c.run_length()? } else { 1 };
                        if k + len > n {
                            return Err(bad("palette run past the tile"));
                        }
                        for j in k..k + len {
                            let (x, y) = at(j);
                            put(fb, fw, x, y, palette[idx]);
                        }
                        k += len;
                    }
                }
                other => return Err(bad(format!("bad ZRLE subencoding {other}"))),
            }
            tx += tw;
        }
        ty += th;
    }
    Ok(())
}
