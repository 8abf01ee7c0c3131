//! Creating the users: the request from Review, and the worker's answer (the credentials to
//! reveal, or what failed and what is left).

use crate::app::reveal::{self, Reveal};
use crate::app::{App, Command, Creation, Failure, Screen};
use crate::flows::users::draft::PasswordMode;
use crate::protocol::{CreationResult, KeyProof, Request, StepStatus, run_steps};

/// The worker's answer to the creation.
pub(crate) fn finish(app: &mut App, result: CreationResult) {
    let Some(creation) = app.creation.as_mut() else {
        return;
    };
    match result {
        CreationResult::Created(users) => {
            app.created = users.iter().map(|u| u.name.clone()).collect();
            let mut reveal = Reveal::new(users, app.options.csv_dir.clone());
            reveal.proof_run = Some(creation.run);
            // The admin knows a password they typed.
            if app.draft.console_password && app.draft.password_mode == PasswordMode::Custom {
                reveal.expose(reveal::Exposure::Typed);
            }
            app.reveal = Some(reveal);
            app.screen = Screen::Reveal;
            // The custom password now lives only on the credentials screen.
            app.draft.custom_password.clear();
        }
        CreationResult::Failed {
            user,
            step,
            error,
            leftovers,
        } => {
            // The creating screen itself lists what failed, what was undone and what is left.
            creation.failure = Some(Failure {
                user,
                step,
                error,
                leftovers,
                key_deletion: None,
            });
        }
    }
}

/// News of a new access key's proof (it follows the creation's answer): kept for the credentials
/// screen when it is this run's.
pub(crate) fn on_proof(app: &mut App, run: u64, user: String, proof: KeyProof) {
    if let Some(reveal) = app.reveal.as_mut() {
        reveal.on_proof(run, user, proof);
    }
}

/// Starts a creation run from Review.
pub(crate) fn start(app: &mut App) -> Vec<Command> {
    if let Err((screen, message)) = app.check_draft() {
        if screen != Screen::Review {
            app.screen = screen;
        }
        app.error(message);
        return Vec::new();
    }
    let specs = app.user_specs();
    let run = app.next_seq();
    app.creation = Some(Creation {
        run,
        started: app.ticks,
        groups: specs.iter().map(|s| s.name.clone()).collect(),
        steps: run_steps(&specs)
            .into_iter()
            .map(|kinds| {
                kinds
                    .into_iter()
                    .map(|k| (k, StepStatus::Pending))
                    .collect()
            })
            .collect(),
        failure: None,
        grouped: false,
        verify: None,
    });
    app.screen = Screen::Creating;
    vec![Command::Worker(Request::Create { run, specs })]
}
