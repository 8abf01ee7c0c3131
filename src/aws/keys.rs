//! The KMS calls of the encryption set-up: the new key (`CreateKey`), its alias, their removal
//! (`DeleteAlias`, `ScheduleKeyDeletion`), the search for keys that lost attempts of a retried
//! `CreateKey` made, whether an alias is taken, and the check that a key wraps and unwraps a data
//! key (`Encrypt`, `Decrypt`) as a MongoDB driver does.
//!
//! Calls that are not idempotent count their attempts ([`super::attempts`]): a retry that meets
//! its own lost attempt's work (an alias already made or already deleted, a key already pending
//! deletion) counts as done.

use std::ops::RangeInclusive;

use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::types::{KeyManagerType, KeyMetadata, KeySpec, KeyState, KeyUsageType, Tag};
use aws_smithy_types::Blob;
use aws_smithy_types::date_time::Format;
use futures::stream::StreamExt;
use zeroize::Zeroizing;

use super::attempts::Attempts;
use super::kms::{aliases_by_key, describe_keys, key_ids};
use super::{Clients, local_error, map_sdk_error};
use crate::protocol::{AwsError, StepKind};

/// The size of the data key the check wraps and unwraps: a MongoDB data encryption key.
const DATA_KEY_BYTES: usize = 96;

/// KMS in one region (a key lives in one region; the admin's may differ).
pub struct RegionKms {
    kms: aws_sdk_kms::Client,
    region: String,
}

/// A key `CreateKey` made.
pub struct CreatedKey {
    pub id: String,
    pub arn: String,
    /// When KMS made it, in seconds since the Unix epoch on KMS's clock.
    pub created: Option<i64>,
    /// Whether the SDK sent `CreateKey` more than once (an earlier attempt may have made a key
    /// too).
    pub retried: bool,
}

impl RegionKms {
    pub fn new(c: &Clients, region: &str) -> RegionKms {
        RegionKms {
            kms: c.kms_in(region),
            region: region.to_string(),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The ID of the key `alias/NAME` names, or `None` when the alias is free
    /// (`DescribeKey` answers `NotFoundException`).
    pub async fn alias_target(&self, alias: &str) -> Result<Option<String>, AwsError> {
        match self
            .kms
            .describe_key()
            .key_id(format!("alias/{alias}"))
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.key_metadata.map(|m| m.key_id).unwrap_or_default())),
            Err(e) if e.code() == Some("NotFoundException") => Ok(None),
            Err(e) => Err(map_sdk_error("kms:DescribeKey", e)),
        }
    }

    /// `CreateKey`: a symmetric encryption key with the account's default key policy (no
    /// `Policy` parameter), `description` and `tags`.
    pub async fn create_key(
        &self,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<CreatedKey, AwsError> {
        let op = StepKind::CreateKey.operation();
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| local_error(op, &e.to_string()))?;
        let attempts = Attempts::default();
        let out = self
            .kms
            .create_key()
            .key_spec(KeySpec::SymmetricDefault)
            .key_usage(KeyUsageType::EncryptDecrypt)
            .description(description)
            .set_tags((!tags.is_empty()).then_some(tags))
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error(op, e))?;
        let meta = out
            .key_metadata
            .ok_or_else(|| local_error(op, "the response carried no key"))?;
        Ok(CreatedKey {
            arn: meta.arn.unwrap_or_default(),
            id: meta.key_id,
            created: meta.creation_date.map(|d| d.secs()),
            retried: attempts.retried(),
        })
    }

    /// The keys of the region that look made by a lost attempt of this run's `CreateKey` (`kept`
    /// is the key its last attempt made): keys have no name to look them up by, so such a key
    /// has everything this run gave it and nothing anyone gave it since: the same `description`
    /// and `tags`, made within `made` (seconds since the epoch, on KMS's clock), customer
    /// managed, symmetric, `Enabled`, and without an alias. Only the keys without an alias are
    /// described, a few at a time. A key the admin may not describe is skipped; when none was
    /// found, the first such error says why the search was incomplete.
    pub async fn find_strays(
        &self,
        kept: &str,
        description: &str,
        tags: &[(String, String)],
        made: &RangeInclusive<i64>,
    ) -> Result<Vec<String>, AwsError> {
        let kms = &self.kms;
        let (ids, aliased) = tokio::try_join!(key_ids(kms), aliases_by_key(kms))?;
        let mut wanted: Vec<(&str, &str)> =
            tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        wanted.sort_unstable();
        let wanted = &wanted;
        let like_ours = |id: String, meta: Option<KeyMetadata>| async move {
            let like_ours = meta.is_some_and(|meta| {
                meta.description.as_deref() == Some(description)
                    && meta.key_manager == Some(KeyManagerType::Customer)
                    && meta.key_state == Some(KeyState::Enabled)
                    && meta
                        .key_spec
                        .as_ref()
                        .is_none_or(|s| *s == KeySpec::SymmetricDefault)
                    && meta.creation_date.is_some_and(|d| made.contains(&d.secs()))
            });
            if !like_ours {
                return Ok(None);
            }
            let listed = kms
                .list_resource_tags()
                .key_id(&id)
                .send()
                .await
                .map_err(|e| map_sdk_error("kms:ListResourceTags", e))?;
            let mut has: Vec<(&str, &str)> = listed
                .tags()
                .iter()
                .map(|t| (t.tag_key.as_str(), t.tag_value.as_str()))
                .collect();
            has.sort_unstable();
            Ok((has == *wanted && !listed.truncated).then_some(id))
        };
        let candidates = ids
            .into_iter()
            .filter(|id| id != kept && !aliased.contains_key(id));
        let described: Vec<Result<Option<String>, AwsError>> =
            describe_keys(kms, candidates, &like_ours).collect().await;
        let mut found = Vec::new();
        let mut first_error = None;
        for result in described {
            match result {
                Ok(Some(id)) => found.push(id),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if found.is_empty() => Err(e),
            _ => Ok(found),
        }
    }

    /// `CreateAlias`: `alias/NAME` for `key_id`. A retry that meets the alias made counts as
    /// done if the alias names this key.
    pub async fn create_alias(&self, alias: &str, key_id: &str) -> Result<(), AwsError> {
        let op = "kms:CreateAlias";
        let name = format!("alias/{alias}");
        let attempts = Attempts::default();
        let sent = self
            .kms
            .create_alias()
            .alias_name(&name)
            .target_key_id(key_id)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            // A retry after an attempt whose answer was lost: that attempt made the alias if it
            // names this run's key.
            Err(e) if attempts.retried() && e.code() == Some("AlreadyExistsException") => {
                let ours = self
                    .kms
                    .list_aliases()
                    .key_id(key_id)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("kms:ListAliases", e))?
                    .aliases
                    .unwrap_or_default()
                    .iter()
                    .any(|a| a.alias_name.as_deref() == Some(name.as_str()));
                if ours {
                    Ok(())
                } else {
                    Err(map_sdk_error(op, e))
                }
            }
            Err(e) => Err(map_sdk_error(op, e)),
        }
    }

    /// `DeleteAlias`: `alias/NAME`. A retry that finds it gone counts as done.
    pub async fn delete_alias(&self, alias: &str) -> Result<(), AwsError> {
        let attempts = Attempts::default();
        match self
            .kms
            .delete_alias()
            .alias_name(format!("alias/{alias}"))
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // The lost attempt of this very call deleted it.
            Err(e) if attempts.retried() && e.code() == Some("NotFoundException") => Ok(()),
            Err(e) => Err(map_sdk_error("kms:DeleteAlias", e)),
        }
    }

    /// `ScheduleKeyDeletion` of `id` after `days`: when KMS will delete it (ISO 8601, UTC), if
    /// it said. A retry that meets the key already pending deletion counts as done.
    pub async fn schedule_deletion(&self, id: &str, days: i32) -> Result<Option<String>, AwsError> {
        let op = "kms:ScheduleKeyDeletion";
        let attempts = Attempts::default();
        let date = match self
            .kms
            .schedule_key_deletion()
            .key_id(id)
            .pending_window_in_days(days)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
        {
            Ok(out) => out.deletion_date,
            // KMS refuses to schedule a key that is already pending deletion: after a lost
            // attempt, the retry meets the deletion that attempt scheduled.
            Err(e) if attempts.retried() && e.code() == Some("KMSInvalidStateException") => {
                match self.kms.describe_key().key_id(id).send().await {
                    Ok(out)
                        if out.key_metadata.as_ref().and_then(|m| m.key_state.as_ref())
                            == Some(&KeyState::PendingDeletion) =>
                    {
                        out.key_metadata.and_then(|m| m.deletion_date)
                    }
                    _ => return Err(map_sdk_error(op, e)),
                }
            }
            Err(e) => return Err(map_sdk_error(op, e)),
        };
        Ok(date.and_then(|d| d.fmt(Format::DateTime).ok()))
    }
}

