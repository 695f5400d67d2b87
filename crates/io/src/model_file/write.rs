//! Writing a model file in the layout of the format's documentation: one
//! field per line at the top, one layer per line, `", "` and `": "` between
//! items, numbers in their shortest round-trip form.

use std::io;

use ndarray::{ArrayView1, ArrayView2};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::ser::Formatter;
use sparsegrad_autograd::Float;

use super::{FORMAT, Layer, ModelFile, VERSION};

/// The whole file as text.
pub(super) fn to_json<T: Float>(model: &ModelFile<T>) -> String {
    let mut out = String::from("{\n");
    let mut field = |name: &str, value: String| {
        out.push_str(&format!("  \"{name}\": {value},\n"));
    };
    field("format", compact(&FORMAT));
    field("version", compact(&VERSION));
    field("dtype", compact(&T::NAME));
    field("task", compact(&model.task));
    field("features", compact(&model.features));
    field("target", compact(&model.target));
    field("standardize", compact(&model.standardize));
    out.push_str("  \"layers\": [\n");
    let lines: Vec<String> = model
        .layers
        .iter()
        .map(|layer| format!("    {}", compact(&LayerJson(layer))))
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  ]\n}\n");
    out
}

/// One value on one line, with spaces after `,` and `:`.
fn compact<S: Serialize + ?Sized>(value: &S) -> String {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, SpacedFormatter);
    // Serializing into memory fails only for map keys that are not strings
    // or for a failing writer; none of the types written here has either.
    value
        .serialize(&mut serializer)
        .expect("model file values serialize to JSON");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// serde_json's compact layout with a space after each `,` and `:`.
struct SpacedFormatter;

impl Formatter for SpacedFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        write_separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        write_separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `", "` before every item of an array or object but the first.
fn write_separator<W: ?Sized + io::Write>(writer: &mut W, first: bool) -> io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

/// A layer as its JSON object.
struct LayerJson<'a, T: Float>(&'a Layer<T>);

impl<T: Float> Serialize for LayerJson<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let layer = self.0;
        let Layer::Linear { weight, bias } = layer else {
            let mut object = serializer.serialize_struct("Layer", 1)?;
            object.serialize_field("type", layer.type_name())?;
            return object.end();
        };
        let mut object = serializer.serialize_struct("Layer", 5)?;
        object.serialize_field("type", layer.type_name())?;
        object.serialize_field("in_features", &weight.ncols())?;
        object.serialize_field("out_features", &weight.nrows())?;
        object.serialize_field("weight", &Rows(weight.view()))?;
        object.serialize_field("bias", &Numbers(bias.view()))?;
        object.end()
    }
}

/// A matrix as an array of its rows.
struct Rows<'a, T: Float>(ArrayView2<'a, T>);

impl<T: Float> Serialize for Rows<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.rows().into_iter().map(Numbers))
    }
}

/// A vector as an array of numbers.
struct Numbers<'a, T: Float>(ArrayView1<'a, T>);

impl<T: Float> Serialize for Numbers<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|&x| Number(x)))
    }
}

/// One number in its dtype's shortest round-trip form. `Float` has two
/// implementors: an f32 is written as an f32 (the shortest digits that
/// read back to that f32, often far fewer than its f64 value needs), the
/// f64 as an f64. The conversion `as f32` is exact, the value being an f32.
struct Number<T: Float>(T);

impl<T: Float> Serialize for Number<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if T::NAME == f32::NAME {
            serializer.serialize_f32(self.0.as_f64() as f32)
        } else {
            serializer.serialize_f64(self.0.as_f64())
        }
    }
}
