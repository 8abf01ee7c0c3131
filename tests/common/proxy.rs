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
        Proxy::start_to(&super::endpoint(), rule)
    }

    /// [`Proxy::start`] in front of the moto server at `upstream` (a test's own).
    pub fn start_to(
        upstream: &str,
        rule: impl Fn(&str) -> Verdict + Send + Sync + 'static,
    ) -> Proxy {
        Proxy::start_with(move |action, _| rule(action), false, upstream)
    }

    /// Like [`Proxy::start`], with the request's header lines (the `Authorization` header names
    /// the access key that signed it) passed to `rule` as well.
    pub fn start_seeing(rule: impl Fn(&str, &str) -> Verdict + Send + Sync + 'static) -> Proxy {
        Proxy::start_with(rule, false, &super::endpoint())
    }

    /// A proxy that passes every request on and keeps the SDK's connections alive between
    /// requests, as AWS does: moto's `Connection: close` is taken out of its answers.
    pub fn keep_alive() -> Proxy {
        Proxy::start_with(
            |_, _| Verdict::Forward(Duration::ZERO),
            true,
            &super::endpoint(),
        )
    }

    fn start_with(
        rule: impl Fn(&str, &str) -> Verdict + Send + Sync + 'static,
        keep_alive: bool,
        upstream: &str,
    ) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream
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

/// An IAM error answer (the query protocol's XML `ErrorResponse`) with this HTTP status line
/// (e.g. `403 Forbidden`), error code and message, put in as they are (no escaping).
pub fn iam_error(status: &str, code: &str, message: &str) -> Verdict {
    let xml = format!(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
         <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>1</RequestId></ErrorResponse>"
    );
    Verdict::Answer(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        )
        .into_bytes(),
    )
}

/// An error code with an OSC 52 sequence (which writes the clipboard of the terminal it reaches).
pub const HOSTILE_CODE: &str = "AccessDenied\x1b]52;c;cm0gLXJmIH4=\x07";
/// An error message with a window-title sequence, a C1 CSI, a bidi override and a carriage return.
pub const HOSTILE_MESSAGE: &str =
    "denied\x1b]0;pwned\x1b\\ \u{9b}2J by \u{202e}txt.exe\u{202c} the endpoint\r";
/// [`HOSTILE_CODE`] and [`HOSTILE_MESSAGE`] as they may be shown: without their control
/// characters.
pub const HOSTILE_CODE_SHOWN: &str = "AccessDenied]52;c;cm0gLXJmIH4=";
pub const HOSTILE_MESSAGE_SHOWN: &str = "denied]0;pwned\\ 2J by txt.exe the endpoint";

/// A proxy in front of moto that answers the requests whose `Action=` is in `refused` with an
/// `AccessDenied` carrying terminal control sequences ([`HOSTILE_CODE`], [`HOSTILE_MESSAGE`]),
/// as a hostile endpoint, or one reached over plain HTTP and altered, could.
pub fn hostile(refused: &'static [&'static str]) -> Proxy {
    Proxy::start(move |action| {
        if refused.contains(&action) {
            iam_error("403 Forbidden", HOSTILE_CODE, HOSTILE_MESSAGE)
        } else {
            Verdict::Forward(Duration::ZERO)
        }
    })
}

/// The characters of `text` that must not reach a terminal: C0 controls but the line feed, DEL,
/// C1 controls, and Unicode bidi controls.
pub fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{200e}'
                        | '\u{200f}'
                        | '\u{61c}'
                )
        })
        .collect()
}

