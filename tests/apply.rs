//! `iamwiz apply`: the real binary, run as a script would run it (no terminal), against moto; the
//! account checked afterwards through the SDK.
//!
//! moto drops the permissions boundary of `CreateUser` and ignores `PasswordResetRequired` (see
//! EMULATOR.md): those are checked in what `--dry-run` prints and, for the engine, in
//! tests/create.rs; here the boundary policy's existence check is exercised.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::apply::{CLOSED, Home, groups_exist, user_exists};
use common::proxy::{self, Proxy, Verdict};
use common::{admin, endpoint, unique};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

const INLINE_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::example-bucket/*"}]}"#;

const POLICIES: [&str; 3] = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
];

const BOUNDARY: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

/// A plan with every option: 3 tags, a boundary, a console password reset at first sign-in, an
/// access key, 2 groups, 3 managed policies and 1 inline policy.
fn full_plan(users: &[String]) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "users": users,
        "path": "/apply-test/",
        "access_key": true,
        "console_password": {"require_reset": true},
        "groups": ["developers", "admins"],
        "managed_policies": POLICIES,
        "inline_policies": [{"name": "s3-read", "document": serde_json::from_str::<serde_json::Value>(INLINE_DOC).unwrap()}],
        "permissions_boundary": BOUNDARY,
        "tags": [
            {"key": "team", "value": "data"},
            {"key": "cost-center", "value": "1234"},
            {"key": "owner", "value": "ops@example.com"}
        ]
    })
}

/// Checks through the SDK that `name` has everything [`full_plan`] asks for, and that its one
/// access key is `key_id`.
async fn assert_full_user(iam: &aws_sdk_iam::Client, name: &str, key_id: &str) {
    let user = iam.get_user().user_name(name).send().await.unwrap();
    let user = user.user().unwrap();
    assert_eq!(user.path(), "/apply-test/");
    let mut tags: Vec<(String, String)> = common::without_mark(
        iam.list_user_tags()
            .user_name(name)
            .send()
            .await
            .unwrap()
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect(),
    );
    tags.sort();
    assert_eq!(
        tags,
        [
            ("cost-center".to_string(), "1234".to_string()),
            ("owner".to_string(), "ops@example.com".to_string()),
            ("team".to_string(), "data".to_string()),
        ]
    );
    let mut groups = common::group_names(iam, name).await;
    groups.sort();
    assert_eq!(groups, ["admins", "developers"]);
    let mut attached = common::attached_policy_arns(iam, name).await;
    attached.sort();
    let mut expected: Vec<String> = POLICIES.iter().map(|s| s.to_string()).collect();
    if !common::users_may_change_password(iam).await {
        expected.push("arn:aws:iam::aws:policy/IAMUserChangePassword".to_string());
    }
    expected.sort();
    assert_eq!(attached, expected, "policies attached to {name}");
    let document: serde_json::Value =
        serde_json::from_str(&common::inline_policy_text(iam, name, "s3-read").await).unwrap();
    assert_eq!(
        document,
        serde_json::from_str::<serde_json::Value>(INLINE_DOC).unwrap()
    );
    iam.get_login_profile()
        .user_name(name)
        .send()
        .await
        .expect("the user has a console password");
    let keys = common::access_key_ids(iam, name).await;
    assert_eq!(keys, [key_id]);
}

/// The rows of a credentials CSV (header checked), split at commas (generated passwords and keys
/// hold none).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("User name,Password,Access key ID,Secret access key,Console login link")
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn one_user_with_every_option_is_created_and_its_secrets_go_only_to_the_csv() {
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-one");
    let plan = home.plan("plan.json", &full_plan(std::slice::from_ref(&name)));
    let csv = home.path().join("new-user.csv");
    let run = home.apply(
        &endpoint(),
        &[plan.to_str().unwrap(), "--csv", csv.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);

    assert_eq!(mode(&csv), 0o600);
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 1);
    let [user, password, key_id, secret, url] = rows[0].as_slice() else {
        panic!("5 fields: {:?}", rows[0]);
    };
    assert_eq!(user, &name);
    assert!(password.len() >= 20, "a generated password");
    assert!(key_id.starts_with("AKIA") && secret.len() >= 40);
    assert!(url.starts_with("https://") && url.ends_with(".signin.aws.amazon.com/console"));
    assert_full_user(&c.iam, &name, key_id).await;

    for secret_value in [password, secret] {
        assert!(
            !run.stdout.contains(secret_value.as_str()),
            "a secret on stdout"
        );
        assert!(
            !run.stderr.contains(secret_value.as_str()),
            "a secret on stderr"
        );
    }
    assert_eq!(run.stdout, "", "nothing on stdout without --secrets-stdout");
    // Progress as plain lines (stderr is not a terminal), one per step.
    assert!(
        run.stderr.contains(&format!("{name}: iam:CreateUser done")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("{name}: iam:PutUserPolicy s3-read done")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("Created user {name}.")),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn ten_users_with_every_option_are_all_created() {
    let c = admin().await;
    let home = Home::new();
    let names: Vec<String> = (0..10).map(|i| unique(&format!("apply-ten{i}"))).collect();
    let plan = home.plan("plan.json", &full_plan(&names));
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--csv", "users.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = csv_rows(&std::fs::read_to_string(home.path().join("users.csv")).unwrap());
    assert_eq!(rows.len(), 10);
    for (row, name) in rows.iter().zip(&names) {
        assert_eq!(&row[0], name, "the CSV lists the users in plan order");
        assert_full_user(&c.iam, name, &row[2]).await;
    }
    assert!(
        run.stderr
            .contains(&format!("Created 10 users: {}.", names.join(", "))),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn access_keys_go_to_profiles_named_after_each_user() {
    let c = admin().await;
    let home = Home::new();
    let names = [unique("apply-prof-a"), unique("apply-prof-b")];
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": names, "access_key": true}),
    );
    let run = home.apply(
        &endpoint(),
        &[plan.to_str().unwrap(), "--profile-out", "ci"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = std::fs::read_to_string(home.credentials()).unwrap();
    assert_eq!(mode(&home.credentials()), 0o600);
    for name in &names {
        let keys = common::access_key_ids(&c.iam, name).await;
        let id = &keys[0];
        let section = format!("[ci-{name}]\naws_access_key_id = {id}\naws_secret_access_key = ");
        assert!(file.contains(&section), "{file}");
    }
    assert_eq!(run.stdout, "");
}

#[tokio::test]
async fn secrets_stdout_prints_the_console_csv() {
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-stdout");
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true}),
    );
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--secrets-stdout"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = csv_rows(&run.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], name);
    assert_eq!(rows[0][1], "", "no console password");
    let keys = common::access_key_ids(&c.iam, &name).await;
    assert_eq!(rows[0][2], keys[0]);
    assert!(!run.stderr.contains(&rows[0][3]), "the secret on stderr");
}

#[test]
fn a_plan_with_many_problems_lists_them_all_without_calling_aws() {
    let home = Home::new();
    home.plan(
        "bad.json",
        &serde_json::json!({
            "version": 1,
            "users": ["ok-user", "a".repeat(65), "bad name", "OK-User"],
            "access_key": true,
            "colour": "blue",
            "tags": [{"key": "aws:team", "value": "x"}, {"key": "team", "value": "a#b"}]
        }),
    );
    let run = home.apply(CLOSED, &["bad.json", "--csv", "out.csv"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "iamwiz apply: the plan bad.json is refused (6 problems); nothing was created:\n  \
         colour: unknown field; a plan has only version, users, path, access_key, access_key_use, \
         access_key_description, \
         console_password, require_mfa, groups, managed_policies, inline_policies, \
         permissions_boundary, \
         tags.\n  \
         users[1]: The user name is 65 characters; the limit is 64.\n  \
         users[2]: A space is not allowed in a user name; use letters, digits and + = , . @ _ - \
         (1 to 64 characters).\n  \
         users[3]: \"OK-User\" is the same name as users[0] (\"ok-user\"); names must differ, \
         ignoring case.\n  \
         tags[0].key: Tag keys starting with aws: are reserved for AWS.\n  \
         tags[1].value: '#' is not allowed in a tag value; use letters, digits, spaces and _ . : \
         / = + - @.\n"
    );
    assert_eq!(run.stdout, "");
    assert!(!home.path().join("out.csv").exists());
}

#[test]
fn a_wrong_or_missing_version_is_refused_with_the_versions_understood() {
    let home = Home::new();
    for (plan, expected) in [
        (
            serde_json::json!({"version": 2, "users": ["a"], "access_key": true}),
            "  version: 2 is not a plan version this iamwiz reads (it reads version 1); save the \
             plan again with this iamwiz, or use the iamwiz that wrote it.\n",
        ),
        (
            serde_json::json!({"users": ["a"], "access_key": true}),
            "  version: missing: a plan starts with \"version\": 1 (this iamwiz reads version 1).\n",
        ),
    ] {
        let path = home.plan("plan.json", &plan);
        let run = home.apply(CLOSED, &[path.to_str().unwrap(), "--csv", "out.csv"]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(run.stderr.ends_with(expected), "{}", run.stderr);
    }
}

#[tokio::test]
async fn missing_policies_and_groups_and_taken_names_are_all_listed_and_nothing_is_created() {
    let c = admin().await;
    let home = Home::new();
    let fresh = unique("apply-fresh");
    let taken = unique("apply-taken");
    c.iam.create_user().user_name(&taken).send().await.unwrap();
    let no_policy = format!(
        "arn:aws:iam::123456789012:policy/{}",
        unique("no-such-policy")
    );
    let no_group = unique("no-such-group");
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": [fresh, taken],
            "access_key": true,
            "groups": ["developers", no_group],
            "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess", no_policy],
        }),
    );
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--csv", "out.csv"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let expected = [
        format!(
            "  managed_policies[1]: no managed policy {no_policy} in this account: check the \
             ARN, or create the policy first\n"
        ),
        format!(
            "  groups[1]: no group named {no_group} in this account: create it first, or remove \
             it from the plan\n"
        ),
        format!(
            "  users[1]: a user named {taken} already exists in this account (names are unique \
             ignoring case): choose another name\n"
        ),
    ];
    assert!(
        run.stderr
            .contains("cannot be applied to this account (3 problems)"),
        "{}",
        run.stderr
    );
    for line in &expected {
        assert!(
            run.stderr.contains(line.as_str()),
            "{line} in {}",
            run.stderr
        );
    }
    assert!(!user_exists(&c.iam, &fresh).await, "nothing was created");
    assert!(!home.path().join("out.csv").exists());
}

#[test]
fn an_existing_csv_is_refused_before_anything_is_created() {
    let home = Home::new();
    let name = unique("apply-csv-exists");
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true}),
    );
    std::fs::write(home.path().join("taken.csv"), "keep me").unwrap();
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--csv", "taken.csv"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "--csv: taken.csv already exists; iamwiz never writes over a file: choose a new name"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("taken.csv")).unwrap(),
        "keep me"
    );
    let c = tokio::runtime::Runtime::new().unwrap();
    let exists = c.block_on(async { user_exists(&admin().await.iam, &name).await });
    assert!(!exists, "nothing was created");
}

#[test]
fn secrets_with_no_export_named_are_refused_without_calling_aws() {
    let home = Home::new();
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": ["someone"], "access_key": true}),
    );
    let run = home.apply(CLOSED, &[plan.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "--csv, --profile-out, --secrets-stdout: none given, but the plan creates secrets"
        ),
        "{}",
        run.stderr
    );
    // --profile-out alone when console passwords are made too: the passwords would be lost.
    let plan = home.plan(
        "both.json",
        &serde_json::json!({"version": 1, "users": ["someone"], "access_key": true,
                            "console_password": {}}),
    );
    let run = home.apply(CLOSED, &[plan.to_str().unwrap(), "--profile-out", "x"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "--profile-out: a profile holds only the access key, and the plan also creates \
             console passwords that would be lost; add --csv FILE or --secrets-stdout"
        ),
        "{}",
        run.stderr
    );
    // --profile-out with no access key to save.
    let plan = home.plan(
        "password-only.json",
        &serde_json::json!({"version": 1, "users": ["someone"], "console_password": {}}),
    );
    let run = home.apply(CLOSED, &[plan.to_str().unwrap(), "--profile-out", "x"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--profile-out: the plan creates no access key"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreachable_endpoint_exits_6_before_anything_is_created() {
    let home = Home::new();
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": ["someone"], "access_key": true}),
    );
    let run = home.apply(CLOSED, &[plan.to_str().unwrap(), "--csv", "out.csv"]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cannot reach AWS: sts:GetCallerIdentity failed: EndpointUnreachable"),
        "{}",
        run.stderr
    );
    assert!(!home.path().join("out.csv").exists());
}

#[tokio::test]
async fn a_failure_mid_creation_is_rolled_back_and_exits_4() {
    let c = admin().await;
    let home = Home::new();
    let names = [unique("apply-fail-a"), unique("apply-fail-b")];
    // A document iamwiz's own checks accept (they check the shape, not the actions) but IAM
    // refuses: an action without its service prefix (MalformedPolicyDocument).
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": names,
            "access_key": true,
            "console_password": {"require_reset": false},
            "groups": ["developers"],
            "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "inline_policies": [{"name": "bad", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}]}}],
            "tags": [{"key": "team", "value": "data"}]
        }),
    );
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--csv", "out.csv"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "iamwiz apply: {}: iam:PutUserPolicy bad failed: MalformedPolicyDocument",
            names[0]
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "\n  AWS refused a value of the plan as invalid: correct it in the plan file and run \
             again.\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Everything made was undone: nothing was created."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "{}: iam:CreateUser undone (iam:DeleteUser)",
            names[1]
        )),
        "{}",
        run.stderr
    );
    for name in &names {
        assert!(!user_exists(&c.iam, name).await, "{name} was left");
    }
    assert!(
        !home.path().join("out.csv").exists(),
        "no CSV of deleted keys"
    );
    assert_eq!(run.stdout, "");
}

/// A small plan whose values need shell quoting: a path with `&`, a tag value with a space, and a
/// policy document with a `'`.
fn small_plan(name: &str) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "users": [name],
        "path": "/dry&run/",
        "access_key": true,
        "access_key_use": "outside-aws",
        "access_key_description": "on-prem ETL: nightly @ 02:00",
        "console_password": {"require_reset": true},
        "groups": ["developers"],
        "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "inline_policies": [{"name": "own-bucket", "document": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
              "Condition": {"StringEquals": {"aws:username": "o'brien"}}}]}}],
        "permissions_boundary": BOUNDARY,
        "tags": [{"key": "team", "value": "data team"}]
    })
}

#[test]
fn dry_run_prints_the_aws_cli_commands_without_calling_aws() {
    let home = Home::new();
    home.plan("plan.json", &small_plan("dry-alice"));
    let run = home.apply(CLOSED, &["--dry-run", "plan.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        r#"# iamwiz apply --dry-run plan.json: the AWS CLI commands that create the same users.
# The access key is for: Application running outside AWS. AWS recommends: IAM Roles Anywhere, temporary credentials for workloads outside AWS.
# Set IAMWIZ_PASSWORD to a password that meets the account's password policy first (iamwiz apply generates one per user).
# iamwiz apply also attaches arn:aws:iam::aws:policy/IAMUserChangePassword when the account's password policy does not let users change their own password.

aws iam create-user --user-name dry-alice --path '/dry&run/' --permissions-boundary arn:aws:iam::aws:policy/PowerUserAccess --tags '[{"Key":"team","Value":"data team"}]'
aws iam create-login-profile --user-name dry-alice --password "$IAMWIZ_PASSWORD" --password-reset-required
aws iam create-access-key --user-name dry-alice
key_id=$(aws iam list-access-keys --user-name dry-alice --query 'AccessKeyMetadata[0].AccessKeyId' --output text)
aws iam tag-user --user-name dry-alice --tags "[{\"Key\":\"$key_id\",\"Value\":\"on-prem ETL: nightly @ 02:00\"}]"
aws iam add-user-to-group --user-name dry-alice --group-name developers
aws iam attach-user-policy --user-name dry-alice --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
aws iam put-user-policy --user-name dry-alice --policy-name own-bucket --policy-document '{"Statement":[{"Action":"s3:GetObject","Condition":{"StringEquals":{"aws:username":"o'\''brien"}},"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'
"#
    );
    assert_eq!(run.stderr, "");
}

#[tokio::test]
async fn the_dry_run_commands_create_the_user_with_the_aws_cli() {
    groups_exist();
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-dry");
    home.plan("plan.json", &small_plan(&name));
    let run = home.apply(CLOSED, &["--dry-run", "plan.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(home.path().join("commands.sh"), &run.stdout).unwrap();

    let aws = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws");
    let script = format!(
        "set -e\naws() {{ '{aws}' --endpoint-url '{}' --output json \"$@\"; }}\n. ./commands.sh\n",
        endpoint()
    );
    let out = home
        .command("bash")
        .args(["-c", &script])
        .env("AWS_PAGER", "")
        .env("IAMWIZ_PASSWORD", "Dry-run-Passw0rd!xyz")
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "the commands failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let user = c.iam.get_user().user_name(&name).send().await.unwrap();
    assert_eq!(user.user().unwrap().path(), "/dry&run/");
    let tags = c
        .iam
        .list_user_tags()
        .user_name(&name)
        .send()
        .await
        .unwrap();
    let keys = common::access_key_ids(&c.iam, &name).await;
    assert_eq!(keys.len(), 1);
    let tags: Vec<(&str, &str)> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(
        tags,
        [
            ("team", "data team"),
            (keys[0].as_str(), "on-prem ETL: nightly @ 02:00")
        ],
        "the plan's tag, and the key's description under the key's ID"
    );
    let groups = common::group_names(&c.iam, &name).await;
    assert_eq!(groups[0], "developers");
    let attached = common::attached_policy_arns(&c.iam, &name).await;
    assert_eq!(attached[0], "arn:aws:iam::aws:policy/ReadOnlyAccess");
    let document: serde_json::Value =
        serde_json::from_str(&common::inline_policy_text(&c.iam, &name, "own-bucket").await)
            .unwrap();
    assert_eq!(
        document["Statement"][0]["Condition"]["StringEquals"]["aws:username"],
        "o'brien"
    );
    c.iam
        .get_login_profile()
        .user_name(&name)
        .send()
        .await
        .expect("a console password");
    let keys = common::access_key_ids(&c.iam, &name).await;
    assert_eq!(keys.len(), 1);
}

#[tokio::test]
async fn an_export_that_cannot_be_written_deletes_the_new_users_and_exits_4() {
    groups_exist();
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-export-fails");
    home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true,
                            "groups": ["developers"]}),
    );
    // stdout is a pipe whose reading end is closed: printing the secrets fails after the CSV and
    // the profile were written and the user created.
    let mut child = home
        .command(env!("CARGO_BIN_EXE_iamwiz"))
        .args(["--endpoint-url", &endpoint(), "apply", "plan.json"])
        .args([
            "--csv",
            "out.csv",
            "--profile-out",
            "exp",
            "--secrets-stdout",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start iamwiz");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("iamwiz exits");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("the secrets could not be written to stdout"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Everything created was deleted: nothing was created."),
        "{stderr}"
    );
    // The profile written before the failure is named: it is still in the file.
    assert!(
        stderr.contains(&format!(
            "Saved before the failure: profile [exp] (user {name}) in {}; its key no longer \
             exists: remove that profile from the file.",
            home.credentials().display()
        )),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(home.credentials())
            .unwrap()
            .contains("[exp]")
    );
    assert!(!user_exists(&c.iam, &name).await, "{name} was left");
    assert!(
        !home.path().join("out.csv").exists(),
        "the CSV of deleted keys is removed"
    );
}

/// A proxy on 127.0.0.1 in front of moto that answers every request whose `Action=` is in
/// `denied` with IAM's `AccessDenied` (not forwarded), and forwards the rest.
fn denying_proxy(denied: &'static [&'static str]) -> String {
    let proxy = Proxy::start(move |action| {
        if !denied.contains(&action) {
            return Verdict::Forward(Duration::ZERO);
        }
        proxy::iam_error(
            "403 Forbidden",
            "AccessDenied",
            &format!("iam:{action} denied by the test proxy"),
        )
    });
    proxy.endpoint
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_that_leaves_something_lists_it_with_the_command_and_exits_5() {
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-leftover");
    // The inline policy is refused, and so is deleting the user again.
    let proxy = denying_proxy(&["PutUserPolicy", "DeleteUser"]);
    home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": [name],
            "access_key": true,
            "groups": ["developers"],
            "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]
        }),
    );
    let run = home.apply(&proxy, &["plan.json", "--csv", "out.csv"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "iamwiz apply: {name}: iam:PutUserPolicy p failed: AccessDenied"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "\n  user {name}: aws iam delete-user --user-name {name}\n"
        )),
        "{}",
        run.stderr
    );
    // Only the bare user is left: the key and the membership were undone.
    assert!(user_exists(&c.iam, &name).await);
    assert!(common::access_key_ids(&c.iam, &name).await.is_empty());
    assert!(common::group_names(&c.iam, &name).await.is_empty());
    assert!(!home.path().join("out.csv").exists());
    c.iam.delete_user().user_name(&name).send().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Under a request quota (moto never throttles: tests/common/throttle.rs does, as IAM does)
// ---------------------------------------------------------------------------------------------

/// Ten users with every option under a quota of `rate` requests a second (bursts of `rate`):
/// every user is made whole, and apply said it was slowed instead of failing.
async fn ten_users_under_a_quota(rate: f64) {
    let c = admin().await;
    let throttle = common::throttle::Throttle::start(rate, rate);
    let home = Home::new();
    let names: Vec<String> = (0..10)
        .map(|i| unique(&format!("quota{}-{i}-", rate as u32)))
        .collect();
    let plan = home.plan("plan.json", &full_plan(&names));
    let started = std::time::Instant::now();
    let log = home.path().join("iamwiz.log");
    let run = home.apply(
        &throttle.endpoint,
        &[
            plan.to_str().unwrap(),
            "--csv",
            "users.csv",
            "--log-file",
            log.to_str().unwrap(),
        ],
    );
    let elapsed = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(throttle.refused() > 0, "the quota was never reached");
    let rows = csv_rows(&std::fs::read_to_string(home.path().join("users.csv")).unwrap());
    assert_eq!(rows.len(), 10);
    for (row, name) in rows.iter().zip(&names) {
        assert_eq!(&row[0], name);
        assert_full_user(&c.iam, name, &row[2]).await;
    }
    eprintln!(
        "quota {rate}/s: {} requests served, {} throttled, {:.1} s (floor {:.1} s)",
        throttle.passed(),
        throttle.refused(),
        elapsed.as_secs_f64(),
        (throttle.passed() as f64 - rate) / rate
    );
    assert!(
        run.stderr.contains("IAM is throttling: slowed to about ")
            && run.stderr.contains(" · gives up in "),
        "{}",
        run.stderr
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("throttled service=\"iam\"") && log.contains("rate_per_second="),
        "the log records each throttle and the rate chosen:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_users_are_made_whole_under_a_quota_of_10_requests_a_second() {
    ten_users_under_a_quota(10.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_users_are_made_whole_under_a_quota_of_5_requests_a_second() {
    ten_users_under_a_quota(5.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_in_an_aws_error_never_reach_stderr() {
    let c = admin().await;
    let home = Home::new();
    let name = unique("apply-osc");
    let proxy = proxy::hostile(&["PutUserPolicy"]).endpoint;
    home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": [name],
            "access_key": true,
            "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]
        }),
    );
    let run = home.apply(&proxy, &["plan.json", "--csv", "out.csv"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    // The error is shown, without its control characters.
    assert!(
        run.stderr.contains(&format!(
            "{}: {}",
            proxy::HOSTILE_CODE_SHOWN,
            proxy::HOSTILE_MESSAGE_SHOWN
        )),
        "{:?}",
        run.stderr
    );
    assert_eq!(
        proxy::terminal_controls(&run.stderr),
        [] as [char; 0],
        "{:?}",
        run.stderr
    );
    assert!(!user_exists(&c.iam, &name).await, "{name} was undone");
}

#[test]
fn secrets_stdout_onto_a_terminal_is_refused_unless_asked_for_by_name() {
    let plans = tempfile::tempdir().expect("a folder for the plan");
    let name = unique("apply-tty");
    let plan = plans.path().join("plan.json");
    std::fs::write(
        &plan,
        serde_json::json!({"version": 1, "users": [name], "access_key": true}).to_string(),
    )
    .unwrap();
    let plan = plan.to_str().expect("a UTF-8 path");
    // In a pseudo-terminal: stdout is a terminal.
    let mut w = common::pty::Wizard::spawn_with(100, 30, &["apply", plan, "--secrets-stdout"]);
    assert_eq!(w.wait_for_exit(), 3, "refused:\n{}", w.screen());
    let screen = w.screen();
    assert!(
        screen.contains("--secrets-stdout: stdout is a terminal"),
        "{screen}"
    );
    assert!(screen.contains("--secrets-to-terminal"), "{screen}");

    // Asked for by name: printed (moto's account, a throwaway key).
    let mut w = common::pty::Wizard::spawn_with(
        100,
        30,
        &["apply", plan, "--secrets-stdout", "--secrets-to-terminal"],
    );
    assert_eq!(w.wait_for_exit(), 0, "created:\n{}", w.screen());
    let raw = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    assert!(raw.contains(&format!("{name},")), "{raw}");
}

/// A CSV saved inside a git work tree could be committed with the secrets: apply says so.
#[tokio::test]
async fn a_csv_inside_a_git_work_tree_is_warned_about() {
    let home = Home::new();
    std::fs::create_dir(home.path().join(".git")).unwrap();
    let name = unique("apply-git");
    let plan = home.plan("plan.json", &small_plan(&name));
    let run = home.apply(&endpoint(), &[plan.to_str().unwrap(), "--csv", "users.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "warning: users.csv is inside the git work tree {}",
            home.path().display()
        )),
        "{}",
        run.stderr
    );
}

/// Several users and groups are checked against the account's lists, not a request each: the
/// checks share IAM's request quota with the creation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_names_are_checked_with_a_list_not_a_request_each() {
    let home = Home::new();
    let names: Vec<String> = (0..5)
        .map(|i| unique(&format!("apply-listed{i}")))
        .collect();
    let plan = home.plan("plan.json", &full_plan(&names));
    let counter = common::throttle::Throttle::start(1e6, 1e6);
    let run = home.apply(
        &counter.endpoint,
        &[plan.to_str().unwrap(), "--csv", "users.csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let actions = counter.actions();
    let count = |a: &str| actions.iter().filter(|x| *x == a).count();
    assert_eq!(count("GetUser"), 0, "{actions:?}");
    assert_eq!(count("GetGroup"), 0, "{actions:?}");
    assert_eq!(count("ListUsers"), 1, "{actions:?}");
    assert_eq!(count("GetAccountAuthorizationDetails"), 1, "{actions:?}");
}

// ---------------------------------------------------------------------------------------------
// The proof of the new access keys
// ---------------------------------------------------------------------------------------------

/// Applies `plan` through `endpoint` off the runtime's threads (a proxy may be serving on them).
async fn apply_off_runtime(home: &Home, endpoint: &str, args: &[&str]) -> common::apply::Run {
    let mut cmd = home.apply_command(endpoint, args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run iamwiz"))
        .await
        .unwrap();
    common::apply::Run {
        code: out.status.code().expect("iamwiz exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_proves_each_new_key_waiting_while_it_propagates() {
    let (proxy, seen) = proxy::propagation_proxy(Some(Duration::from_secs(3)));
    let home = Home::new();
    let name = unique("apply-proof");
    home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true}),
    );
    let run = apply_off_runtime(&home, &proxy.endpoint, &["plan.json", "--csv", "out.csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{name}'s access key: not working yet (InvalidClientTokenId), waiting for it to \
             propagate"
        )),
        "the wait is shown: {}",
        run.stderr
    );
    let works = format!("{name}'s access key: ✓ works, ");
    assert!(run.stderr.contains(&works), "{}", run.stderr);
    let seen = seen.lock().unwrap().clone();
    let tries = seen
        .iter()
        .filter(|(a, admin, _)| a == "GetCallerIdentity" && !admin)
        .count();
    assert!(tries >= 2, "refused, then tried again: {seen:?}");
    let keys = common::access_key_ids(&admin().await.iam, &name).await;
    assert_eq!(keys.len(), 1, "the key stays");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proof_skips_the_proof() {
    let (proxy, seen) = proxy::propagation_proxy(None);
    let home = Home::new();
    let name = unique("apply-noproof");
    home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true}),
    );
    let args = ["plan.json", "--csv", "out.csv", "--no-proof"];
    let run = apply_off_runtime(&home, &proxy.endpoint, &args).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("Proving"), "{}", run.stderr);
    let seen = seen.lock().unwrap().clone();
    assert!(
        !seen
            .iter()
            .any(|(a, admin, _)| a == "GetCallerIdentity" && !admin),
        "no call signed with the new key: {seen:?}"
    );
}

/// A proof AWS refuses outright (not a propagation delay) ends at once: the line names the
/// operation and the code, says nothing was deleted, and the user and key stay.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_proof_is_reported_and_deletes_nothing() {
    let proxy = Proxy::start_seeing(|action, head| {
        if action == "GetCallerIdentity" && !head.contains("Credential=testing/") {
            proxy::iam_error("403 Forbidden", "AccessDenied", "Explicit deny in an SCP.")
        } else {
            Verdict::Forward(Duration::ZERO)
        }
    });
    let home = Home::new();
    let name = unique("apply-proof-denied");
    home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": [name], "access_key": true}),
    );
    let run = apply_off_runtime(&home, &proxy.endpoint, &["plan.json", "--csv", "out.csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line =
        format!("{name}'s access key: ✗ sts:GetCallerIdentity: AccessDenied. Nothing was deleted");
    assert!(run.stderr.contains(&line), "{}", run.stderr);
    assert!(
        run.stderr.contains("the secrets are saved"),
        "{}",
        run.stderr
    );
    let keys = common::access_key_ids(&admin().await.iam, &name).await;
    assert_eq!(keys.len(), 1, "the key stays");
    assert!(home.path().join("out.csv").exists());
}
