//! What the pure core and the AWS worker say to each other.
//!
//! [`Request`]s go from `update` to the worker; [`Event`]s come back carrying their results. Every
//! request that the admin can make stale (by going back or typing again) carries a sequence number,
//! and `update` drops replies whose number is no longer the latest.

// The domain types the messages carry live in `model`; they are re-exported here for the modules
// that speak the protocol.
pub use crate::model::*;

/// Commands for the worker.
// A handful are sent per session, one at a time: boxing the encryption spec would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Request {
    LoadIdentity,
    LoadGroups {
        seq: u64,
    },
    LoadUsers {
        seq: u64,
    },
    LoadPolicies {
        seq: u64,
    },
    LoadUserPermissions {
        seq: u64,
        user: String,
    },
    /// The default version of a managed policy, for the picker's preview.
    LoadPolicyDocument {
        seq: u64,
        arn: String,
    },
    /// The account's password policy (`GetAccountPasswordPolicy`).
    LoadPasswordPolicy,
    /// The account alias, for the console sign-in URL (`ListAccountAliases`).
    LoadAccountAlias,
    /// Whether the account has an IAM Identity Center instance (`sso:ListInstances`), for the
    /// Access step's advice; asked once per run.
    LoadIdentityCenter,
    /// Whether an entity of this kind and name exists (`GetUser`, `GetRole` or
    /// `GetInstanceProfile`).
    CheckName {
        seq: u64,
        kind: NameKind,
        name: String,
    },
    /// Create a batch of users: all of them, or (after a rollback) none.
    Create {
        run: u64,
        specs: Vec<UserSpec>,
    },
    /// Create a group with managed policies attached (`CreateGroup`, then `AttachGroupPolicy`
    /// for each, concurrently); if an attach fails, the group is removed again.
    CreateGroup {
        seq: u64,
        name: String,
        path: String,
        /// ARNs of managed policies to attach.
        policies: Vec<String>,
    },
    /// The KMS keys of a region, for the key picker.
    LoadKmsKeys {
        seq: u64,
        region: String,
    },
    /// Create the encryption service account (and its key): all of it, or (after a rollback)
    /// none. Steps are reported as [`Event::Step`] with `user` indexing [`EncryptionSpec::plan`].
    CreateEncryption {
        run: u64,
        spec: EncryptionSpec,
    },
    /// Stop proving the new access keys of creation run `run` (the credentials screen was left):
    /// the proof holds the secret only while the screen does.
    EndProof {
        run: u64,
    },
    /// Delete users made in this run whose secrets nobody can have (the wizard is ending on a
    /// signal before any was shown, copied or saved): for each, everything attached to it as IAM
    /// lists it, in the order IAM requires, then the user; then `key`, a KMS key the same run
    /// made for them, as a failed encryption run's rollback removes it; and the require-MFA
    /// policy, when the run that made the users made it and nothing else has it attached. Like
    /// a creation, it finishes on quit.
    /// With `access_key` (a rotation's new key), only that key and its description go: the
    /// user and their other keys stay.
    Discard {
        run: u64,
        users: Vec<String>,
        key: Option<DiscardKey>,
        access_key: Option<crate::model::keys::KeyRef>,
    },
    /// A user's access keys with their last use and description (`ListAccessKeys`,
    /// `GetAccessKeyLastUsed`, `ListUserTags`), for the keys flow.
    LoadAccessKeys {
        seq: u64,
        user: String,
    },
    /// Activate, deactivate (`UpdateAccessKey`) or delete (`DeleteAccessKey`, then the console's
    /// description tag) one access key of `user`. Like a creation, it finishes on quit.
    ChangeAccessKey {
        seq: u64,
        user: String,
        id: String,
        change: KeyChange,
    },
    /// Rotate `user`'s access key: delete `replace` first (the user has IAM's 2 keys), then
    /// `CreateAccessKey`, and store `description` on the new key the console's way. The new key
    /// is then proven in the background (`sts:GetCallerIdentity` signed with it), reported as
    /// [`Event::KeyProof`] under `run` until [`Request::EndProof`]. Finishes on quit.
    RotateAccessKey {
        run: u64,
        user: String,
        replace: Option<String>,
        /// The key the new one takes over from, whose profile the reveal offers to replace.
        old: Option<String>,
        description: Option<String>,
    },
    /// A user's MFA devices (`ListMFADevices`), for the MFA flow.
    LoadMfaDevices {
        seq: u64,
        user: String,
    },
    /// Create a virtual MFA device named after `user` (`CreateVirtualMFADevice`, with the run's
    /// mark). Finishes on quit, like a creation.
    CreateMfaDevice {
        run: u64,
        user: String,
    },
    /// Enable `serial` for `user` with two consecutive codes (`EnableMFADevice`), checked
    /// against `seed` first: a pair that fails the check is never sent. Finishes on quit.
    EnableMfaDevice {
        run: u64,
        user: String,
        serial: String,
        /// Redacted in `Debug`.
        seed: crate::model::totp::TotpSeed,
        /// Redacted in `Debug` too: the log never holds a code.
        codes: [crate::secret::Secret; 2],
    },
    /// Deactivate (`DeactivateMFADevice`) and/or delete (`DeleteVirtualMFADevice`) the device
    /// `serial` of `user`. Finishes on quit.
    ChangeMfaDevice {
        seq: u64,
        user: String,
        serial: String,
        change: MfaChange,
    },
}

