//! The inline policy typed on the Permissions step: its name and JSON rules, and the size limit
//! IAM puts on all of a user's inline policies together.

use serde_json::Value;

use crate::app::App;
use crate::protocol::InlinePolicy;

/// IAM's limit on the inline policies of one user, together, whitespace not counted.
pub const INLINE_POLICY_MAX: usize = 2048;

/// Inline policy names are 1 to 128 characters.
pub const POLICY_NAME_MAX: usize = 128;

pub const POLICY_NAME_RULE: &str = "1–128 letters, digits and + = , . @ _ -";

/// Whether `c` may appear in an inline policy name (`[\w+=,.@-]`).
pub fn is_policy_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

pub fn validate_policy_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("Name the inline policy: {POLICY_NAME_RULE}."));
    }
    if let Some(c) = name.chars().find(|c| !is_policy_name_char(*c)) {
        return Err(format!(
            "{} is not allowed in a policy name: use {POLICY_NAME_RULE}.",
            crate::flows::users::draft::describe_char(c)
        ));
    }
    let n = name.chars().count();
    if n > POLICY_NAME_MAX {
        return Err(format!(
            "The policy name is {n} characters long; the limit is {POLICY_NAME_MAX}."
        ));
    }
    Ok(())
}

/// What is wrong with a document. `line` (from 1) is set for JSON syntax errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    fn at(message: impl Into<String>) -> Problem {
        Problem {
            line: None,
            message: message.into(),
        }
    }
}

