//! Signals during `iamwiz apply` (SIGINT, SIGTERM, SIGHUP, SIGQUIT; see [`crate::signals`]).
//!
//! A script's Ctrl-C, a CI job's SIGTERM or a dropped SSH session must not leave users with
//! access keys whose secrets were written nowhere. So [`Watch`] takes the signals over from their
//! default actions (SIGQUIT's would dump core), and on the first one:
//!
//! - before the creation: stops at once; nothing was created;
//! - during the creation: lets the calls in flight finish (the creation runs to its end or its
//!   rollback), then deletes every user whose secrets were not written to an export, with the
//!   wizard's discard ([`crate::worker::teardown`]: keys, console password, managed policies,
//!   inline policies, group memberships, then the user);
//! - after the exports were written: the users stay, since their secrets are somewhere.
//!
//! Either way the process exits with `128 + n`. A second signal stops waiting: what may be left
//! is listed, each with the AWS CLI command that removes it. To know what is left at that moment,
//! a [`Ledger`] follows what the creation made (its step events, and the require-MFA policy when
//! the run made it) and what the discard removed. The discard removes that policy too, after the
//! users, when nothing else has it attached.

use std::sync::Mutex;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::users_phrase;
use crate::aws::Clients;
use crate::protocol::{
    CreatedUser, CreationResult, DiscardedUser, Event, Leftover, StepKind, StepStatus, UserSpec,
    run_steps,
};
use crate::signals::{self, Signals};
use crate::worker::teardown::{Attachment, discard_run_policies, discard_user_noting};
use crate::{eprint_clean as eprint, eprintln_clean as eprintln};

/// The signals of one `iamwiz apply` run, the first one that arrived, and what the run has made.
pub(super) struct Watch {
    signals: Signals,
    first: Option<i32>,
    ledger: Mutex<Ledger>,
}

/// What a run finished with, or that a second signal stopped the waiting.
pub(super) enum Waited<T> {
    Done(T),
    /// A second signal stopped the waiting: what may be left, each in the order IAM requires.
    Stopped(Vec<Leftover>),
}

impl Watch {
    /// Takes the signals over. Must be called inside the Tokio runtime.
    pub(super) fn new() -> std::io::Result<Watch> {
        Ok(Watch {
            signals: Signals::new()?,
            first: None,
            ledger: Mutex::new(Ledger::default()),
        })
    }

    /// The first signal that arrived, if one did (also one not yet taken).
    pub(super) fn signal(&mut self) -> Option<i32> {
        if self.first.is_none() {
            self.first = self.signals.arrived();
        }
        self.first
    }

