//! `iamwiz mfa list USER [--json]`: the MFA devices assigned to USER (`ListMFADevices`) as a
//! table or JSON on stdout: each device's serial number (a virtual device's is its ARN), its
//! kind, and when it was enabled. IAM never gives a device's seed again, so none can be printed.

use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

use super::{exit, refused_code};
use crate::aws::mfa::{MfaDevice, user_devices};
use crate::aws::{self, AwsSettings};
use crate::cli::MfaListArgs;
use crate::eprintln_clean as eprintln;
use crate::model::keys::timestamp;
use crate::term_text::clean;

/// Lists the devices and returns the exit code.
pub async fn run(settings: &AwsSettings, args: &MfaListArgs) -> i32 {
    let c = aws::connect(settings).await;
    let user = &args.user;
    let devices = match aws::lookup::user(&c, user).await {
        Ok(Some(_)) => user_devices(&c, user).await,
        Ok(None) => {
            eprintln!("iamwiz mfa list: there is no user named {user}: check the name.");
            return exit::REFUSED;
        }
        Err(e) => Err(e),
    };
    let devices = match devices {
        Ok(devices) => devices,
        Err(e) => {
            eprintln!("iamwiz mfa list: {e}.\n  {}", e.hint);
            return refused_code(&e);
        }
    };
    let text = if args.json {
        let rows: Vec<JsonDevice> = devices.iter().map(JsonDevice::of).collect();
        let mut text = serde_json::to_string_pretty(&rows).expect("plain data serializes");
        text.push('\n');
        text
    } else {
        table(user, &devices)
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => exit::DONE,
        Err(e) => {
            eprintln!("iamwiz mfa list: cannot write to stdout: {e}");
            exit::REFUSED
        }
    }
}

pub use crate::model::mfa::kind;

/// One device in `--json`.
#[derive(Serialize)]
struct JsonDevice<'a> {
    user: &'a str,
    serial_number: &'a str,
    kind: &'static str,
    enabled: String,
}

impl<'a> JsonDevice<'a> {
    fn of(d: &'a MfaDevice) -> JsonDevice<'a> {
        JsonDevice {
            user: &d.user,
            serial_number: &d.serial,
            kind: kind(&d.serial),
            enabled: timestamp(d.enabled),
        }
    }
}

/// The columns of the table.
const HEADER: [&str; 3] = ["SERIAL NUMBER", "KIND", "ENABLED"];

/// `user`'s devices as a table with aligned columns, or a line saying there are none.
pub fn table(user: &str, devices: &[MfaDevice]) -> String {
    if devices.is_empty() {
        return format!("{} has no MFA device.\n", clean(user));
    }
    let rows: Vec<[String; 3]> = devices
        .iter()
        .map(|d| {
            [
                clean(&d.serial).into_owned(),
                kind(&d.serial).to_string(),
                timestamp(d.enabled),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(HEADER.map(str::to_string)).chain(rows) {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let _ = write!(line, "{cell:<w$}  ", w = widths[i]);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_a_device_comes_from_its_serial_number() {
        assert_eq!(kind("arn:aws:iam::123456789012:mfa/alice"), "virtual");
        assert_eq!(
            kind("arn:aws-cn:iam::123456789012:mfa/team/alice"),
            "virtual"
        );
        assert_eq!(
            kind("arn:aws:iam::123456789012:u2f/user/alice/key-1"),
            "security key"
        );
        assert_eq!(kind("GAHT12345678"), "hardware");
    }

    #[test]
    fn the_table_aligns_its_columns_and_says_when_there_is_none() {
        let devices = [
            MfaDevice {
                user: "alice".into(),
                serial: "arn:aws:iam::123456789012:mfa/alice".into(),
                enabled: 1_767_225_599,
            },
            MfaDevice {
                user: "alice".into(),
                serial: "GAHT12345678".into(),
                enabled: 0,
            },
        ];
        let table = table("alice", &devices);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert_eq!(lines[0].find("KIND"), lines[1].find("virtual"));
        assert!(lines[1].ends_with("2025-12-31T23:59:59Z"), "{table}");
        assert!(lines[2].starts_with("GAHT12345678") && lines[2].contains("hardware"));
        assert_eq!(super::table("bob", &[]), "bob has no MFA device.\n");
    }
}
