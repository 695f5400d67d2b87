//! Tests of the SVG plots: each writes a complete SVG with its title, axis
//! labels and legend; the write is atomic; bad data is an error.

use sparsegrad_examples::plot::{
    BarChart, Colour, ErrorBarChart, ErrorPoint, Histogram, Labels, LineChart, Marker, Panel,
    PlotError, Scale, Series, bar_chart, error_bar_chart, histogram, line_chart,
};
use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty folder for one test.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sparsegrad-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of the files in `dir`.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every `<text>` element of an SVG document: its attributes as written,
/// and its text content, trimmed.
fn text_elements(svg: &str) -> impl Iterator<Item = (&str, &str)> {
    svg.split("<text").skip(1).map(|element| {
        let (attributes, rest) = element.split_once('>').unwrap();
        (attributes, rest[..rest.find("</text>").unwrap()].trim())
    })
}

/// The text content of every `<text>` element of an SVG document.
fn texts(svg: &str) -> Vec<String> {
    text_elements(svg)
        .map(|(_, body)| body.to_owned())
        .collect()
}

/// The numeric attribute `name` of the first `<text>` element whose content
/// starts with `content`.
fn text_attribute(svg: &str, content: &str, name: &str) -> f64 {
    let (attributes, _) = text_elements(svg)
        .find(|(_, body)| body.starts_with(content))
        .unwrap_or_else(|| panic!("no text {content:?}"));
    let key = format!(" {name}=\"");
    let at = attributes.find(&key).unwrap() + key.len();
    let value = &attributes[at..];
    value[..value.find('"').unwrap()].parse().unwrap()
}

/// Reads an SVG written by a test and checks it is a complete document
/// carrying all of `expected` as text.
fn read_svg(path: &Path, expected: &[&str]) -> String {
    let svg = fs::read_to_string(path).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg:.200}"
    );
    let texts = texts(&svg);
    for wanted in expected {
        assert!(
            texts.iter().any(|t| t == wanted),
            "no text {wanted:?} in {texts:?}"
        );
    }
    svg
}

fn labels() -> Labels {
    Labels::new("Regularization path", "lambda", "coefficient")
}

fn path_chart(grey_lines: usize) -> LineChart {
    let lambdas = [0.001, 0.01, 0.1, 1.0];
    let mut series: Vec<Series> = (0..grey_lines)
        .map(|i| {
            let points = lambdas
                .iter()
                .map(|&l| (l, 0.01 * i as f64 * (1.0 - l)))
                .collect();
            Series::unnamed(points, Colour::Grey)
        })
        .collect();
    series.push(Series::named(
        "x3 (informative)",
        lambdas.iter().map(|&l| (l, 2.0 - 2.0 * l)).collect(),
        Colour::Palette(0),
    ));
    series.push(
        Series::named(
            "x7 test",
            lambdas.iter().map(|&l| (l, 1.0 - l)).collect(),
            Colour::Palette(1),
        )
        .dashed(),
    );
    LineChart {
        labels: labels(),
        x_scale: Scale::Log10,
        y_scale: Scale::Linear,
        series,
        markers: vec![Marker {
            x: 0.05,
            label: "chosen lambda".into(),
        }],
    }
}

#[test]
fn line_chart_writes_title_labels_and_a_legend_of_named_series_only() {
    let dir = folder("line");
    let path = dir.join("path.svg");
    line_chart(&path, &path_chart(300)).unwrap();
    let svg = read_svg(
        &path,
        &[
            "Regularization path",
            "lambda",
            "coefficient",
            "x3 (informative)",
            "x7 test",
            "chosen lambda",
        ],
    );
    // 300 grey lines are drawn but get no legend entry: the legend has
    // exactly the two named series and the marker.
    assert!(svg.matches("<polyline").count() >= 302);
    let grey = "stroke=\"#B9B9B9\"";
    assert!(svg.matches(grey).count() >= 300, "grey lines missing");
    let legend_texts = texts(&svg)
        .into_iter()
        .filter(|t| !t.is_empty() && t.parse::<f64>().is_err());
    let non_tick: Vec<String> = legend_texts.collect();
    assert_eq!(
        non_tick.len(),
        3 + 3,
        "title, two axis labels, two series and one marker: {non_tick:?}"
    );
    // Log-scale ticks are labelled with the values.
    assert!(texts(&svg).iter().any(|t| t == "0.01"));
    assert_eq!(files(&dir), ["path.svg"]);
    fs::remove_dir_all(&dir).unwrap();
}

