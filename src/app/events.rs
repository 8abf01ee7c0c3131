//! The worker's replies: offered to the flows first, the rest (the account's lists, name checks,
//! the rate, a run's steps, the discard) handled here.

use super::*;

pub(super) fn on_event(app: &mut App, event: Event) -> Vec<Command> {
    let event = match crate::flows::on_event(app, event) {
        crate::flows::Reply::Handled(mut cmds) => {
            // A run that finished while a signal ends the wizard: its unseen users go.
            cmds.extend(discard_unseen(app));
            return cmds;
        }
        crate::flows::Reply::Unhandled(event) => event,
    };
    match event {
        Event::Identity(result) => {
            app.catalog.identity = Remote::from(result);
            policy_cache::on_identity(app);
            return encryption::seed_region(app);
        }
        Event::PasswordPolicy(result) => app.catalog.password_policy = Remote::from(result),
        Event::Groups { seq, result } if seq == app.seqs.groups => {
            app.catalog.groups = Remote::from(result);
        }
        Event::Users { seq, result } if seq == app.seqs.users => {
            app.catalog.users = Remote::from(result);
            return crate::flows::users::update::names_checked(app);
        }
        Event::Policies { seq, result } if seq == app.seqs.policies => {
            policy_cache::on_policies(app, result);
        }
        Event::CachedPolicies {
            seq,
            account,
            saved_at,
            age_secs,
            policies,
        } => policy_cache::on_cached(app, seq, account, saved_at, age_secs, policies),
        Event::UserPermissions { seq, user, result }
            if seq == app.seqs.copy && app.draft.copy_from.as_deref() == Some(user.as_str()) =>
        {
            app.catalog.copy = Some((user, Remote::from(result)));
        }
        Event::AccountAlias(result) => app.catalog.alias = Remote::from(result),
        Event::Rate { service, status } => {
            match app.rates.iter_mut().find(|(s, _)| *s == service) {
                Some(entry) => entry.1 = status,
                None => app.rates.push((service, status)),
            }
        }
        Event::NameCheck {
            seq,
            kind,
            name,
            result,
        } => {
            if let Some(check) = app.catalog.names.get_mut(&(kind, name.to_lowercase()))
                && check.seq == seq
            {
                check.state = Remote::from(result);
                return crate::flows::users::update::names_checked(app);
            }
        }
        Event::Step {
            run,
            user,
            index,
            status,
        } => {
            if let Some(c) = app.creation.as_mut().filter(|c| c.run == run)
                && let Some(step) = c.steps.get_mut(user).and_then(|s| s.get_mut(index))
            {
                step.1 = status;
            }
        }
        Event::VerifyWaiting {
            run,
            attempt,
            waited_secs,
            error,
        } => {
            if let Some(c) = app.creation.as_mut().filter(|c| c.run == run) {
                c.verify = Some(VerifyWait {
                    attempt,
                    waited_secs,
                    error,
                });
            }
        }
        Event::Discarded { run, users, key } => {
            if let Some(d) = app
                .ending
                .as_mut()
                .and_then(|e| e.discard.as_mut())
                .filter(|d| d.run == run)
            {
                d.result = Some(users);
                d.key_result = key;
            }
        }
        // A reply to a request that has since been superseded.
        _ => {}
    }
    Vec::new()
}
