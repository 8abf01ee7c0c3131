//! Plan files: everything a creation needs except its secrets, as versioned JSON, so the same
//! users can be created again without the wizard (`iamwiz apply PLAN`).
//!
//! ```json
//! {
//!   "version": 1,
//!   "users": ["alice", "bob"],
//!   "path": "/",
//!   "access_key": true,
//!   "console_password": {"require_reset": true},
//!   "groups": ["developers"],
//!   "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
//!   "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17", "Statement": []}}],
//!   "permissions_boundary": null,
//!   "tags": [{"key": "team", "value": "data"}]
//! }
//! ```
//!
//! `version` and `users` are required; every other field may be left out (the defaults are: path
//! `/`, no access key, no console password, no groups, policies, boundary or tags). A plan never
//! holds a secret: a console password is always generated to the account's password policy.
//!
//! [`load`] reads a plan and checks it against every rule at once, so a refused plan lists all of
//! its problems, each with where it is (`users[2]`, `tags[0].key`). The rules are the wizard's own
//! ([`crate::app::draft`], [`crate::app::inline_policy`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::draft::{self, GROUPS_MAX, MANAGED_POLICIES_MAX, TAGS_MAX, USERS_MAX};
use crate::app::inline_policy::{self, INLINE_POLICY_MAX};
use crate::protocol::{
    InlinePolicy, LoginSpec, PasswordPolicy, PasswordSource, UserSpec, policy_name,
};

/// The plan format this iamwiz writes.
pub const VERSION: u32 = 1;

/// Every plan format this iamwiz reads.
pub const VERSIONS_UNDERSTOOD: &[u32] = &[1];

/// The fields of a plan, in the order they are written.
pub const FIELDS: &[&str] = &[
    "version",
    "users",
    "path",
    "access_key",
    "console_password",
    "groups",
    "managed_policies",
    "inline_policies",
    "permissions_boundary",
    "tags",
];

/// A plan: the users to create and everything they share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub version: u32,
    /// The users to create (1 to 10), sharing every other choice.
    pub users: Vec<String>,
    #[serde(default = "root_path")]
    pub path: String,
    #[serde(default)]
    pub access_key: bool,
    /// A console password, generated to the account's password policy; `null` for none.
    #[serde(default)]
    pub console_password: Option<ConsolePassword>,
    /// Group names.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Managed policy ARNs.
    #[serde(default)]
    pub managed_policies: Vec<String>,
    #[serde(default)]
    pub inline_policies: Vec<PlanInlinePolicy>,
    /// ARN of the managed policy used as the permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn root_path() -> String {
    "/".to_string()
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsolePassword {
    /// The user must choose a new password at first sign-in (the default).
    #[serde(default = "yes")]
    pub require_reset: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInlinePolicy {
    pub name: String,
    /// The policy document, as a JSON object (not a string holding JSON).
    pub document: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            version: VERSION,
            users: Vec::new(),
            path: root_path(),
            access_key: false,
            console_password: None,
            groups: Vec::new(),
            managed_policies: Vec::new(),
            inline_policies: Vec::new(),
            permissions_boundary: None,
            tags: Vec::new(),
        }
    }
}

/// One thing wrong with a plan: where it is (`users[2]`, `tags[0].key`, or `plan` for the file as
/// a whole) and what rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: String,
    pub message: String,
}

impl Problem {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The plan as pretty-printed JSON (two-space indent, a final line end), as "save plan" writes
/// it. Every field is written, defaults included, so the file shows every choice.
pub fn to_json(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(plan).expect("a plan is always serializable");
    text.push('\n');
    text
}

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
    if let Some(v) = take("console_password") {
        plan.console_password = match v {
            Value::Object(o) => {
                object_field(o, "console_password", &["require_reset"], &mut problems)
            }
            v => field(v, "console_password", &mut problems).flatten(),
        };
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

/// Whether `arn` looks like a managed policy ARN: `arn:PARTITION:iam::aws:policy/NAME` or
/// `arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME`.
pub fn check_policy_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shape = "a managed policy ARN looks like arn:aws:iam::aws:policy/NAME or \
                 arn:aws:iam::123456789012:policy/NAME";
    let [arn_word, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!("{arn:?} is not a policy ARN: {shape}."));
    };
    let account_ok =
        *account == "aws" || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()));
    let name = resource.strip_prefix("policy/").unwrap_or_default();
    let ok = *arn_word == "arn"
        && partition.starts_with("aws")
        && *service == "iam"
        && region.is_empty()
        && account_ok
        && !policy_name(name).is_empty()
        && name.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(format!("{arn:?} is not a policy ARN: {shape}."))
    }
}

