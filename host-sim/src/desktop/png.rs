//! PNG snapshots of the screen.

/// Why a snapshot could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The pixel buffer does not match `width * height * 4` bytes.
    #[error("pixel buffer is {got} bytes, expected {expected}")]
    Size {
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Encode(#[from] png::EncodingError),
}

/// Encodes RGBA8 pixels (row-major, 4 bytes each) as a PNG file.
pub fn encode_rgba(width: u16, height: u16, rgba: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    let expected = usize::from(width) * usize::from(height) * 4;
    if rgba.len() != expected {
        return Err(SnapshotError::Size {
            expected,
            got: rgba.len(),
        });
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, u32::from(width), u32::from(height));
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgba)?;
        writer.finish()?;
    }
    Ok(out)
}
