//! Building optimizers: groups from rules on roles and names, every
//! construction error from a bad input, and saving / loading state so that
//! training resumes bit for bit.

use ndarray::ArrayD;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sparsegrad_autograd::Tensor;
use sparsegrad_nn::activation::Activation;
use sparsegrad_nn::group_lasso::{ColumnFactors, Groups};
use sparsegrad_nn::loss::{Reduction, mse};
use sparsegrad_nn::mlp::Mlp;
use sparsegrad_nn::module::Module;
use sparsegrad_nn::optim::{
    Adam, AdamConfig, AdamMoments, AdamOptions, AdamState, GroupPenalty, GroupRules, Location,
    Momentum, OptimError, Optimizer, ParamGroup, Requirement, Select, Sgd, SgdConfig, SgdOptions,
    SgdState,
};
use sparsegrad_nn::regularize::{L1Mode, L2Mode, Penalty};

fn leaf(values: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(values.to_vec(), &[values.len()]).set_requires_grad(true)
}

fn group<O: Default>(names_and_params: &[(&str, &Tensor<f64>)]) -> ParamGroup<f64, O> {
    ParamGroup::new(
        names_and_params
            .iter()
            .map(|(n, p)| (n.to_string(), (*p).clone()))
            .collect(),
    )
}

fn sgd_err(groups: Vec<ParamGroup<f64, SgdOptions>>, config: SgdConfig) -> OptimError {
    Sgd::new(groups, config)
        .err()
        .expect("construction should fail")
}