/// Checks every rule on a plan and returns every problem, each with where it is. An empty list
/// means the plan can be applied (as far as can be known without asking AWS).
pub fn validate(plan: &Plan) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |at: String, message: String| problems.push(Problem { at, message });

    if plan.users.is_empty() {
        push(
            "users".into(),
            "empty: list at least one user to create.".into(),
        );
    }
    if plan.users.len() > USERS_MAX {
        push(
            "users".into(),
            format!(
                "{} users; a plan creates at most {USERS_MAX} at once: split it into several plans.",
                plan.users.len()
            ),
        );
    }
    for (i, name) in plan.users.iter().enumerate() {
        if let Err(e) = draft::validate_user_name(name) {
            push(format!("users[{i}]"), e);
            continue;
        }
        let lower = name.to_lowercase();
        if let Some(j) = plan.users[..i]
            .iter()
            .position(|n| n.to_lowercase() == lower)
        {
            push(
                format!("users[{i}]"),
                format!(
                    "{name:?} is the same name as users[{j}] ({:?}); names must differ, ignoring \
                     case.",
                    plan.users[j]
                ),
            );
        }
    }

    if let Err(e) = draft::validate_path(&plan.path) {
        push("path".into(), e);
    }

    if !plan.access_key && plan.console_password.is_none() {
        push(
            "access_key".into(),
            "no access: set \"access_key\": true, or \"console_password\": {\"require_reset\": \
             true}, or both."
                .into(),
        );
    }

    if plan.groups.len() > GROUPS_MAX {
        push(
            "groups".into(),
            format!(
                "{} groups; a user can be in at most {GROUPS_MAX}.",
                plan.groups.len()
            ),
        );
    }
    for (i, group) in plan.groups.iter().enumerate() {
        if let Err(e) =
            crate::app::new_group::validate_group_name(group, &crate::app::Remote::Loading)
        {
            push(format!("groups[{i}]"), e);
        } else if let Some(j) = plan.groups[..i]
            .iter()
            .position(|g| g.eq_ignore_ascii_case(group))
        {
            push(
                format!("groups[{i}]"),
                format!("{group:?} is listed twice (also groups[{j}]); list each group once."),
            );
        }
    }

    if plan.managed_policies.len() > MANAGED_POLICIES_MAX {
        push(
            "managed_policies".into(),
            format!(
                "{} managed policies; a user can have at most {MANAGED_POLICIES_MAX} attached.",
                plan.managed_policies.len()
            ),
        );
    }
    for (i, arn) in plan.managed_policies.iter().enumerate() {
        if let Err(e) = check_policy_arn(arn) {
            push(format!("managed_policies[{i}]"), e);
        } else if let Some(j) = plan.managed_policies[..i].iter().position(|a| a == arn) {
            push(
                format!("managed_policies[{i}]"),
                format!(
                    "{} is listed twice (also managed_policies[{j}]); list each policy once.",
                    policy_name(arn)
                ),
            );
        }
    }

    if let Some(arn) = &plan.permissions_boundary
        && let Err(e) = check_policy_arn(arn)
    {
        push("permissions_boundary".into(), e);
    }

    let mut total = 0;
    for (i, p) in plan.inline_policies.iter().enumerate() {
        if let Err(e) = inline_policy::validate_policy_name(&p.name) {
            push(format!("inline_policies[{i}].name"), e);
        } else if let Some(j) = plan.inline_policies[..i]
            .iter()
            .position(|q| q.name == p.name)
        {
            push(
                format!("inline_policies[{i}].name"),
                format!(
                    "{:?} is also the name of inline_policies[{j}]; each inline policy needs its \
                     own name.",
                    p.name
                ),
            );
        }
        let text = p.document.to_string();
        if let Err(e) = inline_policy::check_document(&text) {
            push(format!("inline_policies[{i}].document"), e.message);
        }
        total += inline_policy::policy_size(&text);
    }
    if total > INLINE_POLICY_MAX {
        push(
            "inline_policies".into(),
            format!(
                "the inline policies come to {total} characters (whitespace not counted); a user \
                 may have at most {INLINE_POLICY_MAX}."
            ),
        );
    }

    if plan.tags.len() > TAGS_MAX {
        push(
            "tags".into(),
            format!(
                "{} tags; a user can have at most {TAGS_MAX}.",
                plan.tags.len()
            ),
        );
    }
    for (i, tag) in plan.tags.iter().enumerate() {
        if let Err(e) = draft::validate_tag_key(&tag.key) {
            push(format!("tags[{i}].key"), e);
        } else if let Some(j) = plan.tags[..i]
            .iter()
            .position(|t| t.key.to_lowercase() == tag.key.to_lowercase())
        {
            push(
                format!("tags[{i}].key"),
                format!(
                    "{:?} is also the key of tags[{j}]; keys must differ, ignoring case.",
                    tag.key
                ),
            );
        }
        if let Err(e) = draft::validate_tag_value(&tag.value) {
            push(format!("tags[{i}].value"), e);
        }
    }
    problems
}

/// The AWS managed policy that lets a user change their own password.
pub const CHANGE_PASSWORD_POLICY: &str = crate::app::CHANGE_PASSWORD_POLICY;

/// The ARN of `IAMUserChangePassword` in `partition` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn change_password_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{CHANGE_PASSWORD_POLICY}")
}

