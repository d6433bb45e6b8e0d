//! `pathsim lesson`: the list, an unknown lesson, and every lesson run small:
//! each page is self-contained, says what a class needs to read (headline,
//! chart, table, uncertainty, questions, assumptions, words), and its
//! headline's figures are the ones its chart and table print.

use std::process::Command;

fn pathsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pathsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const LESSONS: [&str; 4] = ["retention", "testing", "release", "value"];

#[test]
fn list_names_every_lesson() {
    let out = pathsim().args(["lesson", "--list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for l in LESSONS {
        assert!(text.contains(l), "{l}: {text}");
    }
}

#[test]
fn unknown_lesson_is_an_input_error() {
    let out = pathsim().args(["lesson", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    for l in LESSONS {
        assert!(err.contains(l), "{l}: {err}");
    }
}

/// Run a lesson small and return its page.
fn lesson_page(name: &str, scale: &str, dir: &std::path::Path) -> String {
    let dest = dir.join(name);
    let out = pathsim()
        .args(["lesson", name, "--quiet", "--scale", scale, "--out"])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dest.join("lesson.html")).unwrap()
}

/// The text between `from` and the next `to` after it.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from}")) + from.len();
    let end = html[start..].find(to).unwrap() + start;
    &html[start..end]
}

/// Every number-with-a-percent or separated count in a headline, as printed.
fn figures(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '£')
        .map(|w| w.trim_end_matches([',', '.', ':']))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

fn sections_a_class_needs(name: &str, html: &str) {
    for part in [
        "id=\"headline\"",
        "<svg",
        "<table",
        "Questions to discuss",
        "What the model assumes",
        "Words used",
        "95% interval",
    ] {
        assert!(html.contains(part), "{name}: no {part}");
    }
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "{name}"
    );
    assert!(
        !lower.contains("<script") && !lower.contains("<link"),
        "{name}"
    );
}

#[test]
fn every_lesson_writes_a_page_whose_headline_its_chart_and_table_agree_on() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, scale) in [
        ("retention", "2000"),
        ("testing", "2000"),
        ("release", "400"),
        ("value", "2000"),
    ] {
        let html = lesson_page(name, scale, tmp.path());
        sections_a_class_needs(name, &html);
        let headline = between(
            &html,
            "<section class=\"headline\" id=\"headline\"><h2>",
            "</h2>",
        );
        let chart = between(&html, "<figure>", "</figure>");
        let table = between(&html, "<table", "</table>");
        for f in figures(headline) {
            assert!(
                table.contains(&f),
                "{name}: {f} of the headline `{headline}` is not in the table"
            );
        }
        if name != "testing" {
            // Testing's headline also gives the treatment starts, which only its
            // table carries; every other headline figure is charted.
            for f in figures(headline) {
                assert!(
                    chart.contains(&f),
                    "{name}: {f} of `{headline}` is not in the chart"
                );
            }
        }
    }
    let retention = tmp.path().join("retention");
    for run in [
        "retention_baseline",
        "retention_better",
        "retention_no_treatment",
    ] {
        assert!(retention.join(run).join("summary.csv").exists(), "{run}");
    }
    assert!(retention.join("observed_vs_causal.csv").exists());
}
