//! Whether operations record the graph: `no_grad(|| ..)` as in PyTorch.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// True unless called inside [`no_grad`]. Ops record their inputs (and so
/// make backward possible) only when this is true.
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Runs `f` with graph recording switched off, like `with torch.no_grad():`.
/// Tensors computed inside are constants: they do not require a gradient and
/// keep no reference to their inputs. The previous mode is restored on
/// return, also when `f` panics, and calls nest.
///
/// ```
/// use sparsegrad_autograd::{Tensor, no_grad};
/// let w = Tensor::<f32>::scalar(2.0).set_requires_grad(true);
/// let y = no_grad(|| &w * 3.0);
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    /// Restores the saved mode when dropped, so a panic inside `f` cannot
    /// leave recording switched off for the rest of the thread.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            GRAD_ENABLED.with(|g| g.set(self.0));
        }
    }
    let _restore = Restore(GRAD_ENABLED.with(|g| g.replace(false)));
    f()
}
