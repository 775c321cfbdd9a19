extern crate std;

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::*;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Write on `from`, read on `to`; returns the payload `to` received.
fn pass(from: &mut Handshake, to: &mut Handshake, payload: &[u8]) -> Vec<u8> {
    let mut message = [0u8; MAX_HANDSHAKE_MESSAGE];
    let n = from.write_message(payload, &mut message).unwrap();
    let mut received = [0u8; MAX_HANDSHAKE_MESSAGE];
    let m = to.read_message(&message[..n], &mut received).unwrap();
    received[..m].to_vec()
}

struct Nk {
    expert: Handshake,
    novice: Handshake,
    invitation: StaticKeypair,
}

fn nk(seed: u64) -> Nk {
    let mut rng = rng(seed);
    let invitation = StaticKeypair::generate(&mut rng);
    Nk {
        expert: Handshake::nk_initiator(&mut rng, &invitation.public).unwrap(),
        novice: Handshake::nk_responder(&mut rng, &invitation.secret).unwrap(),
        invitation,
    }
}

fn xx(seed: u64) -> (Handshake, Handshake, StaticKeypair, StaticKeypair) {
    let mut rng = rng(seed);
    let expert_key = StaticKeypair::generate(&mut rng);
    let machine_key = StaticKeypair::generate(&mut rng);
    let expert = Handshake::xx_initiator(&mut rng, &expert_key.secret).unwrap();
    let novice = Handshake::xx_responder(&mut rng, &machine_key.secret).unwrap();
    (expert, novice, expert_key, machine_key)
}

/// Seal on one transport, open on the other.
fn record_passes(from: &mut Transport, to: &mut Transport, text: &[u8]) {
    let mut buf = vec![0u8; crate::record::sealed_len(text.len())];
    let n = from.seal(text, &mut buf).unwrap();
    let opened = to.open_record(&mut buf[..n]).unwrap().unwrap();
    assert_eq!(&buf[opened.plaintext()], text);
}

#[test]
fn nk_handshake_carries_payloads_and_yields_matching_transports() {
    let Nk {
        mut expert,
        mut novice,
        invitation,
    } = nk(1);
    assert_eq!(expert.remote_static(), Some(invitation.public));
    assert!(expert.is_write_turn() && !novice.is_write_turn());

    assert_eq!(pass(&mut expert, &mut novice, b"claim"), b"claim");
    assert!(novice.is_write_turn());
    assert_eq!(pass(&mut novice, &mut expert, b"admitted"), b"admitted");

    assert!(expert.is_finished() && novice.is_finished());
    assert_eq!(expert.handshake_hash(), novice.handshake_hash());
    // NK: the expert stays anonymous at the Noise level.
    assert_eq!(novice.remote_static(), None);

    let mut expert = expert.into_transport().unwrap();
    let mut novice = novice.into_transport().unwrap();
    for i in 0..3u8 {
        record_passes(&mut expert, &mut novice, &[i; 100]);
        record_passes(&mut novice, &mut expert, &[i; 7]);
    }
}

#[test]
fn inv_11_nk_with_the_wrong_invitation_key_fails() {
    let mut rng = rng(2);
    let real = StaticKeypair::generate(&mut rng);
    let other = StaticKeypair::generate(&mut rng);
    let mut expert = Handshake::nk_initiator(&mut rng, &other.public).unwrap();
    let mut novice = Handshake::nk_responder(&mut rng, &real.secret).unwrap();

    let mut message = [0u8; 256];
    let n = expert.write_message(b"claim", &mut message).unwrap();
    let mut payload = [0u8; 256];
    assert_eq!(
        novice.read_message(&message[..n], &mut payload),
        Err(HandshakeError::Decrypt)
    );
    assert!(!novice.is_write_turn() && !novice.is_finished());
    assert_eq!(novice.binding(), None);
    assert_eq!(
        novice.read_message(&message[..n], &mut payload),
        Err(HandshakeError::Failed)
    );
    assert_eq!(novice.into_transport().unwrap_err(), HandshakeError::Failed);
}

#[test]
fn inv_10_the_claim_travels_encrypted() {
    // An eavesdropper sees message 1; the claim (with the password proof)
    // must not be in it, and without the invitation secret it cannot be read.
    let Nk { mut expert, .. } = nk(21);
    let claim = b"invitation 0123 proof 0xDEADBEEF";
    let mut message = [0u8; 128];
    let n = expert.write_message(claim, &mut message).unwrap();
    assert!(!message[..n]
        .windows(4)
        .any(|w| claim.windows(4).any(|c| c == w)));
}

