//! The one type that holds secrets: secret access keys and console passwords.
//!
//! A [`Secret`] zeroes its memory when dropped and never prints its content: `Debug` and `Display`
//! both show a redaction, so a secret cannot end up in a log line, an error report or a panic
//! message by accident. The only way to read it is [`Secret::expose`], which call sites use to draw
//! the reveal screen or to write an export the admin asked for.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

pub const REDACTED: &str = "[REDACTED]";

pub struct Secret(SecretString);

impl Secret {
    /// Moves `value` into a secret. A `String` whose capacity is its length (as the builders of
    /// secrets make them: `export::build_secret`) has its buffer taken over, not copied. One with
    /// room to spare would be moved to a smaller buffer by `into_boxed_str`, leaving the first
    /// one unwiped: it is copied into an exact buffer and wiped here instead.
    pub fn new(mut value: String) -> Self {
        if value.capacity() != value.len() {
            let mut exact = String::with_capacity(value.len());
            exact.push_str(&value);
            value.zeroize();
            value = exact;
        }
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

    #[test]
    fn a_secret_keeps_the_exact_buffer_it_was_given() {
        let value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string();
        assert_eq!(value.capacity(), value.len());
        let at = value.as_ptr();
        let s = Secret::new(value);
        assert_eq!(s.expose().as_ptr(), at, "taken over, not copied");
    }

    #[test]
    fn a_secret_given_a_buffer_with_room_to_spare_holds_the_same_text() {
        let mut value = String::with_capacity(100);
        value.push_str("Zq8#mWv2!pLr5$Tn9@xK");
        let s = Secret::new(value);
        assert_eq!(s.expose(), "Zq8#mWv2!pLr5$Tn9@xK");
    }
}
