//! Delivery transports: pooled SMTP and a directory of `.eml` files.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lettre::address::Envelope as LettreEnvelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use percent_encoding::percent_decode_str;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Semaphore};

use crate::message::{parse_address, validate_message_id};
use crate::{MailError, SendError};

/// How long one SMTP step may take before the attempt counts as a transient failure: connecting,
/// each command of the session set-up and of a transaction, and sending the message body with its
/// final reply. Long enough for slow greylisting relays, short enough not to stall a batch.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// An idle pooled connection older than this is closed instead of reused. Servers drop idle
/// clients (Postfix after 300 s, some after 60 s); reusing one they already dropped would cost the
/// message a reconnect at best.
const MAX_IDLE: Duration = Duration::from_secs(50);

/// How long a polite `QUIT` may take when a connection is closed.
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);

/// SMTP reply codes about *our* authentication (RFC 4954). They are 5xx, but they say nothing
/// about the recipient, so they must not become hard bounces.
const AUTH_REPLY_CODES: &[u16] = &[530, 534, 535, 538];

/// Where built messages go.
///
/// Create one with [`Transport::from_url`] and share it (it is `Send + Sync`; wrap it in an `Arc`);
/// it is meant to live as long as the sending worker. Its `Debug` and `Display` show the URL with
/// the password replaced by `***`.
pub enum Transport {
    /// An SMTP relay with a bounded connection pool (boxed: it is much larger than a path).
    Smtp(Box<SmtpTransport>),
    /// A directory that receives one `.eml` file per message.
    File(FileTransport),
}

/// An SMTP relay reached through a small pool of lettre [`AsyncSmtpConnection`]s.
///
/// At most `pool_size` connections are open at once: a semaphore caps concurrent sends at the pool
/// size, and a send reuses an idle connection or opens one only when none is idle (relays commonly
/// limit connections per client and answer `421` beyond that). Our own pool rather than lettre's,
/// because lettre's opens its sockets with Nagle's algorithm on: lettre writes the body and the
/// final `.` of a message separately, and on a Nagle socket the second write waits for the
/// server's delayed ACK (~40 ms on Linux), which capped delivery at ~20 messages per second per
/// connection. Our plain-text and STARTTLS connections set `TCP_NODELAY`; see
/// [`Relay::connect`] for implicit TLS.
///
/// Idle connections are kept most-recently-used first, closed (`QUIT`) once idle for
/// [`MAX_IDLE`], and a connection that saw any error is never reused. Nothing runs in the
/// background: expired connections are closed by the next send or by [`Transport::shutdown`].
pub struct SmtpTransport {
    relay: Relay,
    /// Idle connections with the moment each became idle, oldest first.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    permits: Semaphore,
    redacted_url: String,
}

/// How to reach the relay. It holds the credentials, so it has no `Debug`.
struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello_name: ClientId,
}

enum Security {
    None,
    StartTls(TlsParameters),
    Implicit(TlsParameters),
}

/// A directory of `<message_id>.eml` files, for development, demos and tests.
///
/// Each file is written to a hidden temporary name, flushed to disk and renamed into place, so a
/// reader (or a crash) never sees half a message, and a resend of the same message id simply
/// replaces the file.
#[derive(Debug)]
pub struct FileTransport {
    dir: PathBuf,
}

impl Transport {
    /// `smtp://[user:pass@]host[:port][?tls=none|starttls|implicit]` (default port 25; `smtps://` = implicit TLS, port 465), with a connection pool of `pool_size`; `file:///abs/dir` writes one `<message_id>.eml` per mail (atomically: temp file + rename).
    ///
    /// Details: for `smtp://` the default is `tls=starttls` and STARTTLS is *required*, so
    /// credentials never cross the network in clear text by accident; a local relay without a
    /// certificate needs an explicit `?tls=none`. `tls=implicit` defaults to port 465. User name
    /// and password are percent-decoded (write `@` as `%40`). Certificates are checked against
    /// the system's trust store. A `pool_size` of 0 is treated as 1. Errors never contain the
    /// password.
    pub fn from_url(url: &str, pool_size: u32) -> Result<Transport, MailError> {
        let invalid = |reason: String| MailError::InvalidTransportUrl { url: redact(url), reason };
        let parsed = url::Url::parse(url.trim()).map_err(|err| invalid(err.to_string()))?;
        match parsed.scheme() {
            "smtp" | "smtps" => SmtpTransport::new(&parsed, pool_size, redact(url))
                .map_err(invalid)
                .map(|smtp| Transport::Smtp(Box::new(smtp))),
            "file" => FileTransport::new(&parsed).map_err(invalid).map(Transport::File),
            other => Err(invalid(format!("unsupported scheme {other:?}; use smtp, smtps or file"))),
        }
    }

