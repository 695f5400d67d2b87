//! Building optimizers: groups from rules on names, every construction
//! error from a bad input, and saving / loading state so that training
//! resumes bit for bit.

use ndarray::ArrayD;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::loss::{Reduction, mse};
use sparsegrad_nn::mlp::Mlp;
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{
    Adam, AdamConfig, AdamMoments, AdamState, GroupOptions, GroupRules, Location, OptimError,
    Optimizer, ParamGroup, Requirement, Sgd, SgdConfig, SgdState,
};
use sparsegrad_nn::regularize::{L1Mode, Penalty};

fn leaf(values: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(values.to_vec(), &[values.len()]).set_requires_grad(true)
}

fn group(names_and_params: &[(&str, &Tensor<f64>)]) -> ParamGroup<f64> {
    ParamGroup::new(
        names_and_params
            .iter()
            .map(|(n, p)| (n.to_string(), (*p).clone()))
            .collect(),
    )
}

fn with(options: GroupOptions, params: &[(&str, &Tensor<f64>)]) -> ParamGroup<f64> {
    group(params).with_options(options)
}

fn sgd_err(groups: Vec<ParamGroup<f64>>, config: SgdConfig) -> OptimError {
    Sgd::new(groups, config)
        .err()
        .expect("construction should fail")
}

fn adam_err(groups: Vec<ParamGroup<f64>>, config: AdamConfig) -> OptimError {
    Adam::new(groups, config)
        .err()
        .expect("construction should fail")
}

fn invalid(
    location: Location,
    name: &'static str,
    value: f64,
    requirement: Requirement,
) -> OptimError {
    OptimError::InvalidHyperparameter {
        location,
        name,
        value,
        requirement,
    }
}

#[test]
fn group_rules_send_each_name_to_the_first_matching_rule() {
    let mlp = Mlp::<f64>::new(
        &[4, 3, 3, 1],
        Activation::Relu,
        &mut StdRng::seed_from_u64(0),
    );
    let l1 = Penalty {
        l1: 0.01,
        l1_mode: L1Mode::Proximal,
        ..Penalty::default()
    };
    let groups = GroupRules::new()
        .rule(
            |n| n.ends_with(".bias"),
            GroupOptions::with_penalty(Penalty::default()),
        )
        .rule(
            |n| n.starts_with("layers.0."),
            GroupOptions::with_penalty(l1),
        )
        .rule(|n| n == "nothing", GroupOptions::default())
        .build(mlp.named_parameters());
    let names: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.params.iter().map(|(n, _)| n.as_str()).collect())
        .collect();
    // layers.0.bias matches both rules and goes to the first
    assert_eq!(
        names,
        vec![
            vec!["layers.0.bias", "layers.2.bias", "layers.4.bias"],
            vec!["layers.0.weight"],
            vec![],
            vec!["layers.2.weight", "layers.4.weight"],
        ]
    );
    assert_eq!(groups[1].options.penalty, Some(l1));
    assert_eq!(groups[3].options, GroupOptions::default());
    // the optimizer resolves the defaults into the groups that leave them open
    let config = SgdConfig {
        penalty: Penalty {
            l2: 0.1,
            ..Penalty::default()
        },
        ..SgdConfig::default()
    };
    let sgd = Sgd::new(groups, config).unwrap();
    assert!(sgd.groups()[0].penalty().is_none());
    assert_eq!(*sgd.groups()[1].penalty(), l1);
    assert_eq!(sgd.groups()[3].penalty().l2, 0.1);
}

