//! The HTTP side: every connection is answered on a thread of its own, one
//! request per connection (the page, its assets, the JSON controls, or a
//! stream of server-sent events, at most [`MAX_STREAMS`] of those), and
//! every request is checked before anything else:
//!
//! - its `Host` header must name the bound address (a page on another site
//!   that resolves its own name to 127.0.0.1, DNS rebinding, is refused);
//! - a POST must be JSON (a cross-site form cannot send
//!   `application/json` without asking) and, when the browser says where
//!   it comes from (`Origin`), come from this page;
//! - bodies are at most [`MAX_BODY_BYTES`], configurations within the
//!   bounds of [`Config::validate`].
//!
//! Every failure is a JSON `{"error": "..."}` with a 4xx or 5xx status;
//! none stops the server. The page never names a file: nothing here reads
//! or writes the file system.

use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::config::Config;
use super::data::Upload;
use super::driver::{Command, Control, Driver};
use super::http::{self, Failure, Request, Response};

/// The largest request body accepted (a CSV upload of 2000 rows fits).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// At most this many event streams at once.
pub const MAX_STREAMS: usize = 16;
/// At most this many connections at once (event streams included); one
/// more is refused with a 503.
const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send its request or to take an answer.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for the training thread.
const DRIVER_TIMEOUT: Duration = Duration::from_secs(10);
/// An event stream sends a comment this often when nothing changes, so
/// that a closed connection is noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// The server cannot start.
#[derive(Debug, Error)]
#[error("cannot listen on {address}: {source}")]
pub struct BindError {
    /// The address asked for.
    pub address: SocketAddr,
    /// Why not.
    pub source: io::Error,
}

/// A bound server with its training thread, not yet answering.
pub struct Playground {
    listener: TcpListener,
    address: SocketAddr,
    driver: Driver,
}

impl Playground {
    /// Binds `host:port` (port 0 picks a free one) and starts the training
    /// thread.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn bind(host: IpAddr, port: u16) -> Result<Self, BindError> {
        let asked = SocketAddr::new(host, port);
        let failed = |source| BindError {
            address: asked,
            source,
        };
        let listener = TcpListener::bind(asked).map_err(failed)?;
        let address = listener.local_addr().map_err(failed)?;
        Ok(Self {
            listener,
            address,
            driver: Driver::start(),
        })
    }

    /// The address actually bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Accepts connections on a thread of its own until the process ends,
    /// each answered on a thread of its own; returns the accepting
    /// thread's handle (the program joins it, a test lets it run).
    pub fn spawn(self) -> thread::JoinHandle<()> {
        let context = Arc::new(Context {
            driver: self.driver,
            hosts: allowed_hosts(self.address),
            bound: self.address,
            connections: Arc::default(),
            streams: Arc::default(),
        });
        let listener = self.listener;
        thread::Builder::new()
            .name("playground-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    match stream {
                        Ok(stream) => context.accept(stream),
                        // Out of file descriptors, say: let some close.
                        Err(_) => thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
            .expect("the accepting thread starts")
    }
}

/// The values of `Host` that name `address`: `ip:port`, and for a loopback
/// or unspecified (`0.0.0.0`, `::`) address `localhost:port` too (see
/// [`Context::names_this_server`] for the other names of an unspecified
/// one).
fn allowed_hosts(address: SocketAddr) -> Vec<String> {
    let mut hosts = vec![address.to_string()];
    if address.ip().is_loopback() || address.ip().is_unspecified() {
        hosts.push(format!("localhost:{}", address.port()));
    }
    hosts
}

/// What every connection shares.
struct Context {
    driver: Driver,
    hosts: Vec<String>,
    /// The address listened on.
    bound: SocketAddr,
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
}

