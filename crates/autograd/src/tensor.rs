//! `Tensor`: a cheap, reference-counted handle to a node of the graph.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;

use ndarray::{ArrayD, CowArray, Dimension, IxDyn, Zip};
use rand::Rng;
use rand_distr::{Distribution, Normal, StandardNormal, Uniform};
use smallvec::SmallVec;

use crate::{Float, Op, is_grad_enabled};

/// An n-dimensional array of `T` that remembers how it was computed, so that
/// [`backward`](Tensor::backward) can fill in the gradients of the tensors it
/// came from.
///
/// Cloning a `Tensor` clones the handle, not the data: both clones are the
/// same node (as two Python names for one `torch.Tensor`).
///
/// ```
/// use sparsegrad_autograd::Tensor;
/// let a = Tensor::<f32>::from_vec(vec![1.0, 2.0, 3.0], &[3]).set_requires_grad(true);
/// let loss = (&a * &a).sum(); // Σ a²
/// loss.backward();
/// assert_eq!(a.grad().unwrap().as_slice().unwrap(), &[2.0, 4.0, 6.0]); // 2a
/// ```
pub struct Tensor<T: Float = f32>(pub(crate) Rc<Node<T>>);

/// One node of the graph.
pub(crate) struct Node<T: Float> {
    pub(crate) value: RefCell<ArrayD<T>>,
    /// ∂L/∂value, summed over every backward call since the last `zero_grad`.
    pub(crate) grad: RefCell<Option<ArrayD<T>>>,
    /// The buffer of the gradient that `zero_grad` forgot, zeroed and
    /// reused as the next gradient instead of a fresh allocation: a
    /// parameter's gradient buffer then lives across training steps, as
    /// PyTorch's does with `zero_grad(set_to_none=False)`.
    pub(crate) spare_grad: RefCell<Option<ArrayD<T>>>,
    pub(crate) requires_grad: Cell<bool>,
    /// Keep the gradient of this non-leaf after backward (PyTorch's `retain_grad`).
    pub(crate) retains_grad: Cell<bool>,
    pub(crate) origin: RefCell<Origin<T>>,
    /// The number of the last graph walk that reached this node, so a walk
    /// can tell visited nodes without a hash set (see `backward.rs`).
    pub(crate) walk_mark: Cell<u64>,
    /// How many times the value was handed out for an in-place change
    /// ([`Tensor::value_mut`]): PyTorch's version counter. An op records
    /// the versions of its inputs and output when it is recorded, and
    /// backward refuses to use a value whose version has moved since.
    pub(crate) version: Cell<u64>,
}

/// The inputs of one recorded op, or their versions: every op here has one
/// to three, kept in the node itself instead of in two heap allocations an
/// op (a small network's step records a handful of ops, and malloc and
/// free were a sixth of it). Concatenating more tensors spills to the heap.
pub(crate) type PerInput<X> = SmallVec<[X; 3]>;

/// How a node came to be.
pub(crate) enum Origin<T: Float> {
    /// Created by the user (a parameter, an input) or computed without
    /// recording (under `no_grad`, or from inputs that need no gradient).
    Leaf,
    /// Computed by `op` from `inputs`, recorded for backward.
    Computed {
        op: Box<dyn Op<T>>,
        inputs: PerInput<Tensor<T>>,
        /// The versions of `inputs`, in order, when the op was recorded.
        input_versions: PerInput<u64>,
    },
    /// Was `Computed`; a backward pass that did not retain the graph has
    /// released the op (and the values it saved) and the references to the
    /// inputs. Only the name is kept, for the error message.
    Released { op_name: &'static str },
}

impl<T: Float> Origin<T> {
    fn take_inputs(&mut self) -> PerInput<Tensor<T>> {
        match self {
            Origin::Computed { inputs, .. } => std::mem::take(inputs),
            _ => PerInput::new(),
        }
    }
}

impl<T: Float> Drop for Node<T> {
    /// Frees the graph above this node without recursion. A plain recursive
    /// drop of a chain of 100 000 ops would overflow the stack; instead the
    /// inputs whose last handle this was are unlinked into a work list.
    fn drop(&mut self) {
        let mut pending = self.origin.get_mut().take_inputs();
        while let Some(tensor) = pending.pop() {
            if let Ok(mut node) = Rc::try_unwrap(tensor.0) {
                pending.extend(node.origin.get_mut().take_inputs());
            } // `node` drops here, with no inputs left to recurse into
        }
    }
}

impl<T: Float> Clone for Tensor<T> {
    fn clone(&self) -> Self {
        Tensor(Rc::clone(&self.0))
    }
}

/// Creation.
impl<T: Float> Tensor<T> {
    /// A leaf tensor holding `value`, not requiring a gradient.
    pub fn new<D: Dimension>(value: ndarray::Array<T, D>) -> Self {
        Tensor(Rc::new(Node {
            value: RefCell::new(value.into_dyn()),
            grad: RefCell::new(None),
            spare_grad: RefCell::new(None),
            requires_grad: Cell::new(false),
            retains_grad: Cell::new(false),
            origin: RefCell::new(Origin::Leaf),
            walk_mark: Cell::new(0),
            version: Cell::new(0),
        }))
    }

