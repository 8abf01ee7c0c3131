//! A run of the worker that makes things: the creation in progress (its steps, its failure and
//! what is left), and the end of the wizard on a signal (the discard of users whose secrets
//! nobody has).

use super::reveal::Made;
use super::*;

/// A creation run in progress or finished.
#[derive(Debug)]
pub struct Creation {
    pub run: u64,
    /// What each group of steps makes, in order: the users of a batch (by name), or the parts of
    /// the encryption set-up (the key, the service account). `steps` has one list per group.
    pub groups: Vec<String>,
    pub steps: Vec<Vec<(StepKind, StepStatus)>>,
    pub failure: Option<Failure>,
    /// The steps are shown under a heading per group (the encryption flow's plan), rather than
    /// as one user's steps or a batch's summary lines.
    pub grouped: bool,
    /// The check with the new credentials is waiting for the new key to work.
    pub verify: Option<VerifyWait>,
    /// [`App::ticks`] when the run was asked for: its deadline for waiting out throttling
    /// counts from here.
    pub started: u64,
}

/// How long the check with the new credentials has waited, and its last error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyWait {
    pub attempt: u32,
    pub waited_secs: u64,
    pub error: AwsError,
}

#[derive(Debug)]
pub struct Failure {
    /// The user whose step failed first.
    pub user: String,
    pub step: StepKind,
    pub error: AwsError,
    pub leftovers: Vec<Leftover>,
    /// What happened to a KMS key created in this run (scheduled for deletion).
    pub key_deletion: Option<String>,
}

/// The wizard is ending on a signal.
#[derive(Debug, Default)]
pub struct Ending {
    /// The discard of users whose secrets nobody has, once asked for.
    pub discard: Option<Discard>,
}

#[derive(Debug)]
pub struct Discard {
    pub run: u64,
    pub users: Vec<String>,
    /// A rotation's new key, deleted instead of any user (the user was there before).
    pub access_key: Option<crate::model::keys::KeyRef>,
    /// A KMS key the same run made for the users, removed after them.
    pub key: Option<DiscardKey>,
    /// The worker's report, once it has answered.
    pub result: Option<Vec<DiscardedUser>>,
    /// What became of `key`, once the worker has answered.
    pub key_result: Option<DiscardedKey>,
}

impl App {
    /// While AWS throttles the run in flight: the rate iamwiz keeps to, and how long it still
    /// waits before giving up.
    pub fn throttling_note(&self) -> Option<String> {
        let c = self.creation.as_ref()?;
        let throttled: Vec<String> = self
            .rates
            .iter()
            .filter(|(_, status)| status.per_second.is_some())
            .filter_map(|(service, status)| status.describe(service))
            .collect();
        if throttled.is_empty() {
            return None;
        }
        let waited = self.ticks.saturating_sub(c.started) / TICKS_PER_SECOND;
        let left = self.options.run_timeout_secs.saturating_sub(waited);
        Some(format!(
            "{} · {}",
            throttled.join(" · "),
            crate::model::rate::time_left(std::time::Duration::from_secs(left))
        ))
    }

    /// Whether quitting now would lose something: a draft with changes, a creation that is running,
    /// or secrets not yet confirmed as saved.
    pub fn has_unsaved_work(&self) -> bool {
        self.reveal.is_some() || self.creation_running() || crate::flows::dirty(self)
    }

    /// While ending on a signal: whether something must still finish before the process exits
    /// (a creation, or the discard of users whose secrets nobody has).
    pub fn finishing(&self) -> bool {
        self.creation_running()
            || self
                .ending
                .as_ref()
                .and_then(|e| e.discard.as_ref())
                .is_some_and(|d| d.result.is_none())
    }

    /// Whether a run that makes something is in flight: a creation, or a flow's own (a
    /// rotation's new key). Quitting waits for it, and so does the end on a signal.
    pub fn creation_running(&self) -> bool {
        (self.screen == Screen::Creating
            && self.creation.as_ref().is_some_and(|c| c.failure.is_none()))
            || crate::flows::making(self)
    }
}

/// When ending on a signal with a batch whose secrets nobody can have (none shown, copied or
/// saved): drops the secrets and asks the worker to delete those users. Asked once; a creation
/// still running asks when it finishes.
pub(super) fn discard_unseen(app: &mut App) -> Vec<Command> {
    if app.ending.as_ref().is_none_or(|e| e.discard.is_some()) {
        return Vec::new();
    }
    if !app.reveal.as_ref().is_some_and(Reveal::nobody_has_secrets) {
        return Vec::new();
    }
    // Dropping the reveal state zeroes the secrets.
    let Some(reveal) = app.reveal.take() else {
        return Vec::new();
    };
    let (users, key, access_key) = match reveal.made {
        Made::AccessKey { key, .. } => (Vec::new(), None, Some(key)),
        Made::Users => (
            reveal.users.iter().map(|u| u.name.clone()).collect(),
            reveal.new_key,
            None,
        ),
    };
    let run = app.next_seq();
    if let Some(e) = app.ending.as_mut() {
        e.discard = Some(Discard {
            run,
            users: users.clone(),
            access_key: access_key.clone(),
            key: key.clone(),
            result: None,
            key_result: None,
        });
    }
    vec![Command::Worker(Request::Discard {
        run,
        users,
        key,
        access_key,
    })]
}
