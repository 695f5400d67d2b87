//! sparsegrad-examples
