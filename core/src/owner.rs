//! The dongle owner's channel (issue 7): pair once with a one-time code,
//! then manage the dongle's invitations from `beckon dongle`.
//!
//! The channel reuses the session's cryptography: after the preamble
//! [`OWNER_PREAMBLE`], a `Noise_XX` handshake (see [`crate::handshake`])
//! with the owner's key as initiator and the dongle's device key as
//! responder, then records ([`crate::record`]) that each carry one
//! postcard-encoded [`OwnerRequest`] or [`OwnerReply`].
//!
//! - **Pairing.** While the dongle has no owner it shows a one-time code
//!   (console, or after a long button press). The first request must be
//!   [`OwnerRequest::Pair`] with [`pairing_proof`] of that code over the
//!   handshake hash, which covers both static keys: a relay in the middle
//!   has other hashes on its two legs and cannot forward the proof. The
//!   dongle keeps the owner's key; the owner keeps the dongle's.
//! - **After pairing** the dongle serves requests only when the peer's
//!   static key is the owner's, and the owner's client only talks to the
//!   device key it paired with.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::invitation::{InvitationStatus, MAX_ADDRESSES};

/// First bytes the owner's client sends: magic and protocol generation.
pub const OWNER_PREAMBLE: [u8; 4] = *b"BKO1";

/// The TCP port of the owner channel on a dongle (sessions use 7070).
pub const OWNER_PORT: u16 = 7071;

/// Digits in a pairing code.
pub const PAIRING_CODE_DIGITS: usize = 6;

/// Wrong codes a dongle accepts before the code is spent and a new one
/// (long button press) is needed.
pub const PAIRING_ATTEMPTS: u8 = 3;

/// Largest owner message plaintext; requests and replies are small.
pub const MAX_OWNER_MESSAGE: usize = 1024;

const PAIRING_LABEL: &[u8] = b"beckon owner pairing v1";

/// The pairing proof: HMAC-SHA256 keyed with the code, over a label and
/// the finished handshake's hash.
pub fn pairing_proof(code: &str, handshake_hash: &[u8; 32]) -> [u8; 32] {
    // HMAC takes keys of any length; the fallback only avoids a panic path.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(code.as_bytes()) else {
        return [0u8; 32];
    };
    mac.update(PAIRING_LABEL);
    mac.update(handshake_hash);
    mac.finalize().into_bytes().into()
}

/// The dongle's check of a pairing proof, in constant time.
pub fn pairing_proof_matches(code: &str, handshake_hash: &[u8; 32], proof: &[u8; 32]) -> bool {
    pairing_proof(code, handshake_hash).ct_eq(proof).into()
}

/// A pairing code from 4 random bytes: six decimal digits.
pub fn pairing_code(random: [u8; 4]) -> heapless::String<PAIRING_CODE_DIGITS> {
    let mut n = u32::from_le_bytes(random) % 1_000_000;
    let mut digits = [b'0'; PAIRING_CODE_DIGITS];
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut s = heapless::String::new();
    for d in digits {
        // Six ASCII digits fit the six-byte string.
        let _ = s.push(char::from(d));
    }
    s
}

/// What the owner asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OwnerRequest<'a> {
    /// Become the dongle's owner with the one-time code's proof.
    Pair {
        /// [`pairing_proof`] of the code over the handshake hash.
        proof: [u8; 32],
    },
    /// Make an invitation (INV-01…03): open for `minutes`, for helpers who
    /// connect to `addresses`, with an optional password (INV-02).
    Invite {
        /// Minutes until it expires, at least 1.
        minutes: u32,
        /// Where helpers connect.
        #[serde(borrow)]
        addresses: heapless::Vec<&'a str, MAX_ADDRESSES>,
        /// The password, if any.
        password: Option<&'a str>,
        /// Unattended hardware help: a helper with this invitation is let
        /// in, and given control when remote control is allowed, without
        /// asking anyone at the machine. The helper is told so.
        pre_approved: bool,
    },
    /// List the invitations (INV-04); one [`OwnerReply::Entry`] each, then
    /// [`OwnerReply::EndOfList`].
    List,
    /// Revoke one invitation, or all (`None`).
    Revoke {
        /// The invitation's id.
        id: Option<[u8; 16]>,
    },
    /// Allow or forbid remote control on the dongle (SES-03).
    AllowControl(bool),
    /// The owner's wall clock, Unix milliseconds. A dongle without a
    /// battery-backed clock takes its time from here (invitations expire by
    /// it); it changes its clock only while no session runs.
    SetClock {
        /// The owner's time.
        unix_ms: u64,
    },
}

/// What the dongle answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OwnerReply<'a> {
    /// Paired: this key is the owner's from now on.
    Paired,
    /// A new invitation, in its text form.
    Invitation {
        /// The text to give the helper.
        text: &'a str,
    },
    /// One invitation of a list.
    Entry {
        /// Its id.
        id: [u8; 16],
        /// Where it stands.
        status: InvitationStatus,
        /// When it expires, Unix milliseconds.
        expires_at_ms: u64,
        /// Whether it needs a password.
        password: bool,
    },
    /// The list is complete.
    EndOfList,
    /// This many invitations were revoked.
    Revoked {
        /// How many.
        count: u32,
    },
    /// Remote control is now allowed (`true`) or off.
    Control(bool),
    /// The dongle's clock after a [`OwnerRequest::SetClock`].
    Clock {
        /// Unix milliseconds.
        unix_ms: u64,
    },
    /// The request was refused; the channel stays open unless the reason
    /// says otherwise.
    Refused(OwnerRefusal),
}

