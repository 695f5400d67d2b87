//! The build script of both Rust peers: passes the locked version of the
//! peer's library (candle-core for candle_mlp, burn for burn_mlp), read from
//! the committed Cargo.lock, to the program as PEER_VERSION, for the
//! "version" of its JSON lines.

fn main() {
    let krate = match std::env::var("CARGO_PKG_NAME").unwrap().as_str() {
        "candle_mlp" => "candle-core",
        _ => "burn",
    };
    let lock = std::fs::read_to_string("Cargo.lock").expect("the committed Cargo.lock");
    let needle = format!("name = \"{krate}\"\nversion = \"");
    let version = lock
        .split_once(&needle)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or("unknown", |(v, _)| v);
    println!("cargo:rustc-env=PEER_VERSION={version}");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
