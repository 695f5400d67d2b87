//! Sgd, Adam and AdamW against their update rules written out by hand.
//!
//! Every test trains on L(w) = Σᵢ (aᵢ/2)·wᵢ² + bᵢ·wᵢ, whose data gradient
//! gᵢ = aᵢ·wᵢ + bᵢ depends on w, so each step's gradient is the one at the
//! weights the previous steps produced. The expected weights come from
//! `sgd_by_hand` / `adam_by_hand`: plain f64 arithmetic per element, the
//! rules of CLI.md transcribed line by line, sharing no code with the
//! optimizers. A few cases are also checked against numbers worked out in
//! the comments.

use sparsegrad_autograd::{Float, Tensor};
use sparsegrad_nn::optim::{
    Adam, AdamConfig, AdamOptions, Momentum, Optimizer, ParamGroup, Sgd, SgdConfig, SgdOptions,
};
use sparsegrad_nn::regularize::{L1Mode, L2Mode, Penalty};

/// The quadratic: coefficients a, b and the starting weights.
struct Quadratic {
    a: Vec<f64>,
    b: Vec<f64>,
    w0: Vec<f64>,
}

impl Quadratic {
    fn small() -> Self {
        // includes a weight at exactly 0 (sign(0) = 0) and a small one
        Self {
            a: vec![1.0, 2.0, 0.5, 1.5],
            b: vec![0.3, -0.2, 0.05, 0.01],
            w0: vec![0.5, -1.0, 0.02, 0.0],
        }
    }

    /// n elements (more than one chunk of the update loop when n > 512).
    fn large(n: usize) -> Self {
        Self {
            a: (0..n).map(|i| 0.5 + (i % 7) as f64 * 0.3).collect(),
            b: (0..n)
                .map(|i| ((i * 37) % 11) as f64 * 0.05 - 0.25)
                .collect(),
            w0: (0..n).map(|i| ((i * 13) % 17) as f64 * 0.1 - 0.8).collect(),
        }
    }

    fn param<T: Float>(&self) -> Tensor<T> {
        let w0 = self.w0.iter().map(|&w| T::from_f64(w)).collect();
        Tensor::from_vec(w0, &[self.w0.len()]).set_requires_grad(true)
    }

    /// L(w), whose backward leaves g = a·w + b in w.grad().
    fn loss<T: Float>(&self, w: &Tensor<T>) -> Tensor<T> {
        let n = self.a.len();
        let cast = |v: &[f64]| Tensor::from_vec(v.iter().map(|&x| T::from_f64(x)).collect(), &[n]);
        let (a, b) = (cast(&self.a), cast(&self.b));
        (&w.mul(w).mul(&a) * T::from_f64(0.5))
            .sum()
            .add(&w.mul(&b).sum())
    }
}

/// Every hyperparameter of one group, for the hand-written rules.
#[derive(Clone, Copy, Debug, Default)]
struct Hyper {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    betas: (f64, f64),
    eps: f64,
    l1: f64,
    proximal: bool,
    l2: f64,
    decoupled: bool,
}

impl Hyper {
    fn penalty(&self) -> Penalty {
        let l1_mode = if self.proximal {
            L1Mode::Proximal
        } else {
            L1Mode::Subgradient
        };
        let l2_mode = if self.decoupled {
            L2Mode::Decoupled
        } else {
            L2Mode::Coupled
        };
        Penalty::none()
            .with_l1(self.l1, l1_mode)
            .with_l2(self.l2, l2_mode)
    }
    fn momentum(&self) -> Momentum {
        if self.nesterov {
            Momentum::nesterov(self.momentum)
        } else {
            Momentum::Classic {
                momentum: self.momentum,
                dampening: self.dampening,
            }
        }
    }
    fn sgd_config(&self) -> SgdConfig {
        SgdConfig {
            lr: self.lr,
            momentum: self.momentum(),
            penalty: self.penalty(),
        }
    }
    fn adam_config(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            betas: self.betas,
            eps: self.eps,
            penalty: self.penalty(),
        }
    }
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Steps 1–3 of CLI.md for one element: returns (w after step 1, g after steps 2–3).
fn penalize(h: &Hyper, w: f64, g: f64) -> (f64, f64) {
    let (mut w, mut g) = (w, g);
    if h.decoupled {
        w -= h.lr * h.l2 * w; // 1. decoupled L2, with w before the step
    } else {
        g += h.l2 * w; // 2. coupled L2
    }
    if !h.proximal {
        g += h.l1 * sign(w); // 3. L1 subgradient
    }
    (w, g)
}

