//! The playground: a local web page on which a small MLP trains live, its
//! weights sparsify under the chosen penalty, and one backward pass can be
//! walked node by node.
//!
//! The server ([`server`], over the bare HTTP of [`http`]) binds 127.0.0.1 and serves a page embedded in
//! the binary (plain HTML, JS and SVG: it works offline). Training runs on
//! one thread ([`driver`]) through the library, the same optimizers and
//! penalties as everything else ([`optimizer`]); the page receives the
//! state ([`snapshot`]) as server-sent events and sends its controls as
//! JSON ([`config`]).
//!
//! - [`data`]: the 2-D tasks, noise features and CSV uploads;
//! - [`session`]: one run: data, network, optimizer, history;
//! - [`backprop`]: one backward pass as the page walks it.

pub mod backprop;
pub mod config;
pub mod data;
pub mod driver;
pub mod http;
pub mod optimizer;
pub mod server;
pub mod session;
pub mod snapshot;
