//! Plan files: everything a creation needs except its secrets, as versioned JSON, so the same
//! users can be created again without the wizard (`iamwiz apply PLAN`), or in it with the choices
//! filled in (`iamwiz --plan PLAN`, [`to_draft`]). Review saves one ([`from_draft`]).
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

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::app::Effective;
use crate::app::draft::{
    self, Draft, GROUPS_MAX, MANAGED_POLICIES_MAX, PasswordMode, TAGS_MAX, TagRow, USERS_MAX,
};
use crate::app::inline_policy::{self, INLINE_POLICY_MAX};
use crate::app::text::TextField;
use crate::app::textarea::{MAX_AREA_CHARS, TextArea};
use crate::export::ExportError;
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

// ---------------------------------------------------------------------------------------------
// The wizard: saving a plan from Review, and opening one (`iamwiz --plan FILE`)
// ---------------------------------------------------------------------------------------------

/// The file name Review offers for a saved plan, in the working directory.
pub const DEFAULT_FILE_NAME: &str = "iamwiz-plan.json";

/// A plan read for the wizard (`iamwiz --plan FILE`), and the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub path: PathBuf,
    pub plan: Plan,
}

/// The plan of what creating `d` makes, as Review lists it in `eff` ([`App::effective`]): the
/// names, path and access, every group, managed policy, inline policy and the boundary (those
/// copied from another user written out like the rest), and the tags.
///
/// Never a secret: a custom console password is left out (a plan's passwords are always
/// generated), only whether the user must change it at first sign-in is kept. The policies iamwiz
/// adds by itself (`eff.added`, `IAMUserChangePassword`) are left out too: applying or opening
/// the plan adds them again when the account's password policy calls for them.
///
/// The plan is checked with [`validate`]; every problem is returned, each with where it is.
///
/// [`App::effective`]: crate::app::App::effective
pub fn from_draft(d: &Draft, eff: &Effective) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut inline_policies = Vec::new();
    for (i, p) in eff.inline.iter().enumerate() {
        match serde_json::from_str::<Value>(&p.document) {
            Ok(document) => inline_policies.push(PlanInlinePolicy {
                name: p.name.clone(),
                document,
            }),
            Err(e) => problems.push(Problem::new(
                format!("inline_policies[{i}].document"),
                format!("the inline policy {:?} is not valid JSON: {e}.", p.name),
            )),
        }
    }
    let plan = Plan {
        version: VERSION,
        users: d.names.iter().map(|n| n.value().to_string()).collect(),
        path: d.path.value().to_string(),
        access_key: d.access_key,
        console_password: d.console_password.then_some(ConsolePassword {
            require_reset: d.require_reset,
        }),
        groups: eff.groups.iter().map(|(g, _)| g.clone()).collect(),
        managed_policies: eff
            .policies
            .iter()
            .filter(|(arn, _)| !eff.added.contains(arn))
            .map(|(arn, _)| arn.clone())
            .collect(),
        inline_policies,
        permissions_boundary: eff.boundary.as_ref().map(|(b, _)| b.clone()),
        tags: d
            .tags
            .iter()
            .map(|t| Tag {
                key: t.key.value().to_string(),
                value: t.value.value().to_string(),
            })
            .collect(),
    };
    if problems.is_empty() {
        problems = validate(&plan);
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

/// The wizard's draft for a valid `plan`, as the admin would have typed it: every name, the
/// path, the access types (a console password autogenerated, with the plan's `require_reset`),
/// the groups, managed policies, boundary and tags, and the inline policy with its document
/// pretty-printed in the editor. The draft holds one inline policy: [`check_for_wizard`] refuses
/// a plan with more, and only the first is taken.
pub fn to_draft(plan: &Plan) -> Draft {
    let inline = plan.inline_policies.first();
    let mut names: Vec<TextField> = plan.users.iter().map(|n| TextField::new(n)).collect();
    if names.is_empty() {
        names.push(TextField::default());
    }
    Draft {
        names,
        path: TextField::new(&plan.path),
        access_key: plan.access_key,
        console_password: plan.console_password.is_some(),
        password_mode: PasswordMode::Autogenerated,
        custom_password: TextField::masked(),
        require_reset: plan
            .console_password
            .as_ref()
            .is_none_or(|c| c.require_reset),
        groups: plan.groups.clone(),
        copy_from: None,
        policies: plan.managed_policies.clone(),
        boundary: plan.permissions_boundary.clone(),
        tags: plan
            .tags
            .iter()
            .map(|t| TagRow {
                key: TextField::new(&t.key),
                value: TextField::new(&t.value),
            })
            .collect(),
        inline_name: TextField::new(inline.map_or("", |p| p.name.as_str())),
        inline_doc: inline
            .map(|p| TextArea::new(&editor_text(&p.document)))
            .unwrap_or_default(),
    }
}

/// A policy document as the editor shows it: pretty-printed, or on one line when the
/// pretty-printed form would not fit the editor (a valid document always fits on one line).
fn editor_text(document: &Value) -> String {
    let pretty = serde_json::to_string_pretty(document).unwrap_or_default();
    if pretty.chars().count() <= MAX_AREA_CHARS {
        pretty
    } else {
        document.to_string()
    }
}

/// What stops a valid plan from opening in the wizard: the wizard edits one inline policy.
pub fn check_for_wizard(plan: &Plan) -> Vec<Problem> {
    wizard_problems(plan.inline_policies.len())
}

fn wizard_problems(inline_policies: usize) -> Vec<Problem> {
    if inline_policies <= 1 {
        return Vec::new();
    }
    vec![Problem::new(
        "inline_policies",
        format!(
            "{inline_policies} inline policies; the wizard edits one. Create these users with \
             `iamwiz apply FILE`, or keep one inline policy to open the plan in the wizard."
        ),
    )]
}

/// Reads a plan for the wizard: [`load`]'s checks, then [`check_for_wizard`]'s. Returns every
/// problem found.
pub fn load_for_wizard(text: &str) -> Result<Plan, Vec<Problem>> {
    match load(text) {
        Ok(plan) => {
            let problems = check_for_wizard(&plan);
            if problems.is_empty() {
                Ok(plan)
            } else {
                Err(problems)
            }
        }
        Err(mut problems) => {
            // The count is known even when the policies themselves are wrong.
            let count = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("inline_policies")?.as_array().map(Vec::len))
                .unwrap_or(0);
            problems.extend(wizard_problems(count));
            Err(problems)
        }
    }
}

