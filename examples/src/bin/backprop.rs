//! `backprop`: a guided tour of backprop in sparsegrad: a single neuron
//! checked by hand, a tiny MLP's graph, trace and gradient check, and one
//! weight under L1 and L2.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use sparsegrad_examples::tour::Section;
use sparsegrad_examples::tour::group::group_report;
use sparsegrad_examples::tour::mlp::{draw, mlp_report, mlp_tour};
use sparsegrad_examples::tour::neuron::{CLASSIC, neuron, neuron_report};
use sparsegrad_examples::tour::penalty::{OneWeight, penalty_report};

/// Watch backprop run: values, gradients, the graph, the trace, and what
/// L1 and L2 do to a weight.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Which part of the tour to show.
    #[arg(long, value_enum, default_value = "all")]
    section: Section,
    /// Where graph.dot (and graph.svg, when Graphviz's `dot` is installed) go.
    #[arg(long, default_value = "backprop-out")]
    out_dir: PathBuf,
    /// Seed of the MLP's weights and batch.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    sparsegrad_examples::cli::finish(run(&sparsegrad_examples::cli::parse::<Cli>()))
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let mut first = true;
    let mut heading = |title: &str| {
        if !first {
            println!();
        }
        first = false;
        println!("== {title} ==\n");
    };
    if cli.section.includes(Section::Neuron) {
        heading("1. One neuron, by hand and by backward");
        println!(
            "o = tanh(x1·w1 + x2·w2 + b), x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432\n"
        );
        print!("{}", neuron_report(&neuron(CLASSIC)));
    }
    if cli.section.includes(Section::Mlp) {
        heading("2. A tiny MLP: graph, trace, gradient check");
        let tour = mlp_tour(cli.seed);
        print!("{}", mlp_report(&tour));
        let drawing = draw(&tour.dot, &cli.out_dir).context("drawing the graph")?;
        println!("\nwrote {}", drawing.dot.display());
        match drawing.svg {
            Some(svg) => println!("wrote {}", svg.display()),
            None => println!(
                "no `dot` program on the PATH, so no SVG; install Graphviz and run: dot -Tsvg {} -o graph.svg",
                drawing.dot.display()
            ),
        }
    }
    if cli.section.includes(Section::Penalty) {
        heading("3. One weight under L2 and L1, and a group under the group lasso");
        print!("{}", penalty_report(&OneWeight::default()));
        print!("{}", group_report());
    }
    Ok(())
}
