//! A text field's rule (which characters, how long, its name in messages) and the editing keys
//! every single-line field shares: a refused key or paste leaves the field as it was and says why.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text::TextField;

/// What a field accepts: the characters, its name in messages, and its length.
#[derive(Clone, Copy)]
pub struct FieldRule {
    pub what: &'static str,
    pub allowed: fn(char) -> bool,
    pub chars: &'static str,
    pub max: usize,
    /// The field holds a secret: a refused printable character is never echoed.
    pub secret: bool,
}

pub const FILTER: FieldRule = FieldRule {
    secret: false,
    what: "a filter",
    allowed: |c| !c.is_control(),
    chars: "printable characters",
    max: 128,
};

impl FieldRule {
    /// Checks text about to be inserted into a field that holds `current` characters. On refusal
    /// the message names the rule; a password's characters are never echoed.
    pub fn check(&self, current: usize, text: &str) -> Result<(), String> {
        if let Some(c) = text.chars().find(|c| !(self.allowed)(*c)) {
            let shown = if self.secret && !c.is_control() {
                "That character".to_string()
            } else {
                describe_char(c)
            };
            return Err(format!(
                "{shown} is not allowed in {}: use {}.",
                self.what, self.chars
            ));
        }
        let n = current + text.chars().count();
        if n > self.max {
            return Err(format!(
                "That would make {} {n} characters long; the limit is {}.",
                self.what, self.max
            ));
        }
        Ok(())
    }
}

pub enum Edit {
    /// The value changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key.
    Ignored,
}

/// Applies an editing key to `field`. Refused input leaves the field as it was and says why.
pub fn edit(field: &mut TextField, rule: FieldRule, key: &KeyEvent) -> Result<Edit, String> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('u') if ctrl => {
            field.clear();
            Ok(Edit::Changed)
        }
        KeyCode::Char(c) if !ctrl && !alt => {
            let mut buf = [0u8; 4];
            rule.check(field.len(), c.encode_utf8(&mut buf))?;
            field.insert_str(c.encode_utf8(&mut buf))?;
            Ok(Edit::Changed)
        }
        KeyCode::Backspace => {
            field.backspace();
            Ok(Edit::Changed)
        }
        KeyCode::Delete => {
            field.delete();
            Ok(Edit::Changed)
        }
        KeyCode::Left => {
            field.left();
            Ok(Edit::Moved)
        }
        KeyCode::Right => {
            field.right();
            Ok(Edit::Moved)
        }
        KeyCode::Home => {
            field.home();
            Ok(Edit::Moved)
        }
        KeyCode::End => {
            field.end();
            Ok(Edit::Moved)
        }
        _ => Ok(Edit::Ignored),
    }
}

/// Inserts pasted `text` into `field` whole, or refuses it whole.
pub fn paste_into(field: &mut TextField, rule: FieldRule, text: &str) -> Result<(), String> {
    // A copied line often brings its newline along.
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    rule.check(field.len(), text)
        .and_then(|()| field.insert_str(text))
        .map_err(|message| format!("Paste refused. {message}"))
}

/// How a refused character is named in a message: printable ones quoted, a space and control
/// characters by name.
pub fn describe_char(c: char) -> String {
    if c == ' ' {
        "A space".to_string()
    } else if c.is_control() || c.is_whitespace() {
        format!("The control character U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}
