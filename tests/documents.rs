//! The documents and snippets iamwiz prints for MongoDB drivers, checked by real tools rather than
//! by reading them: the JavaScript snippets parse with Node.js, and the Python snippet runs with
//! the real PyMongo and libmongocrypt, which take the `kmsProviders` and `masterKey` documents and
//! call KMS with the new service account's key.
//!
//! libmongocrypt speaks only HTTPS to KMS and the emulator plain HTTP, so the Python runs go
//! through a small TLS proxy (tests/support/kms_tls_proxy.py) whose certificate the run trusts
//! through `SSL_CERT_FILE`. No MongoDB server is needed: the driver asks KMS to wrap a data key
//! first, and only then needs the server, which is an unreachable address here. So a run that
//! made its KMS call through the proxy and then failed on the server proves the documents and the
//! credentials work with the driver.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use iamwiz::mongo::{self, Credentials, Language};
use iamwiz::protocol::{
    EncryptionAccount, EncryptionFeature, EncryptionSpec, KMS_POLICY_NAME, KeyChoice,
    ServiceAccount, Verification,
};

const FEATURES: [EncryptionFeature; 2] = [
    EncryptionFeature::Csfle,
    EncryptionFeature::QueryableEncryption,
];
const ARN: &str = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `node` on PATH, or a clear failure.
fn node() -> &'static str {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "node (Node.js) is not on PATH: the snippet tests parse the JavaScript snippets with it. \
         Install it (e.g. apt-get install nodejs); .ci/run does."
    );
    "node"
}

/// The project's Python with PyMongo and its encryption library, or a clear failure.
fn python() -> PathBuf {
    let python = root().join(".venv/bin/python");
    let ok = Command::new(&python)
        .args([
            "-c",
            "import pymongo, pymongocrypt, pymongo_auth_aws, cryptography",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} lacks PyMongo with client-side encryption: run the tests with scripts/test, which \
         installs it (pymongo[encryption,aws]) next to moto.",
        python.display()
    );
    python
}

#[test]
fn javascript_snippets_parse_with_node() {
    let node = node();
    let dir = tempfile::tempdir().unwrap();
    for language in [Language::Mongosh, Language::Node] {
        for feature in FEATURES {
            for credentials in [Credentials::AccessKey, Credentials::Role] {
                let text = mongo::snippet(language, feature, credentials, ARN, "eu-west-1", None);
                let file = dir.path().join("snippet.js");
                std::fs::write(&file, &text).unwrap();
                let out = Command::new(node)
                    .arg("--check")
                    .arg(&file)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{language:?} {feature:?} {credentials:?} does not parse:\n{}\n{text}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

/// The TLS proxy in front of the emulator, and the KMS calls it has forwarded so far.
struct Proxy {
    child: Child,
    port: u16,
    certfile: String,
    calls: mpsc::Receiver<String>,
}

impl Proxy {
    fn start(python: &Path) -> Proxy {
        let endpoint = common::endpoint();
        let target = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let (host, port) = target.rsplit_once(':').expect("the endpoint has a port");
        let mut child = Command::new(python)
            .arg(root().join("tests/support/kms_tls_proxy.py"))
            .args([host, port])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the KMS TLS proxy");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines
            .next()
            .expect("the proxy says where it listens")
            .unwrap();
        let (port, certfile) = first.split_once(' ').expect("PORT CERTFILE");
        let (tx, calls) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Proxy {
            child,
            port: port.parse().unwrap(),
            certfile: certfile.to_string(),
            calls,
        }
    }

    /// The lines the proxy printed since the last call.
    fn seen(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(200));
        self.calls.try_iter().collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the Python snippet with the given credentials in the environment and returns its output.
fn run_python_snippet(
    python: &Path,
    proxy: &Proxy,
    text: &str,
    access_key_id: &str,
    secret_access_key: &str,
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snippet.py");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(python)
        .arg(&file)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        // Nothing listens here: the driver fails on the server only after KMS has answered.
        .env(
            "MONGODB_URI",
            "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300",
        )
        .env(mongo::ENV_ACCESS_KEY_ID, access_key_id)
        .env(mongo::ENV_SECRET_ACCESS_KEY, secret_access_key)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("SSL_CERT_FILE", &proxy.certfile)
        .output()
        .expect("run the Python snippet");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// From nothing to a driver that wraps a data key: iamwiz creates the key and the service account,
/// and the Python snippet, run by the real PyMongo with the printed documents and the new access
/// key read from the environment, gets KMS to encrypt with it.
#[tokio::test(flavor = "multi_thread")]
async fn python_driver_uses_the_documents_and_the_new_key_with_kms() {
    let python = python();
    let app = common::unique("docs");
    let spec = EncryptionSpec {
        feature: EncryptionFeature::Csfle,
        region: "us-east-1".to_string(),
        key: KeyChoice::New {
            alias: format!("{app}-cmk"),
            description: "driver document test".to_string(),
            tags: Vec::new(),
        },
        account: ServiceAccount::User {
            name: format!("{app}-kms"),
            tags: Vec::new(),
        },
        policy_name: KMS_POLICY_NAME.to_string(),
    };
    let created = common::worker::run_encryption(common::settings(), spec)
        .await
        .created();
    assert!(
        matches!(created.verification, Verification::Verified { .. }),
        "iamwiz's own check: {:?}",
        created.verification
    );
    let EncryptionAccount::User(user) = &created.account else {
        panic!("a user was asked for");
    };
    let key = user
        .access_key
        .as_ref()
        .expect("the user has an access key");

    let proxy = Proxy::start(&python);
    let endpoint = format!("https://127.0.0.1:{}", proxy.port);
    for feature in FEATURES {
        for credentials in [Credentials::AccessKey, Credentials::Role] {
            let case = format!("{feature:?} {credentials:?}");
            let text = mongo::snippet(
                Language::Python,
                feature,
                credentials,
                &created.key_arn,
                &created.region,
                Some(&endpoint),
            );
            // The role's snippet leaves the credentials to the driver, which reads the same
            // variables (as it would a role's temporary credentials).
            let output = run_python_snippet(&python, &proxy, &text, &key.id, key.secret.expose());
            let calls = proxy.seen();
            assert!(
                calls.iter().any(|c| c == "call TrentService.Encrypt"),
                "{case}: the driver made no KMS Encrypt call through the proxy ({calls:?}):\n{output}"
            );
            assert!(
                !calls.iter().any(|c| c.starts_with("error")),
                "{case}: {calls:?}"
            );
            // After KMS, the driver stores the data key (or creates the collection) on the
            // server, which is unreachable: that is where it must have stopped.
            assert!(
                output.contains("127.0.0.1:1") && !output.contains("KMS"),
                "{case}: the driver did not get past KMS:\n{output}"
            );
        }
    }
}
