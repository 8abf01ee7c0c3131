//! "Save plan" on Review: a prompt for the file, pre-filled with `iamwiz-plan.json` in the working
//! directory. The plan is everything Review would create and never a secret
//! ([`planfile::from_draft`]); the terminal loop writes it to a new file ([`Command::SavePlan`])
//! and answers with [`Effect::PlanSaved`](crate::app::reveal::Effect::PlanSaved).

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::{App, Command, Remote, Screen};
use crate::flows::users::draft::PasswordMode;
use crate::flows::users::update::{self as screens, FieldRule};
use crate::kit::text::TextField;
use crate::planfile::{self, Plan};

/// The prompt over Review.
#[derive(Debug)]
pub enum SavePlan {
    /// Asking where to save: the path, editable. It stays open, path and all, when the save
    /// is refused.
    Asking { path: TextField },
    /// The plan was saved at `path`; Enter or Esc closes this.
    Saved { path: PathBuf },
}

const PLAN_PATH: FieldRule = FieldRule {
    secret: false,
    what: "a file path",
    allowed: |c| !c.is_control(),
    chars: "printable characters",
    max: 4096,
};

/// What the prompt says about a custom console password, which a plan never holds.
pub const CUSTOM_PASSWORD_NOTE: &str = "The custom password is not saved: a plan generates one.";

impl App {
    /// Whether the draft has a custom console password (left out of a saved plan).
    pub fn has_custom_password(&self) -> bool {
        self.draft.console_password && self.draft.password_mode == PasswordMode::Custom
    }

    /// The plan Review would create, or why it cannot be saved.
    pub fn plan(&self) -> Result<Plan, String> {
        if let Some(from) = &self.draft.copy_from {
            match &self.catalog.copy {
                Some((user, Remote::Ready(_))) if user == from => {}
                Some((user, Remote::Failed(e))) if user == from => {
                    return Err(format!(
                        "Could not read the permissions of {from} to copy ({e}), so the plan \
                         would miss them: press 3 to fix the copy, or Ctrl-R to read them again."
                    ));
                }
                _ => {
                    return Err(format!(
                        "Still reading the permissions of {from}; save the plan in a moment."
                    ));
                }
            }
        }
        planfile::from_draft(&self.draft, &self.effective()).map_err(|problems| {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" ({} more problems)", n - 1),
            };
            format!("The plan cannot be saved: {}{more}", problems[0])
        })
    }
}

/// `s` on Review: opens the prompt, unless the plan cannot be built (the reason is shown).
pub(crate) fn open(app: &mut App) {
    if let Err(message) = app.plan() {
        app.error(message);
        return;
    }
    let path = app.options.csv_dir.join(planfile::DEFAULT_FILE_NAME);
    app.save_plan = Some(SavePlan::Asking {
        path: TextField::new(&path.to_string_lossy()),
    });
}

/// A key while the prompt is open on Review; `None` when it is not.
pub(crate) fn key(app: &mut App, key: &KeyEvent) -> Option<Vec<Command>> {
    if app.screen != Screen::Review {
        return None;
    }
    let field = match app.save_plan.as_mut()? {
        SavePlan::Saved { .. } => {
            if matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
                app.save_plan = None;
            }
            return Some(Vec::new());
        }
        SavePlan::Asking { path } => path,
    };
    match key.code {
        KeyCode::Esc => {
            app.save_plan = None;
            app.info("Plan not saved.");
        }
        KeyCode::Enter => {
            let path = field.value().trim().to_string();
            if path.is_empty() {
                app.error("Enter the file to save the plan in, or Esc to cancel.");
                return Some(Vec::new());
            }
            match app.plan() {
                Ok(plan) => {
                    return Some(vec![Command::SavePlan {
                        path: PathBuf::from(path),
                        json: planfile::to_json(&plan),
                    }]);
                }
                Err(message) => app.error(message),
            }
        }
        _ => {
            if let Err(message) = screens::edit(field, PLAN_PATH, key) {
                app.error(message);
            }
        }
    }
    Some(Vec::new())
}

/// Pasting while the prompt asks for the path; false when it does not.
pub(crate) fn paste(app: &mut App, text: &str) -> bool {
    if app.screen != Screen::Review {
        return false;
    }
    let Some(SavePlan::Asking { path }) = app.save_plan.as_mut() else {
        return false;
    };
    if let Err(message) = screens::paste_into(path, PLAN_PATH, text) {
        app.error(message);
    }
    true
}

/// The terminal loop's answer to [`Command::SavePlan`]: on success the prompt shows where the
/// plan is and how to use it; on failure it stays, path and all, with the reason.
pub(crate) fn saved(app: &mut App, result: Result<PathBuf, String>) -> Vec<Command> {
    match result {
        Ok(path) => {
            let note = if app.has_custom_password() {
                format!(" {CUSTOM_PASSWORD_NOTE}")
            } else {
                String::new()
            };
            app.info(format!("Plan saved to {}.{note}", path.display()));
            app.save_plan = Some(SavePlan::Saved { path });
        }
        Err(message) => app.error(format!("Plan not saved: {message}.")),
    }
    Vec::new()
}