    /// Waits for `work` (writing the exports: it is not stopped), noting a signal that comes
    /// meanwhile, so that the run ends as a signal after the exports says.
    pub(super) async fn during<T>(&mut self, work: impl Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                n = self.signals.next() => {
                    self.first.get_or_insert(n);
                }
            }
        }
    }

    /// Runs `work` (read-only, after the secrets were saved) unless a signal comes first: then
    /// it is dropped and `None` returned.
    pub(super) async fn unless_signal<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            done = work => Some(done),
            n = self.signals.next() => {
                self.first.get_or_insert(n);
                None
            }
        }
    }

    /// `128 + n` after signal `n`, else `otherwise`.
    pub(super) fn code(&mut self, otherwise: i32) -> i32 {
        self.signal().map_or(otherwise, |n| 128 + n)
    }

    /// Runs `work` (read-only: connecting, checking the account) unless a signal comes first:
    /// then it is dropped, and `None` returned once the admin is told nothing was created.
    pub(super) async fn before_creation<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            done = work => Some(done),
            n = self.signals.next() => {
                self.first = Some(n);
                eprintln!(
                    "iamwiz apply: ended by {} before anything was created: nothing was created.",
                    signals::name(n)
                );
                None
            }
        }
    }

    /// Runs the creation of `specs`, passing its events on to `progress`. A first signal lets it
    /// run to its end (or its rollback); a second one stops waiting.
    pub(super) async fn create(
        &mut self,
        c: &Clients,
        specs: Vec<UserSpec>,
        progress: &UnboundedSender<Event>,
    ) -> Waited<CreationResult> {
        *self.ledger.get_mut().expect("the ledger") = Ledger::new(&specs);
        let (events, mut rx) = unbounded_channel();
        let creation = crate::worker::create::create_users(c, 1, specs, &events);
        tokio::pin!(creation);
        let Watch {
            signals,
            first,
            ledger,
        } = self;
        let ledger = ledger.get_mut().expect("the ledger");
        let mut pass_on = |ev: Event| {
            ledger.note(&ev);
            let _ = progress.send(ev);
        };
        loop {
            tokio::select! {
                result = &mut creation => {
                    while let Ok(ev) = rx.try_recv() {
                        pass_on(ev);
                    }
                    return Waited::Done(result);
                }
                Some(ev) = rx.recv() => pass_on(ev),
                n = signals.next() => {
                    if first.is_some() {
                        while let Ok(ev) = rx.try_recv() {
                            pass_on(ev);
                        }
                        return Waited::Stopped(ledger.left());
                    }
                    *first = Some(n);
                    eprintln!(
                        "iamwiz apply: {}: the calls in flight finish (or roll back) first; then \
                         the users whose secrets were not written anywhere are deleted again. A \
                         second signal stops waiting and lists what is left.",
                        signals::name(n)
                    );
                }
            }
        }
    }

    /// Notes the access keys of the users created whole, so that what is left names them.
    pub(super) fn created(&mut self, users: &[CreatedUser]) {
        self.ledger.get_mut().expect("the ledger").keys(users);
    }

    /// Deletes `users` whole, all at once, with the wizard's discard. A signal lets it finish (a
    /// first one) or stops waiting (a second one). Returns what is left.
    pub(super) async fn discard(&mut self, c: &Clients, users: &[String]) -> Waited<Vec<Leftover>> {
        let Watch {
            signals,
            first,
            ledger,
        } = self;
        let ledger = &*ledger;
        let mut done: Vec<Option<DiscardedUser>> = users.iter().map(|_| None).collect();
        let mut noted = Vec::new();
        let mut running: FuturesUnordered<_> = users
            .iter()
            .enumerate()
            .map(|(i, user)| async move {
                let removed = |a: &Attachment| {
                    ledger.lock().expect("the ledger").removed(user, a);
                };
                (i, discard_user_noting(c, user, &removed).await)
            })
            .collect();
        let first_signal = |n: i32| {
            eprintln!(
                "iamwiz apply: {}: the deletion in flight finishes first. A second signal stops \
                 waiting and lists what is left.",
                signals::name(n)
            );
        };
        loop {
            tokio::select! {
                next = running.next() => match next {
                    Some((i, (d, policy))) => {
                        done[i] = Some(d);
                        noted.push(policy);
                    }
                    None => break,
                },
                n = signals.next() => {
                    if first.is_some() {
                        drop(running);
                        // What a finished discard left is known exactly; for the others, what
                        // the run made and the discard has not removed yet.
                        let ledger = ledger.lock().expect("the ledger");
                        let mut left = Vec::new();
                        for (user, d) in users.iter().zip(&done) {
                            match d {
                                Some(d) => left.extend(d.leftovers.iter().cloned()),
                                None => left.extend(ledger.left_of(user)),
                            }
                        }
                        left.extend(ledger.left_of_run());
                        return Waited::Stopped(left);
                    }
                    *first = Some(n);
                    first_signal(n);
                }
            }
        }
        let mut left: Vec<Leftover> = done
            .into_iter()
            .flatten()
            .flat_map(|d| d.leftovers)
            .collect();
        // The run's require-MFA policy, once its users are gone.
        let removed = |a: &Attachment| ledger.lock().expect("the ledger").removed("", a);
        let policies = discard_run_policies(c, noted, !left.is_empty(), &removed);
        tokio::pin!(policies);
        loop {
            tokio::select! {
                reports = &mut policies => {
                    left.extend(reports.into_iter().flat_map(|d| d.leftovers));
                    return Waited::Done(left);
                }
                n = signals.next() => {
                    if first.is_some() {
                        left.extend(ledger.lock().expect("the ledger").left_of_run());
                        return Waited::Stopped(left);
                    }
                    *first = Some(n);
                    first_signal(n);
                }
            }
        }
    }

    /// After a signal during the creation, which made `users` whole: deletes them again, since
    /// their secrets were written nowhere, says so, and returns the exit code.
    pub(super) async fn discard_unsaved(&mut self, c: &Clients, users: &[String]) -> i32 {
        let n = self.signal().expect("called after a signal");
        let name = signals::name(n);
        eprintln!(
            "iamwiz apply: the users were created after {name}, before their secrets were \
             written anywhere: nobody has them, so iamwiz deletes {} again.",
            users_phrase(users)
        );
        match self.discard(c, users).await {
            Waited::Stopped(left) => self.stopped(&left),
            Waited::Done(left) if left.is_empty() => {
                eprintln!(
                    "iamwiz apply: ended by {name}: deleted {} again; nothing was created.",
                    users_phrase(users)
                );
                128 + n
            }
            Waited::Done(left) => {
                let mut text = format!(
                    "iamwiz apply: ended by {name}; the deletion could not remove everything. \
                     Left in the account, with the command that removes each (run them in this \
                     order):\n"
                );
                for l in &left {
                    text.push_str(&format!("  {}: {}\n", l.what, l.command));
                }
                eprint!("{text}");
                128 + n
            }
        }
    }

    /// After the exports were written: if a signal came, the users stay (their secrets are
    /// `saved`), and the admin is told so.
    pub(super) fn kept(&mut self, users: &[String], saved: &[String]) {
        if let Some(n) = self.signal() {
            eprintln!(
                "iamwiz apply: ended by {}, after the secrets were written: {} stay. Their secrets \
                 are in: {}.",
                signals::name(n),
                users_phrase(users),
                saved.join("; ")
            );
        }
    }

    /// After a failed creation was rolled back: if a signal came meanwhile, says it ends the run.
    pub(super) fn ended_after_rollback(&mut self) {
        if let Some(n) = self.signal() {
            eprintln!(
                "iamwiz apply: ended by {} (the creation had failed and was rolled back).",
                signals::name(n)
            );
        }
    }

    /// After a second signal: lists what may be left, with the commands that remove it, and
    /// returns the exit code.
    pub(super) fn stopped(&mut self, left: &[Leftover]) -> i32 {
        let n = self.signal().expect("stopped by a second signal");
        if left.is_empty() {
            eprintln!(
                "iamwiz apply: a second {}: stopped waiting; nothing the run made is left in the \
                 account.",
                signals::name(n)
            );
        } else {
            let mut text = format!(
                "iamwiz apply: a second {}: stopped waiting. What may be left in the account, \
                 with the command that removes each (run them in this order):\n",
                signals::name(n)
            );
            for l in left {
                text.push_str(&format!("  {}: {}\n", l.what, l.command));
            }
            eprint!("{text}");
        }
        128 + n
    }
}