/// The size IAM counts: the document without insignificant whitespace (minified). A document that
/// is not JSON counts its non-whitespace characters.
pub fn policy_size(document: &str) -> usize {
    match serde_json::from_str::<Value>(document) {
        Ok(v) => v.to_string().chars().count(),
        Err(_) => document.chars().filter(|c| !c.is_whitespace()).count(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Checks a policy document: JSON syntax (with the line and column), then a modest structure:
/// an object with "Version" and "Statement", each statement with "Effect" Allow or Deny, Action or
/// NotAction, Resource or NotResource. Returns the warnings of a valid document.
pub fn check_document(text: &str) -> Result<Vec<String>, Problem> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        Problem {
            line: Some(e.line()),
            message: format!("Line {}, column {}: {message}", e.line(), e.column()),
        }
    })?;
    let Value::Object(doc) = &value else {
        return Err(Problem::at(format!(
            "A policy is a JSON object ({{ … }}), not {}.",
            describe(&value)
        )));
    };
    let mut warnings = Vec::new();
    match doc.get("Version") {
        None => {
            return Err(Problem::at(
                "Missing \"Version\": add \"Version\": \"2012-10-17\".",
            ));
        }
        Some(Value::String(v)) if v == "2012-10-17" => {}
        Some(v) => warnings.push(format!(
            "\"Version\" is {}; use \"2012-10-17\" (older versions lack policy variables).",
            describe(v)
        )),
    }
    let statements: Vec<&Value> = match doc.get("Statement") {
        None => {
            return Err(Problem::at(
                "Missing \"Statement\": add at least one statement.",
            ));
        }
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(Problem::at(
                "\"Statement\" is empty: add at least one statement.",
            ));
        }
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        Some(v) => {
            return Err(Problem::at(format!(
                "\"Statement\" must be an object or an array of objects, not {}.",
                describe(v)
            )));
        }
    };
    for (i, s) in statements.iter().enumerate() {
        let n = i + 1;
        let Value::Object(s) = s else {
            return Err(Problem::at(format!(
                "Statement {n} must be an object, not {}.",
                describe(s)
            )));
        };
        match s.get("Effect") {
            Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
            None => {
                return Err(Problem::at(format!(
                    "Statement {n}: missing \"Effect\" (\"Allow\" or \"Deny\")."
                )));
            }
            Some(v) => {
                return Err(Problem::at(format!(
                    "Statement {n}: \"Effect\" must be \"Allow\" or \"Deny\", not {}.",
                    describe(v)
                )));
            }
        }
        for (a, b) in [("Action", "NotAction"), ("Resource", "NotResource")] {
            match (s.contains_key(a), s.contains_key(b)) {
                (true, true) => {
                    return Err(Problem::at(format!(
                        "Statement {n}: use \"{a}\" or \"{b}\", not both."
                    )));
                }
                (false, false) => {
                    return Err(Problem::at(format!(
                        "Statement {n}: missing \"{a}\" (or \"{b}\")."
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(warnings)
}

/// The typed inline policy checked against every rule, with the sizes that count toward
/// [`INLINE_POLICY_MAX`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineCheck {
    /// No document typed: no inline policy (nothing else is checked).
    pub empty: bool,
    /// The document's warnings, or what is wrong with it.
    pub document: Result<Vec<String>, Problem>,
    pub name: Result<(), String>,
    /// This document's size, whitespace not counted.
    pub size: usize,
    /// The size of the inline policies copied from another user.
    pub copied: usize,
}

impl InlineCheck {
    pub fn total(&self) -> usize {
        self.size + self.copied
    }

    pub fn over_limit(&self) -> bool {
        self.total() > INLINE_POLICY_MAX
    }

    /// The first problem that stops creation, if any.
    pub fn error(&self) -> Option<String> {
        if let Err(p) = &self.document {
            return Some(format!("Inline policy: {}", p.message));
        }
        if let Err(e) = &self.name {
            return Some(e.clone());
        }
        if self.over_limit() {
            return Some(format!(
                "Inline policies come to {} characters (whitespace not counted){}; a user may \
                 have at most {INLINE_POLICY_MAX}.",
                self.total(),
                if self.copied > 0 {
                    format!(", {} of them copied", self.copied)
                } else {
                    String::new()
                }
            ));
        }
        None
    }
}

/// Checks `name` and `text` (the editor) with the inline policies `copied` from another user.
pub fn check(name: &str, text: &str, copied: &[InlinePolicy]) -> InlineCheck {
    let copied_size = copied.iter().map(|p| policy_size(&p.document)).sum();
    if text.trim().is_empty() {
        return InlineCheck {
            empty: true,
            document: Ok(Vec::new()),
            name: Ok(()),
            size: 0,
            copied: copied_size,
        };
    }
    let name_check = validate_policy_name(name).and_then(|()| {
        if copied.iter().any(|p| p.name == name) {
            Err(format!(
                "The copied inline policies already include one named {name}; choose another name."
            ))
        } else {
            Ok(())
        }
    });
    InlineCheck {
        empty: false,
        document: check_document(text),
        name: name_check,
        size: policy_size(text),
        copied: copied_size,
    }
}

impl App {
    /// The inline policy editor's state checked, with the copied inline policies counted.
    pub fn inline_check(&self) -> InlineCheck {
        let copied = self
            .copied_permissions()
            .map(|p| p.inline.as_slice())
            .unwrap_or_default();
        check(
            self.draft.inline_name.value(),
            &self.draft.inline_doc.text(),
            copied,
        )
    }

    /// The typed inline policy, when the editor holds something (sent as typed).
    pub fn typed_inline_policy(&self) -> Option<InlinePolicy> {
        if self.draft.inline_doc.is_blank() {
            return None;
        }
        Some(InlinePolicy {
            name: self.draft.inline_name.value().to_string(),
            document: self.draft.inline_doc.text(),
        })
    }

    /// Whether keys go to the inline policy editor (not its name field).
    pub fn inline_editor_focused(&self) -> bool {
        self.screen == crate::app::Screen::Permissions
            && self.focus.pane == crate::app::PermPane::Inline
            && !self.focus.inline_on_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]
}"#;

    /// A valid document whose minified form is exactly `n` characters.
    fn doc_of_size(n: usize) -> String {
        let base = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"}}"#;
        let pad = n - base.chars().count();
        base.replace(
            "arn:aws:s3:::",
            &format!("arn:aws:s3:::{}", "b".repeat(pad)),
        )
    }

    #[test]
    fn a_good_document_passes() {
        assert_eq!(check_document(GOOD), Ok(vec![]));
    }

    #[test]
    fn a_syntax_error_on_line_3_names_line_and_column() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n}";
        let p = check_document(text).unwrap_err();
        assert_eq!(p.line, Some(3));
        assert!(
            p.message.starts_with("Line 3, column 17: "),
            "{}",
            p.message
        );
        assert!(!p.message.contains(" at line "), "{}", p.message);
    }

    #[test]
    fn missing_version_or_statement_is_refused() {
        let p = check_document(r#"{"Statement": []}"#).unwrap_err();
        assert!(p.message.contains("Missing \"Version\""), "{}", p.message);
        let p = check_document(r#"{"Version": "2012-10-17"}"#).unwrap_err();
        assert!(p.message.contains("Missing \"Statement\""), "{}", p.message);
        let p = check_document(r#"{"Version": "2012-10-17", "Statement": []}"#).unwrap_err();
        assert!(p.message.contains("empty"), "{}", p.message);
        let p = check_document("[]").unwrap_err();
        assert!(p.message.contains("JSON object"), "{}", p.message);
    }

    #[test]
    fn an_old_version_only_warns() {
        let w = check_document(&GOOD.replace("2012-10-17", "2008-10-17")).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("\"2008-10-17\""));
    }

    #[test]
    fn effect_action_and_resource_are_checked() {
        let p = check_document(&GOOD.replace("\"Allow\"", "\"allow\"")).unwrap_err();
        assert_eq!(
            p.message,
            "Statement 1: \"Effect\" must be \"Allow\" or \"Deny\", not \"allow\"."
        );
        let p = check_document(&GOOD.replace("\"Action\"", "\"Actions\"")).unwrap_err();
        assert_eq!(
            p.message,
            "Statement 1: missing \"Action\" (or \"NotAction\")."
        );
        let both = GOOD.replace("\"Resource\"", "\"NotResource\": \"x\", \"Resource\"");
        let p = check_document(&both).unwrap_err();
        assert!(p.message.contains("not both"), "{}", p.message);
        let p = check_document(&GOOD.replace("\"Effect\": \"Allow\", ", "")).unwrap_err();
        assert_eq!(
            p.message,
            "Statement 1: missing \"Effect\" (\"Allow\" or \"Deny\")."
        );
    }

    #[test]
    fn the_limit_is_2048_minified_characters() {
        let at = doc_of_size(2048);
        assert_eq!(policy_size(&at), 2048);
        let c = check("p", &at, &[]);
        assert_eq!(c.error(), None);
        let over = check("p", &doc_of_size(2049), &[]);
        assert_eq!(over.total(), 2049);
        assert!(over.error().unwrap().contains("2049 characters"));
    }

    #[test]
    fn whitespace_is_not_counted_but_spaces_in_strings_are() {
        let spaced = "{ \"a\" :\n\t[ 1 , 2 ] }";
        assert_eq!(policy_size(spaced), r#"{"a":[1,2]}"#.len());
        assert_eq!(policy_size(r#"{"a b":1}"#), 9);
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<Value>(&doc_of_size(2048)).unwrap(),
        )
        .unwrap();
        assert!(pretty.len() > 2048);
        assert_eq!(check("p", &pretty, &[]).error(), None);
    }

    #[test]
    fn copied_inline_policies_count_toward_the_limit() {
        let copied = [InlinePolicy {
            name: "old".into(),
            document: doc_of_size(1000),
        }];
        let c = check("p", &doc_of_size(1048), &copied);
        assert_eq!((c.size, c.copied, c.total()), (1048, 1000, 2048));
        assert_eq!(c.error(), None);
        let c = check("p", &doc_of_size(1049), &copied);
        let e = c.error().unwrap();
        assert!(
            e.contains("2049") && e.contains("1000 of them copied"),
            "{e}"
        );
        let c = check("old", GOOD, &copied);
        assert!(c.error().unwrap().contains("already include one named old"));
    }

    #[test]
    fn name_rules() {
        assert_eq!(validate_policy_name(&"a".repeat(128)), Ok(()));
        assert!(
            validate_policy_name(&"a".repeat(129))
                .unwrap_err()
                .contains("129 characters")
        );
        assert!(validate_policy_name("s3 read").is_err());
        assert!(validate_policy_name("s3/read").is_err());
        assert_eq!(validate_policy_name("a_b+c=d,e.f@g-h"), Ok(()));
        assert!(validate_policy_name("").is_err());
        assert!(check("", GOOD, &[]).error().unwrap().contains("Name the"));
    }

    #[test]
    fn an_empty_editor_is_no_policy() {
        let c = check("", "  \n ", &[]);
        assert!(c.empty);
        assert_eq!(c.error(), None);
    }
}
