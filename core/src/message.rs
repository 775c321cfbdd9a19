//! The one message enum that travels inside records, and the handshake payloads.
//!
//! Wire form: one version byte ([`WIRE_VERSION`]) followed by the `postcard`
//! encoding of a [`Message`]. Messages borrow their variable-length fields
//! (`&str`, `&[u8]`) from the buffer they were decoded from, so decoding never
//! copies and never allocates. Decoding checks every length against the input
//! and rejects trailing bytes, so any byte string yields `Ok` or a
//! [`DecodeError`], never a panic.
//!
//! A record carries one or more messages back to back, each with its version
//! byte ([`Message::decode_prefix`] takes them apart): a small frame update
//! (start, rectangles, end) then costs one record's length and tag instead
//! of three.

use serde::{Deserialize, Serialize};

use crate::reason::{ControlRefusal, EndReason, Side, StopMethod};

/// Version byte in front of every encoded message and handshake payload.
pub const WIRE_VERSION: u8 = 1;

/// Longest chat message, in bytes of UTF-8 (SES-08).
pub const MAX_CHAT_BYTES: usize = 1024;

/// Longest file name offered in a transfer, in bytes of UTF-8.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Longest display name (novice or helper), in bytes of UTF-8.
pub const MAX_NAME_BYTES: usize = 64;

/// Largest data field in one [`Message::FileChunk`] or [`Message::Rect`], chosen
/// so that the whole encoded message fits one record's 16 KiB plaintext with
/// room for the other fields.
pub const MAX_DATA_BYTES: usize = crate::record::MAX_PLAINTEXT - 64;

/// Largest absolute pointer coordinate; the screen spans `0..=POINTER_MAX` on
/// both axes whatever its size in pixels.
pub const POINTER_MAX: u16 = 32767;

/// A keyboard or pointer event, in device-neutral terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InputEvent {
    /// A key on the keyboard, by USB HID usage (page 0x07), pressed or released.
    /// Modifiers are keys too (0xE0..=0xE7).
    Key {
        /// USB HID keyboard usage id.
        usage: u8,
        /// `true` when pressed, `false` when released.
        down: bool,
    },
    /// Absolute pointer position, each axis `0..=POINTER_MAX`.
    PointerAbs {
        /// Horizontal position.
        x: u16,
        /// Vertical position.
        y: u16,
    },
    /// Relative pointer movement (what BIOS setup screens need).
    PointerRel {
        /// Horizontal movement.
        dx: i16,
        /// Vertical movement.
        dy: i16,
    },
    /// A pointer button, pressed or released. 0 = left, 1 = right, 2 = middle,
    /// 3 = back, 4 = forward.
    Button {
        /// Button index.
        button: u8,
        /// `true` when pressed.
        down: bool,
    },
    /// Wheel movement in detents.
    Wheel {
        /// Horizontal detents (positive = right).
        dx: i8,
        /// Vertical detents (positive = away from the user, i.e. up).
        dy: i8,
    },
}

/// How a frame rectangle's `data` is encoded (DESIGN §4). The core frames
/// video; encoders live in std crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Encoding {
    /// Uncompressed pixels, 4 bytes each (RGBA), row after row.
    Raw,
    /// One RGBA colour fills the rectangle (4 bytes).
    Solid,
    /// Copy from another place on the previous screen (scroll, window move):
    /// data = source x, y as little-endian `u16`s.
    Copy,
    /// A palette of up to 256 colours and indices.
    Palette,
    /// LZ4-compressed raw pixels.
    Lz4,
    /// A JPEG image.
    Jpeg,
    /// An H.264 access unit.
    H264,
    /// The pixels of an earlier rectangle of the same size that the viewer
    /// still holds (a glyph typed again): data = the 8-byte little-endian
    /// key of that content. Which contents a viewer holds, and the key, are
    /// defined by `beckon-video`.
    Cached,
    /// Like [`Encoding::Palette`], the indices compressed with deflate in
    /// one stream through the frame's `PaletteZ` rectangles (each ends on a
    /// sync flush), so each decodes after the frame's earlier ones, in order.
    PaletteZ,
    /// Text on a plain background: the background colour, then each glyph
    /// (each run of columns with ink, in each band of rows with ink) as a
    /// short key of one the viewer holds or as new pixels, deflated. A page
    /// of text costs a few bytes a character. The format and which glyphs a
    /// viewer holds are defined by `beckon-video`.
    Glyphs,
}

/// Picture quality mode (SES-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Quality {
    /// Adapt to the link by itself.
    Auto,
    /// A level pinned by a person: 0 = lowest, 100 = best.
    Manual(u8),
}

