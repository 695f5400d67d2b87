//! `backprop`: a guided tour of backprop in sparsegrad: a single neuron
//! checked by hand, a tiny MLP's graph, trace and gradient check, and one
//! weight under L1 and L2.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use sparsegrad_examples::cli::{check_files, print};
use sparsegrad_examples::tour::Section;
use sparsegrad_examples::tour::group::group_report;
use sparsegrad_examples::tour::mlp::{GRAPH_FILES, draw, mlp_report, mlp_tour};
use sparsegrad_examples::tour::neuron::{CLASSIC, neuron, neuron_report};
use sparsegrad_examples::tour::penalty::{OneWeight, penalty_report};

/// Watch backprop run: values, gradients, the graph, the trace, and what
/// L1 and L2 do to a weight.
#[derive(Parser)]
#[command(version, allow_negative_numbers = true)]
struct Cli {
    /// Which part of the tour to show.
    #[arg(long, value_enum, default_value = "all")]
    section: Section,
    /// Where graph.svg and graph.dot go.
    #[arg(long, default_value = "backprop-out")]
    out_dir: PathBuf,
    /// Seed of the MLP's weights and batch.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(run(&sparsegrad_examples::cli::parse::<Cli>()))
}

/// Builds the tour's text, writing the graph's files on the way, and
/// prints it at the end (so that `backprop | head -1` still writes them).
fn run(cli: &Cli) -> anyhow::Result<()> {
    if cli.section.includes(Section::Mlp) {
        let outputs = GRAPH_FILES.map(|name| cli.out_dir.join(name));
        check_files(&[], &outputs.each_ref().map(|p| ("--out-dir", p.as_path())))?;
    }
    let mut text = String::new();
    let heading = |text: &mut String, title: &str| {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("== {title} ==\n\n"));
    };
    if cli.section.includes(Section::Neuron) {
        heading(&mut text, "1. One neuron, by hand and by backward");
        text.push_str(
            "o = tanh(x1·w1 + x2·w2 + b), x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432\n\n",
        );
        text.push_str(&neuron_report(&neuron(CLASSIC)));
    }
    if cli.section.includes(Section::Mlp) {
        heading(&mut text, "2. A tiny MLP: graph, trace, gradient check");
        let tour = mlp_tour(cli.seed);
        text.push_str(&mlp_report(&tour));
        let drawing = draw(&tour, &cli.out_dir).context("drawing the graph")?;
        text.push_str(&format!(
            "\nwrote {} and {}\n",
            drawing.svg.display(),
            drawing.dot.display()
        ));
    }
    if cli.section.includes(Section::Penalty) {
        heading(
            &mut text,
            "3. One weight under L2 and L1, and a group under the group lasso",
        );
        text.push_str(&penalty_report(&OneWeight::default()));
        text.push_str(&group_report());
    }
    print(&text)?;
    Ok(())
}
