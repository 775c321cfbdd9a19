//! Properties of the wire messages: every message survives encode → decode,
//! fits one record, and no byte string makes a decoder panic.
//!
//! Messages borrow their strings and bytes, so the strategies generate an
//! owned mirror ([`Owned`]) and the properties look at it through
//! [`Owned::view`].

use beckon_core::message::{
    decode_value, encode_value, DecodeError, Encoding, InputEvent, InvitationClaim, Message,
    OfferClaim, Quality, MAX_CHAT_BYTES, MAX_DATA_BYTES, MAX_FILE_NAME_BYTES, MAX_NAME_BYTES,
};
use beckon_core::reason::{ControlRefusal, EndReason, Side, StopMethod};
use beckon_core::record::MAX_PLAINTEXT;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde::de::DeserializeOwned;

/// Room for any message; the record limit is checked separately.
const BUFFER: usize = MAX_PLAINTEXT * 2;

// ---------------------------------------------------------------------------
// Strategies

/// Every value of a field-less wire enum, including variants added later: a
/// unit variant is encoded as its index, so decoding 0, 1, 2, … until the
/// first failure lists them all.
fn unit_enum<T: DeserializeOwned + core::fmt::Debug + Clone + 'static>() -> impl Strategy<Value = T>
{
    let all: Vec<T> = (0u8..128)
        .map_while(|index| postcard::from_bytes::<T>(&[index]).ok())
        .collect();
    prop::sample::select(all)
}

/// Text of at most `max_bytes` bytes of UTF-8, any characters at all.
fn text(max_bytes: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=max_bytes / 4)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Bytes up to `max`, mostly short so cases stay fast, sometimes up to the
/// limit.
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..=64),
        1 => prop::collection::vec(any::<u8>(), 0..=max),
        1 => prop::collection::vec(any::<u8>(), max..=max),
    ]
}

fn input_event() -> impl Strategy<Value = InputEvent> {
    prop_oneof![
        (any::<u8>(), any::<bool>()).prop_map(|(usage, down)| InputEvent::Key { usage, down }),
        (any::<u16>(), any::<u16>()).prop_map(|(x, y)| InputEvent::PointerAbs { x, y }),
        (any::<i16>(), any::<i16>()).prop_map(|(dx, dy)| InputEvent::PointerRel { dx, dy }),
        (any::<u8>(), any::<bool>()).prop_map(|(button, down)| InputEvent::Button { button, down }),
        (any::<i8>(), any::<i8>()).prop_map(|(dx, dy)| InputEvent::Wheel { dx, dy }),
    ]
}

fn quality() -> impl Strategy<Value = Quality> {
    prop_oneof![Just(Quality::Auto), any::<u8>().prop_map(Quality::Manual)]
}

/// A [`Message`] with its borrowed parts owned.
#[derive(Debug, Clone)]
enum Owned {
    Admitted(String),
    ConsentGiven(bool),
    ControlRequest,
    ControlGranted,
    ControlRefused(ControlRefusal),
    ControlStopped(Side, StopMethod),
    Input(InputEvent),
    ChatSend(String),
    ChatEntry(u32, Side, String),
    FileOffer(u32, String, u64, [u8; 32]),
    FileAccept(u32),
    FileDecline(u32),
    FileChunk(u32, u64, Vec<u8>),
    FileAck(u32, u64),
    FileDone(u32),
    FileResult(u32, bool),
    FileCancel(u32),
    FrameStart(u32, u16, u16, u16),
    Rect {
        frame: u32,
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        encoding: Encoding,
        total: u32,
        offset: u32,
        data: Vec<u8>,
    },
    FrameEnd(u32),
    FrameAck(u32),
    Cursor(u16, u16),
    SetQuality(Quality),
    Ping(u64),
    Pong(u64),
    Bye(EndReason),
    KeyboardLeds(u8),
    PointerMode(bool),
    Decodes(u8),
    NextFrame(u16),
    Tile {
        x: u16,
        y: u16,
        w: u16,
        h: u16,
        encoding: Encoding,
        data: Vec<u8>,
    },
}

