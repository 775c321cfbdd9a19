//! The invitation's byte, text and file forms (INV-01, INV-11).

use beckon_core::invitation::{
    Invitation, InvitationError, InvitationId, PasswordParams, FILE_HEADER, FILE_LINE_WIDTH,
    MAX_ADDRESSES, MAX_ADDRESS_BYTES, MAX_ENCODED_BYTES, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS,
    TEXT_PREFIX,
};
use beckon_core::message::MAX_NAME_BYTES;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

fn sample() -> Invitation {
    let mut addresses = heapless::Vec::new();
    addresses
        .push("192.0.2.4:7070".try_into().unwrap())
        .unwrap();
    addresses
        .push("relay.example.net:443".try_into().unwrap())
        .unwrap();
    Invitation {
        id: InvitationId([0x5a; 16]),
        novice_key: core::array::from_fn(|i| i as u8),
        novice_name: "Grete Olsen".try_into().unwrap(),
        expires_at_ms: 1_767_225_600_000,
        addresses,
        password: Some(PasswordParams {
            salt: [7; 16],
            iterations: 40_000,
        }),
    }
}

/// The largest invitation there can be.
fn largest() -> Invitation {
    let name: String = "n".repeat(MAX_NAME_BYTES);
    let address: String = "a".repeat(MAX_ADDRESS_BYTES);
    let mut addresses = heapless::Vec::new();
    for _ in 0..MAX_ADDRESSES {
        addresses
            .push(address.as_str().try_into().unwrap())
            .unwrap();
    }
    Invitation {
        id: InvitationId([0xff; 16]),
        novice_key: [0xff; 32],
        novice_name: name.as_str().try_into().unwrap(),
        expires_at_ms: u64::MAX,
        addresses,
        password: Some(PasswordParams {
            salt: [0xff; 16],
            iterations: u32::MAX,
        }),
    }
}

fn body(text: &str) -> &str {
    text.strip_prefix(TEXT_PREFIX).unwrap()
}

/// An independent encoder of the text format, to build texts the real
/// encoder would never write (other versions, bad content, valid checksum).
fn frame_to_text(payload: &[u8]) -> String {
    let len = u16::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = vec![len[0], len[1], !len[0], !len[1]];
    frame.extend_from_slice(payload);
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(&frame);
    frame.extend_from_slice(&crc.to_be_bytes());
    let mut bits = String::new();
    for byte in &frame {
        bits.push_str(&format!("{byte:08b}"));
    }
    while bits.len() % 5 != 0 {
        bits.push('0');
    }
    let symbols: String = bits
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            ALPHABET[usize::from_str_radix(std::str::from_utf8(chunk).unwrap(), 2).unwrap()] as char
        })
        .collect();
    format!("{TEXT_PREFIX}{symbols}")
}

fn encoded(invitation: &Invitation) -> Vec<u8> {
    let mut out = [0u8; MAX_ENCODED_BYTES];
    let len = invitation.encode(&mut out).unwrap();
    out[..len].to_vec()
}

#[test]
fn inv_01_text_round_trip() {
    let invitation = sample();
    let text = invitation.to_text().unwrap();
    assert!(text.starts_with("beckon1:"));
    assert_eq!(Invitation::from_text(&text).unwrap(), invitation);
}

#[test]
fn inv_01_text_round_trip_without_password_or_addresses() {
    let mut invitation = sample();
    invitation.password = None;
    invitation.addresses.clear();
    let text = invitation.to_text().unwrap();
    let back = Invitation::from_text(&text).unwrap();
    assert_eq!(back, invitation);
    assert!(!back.needs_password());
}

#[test]
fn inv_01_text_uses_only_unambiguous_lowercase_symbols() {
    let text = sample().to_text().unwrap();
    for c in body(&text).chars() {
        assert!(ALPHABET.contains(&(c as u8)), "unexpected {c:?}");
        assert!(!"ilou".contains(c), "hard-to-read {c:?}");
    }
}

