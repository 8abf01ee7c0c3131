//! A user's access keys and tags in moto, made and read back through the SDK for the tests of
//! `iamwiz keys` (the command, the flow, the rotation and its faults).

use super::{admin, unique};

/// A new user with `n` access keys: its name and each key's (ID, secret), oldest first.
pub async fn user_with_keys(prefix: &str, n: usize) -> (String, Vec<(String, String)>) {
    let iam = admin().await.iam;
    let user = unique(prefix);
    iam.create_user().user_name(&user).send().await.unwrap();
    let mut made = Vec::new();
    for _ in 0..n {
        let k = iam
            .create_access_key()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        made.push((k.access_key_id, k.secret_access_key));
    }
    (user, made)
}

/// `user`'s keys as IAM has them: (ID, status), sorted by ID.
pub async fn key_states(user: &str) -> Vec<(String, String)> {
    let iam = admin().await.iam;
    let mut keys: Vec<(String, String)> = iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key_metadata
        .into_iter()
        .map(|k| {
            (
                k.access_key_id.unwrap(),
                k.status.unwrap().as_str().to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// `keys` as (ID, status) pairs, sorted by ID, to compare with [`key_states`].
pub fn states(keys: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = keys
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect();
    v.sort();
    v
}

/// `user`'s tags, as (key, value), sorted.
pub async fn user_tags(user: &str) -> Vec<(String, String)> {
    let iam = admin().await.iam;
    let mut tags: Vec<(String, String)> = iam
        .list_user_tags()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    tags.sort();
    tags
}

/// Gives `user`'s key `id` the description `text`, the console's way (a user tag named after
/// the key).
pub async fn describe_key(user: &str, id: &str, text: &str) {
    admin()
        .await
        .iam
        .tag_user()
        .user_name(user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key(id)
                .value(text)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}
