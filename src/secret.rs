//! The one type that holds secrets: secret access keys and console passwords.
//!
//! A [`Secret`] zeroes its memory when dropped and never prints its content: `Debug` and `Display`
//! both show a redaction, so a secret cannot end up in a log line, an error report or a panic
//! message by accident. The only way to read it is [`Secret::expose`], which call sites use to draw
//! the reveal screen or to write an export the admin asked for.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

pub const REDACTED: &str = "[REDACTED]";

pub struct Secret(SecretString);

impl Secret {
    /// Moves `value` into a secret. The `String`'s buffer is taken over, not copied.
    pub fn new(value: String) -> Self {
        Secret(SecretString::from(value))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Number of characters, for drawing a mask of the right width.
    pub fn char_len(&self) -> usize {
        self.expose().chars().count()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string());
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&s)), format!("Some({REDACTED})"));
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assert_eq!(s.char_len(), 40);
    }
}