/// Writes a plan's `text` to the new file `path`, with the usual permissions for a file that
/// holds no secret. Never replaces anything already at the path ([`ExportError::Exists`]) and
/// never follows a link; the folder must exist ([`ExportError::NoParent`]). A file left half
/// written by a failure is removed.
pub fn write_new(path: &Path, text: &str) -> Result<(), ExportError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(ExportError::NoParent(parent.to_path_buf()));
    }
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ExportError::Exists(path.to_path_buf()),
            _ => io(e),
        })?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(io(e));
    }
    Ok(())
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

    // ---- the wizard --------------------------------------------------------------------------

    const DOC: &str = r#"{"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;

    fn row(k: &str, v: &str) -> TagRow {
        TagRow {
            key: TextField::new(k),
            value: TextField::new(v),
        }
    }

    /// A draft for two users with a console password, and what Review lists for it: a chosen
    /// group and policy, a group, policy, inline policy and boundary copied from another user,
    /// and `IAMUserChangePassword` added by iamwiz.
    fn reviewed() -> (Draft, Effective) {
        let draft = Draft {
            names: vec![TextField::new("alice"), TextField::new("bob")],
            path: TextField::new("/eng/"),
            access_key: true,
            console_password: true,
            require_reset: false,
            groups: vec!["developers".into()],
            copy_from: Some("carol".into()),
            policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
            tags: vec![row("team", "data"), row("cost center", "")],
            ..Draft::default()
        };
        let change = change_password_arn("aws");
        let eff = Effective {
            groups: vec![("developers".into(), false), ("admins".into(), true)],
            policies: vec![
                ("arn:aws:iam::aws:policy/ReadOnlyAccess".into(), false),
                ("arn:aws:iam::123456789012:policy/deploy".into(), true),
                (change.clone(), false),
            ],
            inline: vec![InlinePolicy {
                name: "scratch".into(),
                document: DOC.into(),
            }],
            boundary: Some(("arn:aws:iam::aws:policy/PowerUserAccess".into(), true)),
            added: vec![change],
        };
        (draft, eff)
    }

    #[test]
    fn a_plan_from_review_writes_out_what_was_copied_and_leaves_out_what_iamwiz_adds() {
        let (draft, eff) = reviewed();
        let plan = from_draft(&draft, &eff).unwrap();
        assert_eq!(
            plan,
            Plan {
                version: 1,
                users: vec!["alice".into(), "bob".into()],
                path: "/eng/".into(),
                access_key: true,
                console_password: Some(ConsolePassword {
                    require_reset: false
                }),
                groups: vec!["developers".into(), "admins".into()],
                managed_policies: vec![
                    "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
                    "arn:aws:iam::123456789012:policy/deploy".into(),
                ],
                inline_policies: vec![PlanInlinePolicy {
                    name: "scratch".into(),
                    document: serde_json::from_str(DOC).unwrap(),
                }],
                permissions_boundary: Some("arn:aws:iam::aws:policy/PowerUserAccess".into()),
                tags: vec![
                    Tag {
                        key: "team".into(),
                        value: "data".into()
                    },
                    Tag {
                        key: "cost center".into(),
                        value: String::new()
                    },
                ],
            }
        );
        assert_eq!(load(&to_json(&plan)).unwrap(), plan);
    }

    #[test]
    fn a_chosen_iam_user_change_password_is_kept() {
        let (draft, mut eff) = reviewed();
        eff.added.clear();
        let plan = from_draft(&draft, &eff).unwrap();
        assert_eq!(
            plan.managed_policies.last().map(String::as_str),
            Some("arn:aws:iam::aws:policy/IAMUserChangePassword")
        );
    }

    #[test]
    fn a_custom_password_never_reaches_the_plan() {
        let (mut draft, eff) = reviewed();
        draft.password_mode = PasswordMode::Custom;
        draft.custom_password = TextField::new("Hunter2!Secret-EXAMPLE");
        let plan = from_draft(&draft, &eff).unwrap();
        assert_eq!(
            plan.console_password,
            Some(ConsolePassword {
                require_reset: false
            })
        );
        let json = to_json(&plan);
        assert!(!json.contains("Hunter2"), "{json}");
        assert!(!json.to_lowercase().contains("custom"), "{json}");
    }

    #[test]
    fn a_draft_that_breaks_a_rule_is_not_a_plan() {
        let (mut draft, mut eff) = reviewed();
        draft.names[1] = TextField::new("bad name");
        draft.path = TextField::new("eng");
        eff.inline[0].document = "{not json".into();
        let p = from_draft(&draft, &eff).unwrap_err();
        assert_eq!(at(&p), ["inline_policies[0].document"], "{p:#?}");
        assert!(
            p[0].message.contains("\"scratch\" is not valid JSON"),
            "{}",
            p[0]
        );
        eff.inline.clear();
        let p = from_draft(&draft, &eff).unwrap_err();
        assert_eq!(at(&p), ["users[1]", "path"], "{p:#?}");
        draft.access_key = false;
        draft.console_password = false;
        draft.names[1] = TextField::new("bob");
        draft.path = TextField::new("/");
        assert_eq!(at(&from_draft(&draft, &eff).unwrap_err()), ["access_key"]);
    }

    #[test]
    fn a_plan_fills_the_draft_as_if_typed() {
        let plan = load(FULL).unwrap();
        let d = to_draft(&plan);
        let names: Vec<&str> = d.names.iter().map(|n| n.value()).collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(
            d.names[1].cursor(),
            3,
            "the cursor after the name, as typed"
        );
        assert_eq!(d.path.value(), "/engineering/");
        assert!(d.access_key && d.console_password && d.require_reset);
        assert_eq!(d.password_mode, PasswordMode::Autogenerated);
        assert!(d.custom_password.is_empty() && d.custom_password.is_masked());
        assert_eq!(d.groups, ["developers", "admins"]);
        assert_eq!(d.policies, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
        assert_eq!(d.copy_from, None);
        assert_eq!(
            d.boundary.as_deref(),
            Some("arn:aws:iam::123456789012:policy/boundary")
        );
        assert_eq!(d.tags, [row("team", "data")]);
        assert_eq!(d.inline_name.value(), "s3-read");
        assert!(
            d.inline_doc.text().starts_with("{\n  \""),
            "{}",
            d.inline_doc.text()
        );
        let doc: Value = serde_json::from_str(&d.inline_doc.text()).unwrap();
        assert_eq!(doc, plan.inline_policies[0].document);

        let minimal = load(r#"{"version": 1, "users": ["a"], "access_key": true}"#).unwrap();
        let d = to_draft(&minimal);
        assert_eq!(
            d,
            Draft {
                names: vec![TextField::new("a")],
                ..Draft::default()
            }
        );
        let no_reset =
            load(r#"{"version": 1, "users": ["a"], "console_password": {"require_reset": false}}"#)
                .unwrap();
        let d = to_draft(&no_reset);
        assert!(!d.access_key && d.console_password && !d.require_reset);
    }

    #[test]
    fn plan_to_draft_to_plan_is_the_same_plan() {
        let plan = load(FULL).unwrap();
        let d = to_draft(&plan);
        let eff = Effective {
            groups: d.groups.iter().map(|g| (g.clone(), false)).collect(),
            policies: d.policies.iter().map(|p| (p.clone(), false)).collect(),
            inline: vec![InlinePolicy {
                name: d.inline_name.value().to_string(),
                document: d.inline_doc.text(),
            }],
            boundary: d.boundary.clone().map(|b| (b, false)),
            added: Vec::new(),
        };
        assert_eq!(from_draft(&d, &eff).unwrap(), plan);
    }

    #[test]
    fn the_wizard_refuses_more_than_one_inline_policy_and_points_to_apply() {
        let mut plan = load(FULL).unwrap();
        assert!(check_for_wizard(&plan).is_empty());
        let mut second = plan.inline_policies[0].clone();
        second.name = "second".into();
        plan.inline_policies.push(second);
        let text = to_json(&plan);
        assert!(load(&text).is_ok(), "apply takes it");
        let p = load_for_wizard(&text).unwrap_err();
        assert_eq!(at(&p), ["inline_policies"]);
        assert!(p[0].message.starts_with("2 inline policies"), "{}", p[0]);
        assert!(p[0].message.contains("iamwiz apply"), "{}", p[0]);
        // Listed with the other problems when the plan has more.
        let text = text.replace("\"alice\"", "\"bad name\"");
        let p = load_for_wizard(&text).unwrap_err();
        assert_eq!(at(&p), ["users[0]", "inline_policies"], "{p:#?}");
        assert_eq!(load_for_wizard(FULL).unwrap(), load(FULL).unwrap());
    }

    #[test]
    fn a_plan_file_is_new_and_never_replaces_anything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        write_new(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        let e = write_new(&path, "other").unwrap_err();
        assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n", "unchanged");
        let e = write_new(&dir.path().join("no/such/plan.json"), "{}").unwrap_err();
        assert!(matches!(e, ExportError::NoParent(_)), "{e:?}");
    }
}