/// What the keys flow does to one access key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyChange {
    Activate,
    Deactivate,
    Delete,
}

impl KeyChange {
    /// The verb, as the confirmation and the notices say it.
    pub fn verb(self) -> &'static str {
        match self {
            KeyChange::Activate => "activate",
            KeyChange::Deactivate => "deactivate",
            KeyChange::Delete => "delete",
        }
    }

    /// The past participle, for the notice once done.
    pub fn done(self) -> &'static str {
        match self {
            KeyChange::Activate => "activated",
            KeyChange::Deactivate => "deactivated",
            KeyChange::Delete => "deleted",
        }
    }
}

/// What the MFA flow does to one device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaChange {
    /// Take the device off its user (`DeactivateMFADevice`).
    Deactivate,
    /// Delete a virtual device that no user has (`DeleteVirtualMFADevice`).
    Delete,
    /// A new device that was never enabled goes again (`DeleteVirtualMFADevice`).
    Discard,
}

impl MfaChange {
    /// The verb, as the confirmation and the notices say it.
    pub fn verb(self) -> &'static str {
        match self {
            MfaChange::Deactivate => "deactivate",
            MfaChange::Delete | MfaChange::Discard => "delete",
        }
    }

    /// The past participle, for the notice once done.
    pub fn done(self) -> &'static str {
        match self {
            MfaChange::Deactivate => "deactivated",
            MfaChange::Delete | MfaChange::Discard => "deleted",
        }
    }
}

