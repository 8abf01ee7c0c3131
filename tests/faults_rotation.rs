//! The rotation's fault matrix: each call the worker makes for a rotation in the terminal UI
//! (`Request::RotateAccessKey`: the user, the replaced key's deletion and description, the key
//! list, `CreateAccessKey`, the new key's description), failed once at the HTTP layer, against
//! moto with the real SDK and the real worker (the interceptor is [`common::faults::Faults`]).
//! A refused call ends the rotation with that operation and code, and never leaves a new key
//! behind; a throttled or failing-server call is retried and the rotation made whole, with
//! exactly one new key.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::faults::{Faults, Injection};
use common::iam_keys::{describe_key, key_states, user_tags, user_with_keys};
use common::settings;
use iamwiz::model::keys::{RotateFailure, Rotated};
use iamwiz::protocol::{Event, Request};
use tokio::sync::mpsc::unbounded_channel;
use tokio::time::{Duration, timeout};

/// Fails the first attempt of `operation` with `status`/`kind`/`code`.
fn failing_once(
    operation: &'static str,
    status: u16,
    kind: &'static str,
    code: &'static str,
) -> Faults {
    let done = Arc::new(AtomicBool::new(false));
    Faults::new(move |op, _| {
        if op != operation || done.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(Injection {
            status,
            kind,
            code,
            message: format!("{code} injected"),
            applied: false,
        })
    })
}

/// A user with an old key described "nightly job" and a spare key described "spare".
async fn user_with_two_keys() -> (String, String, String) {
    let (user, made) = user_with_keys("frot", 2).await;
    describe_key(&user, &made[0].0, "nightly job").await;
    describe_key(&user, &made[1].0, "spare").await;
    (user, made[0].0.clone(), made[1].0.clone())
}

/// The user's key IDs and the keys of their tags, each sorted.
async fn keys_and_tag_keys(user: &str) -> (Vec<String>, Vec<String>) {
    let keys = key_states(user)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let tags = user_tags(user)
        .await
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    (keys, tags)
}

/// Rotates `user`'s key through the worker with `faults`, replacing `spare`: the worker's
/// answer.
async fn rotate(
    faults: &Faults,
    user: &str,
    spare: &str,
    old: &str,
) -> Result<Rotated, RotateFailure> {
    let (tx, mut events) = unbounded_channel();
    let worker = iamwiz::worker::spawn(faults.settings(settings()), tx);
    worker
        .requests
        .send(Request::RotateAccessKey {
            run: 1,
            user: user.into(),
            replace: Some(spare.into()),
            old: Some(old.into()),
            description: Some("nightly job".into()),
        })
        .unwrap();
    let result = timeout(Duration::from_secs(60), async {
        loop {
            if let Event::AccessKeyRotated { result, .. } = events.recv().await.expect("an answer")
            {
                return result;
            }
        }
    })
    .await
    .expect("the worker answered within a minute");
    worker.requests.send(Request::EndProof { run: 1 }).unwrap();
    common::worker::shut_down(worker).await;
    result
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_call_at_each_step_ends_the_rotation_and_leaves_no_new_key() {
    // (operation, the spare key is gone by then)
    for (op, spare_gone) in [
        ("GetUser", false),
        ("DeleteAccessKey", false),
        ("ListAccessKeys", true),
        ("CreateAccessKey", true),
        ("TagUser", true),
    ] {
        let (user, old, spare) = user_with_two_keys().await;
        let faults = failing_once(op, 403, "Sender", "AccessDenied");
        let failure = rotate(&faults, &user, &spare, &old)
            .await
            .expect_err(&format!("{op} refused ends the rotation"));
        assert_eq!(failure.error.operation, format!("iam:{op}"), "{op}");
        assert_eq!(failure.error.code, "AccessDenied", "{op}");
        assert_eq!(failure.replaced_gone, spare_gone, "{op}");
        assert!(failure.leftover.is_none(), "{op}: {:?}", failure.leftover);
        let (keys, tags) = keys_and_tag_keys(&user).await;
        let left = if spare_gone {
            vec![old.clone()]
        } else {
            sorted(vec![old.clone(), spare.clone()])
        };
        assert_eq!(keys, left, "{op}: no new key is left");
        assert_eq!(tags, left, "{op}: no description of a key that is gone");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_untag_of_the_replaced_key_leaves_its_tag_and_the_rotation_goes_on() {
    let (user, old, spare) = user_with_two_keys().await;
    let faults = failing_once("UntagUser", 403, "Sender", "AccessDenied");
    let rotated = rotate(&faults, &user, &spare, &old).await.expect("rotated");
    let new = rotated.key.access_key.unwrap().id;
    let (keys, tags) = keys_and_tag_keys(&user).await;
    assert_eq!(keys, sorted(vec![old.clone(), new.clone()]));
    assert_eq!(tags, sorted(vec![old, new, spare]), "the stale tag stays");
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_or_failing_calls_are_retried_and_make_exactly_one_new_key() {
    for (op, status, kind, code) in [
        ("CreateAccessKey", 400, "Sender", "Throttling"),
        ("TagUser", 500, "Receiver", "ServiceFailure"),
        ("DeleteAccessKey", 400, "Sender", "Throttling"),
    ] {
        let (user, old, spare) = user_with_two_keys().await;
        let faults = failing_once(op, status, kind, code);
        let rotated = rotate(&faults, &user, &spare, &old)
            .await
            .unwrap_or_else(|f| panic!("{op} {code}: {:?}", f.error));
        let new = rotated.key.access_key.unwrap().id;
        let (keys, tags) = keys_and_tag_keys(&user).await;
        assert_eq!(keys, sorted(vec![old.clone(), new.clone()]), "{op} {code}");
        assert_eq!(tags, sorted(vec![old, new]), "{op} {code}");
    }
}
