//! A record of a backward pass, step by step, for reading how backprop runs.
//!
//! ```
//! use sparsegrad_autograd::Tensor;
//! let x = Tensor::<f64>::from_vec(vec![1.0, -2.0], &[2]).set_requires_grad(true);
//! let trace = x.relu().sum().backward_traced();
//! let ops: Vec<&str> = trace.steps.iter().map(|s| s.op).collect();
//! assert_eq!(ops, ["sum", "relu"]); // from the loss down to the input
//! println!("{trace}");
//! ```

use std::fmt;

use ndarray::ArrayD;

use crate::{Float, Tensor};

/// Tensors with at most this many elements are shown in full.
const SHOW_ALL_UP_TO: usize = 6;

/// A gradient in a few numbers: shape, Euclidean norm, extremes, and for a
/// small tensor every value.
#[derive(Clone, Debug, PartialEq)]
pub struct GradSummary {
    /// The shape of the gradient (that of its tensor).
    pub shape: Vec<usize>,
    /// √(Σ g²).
    pub norm: f64,
    /// The smallest element.
    pub min: f64,
    /// The largest element.
    pub max: f64,
    /// Every element in row-major order, when there are at most six.
    pub values: Option<Vec<f64>>,
}

impl GradSummary {
    /// Summarizes `g`.
    pub fn of<T: Float>(g: &ArrayD<T>) -> Self {
        let (mut sq, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
        for &x in g {
            let x = x.as_f64();
            sq += x * x;
            min = min.min(x);
            max = max.max(x);
        }
        GradSummary {
            shape: g.shape().to_vec(),
            norm: sq.sqrt(),
            min,
            max,
            values: (g.len() <= SHOW_ALL_UP_TO).then(|| g.iter().map(|x| x.as_f64()).collect()),
        }
    }
}

impl fmt::Display for GradSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.values {
            Some(v) => write!(f, "{v:.4?}"),
            None => write!(
                f,
                "‖g‖={:.4} min={:.4} max={:.4}",
                self.norm, self.min, self.max
            ),
        }
    }
}

/// One op's backward: the gradient that arrived at its output and what it
/// sent to each input.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStep {
    /// The op's name.
    pub op: &'static str,
    /// The shape of the op's output.
    pub output_shape: Vec<usize>,
    /// The shapes of its inputs, in order.
    pub input_shapes: Vec<Vec<usize>>,
    /// ∂L/∂output, complete when the step ran.
    pub grad_in: GradSummary,
    /// The contribution sent to each input; `None` for an input that needs
    /// no gradient.
    pub grads_out: Vec<Option<GradSummary>>,
    /// The inputs' gradients before this step, kept only until `finish`
    /// subtracts them to isolate this step's contribution.
    before: Vec<Option<ArrayD<f64>>>,
}

impl TraceStep {
    /// Notes the state before the op's backward runs.
    pub(crate) fn begin<T: Float>(
        op: &'static str,
        node: &Tensor<T>,
        inputs: &[Tensor<T>],
        grad: &ArrayD<T>,
    ) -> Self {
        TraceStep {
            op,
            output_shape: node.shape(),
            input_shapes: inputs.iter().map(Tensor::shape).collect(),
            grad_in: GradSummary::of(grad),
            grads_out: Vec::new(),
            before: inputs
                .iter()
                .map(|t| t.grad().map(|g| g.mapv(T::as_f64)))
                .collect(),
        }
    }

    /// Records what the op added to each input's gradient.
    pub(crate) fn finish<T: Float>(mut self, inputs: &[Tensor<T>]) -> Self {
        let before = std::mem::take(&mut self.before);
        self.grads_out = inputs
            .iter()
            .zip(before)
            .map(|(t, before)| {
                let after = t.grad()?.mapv(T::as_f64);
                Some(GradSummary::of(&match before {
                    Some(b) => after - b,
                    None => after,
                }))
            })
            .collect();
        self
    }
}

/// Every step of a backward pass in the order it ran: from the loss towards
/// the leaves, each op once, after all the ops that use its output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The steps, first to last.
    pub steps: Vec<TraceStep>,
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.steps.iter().enumerate() {
            writeln!(
                f,
                "step {i}: {} {:?} -> {:?}",
                s.op, s.input_shapes, s.output_shape
            )?;
            writeln!(f, "    grad arriving: {}", s.grad_in)?;
            for (k, g) in s.grads_out.iter().enumerate() {
                match g {
                    Some(g) => writeln!(f, "    to input {k}:     {g}")?,
                    None => writeln!(f, "    to input {k}:     (needs no gradient)")?,
                }
            }
        }
        Ok(())
    }
}
