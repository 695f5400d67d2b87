//! The options map to CLI.md's update rules: a few full-batch steps of a
//! linear model in f64 from `--init` equal the five-step update written
//! out here by hand (decoupled L2, coupled L2, L1 subgradient, the SGD or
//! Adam step as torch.optim writes them, proximal L1), with the biases
//! unpenalized under `--penalize weights` and penalized under `--penalize all`;
//! with a learning-rate schedule (torch's StepLR, CosineAnnealingLR,
//! ExponentialLR formulas) and gradient clipping (clip_grad_norm_,
//! clip_grad_value_ on the data gradient, before the penalty).

mod fit_support;

use fit_support::{
    Scratch, assert_success, csv_text, fit, linear_layers, model_file_text, read_json, s,
};

const X: [[f64; 2]; 4] = [[1.0, -2.0], [0.5, 1.5], [-1.0, 0.25], [2.0, 1.0]];
const Y: [f64; 4] = [1.0, -0.5, 2.0, 0.75];
const INIT: [f64; 3] = [0.3, -0.2, 0.1]; // w0, w1, b

/// The hyperparameters of one run.
#[derive(Clone, Copy, Default)]
struct Rule {
    adam: bool,
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    l1: f64,
    proximal: bool,
    l2: f64,
    decoupled: bool,
    penalize_bias: bool,
    schedule: Schedule,
    /// `--clip-grad-norm`.
    clip_norm: Option<f64>,
    /// `--clip-grad-value`.
    clip_value: Option<f64>,
}

/// `--lr-schedule` with its parameters.
#[derive(Clone, Copy, Default)]
enum Schedule {
    #[default]
    Constant,
    /// StepLR(step_size, γ).
    Step(usize, f64),
    /// CosineAnnealingLR(T_max, η_min).
    Cosine(usize, f64),
    /// ExponentialLR(γ).
    Exponential(f64),
}

impl Schedule {
    /// The rate of epoch `e` (from 0) for base rate `lr`, as torch writes it.
    fn lr(self, lr: f64, e: usize) -> f64 {
        match self {
            Schedule::Constant => lr,
            Schedule::Step(k, gamma) => lr * gamma.powi((e / k) as i32),
            Schedule::Cosine(t_max, eta_min) => {
                let phase = std::f64::consts::PI * e as f64 / t_max as f64;
                eta_min + (lr - eta_min) * (1.0 + phase.cos()) / 2.0
            }
            Schedule::Exponential(gamma) => lr * gamma.powi(e as i32),
        }
    }

    fn options(self) -> Vec<String> {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        match self {
            Schedule::Constant => Vec::new(),
            Schedule::Step(k, gamma) => strings(&[
                "--lr-schedule=step",
                &format!("--lr-step-size={k}"),
                &format!("--lr-gamma={gamma}"),
            ]),
            Schedule::Cosine(t_max, eta_min) => strings(&[
                "--lr-schedule=cosine",
                &format!("--lr-t-max={t_max}"),
                &format!("--lr-eta-min={eta_min}"),
            ]),
            Schedule::Exponential(gamma) => {
                strings(&["--lr-schedule=exponential", &format!("--lr-gamma={gamma}")])
            }
        }
    }
}

impl Rule {
    /// The options of `fit` that ask for this rule (plain SGD and Adam
    /// spell L2 decoupling as `--decoupled`).
    fn options(&self) -> Vec<String> {
        let mut options = vec![
            "--optimizer".to_string(),
            if self.adam { "adam" } else { "sgd" }.to_string(),
        ];
        let mut number = |name: &str, value: f64| {
            options.extend([format!("--{name}"), value.to_string()]);
        };
        number("lr", self.lr);
        number("momentum", self.momentum);
        number("dampening", self.dampening);
        number("l1", self.l1);
        number("l2", self.l2);
        let flags = [
            (self.nesterov, "--nesterov"),
            (self.proximal, "--l1-mode=proximal"),
            (self.decoupled, "--decoupled"),
            (self.penalize_bias, "--penalize=all"),
        ];
        options.extend(
            flags
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, flag)| flag.to_string()),
        );
        options.extend(self.schedule.options());
        if let Some(bound) = self.clip_norm {
            options.push(format!("--clip-grad-norm={bound}"));
        }
        if let Some(bound) = self.clip_value {
            options.push(format!("--clip-grad-value={bound}"));
        }
        options
    }
}

/// The MSE (mean, no ½) of the parameters (w0, w1, b).
fn mse(p: &[f64; 3]) -> f64 {
    X.iter()
        .zip(Y)
        .map(|(x, y)| (p[0] * x[0] + p[1] * x[1] + p[2] - y).powi(2))
        .sum::<f64>()
        / 4.0
}

