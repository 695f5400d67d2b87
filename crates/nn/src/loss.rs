//! Loss functions. Where autograd has a fused op (MSE, softmax
//! cross-entropy) the loss is that op; the others are compositions of
//! autograd ops, chosen so that their derivative is right everywhere,
//! also at the kinks.
//!
//! Every loss takes a [`Reduction`]: the mean over the elements (samples)
//! or their sum.

use sparsegrad_autograd::{Float, Tensor};

pub use sparsegrad_autograd::Reduction;

/// Panics unless prediction and target have the same shape (no silent
/// broadcasting of `[n, 1]` against `[n]` into `[n, n]`).
fn check_same_shape<T: Float>(loss: &str, prediction: &Tensor<T>, target: &Tensor<T>) {
    let (p, t) = (prediction.shape(), target.shape());
    assert!(
        p == t,
        "{loss}: prediction {p:?} and target {t:?}: shapes differ"
    );
}

/// Combines elementwise terms by `reduction`.
fn reduce<T: Float>(terms: &Tensor<T>, reduction: Reduction) -> Tensor<T> {
    match reduction {
        Reduction::Mean => terms.mean(),
        Reduction::Sum => terms.sum(),
    }
}

/// Mean squared error (1/n)·Σ(pᵢ − tᵢ)², with no ½ (as torch.nn.MSELoss):
/// ∂/∂pᵢ = (2/n)(pᵢ − tᵢ). The fused autograd op.
///
/// # Panics
/// When the shapes differ.
pub fn mse<T: Float>(
    prediction: &Tensor<T>,
    target: &Tensor<T>,
    reduction: Reduction,
) -> Tensor<T> {
    prediction.mse_loss(target, reduction)
}

/// Mean absolute error (1/n)·Σ|pᵢ − tᵢ|: ∂/∂pᵢ = sign(pᵢ − tᵢ)/n, 0 where
/// the prediction is exact.
///
/// # Panics
/// When the shapes differ.
pub fn l1<T: Float>(prediction: &Tensor<T>, target: &Tensor<T>, reduction: Reduction) -> Tensor<T> {
    check_same_shape("l1", prediction, target);
    reduce(&prediction.sub(target).abs(), reduction)
}

/// Huber loss with threshold δ (torch.nn.HuberLoss): with d = p − t,
/// ½d² where |d| ≤ δ, δ(|d| − ½δ) beyond: quadratic near the target,
/// linear (robust to outliers) far from it.
///
/// Computed as ½q² + δ(|d| − q) with q = min(|d|, δ), one expression for
/// both pieces whose derivative is right everywhere: inside, q = |d| and
/// d/dd = q·sign(d) = d; outside, q = δ is constant and d/dd = δ·sign(d);
/// at d = 0 it is 0.
///
/// # Panics
/// When the shapes differ or δ ≤ 0.
pub fn huber<T: Float>(
    prediction: &Tensor<T>,
    target: &Tensor<T>,
    delta: T,
    reduction: Reduction,
) -> Tensor<T> {
    check_same_shape("huber", prediction, target);
    assert!(delta > T::zero(), "huber: delta {delta} must be positive");
    let abs_diff = prediction.sub(target).abs();
    let q = abs_diff.minimum_scalar(delta);
    let quadratic = q.mul(&q).mul_scalar(T::from_f64(0.5));
    let linear = abs_diff.sub(&q).mul_scalar(delta);
    reduce(&quadratic.add(&linear), reduction)
}

/// Binary cross-entropy on logits x with targets y ∈ [0, 1]
/// (torch.nn.BCEWithLogitsLoss):
/// ℓ = −[y·ln σ(x) + (1 − y)·ln(1 − σ(x))] = softplus(x) − x·y.
///
/// The right-hand form is stable: softplus never overflows and no
/// logarithm of a rounded-to-zero probability is taken. Its derivative is
/// σ(x) − y everywhere, x = 0 included (a form built from relu(x) and |x|
/// would get the subgradient at 0 wrong).
///
/// # Panics
/// When the shapes differ.
pub fn bce_with_logits<T: Float>(
    logits: &Tensor<T>,
    targets: &Tensor<T>,
    reduction: Reduction,
) -> Tensor<T> {
    check_same_shape("bce_with_logits", logits, targets);
    reduce(&logits.softplus().sub(&logits.mul(targets)), reduction)
}

/// Softmax cross-entropy of logits `[n, classes]` against class indices
/// (torch.nn.CrossEntropyLoss): ℓᵢ = ln Σⱼ e^(xᵢⱼ) − xᵢ,ₜᵢ, with
/// ∂ℓᵢ/∂xᵢⱼ = softmax(xᵢ)ⱼ − [j = tᵢ]. The fused, stable autograd op.
///
/// # Panics
/// When the logits are not 2-D, the number of targets is not the number
/// of rows, or a target is not below the number of classes.
pub fn cross_entropy<T: Float>(
    logits: &Tensor<T>,
    targets: &[usize],
    reduction: Reduction,
) -> Tensor<T> {
    logits.cross_entropy(targets, reduction)
}
