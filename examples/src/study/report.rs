//! From job results to the report: each regime's CV curve, the λ it
//! selects, and the refit at that λ on the test set.

use serde::{Deserialize, Serialize};
use sparsegrad::nn::sparsity::SupportRecovery;

use super::config::Selection;
use super::engine::PathPoint;
use super::grid::{Grid, GridTop};
use super::jobs::{JobResult, Part};
use super::regime::Regime;
use super::table::significant;
use super::{StudyHeader, StudyReport};
use sparsegrad::nn::path::CvCurve;

/// One λ of a regime's grid: the CV estimate and the refit's sparsity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// λ.
    pub lambda: f64,
    /// Mean validation loss over the folds.
    pub cv_mean: f64,
    /// Its standard error (sample std over the folds / √K).
    pub cv_se: f64,
    /// Exact-zero fraction of the refit's weights.
    pub exact_zero_fraction: f64,
    /// Input features the compacted refit reads.
    pub features_kept: usize,
    /// Parameters of the compacted refit.
    pub params_after_compaction: usize,
    /// The refit's test loss.
    pub test_loss: f64,
    /// Settle steps per fit at this λ, the mean over the folds and the
    /// refit (each fit stops on the residual tolerance or on the cap).
    pub settle_steps: f64,
    /// The largest proximal-gradient residual ‖y − w‖₂/lr over those
    /// fits: how far from stationary the fits at this λ are (none without
    /// a settle phase).
    pub settle_residual: Option<f64>,
}

/// One regime in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeReport {
    /// The regime.
    pub regime: Regime,
    /// Its human name.
    pub label: String,
    /// How its grid's top was found.
    pub grid_top: GridTop,
    /// The λ with the smallest mean CV loss.
    pub lambda_best: f64,
    /// The largest λ within one standard error of it.
    pub lambda_1se: f64,
    /// The λ reported (`lambda_best` or `lambda_1se`, by `--select`).
    pub chosen: f64,
    /// The refit's test loss at `chosen`.
    pub test_loss: f64,
    /// Its test accuracy (classification).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_accuracy: Option<f64>,
    /// Its exact-zero fraction of the weights.
    pub exact_zero_fraction: f64,
    /// How many input features it reads.
    pub features_kept: usize,
    /// Their names.
    pub selected_features: Vec<String>,
    /// Neurons kept per hidden layer.
    pub neurons_kept: Vec<usize>,
    /// Parameters after compaction.
    pub params_after_compaction: usize,
    /// The selected features against the true support, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub support_recovery: Option<SupportRecovery>,
    /// Per feature (by name, in feature order), the λ at which it leaves
    /// the refit's model (LassoNet's importance): the smallest grid λ from
    /// which on, at every larger grid λ too, the feature is out; `null`
    /// when it is still in at the top of the grid.
    pub feature_leave_lambda: Vec<(String, Option<f64>)>,
    /// One entry per λ, largest first.
    pub curve: Vec<CurvePoint>,
    /// The refit's parameters at the chosen λ (for the plots; not in the
    /// report file).
    #[serde(skip)]
    pub chosen_parameters: Vec<Vec<f32>>,
}

impl RegimeReport {
    /// The index of the chosen λ in the grid.
    pub fn chosen_index(&self) -> usize {
        self.curve
            .iter()
            .position(|p| p.lambda == self.chosen)
            .expect("the chosen λ is on the grid")
    }

    /// Why this λ: one line with the CV figures behind it.
    pub fn reason(&self, select: Selection) -> String {
        let at = |lambda: f64| {
            let p = &self.curve[self
                .curve
                .iter()
                .position(|p| p.lambda == lambda)
                .unwrap_or(0)];
            (p.cv_mean, p.cv_se)
        };
        if self.curve.len() == 1 {
            return "no penalty: nothing to choose".to_owned();
        }
        let (best_mean, best_se) = at(self.lambda_best);
        match select {
            Selection::Best => format!("the smallest mean CV loss, {best_mean:.4} ± {best_se:.4}"),
            Selection::OneSe => {
                let (mean, _) = at(self.lambda_1se);
                format!(
                    "1-SE rule: the largest λ whose mean CV loss {mean:.4} ≤ {best_mean:.4} + {best_se:.4} (the minimum, at λ = {}, plus its SE)",
                    significant(self.lambda_best)
                )
            }
        }
    }
}

/// The report of a study from its header and every job's result (in the
/// order of [`Plan::jobs`](super::jobs::Plan::jobs)).
pub fn assemble(header: StudyHeader, results: Vec<JobResult>) -> StudyReport {
    let regimes = header
        .grids
        .iter()
        .map(|grid| regime_report(&header, grid, &results))
        .collect();
    StudyReport { header, regimes }
}

