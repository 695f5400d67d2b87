//! Gradient clipping, as torch.nn.utils.clip_grad_norm_ and
//! clip_grad_value_. Call between backward and the optimizer's step (the
//! training loop does, given a [`Clip`]). Parameters without a gradient are
//! skipped.

use sparsegrad_autograd::{Float, Tensor};

/// The clipping of a training step, between backward and the optimizer's step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Clip {
    /// Gradients as backward left them.
    #[default]
    None,
    /// [`clip_grad_norm`] with this max_norm, over every parameter together.
    Norm(f64),
    /// [`clip_grad_value`] with this clip_value.
    Value(f64),
}

impl Clip {
    /// Clips the gradients of `params` as asked.
    ///
    /// # Panics
    /// When the bound is negative or NaN.
    pub fn apply<'a, T: Float>(&self, params: impl IntoIterator<Item = &'a Tensor<T>> + Clone) {
        match *self {
            Clip::None => {}
            Clip::Norm(max_norm) => {
                clip_grad_norm(params, max_norm);
            }
            Clip::Value(clip_value) => clip_grad_value(params, clip_value),
        }
    }
}

/// Rescales the gradients of `params` together so that their global L2
/// norm ‖g‖ = √(Σ over all parameters and elements of g²) is at most
/// `max_norm`: when ‖g‖ > max_norm every gradient is multiplied by
/// max_norm / (‖g‖ + 10⁻⁶) (torch's formula; the 10⁻⁶ guards against
/// dividing by a zero norm). Returns ‖g‖ before clipping, accumulated in
/// f64.
///
/// ```
/// use sparsegrad_autograd::Tensor;
/// use sparsegrad_nn::clip::clip_grad_norm;
/// let w = Tensor::<f64>::from_vec(vec![1.0, 1.0], &[2]).set_requires_grad(true);
/// let b = Tensor::<f64>::scalar(0.0).set_requires_grad(true);
/// (&w * 3.0).sum().add(&(&b * 4.0)).backward(); // g_w = [3, 3], g_b = 4
/// // the global norm is √(3² + 3² + 4²) = √34
/// let norm = clip_grad_norm([&w, &b], 1.0);
/// assert!((norm - 34f64.sqrt()).abs() < 1e-12);
/// let scale = 1.0 / (34f64.sqrt() + 1e-6);
/// assert!((b.grad().unwrap().first().unwrap() - 4.0 * scale).abs() < 1e-12);
/// ```
///
/// # Panics
/// When `max_norm` is negative or NaN.
pub fn clip_grad_norm<'a, T: Float>(
    params: impl IntoIterator<Item = &'a Tensor<T>> + Clone,
    max_norm: f64,
) -> f64 {
    assert!(
        max_norm >= 0.0,
        "clip_grad_norm: max_norm {max_norm} must be non-negative"
    );
    let squares: f64 = params
        .clone()
        .into_iter()
        .filter_map(|p| {
            p.grad()
                .map(|g| g.iter().map(|&x| x.as_f64() * x.as_f64()).sum::<f64>())
        })
        .sum();
    let norm = squares.sqrt();
    let coefficient = max_norm / (norm + 1e-6);
    if coefficient < 1.0 {
        let coefficient = T::from_f64(coefficient);
        for p in params {
            if let Some(mut g) = p.grad_mut() {
                g.mapv_inplace(|x| x * coefficient);
            }
        }
    }
    norm
}

/// Clamps every gradient element of `params` into [−clip_value, clip_value].
///
/// # Panics
/// When `clip_value` is negative or NaN.
pub fn clip_grad_value<'a, T: Float>(
    params: impl IntoIterator<Item = &'a Tensor<T>>,
    clip_value: f64,
) {
    assert!(
        clip_value >= 0.0,
        "clip_grad_value: clip_value {clip_value} must be non-negative"
    );
    let c = T::from_f64(clip_value);
    for p in params {
        if let Some(mut g) = p.grad_mut() {
            // Comparisons rather than max/min, which would turn NaN into ±c.
            g.mapv_inplace(|x| {
                if x > c {
                    c
                } else if x < -c {
                    -c
                } else {
                    x
                }
            });
        }
    }
}