/// Step 5: the proximal L1 step.
fn prox(h: &Hyper, w: f64) -> f64 {
    if h.proximal {
        sign(w) * (w.abs() - h.lr * h.l1).max(0.0)
    } else {
        w
    }
}

/// torch.optim.SGD, element by element, for `steps` steps.
fn sgd_by_hand(q: &Quadratic, h: &Hyper, steps: usize) -> Vec<f64> {
    (0..q.w0.len())
        .map(|i| {
            let mut w = q.w0[i];
            let mut buf: Option<f64> = None;
            for _ in 0..steps {
                let (w1, g) = penalize(h, w, q.a[i] * w + q.b[i]);
                let d = if h.momentum == 0.0 {
                    g
                } else {
                    let b = match buf {
                        None => g, // the first step's buffer is g itself
                        Some(b) => h.momentum * b + (1.0 - h.dampening) * g,
                    };
                    buf = Some(b);
                    if h.nesterov { g + h.momentum * b } else { b }
                };
                w = prox(h, w1 - h.lr * d);
            }
            w
        })
        .collect()
}

/// Adam with bias-corrected moments (the textbook form), element by element.
fn adam_by_hand(q: &Quadratic, h: &Hyper, steps: usize) -> Vec<f64> {
    let (b1, b2) = h.betas;
    (0..q.w0.len())
        .map(|i| {
            let (mut w, mut m, mut v) = (q.w0[i], 0.0, 0.0);
            for t in 1..=steps as i32 {
                let (w1, g) = penalize(h, w, q.a[i] * w + q.b[i]);
                m = b1 * m + (1.0 - b1) * g;
                v = b2 * v + (1.0 - b2) * g * g;
                let m_hat = m / (1.0 - b1.powi(t));
                let v_hat = v / (1.0 - b2.powi(t));
                w = prox(h, w1 - h.lr * m_hat / (v_hat.sqrt() + h.eps));
            }
            w
        })
        .collect()
}

/// `steps` steps of `opt` on the quadratics of its groups' parameters.
fn run<T: Float>(opt: &mut dyn Optimizer<T>, problems: &[(&Quadratic, &Tensor<T>)], steps: usize) {
    for _ in 0..steps {
        opt.zero_grad();
        for (q, w) in problems {
            q.loss(w).backward();
        }
        opt.step();
    }
}

fn assert_matches(w: &Tensor<f64>, expected: &[f64], tol: f64, what: &str) {
    let found = w.to_array();
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!(
            (f - e).abs() <= tol * (1.0 + e.abs()),
            "{what}: w[{i}] = {f}, by hand {e}"
        );
    }
}

fn named<T: Float>(name: &str, w: &Tensor<T>) -> Vec<(String, Tensor<T>)> {
    vec![(name.to_string(), w.clone())]
}

fn base() -> Hyper {
    Hyper {
        lr: 0.1,
        betas: (0.9, 0.999),
        eps: 1e-8,
        ..Hyper::default()
    }
}