/// One `Encrypt` of a random data key with `key_arn` and `Decrypt` of its ciphertext, both
/// naming the key, signed as `c`'s identity: the plaintext must come back as it was.
pub async fn round_trip(c: &Clients, key_arn: &str) -> Result<(), AwsError> {
    let kms = &c.kms;
    let mut data_key = Zeroizing::new([0u8; DATA_KEY_BYTES]);
    getrandom::fill(data_key.as_mut_slice())
        .map_err(|e| local_error("kms:Encrypt", &format!("no OS random source: {e}")))?;
    let encrypted = kms
        .encrypt()
        .key_id(key_arn)
        .plaintext(Blob::new(data_key.to_vec()))
        .send()
        .await
        .map_err(|e| map_sdk_error("kms:Encrypt", e))?;
    let ciphertext = encrypted
        .ciphertext_blob
        .ok_or_else(|| local_error("kms:Encrypt", "the response carried no ciphertext"))?;
    let decrypted = kms
        .decrypt()
        .key_id(key_arn)
        .ciphertext_blob(ciphertext)
        .send()
        .await
        .map_err(|e| map_sdk_error("kms:Decrypt", e))?;
    let plaintext = Zeroizing::new(
        decrypted
            .plaintext
            .map(Blob::into_inner)
            .unwrap_or_default(),
    );
    if plaintext.as_slice() != data_key.as_slice() {
        return Err(AwsError {
            operation: "kms:Decrypt".to_string(),
            code: "PlaintextMismatch".to_string(),
            message: format!(
                "Decrypt gave back {} bytes that differ from the {DATA_KEY_BYTES} encrypted",
                plaintext.len()
            ),
            hint: "KMS did not give back the data key it wrapped. Check that the endpoint in use \
                   is AWS KMS (or a faithful emulator), then retry."
                .to_string(),
        });
    }
    Ok(())
}
