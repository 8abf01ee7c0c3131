//! Driving the real worker against the emulator: one creation, a batch, or a few requests, each
//! bounded in time, and the smallest spec a creation can take.

use std::time::Duration;

use iamwiz::aws::AwsSettings;
use iamwiz::protocol::{
    AwsError, CreationResult, EncryptionCreated, EncryptionResult, EncryptionSpec, Event, Request,
    StepStatus, UserSpec,
};
use tokio::sync::mpsc::unbounded_channel;
use tokio::time::timeout;

/// Upper bound for any one exchange with the worker. Nothing here should take more than a few
/// seconds; the bound turns a hang into a failure instead of a stuck test run.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Runs one single-user creation through the real worker and returns every `Step` event (index,
/// status) in the order they arrived, and the `Finished` result.
pub async fn run_plan(
    settings: AwsSettings,
    spec: UserSpec,
) -> (Vec<(usize, StepStatus)>, CreationResult) {
    let (steps, result) = run_batch(settings, vec![spec]).await;
    let steps = steps
        .into_iter()
        .map(|(user, index, status)| {
            assert_eq!(user, 0, "a step of a user that is not in the batch");
            (index, status)
        })
        .collect();
    (steps, result)
}

/// Runs the creation of a batch through the real worker and returns every `Step` event (user,
/// index, status) in the order they arrived, and the `Finished` result.
pub async fn run_batch(
    settings: AwsSettings,
    specs: Vec<UserSpec>,
) -> (Vec<(usize, usize, StepStatus)>, CreationResult) {
    const RUN: u64 = 7;
    let (events_tx, mut events) = unbounded_channel();
    let worker = iamwiz::worker::spawn(settings, events_tx);
    worker
        .requests
        .send(Request::Create { run: RUN, specs })
        .expect("the worker takes requests");
    let collected = timeout(DEADLINE, async {
        let mut steps = Vec::new();
        while let Some(event) = events.recv().await {
            match event {
                Event::Step {
                    run,
                    user,
                    index,
                    status,
                } => {
                    assert_eq!(run, RUN, "step event for another run");
                    steps.push((user, index, status));
                }
                Event::Finished { run, result } => {
                    assert_eq!(run, RUN, "finished event for another run");
                    return (steps, result);
                }
                // Throttling reported on the way: the tests that expect it read the log.
                Event::Rate { .. } => {}
                // The run made the require-MFA policy: the tests read the account.
                Event::PolicyCreated { run, .. } => assert_eq!(run, RUN),
                other => panic!("unexpected event during a creation: {}", event_name(&other)),
            }
        }
        panic!("the worker closed its event channel without a Finished event");
    })
    .await
    .expect("the creation finished within the deadline");
    shut_down(worker).await;
    collected
}

/// Everything a run of the encryption set-up reported.
pub struct Outcome {
    /// (group, step, status) in the order they arrived.
    pub steps: Vec<(usize, usize, StepStatus)>,
    /// (attempt, seconds waited, error) of each `VerifyWaiting`.
    pub waits: Vec<(u32, u64, AwsError)>,
    pub result: EncryptionResult,
}

impl Outcome {
    /// The statuses step `index` of group `group` went through.
    pub fn history(&self, group: usize, index: usize) -> Vec<StepStatus> {
        self.steps
            .iter()
            .filter(|(g, i, _)| (*g, *i) == (group, index))
            .map(|(_, _, s)| s.clone())
            .collect()
    }

    /// What was made, or a failure naming the step that failed.
    pub fn created(self) -> EncryptionCreated {
        match self.result {
            EncryptionResult::Created(created) => created,
            EncryptionResult::Failed {
                group, step, error, ..
            } => panic!("the set-up failed at {group} / {step:?}: {error}"),
        }
    }
}

/// Runs one `CreateEncryption` through the real worker, as the wizard sends it.
pub async fn run_encryption(settings: AwsSettings, spec: EncryptionSpec) -> Outcome {
    const RUN: u64 = 11;
    let (events_tx, mut events) = unbounded_channel();
    let worker = iamwiz::worker::spawn(settings, events_tx);
    worker
        .requests
        .send(Request::CreateEncryption { run: RUN, spec })
        .expect("the worker takes requests");
    // The check with the new key may wait up to a minute, on top of the creation.
    let outcome = timeout(DEADLINE + Duration::from_secs(60), async {
        let (mut steps, mut waits) = (Vec::new(), Vec::new());
        while let Some(event) = events.recv().await {
            match event {
                Event::Step {
                    run,
                    user,
                    index,
                    status,
                } => {
                    assert_eq!(run, RUN, "step event for another run");
                    steps.push((user, index, status));
                }
                Event::VerifyWaiting {
                    run,
                    attempt,
                    waited_secs,
                    error,
                } => {
                    assert_eq!(run, RUN, "verify event for another run");
                    waits.push((attempt, waited_secs, error));
                }
                Event::EncryptionFinished { run, result } => {
                    assert_eq!(run, RUN, "finished event for another run");
                    return Outcome {
                        steps,
                        waits,
                        result,
                    };
                }
                Event::Rate { .. } => {}
                other => panic!("unexpected event during a set-up: {}", event_name(&other)),
            }
        }
        panic!("the worker closed its event channel without an EncryptionFinished event");
    })
    .await
    .expect("the set-up finished within the deadline");
    shut_down(worker).await;
    outcome
}

/// Sends `requests` to a fresh worker and returns the first `n` events it answers with.
pub async fn ask(settings: AwsSettings, requests: Vec<Request>) -> Vec<Event> {
    let n = requests.len();
    let (events_tx, mut events) = unbounded_channel();
    let worker = iamwiz::worker::spawn(settings, events_tx);
    for request in requests {
        worker
            .requests
            .send(request)
            .expect("the worker takes requests");
    }
    let replies = timeout(DEADLINE, async {
        let mut replies = Vec::with_capacity(n);
        while replies.len() < n {
            replies.push(
                events
                    .recv()
                    .await
                    .expect("the worker answers every request"),
            );
        }
        replies
    })
    .await
    .expect("the worker answered within the deadline");
    shut_down(worker).await;
    replies
}

/// Closes the worker's request channel and waits for it to finish, as the wizard does on quit.
pub async fn shut_down(worker: iamwiz::worker::WorkerHandle) {
    drop(worker.requests);
    timeout(DEADLINE, worker.task)
        .await
        .expect("the worker stopped within the deadline")
        .expect("the worker did not panic");
}

/// Names an event without printing its payload (a `Finished` event may carry secrets, which
/// `Debug` redacts anyway): the variant's name, whatever the variant.
pub fn event_name(event: &Event) -> String {
    format!("{event:?}")
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect()
}

/// A spec that creates just the user, at the root path.
pub fn bare_spec(name: &str) -> UserSpec {
    UserSpec {
        key_description: None,
        name: name.to_string(),
        path: "/".to_string(),
        tags: Vec::new(),
        boundary: None,
        access_key: false,
        login: None,
        groups: Vec::new(),
        policies: Vec::new(),
        inline: Vec::new(),
    }
}
