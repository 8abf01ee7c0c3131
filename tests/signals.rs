//! Ending by a signal: SIGTERM (a service manager, `kill`) and SIGHUP (the SSH connection
//! dropped). The real binary in a pseudo-terminal: whatever screen it is on, it restores the
//! terminal, clears a secret it put on the clipboard, and exits with 128 + the signal number.

mod common;

use base64::Engine;
use common::pty::{Wizard, keys};

/// Where the program last switched the alternate screen: it must have left it.
fn left_alternate_screen(output: &[u8]) -> bool {
    let text = String::from_utf8_lossy(output);
    match (text.rfind("\x1b[?1049h"), text.rfind("\x1b[?1049l")) {
        (Some(entered), Some(left)) => left > entered,
        _ => false,
    }
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    let mut w = Wizard::spawn(80, 24);
    w.wait_for("Step 1 of 6");
    w.send("half-typed");
    w.wait_for("half-typed");
    w.signal("TERM");
    assert_eq!(w.wait_for_exit(), 143, "128 + SIGTERM");
    let output = w.wait_for_output_end();
    assert!(left_alternate_screen(&output), "the terminal was restored");
}

#[test]
fn sighup_on_the_credentials_screen_clears_the_copied_secret() {
    let name = common::unique("hup");
    let mut w = Wizard::spawn(80, 24);
    w.wait_for("Step 1 of 6");
    w.send(&name);
    w.wait_for(&name);
    for step in [
        "Step 2 of 6",
        "Step 3 of 6",
        "Step 4 of 6",
        "Step 5 of 6",
        "Step 6 of 6",
    ] {
        w.send(keys::ENTER);
        w.wait_for(step);
    }
    w.send(keys::ENTER);
    w.wait_for("This is the only time");
    // No display in the pty: the secret goes to the terminal with OSC 52.
    w.send(keys::DOWN);
    w.send(keys::DOWN);
    w.send("c");
    w.wait_for("terminal (OSC 52), cleared in");
    w.signal("HUP");
    assert_eq!(w.wait_for_exit(), 129, "128 + SIGHUP");
    let output = w.wait_for_output_end();
    let text = String::from_utf8_lossy(&output);
    let set = text
        .find("\x1b]52;c;")
        .expect("the secret was sent with OSC 52");
    let payload_end = set + text[set..].find('\x07').expect("the OSC 52 sequence ends");
    let payload = &text[set + "\x1b]52;c;".len()..payload_end];
    let secret = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("OSC 52 carries base64");
    assert_eq!(secret.len(), 40, "a secret access key was copied");
    assert!(
        text[payload_end..].contains("\x1b]52;c;\x07"),
        "the empty OSC 52 that clears it followed before exit"
    );
    assert!(left_alternate_screen(&output), "the terminal was restored");
}
