//! The HTTP side: a few worker threads answer requests (the page, its
//! assets, the JSON controls), each stream of server-sent events has a
//! thread of its own (at most [`MAX_STREAMS`]), and every request is
//! checked before anything else:
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

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use tiny_http::{Header, Method, Request, Response, Server};

use super::config::Config;
use super::data::Upload;
use super::driver::{Command, Control, Driver};

/// The largest request body accepted (a CSV upload of 2000 rows fits).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// At most this many event streams at once.
pub const MAX_STREAMS: usize = 16;
/// Threads answering ordinary requests.
const WORKERS: usize = 4;
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
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// A bound server with its training thread, not yet answering.
pub struct Playground {
    server: Arc<Server>,
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
        let server = Server::http(asked).map_err(|source| BindError {
            address: asked,
            source,
        })?;
        let address = server
            .server_addr()
            .to_ip()
            .expect("an HTTP server bound to an IP address");
        Ok(Self {
            server: Arc::new(server),
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

    /// Answers requests on worker threads until the process ends; returns
    /// their handles (the program joins them, a test lets them run).
    pub fn spawn(self) -> Vec<thread::JoinHandle<()>> {
        let context = Arc::new(Context {
            driver: self.driver,
            hosts: allowed_hosts(self.address),
            streams: AtomicUsize::new(0),
        });
        (0..WORKERS)
            .map(|i| {
                let server = Arc::clone(&self.server);
                let context = Arc::clone(&context);
                thread::Builder::new()
                    .name(format!("playground-http-{i}"))
                    .spawn(move || {
                        for request in server.incoming_requests() {
                            // A bug in one handler must not take the
                            // worker down with it.
                            let _ = catch_unwind(AssertUnwindSafe(|| context.handle(request)));
                        }
                    })
                    .expect("a worker thread starts")
            })
            .collect()
    }
}

/// The values of `Host` that name `address`: `ip:port`, and for a loopback
/// address `localhost:port` too.
fn allowed_hosts(address: SocketAddr) -> Vec<String> {
    let mut hosts = vec![address.to_string()];
    if address.ip().is_loopback() {
        hosts.push(format!("localhost:{}", address.port()));
    }
    hosts
}

/// What every worker shares.
struct Context {
    driver: Driver,
    hosts: Vec<String>,
    streams: AtomicUsize,
}

/// A failed request: its status and message.
#[derive(Debug)]
struct Failure(u16, String);

impl Failure {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self(status, message.into())
    }
}

/// A control request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    action: Control,
}

type Reply = Response<io::Cursor<Vec<u8>>>;

impl Context {
    /// Answers one request.
    fn handle(self: &Arc<Self>, mut request: Request) {
        if let Err(failure) = self.check_host(&request) {
            let _ = request.respond(error_response(&failure));
            return;
        }
        let method = request.method().clone();
        let path = request.url().split('?').next().unwrap_or("").to_string();
        if method == Method::Get && path == "/api/events" {
            return self.stream(request);
        }
        let reply = match (&method, path.as_str()) {
            (Method::Get, "/") => Ok(asset(INDEX_HTML, "text/html; charset=utf-8")),
            (Method::Get, "/app.js") => Ok(asset(APP_JS, "text/javascript; charset=utf-8")),
            (Method::Get, "/style.css") => Ok(asset(STYLE_CSS, "text/css; charset=utf-8")),
            (Method::Get, "/api/state") => Ok(json_response(200, &self.driver.hub().latest().1)),
            (Method::Get, "/api/points") => self
                .ask(Command::Points)
                .map(|points| json_response(200, &points)),
            (Method::Get, "/api/model") => self.model(),
            (Method::Post, "/api/config") => self.post(&mut request).and_then(|config: Config| {
                self.ask(|reply| Command::Configure(config, reply))?
                    .map_err(|e| Failure::new(400, e))
                    .map(|()| ok())
            }),
            (Method::Post, "/api/upload") => self.post(&mut request).and_then(|upload: Upload| {
                self.ask(|reply| Command::Upload(upload, reply))?
                    .map_err(|e| Failure::new(400, format!("upload: {e}")))
                    .map(|()| ok())
            }),
            (Method::Post, "/api/control") => {
                self.post(&mut request).and_then(|control: ControlRequest| {
                    self.ask(|reply| Command::Control(control.action, reply))
                        .map(|()| ok())
                })
            }
            (Method::Post, "/api/backprop") => self
                .post(&mut request)
                .and_then(|_: EmptyBody| {
                    self.ask(Command::Backprop)?
                        .map_err(|e| Failure::new(500, e))
                })
                .map(|view| json_response(200, &view)),
            (_, "/" | "/app.js" | "/style.css" | "/api/state" | "/api/points" | "/api/model")
            | (_, "/api/config" | "/api/upload" | "/api/control" | "/api/backprop") => Err(
                Failure::new(405, format!("{method} is not allowed on {path}")),
            ),
            _ => Err(Failure::new(404, format!("no such page: {path}"))),
        };
        let _ = request.respond(reply.unwrap_or_else(|failure| error_response(&failure)));
    }

