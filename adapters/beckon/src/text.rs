//! Small helpers for text shown to people.

/// `text` cut to at most `max` bytes, on a character boundary.
pub fn fit(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// A key as 64 hex digits, shortened to `abcd1234…` for tables.
pub fn short_key(key: &[u8; 32]) -> String {
    let h = hex::encode(key);
    format!("{}…{}", &h[..8], &h[56..])
}

/// Parse a 32-byte key written as 64 hex digits or 52 base32 characters
/// (RFC 4648, no padding, either case).
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let t = text.trim();
    let bytes = if t.len() == 64 {
        hex::decode(t).map_err(|_| format!("{t:?} is not a key: 64 hex digits expected"))?
    } else {
        data_encoding::BASE32_NOPAD
            .decode(t.to_ascii_uppercase().as_bytes())
            .map_err(|_| {
                format!("{t:?} is not a key: 64 hex digits or 52 base32 characters expected")
            })?
    };
    bytes
        .try_into()
        .map_err(|_| format!("{t:?} is not a 32-byte key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_characters_whole() {
        assert_eq!(fit("héllo", 2), "h");
        assert_eq!(fit("abc", 10), "abc");
    }

    #[test]
    fn keys_parse_in_hex_and_base32() {
        let key = [7u8; 32];
        assert_eq!(parse_key(&hex::encode(key)), Ok(key));
        let b32 = data_encoding::BASE32_NOPAD
            .encode(&key)
            .to_ascii_lowercase();
        assert_eq!(parse_key(&b32), Ok(key));
        assert!(parse_key("nope").is_err());
    }
}
