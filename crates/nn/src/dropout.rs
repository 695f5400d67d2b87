//! Inverted dropout, as `torch.nn.Dropout`.

use std::cell::RefCell;

use ndarray::ArrayD;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sparsegrad_autograd::{Float, Tensor};

use crate::module::{DeepCopy, Module};

/// In training mode, zeroes each element with probability p and scales the
/// survivors by 1/(1 − p), so that the expected output equals the input:
/// y = x ⊙ m with mᵢ = kᵢ/(1 − p), kᵢ ~ Bernoulli(1 − p). In evaluation mode,
/// y = x.
///
/// The mask is a constant, so y = x ⊙ m is the autograd `mul` op and its
/// backward, ∂L/∂x = ∂L/∂y ⊙ m, needs no op of its own.
///
/// The module owns its RNG, seeded at construction: the same seed and the
/// same sequence of calls give the same masks.
///
/// ```
/// use sparsegrad_autograd::Tensor;
/// use sparsegrad_nn::{dropout::Dropout, module::Module};
/// let mut dropout = Dropout::new(0.5, 7);
/// let x = Tensor::<f64>::ones(&[1000]);
/// let y = dropout.forward(&x);
/// // every element is 0 or 1/(1 − 0.5) = 2
/// assert!(y.value().iter().all(|&v| v == 0.0 || v == 2.0));
/// dropout.set_training(false);
/// assert_eq!(*dropout.forward(&x).value(), *x.value());
/// ```
pub struct Dropout {
    p: f64,
    training: bool,
    rng: RefCell<StdRng>,
}

impl Dropout {
    /// Dropout with drop probability `p`, in training mode, its masks drawn
    /// from an RNG seeded with `seed`.
    ///
    /// # Panics
    /// When `p` is not in [0, 1].
    pub fn new(p: f64, seed: u64) -> Self {
        assert!(
            (0.0..=1.0).contains(&p),
            "Dropout::new: drop probability {p} is not in [0, 1]"
        );
        Self {
            p,
            training: true,
            rng: RefCell::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// The drop probability p.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Switches between training mode (`true`: drop) and evaluation mode
    /// (`false`: pass through). The same as [`Module::set_training`], which
    /// needs the element type named since `Dropout` works for every one.
    pub fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    /// Whether the module is in training mode (drops) or evaluation mode
    /// (passes the input through).
    pub fn is_training(&self) -> bool {
        self.training
    }
}

/// The same probability and mode, and a copy of the RNG: the copy draws
/// the masks the original would draw next.
impl DeepCopy for Dropout {
    fn deep_copy(&self) -> Self {
        Self {
            p: self.p,
            training: self.training,
            rng: RefCell::new(self.rng.borrow().clone()),
        }
    }
}

impl<T: Float> Module<T> for Dropout {
    fn forward(&self, x: &Tensor<T>) -> Tensor<T> {
        if !self.training || self.p == 0.0 {
            return x.clone();
        }
        // With p = 1 every element is dropped; the scale is then irrelevant
        // (and 1/(1 − p) would be infinite), as in torch.
        let scale = if self.p < 1.0 {
            T::from_f64(1.0 / (1.0 - self.p))
        } else {
            T::zero()
        };
        let keep = 1.0 - self.p;
        let mut rng = self.rng.borrow_mut();
        let mask = ArrayD::from_shape_simple_fn(x.shape(), || {
            if rng.random_bool(keep) {
                scale
            } else {
                T::zero()
            }
        });
        x.mul(&Tensor::new(mask))
    }

    /// None: dropout has no parameters.
    fn named_parameters(&self) -> Vec<(String, Tensor<T>)> {
        Vec::new()
    }

    fn set_training(&mut self, training: bool) {
        Dropout::set_training(self, training);
    }
}