/// What the run has made and not removed, per user of the plan: followed from the creation's
/// step events, then from the discard.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    users: Vec<String>,
    steps: Vec<Vec<StepKind>>,
    /// Per user, what may exist.
    made: Vec<Vec<Attachment>>,
    /// The require-MFA policy, when the run made it (it was not in the account), until it is
    /// removed.
    policy: Option<String>,
}

impl Ledger {
    fn new(specs: &[UserSpec]) -> Ledger {
        Ledger {
            users: specs.iter().map(|s| s.name.clone()).collect(),
            steps: run_steps(specs),
            made: specs.iter().map(|_| Vec::new()).collect(),
            policy: None,
        }
    }

    /// Follows a step of the creation: a call in flight, done, or being undone may have made
    /// something; one undone, failed or never sent did not. The require-MFA policy is the run's
    /// once it says it made it, until its step is undone.
    fn note(&mut self, event: &Event) {
        if let Event::PolicyCreated { arn, .. } = event {
            self.policy = Some(arn.clone());
            return;
        }
        if let Event::Step {
            user,
            index,
            status: StepStatus::Undone,
            ..
        } = event
            && let Some(StepKind::EnsurePolicy(_)) =
                self.steps.get(*user).and_then(|s| s.get(*index))
        {
            self.policy = None;
            return;
        }
        let Event::Step {
            user,
            index,
            status,
            ..
        } = event
        else {
            return;
        };
        let Some(item) = self
            .steps
            .get(*user)
            .and_then(|s| s.get(*index))
            .and_then(Attachment::of_step)
        else {
            return;
        };
        let made = &mut self.made[*user];
        made.retain(|a| *a != item);
        if matches!(
            status,
            StepStatus::Running
                | StepStatus::Done
                | StepStatus::Undoing
                | StepStatus::UndoFailed(_)
        ) {
            made.push(item);
        }
    }

    /// The access key IDs of users created whole.
    fn keys(&mut self, users: &[CreatedUser]) {
        for (made, user) in self.made.iter_mut().zip(users) {
            if let Some(key) = &user.access_key {
                for a in made.iter_mut() {
                    if *a == Attachment::AccessKey(None) {
                        *a = Attachment::AccessKey(Some(key.id.clone()));
                    }
                }
            }
        }
    }

    fn removed(&mut self, user: &str, item: &Attachment) {
        if let Attachment::Policy(_) = item {
            self.policy = None;
            return;
        }
        if let Some(u) = self.users.iter().position(|u| u == user) {
            self.made[u].retain(|a| a != item);
        }
    }

    /// What may be left of `user`, in the order IAM requires.
    fn left_of(&self, user: &str) -> Vec<Leftover> {
        let Some(u) = self.users.iter().position(|u| u == user) else {
            return Vec::new();
        };
        let mut made = self.made[u].clone();
        made.sort_by_key(Attachment::rank);
        made.iter().map(|a| a.leftover(user)).collect()
    }

    /// What the run made for all its users that may be left: the require-MFA policy, deleted
    /// after them.
    fn left_of_run(&self) -> Vec<Leftover> {
        self.policy
            .iter()
            .map(|arn| Attachment::Policy(arn.clone()).leftover(""))
            .collect()
    }

