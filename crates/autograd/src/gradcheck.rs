//! Checking gradients against central differences, in f64.
//!
//! For a function f of some tensors, backward gives ∂L/∂x for the scalar
//! L = Σₖ wₖ·f(x)ₖ, with fixed, distinct weights wₖ (so that a gradient
//! sent to the wrong output element shows up, which a plain sum would
//! hide). Central differences estimate the same derivative one element at
//! a time: ∂L/∂xᵢ ≈ (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε, with error O(ε²).
//!
//! ```
//! use sparsegrad_autograd::{gradcheck, ndarray::ArrayD, Tensor};
//! let x = ArrayD::from_shape_vec(vec![3], vec![0.5, -1.0, 2.0]).unwrap();
//! let report = gradcheck(|t| t[0].tanh().mul(&t[0]), &[x], 1e-6);
//! assert!(report.passes(1e-8, 1e-6), "{report:?}");
//! ```

use ndarray::{ArrayD, Zip};

use crate::{Tensor, no_grad};

/// The worst disagreement between backward and central differences, per input.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckReport {
    /// For each input: maxᵢ |analytic − numeric|.
    pub max_abs_error: Vec<f64>,
    /// For each input: maxᵢ |analytic − numeric| / max(|analytic|, |numeric|),
    /// taking 0 where both are 0.
    pub max_rel_error: Vec<f64>,
    /// For each input: the gradient backward computed.
    pub analytic: Vec<ArrayD<f64>>,
    /// For each input: the central-difference estimate.
    pub numeric: Vec<ArrayD<f64>>,
}

impl GradcheckReport {
    /// True when every element satisfies |analytic − numeric| ≤ atol + rtol·|numeric|
    /// (numpy's `allclose`).
    pub fn passes(&self, atol: f64, rtol: f64) -> bool {
        self.analytic.iter().zip(&self.numeric).all(|(a, n)| {
            Zip::from(a)
                .and(n)
                .all(|&a, &n| (a - n).abs() <= atol + rtol * n.abs())
        })
    }
}

/// Compares the gradient that backward computes for `f` at `inputs` with
/// central differences of step `eps` (1e-6 is a good default in f64).
///
/// `f` receives the inputs as tensors that require a gradient and may
/// return a tensor of any shape.
pub fn gradcheck(
    f: impl Fn(&[Tensor<f64>]) -> Tensor<f64>,
    inputs: &[ArrayD<f64>],
    eps: f64,
) -> GradcheckReport {
    let tensors: Vec<Tensor<f64>> = inputs
        .iter()
        .map(|x| Tensor::new(x.clone()).set_requires_grad(true))
        .collect();
    let out = f(&tensors);
    let weights = output_weights(&out.shape());
    let objective = |y: &Tensor<f64>| {
        Zip::from(&*y.value())
            .and(&weights)
            .fold(0.0, |s, &y, &w| s + w * y)
    };
    out.backward_with(weights.clone());

    let mut report = GradcheckReport {
        max_abs_error: vec![],
        max_rel_error: vec![],
        analytic: vec![],
        numeric: vec![],
    };
    for (k, t) in tensors.iter().enumerate() {
        let analytic = t
            .grad()
            .map_or_else(|| ArrayD::zeros(inputs[k].raw_dim()), |g| g.clone());
        let mut numeric = ArrayD::zeros(inputs[k].raw_dim());
        for (i, n) in numeric.iter_mut().enumerate() {
            let at = |delta: f64| {
                let moved: Vec<Tensor<f64>> = inputs
                    .iter()
                    .enumerate()
                    .map(|(j, x)| {
                        let mut x = x.clone();
                        if j == k {
                            x.as_slice_mut().expect("standard layout")[i] += delta;
                        }
                        Tensor::new(x)
                    })
                    .collect();
                no_grad(|| objective(&f(&moved)))
            };
            *n = (at(eps) - at(-eps)) / (2.0 * eps);
        }
        let (mut abs, mut rel) = (0.0_f64, 0.0_f64);
        Zip::from(&analytic).and(&numeric).for_each(|&a, &n| {
            let d = (a - n).abs();
            abs = abs.max(d);
            let scale = a.abs().max(n.abs());
            if scale > 0.0 {
                rel = rel.max(d / scale);
            }
        });
        report.max_abs_error.push(abs);
        report.max_rel_error.push(rel);
        report.analytic.push(analytic);
        report.numeric.push(numeric);
    }
    report
}

/// Fixed weights wₖ = 1 + ½·sin(k + 1) ∈ [0.5, 1.5], distinct for nearby k.
fn output_weights(shape: &[usize]) -> ArrayD<f64> {
    let mut k = 0.0;
    ArrayD::from_shape_simple_fn(shape, || {
        k += 1.0;
        1.0 + 0.5 * f64::sin(k)
    })
}
