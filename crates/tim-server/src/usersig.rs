//! TLSSigAPIv2 UserSigs: the tokens Tencent's official generators (npm/PyPI `tls-sig-api-v2`)
//! make. A sig is `{"TLS.ver":"2.0", ...}` JSON, zlib-compressed, base64 with `+/=` → `*-_`,
//! signed with HMAC-SHA256 over a fixed field string keyed by the app's secret key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::io::{Read, Write};
use tim_proto::codes;

/// Decoded sigs are small; anything that inflates past this is refused (no zip bombs).
const MAX_INFLATED_BYTES: u64 = 8 * 1024;

/// Why a UserSig was refused; [`SigError::code`] is the official 70xxx code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("UserSig is empty")]
    Empty,
    #[error("UserSig cannot be decoded; was it truncated or altered?")]
    Malformed,
    #[error("UserSig was made for another SDKAppID")]
    SdkAppIdMismatch,
    #[error("UserSig was made for another userID")]
    IdentifierMismatch,
    #[error("UserSig signature check failed: altered, or made with another secret key")]
    BadSignature,
    #[error("UserSig expired; generate a new one")]
    Expired,
    #[error("UserSig is dated in the future; check the clock of the server that made it")]
    FromTheFuture,
}

/// How far ahead of this server's clock a UserSig's `TLS.time` may be (clock skew).
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

impl SigError {
    pub fn code(self) -> u32 {
        match self {
            SigError::Empty => codes::USERSIG_EMPTY,
            SigError::Malformed | SigError::FromTheFuture => codes::USERSIG_INVALID,
            SigError::SdkAppIdMismatch => codes::USERSIG_SDKAPPID_MISMATCH,
            SigError::IdentifierMismatch => codes::USERSIG_IDENTIFIER_MISMATCH,
            SigError::BadSignature => codes::USERSIG_VERIFY_FAILED,
            SigError::Expired => codes::USERSIG_EXPIRED,
        }
    }
}

fn field_string(identifier: &str, sdkappid: &str, time: &str, expire: &str) -> String {
    format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    )
}

fn mac(key: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length")
}

/// Make a UserSig exactly as the official generators do.
pub fn generate(sdkappid: u64, key: &str, user: &str, expire_secs: u64, now: u64) -> String {
    let mut m = mac(key);
    m.update(
        field_string(
            user,
            &sdkappid.to_string(),
            &now.to_string(),
            &expire_secs.to_string(),
        )
        .as_bytes(),
    );
    let sig = STANDARD.encode(m.finalize().into_bytes());
    let doc = serde_json::json!({
        "TLS.ver": "2.0",
        "TLS.identifier": user,
        "TLS.sdkappid": sdkappid,
        "TLS.time": now,
        "TLS.expire": expire_secs,
        "TLS.sig": sig,
    });
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(doc.to_string().as_bytes())
        .and_then(|_| z.finish())
        .map(|bytes| to_url_alphabet(&STANDARD.encode(bytes)))
        .expect("writing to a Vec cannot fail")
}

fn to_url_alphabet(b64: &str) -> String {
    b64.chars()
        .map(|c| match c {
            '+' => '*',
            '/' => '-',
            '=' => '_',
            c => c,
        })
        .collect()
}

/// The number or numeric string of a sig field, as text (the HMAC covers the text).
fn numeric_text(v: Option<&Value>) -> Option<(String, u64)> {
    match v? {
        Value::Number(n) => n.as_u64().map(|u| (n.to_string(), u)),
        Value::String(s) => s.parse::<u64>().ok().map(|u| (s.clone(), u)),
        _ => None,
    }
}

/// Inflate a whole zlib stream as zlib itself does: checksum verified (flate2 does not check
/// it), no bytes after the stream, at most [`MAX_INFLATED_BYTES`] out. Deflate has more than one
/// encoding of the same document (unused padding bits, equivalent code choices); those decode
/// to the same signed document and are the same token.
fn inflate(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut inflater = ZlibDecoder::new(compressed);
    (&mut inflater)
        .take(MAX_INFLATED_BYTES)
        .read_to_end(&mut out)
        .ok()?;
    let trailer = compressed.len().checked_sub(4)?;
    let whole = inflater.total_in() == compressed.len() as u64;
    (whole && trailer > 2 && compressed[trailer..] == adler32(&out).to_be_bytes()).then_some(out)
}

