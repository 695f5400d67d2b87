//! The comparison table printed at the end of a study, one row per
//! regime at its chosen λ, and the lines saying why each λ was chosen.

use super::StudyReport;
use crate::table::{Align, Table};

/// The results of `report` as an aligned text table, one row per regime
/// at its chosen λ, ending with a newline:
///
/// - `λ`: the chosen λ (`-` for the unpenalized regime);
/// - `test`: the refit's test loss (MSE of the standardized target, or
///   cross-entropy), then `acc` its accuracy (classification only);
/// - `zeros`: the exact-zero fraction of all weights;
/// - `feats`: input features the compacted network reads, of all, then
///   `neurons` kept per hidden layer and `params` after compaction;
/// - `prec`, `recall`, `F1`: the kept features against the true support
///   (when it is known).
pub fn format_table(report: &StudyReport) -> String {
    let classification = report.regimes.iter().any(|r| r.test_accuracy.is_some());
    let known = report.header.support.is_some();
    let mut header = vec!["regime", "λ", "test"];
    if classification {
        header.push("acc");
    }
    header.extend(["zeros", "feats", "neurons", "params"]);
    if known {
        header.extend(["prec", "recall", "F1"]);
    }
    let n_features = report.header.feature_names.len();
    let rows = report.regimes.iter().map(|r| {
        let lambda = if r.curve.len() == 1 {
            "-".to_owned()
        } else {
            significant(r.chosen)
        };
        let mut row = vec![r.label.clone(), lambda, format!("{:.4}", r.test_loss)];
        if let Some(accuracy) = r.test_accuracy {
            row.push(format!("{:.1}%", 100.0 * accuracy));
        }
        let neurons: Vec<String> = r.neurons_kept.iter().map(usize::to_string).collect();
        row.extend([
            format!("{:.1}%", 100.0 * r.exact_zero_fraction),
            format!("{}/{n_features}", r.features_kept),
            if neurons.is_empty() {
                "-".to_owned()
            } else {
                neurons.join("-")
            },
            r.params_after_compaction.to_string(),
        ]);
        if let Some(recovery) = &r.support_recovery {
            row.extend([
                format!("{:.2}", recovery.precision),
                format!("{:.2}", recovery.recall),
                format!("{:.2}", recovery.f1),
            ]);
        }
        row
    });
    let header: Vec<String> = header.into_iter().map(String::from).collect();
    align(header, rows)
}

/// One line per regime: the λ chosen and why (the CV figures behind it),
/// and where its grid started.
pub fn format_choices(report: &StudyReport) -> String {
    let select = report.header.config.select;
    report
        .regimes
        .iter()
        .map(|r| {
            let top = match r.grid_top {
                super::grid::GridTop::Unpenalized => String::new(),
                super::grid::GridTop::Exact => format!(
                    "; grid from the exact λ_max {}",
                    significant(r.curve[0].lambda)
                ),
                super::grid::GridTop::FirstLayerHeuristic => format!(
                    "; grid from the first layer's λ_max {} (heuristic here)",
                    significant(r.curve[0].lambda)
                ),
                super::grid::GridTop::RidgeHeuristic => format!(
                    "; grid from L/10 = {}, L the curvature bound (heuristic)",
                    significant(r.curve[0].lambda)
                ),
                super::grid::GridTop::NeuronHeuristic => format!(
                    "; grid from the neurons' group bound {} at the initial network (heuristic)",
                    significant(r.curve[0].lambda)
                ),
            };
            let lambda = if r.curve.len() == 1 {
                String::new()
            } else {
                format!("λ = {}: ", significant(r.chosen))
            };
            format!("{}: {lambda}{}{top}\n", r.label, r.reason(select))
        })
        .collect()
}

/// `header` and `rows` in columns two spaces apart: the first column
/// left-aligned, the others right-aligned, with a rule of `-` under the
/// header. Widths count characters, not bytes (‖ is one).
fn align(header: Vec<String>, rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let columns: Vec<(&str, Align)> = header
        .iter()
        .enumerate()
        .map(|(c, h)| (h.as_str(), if c == 0 { Align::Left } else { Align::Right }))
        .collect();
    let mut table = Table::new(&columns).with_rule('-');
    for row in rows {
        table.row(row);
    }
    table.to_string()
}

/// `x` with 3 significant digits in fixed notation (`0.0123`, `4.56`,
/// `123`), as λ values are printed; 0 is `0`.
pub fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn lambdas_print_with_three_significant_digits() {
        assert_eq!(super::significant(0.0123456), "0.0123");
        assert_eq!(super::significant(4.567), "4.57");
        assert_eq!(super::significant(1234.4), "1234");
        assert_eq!(super::significant(0.0), "0");
    }

    #[test]
    fn columns_are_aligned_by_characters() {
        let header = vec!["name".to_string(), "‖w‖₁".to_string()];
        let rows = vec![
            vec!["a".to_string(), "12.5".to_string()],
            vec!["longer".to_string(), "3".to_string()],
        ];
        let table = align(header, rows);
        assert_eq!(
            table,
            "name    ‖w‖₁\n------------\na       12.5\nlonger     3\n"
        );
    }
}