impl Owned {
    fn view(&self) -> Message<'_> {
        match self {
            Owned::Admitted(name) => Message::Admitted { novice_name: name },
            Owned::ConsentGiven(unattended) => Message::ConsentGiven {
                unattended: *unattended,
            },
            Owned::ControlRequest => Message::ControlRequest,
            Owned::ControlGranted => Message::ControlGranted,
            Owned::ControlRefused(reason) => Message::ControlRefused { reason: *reason },
            Owned::ControlStopped(by, how) => Message::ControlStopped { by: *by, how: *how },
            Owned::Input(event) => Message::Input(*event),
            Owned::ChatSend(text) => Message::ChatSend { text },
            Owned::ChatEntry(seq, from, text) => Message::ChatEntry {
                seq: *seq,
                from: *from,
                text,
            },
            Owned::FileOffer(id, name, size, sha256) => Message::FileOffer {
                id: *id,
                name,
                size: *size,
                sha256: *sha256,
            },
            Owned::FileAccept(id) => Message::FileAccept { id: *id },
            Owned::FileDecline(id) => Message::FileDecline { id: *id },
            Owned::FileChunk(id, offset, data) => Message::FileChunk {
                id: *id,
                offset: *offset,
                data,
            },
            Owned::FileAck(id, received) => Message::FileAck {
                id: *id,
                received: *received,
            },
            Owned::FileDone(id) => Message::FileDone { id: *id },
            Owned::FileResult(id, ok) => Message::FileResult { id: *id, ok: *ok },
            Owned::FileCancel(id) => Message::FileCancel { id: *id },
            Owned::FrameStart(frame, width, height, rects) => Message::FrameStart {
                frame: *frame,
                width: *width,
                height: *height,
                rects: *rects,
            },
            Owned::Rect {
                frame,
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                data,
            } => Message::Rect {
                frame: *frame,
                x: *x,
                y: *y,
                w: *w,
                h: *h,
                encoding: *encoding,
                total: *total,
                offset: *offset,
                data,
            },
            Owned::FrameEnd(frame) => Message::FrameEnd { frame: *frame },
            Owned::FrameAck(frame) => Message::FrameAck { frame: *frame },
            Owned::Cursor(x, y) => Message::Cursor { x: *x, y: *y },
            Owned::SetQuality(q) => Message::SetQuality(*q),
            Owned::Ping(stamp) => Message::Ping { stamp: *stamp },
            Owned::Pong(stamp) => Message::Pong { stamp: *stamp },
            Owned::Bye(reason) => Message::Bye { reason: *reason },
            Owned::KeyboardLeds(leds) => Message::KeyboardLeds { leds: *leds },
            Owned::PointerMode(relative) => Message::PointerMode {
                relative: *relative,
            },
            Owned::Decodes(encodings) => Message::Decodes {
                encodings: *encodings,
            },
            Owned::NextFrame(rects) => Message::NextFrame { rects: *rects },
            Owned::Tile {
                x,
                y,
                w,
                h,
                encoding,
                data,
            } => Message::Tile {
                x: *x,
                y: *y,
                w: *w,
                h: *h,
                encoding: *encoding,
                data,
            },
        }
    }
}

/// Any message within the `MAX_*` limits.
fn message() -> impl Strategy<Value = Owned> {
    let rect = (
        any::<u32>(),
        any::<[u16; 4]>(),
        unit_enum::<Encoding>(),
        any::<u32>(),
        any::<u32>(),
        bytes(MAX_DATA_BYTES),
    )
        .prop_map(
            |(frame, [x, y, w, h], encoding, total, offset, data)| Owned::Rect {
                frame,
                x,
                y,
                w,
                h,
                encoding,
                total,
                offset,
                data,
            },
        );
    let tile = (
        any::<[u16; 4]>(),
        unit_enum::<Encoding>(),
        bytes(MAX_DATA_BYTES),
    )
        .prop_map(|([x, y, w, h], encoding, data)| Owned::Tile {
            x,
            y,
            w,
            h,
            encoding,
            data,
        });
    prop_oneof![
        text(MAX_NAME_BYTES).prop_map(Owned::Admitted),
        any::<bool>().prop_map(Owned::ConsentGiven),
        Just(Owned::ControlRequest),
        Just(Owned::ControlGranted),
        unit_enum::<ControlRefusal>().prop_map(Owned::ControlRefused),
        (unit_enum::<Side>(), unit_enum::<StopMethod>())
            .prop_map(|(by, how)| Owned::ControlStopped(by, how)),
        input_event().prop_map(Owned::Input),
        text(MAX_CHAT_BYTES).prop_map(Owned::ChatSend),
        (any::<u32>(), unit_enum::<Side>(), text(MAX_CHAT_BYTES))
            .prop_map(|(seq, from, text)| Owned::ChatEntry(seq, from, text)),
        (
            any::<u32>(),
            text(MAX_FILE_NAME_BYTES),
            any::<u64>(),
            any::<[u8; 32]>()
        )
            .prop_map(|(id, name, size, sha)| Owned::FileOffer(id, name, size, sha)),
        any::<u32>().prop_map(Owned::FileAccept),
        any::<u32>().prop_map(Owned::FileDecline),
        (any::<u32>(), any::<u64>(), bytes(MAX_DATA_BYTES))
            .prop_map(|(id, offset, data)| Owned::FileChunk(id, offset, data)),
        (any::<u32>(), any::<u64>()).prop_map(|(id, received)| Owned::FileAck(id, received)),
        any::<u32>().prop_map(Owned::FileDone),
        (any::<u32>(), any::<bool>()).prop_map(|(id, ok)| Owned::FileResult(id, ok)),
        any::<u32>().prop_map(Owned::FileCancel),
        any::<(u32, u16, u16, u16)>().prop_map(|(f, w, h, r)| Owned::FrameStart(f, w, h, r)),
        rect,
        any::<u32>().prop_map(Owned::FrameEnd),
        any::<u32>().prop_map(Owned::FrameAck),
        any::<(u16, u16)>().prop_map(|(x, y)| Owned::Cursor(x, y)),
        quality().prop_map(Owned::SetQuality),
        any::<u64>().prop_map(Owned::Ping),
        any::<u64>().prop_map(Owned::Pong),
        unit_enum::<EndReason>().prop_map(Owned::Bye),
        any::<u8>().prop_map(Owned::KeyboardLeds),
        any::<bool>().prop_map(Owned::PointerMode),
        any::<u8>().prop_map(Owned::Decodes),
        any::<u16>().prop_map(Owned::NextFrame),
        tile,
    ]
}

