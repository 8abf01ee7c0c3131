//! Shared set-up for the tests that talk to the moto emulator.
//!
//! `scripts/test` starts one moto server for the whole run and exports its URL as
//! `IAMWIZ_TEST_ENDPOINT`. Tests use unique names instead of resetting moto, so they can run in
//! parallel against the same server.
#![allow(dead_code)]

pub mod fixtures;
pub mod moto;
pub mod pty;
pub mod worker;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use iamwiz::aws::{AwsSettings, Clients};

/// The moto endpoint, or a clear failure saying how to get one.
pub fn endpoint() -> String {
    match std::env::var("IAMWIZ_TEST_ENDPOINT") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "IAMWIZ_TEST_ENDPOINT is not set: these tests need the moto AWS emulator. \
             Run them with scripts/test (it installs and starts moto), or start \
             `MOTO_IAM_LOAD_MANAGED_POLICIES=true .venv/bin/moto_server -p PORT` yourself and set \
             IAMWIZ_TEST_ENDPOINT=http://127.0.0.1:PORT"
        ),
    }
}

/// Static dummy credentials for moto, set once for the whole test process.
pub fn use_dummy_credentials() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any test thread reads the environment through the SDK.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::set_var("AWS_REGION", "us-east-1");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            std::env::remove_var("AWS_PROFILE");
        }
    });
}

/// Settings that point iamwiz's worker at moto.
pub fn settings() -> AwsSettings {
    use_dummy_credentials();
    AwsSettings {
        profile: None,
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(endpoint()),
        credentials: None,
        interceptors: Vec::new(),
        timeouts: None,
    }
}

/// SDK clients against moto, for setting up and checking state independently of the code under
/// test's own calls.
pub async fn admin() -> Clients {
    iamwiz::aws::connect(&settings()).await
}

/// A name no other test (or earlier run against the same moto) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}
