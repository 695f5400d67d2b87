//! End-to-end: the quick study, seed fixed, shows what each penalty does
//! to the weights (issue 4, item 3).

use sparsegrad_examples::progress::Progress;
use sparsegrad_examples::study::{Regime, RegimeResult, StudyConfig, StudyReport, run_study};

fn report() -> StudyReport {
    let config = StudyConfig {
        seed: 7,
        ..StudyConfig::quick()
    };
    run_study(&config, &Progress::new(true)).expect("the quick study runs")
}

fn near_zero_fraction(r: &RegimeResult) -> f64 {
    r.weights
        .near_zeros
        .as_ref()
        .expect("a tolerance is set")
        .fraction
}

/// Exact-zero fraction of weight matrix `layer` (0 = the first).
fn layer_zero_fraction(r: &RegimeResult, layer: usize) -> f64 {
    let p = &r.weights.parameters[layer];
    p.exact_zeros as f64 / p.numel as f64
}

#[test]
fn each_penalty_shows_its_character() {
    let report = report();
    let get = |regime| report.result(regime).expect("every regime runs");
    let none = get(Regime::None);
    let n_features = none.features.n_features();

    // The reference: no zeros, every feature used.
    assert_eq!(none.weights.exact_zeros, 0);
    assert_eq!(none.features.selected.len(), n_features);

    // Proximal L1: most weights exactly 0, the support recovered, and far
    // fewer noise features kept than without a penalty.
    let proximal = get(Regime::L1Proximal);
    assert!(
        proximal.weights.exact_zero_fraction > 0.8,
        "proximal L1 exact zeros {}",
        proximal.weights.exact_zero_fraction
    );
    assert_eq!(proximal.recovery.recall, 1.0);
    assert!(
        proximal.recovery.precision >= 0.4
            && proximal.recovery.precision >= 4.0 * none.recovery.precision,
        "proximal precision {} vs unpenalized {}",
        proximal.recovery.precision,
        none.recovery.precision
    );

    // L2, coupled or decoupled: no exact zeros, but a smaller weight norm.
    for regime in [Regime::L2Coupled, Regime::L2Decoupled] {
        let l2 = get(regime);
        assert_eq!(l2.weights.exact_zeros, 0, "{regime:?}");
        assert!(
            l2.l2_norm < 0.8 * none.l2_norm,
            "{regime:?}: ‖w‖₂ {} vs unpenalized {}",
            l2.l2_norm,
            none.l2_norm
        );
    }

    // Subgradient L1: most weights near 0, almost none exactly 0.
    let subgradient = get(Regime::L1Subgradient);
    assert!(
        near_zero_fraction(subgradient) > 0.8,
        "subgradient near zeros {}",
        near_zero_fraction(subgradient)
    );
    assert!(
        subgradient.weights.exact_zero_fraction < 0.01,
        "subgradient exact zeros {}",
        subgradient.weights.exact_zero_fraction
    );

    // L1 on the first layer only: input features selected (the support
    // kept), the deeper layers dense.
    let first = get(Regime::L1FirstLayer);
    assert!(layer_zero_fraction(first, 0) > 0.8);
    assert_eq!(first.recovery.recall, 1.0);
    assert!(
        first.features.selected.len() <= n_features / 2,
        "first-layer L1 kept {} features",
        first.features.selected.len()
    );
    for layer in 1..first.weights.parameters.len() {
        assert_eq!(layer_zero_fraction(first, layer), 0.0, "layer {layer}");
    }
}

#[test]
fn same_seed_same_weights_and_every_regime_starts_from_one_init() {
    // Two runs agree on every figure but the timings.
    let strip = |mut r: StudyReport| {
        for regime in &mut r.regimes {
            regime.seconds = 0.0;
        }
        r
    };
    let config = StudyConfig {
        epochs: 2,
        full_batch_epochs: 1,
        ..StudyConfig::quick()
    };
    let quiet = Progress::new(true);
    let a = strip(run_study(&config, &quiet).unwrap());
    let b = strip(run_study(&config, &quiet).unwrap());
    assert_eq!(a, b);
}

#[test]
fn with_zero_strengths_every_regime_is_the_unpenalized_run() {
    // Same initial weights and same batches: when λ1 = λ2 = 0 the seven
    // regimes must end with the same weights bit for bit.
    let config = StudyConfig {
        epochs: 3,
        full_batch_epochs: 2,
        l1: 0.0,
        l2: 0.0,
        ..StudyConfig::quick()
    };
    let report = run_study(&config, &Progress::new(true)).unwrap();
    let none = &report.regimes[0];
    for r in &report.regimes[1..] {
        assert_eq!(r.weight_values, none.weight_values, "{}", r.label);
        assert_eq!(r.train_curve, none.train_curve, "{}", r.label);
        assert_eq!(r.test_loss, none.test_loss, "{}", r.label);
    }
}