/// One regime's report.
fn regime_report(header: &StudyHeader, grid: &Grid, results: &[JobResult]) -> RegimeReport {
    let of_regime = results.iter().filter(|r| r.job.regime == grid.regime);
    let fold_losses: Vec<Vec<f64>> = of_regime
        .clone()
        .filter(|r| matches!(r.job.part, Part::Fold(_)))
        .map(|r| r.points.iter().map(|p| p.loss).collect())
        .collect();
    let refit: &[PathPoint] = &of_regime
        .clone()
        .find(|r| r.job.part == Part::Refit)
        .expect("every regime has a refit")
        .points;
    let cv = CvCurve::from_fold_losses(grid.lambdas.clone(), fold_losses);
    let chosen = match header.config.select {
        Selection::Best => cv.best,
        Selection::OneSe => cv.one_se,
    };
    let point = &refit[chosen];
    let names = &header.feature_names;
    let curve = (0..grid.lambdas.len())
        .map(|i| CurvePoint {
            lambda: grid.lambdas[i],
            cv_mean: cv.mean[i],
            cv_se: cv.standard_error[i],
            exact_zero_fraction: refit[i].sparsity.exact_zero_fraction,
            features_kept: refit[i].sparsity.features_kept.len(),
            params_after_compaction: refit[i].sparsity.params_after_compaction,
            test_loss: refit[i].loss,
            settle_steps: of_regime
                .clone()
                .map(|r| r.points[i].settle_steps as f64)
                .sum::<f64>()
                / of_regime.clone().count() as f64,
            settle_residual: of_regime
                .clone()
                .filter_map(|r| r.points[i].settle_residual)
                .reduce(f64::max),
        })
        .collect();
    RegimeReport {
        regime: grid.regime,
        label: grid.regime.label().to_owned(),
        grid_top: grid.top,
        lambda_best: cv.best_lambda(),
        lambda_1se: cv.one_se_lambda(),
        chosen: grid.lambdas[chosen],
        test_loss: point.loss,
        test_accuracy: point.accuracy,
        exact_zero_fraction: point.sparsity.exact_zero_fraction,
        features_kept: point.sparsity.features_kept.len(),
        selected_features: point
            .sparsity
            .features_kept
            .iter()
            .map(|&j| names[j].clone())
            .collect(),
        neurons_kept: point.sparsity.neurons_kept.clone(),
        params_after_compaction: point.sparsity.params_after_compaction,
        support_recovery: header.support.as_ref().map(|truth| {
            SupportRecovery::compare(&point.sparsity.features_kept, truth, names.len())
        }),
        feature_leave_lambda: names
            .iter()
            .enumerate()
            .map(|(j, name)| (name.clone(), leave_lambda(refit, j)))
            .collect(),
        curve,
        chosen_parameters: point.parameters.clone().unwrap_or_default(),
    }
}

/// The smallest λ of `path` (largest first) from which on feature `j` is
/// out of the model at every larger λ; `None` when it is in at the top.
fn leave_lambda(path: &[PathPoint], j: usize) -> Option<f64> {
    let kept = |p: &PathPoint| p.sparsity.features_kept.binary_search(&j).is_ok();
    let out_from_top = path.iter().take_while(|p| !kept(p)).count();
    (out_from_top > 0).then(|| path[out_from_top - 1].lambda)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::measure::NetworkSparsity;

    fn point(lambda: f64, features: &[usize]) -> PathPoint {
        PathPoint {
            lambda,
            loss: 1.0,
            accuracy: None,
            sparsity: NetworkSparsity {
                exact_zero_fraction: 0.0,
                features_kept: features.to_vec(),
                neurons_kept: vec![],
                params_after_compaction: 0,
            },
            epochs: 0,
            settle_steps: 0,
            settle_residual: None,
            parameters: None,
        }
    }

    #[test]
    fn a_feature_leaves_where_it_is_out_for_good() {
        // λ = 8, 4, 2, 1: feature 0 in everywhere below 8, feature 1 in
        // at 1 and 4 only (out at 2: not for good), feature 2 never in.
        let path = [
            point(8.0, &[]),
            point(4.0, &[0, 1]),
            point(2.0, &[0]),
            point(1.0, &[0, 1]),
        ];
        assert_eq!(leave_lambda(&path, 0), Some(8.0));
        assert_eq!(leave_lambda(&path, 1), Some(8.0));
        assert_eq!(leave_lambda(&path, 2), Some(1.0));
        let dense = [point(8.0, &[3]), point(4.0, &[3])];
        assert_eq!(leave_lambda(&dense, 3), None);
    }
}