fn sgd_cases() -> Vec<(&'static str, Hyper)> {
    let b = base();
    vec![
        ("plain", b),
        ("momentum", Hyper { momentum: 0.9, ..b }),
        (
            "momentum + dampening",
            Hyper {
                momentum: 0.9,
                dampening: 0.5,
                ..b
            },
        ),
        (
            "nesterov",
            Hyper {
                momentum: 0.9,
                nesterov: true,
                ..b
            },
        ),
        (
            "coupled L2 + momentum",
            Hyper {
                momentum: 0.5,
                l2: 0.1,
                ..b
            },
        ),
        (
            "decoupled L2 + nesterov",
            Hyper {
                momentum: 0.9,
                nesterov: true,
                l2: 0.3,
                decoupled: true,
                ..b
            },
        ),
        (
            "subgradient L1 + momentum",
            Hyper {
                momentum: 0.8,
                l1: 0.05,
                ..b
            },
        ),
        (
            "proximal L1 + dampened momentum",
            Hyper {
                momentum: 0.9,
                dampening: 0.2,
                l1: 0.05,
                proximal: true,
                ..b
            },
        ),
        (
            "elastic net: proximal L1 + coupled L2 + nesterov",
            Hyper {
                momentum: 0.7,
                nesterov: true,
                l1: 0.1,
                proximal: true,
                l2: 0.2,
                ..b
            },
        ),
    ]
}

fn adam_cases() -> Vec<(&'static str, Hyper)> {
    let b = Hyper { lr: 0.05, ..base() };
    vec![
        ("plain", b),
        (
            "coupled L2 + subgradient L1",
            Hyper {
                l2: 0.1,
                l1: 0.05,
                ..b
            },
        ),
        (
            "decoupled L2 (AdamW), other betas and eps",
            Hyper {
                l2: 0.1,
                decoupled: true,
                betas: (0.8, 0.99),
                eps: 1e-6,
                ..b
            },
        ),
        (
            "decoupled L2 + proximal L1",
            Hyper {
                l2: 0.2,
                decoupled: true,
                l1: 0.05,
                proximal: true,
                ..b
            },
        ),
        // β1 < ½ takes torch's other lerp branch (weight 1 − β1 ≥ ½)
        (
            "small beta1",
            Hyper {
                betas: (0.3, 0.9),
                ..b
            },
        ),
    ]
}

#[test]
fn sgd_matches_the_rules_by_hand_for_three_steps() {
    let q = Quadratic::small();
    for (name, h) in sgd_cases() {
        let w = q.param::<f64>();
        let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], h.sgd_config()).unwrap();
        run(&mut sgd, &[(&q, &w)], 3);
        assert_matches(&w, &sgd_by_hand(&q, &h, 3), 1e-14, name);
    }
}

#[test]
fn adam_matches_the_rules_by_hand_for_three_steps() {
    let q = Quadratic::small();
    for (name, h) in adam_cases() {
        let w = q.param::<f64>();
        let mut adam = Adam::new(vec![ParamGroup::new(named("w", &w))], h.adam_config()).unwrap();
        run(&mut adam, &[(&q, &w)], 3);
        // torch's arrangement (lerp, step_size, denom) rounds differently from the textbook form
        assert_matches(&w, &adam_by_hand(&q, &h, 3), 1e-12, name);
    }
}

#[test]
fn sgd_first_steps_worked_out_by_hand() {
    // Constant gradient g = 2 (L = 2w), w₀ = 1, lr = 0.1.
    let three_steps = |config: SgdConfig| {
        let w = Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true);
        let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], config).unwrap();
        for _ in 0..3 {
            sgd.zero_grad();
            (&w * 2.0).sum().backward();
            sgd.step();
        }
        w.item()
    };
    // μ = 0.9, τ = 0.5: b₁ = g = 2 (not (1 − τ)·g = 1), b₂ = 0.9·2 + 0.5·2 = 2.8,
    // b₃ = 0.9·2.8 + 1 = 3.52; w₃ = 1 − 0.1·(2 + 2.8 + 3.52) = 0.168.
    let dampened = three_steps(SgdConfig {
        lr: 0.1,
        momentum: Momentum::Classic {
            momentum: 0.9,
            dampening: 0.5,
        },
        ..SgdConfig::default()
    });
    assert!((dampened - 0.168).abs() < 1e-12, "{dampened}");
    // Nesterov, μ = 0.9: b₁ = 2, d₁ = 2 + 1.8 = 3.8; b₂ = 3.8, d₂ = 2 + 3.42 = 5.42;
    // b₃ = 5.42, d₃ = 2 + 4.878 = 6.878; w₃ = 1 − 0.1·16.098 = −0.6098.
    let nesterov = three_steps(SgdConfig {
        lr: 0.1,
        momentum: Momentum::nesterov(0.9),
        ..SgdConfig::default()
    });
    assert!((nesterov + 0.6098).abs() < 1e-12, "{nesterov}");
}

