//! Text from an endpoint that carries terminal control sequences (OSC 52, a window title, a C1
//! CSI, a bidi override) in an AWS error never reaches the admin's terminal or the log with them:
//! the real binary in a pseudo-terminal, behind a proxy that answers such errors
//! (`common::proxy::hostile`). `iamwiz apply`'s stderr is checked in tests/apply.rs.

use crate::common;

use common::proxy;
use common::pty::{Wizard, keys};

#[test]
fn escape_sequences_in_an_aws_error_reach_neither_the_screen_nor_the_log() {
    let endpoint = proxy::hostile(&[
        "ListPolicies",
        "GetAccountAuthorizationDetails",
        "ListGroups",
    ])
    .endpoint;
    let log = tempfile::tempdir().expect("a folder for the log");
    let log_path = log.path().join("iamwiz.log");
    let log_arg = log_path.to_str().expect("a UTF-8 path");
    let mut w = Wizard::spawn_at(&endpoint, 80, 24, &["--log-file", log_arg], &[], &[]);
    w.wait_for("Step 1 of 6");
    w.send(&common::unique("hostile"));
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    // The refused list is reported on the screen, without the control characters.
    w.wait_for(proxy::HOSTILE_CODE_SHOWN);
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    w.wait_for_exit_success();

    let raw = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    for sequence in ["\x1b]52;", "\x1b]0;", "\u{9b}", "\u{202e}"] {
        assert!(
            !raw.contains(sequence),
            "{sequence:?} reached the terminal:\n{raw:?}"
        );
    }
    let log = std::fs::read_to_string(&log_path).expect("the log was written");
    assert!(
        log.contains(proxy::HOSTILE_CODE_SHOWN),
        "the refusal is logged:\n{log}"
    );
    assert_eq!(
        proxy::terminal_controls(&log),
        [] as [char; 0],
        "the log holds terminal controls:\n{log:?}"
    );
}
