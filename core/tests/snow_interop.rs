//! Live interoperability with the `snow` Noise implementation: Beckon's
//! handshake against snow's, both roles, both patterns, with payloads; then
//! records both ways, where a Beckon record body must be a snow transport
//! message and the other way round.

use beckon_core::handshake::{Handshake, StaticKeypair, PROLOGUE};
use beckon_core::record::{sealed_len, Transport, HEADER_LEN, MAX_PLAINTEXT};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const NK: &str = "Noise_NK_25519_ChaChaPoly_BLAKE2s";
const XX: &str = "Noise_XX_25519_ChaChaPoly_BLAKE2s";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn snow_builder(protocol: &str) -> snow::Builder<'static> {
    snow::Builder::new(protocol.parse().expect("protocol name"))
        .prologue(PROLOGUE)
        .expect("prologue")
}

/// Beckon writes, snow reads; returns what snow received.
fn beckon_to_snow(
    ours: &mut Handshake,
    theirs: &mut snow::HandshakeState,
    payload: &[u8],
) -> Vec<u8> {
    let mut wire = [0u8; 1024];
    let n = ours
        .write_message(payload, &mut wire)
        .expect("beckon writes");
    let mut out = [0u8; 1024];
    let m = theirs
        .read_message(&wire[..n], &mut out)
        .expect("snow reads");
    out[..m].to_vec()
}

/// Snow writes, Beckon reads; returns what Beckon received.
fn snow_to_beckon(
    theirs: &mut snow::HandshakeState,
    ours: &mut Handshake,
    payload: &[u8],
) -> Vec<u8> {
    let mut wire = [0u8; 1024];
    let n = theirs
        .write_message(payload, &mut wire)
        .expect("snow writes");
    let mut out = [0u8; 1024];
    let m = ours
        .read_message(&wire[..n], &mut out)
        .expect("beckon reads");
    out[..m].to_vec()
}

/// Several records each way, of several sizes up to a full record.
/// Both ends agree on the handshake hash, then records go both ways.
fn agree_and_exchange(ours: Handshake, theirs: snow::HandshakeState) {
    assert_eq!(&ours.handshake_hash()[..], theirs.get_handshake_hash());
    let mut ours = ours.into_transport().unwrap();
    let mut theirs = theirs.into_transport_mode().unwrap();
    exchange_records(&mut ours, &mut theirs);
}

fn exchange_records(ours: &mut Transport, theirs: &mut snow::TransportState) {
    let sizes = [0usize, 1, 100, 1500, MAX_PLAINTEXT];
    for (round, &size) in sizes.iter().enumerate() {
        let text: Vec<u8> = (0..size).map(|i| (i * 7 + round) as u8).collect();

        // Beckon → snow: the record body is a Noise transport message.
        let mut record = vec![0u8; sealed_len(size)];
        let n = ours.seal(&text, &mut record).expect("seal");
        let announced = u16::from_be_bytes([record[0], record[1]]) as usize;
        assert_eq!(announced, n - HEADER_LEN);
        let mut out = vec![0u8; size + 16];
        let m = theirs
            .read_message(&record[HEADER_LEN..n], &mut out)
            .expect("snow opens a Beckon record");
        assert_eq!(&out[..m], text.as_slice());

        // snow → Beckon: a Noise transport message is a record body.
        let reply: Vec<u8> = text.iter().rev().copied().collect();
        let mut body = vec![0u8; size + 16];
        let n = theirs.write_message(&reply, &mut body).expect("snow seals");
        let m = ours
            .open_in_place(&mut body[..n])
            .expect("Beckon opens a snow message");
        assert_eq!(&body[..m], reply.as_slice());
    }
    assert!(!ours.is_poisoned());
}

#[test]
fn nk_beckon_initiator_with_snow_responder() {
    let mut rng = rng(1);
    let invitation = StaticKeypair::generate(&mut rng);
    let mut expert = Handshake::nk_initiator(&mut rng, &invitation.public).unwrap();
    let mut novice = snow_builder(NK)
        .local_private_key(&invitation.secret)
        .unwrap()
        .build_responder()
        .unwrap();

    assert_eq!(
        beckon_to_snow(&mut expert, &mut novice, b"invitation claim"),
        b"invitation claim"
    );
    assert_eq!(
        snow_to_beckon(&mut novice, &mut expert, b"admitted"),
        b"admitted"
    );
    assert!(expert.is_finished() && novice.is_handshake_finished());
    agree_and_exchange(expert, novice);
}

