//! The users flow's rules over the whole draft, as Review and creating apply them: the
//! permissions in force ([`App::effective`]: chosen, copied from another user, and
//! `IAMUserChangePassword` when the console would add it), the checks before creating
//! ([`App::check_draft`], [`check_access`]), what the account lacks ([`App::missing_from_account`]),
//! and the creation requests ([`App::user_specs`]).

use crate::app::{App, Remote, Screen};
use crate::flows::users::draft::{self, Draft, PasswordMode};
use crate::protocol::{
    InlinePolicy, LoginSpec, NameKind, PasswordPolicy, PasswordSource, UserPermissions, UserSpec,
    policy_name,
};
use crate::secret::Secret;

impl App {
    /// The permissions the new user will get: the ones chosen, plus the ones copied from another
    /// user (marked `copied`), plus `IAMUserChangePassword` when [`App::adds_change_password`]
    /// (listed in `added`), without duplicates.
    pub fn effective(&self) -> Effective {
        let mut eff = Effective {
            groups: self
                .draft
                .groups
                .iter()
                .map(|g| (g.clone(), false))
                .collect(),
            policies: self
                .draft
                .policies
                .iter()
                .map(|p| (p.clone(), false))
                .collect(),
            inline: Vec::new(),
            boundary: self.draft.boundary.clone().map(|b| (b, false)),
            added: Vec::new(),
        };
        if let Some(copied) = self.copied_permissions() {
            for g in &copied.groups {
                if !eff.groups.iter().any(|(n, _)| n == g) {
                    eff.groups.push((g.clone(), true));
                }
            }
            for p in &copied.policies {
                if !eff.policies.iter().any(|(a, _)| a == p) {
                    eff.policies.push((p.clone(), true));
                }
            }
            eff.inline = copied.inline.clone();
            if eff.boundary.is_none() {
                eff.boundary = copied.boundary.clone().map(|b| (b, true));
            }
        }
        if let Some(p) = self.typed_inline_policy() {
            eff.inline.push(p);
        }
        if self.adds_change_password() {
            let arn = self.change_password_arn();
            if !eff.policies.iter().any(|(a, _)| *a == arn) {
                eff.policies.push((arn.clone(), false));
                eff.added.push(arn);
            }
        }
        eff
    }

    pub(crate) fn copied_permissions(&self) -> Option<&UserPermissions> {
        let from = self.draft.copy_from.as_ref()?;
        match &self.catalog.copy {
            Some((user, Remote::Ready(p))) if user == from => Some(p),
            _ => None,
        }
    }

    /// Checks the whole draft as Review does before creating. Returns the first problem and the
    /// step where it can be fixed.
    pub fn check_draft(&self) -> Result<(), (Screen, String)> {
        let d = &self.draft;
        draft::validate_user_names(&d.names).map_err(|(_, e)| (Screen::Details, e))?;
        if let Some((_, taken)) = self.taken_names().into_iter().next() {
            return Err((
                Screen::Details,
                format!("A user named {taken} already exists in this account."),
            ));
        }
        draft::validate_path(d.path.value()).map_err(|e| (Screen::Details, e))?;
        check_access(d, &self.password_policy()).map_err(|e| (Screen::Access, e))?;
        if let Some(from) = &d.copy_from {
            match &self.catalog.copy {
                Some((user, Remote::Ready(_))) if user == from => {}
                Some((user, Remote::Failed(e))) if user == from => {
                    return Err((
                        Screen::Permissions,
                        format!("Could not read the permissions of {from} to copy: {e}"),
                    ));
                }
                _ => {
                    return Err((
                        Screen::Review,
                        format!("Still reading the permissions of {from}; try again in a moment."),
                    ));
                }
            }
        }
        let eff = self.effective();
        if eff.groups.len() > draft::GROUPS_MAX {
            return Err((
                Screen::Permissions,
                format!(
                    "{} groups; a user can be in at most {}.",
                    eff.groups.len(),
                    draft::GROUPS_MAX
                ),
            ));
        }
        if eff.policies.len() > draft::MANAGED_POLICIES_MAX {
            return Err((
                Screen::Permissions,
                format!(
                    "{} managed policies; a user can have at most {} attached.{}",
                    eff.policies.len(),
                    draft::MANAGED_POLICIES_MAX,
                    if eff.added.is_empty() {
                        ""
                    } else {
                        " That counts IAMUserChangePassword, added for the password reset."
                    }
                ),
            ));
        }
        if let Some(e) = self.inline_check().error() {
            return Err((Screen::Permissions, e));
        }
        draft::validate_tags(&d.tags).map_err(|(_, e)| (Screen::Tags, e))?;
        self.check_against_account()
    }

