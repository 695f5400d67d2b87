//! Learning-rate schedules: each a pure function of the epoch (or step)
//! number, with the closed form of the torch.optim.lr_scheduler class of
//! the same name. Set the result on the optimizer with
//! [`Optimizer::set_lr`](crate::optim::Optimizer::set_lr) before the
//! epoch's steps.
//!
//! ```
//! use sparsegrad_nn::schedule::Schedule;
//! let schedule = Schedule::Step { step_size: 10, gamma: 0.5 };
//! assert_eq!(schedule.lr(0.1, 9), 0.1);
//! assert_eq!(schedule.lr(0.1, 10), 0.05);
//! ```

use std::f64::consts::PI;

/// A learning rate as a function of the epoch e = 0, 1, 2, … and the base
/// (initial) learning rate lr₀.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// lr = lr₀.
    Constant,
    /// StepLR: lr = lr₀·γ^⌊e / step_size⌋, a drop by γ every `step_size` epochs.
    Step {
        /// Epochs between drops (> 0).
        step_size: usize,
        /// The factor of each drop.
        gamma: f64,
    },
    /// ExponentialLR: lr = lr₀·γ^e.
    Exponential {
        /// The factor per epoch.
        gamma: f64,
    },
    /// CosineAnnealingLR (its closed form): lr = η_min + (lr₀ − η_min)·(1 + cos(π·e / T_max))/2,
    /// from lr₀ at e = 0 down to η_min at e = T_max (and back up after, as torch's closed form).
    Cosine {
        /// T_max, the epochs of the half period (> 0).
        t_max: usize,
        /// η_min, the lowest learning rate.
        eta_min: f64,
    },
    /// LinearLR with end factor 1 (a linear warm-up): lr = lr₀·(s + (1 − s)·min(e, W)/W),
    /// from s·lr₀ at e = 0 to lr₀ at e = W, then constant.
    LinearWarmup {
        /// s, the factor at epoch 0.
        start_factor: f64,
        /// W, the epochs of the warm-up (> 0).
        warmup: usize,
    },
}

impl Schedule {
    /// The learning rate at `epoch` for base learning rate `base_lr`.
    ///
    /// # Panics
    /// When `step_size`, `t_max` or `warmup` is 0.
    pub fn lr(&self, base_lr: f64, epoch: usize) -> f64 {
        let e = epoch as f64;
        match *self {
            Schedule::Constant => base_lr,
            Schedule::Step { step_size, gamma } => {
                assert!(step_size > 0, "Schedule::Step: step_size must be positive");
                base_lr * gamma.powf((epoch / step_size) as f64)
            }
            Schedule::Exponential { gamma } => base_lr * gamma.powf(e),
            Schedule::Cosine { t_max, eta_min } => {
                assert!(t_max > 0, "Schedule::Cosine: t_max must be positive");
                // Halved before the product, which overflowed to ∞ for
                // η_min near f64's largest value; halving is exact, so the
                // bits are torch's wherever its formula is finite.
                let half_range = base_lr / 2.0 - eta_min / 2.0;
                eta_min + half_range * (1.0 + (PI * e / t_max as f64).cos())
            }
            Schedule::LinearWarmup {
                start_factor,
                warmup,
            } => {
                assert!(
                    warmup > 0,
                    "Schedule::LinearWarmup: warmup must be positive"
                );
                let progress = epoch.min(warmup) as f64 / warmup as f64;
                base_lr * (start_factor + (1.0 - start_factor) * progress)
            }
        }
    }
}