    /// What may be left of every user, each in the order IAM requires, then of the run.
    fn left(&self) -> Vec<Leftover> {
        let users = self.users.iter().flat_map(|u| self.left_of(u));
        users.chain(self.left_of_run()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AccessKeyPair, LoginSpec, PasswordPolicy, PasswordSource};
    use crate::secret::Secret;

    fn spec(name: &str) -> UserSpec {
        UserSpec {
            key_description: None,
            name: name.to_string(),
            path: "/".to_string(),
            tags: Vec::new(),
            boundary: None,
            access_key: true,
            login: Some(LoginSpec {
                password: PasswordSource::Generate {
                    policy: PasswordPolicy::aws_default(),
                },
                require_reset: false,
            }),
            groups: vec!["dev ops".to_string()],
            policies: Vec::new(),
            inline: Vec::new(),
        }
    }

    fn step(user: usize, index: usize, status: StepStatus) -> Event {
        Event::Step {
            run: 1,
            user,
            index,
            status,
        }
    }

    fn commands(left: &[Leftover]) -> Vec<&str> {
        left.iter().map(|l| l.command.as_str()).collect()
    }

    #[test]
    fn what_may_be_left_follows_the_steps_in_flight_done_and_undone_in_iams_order() {
        let specs = [spec("ann"), spec("bob")];
        let mut ledger = Ledger::new(&specs);
        // ann: user, login profile, key, group (plan order); bob: only its user is in flight.
        for (index, status) in [
            (0, StepStatus::Done),
            (3, StepStatus::Running),
            (1, StepStatus::Done),
            (2, StepStatus::Done),
            (1, StepStatus::Undone),
        ] {
            ledger.note(&step(0, index, status));
        }
        ledger.note(&step(1, 0, StepStatus::Running));
        assert_eq!(
            commands(&ledger.left()),
            [
                "aws iam list-access-keys --user-name ann",
                "aws iam remove-user-from-group --user-name ann --group-name 'dev ops'",
                "aws iam delete-user --user-name ann",
                "aws iam delete-user --user-name bob",
            ]
        );
    }

    #[test]
    fn the_policy_the_run_made_is_listed_after_every_user_until_undone_or_removed() {
        let arn = "arn:aws:iam::123456789012:policy/iamwiz-require-mfa";
        let specs = [UserSpec {
            policies: vec![arn.to_string()],
            ..spec("ann")
        }];
        let mut ledger = Ledger::new(&specs);
        // The run's own step first, then the user.
        ledger.note(&step(0, 0, StepStatus::Done));
        ledger.note(&step(0, 1, StepStatus::Done));
        assert_eq!(
            commands(&ledger.left()),
            ["aws iam delete-user --user-name ann"],
            "a policy found is not the run's"
        );
        let made = Event::PolicyCreated {
            run: 1,
            arn: arn.to_string(),
        };
        ledger.note(&made);
        assert_eq!(
            commands(&ledger.left()),
            [
                "aws iam delete-user --user-name ann",
                "aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/iamwiz-require-mfa",
            ]
        );
        ledger.removed("", &Attachment::Policy(arn.to_string()));
        assert_eq!(commands(&ledger.left_of_run()), Vec::<&str>::new());
        ledger.note(&made);
        ledger.note(&step(0, 0, StepStatus::Undone));
        assert_eq!(
            commands(&ledger.left_of_run()),
            Vec::<&str>::new(),
            "undone"
        );
    }

    #[test]
    fn once_created_the_keys_are_named_and_what_the_discard_removed_is_no_longer_listed() {
        let specs = [spec("ann")];
        let mut ledger = Ledger::new(&specs);
        for index in 0..4 {
            ledger.note(&step(0, index, StepStatus::Done));
        }
        ledger.keys(&[CreatedUser {
            name: "ann".to_string(),
            arn: String::new(),
            access_key: Some(AccessKeyPair {
                id: "AKIAEXAMPLE".to_string(),
                secret: Secret::new("s".to_string()),
            }),
            password: None,
            require_reset: false,
            sign_in_url: String::new(),
        }]);
        assert_eq!(
            commands(&ledger.left_of("ann"))[0],
            "aws iam delete-access-key --user-name ann --access-key-id AKIAEXAMPLE"
        );
        ledger.removed(
            "ann",
            &Attachment::AccessKey(Some("AKIAEXAMPLE".to_string())),
        );
        ledger.removed("ann", &Attachment::LoginProfile);
        assert_eq!(
            commands(&ledger.left_of("ann")),
            [
                "aws iam remove-user-from-group --user-name ann --group-name 'dev ops'",
                "aws iam delete-user --user-name ann",
            ]
        );
    }
}