#[test]
fn adam_first_step_is_lr_times_the_sign_of_g() {
    // m₁ = (1 − β1)·g and v₁ = (1 − β2)·g², so m̂ = g, v̂ = g² and the step is
    // lr·g/(|g| + ε): w₁ = 1 − 0.1·2/(2 + 1e-8), whatever the betas.
    for betas in [(0.9, 0.999), (0.5, 0.9)] {
        let w = Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true);
        let config = AdamConfig {
            lr: 0.1,
            betas,
            ..AdamConfig::default()
        };
        let mut adam = Adam::new(vec![ParamGroup::new(named("w", &w))], config).unwrap();
        (&w * 2.0).sum().backward();
        adam.step();
        assert!((w.item() - (1.0 - 0.1 * 2.0 / (2.0 + 1e-8))).abs() < 1e-15);
    }
}

#[test]
fn adamw_is_adam_with_decoupled_decay() {
    let q = Quadratic::small();
    let coupled = AdamConfig {
        lr: 0.05,
        penalty: Penalty::l2(0.1),
        ..AdamConfig::default()
    };
    let adamw = AdamConfig {
        penalty: Penalty::decoupled_l2(0.1),
        ..coupled.clone()
    };
    let (w_adamw, w_adam) = (q.param::<f64>(), q.param::<f64>());
    let mut opt_adamw = Adam::new(vec![ParamGroup::new(named("w", &w_adamw))], adamw).unwrap();
    let mut opt_adam = Adam::new(vec![ParamGroup::new(named("w", &w_adam))], coupled).unwrap();
    run(&mut opt_adamw, &[(&q, &w_adamw)], 5);
    run(&mut opt_adam, &[(&q, &w_adam)], 5);
    assert_matches(
        &w_adamw,
        &adam_by_hand(
            &q,
            &Hyper {
                lr: 0.05,
                l2: 0.1,
                decoupled: true,
                ..base()
            },
            5,
        ),
        1e-12,
        "adamw",
    );
    // coupled L2 is a different optimizer under Adam
    assert!(
        (w_adam.to_array() - w_adamw.to_array())
            .iter()
            .any(|d| d.abs() > 1e-6)
    );
}

#[test]
fn two_groups_with_different_settings_in_one_sgd() {
    let (qa, qb) = (Quadratic::small(), Quadratic::large(5));
    let (wa, wb) = (qa.param::<f64>(), qb.param::<f64>());
    let defaults = Hyper {
        lr: 0.1,
        momentum: 0.9,
        l2: 0.1,
        ..base()
    };
    // group 0: Nesterov with the default lr, momentum and coupled L2
    // group 1: its own lr, momentum, dampening, and proximal L1 with decoupled L2
    let ha = Hyper {
        nesterov: true,
        ..defaults
    };
    let hb = Hyper {
        lr: 0.05,
        momentum: 0.5,
        dampening: 0.3,
        l1: 0.05,
        proximal: true,
        l2: 0.2,
        decoupled: true,
        ..defaults
    };
    let groups = vec![
        ParamGroup::new(named("a", &wa)).with_options(SgdOptions {
            momentum: Some(Momentum::nesterov(defaults.momentum)),
        }),
        ParamGroup::new(named("b", &wb))
            .with_lr(hb.lr)
            .with_penalty(hb.penalty())
            .with_options(SgdOptions {
                momentum: Some(hb.momentum()),
            }),
    ];
    let mut sgd = Sgd::new(groups, defaults.sgd_config()).unwrap();
    run(&mut sgd, &[(&qa, &wa), (&qb, &wb)], 3);
    assert_matches(&wa, &sgd_by_hand(&qa, &ha, 3), 1e-14, "group 0");
    assert_matches(&wb, &sgd_by_hand(&qb, &hb, 3), 1e-14, "group 1");
}