/// One taken place in a count of [`Context`], given back when dropped
/// (also when its thread panics).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    /// Takes a place if fewer than `limit` are taken.
    fn take(count: &Arc<AtomicUsize>, limit: usize) -> Option<Self> {
        if count.fetch_add(1, Ordering::SeqCst) < limit {
            Some(Self(Arc::clone(count)))
        } else {
            count.fetch_sub(1, Ordering::SeqCst);
            None
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A control request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    action: Control,
}

impl Context {
    /// Gives a new connection a thread, or refuses it when
    /// [`MAX_CONNECTIONS`] are open.
    fn accept(self: &Arc<Self>, stream: TcpStream) {
        let timeouts = stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
            .and_then(|()| stream.set_nodelay(true));
        if timeouts.is_err() {
            return;
        }
        let Some(slot) = Slot::take(&self.connections, MAX_CONNECTIONS) else {
            let failure = Failure::new(
                503,
                format!("at most {MAX_CONNECTIONS} connections at once"),
            );
            let _ = error_response(&failure).write_to(&stream, false);
            return;
        };
        let context = Arc::clone(self);
        // When no thread starts, the closure and its slot are dropped.
        let _ = thread::Builder::new()
            .name("playground-http".into())
            .spawn(move || {
                let _slot = slot;
                context.serve(stream);
            });
    }

    /// Reads one request from `stream`, answers it and closes.
    fn serve(&self, stream: TcpStream) {
        match Request::read(&stream) {
            Ok(mut request) => {
                let head_only = request.method == "HEAD";
                if let Some(reply) = self.handle(&mut request, &stream) {
                    let _ = reply.write_to(&stream, head_only);
                }
            }
            Err(Some(failure)) => {
                let _ = error_response(&failure).write_to(&stream, false);
            }
            Err(None) => return,
        }
        http::close(stream);
    }

    /// The answer to one request; `None` when an event stream has already
    /// answered it.
    fn handle(&self, request: &mut Request, stream: &TcpStream) -> Option<Response> {
        if let Err(failure) = self.check_host(request) {
            return Some(error_response(&failure));
        }
        let method = request.method.clone();
        let path = request.path.clone();
        let reply = match (method.as_str(), path.as_str()) {
            ("GET", "/api/events") => return self.stream(stream).err().map(|f| error_response(&f)),
            ("GET", "/") => Ok(asset(INDEX_HTML, "text/html; charset=utf-8")),
            ("GET", "/app.js") => Ok(asset(APP_JS, "text/javascript; charset=utf-8")),
            ("GET", "/style.css") => Ok(asset(STYLE_CSS, "text/css; charset=utf-8")),
            ("GET", "/api/state") => Ok(json_response(200, &self.driver.hub().latest().1)),
            ("GET", "/api/points") => self
                .ask(Command::Points)
                .map(|points| json_response(200, &points)),
            ("GET", "/api/model") => self.model(),
            ("POST", "/api/config") => self.post(request, stream).and_then(|config: Config| {
                self.ask(|reply| Command::Configure(config, reply))?
                    .map_err(|e| Failure::new(400, e))
                    .map(|()| ok())
            }),
            ("POST", "/api/upload") => self.post(request, stream).and_then(|upload: Upload| {
                self.ask(|reply| Command::Upload(upload, reply))?
                    .map_err(|e| Failure::new(400, format!("upload: {e}")))
                    .map(|()| ok())
            }),
            ("POST", "/api/control") => {
                self.post(request, stream)
                    .and_then(|control: ControlRequest| {
                        self.ask(|reply| Command::Control(control.action, reply))
                            .map(|()| ok())
                    })
            }
            ("POST", "/api/backprop") => self
                .post(request, stream)
                .and_then(|_: EmptyBody| {
                    self.ask(Command::Backprop)?
                        .map_err(|e| Failure::new(500, e))
                })
                .map(|view| json_response(200, &view)),
            (_, "/" | "/app.js" | "/style.css" | "/api/state" | "/api/points" | "/api/model")
            | (_, "/api/events" | "/api/config" | "/api/upload" | "/api/control")
            | (_, "/api/backprop") => Err(Failure::new(
                405,
                format!("{method} is not allowed on {path}"),
            )),
            _ => Err(Failure::new(404, format!("no such page: {path}"))),
        };
        Some(reply.unwrap_or_else(|failure| error_response(&failure)))
    }

    /// Whether `host` (`name:port`) names this server: one of
    /// [`allowed_hosts`], or, when it listens on every address, any IP
    /// address with its port. An address is no name an attacker's DNS can
    /// point here (DNS rebinding needs a name), and a client of another
    /// machine names the server by the address it reached.
    fn names_this_server(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
            || (self.bound.ip().is_unspecified()
                && host
                    .parse::<SocketAddr>()
                    .is_ok_and(|a| a.port() == self.bound.port()))
    }

    /// Refuses a request whose `Host` is not the bound address, or that has
    /// two (RFC 9112 §3.2: a 400).
    fn check_host(&self, request: &Request) -> Result<(), Failure> {
        let host = request
            .header("Host")
            .ok_or_else(|| Failure::new(400, "the request has no Host header"))?;
        if request.count("Host") > 1 {
            return Err(Failure::new(
                400,
                "the request has more than one Host header",
            ));
        }
        if self.names_this_server(host) {
            Ok(())
        } else {
            Err(Failure::new(
                403,
                format!(
                    "Host {host:?} is not this server ({}): refused (DNS rebinding guard)",
                    self.hosts[0]
                ),
            ))
        }
    }

    /// The JSON body of a POST, after the origin, type and size checks.
    fn post<T: DeserializeOwned>(
        &self,
        request: &mut Request,
        stream: &TcpStream,
    ) -> Result<T, Failure> {
        if let Some(origin) = request.header("Origin") {
            let from_here = origin
                .strip_prefix("http://")
                .is_some_and(|host| self.names_this_server(host));
            if !from_here {
                return Err(Failure::new(
                    403,
                    format!("Origin {origin:?} is not this page"),
                ));
            }
        }
        let is_json = request
            .header("Content-Type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            return Err(Failure::new(415, "the body must be application/json"));
        }
        let body = request.body(stream, MAX_BODY_BYTES)?;
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| Failure::new(400, format!("bad JSON: {e}")))?;
        // serde would also read a struct from an array of its fields.
        if !value.is_object() {
            return Err(Failure::new(400, "the body must be a JSON object"));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let message = match e.path().to_string().as_str() {
                "." => e.inner().to_string(),
                field => format!("{field}: {}", e.inner()),
            };
            Failure::new(400, message)
        })
    }

    /// Sends a command and waits for its answer.
    fn ask<R>(
        &self,
        command: impl FnOnce(std::sync::mpsc::Sender<R>) -> Command,
    ) -> Result<R, Failure> {
        let (reply, answer): (_, Receiver<R>) = channel();
        if !self.driver.send(command(reply)) {
            return Err(Failure::new(503, "the training thread has stopped"));
        }
        answer
            .recv_timeout(DRIVER_TIMEOUT)
            .map_err(|_| Failure::new(503, "the training thread did not answer"))
    }

    /// The model file, as a download.
    fn model(&self) -> Result<Response, Failure> {
        let bytes = self
            .ask(Command::Export)?
            .map_err(|e| Failure::new(500, e))?;
        Ok(Response::new(200, "application/json", bytes).with_header(
            "Content-Disposition",
            "attachment; filename=\"playground-model.json\"",
        ))
    }

    /// Streams snapshots as server-sent events on this connection's
    /// thread until the page goes away.
    ///
    /// # Errors
    /// 503 when [`MAX_STREAMS`] are open.
    fn stream(&self, stream: &TcpStream) -> Result<(), Failure> {
        let _slot = Slot::take(&self.streams, MAX_STREAMS).ok_or_else(|| {
            Failure::new(503, format!("at most {MAX_STREAMS} event streams at once"))
        })?;
        // Ends when the page goes away (a write fails).
        let _ = write_events(&mut BufWriter::new(stream), self);
        Ok(())
    }
}

