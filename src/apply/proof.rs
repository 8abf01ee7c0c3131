//! After `iamwiz apply` wrote the secrets: each new access key is proven with
//! `sts:GetCallerIdentity` signed with it (the proof the credentials screen shows), all at once,
//! one line per user on stderr as each wait and outcome comes. A key that does not work is not
//! deleted (its secret is in the exports): the line says so and what to do. `--no-proof` skips
//! it.

use futures::future::join_all;

use crate::aws::Clients;
use crate::eprintln_clean as eprintln;
use crate::protocol::{CreatedUser, KeyProof};
use crate::worker::create::{PROOF_LIMIT, prove_key};

/// Proves the access key of every user of `users` that has one: each user's name, key ID and
/// proof.
pub async fn prove_keys(c: &Clients, users: &[CreatedUser]) -> Vec<(String, String, KeyProof)> {
    let mut signers = Vec::new();
    for u in users {
        if let Some(key) = &u.access_key {
            signers.push((
                &u.name,
                &u.arn,
                &key.id,
                c.connect_as_key(key, &c.region).await,
            ));
        }
    }
    if signers.is_empty() {
        return Vec::new();
    }
    eprintln!(
        "Proving the new access key{} (sts:GetCallerIdentity, up to {} s)…",
        if signers.len() == 1 { "" } else { "s" },
        PROOF_LIMIT.as_secs()
    );
    join_all(signers.iter().map(|(name, arn, id, as_key)| async move {
        let show = |p: &KeyProof| eprintln!("  {name}'s access key: {}", p.line());
        let proof = prove_key(as_key, arn, PROOF_LIMIT, &|p| show(&p)).await;
        show(&proof);
        (name.to_string(), id.to_string(), proof)
    }))
    .await
}
