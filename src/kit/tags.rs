//! Tags (IAM's and KMS's: key/value pairs on a user, a role or a key): a row of two fields, the
//! rules AWS applies to them, and what both flows' tag editors share.

use super::field::{FieldRule, describe_char};
use super::text::TextField;

pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;
/// IAM allows 50 tags an entity; one is iamwiz's mark of the run (see
/// [`crate::aws::mark`]).
pub const TAGS_MAX: usize = 49;

/// Which field of a tag row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TagCol {
    #[default]
    Key,
    Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TagRow {
    pub key: TextField,
    pub value: TextField,
}

/// The first tag problem found: the cell to put the focus on, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagProblem {
    pub row: usize,
    pub col: TagCol,
    pub message: String,
}

pub const TAG_KEY: FieldRule = FieldRule {
    secret: false,
    what: "a tag key",
    allowed: is_tag_char,
    chars: TAG_CHARS_RULE,
    max: TAG_KEY_MAX,
};

pub const TAG_VALUE: FieldRule = FieldRule {
    secret: false,
    what: "a tag value",
    allowed: is_tag_char,
    chars: TAG_CHARS_RULE,
    max: TAG_VALUE_MAX,
};

impl TagRow {
    /// The field in `col`, and its rule.
    pub fn field(&mut self, col: TagCol) -> (&mut TextField, FieldRule) {
        match col {
            TagCol::Key => (&mut self.key, TAG_KEY),
            TagCol::Value => (&mut self.value, TAG_VALUE),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty() && self.value.is_empty()
    }
}

/// Rows left entirely empty are dropped rather than refused.
pub fn drop_empty(tags: &mut Vec<TagRow>) {
    tags.retain(|t| !t.is_empty());
}

/// Whether `c` may appear in an IAM tag key or value.
pub fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

pub const TAG_CHARS_RULE: &str = "letters, digits, spaces and _ . : / = + - @";

pub fn validate_tag_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("A tag needs a key.".to_string());
    }
    if let Some(c) = key.chars().find(|c| !is_tag_char(*c)) {
        return Err(format!(
            "{} is not allowed in a tag key; use {TAG_CHARS_RULE}.",
            describe_char(c)
        ));
    }
    let n = key.chars().count();
    if n > TAG_KEY_MAX {
        return Err(format!(
            "The tag key is {n} characters; the limit is {TAG_KEY_MAX}."
        ));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err("Tag keys starting with aws: are reserved for AWS.".to_string());
    }
    Ok(())
}

pub fn validate_tag_value(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| !is_tag_char(*c)) {
        return Err(format!(
            "{} is not allowed in a tag value; use {TAG_CHARS_RULE}.",
            describe_char(c)
        ));
    }
    let n = value.chars().count();
    if n > TAG_VALUE_MAX {
        return Err(format!(
            "The tag value is {n} characters; the limit is {TAG_VALUE_MAX}."
        ));
    }
    Ok(())
}

/// Checks every tag row, and the set as a whole: at most 50, keys unique ignoring case (IAM
/// treats `Team` and `team` as the same key). Returns the first problem with its row.
pub fn validate_tags(tags: &[TagRow]) -> Result<(), TagProblem> {
    if tags.len() > TAGS_MAX {
        return Err(TagProblem {
            row: TAGS_MAX,
            col: TagCol::Key,
            message: format!("{} tags; a user can have at most {TAGS_MAX}.", tags.len()),
        });
    }
    for (i, row) in tags.iter().enumerate() {
        let problem = |col, message| TagProblem {
            row: i,
            col,
            message,
        };
        validate_tag_key(row.key.value()).map_err(|e| problem(TagCol::Key, e))?;
        validate_tag_value(row.value.value()).map_err(|e| problem(TagCol::Value, e))?;
        let key = row.key.value().to_lowercase();
        if let Some(j) = tags[..i]
            .iter()
            .position(|r| r.key.value().to_lowercase() == key)
        {
            return Err(problem(
                TagCol::Key,
                format!(
                    "Rows {} and {} both have the tag key {:?}; keys must differ, ignoring case.",
                    j + 1,
                    i + 1,
                    row.key.value()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str, v: &str) -> TagRow {
        TagRow {
            key: TextField::new(k),
            value: TextField::new(v),
        }
    }

    #[test]
    fn tag_limits() {
        assert!(validate_tag_key(&"k".repeat(128)).is_ok());
        assert!(validate_tag_key(&"k".repeat(129)).is_err());
        assert!(validate_tag_value(&"v".repeat(256)).is_ok());
        assert!(validate_tag_value(&"v".repeat(257)).is_err());
        assert!(validate_tag_value("").is_ok());
        assert!(validate_tag_key("").is_err());
        assert!(validate_tag_key("aws:team").is_err());
        assert!(validate_tag_key("AWS:team").is_err());
        assert!(validate_tag_key("team:aws").is_ok());
        assert!(validate_tag_key("cost center").is_ok());
        assert!(validate_tag_key("a#b").is_err());
    }

    #[test]
    fn tag_set_rules() {
        // IAM's 50, less the run's mark.
        let most: Vec<TagRow> = (0..49).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(validate_tags(&most).is_ok());
        let mut fifty = most.clone();
        fifty.push(tag("k49", "v"));
        assert!(validate_tags(&fifty).unwrap_err().message.contains("50"));
        let dup = vec![tag("Team", "a"), tag("other", "b"), tag("team", "c")];
        let p = validate_tags(&dup).unwrap_err();
        assert_eq!((p.row, p.col), (2, TagCol::Key));
        assert!(p.message.contains("Rows 1 and 3"), "{}", p.message);
    }

    #[test]
    fn a_problem_names_the_cell_to_fix() {
        let bad_value = vec![tag("team", "a#b")];
        let p = validate_tags(&bad_value).unwrap_err();
        assert_eq!((p.row, p.col), (0, TagCol::Value));
        let bad_key = vec![tag("team", "a"), tag("aws:x", "b")];
        let p = validate_tags(&bad_key).unwrap_err();
        assert_eq!((p.row, p.col), (1, TagCol::Key));
    }
}