async fn serve(
    mut client: TcpStream,
    upstream: &str,
    rule: &(dyn Fn(&str, &str) -> Verdict + Send + Sync),
    keep_alive: bool,
) -> std::io::Result<()> {
    // One connection carries several requests (the SDK keeps connections alive).
    while let Some(request) = read_message(&mut client).await? {
        let head_end = header_end(&request).unwrap_or(request.len());
        let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
        let response = match rule(&action(&request), &head) {
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

/// The `Action=` value of a query-protocol request's form body (IAM, STS), else the
/// `X-Amz-Target` header of a JSON-protocol one (KMS: `TrentService.Encrypt`), else empty.
fn action(request: &[u8]) -> String {
    let end = header_end(request).unwrap_or(request.len());
    let body = &request[end..];
    if let Some(action) = String::from_utf8_lossy(body)
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
    {
        return action.to_string();
    }
    String::from_utf8_lossy(&request[..end])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-amz-target")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default()
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

/// How long a [`Holding`] proxy holds a call.
#[derive(Clone, Copy)]
pub enum Hold {
    /// Passed on to moto after this long.
    For(Duration),
    /// Never passed on nor answered (the connection is held open for ten minutes).
    Forever,
}

/// A proxy that passes every request on, and holds the calls it names first; each held call is
/// reported as it arrives, so that a test can act while it is in flight.
pub struct Holding {
    pub endpoint: String,
    arrived: std::sync::Mutex<std::sync::mpsc::Receiver<String>>,
}

impl Holding {
    /// Holds each call whose `Action=` is listed in `held` as its [`Hold`] says.
    pub fn start(held: &[(&'static str, Hold)]) -> Holding {
        Holding::start_to(&super::endpoint(), held)
    }

    /// [`Holding::start`] in front of the moto server at `upstream` (a test's own).
    pub fn start_to(upstream: &str, held: &[(&'static str, Hold)]) -> Holding {
        let held = held.to_vec();
        let (tx, arrived) = std::sync::mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let proxy = Proxy::start_to(upstream, move |action| {
            let Some((_, hold)) = held.iter().find(|(a, _)| *a == action) else {
                return Verdict::Forward(Duration::ZERO);
            };
            let _ = tx.lock().unwrap().send(action.to_string());
            match hold {
                Hold::For(wait) => Verdict::Forward(*wait),
                Hold::Forever => Verdict::Lost {
                    applied: false,
                    cut: Cut::Stall(Duration::from_secs(600)),
                },
            }
        });
        Holding {
            endpoint: proxy.endpoint,
            arrived: std::sync::Mutex::new(arrived),
        }
    }

    /// Waits until `count` calls of `action` have arrived since the last wait for it (held calls
    /// of other actions that arrive meanwhile are passed over).
    #[track_caller]
    pub fn wait_for(&self, action: &str, count: usize) {
        let arrived = self.arrived.lock().unwrap();
        let mut seen = 0;
        while seen < count {
            match arrived.recv_timeout(super::pty::TIMEOUT) {
                Ok(a) if a == action => seen += 1,
                Ok(_) => {}
                Err(e) => panic!("{seen} of {count} {action} calls reached the proxy: {e}"),
            }
        }
    }
}

/// What a proof proxy saw: each request's action, whether the admin ("testing") signed it, and
/// whether the proxy refused it.
pub type Seen = Arc<std::sync::Mutex<Vec<(String, bool, bool)>>>;

/// A proxy that answers `InvalidClientTokenId` to `sts:GetCallerIdentity` signed by any key but
/// the admin's for `refuse_for` after the first such call (forever when `None`), as AWS does
/// while a new key propagates.
pub fn propagation_proxy(refuse_for: Option<Duration>) -> (Proxy, Seen) {
    let seen: Seen = Arc::default();
    let first: Arc<std::sync::Mutex<Option<std::time::Instant>>> = Arc::default();
    let log = seen.clone();
    let proxy = Proxy::start_seeing(move |action, head| {
        let by_admin = head.contains("Credential=testing/");
        let refused = action == "GetCallerIdentity" && !by_admin && {
            let since = *first
                .lock()
                .unwrap()
                .get_or_insert_with(std::time::Instant::now);
            refuse_for.is_none_or(|d| since.elapsed() < d)
        };
        log.lock()
            .unwrap()
            .push((action.to_string(), by_admin, refused));
        if refused {
            iam_error(
                "403 Forbidden",
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        } else {
            Verdict::Forward(Duration::ZERO)
        }
    });
    (proxy, seen)
}
