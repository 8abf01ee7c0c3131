//! Reading a plan's structure: its JSON, its version, unknown fields and the type of every field,
//! all of them at once, so a refused plan lists every problem with where it is in the file; then
//! [`load`] adds the rules ([`super::rules`]) on what could be read.

use serde_json::{Map, Value};

use super::{FIELDS, Plan, Problem, VERSION, VERSIONS_UNDERSTOOD, root_path, validate};

/// Reads and checks a plan: its JSON, its version, its fields and their types ([`parse`]), then
/// every rule ([`validate`]) on the fields that could be read. Returns the plan only if nothing
/// is wrong; otherwise every problem found.
pub fn load(text: &str) -> Result<Plan, Vec<Problem>> {
    let (plan, mut problems, kept) = read(text)?;
    let unreadable: Vec<String> = problems.iter().map(|p| field_of(&p.at)).collect();
    for mut p in validate(&plan) {
        // A rule on a whole field that could not be read whole would be about what is left.
        if unreadable.contains(&p.at) {
            continue;
        }
        for (field, indices) in &kept {
            p.at = remap(&p.at, field, indices);
            p.message = remap(&p.message, field, indices);
        }
        problems.push(p);
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

/// The top-level field a location is in (`tags[0].key` → `tags`).
fn field_of(at: &str) -> String {
    at.split(['[', '.']).next().unwrap_or(at).to_string()
}

/// `text` with each `field[i]` (an index into the elements that could be read) turned into
/// `field[indices[i]]`, the element's index in the file.
fn remap(text: &str, field: &str, indices: &[usize]) -> String {
    let open = format!("{field}[");
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..start + open.len()]);
        match after[..digits].parse::<usize>() {
            Ok(i) if after[digits..].starts_with(']') => {
                out.push_str(&indices.get(i).copied().unwrap_or(i).to_string());
            }
            _ => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Reads a plan's structure: JSON syntax, the version, unknown fields and the type of every
/// field (all of them, not just the first wrong one). The rules on the values are [`validate`]'s.
pub fn parse(text: &str) -> Result<Plan, Vec<Problem>> {
    match read(text) {
        Ok((plan, problems, _)) if problems.is_empty() => Ok(plan),
        Ok((_, problems, _)) | Err(problems) => Err(problems),
    }
}

/// Fatal problems (not JSON, not an object, a version not understood) as `Err`; otherwise the
/// plan with defaults for the fields that could not be read, the problems with those, and for
/// each list the file's index of every element that could be read.
type Kept = Vec<(&'static str, Vec<usize>)>;

fn read(text: &str) -> Result<(Plan, Vec<Problem>, Kept), Vec<Problem>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        vec![Problem::new(
            format!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON: {message}."),
        )]
    })?;
    let Value::Object(object) = value else {
        return Err(vec![Problem::new(
            "plan",
            format!(
                "a plan is a JSON object ({{\"version\": {VERSION}, \"users\": [...], ...}}), not {}.",
                describe(&value)
            ),
        )]);
    };
    check_version(object.get("version")).map_err(|p| vec![p])?;

    let mut plan = Plan::default();
    let mut problems = Vec::new();
    let mut kept: Kept = Vec::new();
    for key in object.keys() {
        if !FIELDS.contains(&key.as_str()) {
            problems.push(Problem::new(
                key.clone(),
                format!("unknown field; a plan has only {}.", FIELDS.join(", ")),
            ));
        }
    }
    let take = |key: &str| object.get(key).cloned();
    match take("users") {
        None => problems.push(Problem::new(
            "users",
            "missing: list the users to create, for example \"users\": [\"alice\"].",
        )),
        Some(v) => plan.users = list(v, "users", &mut problems, &mut kept, field),
    }
    if let Some(v) = take("path") {
        plan.path = field(v, "path", &mut problems).unwrap_or_else(root_path);
    }
    if let Some(v) = take("access_key") {
        plan.access_key = field(v, "access_key", &mut problems).unwrap_or_default();
    }
    if let Some(v) = take("access_key_use") {
        plan.access_key_use = field(v, "access_key_use", &mut problems).flatten();
    }
    if let Some(v) = take("access_key_description") {
        plan.access_key_description = field(v, "access_key_description", &mut problems).flatten();
    }
    if let Some(v) = take("console_password") {
        plan.console_password = match v {
            Value::Object(o) => {
                object_field(o, "console_password", &["require_reset"], &mut problems)
            }
            v => field(v, "console_password", &mut problems).flatten(),
        };
    }
    if let Some(v) = take("require_mfa") {
        plan.require_mfa = field(v, "require_mfa", &mut problems).unwrap_or_default();
    }
    if let Some(v) = take("groups") {
        plan.groups = list(v, "groups", &mut problems, &mut kept, field);
    }
    if let Some(v) = take("managed_policies") {
        plan.managed_policies = list(v, "managed_policies", &mut problems, &mut kept, field);
    }
    if let Some(v) = take("inline_policies") {
        plan.inline_policies = list(
            v,
            "inline_policies",
            &mut problems,
            &mut kept,
            |v, at, problems| match v {
                Value::Object(o) => object_field(o, at, &["name", "document"], problems),
                v => field(v, at, problems),
            },
        );
    }
    if let Some(v) = take("permissions_boundary") {
        plan.permissions_boundary = field(v, "permissions_boundary", &mut problems).flatten();
    }
    if let Some(v) = take("tags") {
        plan.tags = list(
            v,
            "tags",
            &mut problems,
            &mut kept,
            |v, at, problems| match v {
                Value::Object(o) => object_field(o, at, &["key", "value"], problems),
                v => field(v, at, problems),
            },
        );
    }
    Ok((plan, problems, kept))
}

