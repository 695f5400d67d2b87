//! Named tensors in the safetensors format, as PyTorch's `state_dict` is
//! saved by `safetensors.torch.save_file`: for any model's
//! [`named_parameters`](sparsegrad_nn::module::Module::named_parameters),
//! and for the model files of [`model_file`](crate::model_file).
//!
//! The file is read and written by the format's own crate (`safetensors`),
//! which checks the header, the dtypes and that the data offsets tile the
//! data exactly. Each tensor is F32 or F64 (the parameters' dtype),
//! little-endian, row-major.
//!
//! ```
//! use rand::{SeedableRng, rngs::StdRng};
//! use sparsegrad_nn::activation::Activation;
//! use sparsegrad_nn::mlp::Mlp;
//! use sparsegrad_nn::module::Module;
//! use sparsegrad_io::state_dict::{load_parameters, save_parameters};
//!
//! let trained = Mlp::<f32>::new(&[3, 4, 1], Activation::Relu, &mut StdRng::seed_from_u64(1));
//! let bytes = save_parameters(&trained.named_parameters()).unwrap();
//! let fresh = Mlp::<f32>::new(&[3, 4, 1], Activation::Relu, &mut StdRng::seed_from_u64(2));
//! load_parameters(&bytes, &fresh.named_parameters()).unwrap();
//! assert_eq!(fresh.first_layer_weight().to_array(), trained.first_layer_weight().to_array());
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use safetensors::tensor::{Metadata, TensorView};
use safetensors::{Dtype, SafeTensors};
use sparsegrad_autograd::{Float, Tensor};
use thiserror::Error;

/// Why named tensors cannot be read or written.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TensorFileError {
    /// The bytes are not a safetensors file (as the `safetensors` crate
    /// words it: a header too short or too long, not JSON, offsets that do
    /// not tile the data, a truncated file, …).
    #[error("not a safetensors file: {0}")]
    NotSafetensors(String),
    /// A tensor that should be there is not.
    #[error("no tensor {name} in the file")]
    Missing {
        /// Its name.
        name: String,
    },
    /// A tensor that nothing asked for (the first, by name).
    #[error("tensor {name} belongs to no parameter")]
    Unexpected {
        /// Its name.
        name: String,
    },
    /// A tensor of another dtype than expected.
    #[error("tensor {name} is {found}, expected {expected}")]
    Dtype {
        /// Its name.
        name: String,
        /// The safetensors dtype found (`F32`, `BF16`, …).
        found: String,
        /// The dtype expected, `F32` or `F64`.
        expected: String,
    },
    /// A tensor of the wrong shape.
    #[error("tensor {name} has shape {found:?}, expected {expected:?}")]
    Shape {
        /// Its name.
        name: String,
        /// The shape found.
        found: Vec<usize>,
        /// The shape expected.
        expected: Vec<usize>,
    },
    /// The safetensors crate refused to write the file (a header over the
    /// format's 100 MB limit).
    #[error("cannot encode as safetensors: {0}")]
    Encode(String),
}

/// The safetensors dtype of `T`.
fn dtype_of<T: Float>() -> Dtype {
    if T::NAME == f32::NAME {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

/// `values` as little-endian bytes in `T`'s own width.
fn le_bytes<'a, T: Float>(values: impl Iterator<Item = &'a T>) -> Vec<u8> {
    if T::NAME == f32::NAME {
        // `as f32` is exact: the value is an f32.
        values
            .flat_map(|x| (x.as_f64() as f32).to_le_bytes())
            .collect()
    } else {
        values.flat_map(|x| x.as_f64().to_le_bytes()).collect()
    }
}

/// Little-endian bytes of `T`'s width as numbers (the dtype was checked, so
/// the length is a multiple of the width; the crate checked that too).
fn from_le_bytes<T: Float>(bytes: &[u8]) -> Vec<T> {
    if T::NAME == f32::NAME {
        let f32s = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        f32s.map(|x| T::from_f64(f64::from(x))).collect()
    } else {
        bytes
            .chunks_exact(8)
            .map(|b| T::from_f64(f64::from_le_bytes(b.try_into().expect("chunks of 8"))))
            .collect()
    }
}

/// A safetensors file of `tensors` (name, shape, row-major values) with
/// `metadata` in its header's `__metadata__`. The same input gives the same
/// bytes.
pub fn to_safetensors_bytes<'a, T: Float + 'a>(
    tensors: impl IntoIterator<Item = (String, Vec<usize>, impl Iterator<Item = &'a T>)>,
    metadata: Option<&BTreeMap<String, String>>,
) -> Result<Vec<u8>, TensorFileError> {
    let encode = |e: safetensors::SafeTensorError| TensorFileError::Encode(e.to_string());
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, shape, values)| (name, shape, le_bytes(values)))
        .collect();
    let views = data
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype_of::<T>(), shape.clone(), bytes).map(|view| (name.as_str(), view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(encode)?;
    let metadata = metadata.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    let bytes = safetensors::serialize(views, metadata).map_err(encode)?;
    Ok(with_sorted_metadata(bytes))
}

/// The same file with its `__metadata__` keys in sorted order. The crate
/// takes the metadata as a `HashMap`, whose order changes from one run to
/// the next; the format does not care about key order, but the same input
/// must give the same bytes. Only the header changes: the tensors' offsets
/// count from the end of the header, and the header is padded with spaces
/// to a multiple of 8 bytes, as the crate pads it.
fn with_sorted_metadata(bytes: Vec<u8>) -> Vec<u8> {
    let (_, header) =
        SafeTensors::read_metadata(&bytes).expect("the safetensors crate reads what it wrote");
    let length = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let data = &bytes[8 + length..];
    // The tensors' entries, in the order (and with the offsets) the crate
    // chose; then the metadata through a BTreeMap.
    let mut entries: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + length]).expect("the header is a JSON object");
    if let Some(metadata) = header.metadata() {
        let sorted: BTreeMap<&String, &String> = metadata.iter().collect();
        entries.insert(
            "__metadata__".into(),
            serde_json::to_value(sorted).expect("strings serialize"),
        );
    }
    let mut header = serde_json::to_vec(&entries).expect("JSON values serialize");
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(data);
    out
}

