//! The README's library example is the tutorial's, which runs as a doc
//! test: the two copies must not drift apart.

/// The code of the first fenced block after `<!-- penalty-example -->` in
/// `text`, without the tutorial's hidden (`# `) lines.
fn example(text: &str) -> Vec<&str> {
    let after = text
        .split_once("<!-- penalty-example -->")
        .expect("the marker is there")
        .1;
    after
        .lines()
        .skip_while(|line| !line.starts_with("```"))
        .skip(1)
        .take_while(|line| !line.starts_with("```"))
        .filter(|line| !line.starts_with("# "))
        .collect()
}

#[test]
fn the_readme_shows_the_tutorials_tested_example() {
    let readme = include_str!("../README.md");
    let tutorial = include_str!("../docs/tutorial.md");
    let shown = example(readme);
    assert_eq!(shown, example(tutorial));
    let library_lines = shown
        .iter()
        .filter(|line| !line.is_empty() && !line.starts_with("use "))
        .count();
    assert!(library_lines <= 8, "{library_lines} lines: {shown:#?}");
}