#[test]
fn xx_exchanges_static_keys() {
    let (mut expert, mut novice, expert_key, machine_key) = xx(3);
    assert_eq!(expert.remote_static(), None);
    assert!(pass(&mut expert, &mut novice, b"").is_empty());
    assert_eq!(novice.remote_static(), None);
    assert_eq!(pass(&mut novice, &mut expert, b"hello"), b"hello");
    assert_eq!(expert.remote_static(), Some(machine_key.public));
    assert_eq!(pass(&mut expert, &mut novice, b"offer"), b"offer");
    assert_eq!(novice.remote_static(), Some(expert_key.public));

    assert!(expert.is_finished() && novice.is_finished());
    assert_eq!(expert.handshake_hash(), novice.handshake_hash());
    let mut expert = expert.into_transport().unwrap();
    let mut novice = novice.into_transport().unwrap();
    record_passes(&mut novice, &mut expert, b"frames");
    record_passes(&mut expert, &mut novice, b"keys");
}

#[test]
fn inv_10_binding_is_equal_on_both_sides_and_new_for_every_handshake() {
    let Nk {
        mut expert,
        mut novice,
        ..
    } = nk(4);
    // The expert knows it before writing message 1; the novice after reading.
    let expert_binding = expert.binding().expect("initiator knows the binding");
    assert_eq!(novice.binding(), None);
    pass(&mut expert, &mut novice, b"proof goes here");
    assert_eq!(novice.binding(), Some(expert_binding));
    // It does not move as the handshake goes on.
    pass(&mut novice, &mut expert, b"");
    assert_eq!(expert.binding(), Some(expert_binding));
    assert_eq!(novice.binding(), Some(expert_binding));

    // The same RNG stream gives the same ephemeral and so the same binding;
    // the next handshake with the same invitation gets a fresh one.
    let mut rng = rng(4);
    let invitation = StaticKeypair::generate(&mut rng);
    let again = Handshake::nk_initiator(&mut rng, &invitation.public).unwrap();
    let later = Handshake::nk_initiator(&mut rng, &invitation.public).unwrap();
    assert_eq!(again.binding(), Some(expert_binding));
    assert_ne!(later.binding(), Some(expert_binding));
    // A different invitation key changes it too, even with the same ephemeral.
    let mut rng = self::rng(4);
    let _ = StaticKeypair::generate(&mut rng);
    let other_key = StaticKeypair::generate(&mut self::rng(99));
    let elsewhere = Handshake::nk_initiator(&mut rng, &other_key.public).unwrap();
    assert_eq!(elsewhere.local_ephemeral, again.local_ephemeral);
    assert_ne!(elsewhere.binding(), Some(expert_binding));

    // XX handshakes have bindings too, equal on both sides.
    let (mut x_expert, mut x_novice, _, _) = xx(5);
    pass(&mut x_expert, &mut x_novice, b"");
    assert_eq!(x_expert.binding(), x_novice.binding());
    assert!(x_expert.binding().is_some());
}

#[test]
fn ephemeral_keys_come_from_the_callers_rng() {
    let first_message = |seed: u64| {
        let key = StaticKeypair::from_secret([9; 32]);
        let mut hs = Handshake::nk_initiator(&mut rng(seed), &key.public).unwrap();
        let mut out = [0u8; 64];
        let n = hs.write_message(b"", &mut out).unwrap();
        out[..n].to_vec()
    };
    assert_eq!(first_message(10), first_message(10));
    assert_ne!(first_message(10), first_message(11));
}

#[test]
fn a_first_message_without_our_ephemeral_is_never_released() {
    let Nk { mut expert, .. } = nk(6);
    // Pretend the engine made its own ephemeral (what `EphemeralGivenUpFront`
    // would cause if it were ever reached).
    expert.local_ephemeral[0] ^= 1;
    let mut out = [0u8; 128];
    assert_eq!(
        expert.write_message(b"claim", &mut out),
        Err(HandshakeError::Internal)
    );
    assert!(
        out.iter().all(|&b| b == 0),
        "message bytes were left behind"
    );
    assert_eq!(
        expert.write_message(b"claim", &mut out),
        Err(HandshakeError::Failed)
    );
}

#[test]
fn steps_out_of_turn_are_refused_without_harm() {
    let Nk {
        mut expert,
        mut novice,
        ..
    } = nk(7);
    let mut buf = [0u8; 256];
    let mut payload = [0u8; 256];
    assert_eq!(
        novice.write_message(b"", &mut buf),
        Err(HandshakeError::WrongTurn)
    );
    assert_eq!(
        expert.read_message(&[0u8; 48], &mut payload),
        Err(HandshakeError::WrongTurn)
    );
    assert_eq!(
        expert.clone().into_transport().unwrap_err(),
        HandshakeError::NotFinished
    );
    pass(&mut expert, &mut novice, b"");
    pass(&mut novice, &mut expert, b"");
    // Finished: neither side may write or read; clatter would panic on a read.
    for side in [&mut expert, &mut novice] {
        assert_eq!(
            side.write_message(b"", &mut buf),
            Err(HandshakeError::WrongTurn)
        );
        assert_eq!(
            side.read_message(&[0u8; 48], &mut payload),
            Err(HandshakeError::WrongTurn)
        );
        assert!(side.is_finished());
    }
}