fn check_version(version: Option<&Value>) -> Result<(), Problem> {
    let understood = VERSIONS_UNDERSTOOD
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match version {
        None => Err(Problem::new(
            "version",
            format!(
                "missing: a plan starts with \"version\": {VERSION} (this iamwiz reads version \
                 {understood})."
            ),
        )),
        Some(Value::Number(n))
            if n.as_u64()
                .is_some_and(|v| VERSIONS_UNDERSTOOD.iter().any(|&u| u64::from(u) == v)) =>
        {
            Ok(())
        }
        Some(v) => Err(Problem::new(
            "version",
            format!(
                "{} is not a plan version this iamwiz reads (it reads version {understood}); \
                 save the plan again with this iamwiz, or use the iamwiz that wrote it.",
                match v {
                    Value::Number(n) => n.to_string(),
                    v => describe(v),
                }
            ),
        )),
    }
}

/// `v` as a `T`, or a problem at `at` saying what type was expected.
fn field<T: serde::de::DeserializeOwned>(
    v: Value,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let shown = describe(&v);
    match serde_json::from_value::<T>(v) {
        Ok(t) => Some(t),
        Err(e) => {
            // serde says "invalid type: string \"x\", expected a boolean": keep the expectation.
            let message = e.to_string();
            let expected = message
                .split_once("expected ")
                .map(|(_, what)| what.to_string())
                .unwrap_or(message);
            problems.push(Problem::new(
                at,
                format!("must be {expected}, not {shown}."),
            ));
            None
        }
    }
}

/// An object of `keys` as a `T`: unknown keys and missing or mistyped fields each a problem.
fn object_field<T: serde::de::DeserializeOwned>(
    o: Map<String, Value>,
    at: &str,
    keys: &[&str],
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let before = problems.len();
    for key in o.keys() {
        if !keys.contains(&key.as_str()) {
            problems.push(Problem::new(
                format!("{at}.{key}"),
                format!("unknown field; here the fields are {}.", keys.join(", ")),
            ));
        }
    }
    let known: Map<String, Value> = o
        .into_iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .collect();
    for key in keys {
        if let Some(v) = known.get(*key) {
            let ok = match (*key, v) {
                ("document", _) => true,
                ("require_reset", v) => v.is_boolean(),
                (_, v) => v.is_string(),
            };
            if !ok {
                problems.push(Problem::new(
                    format!("{at}.{key}"),
                    format!(
                        "must be {}, not {}.",
                        if *key == "require_reset" {
                            "true or false"
                        } else {
                            "a string"
                        },
                        describe(v)
                    ),
                ));
            }
        } else if *key != "require_reset" {
            problems.push(Problem::new(format!("{at}.{key}"), "missing."));
        }
    }
    if problems.len() > before {
        return None;
    }
    field(Value::Object(known), at, problems)
}

