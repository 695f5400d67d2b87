//! `playground`: a local web page on which a small MLP trains live, with
//! its sparsity and one backward pass shown node by node.

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

use clap::Parser;
use sparsegrad_examples::playground::server::Playground;

/// Train a small network in the browser: watch L1 and L2 sparsify it, and
/// step through one backward pass.
#[derive(Parser)]
#[command(version, allow_negative_numbers = true)]
struct Cli {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on. Anything but a loopback address lets other
    /// machines reach the page and drive the server.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(run(&sparsegrad_examples::cli::parse::<Cli>()))
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    if !cli.host.is_loopback() {
        eprintln!(
            "warning: --host {} makes the playground reachable from other machines; it has no authentication",
            cli.host
        );
    }
    let playground = Playground::bind(cli.host, cli.port)?;
    println!("playground: open {}", playground.url());
    println!("(Ctrl-C stops it)");
    let _ = playground.spawn().join();
    Ok(())
}