#[test]
fn a_parameter_in_two_groups_or_twice_in_one_is_refused() {
    let (a, b) = (leaf(&[1.0]), leaf(&[2.0]));
    let err = sgd_err(
        vec![group(&[("a", &a), ("b", &b)]), group(&[("b again", &b)])],
        SgdConfig::default(),
    );
    assert_eq!(
        err,
        OptimError::DuplicateParameter {
            name: "b again".into(),
            first: 0,
            second: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "parameter `b again` is in group 0 and again in group 1"
    );
    let err = adam_err(vec![group(&[("a", &a), ("a2", &a)])], AdamConfig::default());
    assert_eq!(
        err,
        OptimError::DuplicateParameter {
            name: "a2".into(),
            first: 0,
            second: 0
        }
    );
}

#[test]
fn a_computed_tensor_is_refused() {
    let a = leaf(&[1.0]);
    let doubled = &a * 2.0;
    let err = sgd_err(
        vec![group(&[("a", &a)]), group(&[("2a", &doubled)])],
        SgdConfig::default(),
    );
    assert_eq!(
        err,
        OptimError::NotALeaf {
            name: "2a".into(),
            group: 1
        }
    );
}

#[test]
fn bad_learning_rates_and_strengths_are_refused_in_defaults_and_groups() {
    let a = leaf(&[1.0]);
    let g = || vec![group(&[("a", &a)])];
    use Location::{Defaults, Group};
    use Requirement::NonNegative;
    assert_eq!(
        sgd_err(
            g(),
            SgdConfig {
                lr: -0.1,
                ..SgdConfig::default()
            }
        ),
        invalid(Defaults, "lr", -0.1, NonNegative)
    );
    assert_eq!(
        adam_err(
            g(),
            AdamConfig {
                lr: f64::INFINITY,
                ..AdamConfig::default()
            }
        ),
        invalid(Defaults, "lr", f64::INFINITY, NonNegative)
    );
    // NaN: compare the fields, since NaN ≠ NaN
    let err = sgd_err(
        vec![with(
            GroupOptions {
                lr: Some(f64::NAN),
                ..GroupOptions::default()
            },
            &[("a", &a)],
        )],
        SgdConfig::default(),
    );
    assert!(
        matches!(err, OptimError::InvalidHyperparameter { location: Group(0), name: "lr", value, .. } if value.is_nan()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "group 0: lr = NaN is invalid: it must be finite and non-negative"
    );
    let penalty = |l1: f64, l2: f64| Penalty {
        l1,
        l2,
        ..Penalty::default()
    };
    assert_eq!(
        sgd_err(
            vec![with(
                GroupOptions::with_penalty(penalty(-0.01, 0.0)),
                &[("a", &a)]
            )],
            SgdConfig::default()
        ),
        invalid(Group(0), "l1", -0.01, NonNegative)
    );
    assert_eq!(
        adam_err(
            g(),
            AdamConfig {
                penalty: penalty(0.0, f64::NEG_INFINITY),
                ..AdamConfig::default()
            }
        ),
        invalid(Defaults, "l2", f64::NEG_INFINITY, NonNegative)
    );
    // bad defaults are refused even when every group overrides them
    assert_eq!(
        sgd_err(
            vec![with(
                GroupOptions {
                    lr: Some(0.1),
                    ..GroupOptions::default()
                },
                &[("a", &a)]
            )],
            SgdConfig {
                lr: -1.0,
                ..SgdConfig::default()
            }
        ),
        invalid(Defaults, "lr", -1.0, NonNegative)
    );
}

#[test]
fn bad_momentum_dampening_and_nesterov_are_refused() {
    let a = leaf(&[1.0]);
    let g = || vec![group(&[("a", &a)])];
    use Location::{Defaults, Group};
    let sgd = |momentum: f64, dampening: f64, nesterov: bool| SgdConfig {
        momentum,
        dampening,
        nesterov,
        ..SgdConfig::default()
    };
    assert_eq!(
        sgd_err(g(), sgd(1.0, 0.0, false)),
        invalid(Defaults, "momentum", 1.0, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        sgd_err(g(), sgd(-0.1, 0.0, false)),
        invalid(Defaults, "momentum", -0.1, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        sgd_err(g(), sgd(0.9, 1.5, false)),
        invalid(Defaults, "dampening", 1.5, Requirement::ClosedUnit)
    );
    assert!(
        Sgd::new(g(), sgd(0.9, 1.0, false)).is_ok(),
        "dampening 1 is allowed"
    );
    assert_eq!(
        sgd_err(g(), sgd(0.0, 0.0, true)),
        OptimError::InvalidNesterov {
            location: Defaults,
            momentum: 0.0,
            dampening: 0.0
        }
    );
    // a group that turns on Nesterov where the defaults have dampening
    let err = sgd_err(
        vec![with(
            GroupOptions {
                nesterov: Some(true),
                ..GroupOptions::default()
            },
            &[("a", &a)],
        )],
        sgd(0.9, 0.1, false),
    );
    assert_eq!(
        err,
        OptimError::InvalidNesterov {
            location: Group(0),
            momentum: 0.9,
            dampening: 0.1
        }
    );
    assert_eq!(
        err.to_string(),
        "group 0: nesterov needs momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1"
    );
}

#[test]
fn bad_betas_and_eps_are_refused() {
    let a = leaf(&[1.0]);
    let g = || vec![group(&[("a", &a)])];
    use Location::{Defaults, Group};
    let adam = |betas: (f64, f64), eps: f64| AdamConfig {
        betas,
        eps,
        ..AdamConfig::default()
    };
    assert_eq!(
        adam_err(g(), adam((1.0, 0.999), 1e-8)),
        invalid(Defaults, "beta1", 1.0, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        adam_err(g(), adam((0.9, -0.1), 1e-8)),
        invalid(Defaults, "beta2", -0.1, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        adam_err(g(), adam((0.9, 0.999), 0.0)),
        invalid(Defaults, "eps", 0.0, Requirement::Positive)
    );
    assert_eq!(
        adam_err(
            vec![with(
                GroupOptions {
                    eps: Some(-1e-8),
                    ..GroupOptions::default()
                },
                &[("a", &a)]
            )],
            AdamConfig::default()
        ),
        invalid(Group(0), "eps", -1e-8, Requirement::Positive)
    );
    assert_eq!(
        adam_err(
            vec![with(
                GroupOptions {
                    betas: Some((0.9, 1.0)),
                    ..GroupOptions::default()
                },
                &[("a", &a)]
            )],
            AdamConfig::default()
        ),
        invalid(Group(0), "beta2", 1.0, Requirement::HalfOpenUnit)
    );
}

#[test]
fn options_of_the_other_optimizer_are_refused() {
    let a = leaf(&[1.0]);
    let err = sgd_err(
        vec![with(
            GroupOptions {
                betas: Some((0.9, 0.99)),
                ..GroupOptions::default()
            },
            &[("a", &a)],
        )],
        SgdConfig::default(),
    );
    assert_eq!(
        err,
        OptimError::UnusedOption {
            group: 0,
            option: "betas",
            optimizer: "SGD"
        }
    );
    let err = adam_err(
        vec![
            group(&[]),
            with(
                GroupOptions {
                    momentum: Some(0.9),
                    ..GroupOptions::default()
                },
                &[("a", &a)],
            ),
        ],
        AdamConfig::default(),
    );
    assert_eq!(
        err.to_string(),
        "group 1: `momentum` is not an option of Adam"
    );
}

/// A small network and data set for the resume tests.
struct Setup {
    mlp: Mlp<f64>,
    x: Tensor<f64>,
    y: Tensor<f64>,
}

fn setup() -> Setup {
    let mut rng = StdRng::seed_from_u64(5);
    let mlp = Mlp::new(&[3, 5, 1], Activation::Tanh, &mut rng);
    let x = Tensor::rand_uniform(&[8, 3], -1.0, 1.0, &mut rng);
    let y = Tensor::rand_uniform(&[8, 1], -1.0, 1.0, &mut rng);
    Setup { mlp, x, y }
}

/// Biases unpenalized, the first weight with proximal L1 and coupled L2,
/// the rest with the defaults.
fn rule_groups(mlp: &Mlp<f64>) -> Vec<ParamGroup<f64>> {
    GroupRules::new()
        .rule(
            |n| n.ends_with(".bias"),
            GroupOptions::with_penalty(Penalty::default()),
        )
        .rule(
            |n| n == "layers.0.weight",
            GroupOptions::with_penalty(Penalty {
                l1: 0.01,
                l1_mode: L1Mode::Proximal,
                l2: 0.05,
                decoupled: false,
            }),
        )
        .build(mlp.named_parameters())
}

fn train(s: &Setup, opt: &mut dyn Optimizer<f64>, steps: usize) {
    for _ in 0..steps {
        opt.zero_grad();
        mse(&s.mlp.forward(&s.x), &s.y, Reduction::Mean).backward();
        opt.step();
    }
}

fn values(mlp: &Mlp<f64>) -> Vec<ArrayD<f64>> {
    mlp.parameters().iter().map(Tensor::to_array).collect()
}

fn bits(values: &[ArrayD<f64>]) -> Vec<u64> {
    values
        .iter()
        .flat_map(|v| v.iter().map(|x| x.to_bits()))
        .collect()
}

/// Train 3 steps, save, train 2 more; against: a fresh network given the
/// weights at step 3, a fresh optimizer given the saved state (through
/// JSON), 2 steps. Also checks that the state matters (a fresh optimizer
/// without it ends elsewhere).
fn check_resume<O: Optimizer<f64>>(
    make: impl Fn(&Mlp<f64>) -> O,
    save: impl Fn(&O) -> String,
    load: impl Fn(&mut O, &str),
) {
    let original = setup();
    let mut opt = make(&original.mlp);
    train(&original, &mut opt, 3);
    let at_step_3 = values(&original.mlp);
    let saved = save(&opt);
    train(&original, &mut opt, 2);
    let expected = values(&original.mlp);

    let resume = |with_state: bool| {
        let copy = setup();
        for (p, v) in copy.mlp.parameters().iter().zip(&at_step_3) {
            *p.value_mut() = v.clone();
        }
        let mut opt = make(&copy.mlp);
        if with_state {
            load(&mut opt, &saved);
        }
        train(&copy, &mut opt, 2);
        values(&copy.mlp)
    };
    assert_eq!(bits(&resume(true)), bits(&expected));
    assert_ne!(bits(&resume(false)), bits(&expected));
}

#[test]
fn sgd_resumes_bit_exactly_from_saved_state() {
    let config = SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        nesterov: true,
        penalty: Penalty {
            l2: 0.01,
            ..Penalty::default()
        },
        ..SgdConfig::default()
    };
    check_resume(
        |mlp| Sgd::new(rule_groups(mlp), config).unwrap(),
        |sgd| serde_json::to_string(&sgd.state()).unwrap(),
        |sgd, json| sgd.load_state(serde_json::from_str(json).unwrap()).unwrap(),
    );
}

#[test]
fn adam_resumes_bit_exactly_from_saved_state() {
    let config = AdamConfig {
        lr: 0.01,
        penalty: Penalty {
            l2: 0.01,
            decoupled: true,
            l1: 0.001,
            ..Penalty::default()
        },
        ..AdamConfig::default()
    };
    check_resume(
        |mlp| Adam::new(rule_groups(mlp), config).unwrap(),
        |adam| serde_json::to_string(&adam.state()).unwrap(),
        |adam, json| {
            adam.load_state(serde_json::from_str(json).unwrap())
                .unwrap()
        },
    );
}

#[test]
fn state_that_does_not_fit_is_refused_and_leaves_the_state_alone() {
    let (a, b) = (leaf(&[1.0, 2.0]), leaf(&[3.0]));
    let groups = || vec![group(&[("a", &a)]), group(&[("b", &b)])];
    let config = SgdConfig {
        momentum: 0.5,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(groups(), config).unwrap();
    a.add(&b).sum().backward();
    sgd.step();
    let before = sgd.state();
    let load = |sgd: &mut Sgd<f64>, buffers: Vec<Vec<Option<Vec<f64>>>>| {
        sgd.load_state(SgdState {
            momentum_buffers: buffers,
        })
        .err()
        .unwrap()
    };
    assert_eq!(
        load(&mut sgd, vec![vec![None]]),
        OptimError::StateGroupCount {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        load(&mut sgd, vec![vec![None], vec![None, None]]),
        OptimError::StateParamCount {
            group: 1,
            expected: 1,
            found: 2
        }
    );
    let err = load(&mut sgd, vec![vec![Some(vec![0.0; 3])], vec![None]]);
    assert_eq!(
        err.to_string(),
        "optimizer state of parameter `a` in group 0: the momentum buffer has 3 elements, the parameter has 2"
    );
    assert_eq!(sgd.state(), before);

    let mut adam = Adam::new(groups(), AdamConfig::default()).unwrap();
    let moments = |step: u64, m: usize, v: usize| {
        Some(AdamMoments {
            step,
            exp_avg: vec![0.0; m],
            exp_avg_sq: vec![0.0; v],
        })
    };
    let load = |adam: &mut Adam<f64>, moments: Vec<Vec<Option<AdamMoments<f64>>>>| {
        adam.load_state(AdamState { moments }).err().unwrap()
    };
    assert_eq!(
        load(
            &mut adam,
            vec![vec![moments(1, 2, 2)], vec![moments(1, 1, 2)]]
        ),
        OptimError::StateParam {
            group: 1,
            name: "b".into(),
            problem: "exp_avg_sq has 2 elements, the parameter has 1".into()
        }
    );
    assert!(matches!(
        load(&mut adam, vec![vec![moments(0, 2, 2)], vec![None]]),
        OptimError::StateParam { group: 0, .. }
    ));
    assert_eq!(adam.state().moments, vec![vec![None], vec![None]]);
    // and a fitting state is taken
    let fitting = AdamState {
        moments: vec![vec![moments(4, 2, 2)], vec![None]],
    };
    adam.load_state(fitting.clone()).unwrap();
    assert_eq!(adam.state(), fitting);
}
