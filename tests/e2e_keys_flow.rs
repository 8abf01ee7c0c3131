//! `iamwiz keys USER` end to end: the real binary in a pseudo-terminal, driven by keystrokes,
//! against moto. Each change the admin confirms is read back through the SDK, independently of
//! iamwiz.

use crate::common;

use common::pty::{Wizard, keys};
use common::{admin, unique};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// `user`'s keys as IAM has them: (ID, status), sorted by ID.
async fn states(user: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = admin()
        .await
        .iam
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
    v.sort();
    v
}

/// A user with two keys: the admin deactivates the first and deletes the second, each after
/// its confirmation; IAM is left with the first key, inactive.
#[test]
fn deactivate_one_key_and_delete_the_other_in_the_terminal() {
    let rt = runtime();
    let user = unique("e2ekf");
    let ids: Vec<String> = rt.block_on(async {
        let iam = admin().await.iam;
        iam.create_user().user_name(&user).send().await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let k = iam
                .create_access_key()
                .user_name(&user)
                .send()
                .await
                .unwrap();
            ids.push(k.access_key.unwrap().access_key_id);
        }
        ids
    });
    let mut w = Wizard::spawn_with(80, 24, &["keys", &user]);
    let list = w.wait_for("of 2 access keys");
    for id in &ids {
        assert!(list.contains(id.as_str()), "{id} is listed:\n{list}");
    }
    // The cursor starts on the key listed first.
    let mut order = ids.clone();
    order.sort_by_key(|id| list.find(id.as_str()));
    let (first, second) = (order[0].clone(), order[1].clone());

    w.send("d");
    w.wait_for(&format!("Deactivate {first}?"));
    w.send("y");
    w.wait_for(&format!("{first} deactivated."));
    assert_eq!(rt.block_on(states(&user)), {
        let mut v = vec![
            (first.clone(), "Inactive".to_string()),
            (second.clone(), "Active".to_string()),
        ];
        v.sort();
        v
    });

    w.send(keys::DOWN);
    w.send("x");
    let confirm = w.wait_for(&format!("Delete {second}?"));
    assert!(
        confirm.contains("never used"),
        "the confirmation shows its last use:\n{confirm}"
    );
    w.send("y");
    w.wait_for(&format!("{second} deleted."));
    assert_eq!(
        rt.block_on(states(&user)),
        vec![(first.clone(), "Inactive".to_string())]
    );

    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
}
