//! `iamwiz apply --output json`: the report a script reads on stdout, parsed and compared with
//! what moto holds afterwards (read through the SDK); never a secret in it.

use crate::common;

use common::apply::{CLOSED, Home};
use common::{admin, endpoint, unique};

const POLICY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// The CSV's data rows, split on commas (the secrets hold no comma).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn the_report_names_each_user_its_arn_key_and_exports_and_never_a_secret() {
    let c = admin().await;
    let home = Home::new();
    let names = [unique("json-a"), unique("json-b")];
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": names,
            "access_key": true,
            "console_password": {"require_reset": true},
            "groups": ["developers"],
            "managed_policies": [POLICY],
            "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
        }),
    );
    let csv = home.path().join("new.csv");
    let run = home.apply(
        &endpoint(),
        &[
            plan.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--profile-out",
            "ci",
            "--output",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(report["status"], "created");
    assert_eq!(report["exit_code"], 0);
    assert_eq!(report["plan"], plan.to_str().unwrap());

    let users = report["users"].as_array().expect("users");
    assert_eq!(users.len(), 2);
    for (user, name) in users.iter().zip(&names) {
        assert_eq!(user["name"], name.as_str());
        let arn = c.iam.get_user().user_name(name).send().await.unwrap();
        assert_eq!(user["arn"], arn.user().unwrap().arn());
        let keys = common::access_key_ids(&c.iam, name).await;
        assert_eq!(user["access_key_id"], keys[0].as_str());
        assert_eq!(user["console_password"], true);
        // What the user has in the account, as the report says.
        let groups = c.iam.list_groups_for_user().user_name(name).send().await;
        let groups: Vec<&str> = groups
            .as_ref()
            .unwrap()
            .groups()
            .iter()
            .map(|g| g.group_name())
            .collect();
        assert_eq!(user["groups"], serde_json::json!(groups));
        assert_eq!(groups, ["developers"]);
        let attached = c
            .iam
            .list_attached_user_policies()
            .user_name(name)
            .send()
            .await;
        let attached: Vec<&str> = attached
            .as_ref()
            .unwrap()
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .collect();
        let mut reported: Vec<&str> = user["managed_policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        reported.sort();
        let mut attached = attached;
        attached.sort();
        assert_eq!(reported, attached);
        // moto's account has no password policy: users may not change their own password, so
        // a reset at first sign-in needs IAMUserChangePassword, as the console attaches it.
        assert_eq!(
            attached,
            ["arn:aws:iam::aws:policy/IAMUserChangePassword", POLICY]
        );
        let inline = c
            .iam
            .list_user_policies()
            .user_name(name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            user["inline_policies"],
            serde_json::json!(inline.policy_names())
        );
        assert_eq!(inline.policy_names(), ["s3-read"]);
    }

    let saved = &report["saved"];
    assert_eq!(saved["csv"], csv.to_str().unwrap());
    assert_eq!(saved["age"], serde_json::Value::Null);
    let profiles: Vec<(String, String)> = saved["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["file"], home.credentials().to_str().unwrap());
            (
                p["profile"].as_str().unwrap().to_string(),
                p["user"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        profiles,
        names
            .iter()
            .map(|n| (format!("ci-{n}"), n.clone()))
            .collect::<Vec<_>>()
    );

    let proofs = report["proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 2);
    for (proof, user) in proofs.iter().zip(users) {
        assert_eq!(proof["user"], user["name"]);
        assert_eq!(proof["access_key_id"], user["access_key_id"]);
        assert_eq!(proof["works"], true, "{proof}");
    }
    assert_eq!(report["leftovers"], serde_json::json!([]));

    // The secrets went to the CSV and the profiles only.
    let rows = csv_rows(&std::fs::read_to_string(&csv).unwrap());
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let (password, secret) = (&row[1], &row[3]);
        assert!(password.len() >= 20 && secret.len() >= 40, "{row:?}");
        assert!(
            !run.stdout.contains(password.as_str()),
            "a password on stdout"
        );
        assert!(!run.stdout.contains(secret.as_str()), "a secret on stdout");
    }
}

#[test]
fn a_refused_plan_still_gets_a_report_with_its_status_and_exit_code() {
    let home = Home::new();
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": ["bad name!"]}),
    );
    let run = home.apply(CLOSED, &[plan.to_str().unwrap(), "--output", "json"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(report["status"], "refused");
    assert_eq!(report["exit_code"], 3);
    assert_eq!(report["users"], serde_json::json!([]));
    // The problems themselves go to stderr, as without --output json.
    assert!(
        run.stderr.contains("users[0]: A space is not allowed"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_and_secrets_on_stdout_are_refused_together_before_anything_is_read() {
    let home = Home::new();
    for other in ["--secrets-stdout", "--dry-run"] {
        let run = home.apply(CLOSED, &["no-such-plan.json", other, "--output", "json"]);
        assert_eq!(run.code, 2, "{other}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{other}");
        assert!(
            run.stderr.contains("--output json") && run.stderr.contains(other),
            "{other}: {}",
            run.stderr
        );
    }
    // Text output, said out loud, goes with --secrets-stdout as before.
    let run = home.apply(
        CLOSED,
        &["no-such-plan.json", "--secrets-stdout", "--output", "text"],
    );
    assert_eq!(
        run.code, 3,
        "the plan is read (and missing): {}",
        run.stderr
    );
}
