//! Leaving the MFA flow: the quit question at 80x24 says what quitting does to the device on
//! show (a new one never enabled is deleted, an enabled one stays), whole and with its answers
//! inside the box; and after a signal ends the wizard, the terminal says the new device was
//! deleted again, and IAM lists it no more.

use crate::common;

use common::fixtures::*;
use common::pty::Wizard;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Modal, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::mfa_flow::worker::{new_user, virtual_serials};
use crate::mfa_flow::{SERIAL, alice_with, enabled_device, enrolling};

/// The text inside the quit question's box at 80x24, its lines joined by single spaces.
fn quit_box(app: &mut App) -> String {
    update(app, Msg::Resize(80, 24));
    ctrl(app, 'c');
    assert_eq!(app.modal, Some(Modal::ConfirmQuit));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let row = |y: u16| -> Vec<String> {
        (0..80)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect()
    };
    let top = (0..24)
        .find(|&y| row(y).concat().contains("Quit iamwiz?"))
        .expect("the quit question on screen");
    let cells = row(top);
    let left = cells.iter().position(|c| c == "┌").expect("its top left");
    let right = cells.iter().rposition(|c| c == "┐").expect("its top right");
    let mut inside = Vec::new();
    for y in top + 1..24 {
        let cells = row(y);
        if cells[left] == "└" {
            return inside
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
        }
        assert_eq!((cells[left].as_str(), cells[right].as_str()), ("│", "│"));
        inside.push(cells[left + 1..right].concat());
    }
    panic!("the quit question's box has no bottom inside the screen");
}

#[test]
fn quitting_on_a_new_device_says_it_is_deleted_whole_and_above_the_answers_inside_the_box() {
    let (mut app, _) = enrolling();
    let text = quit_box(&mut app);
    assert_eq!(
        text,
        format!("The virtual device {SERIAL} was not enabled: it is deleted. y quit n stay")
    );
}

#[test]
fn quitting_with_mfa_enabled_and_a_change_unconfirmed_says_nothing_is_lost() {
    let mut app = alice_with(vec![enabled_device()], None);
    press(&mut app, KeyCode::Char('d'));
    assert!(app.flows.mfa.confirm.is_some());
    let text = quit_box(&mut app);
    assert_eq!(
        text,
        format!(
            "MFA for alice is enabled; nothing is lost: {SERIAL} is not deactivated. y quit n \
             stay"
        )
    );
}

#[test]
fn a_signal_on_the_enrolment_deletes_the_device_and_the_terminal_says_so_after_the_exit() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let user = rt.block_on(new_user());
    let mut w = Wizard::spawn_with(100, 40, &["mfa", &user]);
    w.wait_for("no MFA device: n enrols a virtual one");
    w.send("n");
    w.wait_for("type two consecutive codes");
    let serial = format!("arn:aws:iam::123456789012:mfa/{user}");
    assert!(rt.block_on(virtual_serials()).contains(&serial));
    w.signal("TERM");
    assert_eq!(w.wait_for_exit(), 128 + 15, "{}", w.screen());
    let printed = String::from_utf8_lossy(&w.wait_for_output_end()).to_string();
    assert!(
        printed.contains(&format!(
            "iamwiz: deleted the virtual MFA device {serial} of {user} again: it was never \
             enabled"
        )),
        "the deletion is said on the terminal after the exit:\n{printed}"
    );
    assert!(
        !rt.block_on(virtual_serials()).contains(&serial),
        "IAM lists the device no more"
    );
}