#[test]
fn payloads_that_make_messages_too_long_are_refused() {
    let Nk {
        mut expert,
        mut novice,
        ..
    } = nk(8);
    let mut out = vec![0u8; 70_000];
    // NK message 1 adds 48 bytes (e and the payload tag).
    let too_long = vec![0u8; MAX_HANDSHAKE_MESSAGE - 48 + 1];
    assert_eq!(
        expert.write_message(&too_long, &mut out),
        Err(HandshakeError::TooLong)
    );
    let huge = vec![0u8; 70_000];
    assert_eq!(
        expert.write_message(&huge, &mut out),
        Err(HandshakeError::TooLong)
    );
    // Nothing happened: the largest allowed payload still goes through.
    let largest = vec![0x5A; MAX_HANDSHAKE_MESSAGE - 48];
    assert_eq!(pass(&mut expert, &mut novice, &largest), largest);
}

#[test]
fn messages_over_65535_bytes_are_refused_not_panicked_on() {
    let Nk { mut novice, .. } = nk(9);
    let mut payload = vec![0u8; 70_000];
    assert_eq!(
        novice.read_message(&vec![0xAB; 70_000], &mut payload),
        Err(HandshakeError::TooLong)
    );
    assert_eq!(
        novice.read_message(&vec![0xAB; MAX_HANDSHAKE_MESSAGE + 1], &mut payload),
        Err(HandshakeError::TooLong)
    );
    assert!(!novice.is_write_turn());
}

#[test]
fn short_messages_are_malformed() {
    let Nk { mut novice, .. } = nk(10);
    let mut payload = [0u8; 64];
    assert_eq!(
        novice.clone().read_message(&[], &mut payload),
        Err(HandshakeError::InvalidMessage)
    );
    // NK message 1 is at least e (32) and a tag (16).
    assert_eq!(
        novice.read_message(&[1u8; 47], &mut payload),
        Err(HandshakeError::InvalidMessage)
    );
    assert_eq!(
        novice.read_message(&[1u8; 48], &mut payload),
        Err(HandshakeError::Failed)
    );
}

#[test]
fn small_buffers_are_refused_without_harm() {
    let Nk {
        mut expert,
        mut novice,
        ..
    } = nk(11);
    let mut small = [0u8; 48 + 4];
    assert_eq!(
        expert.write_message(b"12345", &mut small),
        Err(HandshakeError::BufferTooSmall)
    );
    let mut message = [0u8; 128];
    let n = expert.write_message(b"12345", &mut message).unwrap();
    let mut payload = [0u8; 4];
    assert_eq!(
        novice.read_message(&message[..n], &mut payload),
        Err(HandshakeError::BufferTooSmall)
    );
    let mut payload = [0u8; 5];
    assert_eq!(novice.read_message(&message[..n], &mut payload), Ok(5));
}

#[test]
fn trial_read_finds_the_invitation_and_leaves_the_others_usable() {
    let mut rng = rng(12);
    let invitations: Vec<StaticKeypair> =
        (0..3).map(|_| StaticKeypair::generate(&mut rng)).collect();
    let responders: Vec<Handshake> = invitations
        .iter()
        .map(|key| Handshake::nk_responder(&mut rng, &key.secret).unwrap())
        .collect();
    let mut expert = Handshake::nk_initiator(&mut rng, &invitations[1].public).unwrap();
    let mut message = [0u8; 128];
    let n = expert
        .write_message(b"for number one", &mut message)
        .unwrap();

    let mut payload = [0u8; 128];
    let mut found = None;
    for (index, responder) in responders.iter().enumerate() {
        match responder.trial_read(&message[..n], &mut payload) {
            Ok((advanced, len)) => {
                found = Some((index, advanced, len));
                break;
            }
            Err(error) => {
                assert_eq!(error, HandshakeError::Decrypt);
                assert!(payload.iter().all(|&b| b == 0), "failed read left bytes");
            }
        }
    }
    let (index, mut novice, len) = found.expect("one invitation matches");
    assert_eq!(index, 1);
    assert_eq!(&payload[..len], b"for number one");
    // The originals are untouched by the failed (and the successful) trials.
    assert!(responders
        .iter()
        .all(|r| !r.is_write_turn() && r.binding().is_none()));

    pass(&mut novice, &mut expert, b"");
    assert!(novice.is_finished() && expert.is_finished());
}

