//! `pathsim lesson`: the list, an unknown lesson, and a small retention lesson
//! whose page is self-contained and says what a class needs to read.

use std::process::Command;

fn pathsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pathsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn list_names_every_lesson() {
    let out = pathsim().args(["lesson", "--list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("retention"), "{text}");
    assert!(text.contains("testing"), "{text}");
}

#[test]
fn unknown_lesson_is_an_input_error() {
    let out = pathsim().args(["lesson", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("retention") && err.contains("testing"),
        "{err}"
    );
}

#[test]
fn retention_lesson_writes_a_self_contained_page() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("lesson");
    let out = pathsim()
        .args(["lesson", "retention", "--quiet", "--scale", "2000", "--out"])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dest.join("lesson.html")).unwrap();
    assert!(html.contains("When more people stay in treatment"));
    assert!(html.contains("<svg"));
    assert!(html.contains("id=\"observed-vs-causal\""));
    assert!(html.contains("What a before/after study sees vs what treatment causes"));
    assert!(html.contains("Questions to discuss"));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("http://") && !lower.contains("https://"));
    assert!(!lower.contains("<script") && !lower.contains("<link"));
    for run in [
        "retention_baseline",
        "retention_better",
        "retention_no_treatment",
    ] {
        assert!(dest.join(run).join("summary.csv").exists(), "{run}");
    }
    assert!(dest.join("observed_vs_causal.csv").exists());
}
