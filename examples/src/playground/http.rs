//! Just enough HTTP/1.1 for one local page: the request head parsed by
//! `httparse`, a body read only when a handler asks for it and only up to
//! the handler's limit, one answer per connection (`Connection: close`).
//!
//! Written here rather than taken from a server crate because the small
//! synchronous one (tiny_http 0.12, its newest release) allocates a body's
//! declared length in one piece when it drops an unread request, so one
//! `Content-Length: 999999999999` aborted the process. Nothing here holds
//! more than [`MAX_HEAD_BYTES`] of a head plus the body limit a handler
//! passes to [`Request::body`].

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// The largest request head (request line and headers) read.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// At most this many header fields in a request.
const MAX_HEADERS: usize = 64;
/// After its answer, a connection reads and drops what the client still
/// sends for at most this long (see [`close`]); a second is ample for a
/// local client to read a short answer.
const LINGER: Duration = Duration::from_secs(1);

/// A request the server cannot or will not answer normally: the status
/// and the message of its `{"error": ...}` body.
#[derive(Debug)]
pub struct Failure(pub u16, pub String);

impl Failure {
    /// A failure with `status` and `message`.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self(status, message.into())
    }
}

/// The head of a request, and the part of its body that came with it.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ... as sent.
    pub method: String,
    /// The target without its query.
    pub path: String,
    headers: Vec<(String, String)>,
    /// The declared length of the body; `Err` (status, why) when the
    /// request declares it in a way this server does not read: chunked
    /// (411), or not one whole number (400, as RFC 9112 §6.3 asks).
    length: Result<Option<u64>, (u16, &'static str)>,
    expects_continue: bool,
    early: Vec<u8>,
}

impl Request {
    /// Reads a request head from `stream`.
    ///
    /// # Errors
    /// `Err(None)` when the client went away or timed out before a whole
    /// head arrived (nobody to answer); `Err(Some(failure))` for a head
    /// that is malformed (400) or too large (431).
    pub fn read(mut stream: &TcpStream) -> Result<Self, Option<Failure>> {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        loop {
            let n = match stream.read(&mut chunk) {
                Ok(0) => return Err(None),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(None),
            };
            buffer.extend_from_slice(&chunk[..n]);
            let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut head = httparse::Request::new(&mut fields);
            match head.parse(&buffer) {
                Ok(httparse::Status::Complete(end)) => {
                    return Ok(Self::from_head(&head, buffer[end..].to_vec()));
                }
                Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD_BYTES => {}
                Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                    return Err(Some(Failure::new(
                        431,
                        format!(
                            "the request head is larger than {MAX_HEAD_BYTES} bytes or has more than {MAX_HEADERS} fields"
                        ),
                    )));
                }
                Err(e) => return Err(Some(Failure::new(400, format!("malformed request: {e}")))),
            }
        }
    }

    /// The owned form of a parsed head; `early` is what followed it.
    fn from_head(head: &httparse::Request<'_, '_>, early: Vec<u8>) -> Self {
        let headers: Vec<(String, String)> = head
            .headers
            .iter()
            .map(|h| {
                let value = String::from_utf8_lossy(h.value).trim().to_string();
                (h.name.to_string(), value)
            })
            .collect();
        let named = |name: &'static str| {
            headers
                .iter()
                .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let length = if named("Transfer-Encoding").next().is_some() {
            Err((
                411,
                "this server reads a body of a declared Content-Length only, not a chunked one",
            ))
        } else {
            // 1*DIGIT (RFC 9110 §8.6): u64's parser would also take "+2"
            let number = |v: &str| {
                v.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| v.parse::<u64>().ok())
                    .flatten()
            };
            let mut declared = named("Content-Length").map(number);
            match declared.next() {
                None => Ok(None),
                Some(Some(first)) if declared.all(|other| other == Some(first)) => Ok(Some(first)),
                Some(_) => Err((
                    400,
                    "the Content-Length is not one non-negative whole number",
                )),
            }
        };
        let expects_continue = named("Expect").any(|v| v.eq_ignore_ascii_case("100-continue"));
        let target = head.path.unwrap_or("");
        Self {
            method: head.method.unwrap_or("").to_string(),
            path: target.split('?').next().unwrap_or("").to_string(),
            headers,
            length,
            expects_continue,
            early,
        }
    }

    /// How many times header `name` (any case) is present.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// The value of header `name` (any case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads the body from `stream`, refusing before reading any of it a
    /// body longer than `limit` (413), without a declared length (411) or
    /// with a malformed one (400).
    /// A client that waits for `100 Continue` is told to go on only then.
    ///
    /// # Errors
    /// Those refusals, and 400 when the body ends early or times out.
    pub fn body(&mut self, mut stream: &TcpStream, limit: usize) -> Result<Vec<u8>, Failure> {
        let declared = self
            .length
            .map_err(|(status, why)| Failure::new(status, why))?;
        let length = declared.ok_or_else(|| Failure::new(411, "the body has no Content-Length"))?;
        let length = usize::try_from(length)
            .ok()
            .filter(|&n| n <= limit)
            .ok_or_else(|| Failure::new(413, format!("the body is larger than {limit} bytes")))?;
        if self.expects_continue {
            stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .map_err(|e| Failure::new(400, format!("cannot answer 100-continue: {e}")))?;
        }
        let mut body = std::mem::take(&mut self.early);
        // What follows the body (a pipelined request) is not answered.
        body.truncate(length);
        let arrived = body.len();
        body.resize(length, 0);
        stream.read_exact(&mut body[arrived..]).map_err(|e| {
            let why = match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                    "it did not arrive in time".to_string()
                }
                io::ErrorKind::UnexpectedEof => "the client stopped sending".to_string(),
                _ => e.to_string(),
            };
            Failure::new(
                400,
                format!("cannot read the body of {length} bytes: {why}"),
            )
        })?;
        Ok(body)
    }
}

/// An answer: status, type, body and any headers beyond the common ones.
pub struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    extra: Vec<(&'static str, &'static str)>,
}

impl Response {
    /// A response with `body` of type `content_type`.
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            body,
            extra: Vec::new(),
        }
    }

    /// The same response with header `name: value` added.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.extra.push((name, value));
        self
    }

    /// Writes the response in one piece; the answer to a `HEAD` request
    /// (`head_only`) has the head of the response without its body.
    ///
    /// # Errors
    /// When the client has gone away.
    pub fn write_to(&self, mut stream: &TcpStream, head_only: bool) -> io::Result<()> {
        let mut bytes = head(
            self.status,
            self.content_type,
            Some(self.body.len()),
            &self.extra,
        );
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        stream.write_all(&bytes)
    }
}

/// A response head: the status line, then `Content-Type`, the length when
/// known (without one, the body lasts until the connection closes, as an
/// event stream's does), `extra`, and the headers every answer carries:
/// never cached, never sniffed, allowed to load nothing but this server's
/// own assets, one answer per connection.
pub fn head(
    status: u16,
    content_type: &str,
    length: Option<usize>,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let mut text = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\n",
        reason(status)
    );
    if let Some(length) = length {
        text.push_str(&format!("Content-Length: {length}\r\n"));
    }
    let common = [
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:",
        ),
        ("Connection", "close"),
    ];
    for (name, value) in extra.iter().chain(&common) {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// The reason phrase of each status this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Ends a connection after its answer: sends the end of the stream, then
/// reads and drops what the client still sends, for at most a second.
/// Closing a socket with unread input resets the connection, and the reset
/// can reach the client before it has read the answer (a 413 sent before
/// the body it refuses, say).
pub fn close(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}