#[test]
fn inv_01_from_text_tolerates_whitespace_breaks_case_and_hyphens() {
    let invitation = sample();
    let text = invitation.to_text().unwrap();
    let mut messy = String::from("  \r\n\t");
    for (i, c) in text.to_uppercase().chars().enumerate() {
        if i > TEXT_PREFIX.len() && i % 5 == 0 {
            messy.push('-');
        }
        if i % 37 == 0 {
            messy.push_str("\r\n ");
        }
        messy.push(c);
    }
    messy.push_str(" \n\n");
    assert_eq!(Invitation::from_text(&messy).unwrap(), invitation);
}

#[test]
fn inv_01_from_text_reads_crockford_aliases() {
    let invitation = sample();
    let text = invitation.to_text().unwrap();
    let (prefix, symbols) = text.split_at(TEXT_PREFIX.len());
    assert!(
        symbols.contains('0') && symbols.contains('1'),
        "sample should exercise the aliases"
    );
    let aliased: String = symbols
        .chars()
        .enumerate()
        .map(|(i, c)| match (c, i % 2) {
            ('0', 0) => 'O',
            ('0', _) => 'o',
            ('1', 0) => 'l',
            ('1', _) => 'I',
            (c, _) => c,
        })
        .collect();
    assert_eq!(
        Invitation::from_text(&format!("{prefix}{aliased}")).unwrap(),
        invitation
    );
}

#[test]
fn inv_01_largest_invitation_fits_every_form() {
    let invitation = largest();
    let bytes = encoded(&invitation);
    assert!(bytes.len() <= MAX_ENCODED_BYTES);
    // Every field at its maximum: the bound is exact, not just sufficient.
    assert_eq!(bytes.len(), MAX_ENCODED_BYTES);
    // Decoding refuses the out-of-range rounds, but the forms must still be
    // writable: capacity does not depend on validity.
    let text = invitation.to_text().unwrap();
    let file = invitation.to_file().unwrap();
    assert!(file.contains(&text[..FILE_LINE_WIDTH]));
}

#[test]
fn inv_01_file_round_trip() {
    let invitation = sample();
    let file = invitation.to_file().unwrap();
    assert!(file.starts_with(FILE_HEADER));
    let text_lines: Vec<&str> = file.lines().skip(FILE_HEADER.lines().count()).collect();
    assert!(text_lines.len() > 2, "the text should be wrapped");
    for line in &text_lines {
        assert!(line.len() <= FILE_LINE_WIDTH, "line too long: {line}");
        assert!(!line.starts_with('#'));
    }
    assert_eq!(text_lines.concat(), sample().to_text().unwrap().as_str());
    assert_eq!(Invitation::from_file(&file).unwrap(), invitation);
}

#[test]
fn inv_01_from_file_tolerates_crlf_bom_and_other_comments() {
    let invitation = sample();
    let file = invitation.to_file().unwrap();
    let edited = format!(
        "\u{feff}# saved by a mail program\r\n\r\n{}\r\n   # trailing note\r\n",
        file.replace('\n', "\r\n")
    );
    assert_eq!(Invitation::from_file(&edited).unwrap(), invitation);
    // The bare text is a valid file too.
    let text = invitation.to_text().unwrap();
    assert_eq!(Invitation::from_file(&text).unwrap(), invitation);
}

#[test]
fn inv_11_file_header_is_not_text() {
    let file = sample().to_file().unwrap();
    assert_eq!(
        Invitation::from_text(&file),
        Err(InvitationError::WrongPrefix)
    );
}

#[test]
fn inv_11_wrong_prefix() {
    let text = sample().to_text().unwrap();
    for wrong in [
        String::new(),
        "   ".into(),
        "hello".into(),
        format!("bitcoin1:{}", body(&text)),
        format!("beckon:{}", body(&text)),
        format!("beckonx:{}", body(&text)),
        body(&text).to_string(),
        "https://example.net/beckon1:abc".into(),
    ] {
        assert_eq!(
            Invitation::from_text(&wrong),
            Err(InvitationError::WrongPrefix),
            "{wrong:?}"
        );
    }
}

