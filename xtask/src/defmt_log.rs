//! Reading the dongle's defmt log: the binary frames QEMU wrote to a file,
//! turned into text with the string table of the image that wrote them.
//!
//! The firmware logs in defmt's compact form (an index into the image's
//! string table and the raw arguments), so the file means nothing without
//! the exact ELF. Decoding here, instead of asking people to install
//! `defmt-print`, lets firmware-test check the log and print it readably.

use std::fs;
use std::path::Path;

use defmt_decoder::{DecodeError, Table};

/// One decoded log line: its level (`INFO`, `WARN`…) and its text.
#[derive(Debug, Clone)]
pub struct Line {
    /// The level, upper case; empty for `println!`-style frames.
    pub level: String,
    /// The formatted message.
    pub text: String,
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:<5} {}", self.level, self.text)
    }
}

/// Decode every frame of `log` with the table in `elf`. A frame that does
/// not decode is an error: it means the log and the image disagree, or
/// the logger wrote something broken. A log that stops halfway through a
/// frame (QEMU was killed while writing) ends at the last whole one.
pub fn decode(elf: &Path, log: &Path) -> Result<Vec<Line>, String> {
    let image = fs::read(elf).map_err(|e| format!("cannot read {}: {e}", elf.display()))?;
    let table = Table::parse(&image)
        .map_err(|e| format!("{}: bad defmt table: {e}", elf.display()))?
        .ok_or_else(|| format!("{} has no defmt table", elf.display()))?;
    let bytes = fs::read(log).map_err(|e| format!("cannot read {}: {e}", log.display()))?;
    let mut decoder = table.new_stream_decoder();
    decoder.received(&bytes);
    let mut lines = Vec::new();
    loop {
        match decoder.decode() {
            Ok(frame) => lines.push(Line {
                level: frame
                    .level()
                    .map(|l| l.as_str().to_uppercase())
                    .unwrap_or_default(),
                text: frame.display_message().to_string(),
            }),
            Err(DecodeError::UnexpectedEof) => return Ok(lines),
            Err(DecodeError::Malformed) => {
                return Err(format!(
                    "{}: frame {} does not decode with {}",
                    log.display(),
                    lines.len() + 1,
                    elf.display()
                ))
            }
        }
    }
}
