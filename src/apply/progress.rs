//! The progress of `iamwiz apply` on stderr: a line for each step as it starts, finishes, fails
//! or is undone, the throttling waits, and the words for a failed step and what to do.

use tokio::sync::mpsc::UnboundedReceiver;

use crate::aws;
// Every `eprint!`/`eprintln!` here removes terminal control and bidi characters
// (`term_text::clean`): AWS errors, ARNs and plan text are printed.
use crate::eprintln_clean as eprintln;
use crate::protocol::{AwsError, Event, StepKind, StepStatus, policy_name};

/// `alice: iam:AddUserToGroup developers`: the step of `user`, as progress lines show it.
pub(super) fn step_text(user: &str, kind: &StepKind) -> String {
    let op = kind.operation();
    match kind {
        StepKind::AddToGroup(g) => format!("{user}: {op} {g}"),
        StepKind::AttachPolicy(arn) => format!("{user}: {op} {}", policy_name(arn)),
        StepKind::PutInlinePolicy(name) => format!("{user}: {op} {name}"),
        _ => format!("{user}: {op}"),
    }
}

/// The line for a step's new status, or `None` for one not worth a line (started, undoing).
pub(super) fn status_line(user: &str, kind: &StepKind, status: &StepStatus) -> Option<String> {
    let step = step_text(user, kind);
    Some(match status {
        StepStatus::Pending | StepStatus::Running | StepStatus::Undoing => return None,
        StepStatus::Done => format!("{step} done"),
        StepStatus::Failed(e) => format!("{step} failed: {}", code_and_message(e)),
        StepStatus::Skipped => format!("{step} skipped"),
        StepStatus::Undone => format!("{step} undone ({})", kind.undo_operation()),
        StepStatus::UndoFailed(e) => {
            format!("{step} NOT undone: {} {}", e.operation, code_and_message(e))
        }
    })
}

/// `Code: message`, or the code alone.
pub(super) fn code_and_message(e: &AwsError) -> String {
    if e.message.is_empty() {
        e.code.clone()
    } else {
        format!("{}: {}", e.code, e.message)
    }
}

/// What to do about `e`, for someone running a plan (the wizard's hints speak of its steps).
pub(super) fn apply_hint(e: &AwsError) -> String {
    match e.code.as_str() {
        "MalformedPolicyDocument" | "InvalidInput" | "ValidationError" => {
            "AWS refused a value of the plan as invalid: correct it in the plan file and run \
             again."
                .to_string()
        }
        "NoSuchEntity" => "Something the plan names does not exist (any more) in the account: \
                           check the plan against the account and run again."
            .to_string(),
        "EntityAlreadyExists" => "A name in the plan is taken in the account: change it in the \
                                  plan and run again."
            .to_string(),
        _ => e.hint.clone(),
    }
}

/// Shows the steps as they finish: on a terminal, one progress bar updated in place (failures
/// and undos printed above it); otherwise one plain line per finished step.
pub(super) async fn show_progress(
    mut events: UnboundedReceiver<Event>,
    users: Vec<String>,
    steps: Vec<Vec<StepKind>>,
    terminal: bool,
    deadline: tokio::time::Instant,
) {
    let total: usize = steps.iter().map(Vec::len).sum();
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} steps  {wide_msg}")
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ "),
        );
        bar
    });
    while let Some(event) = events.recv().await {
        if let Event::Rate { service, status } = &event {
            if let Some(text) = status.describe(service) {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let line = match status.per_second {
                    Some(_) => format!("{text} · {} (--timeout)", aws::rate::time_left(left)),
                    None => text,
                };
                match &bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
            continue;
        }
        let Event::Step {
            user,
            index,
            status,
            ..
        } = event
        else {
            continue;
        };
        let (Some(name), Some(kind)) =
            (users.get(user), steps.get(user).and_then(|s| s.get(index)))
        else {
            continue;
        };
        let Some(line) = status_line(name, kind, &status) else {
            continue;
        };
        let line = crate::term_text::clean(&line).into_owned();
        match &bar {
            Some(bar) => {
                if matches!(status, StepStatus::Done) {
                    bar.inc(1);
                    bar.set_message(line);
                } else {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
