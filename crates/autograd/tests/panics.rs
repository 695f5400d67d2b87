//! A misused op panics with a message that names the op and the shapes.

use sparsegrad_autograd::{Reduction, Tensor};

fn t(shape: &[usize]) -> Tensor<f32> {
    Tensor::zeros(shape)
}

#[test]
#[should_panic(expected = "matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ")]
fn matmul_inner_dimensions() {
    t(&[2, 3]).matmul(&t(&[4, 5]));
}

#[test]
#[should_panic(
    expected = "matmul: [2, 2, 3] x [3, 3, 4]: batch dimensions cannot be broadcast together"
)]
fn matmul_batch_dimensions() {
    t(&[2, 2, 3]).matmul(&t(&[3, 3, 4]));
}

#[test]
#[should_panic(expected = "matmul: [3] x [3, 4]: both inputs need at least 2 axes")]
fn matmul_vector() {
    t(&[3]).matmul(&t(&[3, 4]));
}

#[test]
#[should_panic(expected = "add: [2, 3] and [2]: shapes cannot be broadcast together")]
fn add_broadcast() {
    let _ = &t(&[2, 3]) + &t(&[2]);
}

#[test]
#[should_panic(expected = "mul: [4, 1, 3] and [2, 2]: shapes cannot be broadcast together")]
fn mul_broadcast() {
    let _ = &t(&[4, 1, 3]) * &t(&[2, 2]);
}

#[test]
#[should_panic(
    expected = "linear: input [8, 3], weight [4, 5]: weight expects 5 input features, got 3"
)]
fn linear_features() {
    t(&[8, 3]).linear(&t(&[4, 5]), None);
}

#[test]
#[should_panic(expected = "linear: weight [4, 3], bias [3]: bias must have shape [4]")]
fn linear_bias() {
    t(&[8, 3]).linear(&t(&[4, 3]), Some(&t(&[3])));
}

#[test]
#[should_panic(expected = "reshape: [2, 3] (6 elements) cannot have shape [4]")]
fn reshape_count() {
    t(&[2, 3]).reshape(&[4]);
}

#[test]
#[should_panic(expected = "mse_loss: prediction [4, 1] and target [4]: shapes differ")]
fn mse_shapes() {
    t(&[4, 1]).mse_loss(&t(&[4]), Reduction::Mean);
}

#[test]
#[should_panic(expected = "cross_entropy: target 3 is out of range for 3 classes")]
fn cross_entropy_target() {
    t(&[2, 3]).cross_entropy(&[0, 3], Reduction::Mean);
}

#[test]
#[should_panic(expected = "softmax: axis 2 is out of range for shape [2, 3]")]
fn softmax_axis() {
    t(&[2, 3]).softmax(2);
}

#[test]
#[should_panic(expected = "concat: shapes [[2, 3], [2, 4]] differ outside axis 0")]
fn concat_shapes() {
    Tensor::concat(&[t(&[2, 3]), t(&[2, 4])], 0);
}

#[test]
#[should_panic(expected = "narrow: 2..5 is out of range for axis 1 of shape [2, 3]")]
fn narrow_range() {
    t(&[2, 3]).narrow(1, 2, 3);
}

#[test]
#[should_panic(expected = "index_select: index 3 is out of range for axis 0 of shape [3]")]
fn index_select_range() {
    t(&[3]).index_select(0, &[0, 3]);
}

#[test]
#[should_panic(expected = "broadcast_to: [2, 3] cannot be broadcast to [4, 3]")]
fn broadcast_to_shape() {
    t(&[2, 3]).broadcast_to(&[4, 3]);
}

#[test]
#[should_panic(expected = "permute: [0, 0] is not a permutation of the axes of shape [2, 3]")]
fn permute_axes() {
    t(&[2, 3]).permute(&[0, 0]);
}

#[test]
#[should_panic(
    expected = "backward: the gradient can be implied only for a tensor with one element, this one has shape [2, 3]"
)]
fn backward_of_a_matrix() {
    t(&[2, 3])
        .set_requires_grad(true)
        .mul_scalar(2.0)
        .backward();
}

#[test]
#[should_panic(expected = "backward: the tensor does not require a gradient")]
fn backward_without_grad() {
    t(&[]).mul_scalar(2.0).backward();
}

#[test]
#[should_panic(
    expected = "set_requires_grad: only a leaf tensor's requirement can be set, this one was computed by `exp`"
)]
fn requires_grad_on_a_computed_tensor() {
    let _ = t(&[1])
        .set_requires_grad(true)
        .exp()
        .set_requires_grad(false);
}

#[test]
#[should_panic(expected = "from_vec: 5 elements cannot have shape [2, 3]")]
fn from_vec_count() {
    Tensor::<f32>::from_vec(vec![0.0; 5], &[2, 3]);
}

/// d(w·w)/dw = 2w reads w: changing w between forward and backward would
/// give a wrong gradient, so backward refuses, naming the op and the input.
#[test]
#[should_panic(
    expected = "backward: one of the variables needed for gradient computation has been modified by an in-place operation: input 0 of `mul`, a tensor of shape [2], is at version 1; expected version 0 instead"
)]
fn backward_through_an_input_changed_in_place() {
    let w = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]).set_requires_grad(true);
    let loss = (&w * &w).sum();
    w.value_mut()[0] = 5.0;
    loss.backward();
}

/// exp's backward reads its output: an in-place change of the output is
/// caught too.
#[test]
#[should_panic(
    expected = "output of `exp`, a tensor of shape [], is at version 1; expected version 0"
)]
fn backward_through_an_output_changed_in_place() {
    let x = Tensor::<f64>::scalar(1.0).set_requires_grad(true);
    let y = x.exp();
    y.value_mut().fill(0.0);
    y.backward();
}