    /// A leaf tensor of the given shape from row-major `data`.
    ///
    /// # Panics
    /// When `data.len()` is not the product of `shape`.
    pub fn from_vec(data: Vec<T>, shape: &[usize]) -> Self {
        let len = data.len();
        let value = ArrayD::from_shape_vec(IxDyn(shape), data)
            .unwrap_or_else(|_| panic!("from_vec: {len} elements cannot have shape {shape:?}"));
        Self::new(value)
    }

    /// A 0-dimensional tensor holding `x`.
    pub fn scalar(x: T) -> Self {
        Self::new(ndarray::arr0(x))
    }

    /// A tensor of the given shape filled with `x`.
    pub fn full(shape: &[usize], x: T) -> Self {
        Self::new(ArrayD::from_elem(shape, x))
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, T::zero())
    }

    /// A tensor of ones.
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, T::one())
    }

    /// Samples drawn independently from U[low, high), using `rng` only.
    ///
    /// # Panics
    /// When `low >= high` or either is not finite.
    pub fn rand_uniform(shape: &[usize], low: T, high: T, rng: &mut impl Rng) -> Self {
        let dist = Uniform::new(low, high)
            .unwrap_or_else(|e| panic!("rand_uniform: bounds [{low}, {high}): {e}"));
        Self::new(ArrayD::from_shape_simple_fn(shape, || dist.sample(rng)))
    }

    /// Samples drawn independently from N(mean, std²), using `rng` only.
    ///
    /// # Panics
    /// When `std` is negative or not finite.
    pub fn rand_normal(shape: &[usize], mean: T, std: T, rng: &mut impl Rng) -> Self
    where
        StandardNormal: Distribution<T>,
    {
        let dist = Normal::new(mean, std)
            .unwrap_or_else(|e| panic!("rand_normal: N({mean}, {std}²): {e}"));
        Self::new(ArrayD::from_shape_simple_fn(shape, || dist.sample(rng)))
    }

    /// Records the result of an op: a tensor holding `value` whose gradient
    /// flows back to `inputs` through `op`. The graph is recorded only when
    /// grad mode is on and some input requires a gradient; otherwise the
    /// result is a constant and `op` is dropped at once.
    ///
    /// This is how every op in `ops/` builds its result, and how a user
    /// adds a new op (see [`Op`]). `inputs` is any list of handles: an
    /// array (`[x.clone()]`) or a `Vec`.
    pub fn from_op(
        value: ArrayD<T>,
        op: impl Op<T>,
        inputs: impl IntoIterator<Item = Tensor<T>>,
    ) -> Self {
        let out = Self::new(value);
        let inputs: PerInput<Tensor<T>> = inputs.into_iter().collect();
        if is_grad_enabled() && inputs.iter().any(Tensor::requires_grad) {
            out.0.requires_grad.set(true);
            let input_versions = inputs.iter().map(Tensor::version).collect();
            *out.0.origin.borrow_mut() = Origin::Computed {
                op: Box::new(op),
                inputs,
                input_versions,
            };
        }
        out
    }
}