    /// Sends prebuilt bytes. Ok(reply) with the server's final reply text (e.g. "250 2.0.0 Ok: queued as ABC"); Err classifies: Transient (4xx, connection refused/reset/timeout — retry later), Permanent (5xx — a hard bounce), with the server's text.
    ///
    /// `envelope_from` may be empty for a null reverse path (`MAIL FROM:<>`). A malformed
    /// recipient address is `Permanent`, since retrying cannot fix it. Authentication failures
    /// and other configuration problems are `Transient`: they are not the recipient's fault. So
    /// is any failure while the session is set up (greeting, `EHLO`, `STARTTLS`, `AUTH`), even a
    /// `5xx`: only replies within the message's own transaction (`MAIL`, `RCPT`, `DATA`, the
    /// final `.`) can be permanent. If a pooled connection turns out to have been closed by the
    /// server (no reply, or `421`, to `MAIL FROM`, before anything of the message was sent), the
    /// message is tried once more on a new connection.
    pub async fn send(&self, envelope_from: &str, to: &str, bytes: &[u8]) -> Result<String, SendError> {
        let envelope = lettre_envelope(envelope_from, to)?;
        match self {
            Transport::Smtp(smtp) => smtp.send(&envelope, bytes).await,
            Transport::File(file) => file.send(bytes).await,
        }
    }

    /// Politely closes pooled SMTP connections (`QUIT`); call before a graceful shutdown.
    /// Sends after this fail with a transient error; connections still in use are closed when
    /// their message is done.
    pub async fn shutdown(&self) {
        if let Transport::Smtp(smtp) = self {
            smtp.shutdown().await;
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Smtp(smtp) => f.write_str(&smtp.redacted_url),
            Transport::File(file) => write!(f, "file://{}", file.dir.display()),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Smtp(smtp) => f.debug_tuple("Smtp").field(smtp).finish(),
            Transport::File(file) => f.debug_tuple("File").field(file).finish(),
        }
    }
}

impl fmt::Debug for SmtpTransport {
    /// Shows the redacted URL only; the relay settings hold the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("SmtpTransport");
        debug.field("url", &self.redacted_url).field("available_connections", &self.permits.available_permits());
        if let Ok(idle) = self.idle.try_lock() {
            debug.field("idle_connections", &idle.len());
        }
        debug.finish_non_exhaustive()
    }
}

/// Both transports take the same envelope, checked the same way, so switching a development
/// setup from files to SMTP does not change which messages fail.
fn lettre_envelope(envelope_from: &str, to: &str) -> Result<LettreEnvelope, SendError> {
    let permanent = |err: MailError| SendError::Permanent(err.to_string());
    let from = match envelope_from.trim() {
        "" => None,
        address => Some(parse_address("envelope from", address).map_err(permanent)?),
    };
    let to = parse_address("recipient", to).map_err(permanent)?;
    LettreEnvelope::new(from, vec![to]).map_err(|err| SendError::Permanent(err.to_string()))
}