/// Everything that travels in records after the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// Novice → expert, first record: the machine admitted the connection and
    /// is now asking the novice (INV-08). Carries the novice's display name.
    Admitted {
        /// The novice's display name.
        novice_name: &'a str,
    },
    /// Novice → expert: the session starts; viewing begins.
    ConsentGiven {
        /// Nobody at the machine was asked: its owner pre-approved the
        /// invitation for unattended help (a dongle on a server, say). The
        /// helper is always told, so they never mistake it for consent.
        unattended: bool,
    },
    /// Expert → novice: please share control (SES-02).
    ControlRequest,
    /// Novice → expert: control is shared from now on.
    ControlGranted,
    /// Novice → expert: the control request was refused; the session goes on.
    ControlRefused {
        /// Why.
        reason: ControlRefusal,
    },
    /// Either side: shared control ended; who ended it and how (SES-05).
    ControlStopped {
        /// Who stopped control.
        by: Side,
        /// How they stopped it.
        how: StopMethod,
    },
    /// Expert → novice: an input event, only meaningful in shared control.
    Input(InputEvent),
    /// Expert → novice: a chat message to be placed in the shared history.
    ChatSend {
        /// The text, at most [`MAX_CHAT_BYTES`].
        text: &'a str,
    },
    /// Novice → expert: an entry of the one chat history, in its final order.
    /// The novice orders all chat so both sides see the same history.
    ChatEntry {
        /// Position in the history, from 0.
        seq: u32,
        /// Who wrote it.
        from: Side,
        /// The text.
        text: &'a str,
    },
    /// Offer a file (SES-07).
    FileOffer {
        /// Transfer id, unique per sender in this session.
        id: u32,
        /// A bare file name (no directories).
        name: &'a str,
        /// Size in bytes.
        size: u64,
        /// SHA-256 of the whole content.
        sha256: [u8; 32],
    },
    /// The receiver accepts an offered file.
    FileAccept {
        /// Transfer id.
        id: u32,
    },
    /// The receiver declines an offered file.
    FileDecline {
        /// Transfer id.
        id: u32,
    },
    /// A piece of a file's content.
    FileChunk {
        /// Transfer id.
        id: u32,
        /// Offset of `data` in the file.
        offset: u64,
        /// The bytes.
        data: &'a [u8],
    },
    /// The receiver has this many bytes; opens the flow-control window.
    FileAck {
        /// Transfer id.
        id: u32,
        /// Bytes received so far.
        received: u64,
    },
    /// The sender has sent every byte.
    FileDone {
        /// Transfer id.
        id: u32,
    },
    /// The receiver's verdict after checking the hash.
    FileResult {
        /// Transfer id.
        id: u32,
        /// `true` when the hash matched.
        ok: bool,
    },
    /// Either side cancels a transfer.
    FileCancel {
        /// Transfer id.
        id: u32,
    },
    /// Novice → expert: a new frame begins.
    FrameStart {
        /// Frame number, increasing.
        frame: u32,
        /// Screen width in pixels.
        width: u16,
        /// Screen height in pixels.
        height: u16,
        /// How many rectangles follow.
        rects: u16,
    },
    /// Novice → expert: (part of) one rectangle of the current frame.
    /// Rectangles larger than one record span several messages, told apart by
    /// `offset` into the rectangle's `total` encoded bytes.
    Rect {
        /// Frame number.
        frame: u32,
        /// Left edge.
        x: u16,
        /// Top edge.
        y: u16,
        /// Width.
        w: u16,
        /// Height.
        h: u16,
        /// How `data` is encoded.
        encoding: Encoding,
        /// Total encoded length of this rectangle.
        total: u32,
        /// Offset of `data` in the rectangle's encoded bytes.
        offset: u32,
        /// The bytes.
        data: &'a [u8],
    },
    /// Novice → expert: the frame is complete.
    FrameEnd {
        /// Frame number.
        frame: u32,
    },
    /// Expert → novice: the frame was received and decoded.
    FrameAck {
        /// Frame number.
        frame: u32,
    },
    /// Novice → expert: where the pointer is, in pointer units.
    Cursor {
        /// Horizontal position, `0..=POINTER_MAX`.
        x: u16,
        /// Vertical position, `0..=POINTER_MAX`.
        y: u16,
    },
    /// Expert → novice: picture quality wanted (SES-09).
    SetQuality(Quality),
    /// Keepalive and round-trip probe; the peer answers with [`Message::Pong`].
    Ping {
        /// Opaque value echoed back (the sender's clock).
        stamp: u64,
    },
    /// Answer to [`Message::Ping`].
    Pong {
        /// The value from the ping.
        stamp: u64,
    },
    /// The sender ends the session.
    Bye {
        /// Why.
        reason: EndReason,
    },
    /// Novice → expert: the lock lights of the machine's keyboard changed
    /// (a dongle reads them from the USB keyboard's output report), so the
    /// helper sees Caps Lock and types text that comes out as written.
    KeyboardLeds {
        /// [`LED_NUM_LOCK`], [`LED_CAPS_LOCK`], [`LED_SCROLL_LOCK`]; other
        /// bits are kept for later lights and ignored.
        leds: u8,
    },
    /// Expert → novice: which pointer the machine should see. A BIOS setup
    /// screen or a boot loader reads only a relative (boot protocol)
    /// mouse; a desktop is easier with an absolute one. A dongle switches
    /// its USB mouse; a desktop agent takes both kinds of movement anyway.
    PointerMode {
        /// `true` for a relative mouse (movements), `false` for absolute.
        relative: bool,
    },
    /// Expert → novice, once the session started: the optional encodings
    /// this viewer decodes, so the sender never uses one it cannot show.
    Decodes {
        /// [`DECODES_H264`]; other bits are kept for later encodings and
        /// ignored.
        encodings: u8,
    },
    /// Novice → expert: the next frame, in a compact form for the small
    /// updates that typing and pointing make. Its number is one above the
    /// frame started last and its screen is that frame's; the `rects`
    /// [`Message::Tile`]s that follow make it up, and it ends with the last
    /// of them, without a [`Message::FrameEnd`]. A frame that is the first,
    /// changes the screen size or skips a number starts with
    /// [`Message::FrameStart`] instead.
    NextFrame {
        /// How many tiles follow.
        rects: u16,
    },
    /// Novice → expert: one whole rectangle of the frame in progress, in one
    /// message: a [`Message::Rect`] at offset 0 whose total is the data's
    /// length, without repeating the frame number.
    Tile {
        /// Left edge.
        x: u16,
        /// Top edge.
        y: u16,
        /// Width.
        w: u16,
        /// Height.
        h: u16,
        /// How `data` is encoded.
        encoding: Encoding,
        /// The bytes, all of them.
        data: &'a [u8],
    },
}

