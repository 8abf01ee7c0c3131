//! `iamwiz encryption` end to end: the real binary in a pseudo-terminal, driven by keystrokes,
//! from nothing to a verified service account and the driver documents, against the moto
//! emulator. The account is then checked through the SDK, independently of iamwiz.

use crate::common;

use std::fs;

use common::pty::{self, Wizard, keys};
use iamwiz::protocol::kms_policy_document;

const MASK: &str = "••••••••••••••••";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A new key and an IAM user for it, through every screen, with `--log` on: the check with the
/// new key passes on screen, the credentials are saved as CSV, kmsProviders is copied and cleared
/// when the screen is left, and neither the terminal output nor the log ever holds the secret in
/// plain text, since it was never asked to be shown.
#[test]
fn encryption_from_nothing_to_verified_documents() {
    // 1 to 32 characters of letters, digits, - and _: the defaults are made from it.
    let app = common::unique("e2e").replace('-', "_");
    let alias = format!("{app}-mongodb-cmk");
    let user = format!("{app}-mongodb-kms");
    let mut w = Wizard::spawn_with(80, 24, &["encryption", "--log"]);

    // Purpose: CSFLE is the default; the region is the one in use; name the application. Key: a
    // new one, named after the application.
    let key_screen = w.encryption_to_new_key(&app);
    assert!(
        key_screen.contains(&format!("alias/{alias}")),
        "the alias follows the application name:\n{key_screen}"
    );
    w.send(keys::ENTER);

    // Account: an IAM user, named after the application.
    w.wait_for("Step 3 of 4");
    let account = w.wait_for("(•) IAM user");
    assert!(
        pty::line_with(&account, &["User name", &user]).is_some(),
        "{account}"
    );
    w.send(keys::ENTER);

    // Review lists everything, with the one inline policy.
    w.wait_for("Step 4 of 4");
    let review = w.wait_for("Inline policy");
    for parts in [
        &["Feature", "Client-Side Field Level Encryption"][..],
        &["Key", "new", &format!("alias/{alias}")],
        &["IAM user", &user],
    ] {
        assert!(
            pty::line_with(&review, parts).is_some(),
            "Review should show {parts:?}:\n{review}"
        );
    }
    w.send(keys::ENTER);

    // Created and checked against KMS with the new key, then the credentials, shown once.
    let reveal = w.wait_for("This is the only time");
    let reveal = if reveal.contains("Verified") {
        reveal
    } else {
        w.wait_for("Verified")
    };
    assert!(
        reveal.contains("Verified: Encrypt and Decrypt work with this key"),
        "{reveal}"
    );
    let key_id = pty::value_after(&reveal, "Access key ID")
        .unwrap_or_else(|| panic!("no access key ID on the credentials screen:\n{reveal}"));
    assert!(
        pty::line_with(&reveal, &["Secret access key", MASK]).is_some(),
        "the secret is masked until asked for:\n{reveal}"
    );
    assert!(
        pty::line_with(&reveal, &["masterKey", "\"key\":\"arn:aws:kms:us-east-1:"]).is_some(),
        "the masterKey document names the key:\n{reveal}"
    );

    // Save the credentials as CSV at the offered path.
    w.send("d");
    w.wait_for("Save CSV as");
    w.send(keys::ENTER);
    w.wait_for("Saved to");

    // Copy kmsProviders (it holds the secret): with no display, through the terminal (OSC 52).
    for _ in 0..3 {
        w.send(keys::DOWN);
    }
    w.wait_for("› kmsProviders");
    w.send("c");
    w.wait_for("kmsProviders → terminal (OSC 52)");

    // Leaving the screen clears it at once, not only at exit.
    w.send(keys::ENTER);
    w.wait_for("Leave the credentials screen?");
    w.send("y");
    let done = w.wait_for("was created");
    assert!(done.contains(&user), "{done}");
    w.wait_for("Clipboard cleared.");
    w.send("q");
    w.wait_for_exit_success();
    let output = w.wait_for_output_end();

    // The secret, from the export the admin chose: only there.
    let home = w.home().to_path_buf();
    let csv = fs::read_to_string(home.join(format!("{user}_credentials.csv")))
        .expect("the CSV was saved in the working directory");
    let row = csv
        .lines()
        .find(|l| l.contains(&key_id))
        .unwrap_or_else(|| panic!("no row for {key_id} in the CSV:\n{csv}"));
    let secret = row
        .split(',')
        .find(|f| f.len() == 40 && *f != key_id)
        .unwrap_or_else(|| panic!("no secret access key in the CSV row {row:?}"))
        .to_string();
    let log = fs::read_to_string(home.join("state/iamwiz/iamwiz.log")).expect("the log");
    assert!(log.contains(&user), "the log tells what was created");
    assert!(!log.contains(&secret), "the log holds the secret");
    // It was never shown: the terminal only got it base64-encoded inside the OSC 52 copy.
    assert!(
        !String::from_utf8_lossy(&output).contains(&secret),
        "the secret went to the terminal although it was never shown"
    );

    runtime().block_on(async {
        let admin = common::admin().await;
        // The key the alias names, with the policy scoped to exactly it.
        let aliases = admin
            .kms
            .list_aliases()
            .send()
            .await
            .expect("ListAliases")
            .aliases
            .unwrap_or_default();
        let key = aliases
            .iter()
            .find(|a| a.alias_name.as_deref() == Some(&format!("alias/{alias}")))
            .and_then(|a| a.target_key_id.clone())
            .expect("the alias exists and names a key");
        let meta = admin
            .kms
            .describe_key()
            .key_id(&key)
            .send()
            .await
            .expect("DescribeKey")
            .key_metadata
            .expect("key metadata");
        assert_eq!(
            meta.description.as_deref(),
            Some(&*format!("MongoDB CSFLE master key for {app}"))
        );
        let policy = admin
            .iam
            .get_user_policy()
            .user_name(&user)
            .policy_name(iamwiz::protocol::KMS_POLICY_NAME)
            .send()
            .await
            .expect("GetUserPolicy");
        let document = percent_encoding::percent_decode_str(&policy.policy_document)
            .decode_utf8()
            .unwrap()
            .into_owned();
        assert_eq!(
            document,
            kms_policy_document(meta.arn.as_deref().expect("the key's ARN"))
        );
        assert_eq!(
            common::access_key_ids(&admin.iam, &user).await,
            [key_id.as_str()]
        );
    });
}
