//! A moto server of a test's own, for what cannot be done on the shared one: auth enforcement is
//! a server-wide switch.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use iamwiz::aws::AwsSettings;
use tokio::time::timeout;

use super::worker::DEADLINE;

/// A moto server of this test's own on a free port, stopped when dropped. Auth enforcement is a
/// server-wide switch, so it is never turned on on the shared server the other tests use.
pub struct PrivateMoto {
    child: Child,
    pub endpoint: String,
    pub port: u16,
}

impl PrivateMoto {
    pub async fn start() -> PrivateMoto {
        PrivateMoto::launch(false).await
    }

    /// A private moto that lists the AWS managed policies (and can attach them); slower to start.
    pub async fn start_with_managed_policies() -> PrivateMoto {
        PrivateMoto::launch(true).await
    }

    async fn launch(managed_policies: bool) -> PrivateMoto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        let child = Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.venv/bin/moto_server"
        ))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        // No managed policies unless asked: most tests here only need users, and moto starts
        // faster without.
        .env(
            "MOTO_IAM_LOAD_MANAGED_POLICIES",
            if managed_policies { "true" } else { "false" },
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start .venv/bin/moto_server (scripts/test installs it)");
        let mut moto = PrivateMoto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        };
        // Poll until it accepts connections, failing early if it exits.
        timeout(DEADLINE, async {
            loop {
                if let Some(status) = moto.child.try_wait().expect("moto's status") {
                    panic!("the private moto server exited: {status}");
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
        .expect("the private moto server started within the deadline");
        moto
    }

    /// `POST /moto-api/reset-auth`: how many more requests moto lets through unchecked (`0` turns
    /// enforcement on, `inf` off again).
    pub fn reset_auth(&self, body: &str) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        write!(
            stream,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .expect("send reset-auth");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read reset-auth");
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "reset-auth: {response}"
        );
    }

    pub fn settings(&self) -> AwsSettings {
        AwsSettings {
            endpoint_url: Some(self.endpoint.clone()),
            ..super::settings()
        }
    }
}

impl Drop for PrivateMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
