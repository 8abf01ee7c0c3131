//! The users flow's rules over the whole draft, as Review and creating apply them: the
//! permissions in force ([`App::effective`]: chosen, copied from another user, and
//! `IAMUserChangePassword` when the console would add it), the checks before creating
//! ([`App::check_draft`], [`check_access`]), what the account lacks ([`App::missing_from_account`]),
//! and the creation requests ([`App::user_specs`]), with `iamwiz-require-mfa` when the users must
//! use MFA ([`App::require_mfa_arn`]).
//!
//! The requests themselves are built by one pure function, [`to_specs`], from a [`Batch`]: the
//! wizard's draft or a plan (`iamwiz apply`), so both create users by the same rules. The file is
//! past 600 lines because of its tests; the rules themselves are about 570.

use crate::app::{App, Remote, Screen};
use crate::flows::users::draft::{self, Draft, PasswordMode};
use crate::model::mfa_policy::require_mfa_arn;
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
        let d = &self.draft;
        let must_reset = d.console_password && d.require_reset;
        let listed = eff.policies.iter().map(|(a, _)| a);
        if let Some(arn) = added_policy(
            listed,
            must_reset,
            &self.password_policy(),
            self.partition(),
        ) {
            eff.policies.push((arn.clone(), false));
            eff.added.push(arn);
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
        let attached = eff.policies.len() + usize::from(self.requires_mfa());
        if attached > draft::MANAGED_POLICIES_MAX {
            return Err((
                Screen::Permissions,
                format!(
                    "{attached} managed policies; a user can have at most {} attached.{}{}",
                    draft::MANAGED_POLICIES_MAX,
                    if eff.added.is_empty() {
                        ""
                    } else {
                        " That counts IAMUserChangePassword, added for the password reset."
                    },
                    if self.requires_mfa() {
                        " That counts iamwiz-require-mfa, which requires MFA."
                    } else {
                        ""
                    }
                ),
            ));
        }
        if let Some(e) = self.inline_check().error() {
            return Err((Screen::Permissions, e));
        }
        draft::validate_tags(&d.tags).map_err(|p| (Screen::Tags, p.message))?;
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
        if self.requires_mfa() {
            match &self.catalog.identity {
                Remote::Loading => {
                    return Err((
                        Screen::Review,
                        format!(
                            "Still reading which account you are signed in to, where the policy \
                             requiring MFA goes; {again}."
                        ),
                    ));
                }
                Remote::Failed(e) => {
                    return Err((
                        Screen::Review,
                        format!(
                            "Could not read which account you are signed in to ({e}), so the \
                             policy requiring MFA cannot be found: Ctrl-R reads it again."
                        ),
                    ));
                }
                Remote::Ready(_) => {}
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

    /// The creation requests for the current draft, one per user (see [`to_specs`]). Call only
    /// after [`App::check_draft`] passed.
    pub(crate) fn user_specs(&self) -> Vec<UserSpec> {
        let d = &self.draft;
        let eff = self.effective();
        let batch = Batch {
            names: d.names.iter().map(|n| n.value().to_string()).collect(),
            path: d.path.value().to_string(),
            tags: d
                .tags
                .iter()
                .map(|t| (t.key.value().to_string(), t.value.value().to_string()))
                .collect(),
            boundary: eff.boundary.map(|(b, _)| b),
            access_key: d.access_key,
            key_description: Some(d.key_description.value().trim().to_string())
                .filter(|s| !s.is_empty()),
            login: d.console_password.then(|| Login {
                password: match d.password_mode {
                    PasswordMode::Autogenerated => Password::Generate,
                    PasswordMode::Custom => Password::Custom(d.custom_password.value()),
                },
                require_reset: d.require_reset,
            }),
            groups: eff.groups.into_iter().map(|(g, _)| g).collect(),
            // What iamwiz adds by itself, to_specs adds again (at the end, as here).
            policies: (eff.policies.into_iter())
                .map(|(p, _)| p)
                .filter(|p| !eff.added.contains(p))
                .collect(),
            inline: eff.inline,
            require_mfa: self.require_mfa_arn(),
        };
        to_specs(&batch, &self.password_policy(), self.partition())
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
    if d.access_key {
        super::key_use::validate_description(d.key_description.value().trim())?;
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

    /// Whether creating the draft attaches `IAMUserChangePassword` ([`adds_change_password`]).
    pub fn adds_change_password(&self) -> bool {
        let d = &self.draft;
        adds_change_password(
            d.console_password && d.require_reset,
            &self.password_policy(),
        )
    }

    /// The admin's partition ([`partition_of`] their identity; `aws` until it is known).
    pub fn partition(&self) -> &str {
        self.catalog
            .identity
            .ready()
            .map_or("aws", |i| partition_of(&i.arn))
    }

    /// The ARN of `IAMUserChangePassword` in the admin's partition.
    pub fn change_password_arn(&self) -> String {
        change_password_arn(self.partition())
    }

    /// Whether the users must use MFA: chosen, with a console password.
    pub fn requires_mfa(&self) -> bool {
        self.draft.console_password && self.draft.require_mfa
    }

    /// The ARN of `iamwiz-require-mfa` in the admin's account, when [`App::requires_mfa`] and
    /// the account is known.
    pub fn require_mfa_arn(&self) -> Option<String> {
        let identity = self.catalog.identity.ready()?;
        self.requires_mfa()
            .then(|| require_mfa_arn(partition_of(&identity.arn), &identity.account))
    }
}

/// The partition an ARN is in (`aws`, `aws-cn`, `aws-us-gov`): its second field, or `aws` when
/// that is empty or missing.
pub fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// The ARN of `IAMUserChangePassword` in `partition`.
pub fn change_password_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{CHANGE_PASSWORD_POLICY}")
}

/// Whether creating users attaches `IAMUserChangePassword`, as the console does: they get a
/// console password they must change at first sign-in (`must_reset`), and the account's password
/// `policy` does not let users change their own (with no policy, only users with
/// `iam:ChangePassword` may).
pub fn adds_change_password(must_reset: bool, policy: &PasswordPolicy) -> bool {
    must_reset && !policy.allow_users_to_change_password
}

/// The managed policy iamwiz attaches by itself to users given `policies`: `IAMUserChangePassword`
/// in `partition` when [`adds_change_password`] and `policies` does not list it already.
pub fn added_policy<'p>(
    policies: impl IntoIterator<Item = &'p String>,
    must_reset: bool,
    policy: &PasswordPolicy,
    partition: &str,
) -> Option<String> {
    if !adds_change_password(must_reset, policy) {
        return None;
    }
    let arn = change_password_arn(partition);
    let mut policies = policies.into_iter();
    (!policies.any(|p| *p == arn)).then_some(arn)
}

/// What every user of one creation shares, from the wizard's draft or from a plan: the
/// permissions chosen or copied, before iamwiz adds its own ([`added_policy`]).
#[derive(Clone, Debug, Default)]
pub struct Batch<'a> {
    pub names: Vec<String>,
    pub path: String,
    pub tags: Vec<(String, String)>,
    /// ARN of the permissions boundary.
    pub boundary: Option<String>,
    pub access_key: bool,
    /// The access key's description (none when blank).
    pub key_description: Option<String>,
    pub login: Option<Login<'a>>,
    pub groups: Vec<String>,
    /// Managed policy ARNs.
    pub policies: Vec<String>,
    /// Inline policies, their documents as they are sent.
    pub inline: Vec<InlinePolicy>,
    /// The ARN of the policy that requires MFA (`iamwiz-require-mfa` of the account), when the
    /// users must use MFA; attached only with a console password.
    pub require_mfa: Option<String>,
}

/// A console password for every user of a [`Batch`].
#[derive(Clone, Debug)]
pub struct Login<'a> {
    pub password: Password<'a>,
    /// The users must choose a new password at first sign-in.
    pub require_reset: bool,
}

