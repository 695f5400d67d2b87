//! The comparison table printed at the end of a study: one row per regime.

use super::StudyReport;
use crate::table::{Align, Table};

/// The results of `report` as an aligned text table, one row per regime,
/// ending with a newline:
///
/// - `train`, `test`: final MSE of the standardized target;
/// - `zeros`: exact-zero fraction of all weights, then per weight matrix
///   (`W1` is the first layer);
/// - `near0`: fraction with |w| < τ (exact zeros included);
/// - `feats`: input features whose first-layer column is not all zero,
///   then precision, recall and F1 against the true support;
/// - `‖w‖₁`, `‖w‖₂`: norms of all weights; `s`: seconds.
pub fn format_table(report: &StudyReport) -> String {
    let layers = report
        .regimes
        .first()
        .map_or(0, |r| r.weights.parameters.len());
    let mut header: Vec<String> = ["regime", "train", "test", "zeros"]
        .into_iter()
        .map(String::from)
        .collect();
    header.extend((1..=layers).map(|i| format!("zeros W{i}")));
    header.extend(
        [
            "near0",
            "feats",
            "prec",
            "recall",
            "F1",
            "‖w‖₁",
            "‖w‖₂",
            "s",
        ]
        .into_iter()
        .map(String::from),
    );
    let percent = |fraction: f64| format!("{:.1}%", 100.0 * fraction);
    let rows = report.regimes.iter().map(|r| {
        let mut row = vec![
            r.label.clone(),
            format!("{:.4}", r.train_loss),
            format!("{:.4}", r.test_loss),
            percent(r.weights.exact_zero_fraction),
        ];
        row.extend(
            r.weights
                .parameters
                .iter()
                .map(|p| percent(p.exact_zeros as f64 / p.numel.max(1) as f64)),
        );
        let near_zero = r.weights.near_zeros.as_ref().map_or(0.0, |n| n.fraction);
        row.extend([
            percent(near_zero),
            format!("{}/{}", r.features.selected.len(), r.features.n_features()),
            format!("{:.2}", r.recovery.precision),
            format!("{:.2}", r.recovery.recall),
            format!("{:.2}", r.recovery.f1),
            format!("{:.1}", r.l1_norm),
            format!("{:.2}", r.l2_norm),
            format!("{:.1}", r.seconds),
        ]);
        row
    });
    align(header, rows)
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

#[cfg(test)]
mod tests {
    use super::align;

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
