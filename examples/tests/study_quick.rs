//! End-to-end: the quick study, seed fixed. Each regime at its own
//! cross-validated λ: the selection rules hold, the L1 regimes recover the
//! support, the unpenalized one keeps everything, and threads do not
//! change a bit.

use std::sync::OnceLock;

use sparsegrad_examples::progress::Progress;
use sparsegrad_examples::study::{Regime, Selection, StudyConfig, StudyReport, run_study};

fn quick(seed: u64) -> StudyConfig {
    StudyConfig {
        seed,
        ..StudyConfig::quick()
    }
}

fn run(config: &StudyConfig) -> StudyReport {
    run_study(config, &Progress::new(true)).expect("the quick study runs")
}

/// The quick study with seed 7, run once for the tests that read it.
fn seven() -> &'static StudyReport {
    static REPORT: OnceLock<StudyReport> = OnceLock::new();
    REPORT.get_or_init(|| run(&quick(7)))
}

/// A smaller study for the tests that compare two runs: two regimes, a
/// 3-point grid, short fits.
fn small(seed: u64) -> StudyConfig {
    StudyConfig {
        regimes: vec![Regime::L1Proximal, Regime::L2Coupled],
        grid: 3,
        first_epochs: 10,
        path_epochs: 3,
        settle_epochs: 5,
        ..quick(seed)
    }
}

#[test]
fn every_regime_is_reported_at_its_cross_validated_lambda() {
    let report = seven();
    for r in &report.regimes {
        let cv: Vec<f64> = r.curve.iter().map(|p| p.cv_mean).collect();
        let best = cv.iter().copied().fold(f64::INFINITY, f64::min);
        let i_best = r
            .curve
            .iter()
            .position(|p| p.lambda == r.lambda_best)
            .unwrap();
        let i_1se = r
            .curve
            .iter()
            .position(|p| p.lambda == r.lambda_1se)
            .unwrap();
        // λ_best minimizes the CV mean; λ_1se is the largest λ (grid is
        // largest first) within one SE of it.
        assert_eq!(cv[i_best], best, "{}", r.label);
        let threshold = best + r.curve[i_best].cv_se;
        assert!(cv[i_1se] <= threshold, "{}", r.label);
        assert!(cv[..i_1se].iter().all(|&m| m > threshold), "{}", r.label);
        assert!(r.lambda_1se >= r.lambda_best, "{}", r.label);
        assert_eq!(r.chosen, r.lambda_1se, "{}: the default is 1-SE", r.label);
        // the table's figures are the refit's at the chosen λ
        let point = &r.curve[r.chosen_index()];
        assert_eq!(point.test_loss, r.test_loss);
        assert_eq!(point.features_kept, r.features_kept);
        assert_eq!(point.params_after_compaction, r.params_after_compaction);
    }
}

#[test]
fn the_l1_regimes_recover_the_support_and_no_penalty_keeps_everything() {
    let report = seven();
    let support = report.header.support.as_ref().expect("a synthetic task");
    let n_features = report.header.feature_names.len();
    let none = report.regime(Regime::None).unwrap();
    assert_eq!(none.exact_zero_fraction, 0.0);
    assert_eq!(none.features_kept, n_features);
    for regime in [Regime::L1Proximal, Regime::L1FirstLayer] {
        let r = report.regime(regime).unwrap();
        let recovery = r.support_recovery.as_ref().expect("the support is known");
        assert_eq!(recovery.recall, 1.0, "{}", r.label);
        assert!(
            r.features_kept < n_features,
            "{}: kept {}",
            r.label,
            r.features_kept
        );
        assert!(
            r.exact_zero_fraction > 0.3,
            "{}: {}",
            r.label,
            r.exact_zero_fraction
        );
        // at the top of the grid (λ_max) only the support is left, and
        // fewer features than at the bottom
        let (top, bottom) = (&r.curve[0], &r.curve[r.curve.len() - 1]);
        assert!(top.features_kept <= support.len(), "{}: {top:?}", r.label);
        assert!(top.features_kept < bottom.features_kept, "{}", r.label);
    }
    // Subgradient L1 and L2 never land on exact zeros.
    for regime in [Regime::L1Subgradient, Regime::L2Coupled] {
        let r = report.regime(regime).unwrap();
        assert_eq!(r.exact_zero_fraction, 0.0, "{}", r.label);
    }
}

#[test]
fn select_best_reports_the_minimum() {
    let report = run(&StudyConfig {
        select: Selection::Best,
        ..small(3)
    });
    for r in &report.regimes {
        assert_eq!(r.chosen, r.lambda_best, "{}", r.label);
    }
}

#[test]
fn threads_do_not_change_a_bit() {
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let report = pool.install(|| run(&small(11)));
        serde_json::to_string(&report).unwrap()
    };
    assert_eq!(in_pool(1), in_pool(2));
}