/// The MSE gradient (mean, no ½) with respect to (w0, w1, b).
fn gradient(p: &[f64; 3]) -> [f64; 3] {
    let mut g = [0.0; 3];
    for (x, y) in X.iter().zip(Y) {
        let error = p[0] * x[0] + p[1] * x[1] + p[2] - y;
        g[0] += 2.0 * error * x[0] / 4.0;
        g[1] += 2.0 * error * x[1] / 4.0;
        g[2] += 2.0 * error / 4.0;
    }
    g
}

/// `steps` updates by CLI.md's rules: the final parameters and the loss
/// before each step.
fn by_hand(rule: Rule, steps: usize) -> ([f64; 3], Vec<f64>) {
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let mut p = INIT;
    let (mut buffer, mut m, mut v) = ([0.0; 3], [0.0; 3], [0.0; 3]);
    let mut losses = Vec::new();
    for t in 1..=steps {
        losses.push(mse(&p));
        let lr = rule.schedule.lr(rule.lr, t - 1); // one step per epoch
        let mut raw = gradient(&p);
        if let Some(max_norm) = rule.clip_norm {
            let norm = raw.iter().map(|g| g * g).sum::<f64>().sqrt();
            let coefficient = max_norm / (norm + 1e-6);
            if coefficient < 1.0 {
                raw = raw.map(|g| g * coefficient);
            }
        }
        if let Some(v) = rule.clip_value {
            raw = raw.map(|g| g.clamp(-v, v));
        }
        for i in 0..3 {
            let penalized = i < 2 || rule.penalize_bias;
            let mut g = raw[i];
            if penalized {
                if rule.decoupled {
                    p[i] -= lr * rule.l2 * p[i];
                } else {
                    g += rule.l2 * p[i];
                }
                if !rule.proximal {
                    let sign = if p[i] > 0.0 {
                        1.0
                    } else if p[i] < 0.0 {
                        -1.0
                    } else {
                        0.0
                    };
                    g += rule.l1 * sign;
                }
            }
            if rule.adam {
                m[i] = beta1 * m[i] + (1.0 - beta1) * g;
                v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
                let m_hat = m[i] / (1.0 - beta1.powi(t as i32));
                let v_hat = v[i] / (1.0 - beta2.powi(t as i32));
                p[i] -= lr * m_hat / (v_hat.sqrt() + eps);
            } else {
                let d = if rule.momentum > 0.0 {
                    buffer[i] = if t == 1 {
                        g
                    } else {
                        rule.momentum * buffer[i] + (1.0 - rule.dampening) * g
                    };
                    if rule.nesterov {
                        g + rule.momentum * buffer[i]
                    } else {
                        buffer[i]
                    }
                } else {
                    g
                };
                p[i] -= lr * d;
            }
            if penalized && rule.proximal {
                p[i] = p[i].signum() * (p[i].abs() - lr * rule.l1).max(0.0);
            }
        }
    }
    (p, losses)
}

/// The parameters `fit` learns in `steps` full-batch epochs with
/// `options`, and its metrics file.
fn by_fit(test: &str, steps: usize, options: &[&str]) -> ([f64; 3], serde_json::Value) {
    let scratch = Scratch::new(test);
    let rows: Vec<Vec<f64>> = X.iter().zip(Y).map(|(x, y)| vec![x[0], x[1], y]).collect();
    let data = scratch.write("data.csv", &csv_text(&["a", "b", "y"], &rows));
    let init = model_file_text(
        "regression",
        &["a", "b"],
        "y",
        &[("linear", vec![vec![INIT[0], INIT[1]]], vec![INIT[2]])],
    );
    let init = scratch.write("init.json", &init);
    let out = scratch.path("out.json");
    let metrics = scratch.path("metrics.json");
    let epochs = steps.to_string();
    let mut args = vec![
        "--data",
        s(&data),
        "--target",
        "y",
        "--init",
        s(&init),
        "--dtype",
        "f64",
        "--batch-size",
        "0",
        "--epochs",
        &epochs,
        "--quiet",
        "--out",
        s(&out),
        "--metrics",
        s(&metrics),
    ];
    args.extend_from_slice(options);
    assert_success(&fit(&args));
    let layers = linear_layers(&read_json(&out));
    let params = [layers[0].0[0][0], layers[0].0[0][1], layers[0].1[0]];
    (params, read_json(&metrics))
}

/// [`by_fit`] with the options of `rule`.
fn fit_rule(test: &str, rule: Rule) -> ([f64; 3], serde_json::Value) {
    let options = rule.options();
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    by_fit(test, 4, &options)
}