#[test]
fn two_groups_with_different_settings_in_one_adam() {
    let (qa, qb) = (Quadratic::small(), Quadratic::large(6));
    let (wa, wb) = (qa.param::<f64>(), qb.param::<f64>());
    let defaults = Hyper {
        lr: 0.02,
        l2: 0.1,
        l1: 0.02,
        ..base()
    };
    let hb = Hyper {
        lr: 0.05,
        betas: (0.8, 0.95),
        eps: 1e-4,
        l1: 0.1,
        proximal: true,
        decoupled: true,
        ..defaults
    };
    let groups = vec![
        ParamGroup::new(named("a", &wa)),
        ParamGroup::new(named("b", &wb))
            .with_lr(hb.lr)
            .with_penalty(hb.penalty())
            .with_options(AdamOptions {
                betas: Some(hb.betas),
                eps: Some(hb.eps),
            }),
    ];
    let mut adam = Adam::new(groups, defaults.adam_config()).unwrap();
    run(&mut adam, &[(&qa, &wa), (&qb, &wb)], 3);
    assert_matches(&wa, &adam_by_hand(&qa, &defaults, 3), 1e-12, "group 0");
    assert_matches(&wb, &adam_by_hand(&qb, &hb, 3), 1e-12, "group 1");
}

#[test]
fn parameters_spanning_many_chunks_match_element_by_element() {
    // 1300 elements: two full chunks of 512 and a partial one.
    let q = Quadratic::large(1300);
    for (name, h) in [sgd_cases()[8], sgd_cases()[5]] {
        let w = q.param::<f64>();
        let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], h.sgd_config()).unwrap();
        run(&mut sgd, &[(&q, &w)], 3);
        assert_matches(&w, &sgd_by_hand(&q, &h, 3), 1e-14, name);
    }
    for (name, h) in [adam_cases()[1], adam_cases()[3]] {
        let w = q.param::<f64>();
        let mut adam = Adam::new(vec![ParamGroup::new(named("w", &w))], h.adam_config()).unwrap();
        run(&mut adam, &[(&q, &w)], 3);
        assert_matches(&w, &adam_by_hand(&q, &h, 3), 1e-12, name);
    }
}

#[test]
fn f32_parameters_follow_the_same_rules() {
    let q = Quadratic::large(700);
    let (_, h) = sgd_cases()[8];
    let w = q.param::<f32>();
    let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], h.sgd_config()).unwrap();
    run(&mut sgd, &[(&q, &w)], 3);
    let found = Tensor::new(w.to_array().mapv(f64::from));
    // f32 rounding of |w| ≤ 1 over a few operations per step
    assert_matches(&found, &sgd_by_hand(&q, &h, 3), 1e-6, "f32 sgd");
    let (_, h) = adam_cases()[3];
    let w = q.param::<f32>();
    let mut adam = Adam::new(vec![ParamGroup::new(named("w", &w))], h.adam_config()).unwrap();
    run(&mut adam, &[(&q, &w)], 3);
    let found = Tensor::new(w.to_array().mapv(f64::from));
    assert_matches(&found, &adam_by_hand(&q, &h, 3), 1e-5, "f32 adam");
}

