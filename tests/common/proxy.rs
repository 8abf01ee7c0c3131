//! A TCP proxy on 127.0.0.1 in front of the shared moto, for the tests that need a call to be
//! slow, refused or lost on the wire. Each request's `Action=` is handed to a rule that says what
//! happens to it ([`Verdict`]); the SDK's HTTP/1.1 messages (with a `Content-Length` body) are
//! read whole.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with one request.
pub enum Verdict {
    /// Passed on to moto after the given wait (`Duration::ZERO` for none), its answer passed back.
    Forward(Duration),
    /// Answered by the proxy with this whole HTTP response; moto never sees the request.
    Answer(Vec<u8>),
    /// Never answered: with `applied`, moto gets the request first and its answer is lost. The
    /// connection is then cut as `cut` says.
    Lost { applied: bool, cut: Cut },
}

/// How a [`Verdict::Lost`] request's connection ends.
#[derive(Clone, Copy)]
pub enum Cut {
    /// Closed at once with a TCP reset (RST, not FIN).
    Reset,
    /// Held open for this long, then closed.
    Stall(Duration),
}

/// A running proxy; it serves until the test process ends (or, started inside a Tokio runtime,
/// until that runtime ends).
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, to use as the endpoint URL.
    pub endpoint: String,
}

impl Proxy {
    /// Starts a proxy whose `rule` is asked, for each request, with the request's `Action=`
    /// value (empty when it has none). Inside a Tokio runtime it runs on that runtime, else on a
    /// thread of its own.
    pub fn start(rule: impl Fn(&str) -> Verdict + Send + Sync + 'static) -> Proxy {
        Proxy::start_with(rule, false)
    }

    /// A proxy that passes every request on and keeps the SDK's connections alive between
    /// requests, as AWS does: moto's `Connection: close` is taken out of its answers.
    pub fn keep_alive() -> Proxy {
        Proxy::start_with(|_| Verdict::Forward(Duration::ZERO), true)
    }

    fn start_with(
        rule: impl Fn(&str) -> Verdict + Send + Sync + 'static,
        keep_alive: bool,
    ) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = super::endpoint()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let rule = Arc::new(rule);
        let accept = async move {
            let listener = TcpListener::from_std(listener).unwrap();
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, rule) = (upstream.clone(), rule.clone());
                tokio::spawn(async move {
                    let _ = serve(client, &upstream, &*rule, keep_alive).await;
                });
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(accept)),
            Err(_) => drop(std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(accept)
            })),
        }
        Proxy { endpoint }
    }
}

async fn serve(
    mut client: TcpStream,
    upstream: &str,
    rule: &(dyn Fn(&str) -> Verdict + Send + Sync),
    keep_alive: bool,
) -> std::io::Result<()> {
    // One connection carries several requests (the SDK keeps connections alive).
    while let Some(request) = read_message(&mut client).await? {
        let response = match rule(&action(&request)) {
            Verdict::Forward(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                let response = forward(upstream, &request).await?;
                if keep_alive {
                    without_connection_close(response)
                } else {
                    response
                }
            }
            Verdict::Answer(response) => response,
            Verdict::Lost { applied, cut } => {
                if applied {
                    let mut moto = TcpStream::connect(upstream).await?;
                    moto.write_all(&request).await?;
                    read_message(&mut moto).await?; // applied; the answer is lost
                }
                match cut {
                    Cut::Reset => client.set_zero_linger()?,
                    Cut::Stall(hold) => tokio::time::sleep(hold).await,
                }
                return Ok(());
            }
        };
        client.write_all(&response).await?;
    }
    Ok(())
}

/// Sends `request` to moto on a connection of its own and reads the answer.
async fn forward(upstream: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut moto = TcpStream::connect(upstream).await?;
    moto.write_all(request).await?;
    read_message(&mut moto)
        .await?
        .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
}

/// `response` without its `Connection: close` header line.
fn without_connection_close(response: Vec<u8>) -> Vec<u8> {
    let end = header_end(&response).unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..end]);
    let kept: String = head
        .split_inclusive("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    let mut out = kept.into_bytes();
    out.extend_from_slice(&response[end..]);
    out
}

/// The `Action=` value of a query-protocol request's form body, or empty.
fn action(request: &[u8]) -> String {
    let body = &request[header_end(request).unwrap_or(request.len())..];
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or_default()
        .to_string()
}

fn header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Reads one HTTP/1.1 message with a `Content-Length` body (what the SDK and moto send); `None`
/// when the connection closes before a message starts.
async fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = header_end(&buf) {
            break end;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap_or(0))
        .unwrap_or(0);
    while buf.len() < end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buf))
}
