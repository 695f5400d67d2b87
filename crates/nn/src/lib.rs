//! sparsegrad-nn
