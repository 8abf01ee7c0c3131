//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps) for virtual MFA devices,
//! and the check of the two consecutive codes an admin types to enable one.
//!
//! IAM's `EnableMFADevice` takes two consecutive codes from the authenticator app. A typo, or a
//! phone whose clock is off, would otherwise come back from AWS as a bare `InvalidAuthenticationCode`;
//! checking the codes here against the seed first says which it is: not six digits, not two
//! consecutive codes, a phone clock ahead or behind by about N seconds, or simply wrong codes. Only
//! a pair that passes is sent to IAM.
//!
//! The pair is accepted when its second code is that of the current 30-second step or one step
//! either side (the codes were read from the phone moments ago; one step of skew either way, as
//! RFC 6238 section 5.2 recommends). A pair that matches further away, up to
//! [`CLOCK_SEARCH_STEPS`] steps, is reported as the phone's clock being off by that much.
//!
//! [`otpauth_uri`] builds the `otpauth://totp/…` URI an authenticator app reads from a QR code, in
//! Google Authenticator's Key Uri Format.
//!
//! The seed is a secret: [`TotpSeed`] holds it in a zeroizing buffer and its `Debug` is redacted;
//! the URI, which carries it, is a [`Secret`].

use std::fmt;

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretSlice};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::secret::Secret;

/// Seconds per step (RFC 6238's X, and IAM's).
pub const STEP_SECONDS: u64 = 30;
/// Digits per code for IAM's virtual MFA devices.
pub const DIGITS: u32 = 6;
/// Steps either side of now searched for a pair, to tell a phone's wrong clock from wrong codes.
pub const CLOCK_SEARCH_STEPS: i64 = 10;

/// The shared secret of a TOTP device: the key of the HMAC.
pub struct TotpSeed(SecretSlice<u8>);

/// Why a Base32 seed could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeedError {
    Empty,
    /// Not RFC 4648 Base32 (the message names what is wrong, never the seed's text).
    NotBase32(String),
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeedError::Empty => f.write_str("the MFA seed is empty"),
            SeedError::NotBase32(why) => write!(f, "the MFA seed is not Base32: {why}"),
        }
    }
}

impl std::error::Error for SeedError {}

impl TotpSeed {
    /// The key itself (RFC 6238's test vectors give it as ASCII text).
    pub fn from_bytes(key: Vec<u8>) -> TotpSeed {
        TotpSeed(SecretSlice::from(key))
    }

    /// A seed in RFC 4648 Base32, as IAM's `Base32StringSeed` and the `secret=` of an
    /// `otpauth://` URI carry it: case, spaces and `=` padding are ignored.
    pub fn from_base32(text: &str) -> Result<TotpSeed, SeedError> {
        let clean: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_ascii_whitespace() && *c != '=')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        if clean.is_empty() {
            return Err(SeedError::Empty);
        }
        data_encoding::BASE32_NOPAD
            .decode(clean.as_bytes())
            .map(TotpSeed::from_bytes)
            .map_err(|e| SeedError::NotBase32(e.kind.to_string()))
    }

    /// The seed in RFC 4648 Base32, upper case and unpadded, as an `otpauth://` URI carries it.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(self.0.expose_secret()))
    }

    /// The code of `digits` digits for step `counter` (RFC 4226's HOTP value).
    pub fn code_for_step(&self, counter: u64, digits: u32) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(self.0.expose_secret())
            .expect("HMAC takes a key of any length");
        mac.update(&counter.to_be_bytes());
        let hash = mac.finalize().into_bytes();
        let offset = usize::from(hash[hash.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            hash[offset] & 0x7f,
            hash[offset + 1],
            hash[offset + 2],
            hash[offset + 3],
        ]);
        let value = u64::from(binary) % 10u64.pow(digits);
        format!("{value:0width$}", width = digits as usize)
    }

    /// The code of `digits` digits at `unix_seconds`.
    pub fn code_at(&self, unix_seconds: u64, digits: u32) -> String {
        self.code_for_step(unix_seconds / STEP_SECONDS, digits)
    }
}

impl fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::secret::REDACTED)
    }
}