impl SmtpTransport {
    fn new(url: &url::Url, pool_size: u32, redacted_url: String) -> Result<SmtpTransport, String> {
        let host = match url.host() {
            Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err("the URL has no host".to_owned()),
        };
        if !matches!(url.path(), "" | "/") {
            return Err("an SMTP URL has no path".to_owned());
        }
        if url.fragment().is_some() {
            return Err("an SMTP URL has no fragment".to_owned());
        }

        let mut mode = None;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "none") => mode = Some(TlsMode::None),
                ("tls", "starttls") => mode = Some(TlsMode::StartTls),
                ("tls", "implicit") => mode = Some(TlsMode::Implicit),
                ("tls", other) => return Err(format!("tls={other:?} is not one of none, starttls, implicit")),
                (other, _) => return Err(format!("unknown parameter {other:?}; only tls is supported")),
            }
        }
        let mode = match (url.scheme(), mode) {
            ("smtps", None | Some(TlsMode::Implicit)) => TlsMode::Implicit,
            ("smtps", Some(_)) => return Err("smtps:// always uses implicit TLS".to_owned()),
            (_, mode) => mode.unwrap_or(TlsMode::StartTls),
        };
        let port = url.port().unwrap_or(match mode {
            TlsMode::Implicit => 465,
            TlsMode::None | TlsMode::StartTls => 25,
        });

        let security = match mode {
            TlsMode::None => Security::None,
            TlsMode::StartTls | TlsMode::Implicit => {
                let parameters = TlsParameters::new(host.clone()).map_err(|err| format!("TLS setup failed: {err}"))?;
                if mode == TlsMode::Implicit { Security::Implicit(parameters) } else { Security::StartTls(parameters) }
            }
        };

        let user = decode_userinfo(url.username())?;
        let password = url.password().map(decode_userinfo).transpose()?;
        let credentials = match (user.is_empty(), password) {
            (true, None) => None,
            (false, Some(password)) => Some(Credentials::new(user, password)),
            (false, None) => return Err("the URL has a user name but no password".to_owned()),
            (true, Some(_)) => return Err("the URL has a password but no user name".to_owned()),
        };

        let pool_size = usize::try_from(pool_size.max(1)).unwrap_or(usize::MAX);
        Ok(SmtpTransport {
            relay: Relay { host, port, security, credentials, hello_name: ClientId::default() },
            idle: Mutex::new(Vec::with_capacity(pool_size)),
            permits: Semaphore::new(pool_size),
            redacted_url,
        })
    }

    async fn send(&self, envelope: &LettreEnvelope, bytes: &[u8]) -> Result<String, SendError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SendError::Transient("the SMTP transport is closed".to_owned()))?;
        let (mut conn, mut reused) = match self.take_idle().await {
            Some(conn) => (conn, true),
            None => (self.connect().await?, false),
        };
        loop {
            match transaction(&mut conn, envelope, bytes).await {
                Ok(response) => {
                    self.put_back(conn).await;
                    return Ok(reply_text(&response));
                }
                Err(failure) if reused && failure.stale => {
                    tracing::debug!(
                        transport = %self.redacted_url,
                        error = %failure.error,
                        "a pooled SMTP connection was closed by the server; trying a new one"
                    );
                    drop(conn);
                    conn = self.connect().await?;
                    reused = false;
                }
                Err(failure) => {
                    tracing::debug!(transport = %self.redacted_url, error = %failure.error, "SMTP delivery failed");
                    if failure.replied {
                        quit(conn).await;
                    }
                    return Err(failure.error);
                }
            }
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let conn = self.relay.connect().await;
        match &conn {
            Ok(_) => tracing::debug!(transport = %self.redacted_url, "opened an SMTP connection"),
            Err(error) => tracing::debug!(transport = %self.redacted_url, %error, "could not open an SMTP connection"),
        }
        conn
    }

    /// The most recently used idle connection, after closing the ones idle for too long.
    async fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let (conn, expired) = {
            let mut idle = self.idle.lock().await;
            let now = Instant::now();
            // Oldest first (connections are pushed with the time of pushing), so the expired ones are a prefix.
            let stale = idle.partition_point(|(_, since)| now.saturating_duration_since(*since) >= MAX_IDLE);
            let expired: Vec<_> = idle.drain(..stale).collect();
            (idle.pop().map(|(conn, _)| conn), expired)
        };
        for (old, _) in expired {
            tracing::debug!(transport = %self.redacted_url, "closing an SMTP connection idle for too long");
            quit(old).await;
        }
        conn
    }

    async fn put_back(&self, conn: AsyncSmtpConnection) {
        let conn = {
            let mut idle = self.idle.lock().await;
            // Checked under the lock: `shutdown` closes the semaphore before it empties the pool,
            // so a connection is either closed here or emptied out by `shutdown`.
            if self.permits.is_closed() {
                conn
            } else {
                idle.push((conn, Instant::now()));
                return;
            }
        };
        quit(conn).await;
    }

    async fn shutdown(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle.lock().await);
        let mut quits = tokio::task::JoinSet::new();
        for (conn, _) in idle {
            quits.spawn(quit(conn));
        }
        quits.join_all().await;
    }
}