/// A parsed safetensors file, handing out its tensors by name, each once.
pub struct TensorFile<'data> {
    tensors: SafeTensors<'data>,
    metadata: HashMap<String, String>,
    taken: HashSet<String>,
}

impl<'data> TensorFile<'data> {
    /// Parses `bytes` (the header, the dtypes and the offsets are checked).
    pub fn parse(bytes: &'data [u8]) -> Result<Self, TensorFileError> {
        let not = |e: safetensors::SafeTensorError| TensorFileError::NotSafetensors(e.to_string());
        let (_, header): (usize, Metadata) = SafeTensors::read_metadata(bytes).map_err(not)?;
        Ok(TensorFile {
            tensors: SafeTensors::deserialize(bytes).map_err(not)?,
            metadata: header.metadata().clone().unwrap_or_default(),
            taken: HashSet::new(),
        })
    }

    /// The header's `__metadata__` (empty when it has none).
    pub fn metadata(&self) -> &HashMap<String, String> {
        &self.metadata
    }

    /// The values of tensor `name`, checked to be of `T`'s dtype and of
    /// `shape`, row-major.
    pub fn take<T: Float>(
        &mut self,
        name: &str,
        shape: &[usize],
    ) -> Result<Vec<T>, TensorFileError> {
        let tensor = self
            .tensors
            .tensor(name)
            .map_err(|_| TensorFileError::Missing {
                name: name.to_string(),
            })?;
        if tensor.dtype() != dtype_of::<T>() {
            return Err(TensorFileError::Dtype {
                name: name.to_string(),
                found: tensor.dtype().to_string(),
                expected: dtype_of::<T>().to_string(),
            });
        }
        if tensor.shape() != shape {
            return Err(TensorFileError::Shape {
                name: name.to_string(),
                found: tensor.shape().to_vec(),
                expected: shape.to_vec(),
            });
        }
        self.taken.insert(name.to_string());
        Ok(from_le_bytes(tensor.data()))
    }

    /// Checks that every tensor of the file was taken: a file with more
    /// tensors than asked for holds something else.
    pub fn finish(self) -> Result<(), TensorFileError> {
        let mut names = self.tensors.names();
        names.sort_unstable(); // name the same one every time
        match names.into_iter().find(|name| !self.taken.contains(*name)) {
            Some(name) => Err(TensorFileError::Unexpected {
                name: name.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// The parameters as a safetensors file, one tensor per name, of their own
/// shapes (`torch.save_file(model.state_dict())`'s layout).
pub fn save_parameters<T: Float>(
    named: &[(String, Tensor<T>)],
) -> Result<Vec<u8>, TensorFileError> {
    let values: Vec<_> = named
        .iter()
        .map(|(name, t)| (name.clone(), t.to_array()))
        .collect();
    to_safetensors_bytes(
        values
            .iter()
            .map(|(name, v)| (name.clone(), v.shape().to_vec(), v.iter())),
        None,
    )
}

/// Copies the tensors of a safetensors file into the parameters of the same
/// names (as `load_state_dict` does, strictly): every parameter needs its
/// tensor, of its dtype and shape, and the file holds no other tensor. On
/// an error no parameter has changed.
pub fn load_parameters<T: Float>(
    bytes: &[u8],
    named: &[(String, Tensor<T>)],
) -> Result<(), TensorFileError> {
    let mut file = TensorFile::parse(bytes)?;
    let values = named
        .iter()
        .map(|(name, t)| file.take::<T>(name, &t.shape()))
        .collect::<Result<Vec<_>, _>>()?;
    file.finish()?;
    for ((_, t), values) in named.iter().zip(values) {
        let mut value = t.value_mut();
        for (x, v) in value.iter_mut().zip(values) {
            *x = v;
        }
    }
    Ok(())
}