/// Why the dongle refused an owner request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OwnerRefusal {
    /// The dongle has no owner yet: pair first.
    #[error("this dongle is not paired yet: run `beckon dongle pair` with the code it shows")]
    NotPaired,
    /// Another key owns this dongle. The channel closes.
    #[error("this dongle belongs to another owner")]
    NotOwner,
    /// The pairing code was wrong.
    #[error("the pairing code is wrong")]
    WrongCode,
    /// No pairing code is valid now: too many wrong ones, or none shown.
    /// A long press of the dongle's button shows a new one.
    #[error("no pairing code is valid: hold the dongle's button for a new one")]
    NoCode,
    /// The dongle holds as many open invitations as it can.
    #[error("the dongle's invitation book is full: revoke one first")]
    BookFull,
    /// The request was malformed or its values out of range.
    #[error("the dongle did not understand the request")]
    BadRequest,
}

/// Encode a message into `out`; its length, or `None` if it does not fit.
pub fn encode<T: Serialize>(message: &T, out: &mut [u8]) -> Option<usize> {
    postcard::to_slice(message, out).ok().map(|s| s.len())
}

/// Decode a request; `None` for anything malformed.
pub fn decode_request(bytes: &[u8]) -> Option<OwnerRequest<'_>> {
    postcard::from_bytes(bytes).ok()
}

/// Decode a reply; `None` for anything malformed.
pub fn decode_reply(bytes: &[u8]) -> Option<OwnerReply<'_>> {
    postcard::from_bytes(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::{split_frame, Handshake, StaticKeypair, MAX_FRAME};
    use rand_chacha::rand_core::SeedableRng;

    /// Run the owner channel's XX handshake in memory; both sides' hashes.
    fn handshake(owner: &StaticKeypair, device: &StaticKeypair) -> ([u8; 32], [u8; 32]) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut i = Handshake::xx_initiator(&mut rng, &owner.secret).unwrap();
        let mut r = Handshake::xx_responder(&mut rng, &device.secret).unwrap();
        let mut buf = [0u8; MAX_FRAME];
        let mut payload = [0u8; 64];
        let mut turn = 0;
        while !(i.is_finished() && r.is_finished()) {
            let (w, rd) = if turn % 2 == 0 {
                (&mut i, &mut r)
            } else {
                (&mut r, &mut i)
            };
            let n = w.write_framed(&[], &mut buf).unwrap();
            let (msg, _) = split_frame(&buf[..n]).unwrap().unwrap();
            rd.read_message(msg, &mut payload).unwrap();
            turn += 1;
        }
        assert_eq!(i.remote_static(), Some(device.public));
        assert_eq!(r.remote_static(), Some(owner.public));
        (i.handshake_hash(), r.handshake_hash())
    }

    #[test]
    fn the_code_proof_binds_this_handshake() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let owner = StaticKeypair::generate(&mut rng);
        let device = StaticKeypair::generate(&mut rng);
        let (hi, hr) = handshake(&owner, &device);
        assert_eq!(hi, hr);
        let proof = pairing_proof("123456", &hi);
        assert!(pairing_proof_matches("123456", &hr, &proof));
        assert!(!pairing_proof_matches("123457", &hr, &proof));
        // A relay's other leg has another hash: the proof does not carry over.
        let relay = StaticKeypair::generate(&mut rng);
        let (other, _) = handshake(&relay, &device);
        assert!(!pairing_proof_matches("123456", &other, &proof));
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(pairing_code([0, 0, 0, 0]).as_str(), "000000");
        assert_eq!(pairing_code(42u32.to_le_bytes()).as_str(), "000042");
        assert_eq!(pairing_code(u32::MAX.to_le_bytes()).len(), 6);
    }

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let mut buf = [0u8; MAX_OWNER_MESSAGE];
        let mut addresses = heapless::Vec::new();
        addresses.push("192.0.2.7:7070").unwrap();
        let req = OwnerRequest::Invite {
            minutes: 30,
            addresses,
            password: Some("tulip"),
            pre_approved: true,
        };
        let n = encode(&req, &mut buf).unwrap();
        assert_eq!(decode_request(&buf[..n]), Some(req));
        let clock = OwnerRequest::SetClock {
            unix_ms: 1_767_225_600_123,
        };
        let n = encode(&clock, &mut buf).unwrap();
        assert_eq!(decode_request(&buf[..n]), Some(clock));
        let reply = OwnerReply::Entry {
            id: [7; 16],
            status: InvitationStatus::Open,
            expires_at_ms: 1_700_000_000_000,
            password: true,
        };
        let n = encode(&reply, &mut buf).unwrap();
        assert_eq!(decode_reply(&buf[..n]), Some(reply));
        for junk in [&[][..], &[0xFF; 9][..], &[1, 200, 200, 200, 200, 200][..]] {
            assert_eq!(decode_request(junk).map(|_| ()), None);
        }
    }
}
