//! Progress bars for the programs' long work (indicatif, on stderr).
//!
//! Bars are drawn only when asked for (no `--quiet`) and when stderr is a
//! terminal, so logs and CI output stay clean.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bars of one program run, stacked on stderr.
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    /// Bars that are drawn unless `quiet` is set or stderr is not a
    /// terminal.
    pub fn new(quiet: bool) -> Self {
        let draw = !quiet && std::io::stderr().is_terminal();
        Progress {
            multi: draw.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A bar of `len` units labelled `label`, showing position, rate and
    /// the message the caller sets (the current loss, say). Hidden when the
    /// bars are off, so callers need not check.
    pub fn bar(&self, len: u64, label: &str, unit: &str) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let template =
            format!("{{prefix:>18}} [{{bar:30}}] {{pos:>5}}/{{len}} {unit}  {{msg}}  {{per_sec}}");
        let style = ProgressStyle::with_template(&template)
            .expect("the template is valid")
            .progress_chars("=> ");
        let bar = multi.add(ProgressBar::new(len).with_style(style));
        bar.set_prefix(label.to_string());
        bar
    }
}