impl Relay {
    /// Opens a session: TCP, greeting, `EHLO`, then `STARTTLS` (and `EHLO` again) and `AUTH` as
    /// configured. Any failure here is transient: it concerns the relay or our configuration,
    /// never the recipient.
    ///
    /// Plain and STARTTLS connections are our own tokio sockets with `TCP_NODELAY`. Implicit TLS
    /// uses lettre's own connect, since the TLS handshake has to come before the greeting and
    /// lettre offers no way to run it on a socket we opened; those sockets keep Nagle's algorithm
    /// and so pay a delayed ACK per message.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let address = (self.host.as_str(), self.port);
        let mut conn = match &self.security {
            Security::Implicit(tls) => {
                let connecting = AsyncSmtpConnection::connect_tokio1(
                    address,
                    Some(SMTP_TIMEOUT),
                    &self.hello_name,
                    Some(tls.clone()),
                    None,
                );
                setup_step("connecting with TLS", connecting).await?
            }
            Security::None | Security::StartTls(_) => {
                let where_to = || format!("{}:{}", self.host, self.port);
                let stream = match tokio::time::timeout(SMTP_TIMEOUT, TcpStream::connect(address)).await {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(err)) => {
                        return Err(SendError::Transient(format!("could not connect to {}: {err}", where_to())));
                    }
                    Err(_) => return Err(SendError::Transient(format!("timed out connecting to {}", where_to()))),
                };
                stream
                    .set_nodelay(true)
                    .map_err(|err| SendError::Transient(format!("could not set TCP_NODELAY: {err}")))?;
                let greeting = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello_name);
                setup_step("the greeting and EHLO", greeting).await?
            }
        };
        if let Security::StartTls(tls) = &self.security {
            setup_step("STARTTLS", conn.starttls(tls.clone(), &self.hello_name)).await?;
        }
        if let Some(credentials) = &self.credentials {
            setup_step("AUTH", conn.auth(DEFAULT_MECHANISMS, credentials)).await?;
        }
        Ok(conn)
    }
}

/// Runs one step of the session set-up with the timeout; every failure is transient.
async fn setup_step<T>(
    what: &str,
    step: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(SMTP_TIMEOUT, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(match classify(&err) {
            SendError::Permanent(text) => SendError::Transient(text),
            transient => transient,
        }),
        Err(_) => Err(SendError::Transient(format!("timed out after {} s waiting for {what}", SMTP_TIMEOUT.as_secs()))),
    }
}

/// Why a transaction failed, and what that means for its connection.
struct Failure {
    error: SendError,
    /// The server answered, so the session is alive enough for a polite `QUIT`.
    replied: bool,
    /// `MAIL FROM` (the first command of a transaction) found the connection closed or closing:
    /// no reply at all, or `421`. Nothing of the message was sent, so it may go at once on a new
    /// connection.
    stale: bool,
}

/// One message over an open session: `MAIL FROM`, `RCPT TO`, `DATA`, the dot-stuffed body and
/// the final `.`, each step with the timeout.
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    envelope: &LettreEnvelope,
    bytes: &[u8],
) -> Result<Response, Failure> {
    let mut parameters = Vec::new();
    if envelope.from().into_iter().chain(envelope.to()).any(|address| !AsRef::<str>::as_ref(address).is_ascii()) {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Failure::local("the envelope has a non-ASCII address but the relay lacks SMTPUTF8"));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Failure::local("the message is not 7-bit but the relay lacks 8BITMIME"));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }

    transaction_step("MAIL FROM", conn.command(Mail::new(envelope.from().cloned(), parameters))).await.map_err(
        |mut failure| {
            failure.stale = !failure.replied || failure.error.text().starts_with("421");
            failure
        },
    )?;
    for to in envelope.to() {
        transaction_step("RCPT TO", conn.command(Rcpt::new(to.clone(), Vec::new()))).await?;
    }
    transaction_step("DATA", conn.command(Data)).await?;
    transaction_step("the end of the message", conn.message(bytes)).await
}

