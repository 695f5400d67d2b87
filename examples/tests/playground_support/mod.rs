//! What the playground's tests share: a server on a free loopback port, and
//! a plain HTTP/1.1 client on a socket (so that tests can send what a
//! browser would not: wrong Host headers, broken bodies).

#![allow(dead_code)] // each test file uses part of it

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use sparsegrad_examples::playground::server::Playground;

/// Starts a playground on 127.0.0.1 with a free port; returns its address.
pub fn start() -> SocketAddr {
    let playground =
        Playground::bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 0).expect("a loopback port is free");
    let address = playground.address();
    playground.spawn();
    address
}

/// A response: status, headers (lower-case names) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `head` (request line and headers, without the blank line; a
/// `Connection: close` is added) and `body`, reads the whole response.
pub fn raw(address: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let request = format!("{head}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    // The server may answer (413) before it has read all of a large body.
    let _ = stream.write_all(body);
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    parse(&bytes)
}

/// Parses a complete HTTP/1.1 response; its body lasts until the server
/// closes the connection (the playground answers once per connection).
fn parse(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

/// GET `path` with the right Host.
pub fn get(address: SocketAddr, path: &str) -> Reply {
    raw(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}"),
        b"",
    )
}

/// POST `body` as JSON to `path` with the right Host.
pub fn post(address: SocketAddr, path: &str, body: &str) -> Reply {
    raw(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
}
