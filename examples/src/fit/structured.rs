//! The options of `fit` for structured penalties: the group lasso on the
//! input features (`--group-l1`, `--feature-groups`), on the hidden
//! neurons (`--neuron-l1`), and per-feature penalty factors
//! (`--penalty-factor`), as CLI.md describes them.

use clap::Args;
use sparsegrad::nn::group_lasso::{ColumnFactors, Groups, dense_labels};
use sparsegrad::nn::optim::Requirement;

use super::args::check_option;
use super::error::FitError;

/// The structured-penalty options of `fit`, flattened into its command line.
#[derive(Clone, Debug, Default, Args)]
pub struct StructuredArgs {
    /// Group lasso λg on the first layer's weight, one group per feature
    /// group (≥ 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub group_l1: f64,
    /// One group label per feature, in --features order (default: each
    /// feature its own group).
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set)]
    pub feature_groups: Option<Vec<String>>,
    /// Group lasso λn on the hidden neurons' outgoing weights (≥ 0).
    #[arg(allow_hyphen_values = true, long, default_value_t = 0.0)]
    pub neuron_l1: f64,
    /// NAME=C,...: multiply λ1 and λ2 on feature NAME's weights by C ≥ 0.
    #[arg(long, value_delimiter = ',', action = clap::ArgAction::Set, value_parser = parse_factor)]
    pub penalty_factor: Vec<(String, f64)>,
}

/// `NAME=C` as (NAME, C); the range of C is checked with the others.
fn parse_factor(text: &str) -> Result<(String, f64), String> {
    let (name, factor) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=C"))?;
    let factor: f64 = factor
        .parse()
        .map_err(|_| format!("`{factor}` in `{text}` is not a number"))?;
    Ok((name.to_string(), factor))
}

impl StructuredArgs {
    /// The checks that need no data: the strengths' ranges, the factors'
    /// ranges, each feature named once, and `--neuron-l1` only with hidden
    /// layers.
    pub fn validate(&self, hidden: &[usize]) -> Result<(), FitError> {
        check_option(Requirement::NonNegative, "group-l1", self.group_l1)?;
        check_option(Requirement::NonNegative, "neuron-l1", self.neuron_l1)?;
        for (i, (name, factor)) in self.penalty_factor.iter().enumerate() {
            check_option(
                Requirement::NonNegative,
                &format!("penalty-factor {name}"),
                *factor,
            )?;
            // a feature named twice has no one factor (as an option given
            // twice is an error)
            if self.penalty_factor[..i]
                .iter()
                .any(|(earlier, _)| earlier == name)
            {
                return Err(FitError::invalid(format!(
                    "--penalty-factor names `{name}` twice"
                )));
            }
        }
        if self.neuron_l1 != 0.0 && hidden.is_empty() {
            return Err(FitError::invalid(
                "--neuron-l1 needs a hidden layer (--hidden); a linear model has no hidden neuron"
                    .to_string(),
            ));
        }
        Ok(())
    }

    /// The partition of W₁ `[hidden, features]` by feature group: the
    /// labels of `--feature-groups` (one per feature), or each feature its
    /// own group.
    pub fn feature_groups(&self, features: &[String], rows: usize) -> Result<Groups, FitError> {
        match &self.feature_groups {
            None => Ok(Groups::each_column(rows, features.len())),
            Some(labels) if labels.len() != features.len() => Err(FitError::invalid(format!(
                "--feature-groups has {} labels for {} features",
                labels.len(),
                features.len()
            ))),
            Some(labels) => Ok(Groups::columns(rows, dense_labels(labels))),
        }
    }

    /// The penalty factors of the features (1 for a feature not named),
    /// or `None` without `--penalty-factor`.
    pub fn factors(&self, features: &[String]) -> Result<Option<ColumnFactors>, FitError> {
        if self.penalty_factor.is_empty() {
            return Ok(None);
        }
        let mut factors = vec![1.0; features.len()];
        for (name, factor) in &self.penalty_factor {
            let j = features.iter().position(|f| f == name).ok_or_else(|| {
                FitError::invalid(format!(
                    "--penalty-factor names `{name}`, which is not a feature"
                ))
            })?;
            factors[j] = *factor;
        }
        Ok(Some(ColumnFactors::new(factors)))
    }
}
