//! The test binary: every file of `tests/` is a module here, so the crate and `tests/common` are
//! compiled and linked once for all of them rather than once per file. A test's full name is its
//! file's name and its own, e.g. `cargo test --test runner create::` runs tests/create.rs and
//! `cargo test --test runner -- --exact snapshots::review` one test.
//!
//! Two files stay binaries of their own (Cargo.toml lists them): tests/export.rs sets `HOME` and
//! `AWS_SHARED_CREDENTIALS_FILE`, and tests/clipboard.rs sets `DISPLAY`, for the whole process
//! while it runs; here the SDK and the child processes of the other tests would read them.
//! Nothing else here changes the test process's own state: every test that needs an environment,
//! a signal or a terminal gives it to a child process it starts.

use std::path::Path;

mod common;

mod age_exports;
mod apply;
mod apply_json;
mod apply_signals;
mod architecture;
mod cache;
mod conventions;
mod create;
mod documents;
mod e2e;
mod e2e_encryption;
mod e2e_keys_flow;
mod e2e_mfa;
mod e2e_plan;
mod encryption;
mod encryption_app;
mod encryption_screens;
mod environment;
mod faults;
mod faults_rotation;
mod handover;
mod help_keys;
mod hostile_text;
mod keys;
mod keys_flow;
mod keys_rotation;
mod leak;
mod memory;
mod mfa_aws;
mod mfa_flow;
mod mfa_leave;
mod panic;
mod plan_wizard;
mod props;
mod require_mfa;
mod require_mfa_discard;
mod require_mfa_flow;
mod signals;
mod snapshots;
mod tmux;
mod update;
mod ux_users;

/// A file put in `tests/` is compiled only if this file names it in a `mod` line or Cargo.toml
/// gives it a `[[test]]` of its own (`autotests` is off): no test file is silently left out.
#[test]
fn every_test_file_is_a_module_here_or_a_test_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runner = std::fs::read_to_string(root.join("tests/runner.rs")).expect("read runner.rs");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("read Cargo.toml");
    let mut forgotten = Vec::new();
    for entry in std::fs::read_dir(root.join("tests")).expect("list tests/") {
        let path = entry.expect("a tests/ entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let module = runner.lines().any(|l| l == format!("mod {stem};"));
        let binary = manifest.contains(&format!("path = \"tests/{stem}.rs\""));
        if !module && !binary {
            forgotten.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        forgotten.is_empty(),
        "never compiled: {forgotten:?}; add `mod NAME;` to tests/runner.rs"
    );
}
