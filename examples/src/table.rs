//! Aligned text tables, for the tour's reports and the study's comparison.

use std::fmt;

/// How a column's cells line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text: flush left.
    Left,
    /// Numbers: flush right, so that decimal points line up.
    Right,
}

/// A table with a header row and a rule under it, each column as wide as
/// its widest cell (counted in characters, so `∂` and `²` count as one),
/// columns two spaces apart, trailing spaces trimmed.
pub(crate) struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
    /// The character of the rule under the header.
    rule: char,
}

impl Table {
    /// An empty table with these column headers and alignments.
    pub(crate) fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            columns: columns.iter().map(|&(h, a)| (h.to_string(), a)).collect(),
            rows: Vec::new(),
            rule: '─',
        }
    }

    /// The table with its header rule drawn in `rule` (default `─`).
    pub(crate) fn with_rule(self, rule: char) -> Self {
        Self { rule, ..self }
    }

    /// Appends a row.
    ///
    /// # Panics
    /// When the row does not have one cell per column.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        assert_eq!(
            cells.len(),
            self.columns.len(),
            "Table::row: {} cells for {} columns",
            cells.len(),
            self.columns.len()
        );
        self.rows.push(cells);
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = |c: usize| {
            self.rows
                .iter()
                .map(|r| r[c].chars().count())
                .chain([self.columns[c].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.columns.len()).map(width).collect();
        let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            let mut text = String::new();
            for (c, cell) in cells.iter().enumerate() {
                let pad = " ".repeat(widths[c] - cell.chars().count());
                let gap = if c == 0 { "" } else { "  " };
                match self.columns[c].1 {
                    Align::Left => text.push_str(&format!("{gap}{cell}{pad}")),
                    Align::Right => text.push_str(&format!("{gap}{pad}{cell}")),
                }
            }
            writeln!(f, "{}", text.trim_end())
        };
        let headers: Vec<String> = self.columns.iter().map(|(h, _)| h.clone()).collect();
        line(f, &headers)?;
        let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        writeln!(f, "{}", self.rule.to_string().repeat(total))?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

/// `x` with four decimals, the precision the reports show (−0 as 0).
pub(crate) fn fixed(x: f64) -> String {
    format!("{:.4}", x + 0.0)
}

/// `x` in scientific notation with one decimal, for errors and differences.
pub(crate) fn sci(x: f64) -> String {
    format!("{x:.1e}")
}
