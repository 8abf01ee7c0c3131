//! What the account holds, as the screens need it: the lists read from AWS (groups, users,
//! policies, the password policy, the alias), the live checks of names being typed, and the
//! requests that read them again.

use super::*;

/// Data loaded from AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote<T> {
    Loading,
    Ready(T),
    Failed(AwsError),
}

impl<T> Remote<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Remote::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn from(result: Result<T, AwsError>) -> Self {
        match result {
            Ok(t) => Remote::Ready(t),
            Err(e) => Remote::Failed(e),
        }
    }
}

/// What the account holds, as far as the screens need it.
#[derive(Debug)]
pub struct Catalog {
    pub identity: Remote<Identity>,
    pub groups: Remote<Vec<GroupInfo>>,
    pub users: Remote<Vec<UserInfo>>,
    pub policies: Remote<Vec<PolicyInfo>>,
    /// Set while `policies` is the catalogue saved by an earlier run (see [`policy_cache`]).
    pub policies_cached: Option<policy_cache::CachedCatalogue>,
    /// The permissions of the user in `Draft::copy_from`.
    pub copy: Option<(String, Remote<UserPermissions>)>,
    /// The account's password policy ([`PasswordPolicy::aws_default`] when none is set).
    pub password_policy: Remote<PasswordPolicy>,
    /// The account alias (`None`: the account has none).
    pub alias: Remote<Option<String>>,
    /// Live checks of the names being typed, by kind and lower-case name.
    pub names: std::collections::BTreeMap<(NameKind, String), NameCheck>,
}

/// Whether a name is free in the account, as far as iamwiz knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameCheck {
    pub(super) seq: u64,
    pub state: Remote<Option<String>>,
}

/// Ticks a name must rest unchanged before it is checked with AWS (half a second).
pub(crate) const NAME_CHECK_DELAY: u64 = 2;

impl App {
    /// Requests every list again; replies to earlier requests are dropped when they arrive.
    pub fn reload(&mut self) -> Vec<Command> {
        self.catalog.groups = Remote::Loading;
        self.catalog.users = Remote::Loading;
        self.catalog.policies = Remote::Loading;
        self.catalog.policies_cached = None;
        self.picker.forget();
        self.seqs.groups = self.next_seq();
        self.seqs.users = self.next_seq();
        self.seqs.policies = self.next_seq();
        let mut cmds = vec![
            Command::Worker(Request::LoadGroups {
                seq: self.seqs.groups,
            }),
            Command::Worker(Request::LoadUsers {
                seq: self.seqs.users,
            }),
            Command::Worker(Request::LoadPolicies {
                seq: self.seqs.policies,
            }),
        ];
        if matches!(self.catalog.identity, Remote::Failed(_)) {
            self.catalog.identity = Remote::Loading;
            cmds.push(Command::Worker(Request::LoadIdentity));
        }
        // A policy already read stays in force until the new reply replaces it.
        if !matches!(self.catalog.password_policy, Remote::Ready(_)) {
            self.catalog.password_policy = Remote::Loading;
        }
        cmds.push(Command::Worker(Request::LoadPasswordPolicy));
        cmds.push(Command::Worker(Request::LoadAccountAlias));
        if let Some(user) = self.draft.copy_from.clone() {
            cmds.push(self.load_copy_source(user));
        }
        cmds
    }

    pub(crate) fn load_copy_source(&mut self, user: String) -> Command {
        self.seqs.copy = self.next_seq();
        self.catalog.copy = Some((user.clone(), Remote::Loading));
        Command::Worker(Request::LoadUserPermissions {
            seq: self.seqs.copy,
            user,
        })
    }