#[test]
fn inv_11_newer_text_version_is_unsupported() {
    let text = sample().to_text().unwrap();
    assert_eq!(
        Invitation::from_text(&format!("beckon2:{}", body(&text))),
        Err(InvitationError::UnsupportedVersion(2))
    );
    assert_eq!(
        Invitation::from_text(&format!("BECKON17:{}", body(&text))),
        Err(InvitationError::UnsupportedVersion(17))
    );
    assert_eq!(
        Invitation::from_text(&format!("beckon1000:{}", body(&text))),
        Err(InvitationError::UnsupportedVersion(u8::MAX))
    );
}

#[test]
fn inv_11_every_single_changed_character_is_bad_checksum() {
    let text = sample().to_text().unwrap();
    let symbols: Vec<u8> = body(&text).bytes().collect();
    for position in 0..symbols.len() {
        for &replacement in ALPHABET {
            if replacement == symbols[position] {
                continue;
            }
            let mut typo = symbols.clone();
            typo[position] = replacement;
            let typo = format!("{TEXT_PREFIX}{}", String::from_utf8(typo).unwrap());
            assert_eq!(
                Invitation::from_text(&typo),
                Err(InvitationError::BadChecksum),
                "position {position}, {:?}",
                replacement as char
            );
        }
    }
}

#[test]
fn inv_11_every_swap_of_neighbours_is_bad_checksum() {
    let text = sample().to_text().unwrap();
    let symbols: Vec<u8> = body(&text).bytes().collect();
    let mut swaps = 0;
    for position in 0..symbols.len() - 1 {
        if symbols[position] == symbols[position + 1] {
            continue;
        }
        let mut swapped = symbols.clone();
        swapped.swap(position, position + 1);
        let swapped = format!("{TEXT_PREFIX}{}", String::from_utf8(swapped).unwrap());
        assert_eq!(
            Invitation::from_text(&swapped),
            Err(InvitationError::BadChecksum),
            "swap at {position}"
        );
        swaps += 1;
    }
    assert!(swaps > 100);
}

#[test]
fn inv_11_every_truncation_is_truncated() {
    let text = sample().to_text().unwrap();
    for cut in TEXT_PREFIX.len()..text.len() {
        assert_eq!(
            Invitation::from_text(&text[..cut]),
            Err(InvitationError::Truncated),
            "cut at {cut}"
        );
    }
}

#[test]
fn inv_11_dropped_character_is_detected() {
    let text = sample().to_text().unwrap();
    let symbols = body(&text);
    for position in 0..symbols.len() {
        let shorter = format!(
            "{TEXT_PREFIX}{}{}",
            &symbols[..position],
            &symbols[position + 1..]
        );
        let result = Invitation::from_text(&shorter);
        assert!(
            matches!(
                result,
                Err(InvitationError::Truncated | InvitationError::BadChecksum)
            ),
            "drop at {position}: {result:?}"
        );
    }
}

#[test]
fn inv_11_added_character_is_bad_checksum() {
    let text = sample().to_text().unwrap();
    let symbols = body(&text);
    for position in (0..=symbols.len()).step_by(7) {
        let longer = format!(
            "{TEXT_PREFIX}{}q{}",
            &symbols[..position],
            &symbols[position..]
        );
        assert_eq!(
            Invitation::from_text(&longer),
            Err(InvitationError::BadChecksum),
            "insert at {position}"
        );
    }
}

#[test]
fn inv_11_invalid_character_is_reported_with_its_offset() {
    let text = sample().to_text().unwrap();
    let with_u = format!("{}u{}", &text[..20], &text[20..]);
    assert_eq!(
        Invitation::from_text(&with_u),
        Err(InvitationError::InvalidCharacter {
            character: 'u',
            offset: 20
        })
    );
    let with_emoji = format!("{}🙂", &text[..30]);
    assert_eq!(
        Invitation::from_text(&with_emoji),
        Err(InvitationError::InvalidCharacter {
            character: '🙂',
            offset: 30
        })
    );
}

#[test]
fn inv_11_independent_encoder_agrees() {
    let invitation = sample();
    assert_eq!(
        frame_to_text(&encoded(&invitation)),
        invitation.to_text().unwrap().as_str()
    );
}

#[test]
fn inv_11_newer_payload_version_is_unsupported() {
    let mut bytes = encoded(&sample());
    bytes[0] = 9;
    assert_eq!(
        Invitation::from_text(&frame_to_text(&bytes)),
        Err(InvitationError::UnsupportedVersion(9))
    );
}