/// The issuer IAM's own QR codes name, so that the app lists the account as AWS's.
pub const AWS_ISSUER: &str = "Amazon Web Services";

/// What stays as it is in a label part: RFC 3986's unreserved characters and `@` (a path may
/// carry it, and IAM user names often hold one). Everything else, the space and the colon among
/// them, is percent-encoded.
const LABEL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');
/// What stays as it is in a query value: RFC 3986's unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The Key Uri Format's URI of a TOTP device: label `issuer:account`, then `secret` (Base32,
/// unpadded) and `issuer`; SHA1, 6 digits and 30 s are the format's defaults and left out, as
/// IAM's own URIs leave them. E.g. for user alice in account 123456789012:
/// `otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=…&issuer=Amazon%20Web%20Services`.
pub fn otpauth_uri(issuer: &str, account: &str, seed: &TotpSeed) -> Secret {
    let issuer_label = utf8_percent_encode(issuer, LABEL);
    let account = utf8_percent_encode(account, LABEL);
    let issuer_query = utf8_percent_encode(issuer, QUERY);
    let secret = seed.to_base32();
    Secret::new(format!(
        "otpauth://totp/{issuer_label}:{account}?secret={}&issuer={issuer_query}",
        secret.as_str()
    ))
}

/// The account part of the label IAM's QR codes show: `user@account-id`.
pub fn aws_account_label(user: &str, account_id: &str) -> String {
    format!("{user}@{account_id}")
}

/// Which of the two codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeField {
    First,
    Second,
}

/// What the check of two typed codes found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The codes are those of steps `first_step` and `first_step + 1`, close enough to now.
    Ok { first_step: u64 },
    /// The code is not six digits.
    Malformed(CodeField),
    /// Both codes are the device's, but not of two consecutive steps (the same code twice, or
    /// the order reversed).
    NotConsecutive,
    /// The codes are a consecutive pair of a time about `seconds` ahead of this machine's clock.
    ClockAhead { seconds: u64 },
    /// The codes are a consecutive pair of a time about `seconds` behind this machine's clock.
    ClockBehind { seconds: u64 },
    /// The codes are not the device's near now.
    WrongCodes,
}

impl Verdict {
    /// What to tell the admin, in one sentence.
    pub fn message(&self) -> String {
        match self {
            Verdict::Ok { .. } => "The codes are right.".to_string(),
            Verdict::Malformed(field) => format!(
                "The {} code must be 6 digits, as the authenticator app shows it.",
                match field {
                    CodeField::First => "first",
                    CodeField::Second => "second",
                }
            ),
            Verdict::NotConsecutive => "Those are codes of this device but not two consecutive \
                 ones: type a code, wait for the app to show the next one, and type that."
                .to_string(),
            Verdict::ClockAhead { seconds } => format!(
                "The phone's clock is about {seconds} s ahead of this computer's: set it to the \
                 network time on one of them and type two new codes."
            ),
            Verdict::ClockBehind { seconds } => format!(
                "The phone's clock is about {seconds} s behind this computer's: set it to the \
                 network time on one of them and type two new codes."
            ),
            Verdict::WrongCodes => "Those codes are not this device's: check that the app shows \
                 the account just added, and type two new consecutive codes."
                .to_string(),
        }
    }
}

