//! `iamwiz mfa USER` end to end: the real binary in a pseudo-terminal against moto. The admin
//! enrols a virtual MFA device: the seed is read off the screen (after `s`), two codes are
//! computed from it as an authenticator app would, typed in, and IAM then lists the device as
//! the user's, read back through the SDK. A second run is cancelled with Esc and leaves no
//! device.

use crate::common;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::mfa_flow::worker::{new_user, virtual_serials};
use common::admin;
use common::pty::{Wizard, keys};
use iamwiz::model::totp::{DIGITS, STEP_SECONDS, TotpSeed};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The serial numbers of `user`'s MFA devices as IAM lists them.
async fn assigned(user: &str) -> Vec<String> {
    admin()
        .await
        .iam
        .list_mfa_devices()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .mfa_devices
        .into_iter()
        .map(|d| d.serial_number)
        .collect()
}

/// The Base32 seed as the screen shows it: lines of four groups of four characters.
fn seed_on(screen: &str) -> String {
    let mut seed = String::new();
    for line in screen.lines() {
        let groups: Vec<&str> = line
            .split(|c: char| !(c.is_ascii_uppercase() || ('2'..='7').contains(&c) || c == ' '))
            .flat_map(str::split_whitespace)
            .filter(|w| {
                w.len() == 4
                    && w.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
            .collect();
        if groups.len() >= 2 {
            seed.push_str(&groups.concat());
        }
    }
    seed
}

/// A runtime for the SDK calls, and a new user with no MFA device.
fn user_with_nothing() -> (tokio::runtime::Runtime, String) {
    let rt = runtime();
    let user = rt.block_on(new_user());
    (rt, user)
}

#[test]
fn enrol_a_virtual_device_with_the_seed_read_off_the_screen() {
    let (rt, user) = user_with_nothing();
    let mut w = Wizard::spawn_with(100, 40, &["mfa", &user]);
    w.wait_for("no MFA device: n enrols a virtual one");
    w.send("n");
    let screen = w.wait_for("type two consecutive codes");
    assert!(
        screen.contains('█'),
        "the QR code is drawn at 100x40:\n{screen}"
    );
    assert!(screen.contains("(s shows it)"), "{screen}");
    w.send("s");
    let screen = w.wait_for("Seed (s hides it)");
    let seed = seed_on(&screen);
    let seed = TotpSeed::from_base32(&seed)
        .unwrap_or_else(|e| panic!("a seed on screen ({e}):\n{screen}"));
    let mut now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Codes typed just before a step ends may be checked after it: wait for the next one.
    if now % STEP_SECONDS > STEP_SECONDS - 5 {
        std::thread::sleep(std::time::Duration::from_secs(6));
        now += 6;
    }
    let step = now / STEP_SECONDS;
    w.send(&seed.code_for_step(step - 1, DIGITS));
    w.send(&seed.code_for_step(step, DIGITS));
    w.send(keys::ENTER);
    // IAM's answer, or the check's refusal (which names what was wrong).
    let screen = w.wait_until("the device enabled, or why not", |s| {
        s.contains("MFA enabled for") || s.contains("Nothing was sent") || s.contains("Could not")
    });
    let serial = format!("arn:aws:iam::123456789012:mfa/{user}");
    assert!(
        screen.contains(&format!("MFA enabled for {user} ({serial})")),
        "{screen}"
    );
    assert_eq!(rt.block_on(assigned(&user)), vec![serial.clone()]);
    // Quitting now deletes nothing.
    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
    assert_eq!(rt.block_on(assigned(&user)), vec![serial]);
}

#[test]
fn esc_on_the_enrolment_leaves_no_device() {
    let (rt, user) = user_with_nothing();
    let mut w = Wizard::spawn_with(100, 40, &["mfa", &user]);
    w.wait_for("no MFA device: n enrols a virtual one");
    w.send("n");
    w.wait_for("type two consecutive codes");
    let serial = format!("arn:aws:iam::123456789012:mfa/{user}");
    assert!(rt.block_on(virtual_serials()).contains(&serial));
    w.send("\x1b");
    w.wait_for("deleted again");
    assert!(!rt.block_on(virtual_serials()).contains(&serial));
    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
}

/// Quitting (Ctrl-C, then y) or a signal on the enrolment: the device never enabled is deleted
/// before the process ends.
#[test]
fn quitting_or_a_signal_on_the_enrolment_leaves_no_device() {
    for how in ["quit", "TERM"] {
        let (rt, user) = user_with_nothing();
        let mut w = Wizard::spawn_with(100, 40, &["mfa", &user]);
        w.wait_for("no MFA device: n enrols a virtual one");
        w.send("n");
        w.wait_for("type two consecutive codes");
        let serial = format!("arn:aws:iam::123456789012:mfa/{user}");
        assert!(rt.block_on(virtual_serials()).contains(&serial));
        if how == "quit" {
            w.send(keys::CTRL_C);
            w.wait_for("Quit iamwiz?");
            w.send("y");
            w.wait_for_exit_success();
        } else {
            w.signal(how);
            assert_eq!(w.wait_for_exit(), 128 + 15, "{}", w.screen());
        }
        assert!(
            !rt.block_on(virtual_serials()).contains(&serial),
            "{how}: the device never enabled is gone"
        );
    }
}
