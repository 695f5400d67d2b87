//! The playground's server, end to end over loopback: every endpoint, the
//! update split against the update rules written out by hand, bad
//! requests, the Host and Origin checks, and many clients at once.

mod playground_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sparsegrad::io::model_file::AnyModelFile;
use sparsegrad_examples::playground::http::MAX_HEAD_BYTES;
use sparsegrad_examples::playground::server::{MAX_BODY_BYTES, MAX_STREAMS};

use playground_support::{Reply, get, post, raw, start};

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[test]
fn the_page_and_its_assets_are_served_with_a_strict_policy() {
    let address = start();
    let page = get(address, "/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<script src=\"/app.js\">"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    for (path, kind) in [("/app.js", "text/javascript"), ("/style.css", "text/css")] {
        let asset = get(address, path);
        assert_eq!(asset.status, 200, "{path}");
        assert!(
            asset.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        assert!(!asset.body.is_empty());
    }
    // Nothing loads from elsewhere: the page works offline.
    for asset in ["/", "/app.js", "/style.css"] {
        let text = get(address, asset)
            .text()
            .replace("\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} links out"
        );
    }
}

#[test]
fn state_points_and_config_round_trip() {
    let address = start();
    let state = get(address, "/api/state").json();
    assert_eq!(state["config"]["task"], "circle");
    assert_eq!(state["sizes"], json!([2, 8, 8, 2]));
    assert_eq!(state["counts"]["zeros"], 0);

    let reply = post(
        address,
        "/api/config",
        r#"{"task": "line", "samples": 100, "test_fraction": 0.2, "noise_features": 2, "hidden": [4]}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let state = get(address, "/api/state").json();
    assert_eq!(state["task"], "regression");
    assert_eq!(state["sizes"], json!([4, 4, 1]));
    assert_eq!(state["features"], json!(["x0", "x1", "noise0", "noise1"]));
    assert_eq!(state["config"]["samples"], 100);
    let points = get(address, "/api/points").json();
    assert_eq!(points["train"].as_array().unwrap().len(), 80);
    assert_eq!(points["test"].as_array().unwrap().len(), 20);
    // The line task's target is x0 plus noise of std 0.1.
    for p in points["train"].as_array().unwrap() {
        let p = numbers(p);
        assert!((p[2] - p[0]).abs() < 0.6, "{p:?}");
    }
}

#[test]
fn play_pause_step_and_reset_drive_the_training_thread() {
    let address = start();
    let control = |action: &str| {
        let reply = post(
            address,
            "/api/control",
            &format!(r#"{{"action": "{action}"}}"#),
        );
        assert_eq!(reply.status, 200, "{action}: {}", reply.text());
    };
    control("step");
    assert_eq!(get(address, "/api/state").json()["step"], 1);
    control("play");
    thread::sleep(Duration::from_millis(500));
    control("pause");
    let state = get(address, "/api/state").json();
    assert_eq!(state["playing"], false);
    let steps = state["step"].as_u64().unwrap();
    assert!(steps > 10, "only {steps} steps in half a second of play");
    thread::sleep(Duration::from_millis(300));
    assert_eq!(
        get(address, "/api/state").json()["step"],
        steps,
        "paused means paused"
    );
    assert!(state["losses"]["train"].as_array().unwrap().len() > 2);
    control("reset");
    let state = get(address, "/api/state").json();
    assert_eq!(state["step"], 0);
    assert!(state["run"].as_u64().unwrap() >= 1);
}

/// Configures `regime` at strength `lambda` on plain SGD and takes one
/// slow step; returns the state after it and the backprop view.
fn one_slow_step(regime: &str, momentum: f64, lambda: f64) -> (Value, Value) {
    slow_step_on(start(), regime, momentum, lambda)
}

/// [`one_slow_step`] on the server at `address`, in a new run.
fn slow_step_on(address: SocketAddr, regime: &str, momentum: f64, lambda: f64) -> (Value, Value) {
    let config = format!(
        r#"{{"task": "xor", "optimizer": "sgd", "momentum": {momentum}, "lr": 0.5, "regime": "{regime}", "lambda": {lambda}, "l1_ratio": 0.5, "hidden": [3], "noise_features": 1}}"#
    );
    assert_eq!(post(address, "/api/config", &config).status, 200);
    // A few ordinary steps first, so that momentum has a buffer.
    for _ in 0..3 {
        assert_eq!(
            post(address, "/api/control", r#"{"action": "step"}"#).status,
            200
        );
    }
    let reply = post(address, "/api/backprop", "{}");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let view = reply.json();
    let after = get(address, "/api/state").json();
    (after, view)
}

/// The update of every parameter in `view`, one element at a time.
fn splits(view: &Value) -> impl Iterator<Item = (String, [f64; 7])> + '_ {
    view["updates"].as_array().unwrap().iter().flat_map(|u| {
        let name = u["name"].as_str().unwrap().to_string();
        let field = |f: &str| numbers(&u[f]);
        let (w, g, p, d, o, x, n) = (
            field("w"),
            field("data_grad"),
            field("penalty_grad"),
            field("decay"),
            field("optimizer_step"),
            field("prox_step"),
            field("w_next"),
        );
        (0..w.len())
            .map(move |i| (name.clone(), [w[i], g[i], p[i], d[i], o[i], x[i], n[i]]))
            .collect::<Vec<_>>()
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn the_update_split_of_l1_proximal_sgd_is_the_soft_threshold_of_the_gradient_step() {
    let (after, view) = one_slow_step("l1_proximal", 0.0, 0.05);
    let (lr, lambda) = (0.5, 0.05);
    let mut zeroed = 0;
    for (name, [w, g, p, d, o, x, n]) in splits(&view) {
        assert_eq!(
            (p, d),
            (0.0, 0.0),
            "{name}: the proximal L1 adds nothing to the gradient"
        );
        // v = w − lr·g; w' = sign(v)·max(|v| − lr·λ, 0) for weights, v for biases.
        let v = w - lr * g;
        assert!(
            close(o, -lr * g),
            "{name}: optimizer step {o} != {}",
            -lr * g
        );
        let expected = if name.ends_with(".bias") {
            v
        } else {
            v.signum() * (v.abs() - lr * lambda).max(0.0)
        };
        assert!(close(n, expected), "{name}: w' = {n}, by hand {expected}");
        assert!(close(x, n - v), "{name}: prox step {x} != {}", n - v);
        zeroed += usize::from(n == 0.0 && v != 0.0);
    }
    assert!(zeroed > 0, "one step at lr·λ = 0.025 zeroes some weight");
    // The view's w' is what the network holds now.
    let first = after["layers"][0]["weight"].as_array().unwrap();
    let split = view["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "layers.0.weight")
        .unwrap();
    let flat: Vec<f64> = first.iter().flat_map(numbers).collect();
    assert_eq!(flat, numbers(&split["w_next"]));
}

#[test]
fn the_update_split_of_l2_names_the_penalty_term_and_the_decay() {
    let (lr, lambda) = (0.5, 0.05);
    let (_, coupled) = one_slow_step("l2_coupled", 0.0, 0.05);
    for (name, [w, g, p, d, o, x, n]) in splits(&coupled) {
        let expected_p = if name.ends_with(".bias") {
            0.0
        } else {
            lambda * w
        };
        assert!(
            close(p, expected_p),
            "{name}: penalty term {p}, by hand {expected_p}"
        );
        assert_eq!((d, x), (0.0, 0.0), "{name}");
        assert!(close(o, -lr * (g + p)), "{name}");
        assert!(close(n, w + o), "{name}");
    }
    let (_, decoupled) = one_slow_step("l2_decoupled", 0.0, 0.05);
    for (name, [w, g, p, d, o, _, n]) in splits(&decoupled) {
        let expected_d = if name.ends_with(".bias") {
            0.0
        } else {
            -lr * lambda * w
        };
        assert!(
            close(d, expected_d),
            "{name}: decay {d}, by hand {expected_d}"
        );
        assert_eq!(p, 0.0, "{name}");
        assert!(close(n, w + d + o), "{name}");
        assert!(close(o, -lr * g), "{name}");
    }
}

#[test]
fn with_momentum_the_parts_still_add_up_to_the_update() {
    let (_, view) = one_slow_step("elastic_net", 0.9, 0.05);
    let mut momentum_seen = false;
    for (name, [w, g, p, d, o, x, n]) in splits(&view) {
        assert!(close(w + d + o + x, n), "{name}");
        // Momentum makes the step differ from −lr·(g + p) once it has a buffer.
        momentum_seen |= !close(o, -0.5 * (g + p));
    }
    assert!(momentum_seen);
    let ops: Vec<&str> = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["cross_entropy", "linear", "tanh", "linear"]);
    // Each step is tied to a node with that op, whose inputs it lists.
    for step in view["steps"].as_array().unwrap() {
        let node = &view["nodes"][step["node"].as_u64().unwrap() as usize];
        assert_eq!(node["op"], step["op"]);
        assert_eq!(
            step["inputs"].as_array().unwrap().len(),
            step["grads_out"].as_array().unwrap().len()
        );
    }
    assert_eq!(view["nodes"][0]["name"], "loss");
}

/// Checks the update split of a group lasso on plain SGD (lr 0.5) against
/// its rule written out by hand: v = w − lr·g, then, on each weight of a
/// layer in `grouped` (the others only take the gradient step), the soft
/// threshold at lr·λ1 and the block soft threshold max(1 − lr·λg·√p/‖z_j‖₂, 0)·z_j of each column j
/// of p rows. Returns how many columns it zeroed and how many it kept.
fn check_group_split(view: &Value, l1: f64, group: f64, grouped: &[u64]) -> (usize, usize) {
    let lr = 0.5;
    let (mut zeroed, mut kept) = (0, 0);
    for update in view["updates"].as_array().unwrap() {
        let name = update["name"].as_str().unwrap();
        let field = |f: &str| numbers(&update[f]);
        let (w, g, x, n) = (
            field("w"),
            field("data_grad"),
            field("prox_step"),
            field("w_next"),
        );
        assert!(field("penalty_grad").iter().all(|&p| p == 0.0), "{name}");
        assert!(field("decay").iter().all(|&d| d == 0.0), "{name}");
        let v: Vec<f64> = w.iter().zip(&g).map(|(w, g)| w - lr * g).collect();
        let weight = update["layer"].as_u64();
        let in_group = weight.is_some_and(|l| grouped.contains(&l));
        let threshold = if in_group { lr * l1 } else { 0.0 };
        let mut expected: Vec<f64> = v
            .iter()
            .map(|v| v.signum() * (v.abs() - threshold).max(0.0))
            .collect();
        if in_group {
            let shape = numbers(&update["shape"]);
            let (rows, cols) = (shape[0] as usize, shape[1] as usize);
            let t = lr * group * (rows as f64).sqrt();
            for j in 0..cols {
                let norm = (0..rows)
                    .map(|r| expected[r * cols + j].powi(2))
                    .sum::<f64>()
                    .sqrt();
                let factor = (1.0 - t / norm).max(0.0);
                for r in 0..rows {
                    expected[r * cols + j] *= factor;
                }
                if factor == 0.0 {
                    zeroed += 1;
                } else {
                    kept += 1;
                }
            }
        }
        for k in 0..w.len() {
            assert!(
                close(n[k], expected[k]),
                "{name}[{k}]: w' = {}, by hand {}",
                n[k],
                expected[k]
            );
            assert!(close(x[k], n[k] - v[k]), "{name}[{k}]: prox step");
        }
    }
    (zeroed, kept)
}

#[test]
fn the_update_split_of_the_group_lassos_is_the_block_soft_threshold() {
    // xor with one noise input: W₁ [3, 3] has one column per input, the
    // output layer's W₂ [2, 3] one per hidden neuron. One server for the
    // three runs (the memory test counts this process's servers).
    let address = start();
    let (after, features) = slow_step_on(address, "group_lasso_features", 0.0, 0.15);
    let (zeroed, kept) = check_group_split(&features, 0.0, 0.15, &[0]);
    assert!(
        zeroed > 0 && kept > 0,
        "{zeroed} inputs zeroed, {kept} kept"
    );
    assert_eq!(after["config"]["regime"], "group_lasso_features");
    // The snapshot counts what the step did.
    let removed = after["removed_inputs"].as_array().unwrap();
    assert_eq!(
        removed.iter().filter(|r| r == &&json!(true)).count(),
        zeroed
    );

    let (_, neurons) = slow_step_on(address, "group_lasso_neurons", 0.0, 0.3);
    let (zeroed, kept) = check_group_split(&neurons, 0.0, 0.3, &[1]);
    assert!(zeroed + kept == 3, "one group per hidden neuron");

    // Sparse group lasso at α = 0.5: λ1 = λg = λ/2.
    let (_, sparse) = slow_step_on(address, "sparse_group_lasso", 0.0, 0.6);
    let (zeroed, kept) = check_group_split(&sparse, 0.3, 0.3, &[0]);
    assert!(zeroed + kept == 3, "one group per input");
}

#[test]
fn the_exported_model_is_a_model_file_with_the_networks_weights() {
    let address = start();
    post(address, "/api/control", r#"{"action": "step"}"#);
    let reply = get(address, "/api/model");
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let AnyModelFile::F64(model) = AnyModelFile::from_json_bytes(&reply.body).unwrap() else {
        panic!("the playground trains in f64");
    };
    let state = get(address, "/api/state").json();
    let (_, weight, bias) = model.linear_layers().next().unwrap();
    let shown: Vec<f64> = state["layers"][0]["weight"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(numbers)
        .collect();
    assert_eq!(weight.iter().copied().collect::<Vec<_>>(), shown);
    assert_eq!(bias.to_vec(), numbers(&state["layers"][0]["bias"]));
    assert_eq!(model.features(), ["x0", "x1"]);
}

#[test]
fn an_uploaded_csv_becomes_the_data() {
    let address = start();
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        let x = i as f64 / 10.0 - 2.0;
        csv.push_str(&format!("{x},{},{}\n", -x, usize::from(x > 0.0)));
    }
    let body = json!({ "csv": csv, "task": "classification" }).to_string();
    let reply = post(address, "/api/upload", &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let state = get(address, "/api/state").json();
    assert_eq!(state["config"]["task"], "upload");
    let points = get(address, "/api/points").json();
    let total =
        points["train"].as_array().unwrap().len() + points["test"].as_array().unwrap().len();
    assert_eq!(total, 40);

    let bad = json!({ "csv": "a,b,label\n1,2,0\n1,2,7\n", "task": "classification" }).to_string();
    let reply = post(address, "/api/upload", &bad);
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["error"].as_str().unwrap().contains("line 3"),
        "{}",
        reply.text()
    );
    let columns = json!({ "csv": "a,b\n1,2\n", "task": "regression" }).to_string();
    assert!(
        post(address, "/api/upload", &columns).json()["error"]
            .as_str()
            .unwrap()
            .contains("3 columns")
    );
    // The failed uploads left the good one in place.
    assert_eq!(
        get(address, "/api/state").json()["config"]["task"],
        "upload"
    );
}

/// Asserts that `reply` is a JSON error with `status` whose message holds
/// `needle`.
fn error(reply: Reply, status: u16, needle: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    let message = reply.json()["error"].as_str().unwrap().to_string();
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
}

#[test]
fn bad_requests_get_clear_json_errors_and_the_server_goes_on() {
    let address = start();
    for (path, body, status, needle) in [
        ("/api/config", "{not json", 400, "bad JSON"),
        (
            "/api/config",
            r#"{"tsak": "xor"}"#,
            400,
            "unknown field `tsak`",
        ),
        (
            "/api/config",
            r#"{"hidden": [8, 8, 8, 8, 8]}"#,
            400,
            "hidden: at most 4",
        ),
        ("/api/config", r#"{"hidden": [17]}"#, 400, "1..=16"),
        ("/api/config", r#"{"samples": 100000}"#, 400, "samples"),
        ("/api/config", r#"{"lr": -1}"#, 400, "lr"),
        (
            "/api/config",
            r#"{"task": "mnist"}"#,
            400,
            "unknown variant",
        ),
        (
            "/api/config",
            r#"{"regime": "group_lasso"}"#,
            400,
            "expected one of `none`, `l2_coupled`",
        ),
        (
            "/api/config",
            r#"{"regime": "group_lasso_neurons", "hidden": []}"#,
            400,
            "regime: group_lasso_neurons needs a hidden layer",
        ),
        (
            "/api/control",
            r#"{"action": "fly"}"#,
            400,
            "unknown variant",
        ),
        ("/api/backprop", r#"{"x": 1}"#, 400, "unknown field"),
        // A value of the wrong type names its field, and an array is not
        // read as a struct's fields in order.
        (
            "/api/config",
            r#"{"lr": "fast"}"#,
            400,
            "lr: invalid type: string \"fast\"",
        ),
        (
            "/api/config",
            r#"{"hidden": [8, "a"]}"#,
            400,
            "hidden[1]: invalid type",
        ),
        (
            "/api/control",
            r#"{"action": 5}"#,
            400,
            "action: invalid type",
        ),
        ("/api/config", "[]", 400, "must be a JSON object"),
        ("/api/config", r#"{"lambda": 1e308}"#, 400, "got 1e308"),
    ] {
        error(post(address, path, body), status, needle);
    }
    let huge = json!({ "csv": "x".repeat(MAX_BODY_BYTES), "task": "regression" }).to_string();
    error(post(address, "/api/upload", &huge), 413, "larger than");
    error(get(address, "/etc/passwd"), 404, "no such page");
    error(get(address, "/api/config"), 405, "not allowed");
    error(
        raw(
            address,
            &format!(
                "POST /api/control HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\nContent-Length: 17"
            ),
            br#"{"action":"play"}"#,
        ),
        415,
        "application/json",
    );
    // After all that, the server answers as before.
    assert_eq!(get(address, "/api/state").status, 200);
    assert_eq!(post(address, "/api/config", "{}").status, 200);
}

/// Sends `head` and `body` on a fresh connection, closes the sending side
/// (the client has nothing more), and reads the whole answer.
fn send_and_hang_up(address: SocketAddr, head: &str, body: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer
}

#[test]
fn hostile_heads_and_bodies_are_refused_before_they_cost_memory() {
    let address = start();
    let control = |extra: &str, body: &[u8]| {
        raw(
            address,
            &format!(
                "POST /api/control HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json{extra}"
            ),
            body,
        )
    };
    // A declared length far beyond memory is refused unread (under
    // tiny_http it was allocated in one piece and aborted the process).
    for (extra, status, needle) in [
        ("\r\nContent-Length: 999999999999", 413, "larger than"),
        (
            "\r\nContent-Length: 18446744073709551616",
            400,
            "Content-Length",
        ),
        ("\r\nContent-Length: -5", 400, "Content-Length"),
        (
            "\r\nContent-Length: 17\r\nContent-Length: 18",
            400,
            "Content-Length",
        ),
        ("", 411, "no Content-Length"),
        // RFC 9110: digits only (Rust's u64 parser takes a '+')
        ("\r\nContent-Length: +2", 400, "Content-Length"),
        (
            &format!("\r\nHost: {address}\r\nContent-Length: 2"),
            400,
            "more than one Host",
        ),
    ] {
        error(control(extra, b""), status, needle);
    }
    error(
        control(
            "\r\nTransfer-Encoding: chunked",
            b"11\r\n{\"action\":\"play\"}\r\n0\r\n\r\n",
        ),
        411,
        "chunked",
    );
    let long_head = format!(
        "GET /api/state HTTP/1.1\r\nHost: {address}\r\nX-Padding: {}",
        "a".repeat(MAX_HEAD_BYTES)
    );
    error(raw(address, &long_head, b""), 431, "larger than");
    let many_fields: String = (0..100).map(|i| format!("\r\nX-{i}: {i}")).collect();
    error(
        raw(
            address,
            &format!("GET /api/state HTTP/1.1\r\nHost: {address}{many_fields}"),
            b"",
        ),
        431,
        "fields",
    );
    error(
        raw(address, "GET /api/state HTTP/1.1\r\nHost\x00: x", b""),
        400,
        "malformed",
    );
    // A body that ends before its declared length: 400 at once, not a hang.
    let short = send_and_hang_up(
        address,
        &format!(
            "POST /api/control HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        ),
        br#"{"action""#,
    );
    let short = String::from_utf8_lossy(&short);
    assert!(short.starts_with("HTTP/1.1 400 "), "{short}");
    assert!(short.contains("cannot read the body"), "{short}");
    // A client that asks before sending its body is told to go on, once
    // the head has passed the checks.
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = br#"{"action":"pause"}"#;
    write!(
        stream,
        "POST /api/control HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    // The server is whole and answers as before.
    assert_eq!(get(address, "/api/state").status, 200);
}

/// Listening on every address (`--host 0.0.0.0`), the server answers the
/// names a client of this or another machine uses, its IP addresses with
/// its port, and still refuses names (DNS rebinding) and other ports.
#[test]
fn on_every_address_any_ip_of_its_port_is_this_server() {
    let playground = sparsegrad_examples::playground::server::Playground::bind(
        std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        0,
    )
    .unwrap();
    let port = playground.address().port();
    playground.spawn();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let host = |value: &str| {
        raw(
            address,
            &format!("GET /api/state HTTP/1.1\r\nHost: {value}"),
            b"",
        )
        .status
    };
    for allowed in [
        format!("127.0.0.1:{port}"),
        format!("192.0.2.7:{port}"),
        format!("[::1]:{port}"),
        format!("localhost:{port}"),
    ] {
        assert_eq!(host(&allowed), 200, "{allowed}");
    }
    for refused in [
        format!("evil.example:{port}"),
        format!("192.0.2.7:{}", port.wrapping_add(1)),
        "192.0.2.7".to_string(),
    ] {
        assert_eq!(host(&refused), 403, "{refused}");
    }
}

#[test]
fn only_requests_for_the_bound_address_are_answered() {
    let address = start();
    let port = address.port();
    let host = |value: &str| {
        raw(
            address,
            &format!("GET /api/state HTTP/1.1\r\nHost: {value}"),
            b"",
        )
    };
    assert_eq!(host(&format!("127.0.0.1:{port}")).status, 200);
    assert_eq!(host(&format!("localhost:{port}")).status, 200);
    let rebound = host(&format!("evil.example:{port}"));
    assert_eq!(rebound.status, 403);
    assert!(
        rebound.json()["error"]
            .as_str()
            .unwrap()
            .contains("DNS rebinding")
    );
    assert_eq!(
        host(&format!("127.0.0.1:{}", port.wrapping_add(1))).status,
        403
    );
    assert_eq!(
        raw(address, "GET /api/state HTTP/1.1", b"").status,
        400,
        "no Host"
    );
    let foreign = raw(
        address,
        &format!(
            "POST /api/control HTTP/1.1\r\nHost: {address}\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: 17"
        ),
        br#"{"action":"play"}"#,
    );
    assert_eq!(foreign.status, 403);
    let own = raw(
        address,
        &format!(
            "POST /api/control HTTP/1.1\r\nHost: {address}\r\nOrigin: http://{address}\r\nContent-Type: application/json\r\nContent-Length: 18"
        ),
        br#"{"action":"pause"}"#,
    );
    assert_eq!(own.status, 200);
}

/// Opens an event stream; returns the socket and its status line.
fn open_stream(address: std::net::SocketAddr) -> (BufReader<TcpStream>, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    (reader, status)
}

#[test]
fn the_event_stream_sends_snapshots_as_they_come() {
    let address = start();
    let (mut reader, status) = open_stream(address);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let mut content_type = String::new();
    let mut events = Vec::new();
    post(address, "/api/control", r#"{"action": "play"}"#);
    let mut line = String::new();
    while events.len() < 5 {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.to_ascii_lowercase().starts_with("content-type:") {
            content_type = line.clone();
        }
        if let Some(data) = line.strip_prefix("data: ") {
            let snapshot: Value = serde_json::from_str(data).unwrap();
            events.push(snapshot["step"].as_u64().unwrap());
        }
    }
    assert!(content_type.contains("text/event-stream"));
    assert!(events.windows(2).all(|w| w[0] <= w[1]), "{events:?}");
    assert!(
        events.last() > events.first(),
        "training went on: {events:?}"
    );
}

/// The resident memory of this process, in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn many_clients_at_once_for_a_few_seconds() {
    let address = start();
    post(address, "/api/control", r#"{"action": "play"}"#);
    // Streams beyond the limit are refused, not queued.
    let streams: Vec<_> = (0..MAX_STREAMS + 4).map(|_| open_stream(address)).collect();
    let accepted = streams
        .iter()
        .filter(|(_, s)| s.starts_with("HTTP/1.1 200"))
        .count();
    let refused = streams
        .iter()
        .filter(|(_, s)| s.starts_with("HTTP/1.1 503"))
        .count();
    assert_eq!((accepted, refused), (MAX_STREAMS, 4));
    drop(streams);

    let before = resident_bytes();
    let answered = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(3);
    let clients: Vec<_> = (0..24)
        .map(|i| {
            let answered = Arc::clone(&answered);
            thread::spawn(move || {
                let mut rounds = 0;
                while Instant::now() < deadline && rounds < 400 {
                    rounds += 1;
                    let status = match (i + rounds) % 6 {
                        0 => get(address, "/api/state").status,
                        1 => post(address, "/api/config", "{oops").status,
                        2 => post(address, "/api/control", r#"{"action": "step"}"#).status,
                        3 => post(address, "/api/control", r#"{"action": "play"}"#).status,
                        4 => get(address, "/app.js").status,
                        _ => raw(address, "GET /api/state HTTP/1.1\r\nHost: evil", b"").status,
                    };
                    assert!([200, 400, 403].contains(&status), "status {status}");
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("no client saw a bad answer");
    }
    let growth = resident_bytes().saturating_sub(before);
    println!(
        "playground: {} requests answered in 3 s by 24 clients; resident memory grew {} KiB",
        answered.load(Ordering::Relaxed),
        growth / 1024
    );
    assert!(answered.load(Ordering::Relaxed) > 100);
    assert!(growth < 64 << 20, "memory grew by {growth} bytes");
    // The stream slots came back once their clients left.
    thread::sleep(Duration::from_millis(300));
    let (_, status) = open_stream(address);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert_eq!(get(address, "/api/state").status, 200);
}