fn check(test: &str, rule: Rule) {
    let (expected, losses) = by_hand(rule, 4);
    let (learned, metrics) = fit_rule(test, rule);
    for i in 0..3 {
        assert!(
            (learned[i] - expected[i]).abs() < 1e-12,
            "{test}: parameter {i} is {}, by hand {}",
            learned[i],
            expected[i]
        );
    }
    assert_ne!(expected, INIT, "{test}: the parameters should move");

    // One full batch per epoch: train_loss[t] is the loss before step t.
    let train_loss: Vec<f64> = metrics["train_loss"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(train_loss.len(), losses.len());
    for (t, (got, want)) in train_loss.iter().zip(&losses).enumerate() {
        assert!(
            (got - want).abs() < 1e-12,
            "{test}: train_loss[{t}] {got} vs {want}"
        );
    }
    let final_loss = mse(&expected);
    let penalized: &[f64] = if rule.penalize_bias {
        &expected
    } else {
        &expected[..2]
    };
    let penalty = rule.l1 * penalized.iter().map(|w| w.abs()).sum::<f64>()
        + rule.l2 / 2.0 * penalized.iter().map(|w| w * w).sum::<f64>();
    let got_loss = metrics["final_train_loss"].as_f64().unwrap();
    let got_objective = metrics["final_objective"].as_f64().unwrap();
    assert!(
        (got_loss - final_loss).abs() < 1e-12,
        "{test}: final loss {got_loss} vs {final_loss}"
    );
    assert!(
        (got_objective - final_loss - penalty).abs() < 1e-12,
        "{test}: final objective {got_objective} vs {}",
        final_loss + penalty
    );
}

#[test]
fn sgd_with_dampened_momentum_coupled_l2_and_l1_subgradient() {
    let rule = Rule {
        lr: 0.1,
        momentum: 0.9,
        dampening: 0.3,
        l1: 0.05,
        l2: 0.2,
        ..Rule::default()
    };
    check("rules-sgd-momentum", rule);
}

#[test]
fn sgd_nesterov_with_decoupled_l2_and_proximal_l1_on_every_parameter() {
    let rule = Rule {
        lr: 0.1,
        momentum: 0.5,
        nesterov: true,
        l1: 0.3,
        proximal: true,
        l2: 0.4,
        decoupled: true,
        penalize_bias: true,
        ..Rule::default()
    };
    check("rules-sgd-nesterov", rule);
}

#[test]
fn adam_with_coupled_l2_and_proximal_l1() {
    let rule = Rule {
        adam: true,
        lr: 0.05,
        l1: 0.1,
        proximal: true,
        l2: 0.3,
        ..Rule::default()
    };
    check("rules-adam", rule);
}

#[test]
fn adam_with_decoupled_l2_is_adamw() {
    let rule = Rule {
        adam: true,
        lr: 0.05,
        l2: 0.5,
        decoupled: true,
        ..Rule::default()
    };
    check("rules-adam-decoupled", rule);
    let (adam_decoupled, _) = fit_rule("rules-adam-decoupled-again", rule);
    let adamw = ["--optimizer", "adamw", "--lr", "0.05", "--l2", "0.5"];
    assert_eq!(by_fit("rules-adamw", 4, &adamw).0, adam_decoupled);
}

#[test]
fn sgd_momentum_under_a_step_schedule_with_the_gradient_norm_clipped() {
    let rule = Rule {
        lr: 0.1,
        momentum: 0.9,
        l1: 0.05,
        l2: 0.2,
        schedule: Schedule::Step(2, 0.5),
        clip_norm: Some(0.5),
        ..Rule::default()
    };
    let norm = gradient(&INIT).iter().map(|g| g * g).sum::<f64>().sqrt();
    assert!(norm > 0.5, "the clip binds at the start ({norm})");
    check("rules-sgd-step-clip-norm", rule);
}

#[test]
fn adam_under_a_cosine_schedule_with_gradient_values_clipped() {
    let rule = Rule {
        adam: true,
        lr: 0.05,
        l2: 0.3,
        schedule: Schedule::Cosine(3, 0.01),
        clip_value: Some(0.2),
        ..Rule::default()
    };
    assert!(
        gradient(&INIT).iter().any(|g| g.abs() > 0.2),
        "the clip binds"
    );
    check("rules-adam-cosine-clip-value", rule);
}

#[test]
fn sgd_under_an_exponential_schedule() {
    let rule = Rule {
        lr: 0.2,
        l1: 0.1,
        proximal: true,
        schedule: Schedule::Exponential(0.7),
        ..Rule::default()
    };
    check("rules-sgd-exponential", rule);
}