#[test]
fn under_proximal_l1_a_zero_weight_stays_zero_while_the_gradient_is_within_l1() {
    // L = Σ cᵢ·wᵢ, so g = c; λ1 = 0.2, lr = 0.5, plain SGD. From w = 0:
    // v = −lr·c and prox(v, lr·λ1) = 0 exactly when |c| ≤ λ1 (the boundary
    // included), else the weight leaves 0 by lr·(|c| − λ1) per step.
    let c = [0.1, -0.2, 0.2, 0.0, 0.25, -0.3];
    let w = Tensor::<f64>::zeros(&[c.len()]).set_requires_grad(true);
    let coefficients = Tensor::from_vec(c.to_vec(), &[c.len()]);
    let config = SgdConfig {
        lr: 0.5,
        penalty: Penalty::l1_proximal(0.2),
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], config).unwrap();
    for step in 1..=4 {
        sgd.zero_grad();
        w.mul(&coefficients).sum().backward();
        sgd.step();
        let v = w.to_array();
        assert_eq!(&v.as_slice().unwrap()[..4], &[0.0; 4], "step {step}");
        // w₄ = −k·0.5·(0.25 − 0.2), w₅ = +k·0.5·(0.3 − 0.2)
        assert!(
            (v[4] + step as f64 * 0.025).abs() < 1e-15,
            "step {step}: {}",
            v[4]
        );
        assert!(
            (v[5] - step as f64 * 0.05).abs() < 1e-15,
            "step {step}: {}",
            v[5]
        );
    }
}

#[test]
fn a_parameter_without_gradient_is_skipped_and_gradients_are_left_as_backward_made_them() {
    let used = Tensor::<f64>::from_vec(vec![1.0, -2.0], &[2]).set_requires_grad(true);
    let unused = Tensor::<f64>::from_vec(vec![3.0], &[1]).set_requires_grad(true);
    let config = SgdConfig {
        lr: 0.1,
        momentum: Momentum::classic(0.9),
        penalty: Penalty::decoupled_l2(0.5).and(Penalty::l1_subgradient(0.1)),
    };
    let params = vec![
        ("used".to_string(), used.clone()),
        ("unused".to_string(), unused.clone()),
    ];
    let mut sgd = Sgd::new(vec![ParamGroup::new(params)], config).unwrap();
    (&used * 3.0).sum().backward();
    sgd.step();
    // unused: no decay, no L1, no momentum buffer
    assert_eq!(unused.item(), 3.0);
    assert_eq!(sgd.state().momentum_buffers[0][1], None);
    // used: w·(1 − 0.05) − 0.1·(3 + 0.1·sign(w))
    let expected = [0.95 - 0.1 * 3.1, -1.9 - 0.1 * 2.9];
    assert_matches(&used, &expected, 1e-15, "used");
    // the penalty terms went into a scratch buffer, not into the gradient
    assert_eq!(used.grad().unwrap().as_slice().unwrap(), &[3.0, 3.0]);
}

#[test]
fn set_lr_changes_the_next_step_only_for_its_group() {
    let (a, b) = (
        Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true),
        Tensor::<f64>::from_vec(vec![1.0], &[1]).set_requires_grad(true),
    );
    let groups = vec![
        ParamGroup::new(named("a", &a)),
        ParamGroup::new(named("b", &b)),
    ];
    let mut sgd = Sgd::new(
        groups,
        SgdConfig {
            lr: 0.1,
            ..SgdConfig::default()
        },
    )
    .unwrap();
    sgd.set_lr(1, 0.25);
    assert_eq!((sgd.lr(0), sgd.lr(1)), (0.1, 0.25));
    a.add(&b).sum().backward(); // g = 1 for both
    sgd.step();
    assert_eq!((a.item(), b.item()), (0.9, 0.75));
}

#[test]
#[should_panic(expected = "set_lr: lr = -0.1 must be finite and non-negative")]
fn set_lr_refuses_a_negative_rate() {
    let w = Tensor::<f64>::zeros(&[1]).set_requires_grad(true);
    let mut sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], SgdConfig::default()).unwrap();
    sgd.set_lr(0, -0.1);
}

#[test]
#[should_panic(expected = "lr: group 1 does not exist, the optimizer has 1 groups")]
fn asking_for_a_missing_group_names_it() {
    let w = Tensor::<f64>::zeros(&[1]).set_requires_grad(true);
    let sgd = Sgd::new(vec![ParamGroup::new(named("w", &w))], SgdConfig::default()).unwrap();
    sgd.lr(1);
}
