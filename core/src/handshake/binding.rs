//! The handshake binding: 32 bytes that name one handshake, for the password
//! proof.

use blake2::{Blake2s256, Digest};

/// Domain separation, so the binding can never equal another BLAKE2s value
/// Beckon computes over the same inputs.
const LABEL: &[u8] = b"beckon password binding";

/// `BLAKE2s(LABEL || h0 || initiator_ephemeral)`.
///
/// `h0` is the Noise handshake hash after the prologue and pre-messages, so it
/// names the protocol, Beckon's prologue and (for NK) the novice's invitation
/// key. The initiator's ephemeral public key is fresh for every handshake, so
/// no two handshakes share a binding and a password proof made for one is
/// worthless in any other. Both sides know these inputs once message 1 is
/// under way: the initiator before writing it, the responder after reading it.
pub(super) fn derive(h0: &[u8; 32], initiator_ephemeral: &[u8; 32]) -> [u8; 32] {
    Blake2s256::new()
        .chain_update(LABEL)
        .chain_update(h0)
        .chain_update(initiator_ephemeral)
        .finalize()
        .into()
}