/// Each element of the array `v` read by `one`, the problems at `at[i]`; the file's index of
/// each element read goes to `kept`.
fn list<T>(
    v: Value,
    at: &'static str,
    problems: &mut Vec<Problem>,
    kept: &mut Kept,
    one: impl Fn(Value, &str, &mut Vec<Problem>) -> Option<T>,
) -> Vec<T> {
    let Value::Array(items) = v else {
        problems.push(Problem::new(
            at,
            format!("must be a list ([ ... ]), not {}.", describe(&v)),
        ));
        return Vec::new();
    };
    let mut indices = Vec::new();
    let read = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let t = one(item, &format!("{at}[{i}]"), problems)?;
            indices.push(i);
            Some(t)
        })
        .collect();
    kept.push((at, indices));
    read
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::ConsolePassword;
    use crate::planfile::Tag;
    use crate::planfile::tests::{FULL, at};

    #[test]
    fn a_full_plan_loads() {
        let plan = load(FULL).unwrap();
        assert_eq!(plan.users, ["alice", "bob"]);
        assert_eq!(plan.path, "/engineering/");
        assert!(plan.access_key);
        assert_eq!(
            plan.console_password,
            Some(ConsolePassword {
                require_reset: true
            })
        );
        assert_eq!(plan.groups, ["developers", "admins"]);
        assert_eq!(plan.inline_policies[0].name, "s3-read");
        assert_eq!(
            plan.tags,
            [Tag {
                key: "team".into(),
                value: "data".into()
            }]
        );
    }

    #[test]
    fn a_minimal_plan_takes_the_defaults() {
        let plan = load(r#"{"version": 1, "users": ["a"], "access_key": true}"#).unwrap();
        assert_eq!(
            plan,
            Plan {
                users: vec!["a".into()],
                access_key: true,
                ..Plan::default()
            }
        );
        let plan = load(r#"{"version": 1, "users": ["a"], "console_password": {}}"#).unwrap();
        assert_eq!(
            plan.console_password,
            Some(ConsolePassword {
                require_reset: true
            })
        );
    }

    #[test]
    fn versions_other_than_1_are_refused_with_the_versions_understood() {
        let p = load(r#"{"version": 2, "users": ["a"], "access_key": true}"#).unwrap_err();
        assert_eq!(at(&p), ["version"]);
        assert!(
            p[0].message.starts_with("2 is not a plan version"),
            "{}",
            p[0]
        );
        assert!(p[0].message.contains("reads version 1"), "{}", p[0]);
        let p = load(r#"{"users": ["a"], "access_key": true}"#).unwrap_err();
        assert!(p[0].message.starts_with("missing"), "{}", p[0]);
        let p = load(r#"{"version": "1", "users": ["a"]}"#).unwrap_err();
        assert!(
            p[0].message.starts_with("the string \"1\" is not"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn not_json_names_the_line_and_column() {
        let p = load("{\n  \"version\": 1,\n  \"users\": [\"a\",]\n}").unwrap_err();
        assert_eq!(p.len(), 1);
        assert!(p[0].at.starts_with("line 3, column"), "{}", p[0]);
        assert!(load("[]").unwrap_err()[0].message.contains("JSON object"));
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let text = r#"{
          "version": 1,
          "users": ["ok", "bad name", "OK", "a234567890123456789012345678901234567890123456789012345678901234567890"],
          "colour": "blue",
          "path": "no-slashes",
          "access_key": "yes",
          "groups": ["dev ops"],
          "managed_policies": ["ReadOnlyAccess"],
          "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17"}, "extra": 1}],
          "permissions_boundary": "arn:aws:s3:::bucket",
          "tags": [{"key": "aws:team", "value": "x"}, {"key": "k", "value": "a#b"}, {"key": "K", "value": "v"}, {"key": "t"}]
        }"#;
        let p = load(text).unwrap_err();
        assert_eq!(
            at(&p),
            [
                "colour",
                "access_key",
                "inline_policies[0].extra",
                "tags[3].value",
                "users[1]",
                "users[2]",
                "users[3]",
                "path",
                "groups[0]",
                "managed_policies[0]",
                "permissions_boundary",
                "tags[0].key",
                "tags[1].value",
                "tags[2].key",
            ],
            "{p:#?}"
        );
        assert!(p[0].message.contains("unknown field"), "{}", p[0]);
        assert!(p[1].message.contains("must be a boolean"), "{}", p[1]);
        assert!(p[5].message.contains("same name as users[0]"), "{}", p[5]);
        assert!(p[6].message.contains("the limit is 64"), "{}", p[6]);
    }

    #[test]
    fn problems_after_an_unreadable_element_keep_the_file_s_index() {
        let p = load(
            r#"{"version": 1, "users": [7, "bad name", "ok", "OK"], "access_key": true,
                "tags": [{"key": "a"}, {"key": "b", "value": "x"}, {"key": "B", "value": "y"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            at(&p),
            [
                "users[0]",
                "tags[0].value",
                "users[1]",
                "users[3]",
                "tags[2].key"
            ],
            "{p:#?}"
        );
        assert!(p[0].message.contains("must be a string"), "{}", p[0]);
        assert!(p[3].message.contains("same name as users[2]"), "{}", p[3]);
        assert!(p[4].message.contains("key of tags[1]"), "{}", p[4]);
    }
}
