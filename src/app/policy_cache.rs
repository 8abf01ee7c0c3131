//! The policy catalogue saved by an earlier run ([`Event::CachedPolicies`]): shown at once, so the
//! pickers work before the live list arrives, and replaced by the live list when it does.
//!
//! A saved catalogue is used only for the latest request, only while no live answer has arrived,
//! and only for the account the admin acts as: when the identity names another account, the
//! saved list goes (with any of that account's own policies the admin had picked from it). When
//! the live read fails, the saved list stays on screen with a note saying why it was not
//! refreshed.
//!
//! [`Event::CachedPolicies`]: crate::protocol::Event::CachedPolicies

use super::{App, ListUi, Remote, TICKS_PER_SECOND, picker};
use crate::protocol::{AwsError, PolicyInfo};

/// The catalogue on screen is the saved one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedCatalogue {
    /// The account the list was read from.
    pub account: String,
    /// When it was read, in seconds since the Unix epoch.
    pub saved_at: u64,
    /// How old it was when it arrived, and the tick it arrived at.
    age_secs: u64,
    at_tick: u64,
    /// Why the live list could not be read, once that has failed.
    pub refresh_error: Option<AwsError>,
}

impl CachedCatalogue {
    /// How old the list is at tick `ticks`, in seconds.
    pub fn age_secs(&self, ticks: u64) -> u64 {
        self.age_secs + ticks.saturating_sub(self.at_tick) / TICKS_PER_SECOND
    }

    /// The one line the pickers show above the list: "saved 3 h ago · refreshing…", or why it
    /// could not be refreshed.
    pub fn note(&self, ticks: u64) -> String {
        let ago = ago(self.age_secs(ticks));
        match &self.refresh_error {
            None => format!("saved {ago} · refreshing…"),
            Some(e) => format!(
                "could not refresh the policy list: {} {}; showing the list saved {ago}",
                e.operation, e.code
            ),
        }
    }
}

/// An age in words: "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn ago(secs: u64) -> String {
    match secs {
        0..60 => "just now".to_string(),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "1 day ago".to_string(),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// The saved catalogue arrived for request `seq`.
pub fn on_cached(
    app: &mut App,
    seq: u64,
    account: String,
    saved_at: u64,
    age_secs: u64,
    policies: Vec<PolicyInfo>,
) {
    if seq != app.seqs.policies {
        return;
    }
    let refresh_error = match &app.catalog.policies {
        // The live list is already here (or the saved one is).
        Remote::Ready(_) => return,
        Remote::Loading => None,
        Remote::Failed(e) => Some(e.clone()),
    };
    if app
        .catalog
        .identity
        .ready()
        .is_some_and(|id| id.account != account)
    {
        return;
    }
    app.catalog.policies = Remote::Ready(policies);
    app.catalog.policies_cached = Some(CachedCatalogue {
        account,
        saved_at,
        age_secs,
        at_tick: app.ticks,
        refresh_error,
    });
    picker::catalogue_changed(app);
}

/// The live answer to the latest request: it replaces a saved list, keeping each picker's
/// filter and, where the policy is still listed, its highlight. A failure leaves a saved list on
/// screen, with the error in its note.
pub fn on_policies(app: &mut App, result: Result<Vec<PolicyInfo>, AwsError>) {
    if app.catalog.policies_cached.is_none() {
        app.catalog.policies = Remote::from(result);
        picker::catalogue_changed(app);
        return;
    }
    match result {
        Ok(policies) => {
            let highlighted = [
                highlighted_arn(app, &app.focus.policies, 0),
                highlighted_arn(app, &app.focus.boundary, 1),
            ];
            app.catalog.policies = Remote::Ready(policies);
            app.catalog.policies_cached = None;
            picker::catalogue_changed(app);
            let [policies, boundary] = highlighted;
            app.focus.policies.cursor = cursor_for(app, &app.focus.policies, 0, policies);
            app.focus.boundary.cursor = cursor_for(app, &app.focus.boundary, 1, boundary);
        }
        Err(e) => {
            if let Some(cached) = app.catalog.policies_cached.as_mut() {
                cached.refresh_error = Some(e);
            }
        }
    }
}

/// The identity arrived: a saved list of another account goes. Policies of that account picked
/// from it are unpicked (they cannot be attached here); AWS managed ones stay.
pub fn on_identity(app: &mut App) {
    let Some(id) = app.catalog.identity.ready() else {
        return;
    };
    let Some(cached) = app
        .catalog
        .policies_cached
        .take_if(|c| c.account != id.account)
    else {
        return;
    };
    app.catalog.policies = match cached.refresh_error {
        Some(e) => Remote::Failed(e),
        None => Remote::Loading,
    };
    app.focus.policies.cursor = 0;
    app.focus.boundary.cursor = 0;
    picker::catalogue_changed(app);
    let foreign = format!(":{}:", cached.account);
    let picked = app.draft.policies.len() + usize::from(app.draft.boundary.is_some());
    app.draft.policies.retain(|arn| !arn.contains(&foreign));
    if app
        .draft
        .boundary
        .as_ref()
        .is_some_and(|b| b.contains(&foreign))
    {
        app.draft.boundary = None;
    }
    let dropped = picked - app.draft.policies.len() - usize::from(app.draft.boundary.is_some());
    if dropped > 0 {
        app.info(format!(
            "The saved policy list was of account {}: {dropped} of its policies {} unpicked.",
            cached.account,
            if dropped == 1 { "was" } else { "were" }
        ));
    }
}

/// The ARN under `list`'s cursor; `offset` rows come before the policies (the Boundary step's
/// "No permissions boundary").
fn highlighted_arn(app: &App, list: &ListUi, offset: usize) -> Option<String> {
    let policies = app.catalog.policies.ready()?;
    let row = list.cursor.checked_sub(offset)?;
    let i = *app.picker.indices(policies, list).get(row)?;
    Some(policies.get(i as usize)?.arn.clone())
}

/// Where `list`'s cursor goes in the new catalogue: on `arn` if it is still listed, else where
/// it was, within the list.
fn cursor_for(app: &App, list: &ListUi, offset: usize, arn: Option<String>) -> usize {
    let Some(policies) = app.catalog.policies.ready() else {
        return list.cursor;
    };
    let indices = app.picker.indices(policies, list);
    let found = arn.and_then(|arn| {
        indices
            .iter()
            .position(|&i| policies.get(i as usize).is_some_and(|p| p.arn == arn))
    });
    match found {
        Some(row) => row + offset,
        None => list.cursor.min((indices.len() + offset).saturating_sub(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::ago;

    #[test]
    fn ages_read_in_the_largest_whole_unit() {
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(59), "just now");
        assert_eq!(ago(60), "1 min ago");
        assert_eq!(ago(3_599), "59 min ago");
        assert_eq!(ago(3_600), "1 h ago");
        assert_eq!(ago(86_399), "23 h ago");
        assert_eq!(ago(86_400), "1 day ago");
        assert_eq!(ago(3 * 86_400 + 5), "3 days ago");
    }
}