    /// What creating depends on that only the account can tell, for a draft that was not picked
    /// from the account's own lists (a plan, `--plan`) or was ready before they were read:
    /// creation waits for the password policy (it decides the generated password and whether
    /// `IAMUserChangePassword` is added) and for the names' checks, and every group, managed
    /// policy and boundary must be in the account's lists. A list that could not be read is not
    /// waited for: IAM then answers for it, and a refusal is rolled back.
    fn check_against_account(&self) -> Result<(), (Screen, String)> {
        let d = &self.draft;
        let again = "try again in a moment";
        if d.console_password && matches!(self.catalog.password_policy, Remote::Loading) {
            return Err((
                Screen::Review,
                format!(
                    "Still reading the account's password policy, which the console password \
                     must meet; {again}."
                ),
            ));
        }
        for name in &d.names {
            let pending = matches!(
                self.name_check(NameKind::User, name.value()),
                Some(Remote::Loading)
            );
            if pending && !matches!(self.catalog.users, Remote::Ready(_)) {
                return Err((
                    Screen::Review,
                    format!(
                        "Still checking that no user named {} exists; {again}.",
                        name.value()
                    ),
                ));
            }
        }
        let eff = self.effective();
        let waiting = |what: &str| Err((Screen::Review, format!("Still reading {what}; {again}.")));
        if !eff.groups.is_empty() && matches!(self.catalog.groups, Remote::Loading) {
            return waiting("the account's groups");
        }
        if (!eff.policies.is_empty() || eff.boundary.is_some())
            && (matches!(self.catalog.policies, Remote::Loading)
                || self.catalog.policies_cached.is_some())
        {
            // A list saved by an earlier run may be out of date: the live one decides.
            return waiting("the account's managed policies");
        }
        let missing = self.missing_from_account();
        let drop = "press x on Review to drop what the account lacks, or create it first";
        if let Some(g) = missing.groups.first() {
            return Err((
                Screen::Review,
                format!("There is no group named {g} in this account: {drop} (Ctrl-G on Groups)."),
            ));
        }
        if let Some(arn) = missing.policies.first().or(missing.boundary.as_ref()) {
            return Err((
                Screen::Review,
                format!("There is no managed policy {arn} in this account: {drop}."),
            ));
        }
        Ok(())
    }

    /// The groups, managed policies and boundary of the draft (not those copied from a user,
    /// which the account has) that the account's lists, read live, do not have: names from a
    /// plan, or ones deleted since they were picked. Empty while a list is not read.
    pub fn missing_from_account(&self) -> Missing {
        let d = &self.draft;
        let mut missing = Missing::default();
        if let Remote::Ready(groups) = &self.catalog.groups {
            missing.groups = d
                .groups
                .iter()
                .filter(|g| !groups.iter().any(|known| &known.name == *g))
                .cloned()
                .collect();
        }
        if let (Remote::Ready(policies), None) =
            (&self.catalog.policies, &self.catalog.policies_cached)
        {
            let lacks = |arn: &String| !policies.iter().any(|p| &p.arn == arn);
            let added = self.effective().added;
            missing.policies = d
                .policies
                .iter()
                .filter(|arn| lacks(arn) && !added.contains(arn))
                .cloned()
                .collect();
            missing.boundary = d.boundary.clone().filter(lacks);
        }
        missing
    }

    /// `x` on Review: drops from the draft what [`App::missing_from_account`] lists, and says
    /// what was dropped.
    pub fn drop_missing(&mut self) {
        let missing = self.missing_from_account();
        if missing.is_empty() {
            self.info("Every group and policy of the draft is in this account.");
            return;
        }
        self.draft.groups.retain(|g| !missing.groups.contains(g));
        self.draft
            .policies
            .retain(|p| !missing.policies.contains(p));
        if missing.boundary.is_some() {
            self.draft.boundary = None;
        }
        let dropped: Vec<String> = missing
            .groups
            .iter()
            .map(|g| format!("group {g}"))
            .chain(
                missing
                    .policies
                    .iter()
                    .map(|p| format!("policy {}", policy_name(p))),
            )
            .chain(
                missing
                    .boundary
                    .iter()
                    .map(|b| format!("boundary {}", policy_name(b))),
            )
            .collect();
        self.info(format!(
            "Dropped from the draft, not in this account: {}.",
            dropped.join(", ")
        ));
    }

