//! Matching an expected recipient against a (possibly hashed) identity, as OB 2.0
//! `IdentityObject` and OB 3.0 `IdentityObject` write it: `sha256$<hex>` of the identity
//! followed by the salt.

use sha2::{Digest, Sha256};

use crate::options::Recipient;

fn normalize(expected: &Recipient, text: &str) -> String {
    match expected {
        Recipient::Email(_) => text.trim().to_lowercase(),
        _ => text.trim().to_owned(),
    }
}

/// True when `plain` is the expected identity (emails compare case-insensitively).
pub(crate) fn same_identity(expected: &Recipient, plain: &str) -> bool {
    normalize(expected, plain) == normalize(expected, expected.value())
}

/// True when `identity` (hashed per `hashed`, with `salt`) names the expected recipient.
/// Only `sha256$` hashes can be checked; `md5$` and others never match.
pub(crate) fn matches(
    expected: &Recipient,
    identity: &str,
    hashed: bool,
    salt: Option<&str>,
) -> bool {
    if !hashed {
        return same_identity(expected, identity);
    }
    let Some(hex) = identity.strip_prefix("sha256$") else {
        return false;
    };
    // Emails: the lower-case form (what obi and most issuers hash), then the address exactly as
    // given (an issuer that kept its capitals, as the 1EdTech validator compares).
    let normalized = normalize(expected, expected.value());
    let exact = expected.value().trim();
    std::iter::once(normalized.as_str())
        .chain((exact != normalized).then_some(exact))
        .any(|candidate| sha256_hex(candidate, salt).eq_ignore_ascii_case(hex.trim()))
}

fn sha256_hex(identity: &str, salt: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(identity.as_bytes());
    if let Some(salt) = salt {
        hasher.update(salt.as_bytes());
    }
    let digest = hasher.finalize();
    let mut ours = String::with_capacity(64);
    for b in digest {
        ours.push_str(&format!("{b:02x}"));
    }
    ours
}

/// The `sha256$<hex>` hash of `identity` with `salt`, as an issuer writes it.
#[must_use]
pub fn hash_identity(identity: &str, salt: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(identity.as_bytes());
    hasher.update(salt.as_bytes());
    let mut out = String::from("sha256$");
    for b in hasher.finalize() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_and_plain_identities() {
        let r = Recipient::Email("Alice@Example.org".into());
        let h = hash_identity("alice@example.org", "pepper");
        assert!(matches(&r, &h, true, Some("pepper")));
        assert!(!matches(&r, &h, true, Some("salt")));
        assert!(!matches(&r, &h, true, None));
        assert!(matches(&r, "alice@example.org", false, None));
        assert!(!matches(&r, "bob@example.org", false, None));
        assert!(!matches(&r, "md5$abc", true, None));
        // An issuer that hashed the address with its capitals still matches it as given, and
        // only that spelling or the lower-case one does.
        let kept = hash_identity("Alice@Example.org", "pepper");
        assert!(matches(&r, &kept, true, Some("pepper")));
        let lower = Recipient::Email("alice@example.org".into());
        assert!(!matches(&lower, &kept, true, Some("pepper")));
    }
}