/// Where the console passwords come from.
#[derive(Clone)]
pub enum Password<'a> {
    /// Generated for each user to the account's password policy.
    Generate,
    /// The one the admin typed, for every user.
    Custom(&'a str),
}

impl std::fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Password::Generate => "Generate",
            Password::Custom(_) => "Custom(<redacted>)",
        })
    }
}

impl Batch<'_> {
    /// The managed policies each user gets: the batch's, then [`added_policy`], then the one
    /// that requires MFA (with a console password).
    pub fn policies(&self, policy: &PasswordPolicy, partition: &str) -> Vec<String> {
        let must_reset = self.login.as_ref().is_some_and(|l| l.require_reset);
        let mut policies = self.policies.clone();
        policies.extend(added_policy(&self.policies, must_reset, policy, partition));
        if let Some(arn) = self.require_mfa.as_ref().filter(|_| self.login.is_some())
            && !policies.contains(arn)
        {
            policies.push(arn.clone());
        }
        policies
    }
}

/// The creation requests for `batch`, one per user: console passwords generated to the
/// account's password `policy` (or the one typed), and `IAMUserChangePassword` (in `partition`)
/// added as [`Batch::policies`] says. The wizard ([`App::user_specs`]) and `iamwiz apply`
/// ([`crate::planfile::to_specs`]) both create users from these.
pub fn to_specs(batch: &Batch, policy: &PasswordPolicy, partition: &str) -> Vec<UserSpec> {
    let policies = batch.policies(policy, partition);
    batch
        .names
        .iter()
        .map(|name| UserSpec {
            name: name.clone(),
            path: batch.path.clone(),
            tags: batch.tags.clone(),
            boundary: batch.boundary.clone(),
            access_key: batch.access_key,
            key_description: batch.key_description.clone().filter(|_| batch.access_key),
            login: batch.login.as_ref().map(|l| LoginSpec {
                password: match l.password {
                    Password::Generate => PasswordSource::Generate { policy: *policy },
                    Password::Custom(p) => PasswordSource::Custom(Secret::new(p.to_string())),
                },
                require_reset: l.require_reset,
            }),
            groups: batch.groups.clone(),
            policies: policies.clone(),
            inline: batch.inline.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Identity;

    fn strict() -> PasswordPolicy {
        PasswordPolicy {
            allow_users_to_change_password: false,
            ..PasswordPolicy::aws_default()
        }
    }

    #[test]
    fn the_partition_is_the_arns_second_field_and_aws_when_there_is_none() {
        assert_eq!(
            partition_of("arn:aws-cn:iam::123456789012:user/a"),
            "aws-cn"
        );
        assert_eq!(
            partition_of("arn:aws-us-gov:sts::1:assumed-role/r/s"),
            "aws-us-gov"
        );
        assert_eq!(partition_of("arn::iam::1:user/a"), "aws");
        assert_eq!(partition_of(""), "aws");
        assert_eq!(
            change_password_arn("aws-cn"),
            "arn:aws-cn:iam::aws:policy/IAMUserChangePassword"
        );
    }

    #[test]
    fn change_password_is_added_once_and_only_when_users_cannot_change_their_own() {
        let listed = vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()];
        let arn = change_password_arn("aws");
        assert_eq!(
            added_policy(&listed, true, &strict(), "aws"),
            Some(arn.clone())
        );
        assert_eq!(added_policy(&listed, false, &strict(), "aws"), None);
        let allows = PasswordPolicy {
            allow_users_to_change_password: true,
            ..strict()
        };
        assert_eq!(added_policy(&listed, true, &allows, "aws"), None);
        assert_eq!(added_policy(&[arn], true, &strict(), "aws"), None);
    }

    /// The same plan, opened in the wizard and created there, or applied with `iamwiz apply`,
    /// gives the same creation requests (the wizard sends its inline document as typed, so the
    /// documents are compared as JSON).
    #[test]
    fn the_wizard_and_apply_make_the_same_requests_from_one_plan() {
        let plan = crate::planfile::load(
            r#"{"version": 1, "users": ["alice", "bob"], "path": "/eng/", "access_key": true,
                "console_password": {"require_reset": true}, "groups": ["devs"],
                "managed_policies": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
                "inline_policies": [{"name": "s3", "document": {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
                "permissions_boundary": "arn:aws-cn:iam::123456789012:policy/b",
                "tags": [{"key": "team", "value": "data"}]}"#,
        )
        .unwrap();
        let (mut app, _) = App::new((80, 24));
        app.draft = crate::planfile::to_draft(&plan);
        app.catalog.password_policy = Remote::Ready(strict());
        app.catalog.identity = Remote::Ready(Identity {
            account: "123456789012".into(),
            arn: "arn:aws-cn:iam::123456789012:user/admin".into(),
            region: "cn-north-1".into(),
        });
        let shown = |specs: Vec<UserSpec>| -> String {
            let specs: Vec<UserSpec> = specs
                .into_iter()
                .map(|mut s| {
                    for p in &mut s.inline {
                        let doc: serde_json::Value = serde_json::from_str(&p.document).unwrap();
                        p.document = doc.to_string();
                    }
                    s
                })
                .collect();
            format!("{specs:?}")
        };
        let wizard = shown(app.user_specs());
        assert!(
            wizard.contains("arn:aws-cn:iam::aws:policy/IAMUserChangePassword"),
            "{wizard}"
        );
        let applied = shown(crate::planfile::to_specs(
            &plan,
            &strict(),
            "aws-cn",
            "123456789012",
        ));
        assert_eq!(wizard, applied);
    }

    #[test]
    fn a_typed_password_goes_to_every_user_and_never_into_debug_output() {
        let batch = Batch {
            names: vec!["a".into(), "b".into()],
            login: Some(Login {
                password: Password::Custom("Sw0rdfish-Sw0rdfish"),
                require_reset: false,
            }),
            ..Batch::default()
        };
        assert!(!format!("{batch:?}").contains("Sw0rdfish"));
        let specs = to_specs(&batch, &strict(), "aws");
        for spec in &specs {
            match &spec.login {
                Some(LoginSpec {
                    password: PasswordSource::Custom(p),
                    require_reset: false,
                }) => assert_eq!(p.expose(), "Sw0rdfish-Sw0rdfish"),
                other => panic!("{other:?}"),
            }
            assert!(spec.policies.is_empty());
        }
    }
}