#[test]
fn framed_messages_round_trip() {
    let Nk {
        mut expert,
        mut novice,
        ..
    } = nk(13);
    let mut stream = [0u8; 256];
    let n = expert.write_framed(b"framed claim", &mut stream).unwrap();
    assert_eq!(
        parse_frame_header(&stream[..n]),
        Ok(Some(n - FRAME_HEADER_LEN))
    );
    let (message, used) = split_frame(&stream[..n]).unwrap().unwrap();
    assert_eq!(used, n);
    let mut payload = [0u8; 64];
    let len = novice.read_message(message, &mut payload).unwrap();
    assert_eq!(&payload[..len], b"framed claim");
    assert_eq!(
        novice.write_framed(b"", &mut [0u8; 1]),
        Err(HandshakeError::BufferTooSmall)
    );
}

#[test]
fn handshake_hash_differs_per_handshake() {
    let mut a = nk(14);
    let mut b = nk(15);
    pass(&mut a.expert, &mut a.novice, b"");
    pass(&mut a.novice, &mut a.expert, b"");
    pass(&mut b.expert, &mut b.novice, b"");
    pass(&mut b.novice, &mut b.expert, b"");
    assert_ne!(a.expert.handshake_hash(), b.expert.handshake_hash());
}

#[test]
fn debug_output_hides_keys() {
    let key = StaticKeypair::from_secret([0x42; 32]);
    let text = std::format!("{key:?}");
    assert!(text.contains("public"));
    assert!(!text.contains("secret"), "secret leaked: {text}");
    let Nk { expert, .. } = nk(16);
    assert!(std::format!("{expert:?}").contains("Nk"));
}

#[test]
fn static_keypair_matches_x25519() {
    let key = StaticKeypair::from_secret([7; 32]);
    let expected = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([7; 32]));
    assert_eq!(key.public, expected.to_bytes());
    let generated = StaticKeypair::generate(&mut rng(17));
    assert_eq!(
        StaticKeypair::from_secret(generated.secret).public,
        generated.public
    );
}

/// A handshake waiting to read each message of both patterns.
fn readers(seed: u64) -> Vec<(&'static str, Handshake)> {
    let mut scratch = [0u8; 256];
    let Nk {
        mut expert, novice, ..
    } = nk(seed);
    expert.write_message(b"", &mut scratch).unwrap();

    let (mut x_expert, mut x_novice, _, _) = xx(seed);
    let x_novice_before_1 = x_novice.clone();
    pass(&mut x_expert, &mut x_novice, b"");
    x_novice.write_message(b"", &mut scratch).unwrap();

    vec![
        ("nk novice reads 1", novice),
        ("nk expert reads 2", expert),
        ("xx novice reads 1", x_novice_before_1),
        ("xx expert reads 2", x_expert),
        ("xx novice reads 3", x_novice),
    ]
}

proptest! {
    #[test]
    fn reading_arbitrary_bytes_never_panics(message in proptest::collection::vec(any::<u8>(), 0..1200)) {
        for (name, mut reader) in readers(18) {
            let mut payload = [0u8; MAX_HANDSHAKE_MESSAGE];
            let result = reader.read_message(&message, &mut payload);
            if name == "xx novice reads 1" {
                // XX message 1 is a bare ephemeral key plus an unencrypted
                // payload: any 32 bytes or more are a valid message 1.
                prop_assert_eq!(result.is_ok(), (32..=MAX_HANDSHAKE_MESSAGE).contains(&message.len()));
            } else {
                prop_assert!(result.is_err(), "{} accepted random bytes", name);
            }
        }
    }

    #[test]
    fn reading_huge_arbitrary_messages_never_panics(len in 60_000usize..70_000, fill in any::<u8>()) {
        let message = vec![fill; len];
        for (_, mut reader) in readers(20) {
            let mut payload = vec![0u8; len];
            prop_assert_eq!(reader.read_message(&message, &mut payload), Err(HandshakeError::TooLong));
        }
    }

    #[test]
    fn any_flipped_bit_in_nk_message_1_is_detected(position in 0usize..64, bit in 0u8..8) {
        let Nk { mut expert, mut novice, .. } = nk(19);
        let mut message = [0u8; 64];
        let n = expert.write_message(b"sixteen byte pay", &mut message).unwrap();
        prop_assert_eq!(n, 64);
        message[position] ^= 1 << bit;
        let mut payload = [0u8; 64];
        prop_assert!(novice.read_message(&message[..n], &mut payload).is_err());
    }
}