/// Writes the response head of an event stream, then every new snapshot
/// as one event (`data: {json}`), flushed at once, until a write fails.
/// Without a length, the body lasts until the connection closes.
fn write_events(writer: &mut impl Write, context: &Context) -> io::Result<()> {
    writer.write_all(&http::head(200, "text/event-stream", None, &[]))?;
    let hub = context.driver.hub();
    let (mut seen, mut json) = hub.latest();
    loop {
        writer.write_all(b"data: ")?;
        writer.write_all(json.as_bytes())?;
        writer.write_all(b"\n\n")?;
        writer.flush()?;
        loop {
            match hub.wait_newer(seen, KEEP_ALIVE) {
                Some((number, next)) => {
                    (seen, json) = (number, next);
                    break;
                }
                None => {
                    writer.write_all(b": keep-alive\n\n")?;
                    writer.flush()?;
                }
            }
        }
    }
}

/// A request body that must be `{}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

/// An embedded asset.
fn asset(text: &str, kind: &'static str) -> Response {
    Response::new(200, kind, text.as_bytes().to_vec())
}

/// A JSON body.
fn json_response(status: u16, json: &str) -> Response {
    Response::new(status, "application/json", json.as_bytes().to_vec())
}

/// `{"ok": true}`.
fn ok() -> Response {
    json_response(200, r#"{"ok":true}"#)
}

/// `{"error": message}` with the failure's status.
fn error_response(failure: &Failure) -> Response {
    let body = serde_json::json!({ "error": failure.1 }).to_string();
    json_response(failure.0, &body)
}
