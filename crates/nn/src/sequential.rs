//! A chain of modules, as `torch.nn.Sequential`.

use sparsegrad_autograd::{Float, Tensor};

use crate::module::{DeepCopy, Module, indexed_parameters};

/// Applies its children in order: y = fₙ(…f₁(f₀(x))). Child i's parameters
/// are named `{i}.{name}` (`0.weight`, `2.bias`), i counting every child.
/// Every child can be deep-copied, so the chain can be ([`DeepCopy`]).
///
/// ```
/// use rand::{SeedableRng, rngs::StdRng};
/// use sparsegrad_nn::{activation::Activation, linear::Linear, module::Module, sequential::Sequential};
/// let mut rng = StdRng::seed_from_u64(0);
/// let net = Sequential::<f32>::new()
///     .push(Linear::new(4, 8, true, &mut rng))
///     .push(Activation::Relu)
///     .push(Linear::new(8, 1, false, &mut rng));
/// let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["0.weight", "0.bias", "2.weight"]);
/// ```
pub struct Sequential<T: Float = f32> {
    children: Vec<Box<dyn Child<T>>>,
}

/// A module that a [`Sequential`] can hold: [`DeepCopy`] in a form that
/// works behind a `Box<dyn …>` (`deep_copy` returns `Self`, which a trait
/// object cannot). Every `Module + DeepCopy` is one.
pub trait Child<T: Float>: Module<T> {
    /// A deep copy of the module, boxed.
    fn deep_copy_boxed(&self) -> Box<dyn Child<T>>;
}

impl<T: Float, M: Module<T> + DeepCopy + 'static> Child<T> for M {
    fn deep_copy_boxed(&self) -> Box<dyn Child<T>> {
        Box::new(self.deep_copy())
    }
}

impl<T: Float> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Sequential<T> {
    /// An empty chain (the identity).
    pub fn new() -> Self {
        Self {
            children: Vec::new(),
        }
    }

    /// The chain with `child` appended.
    pub fn push(mut self, child: impl Module<T> + DeepCopy + 'static) -> Self {
        self.children.push(Box::new(child));
        self
    }

    /// The children, in order.
    pub fn children(&self) -> &[Box<dyn Child<T>>] {
        &self.children
    }

    /// The number of children.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// True when there are no children.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

impl<T: Float> From<Vec<Box<dyn Child<T>>>> for Sequential<T> {
    fn from(children: Vec<Box<dyn Child<T>>>) -> Self {
        Self { children }
    }
}

/// Each child's own deep copy: the parameters are fresh leaves with the
/// same values, a dropout keeps its probability, mode and RNG state.
impl<T: Float> DeepCopy for Sequential<T> {
    fn deep_copy(&self) -> Self {
        Self {
            children: self.children.iter().map(|c| c.deep_copy_boxed()).collect(),
        }
    }
}

impl<T: Float> Module<T> for Sequential<T> {
    fn forward(&self, x: &Tensor<T>) -> Tensor<T> {
        self.children
            .iter()
            .fold(x.clone(), |h, child| child.forward(&h))
    }

    fn named_parameters(&self) -> Vec<(String, Tensor<T>)> {
        indexed_parameters(
            "",
            self.children.iter().map(|c| c.as_ref() as &dyn Module<T>),
        )
    }

    fn set_training(&mut self, training: bool) {
        for child in &mut self.children {
            child.set_training(training);
        }
    }
}
