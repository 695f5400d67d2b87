//! Rendering into an SVG string with the embedded font, and the atomic write.

use super::PlotError;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea, SVGBackend, WHITE};
use plotters::style::{FontStyle, register_font};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Writes `contents` to `path` atomically: into a temporary file in the same
/// folder (same file system, so the rename cannot degrade to a copy), synced,
/// then renamed over `path`. On failure the temporary file is removed.
pub(super) fn write_atomically(path: &Path, contents: &str) -> Result<(), PlotError> {
    // Distinguishes temporary files of concurrent writers in one process.
    static WRITES: AtomicUsize = AtomicUsize::new(0);
    let io_error = |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path.file_name().ok_or_else(|| {
        io_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path has no file name",
        ))
    })?;
    let temporary = path.with_file_name(format!(
        ".{}.{}-{}.tmp",
        file_name.to_string_lossy(),
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(contents.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        // Best effort: the temporary file may not even exist.
        let _ = fs::remove_file(&temporary);
    }
    written.map_err(io_error)
}
