//! The plots measure text with the embedded DejaVu Sans only. This file is
//! its own test binary (one process, one test), so that the state before the
//! first plot can be observed.

use plotters::style::IntoFont;
use sparsegrad_examples::plot::{Colour, Labels, LineChart, Scale, Series, line_chart};

#[test]
fn text_layout_needs_the_embedded_font_not_the_system_fonts() {
    // plotters is built with the ab_glyph font backend, which never looks at
    // the system fonts: before anything registers a font, laying out text
    // fails, whatever fonts the machine has.
    let font = ("sans-serif", 12.0).into_font();
    assert!(
        font.box_size("lambda").is_err(),
        "a font was found before registration"
    );

    let dir = std::env::temp_dir().join(format!("sparsegrad-font-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("font.svg");
    let chart = LineChart {
        labels: Labels::new("Embedded font", "epoch", "loss"),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![Series::named(
            "train",
            vec![(0.0, 1.0), (1.0, 0.5)],
            Colour::Palette(0),
        )],
        markers: vec![],
    };
    line_chart(&path, &chart).unwrap();

    // The plot registered DejaVu Sans: text now has a width, and the SVG
    // carries the text (as <text> elements in the sans-serif family).
    let (width, height) = ("sans-serif", 12.0).into_font().box_size("lambda").unwrap();
    assert!(width > 10 && height > 5, "{width} x {height}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("font-family=\"sans-serif\""));
    assert!(svg.contains("Embedded font") && svg.contains("epoch") && svg.contains("train"));
    std::fs::remove_dir_all(&dir).unwrap();
}
