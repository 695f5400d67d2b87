//! # sparsegrad
//!
//! A small reverse-mode autodiff deep-learning framework for studying what
//! L1, L2 and elastic-net penalties do to the weights a network learns.
//!
//! This facade re-exports the three crates: [`autograd`] (tensors and
//! backprop), [`nn`] (modules, losses, optimizers, regularization,
//! sparsity metrics, data sets) and [`io`] (CSV files, model files, atomic
//! writes). Most programs need only the [`prelude`]:
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad::autograd::ndarray::{Array2, array};
//! use sparsegrad::prelude::*;
//!
//! // A linear model learns y = 3x − 1 by full-batch SGD.
//! let x = array![[0.0f64], [1.0], [2.0], [3.0]];
//! let y: Array2<f64> = x.mapv(|v| 3.0 * v - 1.0);
//! let data = Dataset::new(x, Targets::Regression(y), vec!["x".into()], "y".into());
//! let mut rng = StdRng::seed_from_u64(0);
//! let model = Mlp::<f64>::new(&[1, 1], Activation::Identity, &mut rng);
//! let config = SgdConfig { lr: 0.1, ..SgdConfig::default() };
//! let mut sgd = Sgd::new(vec![ParamGroup::new(model.named_parameters())], config).unwrap();
//! let options = TrainOptions { epochs: 500, batch_size: 0, shuffle: false, ..TrainOptions::default() };
//! train(&model, &mut sgd, &data, options, &mut rng, |_| {}).unwrap();
//! let w = model.first_layer_weight().to_array();
//! assert!((w[[0, 0]] - 3.0).abs() < 1e-6);
//! ```

pub use sparsegrad_autograd as autograd;
pub use sparsegrad_io as io;
pub use sparsegrad_nn as nn;

#[doc = include_str!("../docs/tutorial.md")]
pub mod tutorial {}

/// The names most programs use: tensors, models, optimizers with their
/// penalties, data sets and the training loop.
pub mod prelude {
    pub use sparsegrad_autograd::{Float, Reduction, Tensor, gradcheck, no_grad};
    pub use sparsegrad_nn::activation::Activation;
    pub use sparsegrad_nn::clip::Clip;
    pub use sparsegrad_nn::data::{Dataset, Examples, Targets};
    pub use sparsegrad_nn::mlp::Mlp;
    pub use sparsegrad_nn::module::{DeepCopy, Module};
    pub use sparsegrad_nn::optim::{
        Adam, AdamConfig, GroupPenalty, GroupRules, Momentum, Optimizer, ParamGroup, Select, Sgd,
        SgdConfig,
    };
    pub use sparsegrad_nn::regularize::{L1Mode, L2Mode, Penalty};
    pub use sparsegrad_nn::schedule::Schedule;
    pub use sparsegrad_nn::train::{
        Control, TrainOptions, evaluate_loss, predict, train, train_step,
    };
}
