//! Operator overloading: `&a + &b`, `&a * 2.0`, `-&a`, and the same on owned
//! tensors. Each operator calls the named method (`add`, `mul_scalar`, ...),
//! so it records the same op.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::{Float, Tensor};

/// Implements `$trait` for tensor ⊕ tensor (by reference and by value) with
/// `$method`, and tensor ⊕ scalar with `$scalar_method`.
macro_rules! binary_operator {
    ($trait:ident, $op:ident, $method:ident, $scalar_method:ident) => {
        impl<T: Float> $trait<&Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $op(self, rhs: &Tensor<T>) -> Tensor<T> {
                Tensor::$method(self, rhs)
            }
        }
        impl<T: Float> $trait<Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            fn $op(self, rhs: Tensor<T>) -> Tensor<T> {
                Tensor::$method(&self, &rhs)
            }
        }
        impl<T: Float> $trait<T> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $op(self, rhs: T) -> Tensor<T> {
                Tensor::$scalar_method(self, rhs)
            }
        }
        impl<T: Float> $trait<T> for Tensor<T> {
            type Output = Tensor<T>;
            fn $op(self, rhs: T) -> Tensor<T> {
                Tensor::$scalar_method(&self, rhs)
            }
        }
    };
}

binary_operator!(Add, add, add, add_scalar);
binary_operator!(Sub, sub, sub, sub_scalar);
binary_operator!(Mul, mul, mul, mul_scalar);
binary_operator!(Div, div, div, div_scalar);

impl<T: Float> Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        Tensor::neg(self)
    }
}

impl<T: Float> Neg for Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        Tensor::neg(&self)
    }
}
