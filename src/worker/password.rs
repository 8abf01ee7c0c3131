//! Console passwords generated from the operating system's random source.

use crate::protocol::{GENERATED_LENGTH_MIN, PASSWORD_SYMBOLS, PasswordPolicy};
use crate::secret::Secret;

const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
/// The symbols IAM password policies count as non-alphanumeric.
const SYMBOLS: &[u8] = PASSWORD_SYMBOLS.as_bytes();

/// Length of generated passwords unless the policy asks for more: well above the AWS default
/// minimum of 8 and any common policy.
pub const GENERATED_LENGTH: usize = GENERATED_LENGTH_MIN;

/// A password that meets `policy`: [`PasswordPolicy::generated_length`] characters (at least 20,
/// at least the policy's minimum, at most 128), with every kind of character, so it satisfies any
/// combination of required kinds and the AWS default's "three of four".
pub fn generate_for(policy: &PasswordPolicy) -> Result<Secret, getrandom::Error> {
    generate(policy.generated_length())
}

/// A password of `len` characters (at least 4) holding at least one upper-case letter, one
/// lower-case letter, one digit and one symbol, every character drawn uniformly from the OS random
/// source. Look-alike characters (0/O, 1/l/I) are left out so it can be read off a screen.
pub fn generate(len: usize) -> Result<Secret, getrandom::Error> {
    let len = len.max(4);
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    let mut chars: Vec<u8> = Vec::with_capacity(len);
    for class in classes {
        chars.push(class[uniform(class.len())?]);
    }
    while chars.len() < len {
        chars.push(all[uniform(all.len())?]);
    }
    // Fisher–Yates, so the guaranteed characters do not sit at the front.
    for i in (1..chars.len()).rev() {
        chars.swap(i, uniform(i + 1)?);
    }
    let text = String::from_utf8(chars).expect("the alphabets are ASCII");
    Ok(Secret::new(text))
}

/// A uniform index below `n` (rejection sampling, no modulo bias).
fn uniform(n: usize) -> Result<usize, getrandom::Error> {
    let n = n as u32;
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let v = getrandom::u32()?;
        if v < zone {
            return Ok((v % n) as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::users::draft::validate_password;

    #[test]
    fn generated_passwords_have_every_character_class() {
        for _ in 0..200 {
            let p = generate(GENERATED_LENGTH).unwrap();
            let p = p.expose();
            assert_eq!(p.len(), GENERATED_LENGTH);
            assert!(p.bytes().any(|b| UPPER.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| LOWER.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| DIGITS.contains(&b)), "{p}");
            assert!(p.bytes().any(|b| SYMBOLS.contains(&b)), "{p}");
        }
    }

    fn strict(min_length: usize) -> PasswordPolicy {
        PasswordPolicy {
            min_length,
            require_uppercase: true,
            require_lowercase: true,
            require_digit: true,
            require_symbol: true,
            allow_users_to_change_password: false,
            is_default: false,
        }
    }

    #[test]
    fn generated_passwords_meet_a_strict_policy() {
        let policy = strict(30);
        for _ in 0..200 {
            let p = generate_for(&policy).unwrap();
            assert_eq!(p.expose().len(), 30);
            validate_password(p.expose(), &policy).unwrap();
        }
    }

    #[test]
    fn generated_passwords_meet_the_aws_default() {
        let policy = PasswordPolicy::aws_default();
        for _ in 0..200 {
            let p = generate_for(&policy).unwrap();
            assert_eq!(p.expose().len(), GENERATED_LENGTH);
            validate_password(p.expose(), &policy).unwrap();
        }
    }

    #[test]
    fn generated_length_is_20_or_the_minimum_up_to_128() {
        assert_eq!(strict(6).generated_length(), 20);
        assert_eq!(strict(20).generated_length(), 20);
        assert_eq!(strict(21).generated_length(), 21);
        assert_eq!(strict(128).generated_length(), 128);
        assert_eq!(strict(500).generated_length(), 128);
        let p = generate_for(&strict(128)).unwrap();
        validate_password(p.expose(), &strict(128)).unwrap();
    }

    #[test]
    fn generated_passwords_differ() {
        let a = generate(GENERATED_LENGTH).unwrap();
        let b = generate(GENERATED_LENGTH).unwrap();
        assert_ne!(a.expose(), b.expose());
    }
}
