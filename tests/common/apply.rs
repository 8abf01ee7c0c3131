//! Running `iamwiz apply` as a script would (no terminal, a HOME of its own, dummy
//! credentials), for tests/apply.rs and tests/apply_signals.rs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use super::admin;

/// An endpoint nothing listens on: any AWS call fails at once with "connection refused".
pub const CLOSED: &str = "http://127.0.0.1:1";

/// The outcome of one `iamwiz apply` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A temporary HOME with its own (absent) AWS config and credentials files.
pub struct Home {
    dir: TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("a temporary HOME"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn credentials(&self) -> PathBuf {
        self.path().join("aws-credentials")
    }

    /// Writes `plan` to `name` in HOME and returns its path.
    pub fn plan(&self, name: &str, plan: &serde_json::Value) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(plan).unwrap()).unwrap();
        path
    }

    /// Runs `iamwiz --endpoint-url <endpoint> apply <args>` in HOME, with dummy credentials and
    /// nothing else from the test's environment.
    pub fn apply(&self, endpoint: &str, args: &[&str]) -> Run {
        let out: Output = self
            .apply_command(endpoint, args)
            .output()
            .expect("run iamwiz");
        Run {
            code: out.status.code().expect("iamwiz exited, not killed"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// `iamwiz --endpoint-url <endpoint> apply <args>` in HOME, as [`Home::command`] sets it up
    /// (the groups the plans name exist unless the endpoint is [`CLOSED`]).
    pub fn apply_command(&self, endpoint: &str, args: &[&str]) -> Command {
        if endpoint != CLOSED {
            groups_exist();
        }
        let mut cmd = self.command(env!("CARGO_BIN_EXE_iamwiz"));
        cmd.args(["--endpoint-url", endpoint, "apply"]).args(args);
        cmd
    }

    /// `program` in HOME, with dummy credentials and nothing else from the test's environment.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("AWS_CONFIG_FILE", self.path().join("no-aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.credentials())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }
}

/// The groups the plans name: made once per test run when the emulator lacks them (scripts/test
/// starts an empty one; `scripts/iamwiz --local` seeds them).
pub fn groups_exist() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // On a thread of its own: the caller may already be inside a tokio runtime.
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            rt.block_on(async {
                let iam = admin().await.iam;
                for group in ["developers", "admins"] {
                    if let Err(e) = iam.create_group().group_name(group).send().await {
                        let exists = e
                            .as_service_error()
                            .is_some_and(|e| e.is_entity_already_exists_exception());
                        assert!(exists, "create group {group}: {e:?}");
                    }
                }
            });
        })
        .join()
        .expect("the groups were made");
    });
}

/// Whether IAM has a user named `name` (`GetUser`).
pub async fn user_exists(iam: &aws_sdk_iam::Client, name: &str) -> bool {
    match iam.get_user().user_name(name).send().await {
        Ok(_) => true,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            false
        }
        Err(e) => panic!("GetUser {name}: {e:?}"),
    }
}