fn adam_err(groups: Vec<ParamGroup<f64, AdamOptions>>, config: AdamConfig) -> OptimError {
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

fn names<O>(groups: &[ParamGroup<f64, O>]) -> Vec<Vec<&str>> {
    groups
        .iter()
        .map(|g| g.params.iter().map(|(n, _)| n.as_str()).collect())
        .collect()
}

#[test]
fn group_rules_send_each_parameter_to_the_first_rule_that_selects_it() {
    let mlp = Mlp::<f64>::new(
        &[4, 3, 3, 1],
        Activation::Relu,
        &mut StdRng::seed_from_u64(0),
    );
    let l1 = Penalty::l1_proximal(0.01);
    let groups: Vec<ParamGroup<f64, SgdOptions>> = GroupRules::new()
        .rule(
            Select::name_matches(|n| n.starts_with("layers.0.")),
            l1.clone(),
        )
        .rule(Select::named("nothing"), GroupPenalty::Inherit)
        .build(mlp.named_parameters());
    // layers.0.bias is taken by the name rule; the other biases go to the
    // last group, unpenalized; the other weights inherit
    assert_eq!(
        names(&groups),
        vec![
            vec!["layers.0.weight", "layers.0.bias"],
            vec![],
            vec!["layers.2.weight", "layers.4.weight"],
            vec!["layers.2.bias", "layers.4.bias"],
        ]
    );
    assert_eq!(groups[0].penalty, GroupPenalty::Set(l1.clone()));
    assert_eq!(groups[2].penalty, GroupPenalty::Inherit);
    assert_eq!(groups[3].penalty, GroupPenalty::Set(Penalty::none()));
    // the optimizer resolves the default into the groups that inherit, as a whole
    let config = SgdConfig {
        penalty: Penalty::l2(0.1),
        ..SgdConfig::default()
    };
    let sgd = Sgd::new(groups, config).unwrap();
    assert_eq!(
        *sgd.groups()[0].penalty(),
        l1,
        "no L2 mixed into a set penalty"
    );
    assert_eq!(*sgd.groups()[2].penalty(), Penalty::l2(0.1));
    assert!(sgd.groups()[3].penalty().is_zero());
}

#[test]
fn role_selections_take_weights_only_and_biases_stay_unpenalized_unless_asked() {
    let mlp = Mlp::<f64>::new(
        &[4, 3, 3, 1],
        Activation::Relu,
        &mut StdRng::seed_from_u64(0),
    );
    let by_role = |rules: GroupRules| {
        names(&rules.build::<f64, SgdOptions>(mlp.named_parameters()))
            .into_iter()
            .map(|g| g.into_iter().map(String::from).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    let l1 = || Penalty::l1_proximal(1.0);
    assert_eq!(
        by_role(
            GroupRules::new()
                .rule(Select::Layer(1), l1())
                .rule(Select::LastLayer, l1())
        ),
        [
            vec!["layers.2.weight"],
            vec!["layers.4.weight"],
            vec!["layers.0.weight"],
            vec!["layers.0.bias", "layers.2.bias", "layers.4.bias"],
        ]
    );
    assert_eq!(
        by_role(
            GroupRules::new()
                .rule(Select::Biases, Penalty::l2(1.0))
                .rule(Select::All, l1())
        ),
        [
            vec!["layers.0.bias", "layers.2.bias", "layers.4.bias"],
            vec!["layers.0.weight", "layers.2.weight", "layers.4.weight"],
            vec![],
            vec![],
        ]
    );
    let second_bias = mlp.named_parameters()[3].1.clone();
    assert_eq!(
        by_role(
            GroupRules::new()
                .rule(Select::tensor(&second_bias), l1())
                .rule(Select::FirstLayer, l1())
        ),
        [
            vec!["layers.2.bias"],
            vec!["layers.0.weight"],
            vec!["layers.2.weight", "layers.4.weight"],
            vec!["layers.0.bias", "layers.4.bias"],
        ]
    );
    // with no rules: weights inherit the default, biases get none, even a non-zero default
    let groups = GroupRules::new().build(mlp.named_parameters());
    let sgd = Sgd::new(
        groups,
        SgdConfig {
            penalty: Penalty::l2(0.5),
            ..SgdConfig::default()
        },
    )
    .unwrap();
    assert_eq!(*sgd.groups()[0].penalty(), Penalty::l2(0.5));
    assert!(sgd.groups()[1].penalty().is_zero());
    assert_eq!(sgd.groups()[1].params().len(), 3);
}

#[test]
fn penalties_combine_term_by_term_only_through_and() {
    let elastic = Penalty::l1_subgradient(0.1).and(Penalty::decoupled_l2(0.2));
    assert_eq!(
        elastic,
        Penalty::none()
            .with_l1(0.1, L1Mode::Subgradient)
            .with_l2(0.2, L2Mode::Decoupled)
    );
    assert_eq!(elastic.l1_strength(), 0.1);
    assert_eq!(elastic.l2_strength(), 0.2);
    assert!(!elastic.is_zero());
    assert!(Penalty::l2(0.0).is_zero());
    assert!(Penalty::none().l1_term().is_none() && Penalty::none().l2_term().is_none());
    let both_l1 =
        std::panic::catch_unwind(|| Penalty::l1_proximal(0.1).and(Penalty::l1_subgradient(0.1)));
    assert!(both_l1.is_err(), "two L1 terms cannot be summed silently");
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

fn matrix(rows: usize, cols: usize) -> Tensor<f64> {
    Tensor::from_vec(vec![0.5; rows * cols], &[rows, cols]).set_requires_grad(true)
}

#[test]
fn a_group_partition_or_factors_of_the_wrong_shape_are_refused_when_built() {
    // Each penalty is refused by Sgd and Adam alike, before any step.
    let refused = |penalty: Penalty, param: &Tensor<f64>| {
        let sgd = sgd_err(
            vec![group(&[("w", param)]).with_penalty(penalty.clone())],
            SgdConfig::default(),
        );
        let adam = adam_err(
            vec![group(&[("w", param)]).with_penalty(penalty)],
            AdamConfig::default(),
        );
        assert_eq!(sgd, adam);
        match sgd {
            OptimError::PenaltyShape {
                name,
                group,
                problem,
            } => {
                assert_eq!((name.as_str(), group), ("w", 0));
                problem
            }
            other => panic!("expected PenaltyShape, got {other:?}"),
        }
    };
    let w = matrix(2, 5);
    // Column groups of a [3, 4] matrix: 12 elements, the weight has 10.
    let problem = refused(Penalty::group_lasso(0.1, Groups::each_column(3, 4)), &w);
    assert!(
        problem.contains("partitions 12 elements") && problem.contains("[2, 5]"),
        "{problem}"
    );
    // 10 elements, but in periods of 2 columns on a weight of 5 columns:
    // the count fits, the columns would not.
    refused(
        Penalty::group_lasso(0.1, Groups::columns(5, vec![0, 1])),
        &w,
    );
    // Four factors for five columns.
    let factors = ColumnFactors::new(vec![1.0; 4]);
    let problem = refused(Penalty::l1_proximal(0.1).with_factors(factors), &w);
    assert!(
        problem.contains("4 penalty factors") && problem.contains("5 columns"),
        "{problem}"
    );
    // An inherited partition is checked against every parameter it reaches.
    let v = matrix(2, 4);
    let config = SgdConfig {
        penalty: Penalty::group_lasso(0.1, Groups::each_column(2, 4)),
        ..SgdConfig::default()
    };
    assert_eq!(
        sgd_err(vec![group(&[("v", &v), ("w", &w)])], config.clone()),
        sgd_err(vec![group(&[("w", &w)])], config.clone())
    );
    // The partitions that fit are accepted: by column, by element, and
    // factors with one entry per column.
    let by_element = Groups::from_labels((0..10).map(|k| k % 3).collect());
    for penalty in [
        Penalty::group_lasso(0.1, Groups::columns(2, vec![0, 0, 1, 1, 2])),
        Penalty::group_lasso(0.1, by_element),
        Penalty::l2(0.1).with_factors(ColumnFactors::new(vec![1.0, 0.0, 2.0, 1.0, 1.0])),
    ] {
        assert!(
            Sgd::new(
                vec![group(&[("w", &w)]).with_penalty(penalty)],
                SgdConfig::default()
            )
            .is_ok()
        );
    }
}

#[test]
fn a_structured_penalty_whose_rule_selects_nothing_is_refused() {
    // Neuron groups on layer 3 of a network with layers 0, 1 and 2.
    let mlp = Mlp::<f64>::new(
        &[4, 3, 2, 1],
        Activation::Relu,
        &mut StdRng::seed_from_u64(0),
    );
    let groups = GroupRules::new()
        .rule(
            Select::Layer(3),
            Penalty::group_lasso(0.1, Groups::each_column(1, 2)),
        )
        .build(mlp.named_parameters());
    assert_eq!(
        sgd_err(groups, SgdConfig::default()),
        OptimError::UnusedStructuredPenalty { group: 0 }
    );
    // A plain penalty on an empty group is no error: the group is empty.
    let groups = GroupRules::new()
        .rule(Select::Layer(3), Penalty::l1_proximal(0.1))
        .build(mlp.named_parameters());
    assert!(Sgd::new(groups, SgdConfig::default()).is_ok());
}

#[test]
fn a_penalty_serializes_flat_and_refuses_to_drop_structured_terms() {
    let elastic = Penalty::l1_proximal(1e-3).and(Penalty::decoupled_l2(1e-4));
    let json = serde_json::to_string(&elastic).unwrap();
    assert_eq!(
        json,
        r#"{"l1":0.001,"l1_mode":"proximal","l2":0.0001,"decoupled":true}"#
    );
    assert_eq!(serde_json::from_str::<Penalty>(&json).unwrap(), elastic);
    let structured = [
        Penalty::l1_proximal(1e-3).and(Penalty::group_lasso(0.1, Groups::each_column(2, 3))),
        Penalty::l2(1e-4).with_factors(ColumnFactors::new(vec![1.0, 2.0])),
    ];
    for penalty in structured {
        let err = serde_json::to_string(&penalty).unwrap_err().to_string();
        assert!(
            err.contains("group lasso or penalty factors cannot be serialized"),
            "{err}"
        );
    }
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
            vec![group(&[("a", &a)])],
            AdamConfig {
                lr: f64::INFINITY,
                ..AdamConfig::default()
            }
        ),
        invalid(Defaults, "lr", f64::INFINITY, NonNegative)
    );
    // NaN: compare the fields, since NaN ≠ NaN
    let err = sgd_err(
        vec![group(&[("a", &a)]).with_lr(f64::NAN)],
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
    assert_eq!(
        sgd_err(
            vec![group(&[("a", &a)]).with_penalty(Penalty::l1_subgradient(-0.01))],
            SgdConfig::default()
        ),
        invalid(Group(0), "l1", -0.01, NonNegative)
    );
    assert_eq!(
        adam_err(
            vec![group(&[("a", &a)])],
            AdamConfig {
                penalty: Penalty::l2(f64::NEG_INFINITY),
                ..AdamConfig::default()
            }
        ),
        invalid(Defaults, "l2", f64::NEG_INFINITY, NonNegative)
    );
    // bad defaults are refused even when every group overrides them
    assert_eq!(
        sgd_err(
            vec![group(&[("a", &a)]).with_lr(0.1)],
            SgdConfig {
                lr: -1.0,
                ..SgdConfig::default()
            }
        ),
        invalid(Defaults, "lr", -1.0, NonNegative)
    );
}

#[test]
fn bad_momentum_and_dampening_are_refused() {
    let a = leaf(&[1.0]);
    let g = || vec![group(&[("a", &a)])];
    use Location::{Defaults, Group};
    let sgd = |momentum: Momentum| SgdConfig {
        momentum,
        ..SgdConfig::default()
    };
    let classic = |momentum, dampening| {
        sgd(Momentum::Classic {
            momentum,
            dampening,
        })
    };
    assert_eq!(
        sgd_err(g(), classic(1.0, 0.0)),
        invalid(Defaults, "momentum", 1.0, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        sgd_err(g(), classic(-0.1, 0.0)),
        invalid(Defaults, "momentum", -0.1, Requirement::HalfOpenUnit)
    );
    assert_eq!(
        sgd_err(g(), classic(0.9, 1.5)),
        invalid(Defaults, "dampening", 1.5, Requirement::ClosedUnit)
    );
    assert!(
        Sgd::new(g(), classic(0.9, 1.0)).is_ok(),
        "dampening 1 is allowed"
    );
    // Nesterov without momentum is a value out of range (with dampening it
    // cannot be written at all: see Momentum's compile_fail doc test)
    let err = sgd_err(g(), sgd(Momentum::nesterov(0.0)));
    assert_eq!(
        err,
        invalid(Defaults, "momentum", 0.0, Requirement::OpenUnit)
    );
    assert_eq!(
        err.to_string(),
        "defaults: momentum = 0 is invalid: it must be in (0, 1)"
    );
    // a group's own momentum is checked in its place
    let err = sgd_err(
        vec![group(&[("a", &a)]).with_options(SgdOptions {
            momentum: Some(Momentum::nesterov(1.0)),
        })],
        classic(0.9, 0.1),
    );
    assert_eq!(
        err,
        invalid(Group(0), "momentum", 1.0, Requirement::OpenUnit)
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
            vec![group(&[("a", &a)]).with_options(AdamOptions {
                eps: Some(-1e-8),
                ..AdamOptions::default()
            })],
            AdamConfig::default()
        ),
        invalid(Group(0), "eps", -1e-8, Requirement::Positive)
    );
    assert_eq!(
        adam_err(
            vec![group(&[("a", &a)]).with_options(AdamOptions {
                betas: Some((0.9, 1.0)),
                ..AdamOptions::default()
            })],
            AdamConfig::default()
        ),
        invalid(Group(0), "beta2", 1.0, Requirement::HalfOpenUnit)
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
fn rule_groups<O: Default>(mlp: &Mlp<f64>) -> Vec<ParamGroup<f64, O>> {
    GroupRules::new()
        .rule(
            Select::FirstLayer,
            Penalty::l1_proximal(0.01).and(Penalty::l2(0.05)),
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
        momentum: Momentum::nesterov(0.9),
        penalty: Penalty::l2(0.01),
    };
    check_resume(
        |mlp| Sgd::new(rule_groups(mlp), config.clone()).unwrap(),
        |sgd| serde_json::to_string(&sgd.state()).unwrap(),
        |sgd, json| sgd.load_state(serde_json::from_str(json).unwrap()).unwrap(),
    );
}

#[test]
fn adam_resumes_bit_exactly_from_saved_state() {
    let config = AdamConfig {
        lr: 0.01,
        penalty: Penalty::decoupled_l2(0.01).and(Penalty::l1_subgradient(0.001)),
        ..AdamConfig::default()
    };
    check_resume(
        |mlp| Adam::new(rule_groups(mlp), config.clone()).unwrap(),
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
        momentum: Momentum::classic(0.5),
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

    let mut adam = Adam::new(
        vec![group(&[("a", &a)]), group(&[("b", &b)])],
        AdamConfig::default(),
    )
    .unwrap();
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