    /// The groups that pass the Groups pane's filter.
    pub fn filtered_groups(&self) -> Vec<&GroupInfo> {
        let f = self.focus.groups.filter.value();
        self.catalog
            .groups
            .ready()
            .map(|gs| {
                gs.iter()
                    .filter(|g| matches(f, &g.name) || g.policies.iter().any(|p| matches(f, p)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn filtered_users(&self) -> Vec<&UserInfo> {
        let f = self.focus.users.filter.value();
        self.catalog
            .users
            .ready()
            .map(|us| us.iter().filter(|u| matches(f, &u.name)).collect())
            .unwrap_or_default()
    }

    /// The policies that pass `list`'s fuzzy filter and type: exact matches first, then names
    /// starting with the filter, then the other matches, best first (see [`picker`]).
    pub fn filtered_policies(&self, list: &ListUi) -> Vec<&PolicyInfo> {
        let Some(ps) = self.catalog.policies.ready() else {
            return Vec::new();
        };
        self.picker
            .indices(ps, list)
            .iter()
            .map(|&i| &ps[i as usize])
            .collect()
    }

    /// The console sign-in URL the new users will use, once the account is known: with the
    /// account alias when there is one, else the account ID.
    pub fn sign_in_url(&self) -> Option<String> {
        let account = &self.catalog.identity.ready()?.account;
        let alias = match &self.catalog.alias {
            Remote::Ready(alias) => alias.as_deref(),
            _ => None,
        };
        Some(crate::protocol::sign_in_url(account, alias))
    }

    /// The names of the draft that a live check found taken in the account (or that the user
    /// list has, ignoring case), with the name as IAM spells it.
    pub fn taken_names(&self) -> Vec<(usize, String)> {
        self.draft
            .names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.name_taken(n.value()).map(|t| (i, t)))
            .collect()
    }

    /// The live check of `name` as a `kind` name, if one was sent.
    pub fn name_check(&self, kind: NameKind, name: &str) -> Option<&Remote<Option<String>>> {
        let key = (kind, name.to_lowercase());
        self.catalog.names.get(&key).map(|c| &c.state)
    }

    /// The existing `kind` entity that `name` clashes with, as a live check found it.
    pub fn checked_taken(&self, kind: NameKind, name: &str) -> Option<String> {
        match self.name_check(kind, name) {
            Some(Remote::Ready(Some(existing))) => Some(existing.clone()),
            _ => None,
        }
    }

    /// The existing user that `name` clashes with, if any.
    pub fn name_taken(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        if let Some(existing) = self.checked_taken(NameKind::User, name) {
            return Some(existing);
        }
        self.catalog
            .users
            .ready()?
            .iter()
            .find(|u| u.name.to_lowercase() == lower)
            .map(|u| u.name.clone())
    }

    /// A name on User details was edited: every name there not checked yet is checked with AWS
    /// once typing rests, whichever row has the focus by then. An Enter waiting for the checks
    /// is called off: the name it waited for is gone.
    pub(crate) fn name_changed(&mut self) {
        self.seqs.name_check_due = Some(self.ticks + NAME_CHECK_DELAY);
        self.seqs.enter_when_checked = false;
    }

    /// The heartbeat's part for names: on User details, sends the checks that are due.
    pub(super) fn check_due_name(&mut self) -> Vec<Command> {
        let Some(due) = self.seqs.name_check_due else {
            return Vec::new();
        };
        if self.screen != Screen::Details {
            self.seqs.name_check_due = None;
            return Vec::new();
        }
        if self.ticks < due {
            return Vec::new();
        }
        self.check_names_now()
    }

    /// Checks every name of the draft not checked yet, at once (leaving User details).
    pub(crate) fn check_names_now(&mut self) -> Vec<Command> {
        self.seqs.name_check_due = None;
        let names: Vec<String> = self
            .draft
            .names
            .iter()
            .map(|n| n.value().to_string())
            .collect();
        names
            .into_iter()
            .filter_map(|n| self.check_name(NameKind::User, n))
            .collect()
    }

    /// The first name of the draft still unchecked, with its row: its check with AWS is on its
    /// way and the account's user list, which would settle it too, is not read. Only while
    /// connected: with AWS out of reach (or not answering yet) nothing is waited for, and Review
    /// checks the names again before anything is made.
    pub fn name_being_checked(&self) -> Option<(usize, String)> {
        if matches!(self.catalog.users, Remote::Ready(_))
            || !matches!(self.catalog.identity, Remote::Ready(_))
        {
            return None;
        }
        self.draft.names.iter().enumerate().find_map(|(i, n)| {
            matches!(
                self.name_check(NameKind::User, n.value()),
                Some(Remote::Loading)
            )
            .then(|| (i, n.value().to_string()))
        })
    }

    /// Whether an Enter on User details waits for a name's check (see [`Self::name_changed`]).
    pub(crate) fn enter_when_checked(&self) -> bool {
        self.seqs.enter_when_checked
    }

    pub(crate) fn set_enter_when_checked(&mut self, wait: bool) {
        self.seqs.enter_when_checked = wait;
    }

    /// The request that checks `name` as a `kind` name, unless it is invalid or already known.
    pub(crate) fn check_name(&mut self, kind: NameKind, name: String) -> Option<Command> {
        let valid = match kind {
            NameKind::User => draft::validate_user_name(&name),
            NameKind::Role | NameKind::InstanceProfile => encryption::validate_role_name(&name),
        };
        let key = (kind, name.to_lowercase());
        if valid.is_err() || self.catalog.names.contains_key(&key) {
            return None;
        }
        let seq = self.next_seq();
        self.catalog.names.insert(
            key,
            NameCheck {
                seq,
                state: Remote::Loading,
            },
        );
        Some(Command::Worker(Request::CheckName { seq, kind, name }))
    }
}

/// Case-insensitive substring match; an empty filter matches everything.
pub fn matches(filter: &str, text: &str) -> bool {
    filter.is_empty() || text.to_lowercase().contains(&filter.to_lowercase())
}