/// Reading and writing.
impl<T: Float> Tensor<T> {
    /// The value. Hold the borrow briefly: an in-place update
    /// ([`value_mut`](Tensor::value_mut)) while it is held panics.
    pub fn value(&self) -> Ref<'_, ArrayD<T>> {
        self.0.value.borrow()
    }

    /// The value, for an in-place update that is not recorded in the graph
    /// (what an optimizer does under `torch.no_grad()`). Each call bumps the
    /// tensor's [`version`](Tensor::version): a backward that needs the
    /// value of a tensor changed after an op used it panics instead of
    /// computing a wrong gradient, so update parameters after `backward`,
    /// as an optimizer step does.
    ///
    /// ```should_panic
    /// use sparsegrad_autograd::Tensor;
    /// let w = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
    /// let loss = (&w * &w).sum();
    /// w.value_mut()[0] = 5.0; // d(w²)/dw = 2w would read the new w
    /// loss.backward(); // panics: "... modified by an in-place operation ..."
    /// ```
    pub fn value_mut(&self) -> RefMut<'_, ArrayD<T>> {
        self.0.version.set(self.0.version.get() + 1);
        self.0.value.borrow_mut()
    }

    /// The number of in-place changes of the value so far
    /// ([`value_mut`](Tensor::value_mut) calls): 0 for a new tensor, as
    /// torch's `tensor._version`.
    pub fn version(&self) -> u64 {
        self.0.version.get()
    }

    /// A copy of the value.
    pub fn to_array(&self) -> ArrayD<T> {
        self.value().clone()
    }

    /// The single element of a tensor with one element (any shape).
    ///
    /// # Panics
    /// When the tensor has more or fewer than one element.
    pub fn item(&self) -> T {
        let value = self.value();
        assert!(
            value.len() == 1,
            "item: tensor of shape {:?} has {} elements, not 1",
            value.shape(),
            value.len()
        );
        value.iter().copied().next().unwrap_or_else(T::zero)
    }

    /// The shape, e.g. `[batch, features]`.
    pub fn shape(&self) -> Vec<usize> {
        self.value().shape().to_vec()
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.value().ndim()
    }

    /// The number of elements.
    pub fn numel(&self) -> usize {
        self.value().len()
    }

    /// Whether backward computes a gradient for this tensor: set by the user
    /// on a leaf, inherited by every result computed from it in grad mode.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.get()
    }

    /// Marks a leaf as needing a gradient (PyTorch's `requires_grad_`).
    ///
    /// # Panics
    /// On a tensor computed by a recorded op: its gradient requirement
    /// follows from its inputs.
    pub fn set_requires_grad(self, requires_grad: bool) -> Self {
        assert!(
            self.is_leaf(),
            "set_requires_grad: only a leaf tensor's requirement can be set, this one was computed by `{}`",
            self.op_name().unwrap_or("?")
        );
        self.0.requires_grad.set(requires_grad);
        self
    }

    /// True for a tensor not computed by a recorded op.
    pub fn is_leaf(&self) -> bool {
        matches!(*self.0.origin.borrow(), Origin::Leaf)
    }

    /// The name of the op that computed this tensor, `None` for a leaf.
    pub fn op_name(&self) -> Option<&'static str> {
        match &*self.0.origin.borrow() {
            Origin::Leaf => None,
            Origin::Computed { op, .. } => Some(op.name()),
            Origin::Released { op_name } => Some(op_name),
        }
    }

    /// Handles to the inputs of the op that computed this tensor (empty for
    /// a leaf, and after backward has released the graph).
    pub fn inputs(&self) -> Vec<Tensor<T>> {
        match &*self.0.origin.borrow() {
            Origin::Computed { inputs, .. } => inputs.to_vec(),
            _ => Vec::new(),
        }
    }

    /// An identity for this node, equal for clones of one handle and
    /// distinct between live nodes.
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }

    /// True when both handles are the same node.
    pub fn same_node(&self, other: &Tensor<T>) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A new leaf with a copy of this value, cut off from the graph: no
    /// gradient flows through it. (PyTorch's `detach` shares the storage
    /// instead; here values are owned by their node, so it is a copy.)
    pub fn detach(&self) -> Self {
        Self::new(self.to_array())
    }
}