/// [`Message::Decodes`]: the viewer decodes [`Encoding::H264`].
pub const DECODES_H264: u8 = 1;

/// [`Message::KeyboardLeds`]: Num Lock (bit 0, as in the USB boot
/// keyboard's output report).
pub const LED_NUM_LOCK: u8 = 1;
/// [`Message::KeyboardLeds`]: Caps Lock (bit 1).
pub const LED_CAPS_LOCK: u8 = 2;
/// [`Message::KeyboardLeds`]: Scroll Lock (bit 2).
pub const LED_SCROLL_LOCK: u8 = 4;

/// Expert → novice payload of the first `NK` handshake message: which
/// invitation is being used, the password proof, and who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InvitationClaim<'a> {
    /// The invitation id.
    pub invitation_id: [u8; 16],
    /// The password proof, when the invitation has a password.
    pub password_proof: Option<[u8; 32]>,
    /// The helper's display name, shown in the consent prompt.
    pub expert_name: &'a str,
}

/// Expert → novice payload of the third `XX` handshake message (offered help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OfferClaim<'a> {
    /// The helper's display name.
    pub expert_name: &'a str,
    /// A group certificate (postcard bytes of
    /// [`crate::policy::HelperCertificate`]), when the helper has one.
    pub certificate: Option<&'a [u8]>,
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DecodeError {
    /// No bytes, or they end in the middle of a value.
    #[error("message is truncated")]
    Truncated,
    /// The version byte is not one this build speaks.
    #[error("unsupported message version {0}")]
    UnsupportedVersion(u8),
    /// The bytes do not form a valid message.
    #[error("message is malformed")]
    Malformed,
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The output buffer is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// Encode any wire value as version byte + postcard into `out`; returns the
/// length written.
pub fn encode_value<T: Serialize>(value: &T, out: &mut [u8]) -> Result<usize, EncodeError> {
    let (first, rest) = out.split_first_mut().ok_or(EncodeError::BufferTooSmall)?;
    *first = WIRE_VERSION;
    let used = postcard::to_slice(value, rest)
        .map_err(|_| EncodeError::BufferTooSmall)?
        .len();
    Ok(used + 1)
}

/// Decode any wire value from version byte + postcard, rejecting trailing
/// bytes.
pub fn decode_value<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    match decode_value_prefix(bytes)? {
        (value, used) if used == bytes.len() => Ok(value),
        _ => Err(DecodeError::Malformed),
    }
}

/// Decode a wire value from the front of `bytes`; returns it and the bytes
/// it took.
fn decode_value_prefix<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, usize), DecodeError> {
    let (&version, rest) = bytes.split_first().ok_or(DecodeError::Truncated)?;
    if version != WIRE_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let (value, tail) = postcard::take_from_bytes(rest).map_err(|e| match e {
        postcard::Error::DeserializeUnexpectedEnd => DecodeError::Truncated,
        _ => DecodeError::Malformed,
    })?;
    Ok((value, bytes.len() - tail.len()))
}

impl<'a> Message<'a> {
    /// Encode into `out` (version byte + postcard); returns the length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        encode_value(self, out)
    }

    /// Decode from bytes produced by [`Message::encode`]. Never panics.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        decode_value(bytes)
    }

    /// Decode the first of several messages written back to back (as a
    /// record carries them); returns it and how many bytes it took, at
    /// least 2 (a version byte and a variant). Never panics.
    pub fn decode_prefix(bytes: &'a [u8]) -> Result<(Self, usize), DecodeError> {
        decode_value_prefix(bytes)
    }
}