/// Weight magnitudes in two panels of four values: none of the first
/// panel's are exactly zero, three of the second's are.
fn two_panel_histogram(first: &str, second: &str) -> Histogram {
    Histogram {
        labels: Labels::new("Weight magnitudes", "|w|", "number of weights"),
        panels: vec![
            Panel {
                name: first.into(),
                values: vec![0.3, -0.02, 0.001, 1.5],
            },
            Panel {
                name: second.into(),
                values: vec![0.0, 0.0, 0.0, 0.4],
            },
        ],
        bins: 8,
    }
}

/// A panel's caption that would run past the panel's edge is set smaller
/// than the short captions beside it, and is written whole.
#[test]
fn a_long_panel_caption_is_made_to_fit() {
    let dir = folder("long-caption");
    let path = dir.join("weights.svg");
    let long = "sparse group lasso with a name much longer than a panel is wide";
    let chart = two_panel_histogram("none", long);
    histogram(&path, &chart).unwrap();
    let svg = read_svg(&path, &[&format!("{long}: 3 of 4 exact zeros (75.0%)")]);
    let font_size = |content| text_attribute(&svg, content, "font-size");
    let (short, long) = (font_size("none: 0 of 4"), font_size(long));
    assert!(long < short, "long caption at {long}, short at {short}");
    fs::remove_dir_all(&dir).unwrap();
}

