//! Helper certificates: an organisation's group key vouches for a helper's
//! key (OFF-02), the way a domain vouches for its accounts.
//!
//! The group signs, with Ed25519, an unambiguous encoding of everything the
//! certificate claims (see [`HelperCertificate::signed_message`]), so no field
//! can be changed, and no field's bytes can be shifted into another, without
//! breaking the signature.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::PolicyError;
use crate::message::{self, DecodeError, EncodeError, MAX_NAME_BYTES};

/// Separates these signatures from anything else the group key might sign.
const SIGNATURE_LABEL: &[u8] = b"beckon helper certificate v1\0";

/// Longest message a group signs ([`HelperCertificate::signed_message`]):
/// label, group key, helper key, expiry, name length and the longest name.
pub const SIGNED_MESSAGE_CAP: usize = SIGNATURE_LABEL.len() + 32 + 32 + 8 + 1 + MAX_NAME_BYTES;

/// A group's statement that a helper key belongs to one of its helpers, until
/// an expiry time.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(from = "CertificateWire", into = "CertificateWire")]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HelperCertificate {
    /// The helper's X25519 Noise static public key.
    pub helper_key: [u8; 32],
    /// The helper's display name, as the group vouches for it.
    pub helper_name: heapless::String<MAX_NAME_BYTES>,
    /// When the certificate stops being valid, wall-clock Unix time in ms.
    pub expires_at_ms: u64,
    /// The group's Ed25519 verifying key.
    pub group_key: [u8; 32],
    /// The group's Ed25519 signature over [`HelperCertificate::signed_message`].
    pub signature: [u8; 64],
}

/// Why a certificate is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CertificateError {
    /// The group key is not a usable Ed25519 key.
    #[error("the certificate's group key is not a valid key")]
    BadGroupKey,
    /// The signature does not match: forged, or a field was changed.
    #[error("the certificate's signature is not valid (forged or altered)")]
    BadSignature,
    /// The certificate has expired.
    #[error("the certificate has expired")]
    Expired,
    /// The certificate is valid but names another helper's key.
    #[error("the certificate belongs to another helper")]
    OtherHelper,
}

impl HelperCertificate {
    /// Sign a certificate for `helper_key` with the group's key.
    pub fn issue(
        group: &SigningKey,
        helper_key: [u8; 32],
        helper_name: &str,
        expires_at_ms: u64,
    ) -> Result<Self, PolicyError> {
        let helper_name =
            heapless::String::try_from(helper_name).map_err(|_| PolicyError::NameTooLong)?;
        let mut certificate = HelperCertificate {
            helper_key,
            helper_name,
            expires_at_ms,
            group_key: group.verifying_key().to_bytes(),
            signature: [0u8; 64],
        };
        let message = certificate.signed_message();
        certificate.signature = group.sign(&message).to_bytes();
        Ok(certificate)
    }

    /// The bytes the group signs:
    ///
    /// ```text
    /// "beckon helper certificate v1\0" group_key[32] helper_key[32]
    /// expires_at_ms:u64be name_len:u8 name
    /// ```
    ///
    /// Fixed-size fields come first and the one variable field carries its
    /// length, so two different certificates never produce the same bytes.
    /// The group key is included so a signature cannot be presented under
    /// another key.
    pub fn signed_message(&self) -> heapless::Vec<u8, SIGNED_MESSAGE_CAP> {
        let mut message = heapless::Vec::new();
        // The capacity is the sum of the parts' largest sizes and the name's
        // type bounds its length, so none of these can fail; ignoring the
        // results keeps the function free of panics.
        let name = self.helper_name.as_bytes();
        let name_len = u8::try_from(name.len()).unwrap_or(u8::MAX);
        let _ = message.extend_from_slice(SIGNATURE_LABEL);
        let _ = message.extend_from_slice(&self.group_key);
        let _ = message.extend_from_slice(&self.helper_key);
        let _ = message.extend_from_slice(&self.expires_at_ms.to_be_bytes());
        let _ = message.push(name_len);
        let _ = message.extend_from_slice(name);
        message
    }

    /// Check the group key and signature, then the expiry at `now_ms`.
    ///
    /// A forged certificate is reported as such even when it has also
    /// expired: that is the more important thing to tell an administrator.
    pub fn verify(&self, now_ms: u64) -> Result<(), CertificateError> {
        let group_key =
            VerifyingKey::from_bytes(&self.group_key).map_err(|_| CertificateError::BadGroupKey)?;
        if group_key.is_weak() {
            return Err(CertificateError::BadGroupKey);
        }
        let signature = Signature::from_bytes(&self.signature);
        // Strict verification rejects malleable signatures and small-order
        // components, so one certificate has exactly one valid signature.
        group_key
            .verify_strict(&self.signed_message(), &signature)
            .map_err(|_| CertificateError::BadSignature)?;
        if now_ms >= self.expires_at_ms {
            return Err(CertificateError::Expired);
        }
        Ok(())
    }

    /// [`HelperCertificate::verify`], and that the certificate is for
    /// `helper_key` (the key the helper proved in the handshake).
    pub fn verify_for(&self, helper_key: &[u8; 32], now_ms: u64) -> Result<(), CertificateError> {
        self.verify(now_ms)?;
        if self.helper_key != *helper_key {
            return Err(CertificateError::OtherHelper);
        }
        Ok(())
    }

    /// Write the byte form (version byte + postcard) into `out`; returns the
    /// length. This is what travels in [`crate::message::OfferClaim`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        message::encode_value(self, out)
    }

    /// Read the byte form. Says nothing about validity: call
    /// [`HelperCertificate::verify_for`]. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        message::decode_value(bytes)
    }
}

/// The serialised shape: serde handles byte arrays only up to 32 bytes, so
/// the 64-byte signature travels as its two natural halves, `R` and `s`.
#[derive(Clone, Serialize, Deserialize)]
struct CertificateWire {
    helper_key: [u8; 32],
    helper_name: heapless::String<MAX_NAME_BYTES>,
    expires_at_ms: u64,
    group_key: [u8; 32],
    signature_r: [u8; 32],
    signature_s: [u8; 32],
}

impl From<HelperCertificate> for CertificateWire {
    fn from(certificate: HelperCertificate) -> Self {
        let (r, s) = split_signature(&certificate.signature);
        CertificateWire {
            helper_key: certificate.helper_key,
            helper_name: certificate.helper_name,
            expires_at_ms: certificate.expires_at_ms,
            group_key: certificate.group_key,
            signature_r: r,
            signature_s: s,
        }
    }
}

impl From<CertificateWire> for HelperCertificate {
    fn from(wire: CertificateWire) -> Self {
        let mut signature = [0u8; 64];
        let (r, s) = signature.split_at_mut(32);
        r.copy_from_slice(&wire.signature_r);
        s.copy_from_slice(&wire.signature_s);
        HelperCertificate {
            helper_key: wire.helper_key,
            helper_name: wire.helper_name,
            expires_at_ms: wire.expires_at_ms,
            group_key: wire.group_key,
            signature,
        }
    }
}

fn split_signature(signature: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut r = [0u8; 32];
    let mut s = [0u8; 32];
    let (first, second) = signature.split_at(32);
    r.copy_from_slice(first);
    s.copy_from_slice(second);
    (r, s)
}