    /// Refuses a request whose `Host` is not the bound address.
    fn check_host(&self, request: &Request) -> Result<(), Failure> {
        let host = header(request, "Host")
            .ok_or_else(|| Failure::new(400, "the request has no Host header"))?;
        if self.hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
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
    fn post<T: DeserializeOwned>(&self, request: &mut Request) -> Result<T, Failure> {
        if let Some(origin) = header(request, "Origin") {
            let from_here = self
                .hosts
                .iter()
                .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")));
            if !from_here {
                return Err(Failure::new(
                    403,
                    format!("Origin {origin:?} is not this page"),
                ));
            }
        }
        let is_json = header(request, "Content-Type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            return Err(Failure::new(415, "the body must be application/json"));
        }
        if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        request
            .as_reader()
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| Failure::new(400, format!("cannot read the body: {e}")))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        serde_json::from_slice(&body).map_err(|e| Failure::new(400, format!("bad JSON: {e}")))
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
    fn model(&self) -> Result<Reply, Failure> {
        let bytes = self
            .ask(Command::Export)?
            .map_err(|e| Failure::new(500, e))?;
        Ok(Response::from_data(bytes)
            .with_header(content_type("application/json"))
            .with_header(Header::from_bytes("Cache-Control", "no-store").expect("a valid header"))
            .with_header(
                Header::from_bytes(
                    "Content-Disposition",
                    "attachment; filename=\"playground-model.json\"",
                )
                .expect("a valid header"),
            ))
    }

    /// Streams snapshots as server-sent events on a thread of its own.
    fn stream(self: &Arc<Self>, request: Request) {
        if self.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            self.streams.fetch_sub(1, Ordering::SeqCst);
            let failure = Failure::new(503, format!("at most {MAX_STREAMS} event streams at once"));
            let _ = request.respond(error_response(&failure));
            return;
        }
        let context = Arc::clone(self);
        let spawned = thread::Builder::new()
            .name("playground-sse".into())
            .spawn(move || {
                let mut writer = request.into_writer();
                // Ends when the page goes away (a write fails).
                let _ = write_events(&mut *writer, &context);
                context.streams.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            self.streams.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Writes the response head of an event stream, then every new snapshot
/// as one event (`data: {json}`), flushed at once, until a write fails.
/// tiny_http's own responses are sent whole, so the stream writes its head
/// itself; without a length, the body lasts until the connection closes.
fn write_events(writer: &mut dyn Write, context: &Context) -> io::Result<()> {
    writer.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
    )?;
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

/// The value of header `name`, if present.
fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// A `Content-Type` header.
fn content_type(value: &str) -> Header {
    Header::from_bytes("Content-Type", value).expect("a valid header")
}

/// A response with `body` of type `kind`, never cached, never sniffed, and
/// allowed to load nothing but this server's own assets.
fn with_headers(status: u16, body: Vec<u8>, kind: &str) -> Reply {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(content_type(kind))
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("a valid header"))
        .with_header(
            Header::from_bytes("X-Content-Type-Options", "nosniff").expect("a valid header"),
        )
        .with_header(
            Header::from_bytes(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:",
            )
            .expect("a valid header"),
        )
}

/// An embedded asset.
fn asset(text: &str, kind: &str) -> Reply {
    with_headers(200, text.as_bytes().to_vec(), kind)
}

/// A JSON body.
fn json_response(status: u16, json: &str) -> Reply {
    with_headers(status, json.as_bytes().to_vec(), "application/json")
}

/// `{"ok": true}`.
fn ok() -> Reply {
    json_response(200, r#"{"ok":true}"#)
}

/// `{"error": message}` with the failure's status.
fn error_response(failure: &Failure) -> Reply {
    let body = serde_json::json!({ "error": failure.1 }).to_string();
    json_response(failure.0, &body)
}

/// The failure of a body over [`MAX_BODY_BYTES`].
fn too_large() -> Failure {
    Failure::new(
        413,
        format!("the body is larger than {MAX_BODY_BYTES} bytes"),
    )
}
