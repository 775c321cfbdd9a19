//! Framing of handshake messages on the byte stream:
//! `[u16 big-endian length][message]`, the same shape as a record header, so
//! a reader always knows how many bytes to wait for.

use super::{HandshakeError, MAX_HANDSHAKE_MESSAGE};

/// Bytes of the length header in front of a handshake message.
pub const FRAME_HEADER_LEN: usize = 2;

/// Largest framed handshake message: header and [`MAX_HANDSHAKE_MESSAGE`].
pub const MAX_FRAME: usize = FRAME_HEADER_LEN + MAX_HANDSHAKE_MESSAGE;

/// Parse a frame header from the start of `bytes`.
///
/// Returns `Ok(None)` while fewer than [`FRAME_HEADER_LEN`] bytes are
/// available, otherwise the length of the message that follows.
/// A length over [`MAX_HANDSHAKE_MESSAGE`] is [`HandshakeError::TooLong`]
/// and an empty message [`HandshakeError::InvalidMessage`]: no Beckon
/// handshake message is either.
pub fn parse_frame_header(bytes: &[u8]) -> Result<Option<usize>, HandshakeError> {
    let Some(&[high, low]) = bytes.get(..FRAME_HEADER_LEN) else {
        return Ok(None);
    };
    match usize::from(u16::from_be_bytes([high, low])) {
        0 => Err(HandshakeError::InvalidMessage),
        len if len > MAX_HANDSHAKE_MESSAGE => Err(HandshakeError::TooLong),
        len => Ok(Some(len)),
    }
}

/// Split one whole frame off the start of `bytes`.
///
/// Returns `Ok(None)` while the frame is incomplete (read more and call
/// again); otherwise the message and the number of bytes the frame took.
pub fn split_frame(bytes: &[u8]) -> Result<Option<(&[u8], usize)>, HandshakeError> {
    let Some(len) = parse_frame_header(bytes)? else {
        return Ok(None);
    };
    let frame_len = FRAME_HEADER_LEN + len;
    Ok(bytes
        .get(FRAME_HEADER_LEN..frame_len)
        .map(|message| (message, frame_len)))
}

/// Write the frame header for a `message_len`-byte message into the first
/// [`FRAME_HEADER_LEN`] bytes of `out`.
pub(super) fn write_frame_header(message_len: usize, out: &mut [u8]) -> Result<(), HandshakeError> {
    if message_len > MAX_HANDSHAKE_MESSAGE {
        return Err(HandshakeError::TooLong);
    }
    let len = u16::try_from(message_len).map_err(|_| HandshakeError::TooLong)?;
    out.get_mut(..FRAME_HEADER_LEN)
        .ok_or(HandshakeError::BufferTooSmall)?
        .copy_from_slice(&len.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_need_two_bytes() {
        assert_eq!(parse_frame_header(&[]), Ok(None));
        assert_eq!(parse_frame_header(&[0]), Ok(None));
        assert_eq!(parse_frame_header(&[0, 48]), Ok(Some(48)));
    }

    #[test]
    fn empty_and_oversized_frames_are_refused() {
        assert_eq!(
            parse_frame_header(&[0, 0]),
            Err(HandshakeError::InvalidMessage)
        );
        let largest = (MAX_HANDSHAKE_MESSAGE as u16).to_be_bytes();
        assert_eq!(
            parse_frame_header(&largest),
            Ok(Some(MAX_HANDSHAKE_MESSAGE))
        );
        let over = (MAX_HANDSHAKE_MESSAGE as u16 + 1).to_be_bytes();
        assert_eq!(parse_frame_header(&over), Err(HandshakeError::TooLong));
        assert_eq!(
            parse_frame_header(&[0xFF, 0xFF]),
            Err(HandshakeError::TooLong)
        );
    }

    #[test]
    fn split_waits_for_the_whole_frame() {
        let stream = [0, 3, b'a', b'b', b'c', 0xEE];
        for cut in 0..5 {
            assert_eq!(split_frame(&stream[..cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(split_frame(&stream), Ok(Some((&b"abc"[..], 5))));
    }

    #[test]
    fn header_writer_checks_room_and_size() {
        let mut out = [0u8; 2];
        write_frame_header(300, &mut out).unwrap();
        assert_eq!(out, 300u16.to_be_bytes());
        assert_eq!(
            write_frame_header(1, &mut [0u8; 1]),
            Err(HandshakeError::BufferTooSmall)
        );
        assert_eq!(
            write_frame_header(MAX_HANDSHAKE_MESSAGE + 1, &mut out),
            Err(HandshakeError::TooLong)
        );
    }
}