/// Which variant a message is. No wildcard arm: a new variant fails to
/// compile here until the strategies learn it.
fn variant_index(message: &Message<'_>) -> usize {
    match message {
        Message::Admitted { .. } => 0,
        Message::ConsentGiven { .. } => 1,
        Message::ControlRequest => 2,
        Message::ControlGranted => 3,
        Message::ControlRefused { .. } => 4,
        Message::ControlStopped { .. } => 5,
        Message::Input(_) => 6,
        Message::ChatSend { .. } => 7,
        Message::ChatEntry { .. } => 8,
        Message::FileOffer { .. } => 9,
        Message::FileAccept { .. } => 10,
        Message::FileDecline { .. } => 11,
        Message::FileChunk { .. } => 12,
        Message::FileAck { .. } => 13,
        Message::FileDone { .. } => 14,
        Message::FileResult { .. } => 15,
        Message::FileCancel { .. } => 16,
        Message::FrameStart { .. } => 17,
        Message::Rect { .. } => 18,
        Message::FrameEnd { .. } => 19,
        Message::FrameAck { .. } => 20,
        Message::Cursor { .. } => 21,
        Message::SetQuality(_) => 22,
        Message::Ping { .. } => 23,
        Message::Pong { .. } => 24,
        Message::Bye { .. } => 25,
        Message::KeyboardLeds { .. } => 26,
        Message::PointerMode { .. } => 27,
        Message::Decodes { .. } => 28,
        Message::NextFrame { .. } => 29,
        Message::Tile { .. } => 30,
    }
}
const VARIANTS: usize = 31;

fn encode(message: &Message<'_>) -> Vec<u8> {
    let mut out = vec![0u8; BUFFER];
    let len = message
        .encode(&mut out)
        .expect("a message within the limits fits the buffer");
    out.truncate(len);
    out
}

/// Owned strings and bytes behind an [`InvitationClaim`] or [`OfferClaim`].
#[derive(Debug, Clone)]
struct OwnedClaims {
    invitation_id: [u8; 16],
    password_proof: Option<[u8; 32]>,
    expert_name: String,
    certificate: Option<Vec<u8>>,
}

fn claims() -> impl Strategy<Value = OwnedClaims> {
    (
        any::<[u8; 16]>(),
        any::<Option<[u8; 32]>>(),
        text(MAX_NAME_BYTES),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..512)),
    )
        .prop_map(
            |(invitation_id, password_proof, expert_name, certificate)| OwnedClaims {
                invitation_id,
                password_proof,
                expert_name,
                certificate,
            },
        )
}

