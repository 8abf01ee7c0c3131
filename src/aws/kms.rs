//! The KMS reads the key picker needs: every key of a region with its aliases, description and
//! state.

use std::collections::HashMap;

use aws_sdk_kms::types::KeyMetadata;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use super::{Clients, map_sdk_error};
use crate::protocol::{AwsError, KmsKey};

/// How many `DescribeKey` calls run at once (KMS's request quota is shared by the whole account).
const DESCRIBE_CONCURRENCY: usize = 8;

/// The KMS keys of `region`: `ListKeys`, then `DescribeKey` for each (a few at a time), with
/// their aliases from `ListAliases`. Keys that can be the master key come first, then the others
/// (each with its [`KmsKey::refusal`]); within each, by [`KmsKey::display_name`].
pub async fn list_keys(c: &Clients, region: &str) -> Result<Vec<KmsKey>, AwsError> {
    let kms = c.kms_in(region);
    let (ids, mut aliases) = tokio::try_join!(key_ids(&kms), aliases_by_key(&kms))?;
    let to_key = |id: String, meta: Option<KeyMetadata>| async move {
        let meta = meta.ok_or_else(|| AwsError {
            operation: "kms:DescribeKey".to_string(),
            code: "InvalidResponse".to_string(),
            message: format!("no key metadata for key {id}"),
            hint: "Retry; if it persists, check the key in the KMS console.".to_string(),
        })?;
        Ok::<KmsKey, AwsError>(KmsKey {
            arn: meta.arn.clone().unwrap_or_default(),
            aliases: Vec::new(),
            description: meta.description.clone().unwrap_or_default(),
            state: meta
                .key_state
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            // Absent only where CreateKey's defaults were not filled in (moto leaves
            // KeyUsage out for a key created without one); those defaults apply.
            spec: meta
                .key_spec
                .as_ref()
                .map_or("SYMMETRIC_DEFAULT", |s| s.as_str())
                .to_string(),
            usage: meta
                .key_usage
                .as_ref()
                .map_or("ENCRYPT_DECRYPT", |u| u.as_str())
                .to_string(),
            manager: meta
                .key_manager
                .as_ref()
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            id: meta.key_id,
        })
    };
    let mut keys: Vec<KmsKey> = describe_keys(&kms, ids, &to_key).try_collect().await?;
    for key in &mut keys {
        if let Some(mut names) = aliases.remove(&key.id) {
            names.sort();
            key.aliases = names;
        }
    }
    keys.sort_by(|a, b| {
        (a.refusal().is_some(), a.display_name(), &a.id).cmp(&(
            b.refusal().is_some(),
            b.display_name(),
            &b.id,
        ))
    });
    Ok(keys)
}

/// `DescribeKey` for each of `ids`, [`DESCRIBE_CONCURRENCY`] at a time, each answer (the key's
/// metadata, if KMS gave any) passed with its ID to `then`; the results in the order they are
/// done. A failed `DescribeKey` is that key's result.
pub fn describe_keys<'a, T, F, Fut>(
    kms: &'a aws_sdk_kms::Client,
    ids: impl IntoIterator<Item = String> + 'a,
    then: &'a F,
) -> impl Stream<Item = Result<T, AwsError>> + 'a
where
    F: Fn(String, Option<KeyMetadata>) -> Fut,
    Fut: Future<Output = Result<T, AwsError>> + 'a,
{
    stream::iter(ids)
        .map(move |id| async move {
            let meta = kms
                .describe_key()
                .key_id(&id)
                .send()
                .await
                .map_err(|e| map_sdk_error("kms:DescribeKey", e))?
                .key_metadata;
            then(id, meta).await
        })
        .buffer_unordered(DESCRIBE_CONCURRENCY)
}

/// Every key ID of the region (`ListKeys`, all pages).
pub async fn key_ids(kms: &aws_sdk_kms::Client) -> Result<Vec<String>, AwsError> {
    let mut ids = Vec::new();
    let mut marker = None;
    loop {
        let out = kms
            .list_keys()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| map_sdk_error("kms:ListKeys", e))?;
        ids.extend(
            out.keys
                .unwrap_or_default()
                .into_iter()
                .filter_map(|k| k.key_id),
        );
        match out.next_marker.filter(|_| out.truncated) {
            Some(next) => marker = Some(next),
            None => return Ok(ids),
        }
    }
}

/// The alias names (with their `alias/` prefix) of each key ID (`ListAliases`, all pages).
pub async fn aliases_by_key(
    kms: &aws_sdk_kms::Client,
) -> Result<HashMap<String, Vec<String>>, AwsError> {
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    let mut marker = None;
    loop {
        let out = kms
            .list_aliases()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| map_sdk_error("kms:ListAliases", e))?;
        for alias in out.aliases.unwrap_or_default() {
            if let (Some(name), Some(key)) = (alias.alias_name, alias.target_key_id) {
                by_key.entry(key).or_default().push(name);
            }
        }
        match out.next_marker.filter(|_| out.truncated) {
            Some(next) => marker = Some(next),
            None => return Ok(by_key),
        }
    }
}