#[test]
fn inv_11_valid_checksum_over_garbage_is_malformed() {
    assert_eq!(
        Invitation::from_text(&frame_to_text(&[1, 0xff, 0xff, 0xff])),
        Err(InvitationError::Malformed)
    );
    // Trailing bytes after a complete invitation.
    let mut bytes = encoded(&sample());
    bytes.push(0);
    assert_eq!(
        Invitation::from_text(&frame_to_text(&bytes)),
        Err(InvitationError::Malformed)
    );
    // A name that is not UTF-8.
    let mut bytes = encoded(&sample());
    let name_at = 1 + 16 + 32 + 1;
    bytes[name_at] = 0xff;
    assert_eq!(
        Invitation::from_text(&frame_to_text(&bytes)),
        Err(InvitationError::Malformed)
    );
}

#[test]
fn inv_11_absurd_password_rounds_are_refused() {
    for iterations in [0, MIN_KDF_ITERATIONS - 1, MAX_KDF_ITERATIONS + 1, u32::MAX] {
        let mut invitation = sample();
        invitation.password = Some(PasswordParams {
            salt: [1; 16],
            iterations,
        });
        let text = invitation.to_text().unwrap();
        assert_eq!(
            Invitation::from_text(&text),
            Err(InvitationError::BadPasswordParams)
        );
        assert_eq!(
            Invitation::decode(&encoded(&invitation)),
            Err(InvitationError::BadPasswordParams)
        );
    }
}

#[test]
fn inv_11_bytes_round_trip_and_errors() {
    let invitation = sample();
    let bytes = encoded(&invitation);
    assert_eq!(Invitation::decode(&bytes).unwrap(), invitation);

    assert_eq!(Invitation::decode(&[]), Err(InvitationError::Truncated));
    for cut in 1..bytes.len() {
        assert_eq!(
            Invitation::decode(&bytes[..cut]),
            Err(InvitationError::Truncated),
            "cut {cut}"
        );
    }
    let mut newer = bytes.clone();
    newer[0] = 2;
    assert_eq!(
        Invitation::decode(&newer),
        Err(InvitationError::UnsupportedVersion(2))
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(Invitation::decode(&longer), Err(InvitationError::Malformed));
}

#[test]
fn inv_11_encode_reports_small_buffer() {
    let invitation = sample();
    let needed = encoded(&invitation).len();
    let mut small = vec![0u8; needed - 1];
    assert_eq!(
        invitation.encode(&mut small),
        Err(InvitationError::BufferTooSmall)
    );
    assert_eq!(
        invitation.encode(&mut []),
        Err(InvitationError::BufferTooSmall)
    );
}

#[test]
fn inv_11_errors_read_as_sentences() {
    let messages = [
        InvitationError::WrongPrefix.to_string(),
        InvitationError::BadChecksum.to_string(),
        InvitationError::Truncated.to_string(),
        InvitationError::UnsupportedVersion(2).to_string(),
        InvitationError::Malformed.to_string(),
    ];
    for (i, a) in messages.iter().enumerate() {
        assert!(a.len() > 20, "{a}");
        for b in &messages[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert!(InvitationError::UnsupportedVersion(2)
        .to_string()
        .contains('2'));
}

#[test]
fn invitation_id_hex_round_trip() {
    let id = InvitationId([
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0, 0xfe, 0x10,
    ]);
    let hex = id.to_string();
    assert_eq!(hex, "0123456789abcdef000000000000fe10");
    assert_eq!(InvitationId::from_hex(&hex), Some(id));
    assert_eq!(
        InvitationId::from_hex(&format!(" {} ", hex.to_uppercase())),
        Some(id)
    );
    assert_eq!(InvitationId::from_hex(&hex[1..]), None);
    assert_eq!(InvitationId::from_hex(&format!("{hex}0")), None);
    assert_eq!(InvitationId::from_hex(&hex.replace('f', "g")), None);
    assert_eq!(
        InvitationId::from_hex("+123456789abcdef000000000000fe10"),
        None
    );
    assert_eq!(
        InvitationId::from_hex("é23456789abcdef000000000000fe1"),
        None
    );
}