/// Decodes `bytes` every way the core does; none may panic, and whatever
/// decodes must survive a round trip.
fn decode_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(message) = Message::decode(bytes) {
        let again = encode(&message);
        prop_assert_eq!(Message::decode(&again), Ok(message));
    }
    // As a record's plaintext: messages back to back, each taking bytes.
    let mut rest = bytes;
    while let Ok((_, used)) = Message::decode_prefix(rest) {
        prop_assert!((2..=rest.len()).contains(&used));
        rest = &rest[used..];
    }
    let mut out = vec![0u8; bytes.len() + 16];
    if let Ok(claim) = decode_value::<InvitationClaim>(bytes) {
        let len = encode_value(&claim, &mut out).expect("re-encoding fits");
        prop_assert_eq!(decode_value::<InvitationClaim>(&out[..len]), Ok(claim));
    }
    if let Ok(claim) = decode_value::<OfferClaim>(bytes) {
        let len = encode_value(&claim, &mut out).expect("re-encoding fits");
        prop_assert_eq!(decode_value::<OfferClaim>(&out[..len]), Ok(claim));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties

proptest! {
    #[test]
    fn every_message_round_trips(owned in message()) {
        let message = owned.view();
        let bytes = encode(&message);
        prop_assert_eq!(Message::decode(&bytes), Ok(message));
    }

    /// With strings and data within the limits, every message fits the
    /// plaintext of one record.
    #[test]
    fn every_message_fits_one_record(owned in message()) {
        let bytes = encode(&owned.view());
        prop_assert!(bytes.len() <= MAX_PLAINTEXT, "{} bytes", bytes.len());
    }

    /// postcard's encoding is self-delimiting (fixed sizes, varints that mark
    /// their last byte, lengths before contents) and decoding refuses
    /// trailing bytes, so no proper prefix of an encoding is a message: every
    /// truncation asks for more bytes.
    #[test]
    fn every_truncation_is_reported_as_truncated(owned in message(), cut in any::<prop::sample::Index>()) {
        let bytes = encode(&owned.view());
        let len = cut.index(bytes.len());
        prop_assert_eq!(Message::decode(&bytes[..len]), Err(DecodeError::Truncated));
    }

    /// Messages written back to back (one record's plaintext) come apart
    /// again, each whole and in order.
    #[test]
    fn messages_back_to_back_come_apart(owned in prop::collection::vec(message(), 1..5)) {
        let joined: Vec<u8> = owned.iter().flat_map(|o| encode(&o.view())).collect();
        let mut rest = &joined[..];
        for o in &owned {
            let (message, used) = Message::decode_prefix(rest).expect("decodes");
            prop_assert_eq!(message, o.view());
            rest = &rest[used..];
        }
        prop_assert!(rest.is_empty());
    }

    /// A trailing byte after a whole message is refused.
    #[test]
    fn trailing_bytes_are_refused(owned in message(), extra in any::<u8>()) {
        let mut bytes = encode(&owned.view());
        bytes.push(extra);
        prop_assert_eq!(Message::decode(&bytes), Err(DecodeError::Malformed));
    }

    #[test]
    fn other_versions_are_refused(owned in message(), version in any::<u8>()) {
        prop_assume!(version != beckon_core::message::WIRE_VERSION);
        let mut bytes = encode(&owned.view());
        bytes[0] = version;
        prop_assert_eq!(Message::decode(&bytes), Err(DecodeError::UnsupportedVersion(version)));
    }

    #[test]
    fn claims_round_trip(owned in claims()) {
        let mut out = vec![0u8; 2048];
        let invitation = InvitationClaim {
            invitation_id: owned.invitation_id,
            password_proof: owned.password_proof,
            expert_name: &owned.expert_name,
        };
        let len = encode_value(&invitation, &mut out).unwrap();
        prop_assert_eq!(decode_value::<InvitationClaim>(&out[..len]), Ok(invitation));
        let offer = OfferClaim { expert_name: &owned.expert_name, certificate: owned.certificate.as_deref() };
        let len = encode_value(&offer, &mut out).unwrap();
        prop_assert_eq!(decode_value::<OfferClaim>(&out[..len]), Ok(offer));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        decode_everything(&bytes)?;
    }

    /// Arbitrary bytes behind the right version byte reach the postcard
    /// decoder instead of stopping at the version check.
    #[test]
    fn arbitrary_versioned_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut bytes = vec![beckon_core::message::WIRE_VERSION];
        bytes.extend_from_slice(&tail);
        decode_everything(&bytes)?;
    }

    /// Valid messages with a few bytes changed explore the decoder deep
    /// inside each variant.
    #[test]
    fn damaged_messages_never_panic(
        owned in message(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = encode(&owned.view());
        for (at, value) in damage {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        decode_everything(&bytes)?;
    }
}

#[test]
fn message_strategy_covers_every_variant() {
    let mut runner = TestRunner::deterministic();
    let strategy = message();
    let mut seen = [false; VARIANTS];
    for _ in 0..5_000 {
        let owned = strategy.new_tree(&mut runner).unwrap().current();
        seen[variant_index(&owned.view())] = true;
    }
    let missing: Vec<usize> = (0..VARIANTS).filter(|&i| !seen[i]).collect();
    assert!(missing.is_empty(), "variants never generated: {missing:?}");
}

#[test]
fn unit_enum_strategy_finds_every_variant() {
    let mut runner = TestRunner::deterministic();
    let strategy = unit_enum::<EndReason>();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..2_000 {
        seen.insert(format!(
            "{:?}",
            strategy.new_tree(&mut runner).unwrap().current()
        ));
    }
    let on_the_wire = (0u8..=255)
        .filter(|&i| postcard::from_bytes::<EndReason>(&[i]).is_ok())
        .count();
    assert!(on_the_wire > 1);
    assert!(seen.contains("WrongPassword") && seen.contains("UnsupportedVersion"));
    assert_eq!(seen.len(), on_the_wire, "{seen:?}");
}