async fn transaction_step(
    what: &str,
    step: impl Future<Output = Result<Response, lettre::transport::smtp::Error>>,
) -> Result<Response, Failure> {
    match tokio::time::timeout(SMTP_TIMEOUT, step).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => Err(Failure { error: classify(&err), replied: err.status().is_some(), stale: false }),
        Err(_) => Err(Failure {
            error: SendError::Transient(format!(
                "timed out after {} s waiting for the reply to {what}",
                SMTP_TIMEOUT.as_secs()
            )),
            replied: false,
            stale: false,
        }),
    }
}

impl Failure {
    /// A problem found before anything was sent; the session itself is fine.
    fn local(text: &str) -> Failure {
        Failure { error: SendError::Transient(text.to_owned()), replied: true, stale: false }
    }
}

/// Closes a connection politely (`QUIT`), giving up quietly after [`QUIT_TIMEOUT`].
async fn quit(mut conn: AsyncSmtpConnection) {
    let _ = tokio::time::timeout(QUIT_TIMEOUT, conn.quit()).await;
}

/// The reply as one line: the code and the reply's lines, e.g. `250 2.0.0 Ok: queued as ABC`.
fn reply_text(response: &Response) -> String {
    std::iter::once(response.code().to_string())
        .chain(response.message().map(str::to_owned))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    None,
    StartTls,
    Implicit,
}

fn decode_userinfo(value: &str) -> Result<String, String> {
    percent_decode_str(value)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| "the user name or password is not valid UTF-8 after percent-decoding".to_owned())
}

/// Only a definitive `5xx` about the message is permanent; see [`SendError`].
fn classify(err: &lettre::transport::smtp::Error) -> SendError {
    let source = std::error::Error::source(err).map(ToString::to_string);
    if let Some(code) = err.status() {
        let text = match source {
            Some(message) => format!("{code} {message}"),
            None => code.to_string(),
        };
        if err.is_permanent() && !AUTH_REPLY_CODES.contains(&u16::from(code)) {
            SendError::Permanent(text)
        } else {
            SendError::Transient(text)
        }
    } else if err.is_timeout() {
        SendError::Transient(format!("timed out: {err}"))
    } else {
        SendError::Transient(err.to_string())
    }
}

impl FileTransport {
    fn new(url: &url::Url) -> Result<FileTransport, String> {
        if url.query().is_some() || url.fragment().is_some() {
            return Err("a file URL takes no parameters".to_owned());
        }
        let dir = url.to_file_path().map_err(|()| "use file:///absolute/directory".to_owned())?;
        if !dir.is_absolute() {
            return Err("the directory must be absolute".to_owned());
        }
        Ok(FileTransport { dir })
    }

    /// The directory the files are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    async fn send(&self, bytes: &[u8]) -> Result<String, SendError> {
        let name = format!("{}.eml", file_stem(bytes));
        let dir = self.dir.clone();
        let data = bytes.to_vec();
        let written = tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &data))
            .await
            .map_err(|err| SendError::Transient(format!("the file writer task failed: {err}")))?;
        match written {
            Ok(path) => Ok(format!("250 written to {}", path.display())),
            Err(err) => Err(SendError::Transient(format!("could not write to {}: {err}", self.dir.display()))),
        }
    }
}

/// The message id from the `Message-ID` header (the part before `@`), so files can be matched to
/// outbox rows; bytes without a usable one get a unique fallback name rather than failing.
fn file_stem(bytes: &[u8]) -> String {
    static FALLBACK: AtomicU64 = AtomicU64::new(0);
    if let Some(id) = header_value(bytes, "message-id")
        && let Some(inner) = id.trim().strip_prefix('<').and_then(|rest| rest.strip_suffix('>'))
        && let Some((local, _domain)) = inner.rsplit_once('@')
        && validate_message_id(local).is_ok()
    {
        return local.to_owned();
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("unnamed-{nanos}-{}-{}", std::process::id(), FALLBACK.fetch_add(1, Ordering::Relaxed))
}

/// The unfolded value of the first header called `name` (case-insensitive) in the header block.
fn header_value(bytes: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split("\r\n").flat_map(|line| line.split('\n')).peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            return None;
        }
        if let Some((field, value)) = line.split_once(':')
            && field.eq_ignore_ascii_case(name)
        {
            let mut value = value.to_owned();
            while let Some(next) = lines.peek().filter(|next| next.starts_with([' ', '\t'])) {
                value.push_str(next);
                lines.next();
            }
            return Some(value);
        }
    }
    None
}