/// The zlib stream checksum (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// The signed document a sig carries (the JSON text), if it decodes: base64 in the `*-_`
/// alphabet with canonical padding (the official generators always pad, and a sig must have one
/// form), then zlib.
pub fn document(sig: &str) -> Option<Vec<u8>> {
    let b64: String = sig
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    inflate(&STANDARD.decode(b64).ok()?)
}

/// Check a UserSig for `user` of app `sdkappid` signed with `key`, at Unix time `now`; gives
/// the Unix time at which it expires.
pub fn verify(sig: &str, sdkappid: u64, key: &str, user: &str, now: u64) -> Result<u64, SigError> {
    if sig.is_empty() {
        return Err(SigError::Empty);
    }
    let json = document(sig).ok_or(SigError::Malformed)?;
    let doc: Value = serde_json::from_slice(&json).map_err(|_| SigError::Malformed)?;
    if doc.get("TLS.ver").and_then(Value::as_str) != Some("2.0") {
        return Err(SigError::Malformed);
    }
    let identifier = doc
        .get("TLS.identifier")
        .and_then(Value::as_str)
        .ok_or(SigError::Malformed)?;
    let (app_text, app) = numeric_text(doc.get("TLS.sdkappid")).ok_or(SigError::Malformed)?;
    let (time_text, time) = numeric_text(doc.get("TLS.time")).ok_or(SigError::Malformed)?;
    let (expire_text, expire) = numeric_text(doc.get("TLS.expire")).ok_or(SigError::Malformed)?;
    let signature = doc
        .get("TLS.sig")
        .and_then(Value::as_str)
        .and_then(|s| STANDARD.decode(s).ok())
        .ok_or(SigError::Malformed)?;
    if app != sdkappid {
        return Err(SigError::SdkAppIdMismatch);
    }
    if identifier != user {
        return Err(SigError::IdentifierMismatch);
    }
    let mut content = field_string(identifier, &app_text, &time_text, &expire_text);
    if let Some(userbuf) = doc.get("TLS.userbuf") {
        let userbuf = userbuf.as_str().ok_or(SigError::Malformed)?;
        content.push_str("TLS.userbuf:");
        content.push_str(userbuf);
        content.push('\n');
    }
    let mut m = mac(key);
    m.update(content.as_bytes());
    m.verify_slice(&signature)
        .map_err(|_| SigError::BadSignature)?;
    let expires_at = time.saturating_add(expire);
    if now > expires_at {
        return Err(SigError::Expired);
    }
    if time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
        return Err(SigError::FromTheFuture);
    }
    Ok(expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

    #[test]
    fn accepts_a_sig_from_the_official_npm_generator() {
        // new Api(1400000000, KEY).genUserSig("xiaojun", 86400) from tls-sig-api-v2 1.0.2.
        let official = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmluamhkbGhtYQkRTKwoyi1KVrCzMTGAKizPTlayU0kqTwos9AtONo9JDHUvTLRMLjc3yAvSL9fO1zcujfJzDC6rS8gzCTMMDs22VagEz2DHc";
        let json = document(official).expect("the official sig decodes");
        let issued_at = serde_json::from_slice::<Value>(&json).unwrap()["TLS.time"]
            .as_u64()
            .unwrap();
        assert_eq!(
            verify(official, 1400000000, KEY, "xiaojun", issued_at + 10),
            Ok(issued_at + 86400)
        );
        assert_eq!(
            verify(official, 1400000000, KEY, "xiaojun", issued_at + 86401),
            Err(SigError::Expired)
        );
        assert_eq!(
            verify(official, 1400000000, "other", "xiaojun", issued_at),
            Err(SigError::BadSignature)
        );
    }

    #[test]
    fn adler32_matches_the_rfc_example() {
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn generated_sigs_round_trip_and_refuse_mismatches() {
        let sig = generate(7, "k", "alice", 60, 1000);
        assert_eq!(verify(&sig, 7, "k", "alice", 1060), Ok(1060));
        assert_eq!(verify(&sig, 7, "k", "alice", 1061), Err(SigError::Expired));
        assert_eq!(
            verify(&sig, 8, "k", "alice", 1000),
            Err(SigError::SdkAppIdMismatch)
        );
        assert_eq!(
            verify(&sig, 7, "k", "bob", 1000),
            Err(SigError::IdentifierMismatch)
        );
        assert_eq!(
            verify(&sig, 7, "x", "alice", 1000),
            Err(SigError::BadSignature)
        );
        assert_eq!(verify("", 7, "k", "alice", 1000), Err(SigError::Empty));
        assert_eq!(
            verify("!!", 7, "k", "alice", 1000),
            Err(SigError::Malformed)
        );
    }
}
