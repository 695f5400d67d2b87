//! The [`Module`] trait: something with parameters that maps a tensor to a
//! tensor, as `torch.nn.Module`.

use sparsegrad_autograd::{Float, Tensor};

/// A layer or a network: a forward pass and the parameters it learns.
///
/// Parameters are tensor handles (cloning one clones the handle, not the
/// data), so the tensors [`named_parameters`](Module::named_parameters)
/// returns are the module's own: an optimizer that updates them in place
/// updates the module.
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_autograd::Tensor;
/// use sparsegrad_nn::{linear::Linear, module::Module};
///
/// let layer = Linear::<f32>::new(3, 2, true, &mut StdRng::seed_from_u64(0));
/// let y = layer.forward(&Tensor::zeros(&[5, 3]));
/// assert_eq!(y.shape(), vec![5, 2]);
/// let names: Vec<String> = layer.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["weight", "bias"]);
/// ```
pub trait Module<T: Float> {
    /// The output for input `x` (a batch: the first axis counts samples).
    fn forward(&self, x: &Tensor<T>) -> Tensor<T>;

    /// Every parameter with a stable dotted name (`weight`,
    /// `layers.0.bias`), in a fixed order: the same module gives the same
    /// list on every call.
    fn named_parameters(&self) -> Vec<(String, Tensor<T>)>;

    /// The parameters of [`named_parameters`](Module::named_parameters),
    /// without their names, in the same order.
    fn parameters(&self) -> Vec<Tensor<T>> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Switches between training mode (`true`, the default) and evaluation
    /// mode, as torch's `train()` / `eval()`. Only modules that behave
    /// differently (dropout) do anything; containers pass it on.
    fn set_training(&mut self, _training: bool) {}
}

/// A copy of a module that shares nothing with it (torch's
/// `copy.deepcopy`): the same layers, with each parameter's value copied
/// into a fresh leaf. `Clone` on a [`Tensor`] clones the handle, so a
/// derived `Clone` would share the parameters; this does not.
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::{activation::Activation, mlp::Mlp, module::{DeepCopy, Module}};
/// let mlp = Mlp::<f32>::new(&[3, 4, 1], Activation::Relu, &mut StdRng::seed_from_u64(0));
/// let copy = mlp.deep_copy();
/// let (original, copied) = (mlp.parameters(), copy.parameters());
/// assert_eq!(original[0].to_array(), copied[0].to_array());
/// copied[0].value_mut().fill(0.0); // the original keeps its weights
/// assert_ne!(original[0].to_array(), copied[0].to_array());
/// assert!(copied[0].requires_grad() && copied[0].is_leaf());
/// ```
pub trait DeepCopy {
    /// The copy.
    fn deep_copy(&self) -> Self;
}

/// A fresh leaf holding a copy of `param`'s value, requiring a gradient
/// as `param` does: a parameter's deep copy.
pub fn copy_parameter<T: Float>(param: &Tensor<T>) -> Tensor<T> {
    Tensor::new(param.to_array()).set_requires_grad(param.requires_grad())
}

/// The parameters of numbered children, named `{prefix}{i}.{name}` with
/// `i` the child's position: `torch.nn.Sequential`'s naming, which counts
/// every child, also those without parameters (activations).
pub fn indexed_parameters<'a, T: Float>(
    prefix: &str,
    children: impl IntoIterator<Item = &'a dyn Module<T>>,
) -> Vec<(String, Tensor<T>)> {
    children
        .into_iter()
        .enumerate()
        .flat_map(|(i, child)| {
            child
                .named_parameters()
                .into_iter()
                .map(move |(name, p)| (format!("{prefix}{i}.{name}"), p))
        })
        .collect()
}
