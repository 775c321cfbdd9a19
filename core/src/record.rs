//! (being written)

/// Most plaintext bytes in one record.
pub const MAX_PLAINTEXT: usize = 16 * 1024;
