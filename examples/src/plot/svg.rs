//! Rendering into an SVG string with the embedded font, and the atomic write.

use super::PlotError;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea, SVGBackend, WHITE};
use plotters::style::{FontStyle, register_font};
use std::path::Path;
use std::sync::OnceLock;

/// The drawing area every plot is drawn on.
pub(super) type Area<'s> = DrawingArea<SVGBackend<'s>, Shift>;

impl From<DrawingAreaErrorKind<std::io::Error>> for PlotError {
    fn from(error: DrawingAreaErrorKind<std::io::Error>) -> Self {
        PlotError::Draw(error.to_string())
    }
}

/// Registers DejaVu Sans as plotters' `"sans-serif"` family (the family
/// every default text style uses), once per process. With the `ab_glyph`
/// font backend plotters measures text only with registered fonts, so this
/// is what makes plots independent of the machine's fonts.
fn register_embedded_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *REGISTERED.get_or_init(|| {
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
    });
    if registered {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

/// Draws a `width × height` SVG on a white background with `draw` and
/// returns the document.
pub(super) fn render(
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    register_embedded_font()?;
    let mut document = String::new();
    {
        let root = SVGBackend::with_string(&mut document, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(document)
}

/// Writes `contents` to `path` atomically (a temporary file in the same
/// folder, synced, then renamed; see [`sparsegrad::io::fs::write_atomically`]).
pub(super) fn write_atomically(path: &Path, contents: &str) -> Result<(), PlotError> {
    sparsegrad::io::fs::write_atomically(&[(path, contents.as_bytes())]).map_err(|source| {
        PlotError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}