/// What the worker reports back.
#[derive(Debug)]
pub enum Event {
    Identity(Result<Identity, AwsError>),
    Groups {
        seq: u64,
        result: Result<Vec<GroupInfo>, AwsError>,
    },
    Users {
        seq: u64,
        result: Result<Vec<UserInfo>, AwsError>,
    },
    Policies {
        seq: u64,
        result: Result<Vec<PolicyInfo>, AwsError>,
    },
    /// The catalogue saved on disk by an earlier run for the same profile and endpoint, sent
    /// before the live [`Event::Policies`] answer to the same request (which may still fail).
    CachedPolicies {
        seq: u64,
        /// The account it was read from.
        account: String,
        /// When it was read, in seconds since the Unix epoch.
        saved_at: u64,
        /// How old it was when the worker read it back, in seconds.
        age_secs: u64,
        policies: Vec<PolicyInfo>,
    },
    UserPermissions {
        seq: u64,
        user: String,
        result: Result<UserPermissions, AwsError>,
    },
    PolicyDocument {
        seq: u64,
        arn: String,
        result: Result<PolicyDocument, AwsError>,
    },
    /// The account's password policy; [`PasswordPolicy::aws_default`] when none is set.
    PasswordPolicy(Result<PasswordPolicy, AwsError>),
    /// The account alias, if the account has one.
    AccountAlias(Result<Option<String>, AwsError>),
    /// The reply to [`Request::LoadIdentityCenter`]: whether to recommend IAM Identity Center
    /// (false on any error, which the worker logs).
    IdentityCenter(bool),
    /// `Ok(Some(name))`: an entity of that kind exists under that name (as IAM spells it);
    /// `Ok(None)`: free.
    NameCheck {
        seq: u64,
        kind: NameKind,
        name: String,
        result: Result<Option<String>, AwsError>,
    },
    /// Step `index` of the plan of user `user` (both positions in the request).
    Step {
        run: u64,
        user: usize,
        index: usize,
        status: StepStatus,
    },
    /// Creation run `run` made the customer managed policy `arn` (the one that requires MFA;
    /// there was none): it is the run's own, removed after its users when they are discarded,
    /// and named among what is left when `iamwiz apply` stops waiting.
    PolicyCreated {
        run: u64,
        arn: String,
    },
    Finished {
        run: u64,
        result: CreationResult,
    },
    /// After [`Event::Finished`]: how the proof of user `user`'s new access key stands (sent
    /// while it waits, then once with the outcome).
    KeyProof {
        run: u64,
        user: String,
        proof: KeyProof,
    },
    /// The reply to [`Request::CreateGroup`]: the new group, or why it was not made (nothing of
    /// it is left unless the error says so).
    GroupCreated {
        seq: u64,
        result: Result<GroupInfo, AwsError>,
    },
    KmsKeys {
        seq: u64,
        region: String,
        result: Result<Vec<KmsKey>, AwsError>,
    },
    /// The check with the new credentials is still failing and will be tried again: how long it
    /// has waited so far, and the last error.
    VerifyWaiting {
        run: u64,
        attempt: u32,
        waited_secs: u64,
        error: AwsError,
    },
    EncryptionFinished {
        run: u64,
        result: EncryptionResult,
    },
    /// AWS throttled a service's requests (or stopped): the rate iamwiz now keeps to for it.
    Rate {
        service: &'static str,
        status: crate::model::rate::RateStatus,
    },
    /// The reply to [`Request::Discard`]: one entry per user, in the order of the request, then
    /// one per require-MFA policy the same run made for them (named by its ARN, deleted once no
    /// one has it attached), and what became of the key, when one was asked.
    Discarded {
        run: u64,
        users: Vec<DiscardedUser>,
        key: Option<DiscardedKey>,
    },
    /// The reply to [`Request::LoadAccessKeys`]; `now` is when they were read (seconds since the
    /// Unix epoch), for their ages.
    AccessKeys {
        seq: u64,
        user: String,
        now: i64,
        result: Result<Vec<crate::model::keys::AccessKeyInfo>, AwsError>,
    },
    /// The reply to [`Request::ChangeAccessKey`].
    AccessKeyChanged {
        seq: u64,
        user: String,
        id: String,
        change: KeyChange,
        result: Result<(), AwsError>,
    },
    /// The reply to [`Request::RotateAccessKey`]: the new key, or why none was made.
    AccessKeyRotated {
        run: u64,
        user: String,
        result: Result<crate::model::keys::Rotated, crate::model::keys::RotateFailure>,
    },
    /// The reply to [`Request::LoadMfaDevices`].
    MfaDevices {
        seq: u64,
        user: String,
        result: Result<crate::model::mfa::UserDevices, AwsError>,
    },
    /// The reply to [`Request::CreateMfaDevice`]: the new device and its seed (a secret).
    MfaDeviceCreated {
        run: u64,
        user: String,
        result: Result<crate::model::mfa::NewVirtualDevice, AwsError>,
    },
    /// The reply to [`Request::EnableMfaDevice`].
    MfaDeviceEnabled {
        run: u64,
        user: String,
        serial: String,
        result: Result<(), crate::model::mfa::EnableError>,
    },
    /// The reply to [`Request::ChangeMfaDevice`].
    MfaDeviceChanged {
        seq: u64,
        user: String,
        serial: String,
        change: MfaChange,
        result: Result<(), AwsError>,
    },
}