fn write_atomically(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    static COUNTER: AtomicU64 = AtomicU64::new(0);

    std::fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let target = dir.join(name);
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(data)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(err);
    }
    Ok(target)
}

/// The URL with the password replaced by ***, for logs.
///
/// Works on malformed URLs too (which is when they tend to get logged): everything between the
/// first `:` of the user-info and the last `@` is masked. When in doubt it masks too much rather
/// than too little.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let Some(at) = rest.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &rest[..at];
    match userinfo.find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..authority_start], &userinfo[..colon], &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(url: &str) -> Result<SmtpTransport, MailError> {
        match Transport::from_url(url, 2)? {
            Transport::Smtp(smtp) => Ok(*smtp),
            Transport::File(_) => panic!("expected SMTP for {url}"),
        }
    }

    #[test]
    fn redact_masks_passwords() {
        assert_eq!(redact("smtp://user:s3cret@mail.example:587"), "smtp://user:***@mail.example:587");
        assert_eq!(redact("smtps://u:p%40ss@h"), "smtps://u:***@h");
        assert_eq!(redact("smtp://:only@h"), "smtp://:***@h");
        assert_eq!(redact("smtp://mail.example"), "smtp://mail.example");
        assert_eq!(redact("smtp://user@mail.example"), "smtp://user@mail.example");
        assert_eq!(redact("file:///var/mail"), "file:///var/mail");
        // Malformed: an unencoded '@' and '/' in the password must not leak any of it.
        assert_eq!(redact("smtp://u:pa@ss/w@h"), "smtp://u:***@h");
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn smtp_urls_parse() -> Result<(), MailError> {
        let t = smtp("smtp://127.0.0.1:2525?tls=none")?;
        assert_eq!(t.redacted_url, "smtp://127.0.0.1:2525?tls=none");
        smtp("smtp://relay.example")?;
        smtp("smtp://relay.example?tls=implicit")?;
        smtp("smtps://user%40example.com:p%3Ass@relay.example")?;
        smtp("smtp://[::1]:25?tls=none")?;
        Ok(())
    }

    #[test]
    fn bad_urls_are_refused_without_leaking_the_password() {
        for url in [
            "smtp://user:hunter2@relay.example?tls=maybe",
            "smtp://user:hunter2@relay.example?foo=bar",
            "smtps://user:hunter2@relay.example?tls=starttls",
            "smtp://user:hunter2@relay.example/path",
            "smtp://user@relay.example",
            "smtp://:hunter2@relay.example",
            "ftp://user:hunter2@relay.example",
            "smtp://user:hunter2@",
            "file://relative/dir",
            "file:///var/mail?x=1",
        ] {
            let err = Transport::from_url(url, 1).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!err.is_empty(), "{url} should be refused");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn debug_and_display_hide_the_password() -> Result<(), MailError> {
        let t = Transport::from_url("smtp://user:hunter2@relay.example:587", 3)?;
        assert!(!format!("{t:?}").contains("hunter2"));
        assert_eq!(t.to_string(), "smtp://user:***@relay.example:587");
        Ok(())
    }

    #[test]
    fn file_stem_uses_the_message_id() {
        let bytes = b"From: a@b.c\r\nMessage-ID:\r\n <row-17@rally.example>\r\n\r\nMessage-ID: <nope@x>\r\n";
        assert_eq!(file_stem(bytes), "row-17");
        assert!(file_stem(b"Subject: x\r\n\r\nMessage-ID: <nope@x>\r\n").starts_with("unnamed-"));
        assert!(file_stem(b"Message-ID: <../../etc/passwd@x>\r\n\r\n").starts_with("unnamed-"));
    }
}
