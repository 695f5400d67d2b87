//! The comparison table printed at the end of a study: one row per regime.

use super::StudyReport;

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
    align(std::iter::once(header).chain(rows).collect())
}

/// Lays out `rows` (the first is the header) in columns two spaces apart:
/// the first column left-aligned, the others right-aligned, with a rule
/// under the header. Widths count characters, not bytes (‖ is one).
fn align(rows: Vec<Vec<String>>) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &Vec<String>| {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &width))| {
                let pad = " ".repeat(width - cell.chars().count());
                if c == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        cells.join("  ").trim_end().to_owned()
    };
    let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        out.push_str(&line(row));
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn columns_are_aligned_by_characters() {
        let rows = vec![
            vec!["name".to_string(), "‖w‖₁".to_string()],
            vec!["a".to_string(), "12.5".to_string()],
            vec!["longer".to_string(), "3".to_string()],
        ];
        let table = align(rows);
        assert_eq!(
            table,
            "name    ‖w‖₁\n------------\na       12.5\nlonger     3\n"
        );
    }
}
