//! What several of nn's test files share.

/// Entry (i, j) of a Sylvester–Hadamard matrix, (−1)^popcount(i & j): its
/// columns are orthogonal with entries ±1, so an orthogonal design for a
/// closed form is a choice of columns (column 0 is all ones).
pub fn hadamard(i: usize, j: usize) -> f64 {
    if (i & j).count_ones() % 2 == 0 {
        1.0
    } else {
        -1.0
    }
}