/// Gradients.
impl<T: Float> Tensor<T> {
    /// ∂L/∂self, summed over every backward call since the last
    /// [`zero_grad`](Tensor::zero_grad). `None` before any backward reached
    /// this tensor, and for a non-leaf unless [`retain_grad`](Tensor::retain_grad)
    /// was called on it.
    pub fn grad(&self) -> Option<Ref<'_, ArrayD<T>>> {
        Ref::filter_map(self.0.grad.borrow(), Option::as_ref).ok()
    }

    /// The gradient, for an in-place change (clipping).
    pub fn grad_mut(&self) -> Option<RefMut<'_, ArrayD<T>>> {
        RefMut::filter_map(self.0.grad.borrow_mut(), Option::as_mut).ok()
    }

    /// Removes and returns the gradient.
    pub fn take_grad(&self) -> Option<ArrayD<T>> {
        self.0.grad.borrow_mut().take()
    }

    /// Forgets the gradient, as PyTorch's `zero_grad(set_to_none=True)`: the
    /// next backward writes a fresh one instead of adding to the old. (Its
    /// memory is kept for that fresh one.)
    pub fn zero_grad(&self) {
        if let Some(old) = self.0.grad.borrow_mut().take() {
            *self.0.spare_grad.borrow_mut() = Some(old);
        }
    }

    /// A new gradient buffer: the spare one when it has the value's shape
    /// (filled with zeros when `zeros`; else it keeps the last gradient,
    /// for a writer that overwrites it all), or new zeros.
    fn fresh_grad(&self, zeros: bool) -> ArrayD<T> {
        let value = self.0.value.borrow();
        match self.0.spare_grad.borrow_mut().take() {
            Some(mut spare) if spare.shape() == value.shape() => {
                if zeros {
                    spare.fill(T::zero());
                }
                spare
            }
            _ => ArrayD::zeros(value.raw_dim()),
        }
    }

    /// Keeps this non-leaf tensor's gradient after backward (by default only
    /// leaves keep theirs, and intermediate gradients are freed as soon as
    /// they have been propagated).
    pub fn retain_grad(&self) {
        self.0.retains_grad.set(true);
    }

    /// Adds `g` into the gradient, in place. The first contribution is moved
    /// in when owned, so nothing is copied that need not be.
    ///
    /// For op authors; `g` must have this tensor's shape (see
    /// [`unbroadcast`](crate::unbroadcast) for broadcast inputs).
    pub fn accumulate_grad(&self, g: CowArray<'_, T, IxDyn>) {
        let mut slot = self.0.grad.borrow_mut();
        match slot.as_mut() {
            Some(acc) => Zip::from(acc).and(&g).for_each(|a, &b| *a += b),
            None => {
                debug_assert_eq!(g.shape(), self.value().shape(), "gradient of wrong shape");
                // an owned g is moved in; a borrowed one is copied into the
                // spare buffer when there is one
                let spare = if g.is_view() {
                    let spare = self.0.spare_grad.borrow_mut().take();
                    spare.filter(|spare| spare.shape() == g.shape())
                } else {
                    None
                };
                *slot = Some(match spare {
                    Some(mut spare) => {
                        spare.assign(&g);
                        spare
                    }
                    None => g.into_owned(),
                });
            }
        }
    }

    /// The gradient buffer, created as zeros when there is none yet, for an
    /// op that writes its contribution straight into it (a matrix product
    /// with β = 1, a scatter into a slice) rather than building a temporary.
    pub fn grad_buffer_mut(&self) -> RefMut<'_, ArrayD<T>> {
        RefMut::map(self.0.grad.borrow_mut(), |slot| {
            slot.get_or_insert_with(|| self.fresh_grad(true))
        })
    }

    /// The gradient buffer for a matrix product C ← A·B + β·C that writes
    /// its contribution straight into it, with the β to use: 1 when the
    /// buffer holds earlier contributions, 0 when it was just created.
    ///
    /// With β = 0 the buffer's contents are unspecified (a buffer kept by
    /// [`zero_grad`](Self::zero_grad) still holds the last gradient, and is
    /// not cleared: the product overwrites every element without reading
    /// it). For a new buffer that saves more than a pass over memory: a
    /// large zeroed buffer comes straight from the operating system, every
    /// page mapped to one shared page of zeros until written, and reading a
    /// page before writing it costs a copy-on-write fault that, once a
    /// second thread has run, interrupts every core to flush its stale
    /// mapping (measured: 30% of a 1024-wide training step with 2 threads).
    pub fn grad_product_target(&self) -> (RefMut<'_, ArrayD<T>>, T) {
        let mut beta = T::one();
        let buffer = RefMut::map(self.0.grad.borrow_mut(), |slot| {
            slot.get_or_insert_with(|| {
                beta = T::zero();
                self.fresh_grad(false)
            })
        });
        (buffer, beta)
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        write!(f, "Tensor(shape={:?}", value.shape())?;
        if let Some(op) = self.op_name() {
            write!(f, ", op={op}")?;
        }
        if self.requires_grad() {
            write!(f, ", requires_grad")?;
        }
        write!(f, ")\n{value}")
    }
}

impl<T: Float> fmt::Display for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value())
    }
}
