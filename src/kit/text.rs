//! A single-line text field: the value and a cursor, edited by `update`.

use std::fmt;

use zeroize::Zeroize;

/// The most characters any field holds. Longer pastes are refused whole, so a stray 1 MB paste
/// cannot freeze the screen or push the draft past every AWS limit.
pub const MAX_FIELD_CHARS: usize = 4096;

#[derive(Clone, Default)]
pub struct TextField {
    value: String,
    /// Cursor position in characters (0..=len).
    cursor: usize,
    /// A masked field holds a secret: it is drawn as dots and never printed by `Debug`.
    masked: bool,
}

impl TextField {
    pub fn new(value: &str) -> Self {
        TextField {
            value: value.to_string(),
            cursor: value.chars().count(),
            masked: false,
        }
    }

    /// An empty field for a secret (a custom password).
    pub fn masked() -> Self {
        TextField {
            // Reserved up front so typing does not reallocate and leave copies behind.
            value: String::with_capacity(256),
            cursor: 0,
            masked: true,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn len(&self) -> usize {
        self.value.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    fn byte_index(&self, char_index: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_index)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Inserts `text` at the cursor. Refuses (and changes nothing) if the result would exceed
    /// [`MAX_FIELD_CHARS`].
    pub fn insert_str(&mut self, text: &str) -> Result<(), String> {
        let add = text.chars().count();
        if self.len() + add > MAX_FIELD_CHARS {
            return Err(format!(
                "That is too long to paste: a field holds at most {MAX_FIELD_CHARS} characters."
            ));
        }
        let at = self.byte_index(self.cursor);
        self.value.insert_str(at, text);
        self.cursor += add;
        Ok(())
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_index(self.cursor);
            self.value.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte_index(self.cursor);
            self.value.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) {
        self.value.zeroize();
        self.cursor = 0;
    }
}

impl PartialEq for TextField {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.masked == other.masked
    }
}

impl fmt::Debug for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.masked {
            f.write_str("TextField([REDACTED])")
        } else {
            write!(f, "TextField({:?})", self.value)
        }
    }
}

impl Drop for TextField {
    fn drop(&mut self) {
        if self.masked {
            self.value.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor_with_multibyte_text() {
        let mut f = TextField::new("añb");
        f.left();
        f.insert_str("é").unwrap();
        assert_eq!(f.value(), "añéb");
        f.home();
        f.delete();
        assert_eq!(f.value(), "ñéb");
        f.end();
        f.backspace();
        assert_eq!(f.value(), "ñé");
        assert_eq!(f.cursor(), 2);
    }

    #[test]
    fn refuses_a_paste_past_the_limit_and_keeps_the_value() {
        let mut f = TextField::new("keep");
        let huge = "x".repeat(1_000_000);
        assert!(f.insert_str(&huge).is_err());
        assert_eq!(f.value(), "keep");
        let fits = "y".repeat(MAX_FIELD_CHARS - 4);
        assert!(f.insert_str(&fits).is_ok());
        assert!(f.insert_str("z").is_err());
    }

    #[test]
    fn masked_fields_do_not_debug_print() {
        let mut f = TextField::masked();
        f.insert_str("hunter2!").unwrap();
        assert_eq!(format!("{f:?}"), "TextField([REDACTED])");
    }
}
