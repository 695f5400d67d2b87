//! Fused, numerically stable losses. Each is one node whose backward is the
//! simplified closed form, rather than a chain of small ops.

use ndarray::{ArrayD, Axis, Ix2, IxDyn, Zip};

use super::activation::log_sum_exp;
use crate::{Float, Op, Tensor};

/// How a loss combines its per-element (or per-sample) terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The mean (PyTorch's default).
    #[default]
    Mean,
    /// The sum.
    Sum,
}

impl Reduction {
    /// The factor applied to the sum of `n` terms.
    fn scale<T: Float>(self, n: usize) -> T {
        match self {
            Reduction::Mean => T::from_usize(n).recip(),
            Reduction::Sum => T::one(),
        }
    }
}

impl<T: Float> Tensor<T> {
    /// Softmax cross-entropy from logits `[n, classes]` and integer class
    /// targets, fused and stable: ℓᵢ = ln Σⱼ e^(xᵢⱼ) − xᵢ,ₜᵢ (log-sum-exp
    /// shifted by the row maximum), combined by `reduction`.
    ///
    /// ∂ℓᵢ/∂xᵢⱼ = softmax(xᵢ)ⱼ − [j = tᵢ]: the predicted probabilities
    /// minus the one-hot target.
    ///
    /// # Panics
    /// When the logits are not 2-D, the number of targets is not the number
    /// of rows, or a target is not below the number of classes.
    pub fn cross_entropy(&self, targets: &[usize], reduction: Reduction) -> Tensor<T> {
        let x = self.value();
        let logits = x.view().into_dimensionality::<Ix2>().unwrap_or_else(|_| {
            panic!(
                "cross_entropy: logits must have shape [batch, classes], got {:?}",
                x.shape()
            )
        });
        let (n, classes) = logits.dim();
        assert!(
            targets.len() == n,
            "cross_entropy: {} targets for logits of shape [{n}, {classes}]",
            targets.len()
        );
        if let Some(&bad) = targets.iter().find(|&&t| t >= classes) {
            panic!("cross_entropy: target {bad} is out of range for {classes} classes");
        }
        let scale: T = reduction.scale(n);
        let mut probs = logits.to_owned();
        let mut total = T::zero();
        for (mut row, &t) in probs.rows_mut().into_iter().zip(targets) {
            let lse = log_sum_exp(row.view());
            total += lse - row[t];
            row.mapv_inplace(|x| (x - lse).exp());
        }
        drop(x);
        let op = CrossEntropy {
            probs: probs.into_dyn(),
            targets: targets.to_vec(),
            scale,
        };
        Tensor::from_op(ndarray::arr0(total * scale).into_dyn(), op, [self.clone()])
    }

    /// Mean (or summed) squared error Σ(p − t)² between this prediction and
    /// `target`, with no ½. ∂/∂p = 2(p − t)·scale, ∂/∂t = −2(p − t)·scale.
    ///
    /// # Panics
    /// When the shapes differ: unlike PyTorch, which warns and broadcasts
    /// `[n, 1]` against `[n]` into an `[n, n]` mistake, this refuses.
    pub fn mse_loss(&self, target: &Tensor<T>, reduction: Reduction) -> Tensor<T> {
        let (p, t) = (self.value(), target.value());
        assert!(
            p.shape() == t.shape(),
            "mse_loss: prediction {:?} and target {:?}: shapes differ",
            p.shape(),
            t.shape()
        );
        let scale: T = reduction.scale(p.len());
        let total = Zip::from(&*p)
            .and(&*t)
            .fold(T::zero(), |s, &p, &t| s + (p - t) * (p - t));
        drop((p, t));
        Tensor::from_op(
            ndarray::arr0(total * scale).into_dyn(),
            Mse { scale },
            [self.clone(), target.clone()],
        )
    }
}

/// Softmax cross-entropy; keeps the softmax probabilities for backward.
struct CrossEntropy<T> {
    probs: ArrayD<T>,
    targets: Vec<usize>,
    scale: T,
}

impl<T: Float> Op<T> for CrossEntropy<T> {
    fn name(&self) -> &'static str {
        "cross_entropy"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let x = &inputs[0];
        if !x.requires_grad() {
            return;
        }
        let g = grad.first().copied().unwrap_or_else(T::zero) * self.scale;
        let mut dx = x.grad_buffer_mut();
        // ∂L/∂xᵢⱼ += g·scale·(pᵢⱼ − [j = tᵢ])
        for ((mut d, p), &t) in dx
            .axis_iter_mut(Axis(0))
            .zip(self.probs.axis_iter(Axis(0)))
            .zip(&self.targets)
        {
            Zip::from(&mut d).and(&p).for_each(|d, &p| *d += g * p);
            d[IxDyn(&[t])] -= g;
        }
    }
}

/// Σ(p − t)² · scale.
struct Mse<T> {
    scale: T,
}

impl<T: Float> Op<T> for Mse<T> {
    fn name(&self) -> &'static str {
        "mse_loss"
    }
    fn backward(&self, inputs: &[Tensor<T>], _out: &ArrayD<T>, grad: ArrayD<T>) {
        let (p, t) = (&inputs[0], &inputs[1]);
        let k = grad.first().copied().unwrap_or_else(T::zero) * self.scale * T::from_f64(2.0);
        // ∂L/∂p = 2·scale·g·(p − t)
        let dp = Zip::from(&*p.value())
            .and(&*t.value())
            .map_collect(|&p, &t| k * (p - t));
        if t.requires_grad() {
            t.accumulate_grad(dp.mapv(|d| -d).into());
        }
        if p.requires_grad() {
            p.accumulate_grad(dp.into());
        }
    }
}