/// The legend keeps out of the data's way: a line that rises into the
/// upper right corner (where the legend used to sit, over the line) and
/// starts in the lower left sends it to the upper left.
#[test]
fn the_legend_does_not_cover_the_data() {
    let dir = folder("legend-free-corner");
    let path = dir.join("rising.svg");
    let points = (0..=50).map(|i| (f64::from(i), f64::from(i))).collect();
    let chart = LineChart {
        labels: labels(),
        x_scale: Scale::Linear,
        y_scale: Scale::Linear,
        series: vec![Series::named("rising", points, Colour::Palette(0))],
        markers: vec![],
    };
    line_chart(&path, &chart).unwrap();
    let svg = read_svg(&path, &["rising"]);
    let (x, y) = (
        text_attribute(&svg, "rising", "x"),
        text_attribute(&svg, "rising", "y"),
    );
    assert!(
        x < 450.0 && y < 300.0,
        "legend at ({x}, {y}), not upper left"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn error_bar_chart_draws_a_capped_bar_per_point() {
    let dir = folder("error-bars");
    let path = dir.join("cv.svg");
    let points: Vec<ErrorPoint> = [0.001, 0.01, 0.1, 1.0]
        .iter()
        .enumerate()
        .map(|(i, &x)| ErrorPoint {
            x,
            mean: 1.0 + i as f64,
            std: 0.25,
        })
        .collect();
    let chart = ErrorBarChart {
        labels: Labels::new("Cross-validation", "lambda", "validation MSE"),
        x_scale: Scale::Log10,
        name: "mean ± 1 std".into(),
        points,
        markers: vec![
            Marker {
                x: 0.01,
                label: "best".into(),
            },
            Marker {
                x: 0.1,
                label: "one standard error".into(),
            },
        ],
    };
    error_bar_chart(&path, &chart).unwrap();
    let svg = read_svg(
        &path,
        &[
            "Cross-validation",
            "lambda",
            "validation MSE",
            "mean ± 1 std",
            "best",
            "one standard error",
        ],
    );
    // Four bars and eight caps, all two-point segments in the curve's colour.
    let segments = svg
        .split("<polyline")
        .filter(|e| e.contains("stroke=\"#1F77B4\"") && e.matches(',').count() == 2)
        .count();
    assert!(segments >= 4 + 8, "{segments} two-point segments");
    assert_eq!(files(&dir), ["cv.svg"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn histogram_notes_exact_zeros_per_panel() {
    let dir = folder("histogram");
    let path = dir.join("weights.svg");
    let chart = two_panel_histogram("no penalty", "L1 proximal");
    histogram(&path, &chart).unwrap();
    read_svg(
        &path,
        &[
            "Weight magnitudes",
            "|w|",
            "number of weights",
            "no penalty: 0 of 4 exact zeros (0.0%)",
            "L1 proximal: 3 of 4 exact zeros (75.0%)",
        ],
    );
    assert_eq!(files(&dir), ["weights.svg"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bar_chart_colours_the_highlighted_features_and_names_them_in_a_legend() {
    let dir = folder("bars");
    let path = dir.join("importance.svg");
    let chart = BarChart {
        labels: Labels::new("First-layer column norms", "input feature", "L2 norm"),
        panels: vec![
            Panel {
                name: "L2".into(),
                values: vec![0.5, 0.1, 0.7, 0.2],
            },
            Panel {
                name: "L1 proximal".into(),
                values: vec![0.6, 0.0, 0.9, 0.0],
            },
        ],
        highlighted: vec![0, 2],
        highlight_name: "informative".into(),
    };
    bar_chart(&path, &chart).unwrap();
    let svg = read_svg(
        &path,
        &[
            "First-layer column norms",
            "input feature",
            "L2 norm",
            "L2",
            "L1 proximal",
            "informative",
            "other",
        ],
    );
    // Two red bars per panel plus the legend swatch.
    assert_eq!(svg.matches("fill=\"#D62728\"").count(), 2 * 2 + 1);
    assert_eq!(files(&dir), ["importance.svg"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writing_replaces_an_existing_file_and_leaves_no_temporary_file() {
    let dir = folder("replace");
    let path = dir.join("plot.svg");
    fs::write(&path, "old contents").unwrap();
    line_chart(&path, &path_chart(2)).unwrap();
    assert!(fs::read_to_string(&path).unwrap().starts_with("<svg"));
    assert_eq!(files(&dir), ["plot.svg"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_folder_is_an_io_error_naming_the_path() {
    let dir = folder("missing");
    let path = dir.join("no-such-folder").join("plot.svg");
    let error = line_chart(&path, &path_chart(2)).unwrap_err();
    assert!(
        matches!(&error, PlotError::Io { path: p, .. } if *p == path),
        "{error}"
    );
    assert!(error.to_string().contains("no-such-folder"));
    assert!(files(&dir).is_empty());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_values_are_errors_not_panics() {
    let dir = folder("bad");
    let path = dir.join("bad.svg");

    let mut nan = path_chart(1);
    nan.series[1].points[2].1 = f64::NAN;
    let error = line_chart(&path, &nan).unwrap_err();
    assert!(
        matches!(&error, PlotError::NonFinite { what, .. } if what == "series 'x3 (informative)'"),
        "{error}"
    );

    let mut zero_on_log_axis = path_chart(1);
    zero_on_log_axis.series[0].points[0].0 = 0.0;
    let error = line_chart(&path, &zero_on_log_axis).unwrap_err();
    assert!(
        matches!(error, PlotError::NonPositiveOnLogAxis { value: 0.0, .. }),
        "{error}"
    );

    let mut marker_on_log_axis = path_chart(1);
    marker_on_log_axis.markers[0].x = -1.0;
    assert!(matches!(
        line_chart(&path, &marker_on_log_axis),
        Err(PlotError::NonPositiveOnLogAxis { .. })
    ));

    let mut log_y = path_chart(0);
    log_y.y_scale = Scale::Log10; // The informative line reaches 0 at lambda = 1.
    assert!(matches!(
        line_chart(&path, &log_y),
        Err(PlotError::NonPositiveOnLogAxis { .. })
    ));

    let nothing = LineChart {
        series: vec![Series::named("empty", vec![], Colour::Palette(0))],
        ..path_chart(0)
    };
    assert!(matches!(
        line_chart(&path, &nothing),
        Err(PlotError::NoData { .. })
    ));

    let negative_std = ErrorBarChart {
        labels: labels(),
        x_scale: Scale::Linear,
        name: "cv".into(),
        points: vec![ErrorPoint {
            x: 1.0,
            mean: 1.0,
            std: -0.1,
        }],
        markers: vec![],
    };
    assert!(matches!(
        error_bar_chart(&path, &negative_std),
        Err(PlotError::Invalid { .. })
    ));

    let infinite_weight = Histogram {
        labels: labels(),
        panels: vec![Panel {
            name: "diverged".into(),
            values: vec![1.0, f64::INFINITY],
        }],
        bins: 4,
    };
    assert!(matches!(
        histogram(&path, &infinite_weight),
        Err(PlotError::NonFinite { .. })
    ));
    let no_bins = Histogram {
        bins: 0,
        ..infinite_weight
    };
    assert!(matches!(
        histogram(&path, &no_bins),
        Err(PlotError::Invalid { .. })
    ));
    let no_panels = Histogram {
        labels: labels(),
        panels: vec![],
        bins: 4,
    };
    assert!(matches!(
        histogram(&path, &no_panels),
        Err(PlotError::NoData { .. })
    ));

    let out_of_range = BarChart {
        labels: labels(),
        panels: vec![Panel {
            name: "p".into(),
            values: vec![1.0, 2.0],
        }],
        highlighted: vec![2],
        highlight_name: "informative".into(),
    };
    assert!(matches!(
        bar_chart(&path, &out_of_range),
        Err(PlotError::Invalid { .. })
    ));

    // A range too wide for plotters' tick search (it would never return).
    let mut huge = path_chart(0);
    huge.x_scale = Scale::Linear;
    huge.series[0].points = vec![(-1e300, 0.0), (1e300, 1.0)];
    assert!(matches!(
        line_chart(&path, &huge),
        Err(PlotError::Invalid { .. })
    ));

    assert!(
        files(&dir).is_empty(),
        "a failed plot wrote {:?}",
        files(&dir)
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn degenerate_but_valid_data_is_drawn() {
    let dir = folder("degenerate");
    // One empty series next to a single point: the range is widened around it.
    let single_point = LineChart {
        series: vec![
            Series::named("empty", vec![], Colour::Palette(0)),
            Series::named("point", vec![(2.0, 3.0)], Colour::Palette(1)),
        ],
        markers: vec![],
        x_scale: Scale::Linear,
        y_scale: Scale::Log10,
        labels: labels(),
    };
    line_chart(dir.join("point.svg"), &single_point).unwrap();

    // Every weight exactly zero: no bars, the caption says 100%.
    let all_zero = Histogram {
        labels: Labels::new("All pruned", "|w|", "count"),
        panels: vec![Panel {
            name: "L1".into(),
            values: vec![0.0; 5],
        }],
        bins: 3,
    };
    histogram(dir.join("zeros.svg"), &all_zero).unwrap();
    read_svg(
        &dir.join("zeros.svg"),
        &["All pruned", "L1: 5 of 5 exact zeros (100.0%)"],
    );

    // Magnitudes from the smallest subnormal to f64::MAX fall into the end
    // bins of a histogram clamped to 10^±150.
    let extremes = Histogram {
        labels: labels(),
        panels: vec![Panel {
            name: "extremes".into(),
            values: vec![5e-324, 1.0, f64::MAX],
        }],
        bins: 4,
    };
    histogram(dir.join("extremes.svg"), &extremes).unwrap();

    // All-zero importances and no highlighted feature.
    let flat = BarChart {
        labels: Labels::new("Flat", "feature", "norm"),
        panels: vec![Panel {
            name: "dead".into(),
            values: vec![0.0; 3],
        }],
        highlighted: vec![],
        highlight_name: "informative".into(),
    };
    bar_chart(dir.join("flat.svg"), &flat).unwrap();
    assert_eq!(
        files(&dir),
        ["extremes.svg", "flat.svg", "point.svg", "zeros.svg"]
    );
    fs::remove_dir_all(&dir).unwrap();
}