    /// The creation requests for the current draft, one per user. Call only after
    /// [`App::check_draft`] passed.
    pub(crate) fn user_specs(&self) -> Vec<UserSpec> {
        let d = &self.draft;
        let eff = self.effective();
        d.names
            .iter()
            .map(|name| UserSpec {
                name: name.value().to_string(),
                path: d.path.value().to_string(),
                tags: d
                    .tags
                    .iter()
                    .map(|t| (t.key.value().to_string(), t.value.value().to_string()))
                    .collect(),
                boundary: eff.boundary.clone().map(|(b, _)| b),
                access_key: d.access_key,
                login: d.console_password.then(|| LoginSpec {
                    password: match d.password_mode {
                        PasswordMode::Autogenerated => PasswordSource::Generate {
                            policy: self.password_policy(),
                        },
                        PasswordMode::Custom => PasswordSource::Custom(Secret::new(
                            d.custom_password.value().to_string(),
                        )),
                    },
                    require_reset: d.require_reset,
                }),
                groups: eff.groups.iter().map(|(g, _)| g.clone()).collect(),
                policies: eff.policies.iter().map(|(p, _)| p.clone()).collect(),
                inline: eff.inline.clone(),
            })
            .collect()
    }
}

/// Access type rules: at least one kind of access, and a custom password that meets the policy.
pub fn check_access(d: &Draft, policy: &PasswordPolicy) -> Result<(), String> {
    if !d.access_key && !d.console_password {
        return Err(
            "Choose at least one access type: an access key, a console password, or both."
                .to_string(),
        );
    }
    if d.console_password && d.password_mode == PasswordMode::Custom {
        draft::validate_password(d.custom_password.value(), policy)?;
    }
    Ok(())
}

/// See [`App::effective`]. The `bool` says whether the entry was copied from another user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    pub groups: Vec<(String, bool)>,
    pub policies: Vec<(String, bool)>,
    pub inline: Vec<InlinePolicy>,
    pub boundary: Option<(String, bool)>,
    /// ARNs in `policies` that iamwiz adds by itself, neither chosen nor copied:
    /// `IAMUserChangePassword` when the user must set a new password and the account's password
    /// policy does not let users change their own.
    pub added: Vec<String>,
}

/// What the draft names that the account does not have ([`App::missing_from_account`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Missing {
    pub groups: Vec<String>,
    /// Managed policy ARNs.
    pub policies: Vec<String>,
    /// The boundary's ARN.
    pub boundary: Option<String>,
}

impl Missing {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.policies.is_empty() && self.boundary.is_none()
    }
}

/// The AWS managed policy that lets a user change their own password.
pub const CHANGE_PASSWORD_POLICY: &str = "IAMUserChangePassword";

impl App {
    /// The password policy in force: the account's, or the AWS default while it is being read or
    /// when it could not be read.
    pub fn password_policy(&self) -> PasswordPolicy {
        match &self.catalog.password_policy {
            Remote::Ready(p) => *p,
            Remote::Loading | Remote::Failed(_) => PasswordPolicy::aws_default(),
        }
    }

    /// Whether creating the draft attaches `IAMUserChangePassword`, as the console does: the user
    /// must set a new password at first sign-in, and the policy does not let users change their
    /// own (with no policy, only users with `iam:ChangePassword` may).
    pub fn adds_change_password(&self) -> bool {
        let d = &self.draft;
        d.console_password
            && d.require_reset
            && !self.password_policy().allow_users_to_change_password
    }

    /// The ARN of `IAMUserChangePassword` in the admin's partition (`aws` until the identity is
    /// known).
    pub fn change_password_arn(&self) -> String {
        let partition = self
            .catalog
            .identity
            .ready()
            .and_then(|i| i.arn.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws");
        format!("arn:{partition}:iam::aws:policy/{CHANGE_PASSWORD_POLICY}")
    }
}