/// The six digits of `typed`, with spaces around or inside (`123 456`) left out.
fn six_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Checks two codes typed one after the other against `seed` at `unix_seconds`.
pub fn check_two_codes(seed: &TotpSeed, first: &str, second: &str, unix_seconds: u64) -> Verdict {
    let Some(first) = six_digits(first) else {
        return Verdict::Malformed(CodeField::First);
    };
    let Some(second) = six_digits(second) else {
        return Verdict::Malformed(CodeField::Second);
    };
    let now = (unix_seconds / STEP_SECONDS) as i64;
    // Offsets from now of the steps whose code each is.
    let window = -CLOCK_SEARCH_STEPS - 1..=CLOCK_SEARCH_STEPS + 1;
    let matches = |code: &str| -> Vec<i64> {
        window
            .clone()
            .filter(|d| now + d >= 0)
            .filter(|d| seed.code_for_step((now + d) as u64, DIGITS) == code)
            .collect()
    };
    let (at_first, at_second) = (matches(&first), matches(&second));
    // The pairs found, by the offset of their second code; the nearest to now wins.
    let pair = at_second
        .iter()
        .copied()
        .filter(|d| d.abs() <= CLOCK_SEARCH_STEPS && at_first.contains(&(d - 1)))
        .min_by_key(|d| d.abs());
    match pair {
        Some(d) if d.abs() <= 1 => Verdict::Ok {
            first_step: (now + d - 1) as u64,
        },
        Some(d) if d > 0 => Verdict::ClockAhead {
            seconds: d as u64 * STEP_SECONDS,
        },
        Some(d) => Verdict::ClockBehind {
            seconds: d.unsigned_abs() * STEP_SECONDS,
        },
        None if !at_first.is_empty() && !at_second.is_empty() => Verdict::NotConsecutive,
        None => Verdict::WrongCodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA1 key is the ASCII text "12345678901234567890".
    fn rfc_seed() -> TotpSeed {
        TotpSeed::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn the_rfc_6238_sha1_test_vectors_give_their_8_digit_codes() {
        let seed = rfc_seed();
        for (time, code) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(seed.code_at(time, 8), code, "at T = {time}");
        }
    }

    #[test]
    fn a_six_digit_code_is_the_last_six_digits_of_the_truncated_value() {
        // RFC 4226 Appendix D lists the same key's HOTP values: 755224, 287082, 359152.
        let seed = rfc_seed();
        assert_eq!(seed.code_for_step(0, 6), "755224");
        assert_eq!(seed.code_for_step(1, 6), "287082");
        assert_eq!(seed.code_for_step(2, 6), "359152");
    }

    #[test]
    fn a_base32_seed_reads_as_its_bytes_whatever_its_case_padding_and_spaces() {
        // "12345678901234567890" in Base32 (RFC 4648).
        let upper = TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        let loose = TotpSeed::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        let padded = TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====").unwrap();
        for seed in [upper, loose, padded] {
            assert_eq!(seed.code_at(59, 8), "94287082");
        }
    }

    #[test]
    fn a_seed_that_is_not_base32_says_so_without_echoing_it() {
        assert_eq!(TotpSeed::from_base32("  ").unwrap_err(), SeedError::Empty);
        let err = TotpSeed::from_base32("GEZDGNBV1Y3TQOJQ").unwrap_err();
        assert!(matches!(err, SeedError::NotBase32(_)), "{err:?}");
        assert!(!err.to_string().contains("GEZDGNBV"), "{err}");
    }

    #[test]
    fn the_otpauth_uri_percent_encodes_label_and_issuer_as_the_key_uri_format_says() {
        let seed = TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        let uri = otpauth_uri(
            AWS_ISSUER,
            &aws_account_label("alice", "123456789012"),
            &seed,
        );
        assert_eq!(
            uri.expose(),
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services"
        );
        assert_eq!(format!("{uri:?}"), crate::secret::REDACTED);
        let odd = otpauth_uri("A&B: co", "x+y=z,w@1", &seed);
        assert_eq!(
            odd.expose(),
            "otpauth://totp/A%26B%3A%20co:x%2By%3Dz%2Cw@1\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%26B%3A%20co"
        );
    }

    #[test]
    fn a_seed_never_shows_in_debug_output() {
        let seed = TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(format!("{seed:?}"), crate::secret::REDACTED);
    }

    /// 1111111111 s is 20 s into step 37037037.
    const NOW: u64 = 1_111_111_111;
    const STEP: u64 = NOW / STEP_SECONDS;

    fn codes(seed: &TotpSeed, first_step: u64) -> (String, String) {
        (
            seed.code_for_step(first_step, DIGITS),
            seed.code_for_step(first_step + 1, DIGITS),
        )
    }

    #[test]
    fn the_last_two_codes_are_accepted_and_so_is_a_pair_one_step_either_side() {
        let seed = rfc_seed();
        for first_step in [STEP - 2, STEP - 1, STEP] {
            let (a, b) = codes(&seed, first_step);
            assert_eq!(
                check_two_codes(&seed, &a, &b, NOW),
                Verdict::Ok { first_step },
                "pair starting {} steps from now",
                first_step as i64 - STEP as i64
            );
        }
    }

    #[test]
    fn codes_with_spaces_as_the_app_shows_them_are_accepted() {
        let seed = rfc_seed();
        let (a, b) = codes(&seed, STEP - 1);
        let spaced = |c: &str| format!(" {} {} ", &c[..3], &c[3..]);
        assert_eq!(
            check_two_codes(&seed, &spaced(&a), &spaced(&b), NOW),
            Verdict::Ok {
                first_step: STEP - 1
            }
        );
    }

    #[test]
    fn a_pair_two_or_more_steps_away_says_which_way_the_phones_clock_is_off() {
        let seed = rfc_seed();
        let (a, b) = codes(&seed, STEP + 1);
        assert_eq!(
            check_two_codes(&seed, &a, &b, NOW),
            Verdict::ClockAhead { seconds: 60 }
        );
        let (a, b) = codes(&seed, STEP + 9);
        assert_eq!(
            check_two_codes(&seed, &a, &b, NOW),
            Verdict::ClockAhead { seconds: 300 }
        );
        let (a, b) = codes(&seed, STEP - 3);
        assert_eq!(
            check_two_codes(&seed, &a, &b, NOW),
            Verdict::ClockBehind { seconds: 60 }
        );
        let (a, b) = codes(&seed, STEP - 11);
        assert_eq!(
            check_two_codes(&seed, &a, &b, NOW),
            Verdict::ClockBehind { seconds: 300 }
        );
    }

    #[test]
    fn a_pair_beyond_the_searched_steps_is_wrong_codes() {
        let seed = rfc_seed();
        let (a, b) = codes(&seed, STEP + 20);
        assert_eq!(check_two_codes(&seed, &a, &b, NOW), Verdict::WrongCodes);
    }

    #[test]
    fn the_same_code_twice_or_a_reversed_pair_is_not_consecutive() {
        let seed = rfc_seed();
        let (a, b) = codes(&seed, STEP - 1);
        assert_eq!(check_two_codes(&seed, &b, &b, NOW), Verdict::NotConsecutive);
        assert_eq!(check_two_codes(&seed, &b, &a, NOW), Verdict::NotConsecutive);
    }

    #[test]
    fn codes_of_another_seed_are_wrong_codes() {
        let seed = rfc_seed();
        let other = TotpSeed::from_bytes(b"another secret seed!".to_vec());
        let (a, b) = codes(&other, STEP - 1);
        assert_eq!(check_two_codes(&seed, &a, &b, NOW), Verdict::WrongCodes);
        // One right code and one wrong is wrong codes too, not "not consecutive".
        let (right, _) = codes(&seed, STEP - 1);
        assert_eq!(
            check_two_codes(&seed, &right, "000000", NOW),
            Verdict::WrongCodes
        );
    }

    #[test]
    fn a_code_that_is_not_six_digits_is_malformed_and_says_which() {
        let seed = rfc_seed();
        let (a, b) = codes(&seed, STEP - 1);
        assert_eq!(
            check_two_codes(&seed, "12345", &b, NOW),
            Verdict::Malformed(CodeField::First)
        );
        assert_eq!(
            check_two_codes(&seed, &a, "12345a", NOW),
            Verdict::Malformed(CodeField::Second)
        );
        assert_eq!(
            check_two_codes(&seed, &a, "1234567", NOW),
            Verdict::Malformed(CodeField::Second)
        );
        assert_eq!(
            check_two_codes(&seed, "", "", NOW),
            Verdict::Malformed(CodeField::First)
        );
        assert!(
            Verdict::Malformed(CodeField::Second)
                .message()
                .contains("second code must be 6 digits")
        );
    }

    #[test]
    fn the_clock_messages_give_the_seconds_and_the_way() {
        assert!(
            Verdict::ClockAhead { seconds: 90 }
                .message()
                .contains("about 90 s ahead")
        );
        assert!(
            Verdict::ClockBehind { seconds: 60 }
                .message()
                .contains("about 60 s behind")
        );
    }
}