#[test]
fn nk_snow_initiator_with_beckon_responder() {
    let mut rng = rng(2);
    let invitation = StaticKeypair::generate(&mut rng);
    let mut novice = Handshake::nk_responder(&mut rng, &invitation.secret).unwrap();
    let mut expert = snow_builder(NK)
        .remote_public_key(&invitation.public)
        .unwrap()
        .build_initiator()
        .unwrap();

    assert_eq!(snow_to_beckon(&mut expert, &mut novice, b"claim"), b"claim");
    assert!(novice.binding().is_some());
    assert_eq!(
        beckon_to_snow(&mut novice, &mut expert, b"admitted"),
        b"admitted"
    );
    assert!(novice.is_finished() && expert.is_handshake_finished());
    agree_and_exchange(novice, expert);
}

#[test]
fn nk_snow_initiator_with_a_different_key_is_refused() {
    let mut rng = rng(3);
    let invitation = StaticKeypair::generate(&mut rng);
    let stranger = StaticKeypair::generate(&mut rng);
    let mut novice = Handshake::nk_responder(&mut rng, &invitation.secret).unwrap();
    let mut expert = snow_builder(NK)
        .remote_public_key(&stranger.public)
        .unwrap()
        .build_initiator()
        .unwrap();
    let mut wire = [0u8; 256];
    let n = expert.write_message(b"claim", &mut wire).unwrap();
    let mut out = [0u8; 256];
    assert!(novice.read_message(&wire[..n], &mut out).is_err());
}

#[test]
fn xx_beckon_initiator_with_snow_responder() {
    let mut rng = rng(4);
    let expert_key = StaticKeypair::generate(&mut rng);
    let machine_key = StaticKeypair::generate(&mut rng);
    let mut expert = Handshake::xx_initiator(&mut rng, &expert_key.secret).unwrap();
    let mut novice = snow_builder(XX)
        .local_private_key(&machine_key.secret)
        .unwrap()
        .build_responder()
        .unwrap();

    assert_eq!(beckon_to_snow(&mut expert, &mut novice, b""), b"");
    assert_eq!(
        snow_to_beckon(&mut novice, &mut expert, b"machine"),
        b"machine"
    );
    assert_eq!(expert.remote_static(), Some(machine_key.public));
    assert_eq!(
        beckon_to_snow(&mut expert, &mut novice, b"offer claim"),
        b"offer claim"
    );
    assert_eq!(novice.get_remote_static(), Some(&expert_key.public[..]));
    agree_and_exchange(expert, novice);
}

#[test]
fn xx_snow_initiator_with_beckon_responder() {
    let mut rng = rng(5);
    let expert_key = StaticKeypair::generate(&mut rng);
    let machine_key = StaticKeypair::generate(&mut rng);
    let mut novice = Handshake::xx_responder(&mut rng, &machine_key.secret).unwrap();
    let mut expert = snow_builder(XX)
        .local_private_key(&expert_key.secret)
        .unwrap()
        .build_initiator()
        .unwrap();

    assert_eq!(snow_to_beckon(&mut expert, &mut novice, b"hi"), b"hi");
    assert_eq!(
        beckon_to_snow(&mut novice, &mut expert, b"machine"),
        b"machine"
    );
    assert_eq!(expert.get_remote_static(), Some(&machine_key.public[..]));
    assert_eq!(
        snow_to_beckon(&mut expert, &mut novice, b"offer claim"),
        b"offer claim"
    );
    assert_eq!(novice.remote_static(), Some(expert_key.public));
    agree_and_exchange(novice, expert);
}

#[test]
fn a_different_prologue_does_not_complete() {
    let mut rng = rng(6);
    let invitation = StaticKeypair::generate(&mut rng);
    let mut novice = Handshake::nk_responder(&mut rng, &invitation.secret).unwrap();
    let mut expert = snow::Builder::new(NK.parse().unwrap())
        .prologue(b"beckon/0")
        .unwrap()
        .remote_public_key(&invitation.public)
        .unwrap()
        .build_initiator()
        .unwrap();
    let mut wire = [0u8; 256];
    let n = expert.write_message(b"claim", &mut wire).unwrap();
    let mut out = [0u8; 256];
    assert!(novice.read_message(&wire[..n], &mut out).is_err());
}