/// Whether applying `plan` attaches `IAMUserChangePassword` as well, as the console and the
/// wizard do: the users must set a new password at first sign-in, and the account's password
/// `policy` does not let users change their own.
pub fn adds_change_password(plan: &Plan, policy: &PasswordPolicy) -> bool {
    plan.console_password
        .as_ref()
        .is_some_and(|c| c.require_reset)
        && !policy.allow_users_to_change_password
}

/// The managed policies each user gets: the plan's, then `IAMUserChangePassword` (in
/// `partition`) when [`adds_change_password`] and the plan does not list it already.
pub fn effective_policies(plan: &Plan, policy: &PasswordPolicy, partition: &str) -> Vec<String> {
    let mut policies = plan.managed_policies.clone();
    if adds_change_password(plan, policy) {
        let arn = change_password_arn(partition);
        if !policies.contains(&arn) {
            policies.push(arn);
        }
    }
    policies
}

/// The creation requests for a valid plan, one per user: console passwords generated to the
/// account's password `policy`, and `IAMUserChangePassword` (in `partition`) added as
/// [`effective_policies`] says. Inline policy documents are sent minified.
pub fn to_specs(plan: &Plan, policy: &PasswordPolicy, partition: &str) -> Vec<UserSpec> {
    let policies = effective_policies(plan, policy, partition);
    plan.users
        .iter()
        .map(|name| UserSpec {
            name: name.clone(),
            path: plan.path.clone(),
            tags: plan
                .tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect(),
            boundary: plan.permissions_boundary.clone(),
            access_key: plan.access_key,
            login: plan.console_password.as_ref().map(|c| LoginSpec {
                password: PasswordSource::Generate { policy: *policy },
                require_reset: c.require_reset,
            }),
            groups: plan.groups.clone(),
            policies: policies.clone(),
            inline: plan
                .inline_policies
                .iter()
                .map(|p| InlinePolicy {
                    name: p.name.clone(),
                    document: p.document.to_string(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
  "version": 1,
  "users": ["alice", "bob"],
  "path": "/engineering/",
  "access_key": true,
  "console_password": {"require_reset": true},
  "groups": ["developers", "admins"],
  "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
  "permissions_boundary": "arn:aws:iam::123456789012:policy/boundary",
  "tags": [{"key": "team", "value": "data"}]
}"#;

    fn at(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.at.as_str()).collect()
    }

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
    fn json_round_trips() {
        let plan = load(FULL).unwrap();
        let text = to_json(&plan);
        assert!(
            text.starts_with("{\n  \"version\": 1,\n  \"users\": [\n"),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        assert_eq!(load(&text).unwrap(), plan);
        let minimal = Plan {
            users: vec!["x".into()],
            access_key: true,
            ..Plan::default()
        };
        let text = to_json(&minimal);
        assert!(text.contains("\"permissions_boundary\": null"), "{text}");
        assert!(text.contains("\"console_password\": null"), "{text}");
        assert_eq!(load(&text).unwrap(), minimal);
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

    #[test]
    fn a_bad_document_and_limits() {
        let mut plan = load(FULL).unwrap();
        plan.inline_policies[0].document = serde_json::json!({"Version": "2012-10-17"});
        plan.managed_policies = (0..11)
            .map(|i| format!("arn:aws:iam::aws:policy/P{i}"))
            .collect();
        plan.users = (0..11).map(|i| format!("u{i}")).collect();
        let p = validate(&plan);
        assert_eq!(
            at(&p),
            ["users", "managed_policies", "inline_policies[0].document"],
            "{p:#?}"
        );
        assert!(p[2].message.contains("Missing \"Statement\""), "{}", p[2]);
    }

    #[test]
    fn no_access_type_is_refused() {
        let p = load(r#"{"version": 1, "users": ["a"]}"#).unwrap_err();
        assert_eq!(at(&p), ["access_key"]);
    }

    #[test]
    fn policy_arns() {
        assert!(check_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        assert!(check_policy_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").is_ok());
        assert!(check_policy_arn("arn:aws-cn:iam::123456789012:policy/a/b").is_ok());
        assert!(check_policy_arn("arn:aws:iam::12345:policy/a").is_err());
        assert!(check_policy_arn("arn:aws:iam::aws:role/a").is_err());
        assert!(check_policy_arn("arn:aws:iam::aws:policy/").is_err());
        assert!(check_policy_arn("ReadOnlyAccess").is_err());
    }

    #[test]
    fn specs_add_iam_user_change_password_like_the_console() {
        let plan = load(FULL).unwrap();
        let strict = PasswordPolicy {
            allow_users_to_change_password: false,
            ..PasswordPolicy::aws_default()
        };
        let specs = to_specs(&plan, &strict, "aws");
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[1].name, "bob");
        assert_eq!(
            specs[0].policies,
            [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/IAMUserChangePassword"
            ]
        );
        assert_eq!(
            specs[0].inline[0].document,
            r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
        );
        assert!(matches!(
            specs[0].login,
            Some(LoginSpec {
                password: PasswordSource::Generate { .. },
                require_reset: true
            })
        ));
        let allows = PasswordPolicy {
            allow_users_to_change_password: true,
            ..strict
        };
        assert_eq!(to_specs(&plan, &allows, "aws")[0].policies.len(), 1);
    }
}
