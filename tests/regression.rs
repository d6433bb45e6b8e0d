//! Regression tests for the output, locking and date defects of issue 12, one test
//! per defect. Each drives the built binary in a temporary folder with small runs.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_pathsim")
}

fn baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")
}

/// A TOML string literal for any text (control characters escaped).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A scenario file built on the baseline, with extra lines after `base`.
fn scenario(dir: &Path, file: &str, lines: &str) -> PathBuf {
    let path = dir.join(file);
    let text = format!(
        "base = {}\n{lines}",
        toml_str(&baseline().to_string_lossy())
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Run pathsim in `dir` (so the default `outputs/` is inside it).
fn pathsim<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Output {
    Command::new(exe())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run pathsim")
}

const SMALL: [&str; 5] = ["--scale", "2000", "--replicates", "1", "--quiet"];

/// `pathsim run FILE` with a small run and extra arguments.
fn run<S: AsRef<OsStr>>(dir: &Path, file: &Path, extra: &[S]) -> Output {
    let mut args: Vec<&OsStr> = vec!["run".as_ref(), file.as_os_str()];
    args.extend(SMALL.iter().map(OsStr::new));
    args.extend(extra.iter().map(|s| s.as_ref()));
    pathsim(dir, &args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what} failed: {}", stderr(o));
}

/// Exit code 2 with every one of `needles` in the message.
fn assert_refused(o: &Output, what: &str, needles: &[&str]) {
    let e = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{what}: expected exit 2, got {:?}: {e}",
        o.status
    );
    for n in needles {
        assert!(e.contains(n), "{what}: message lacks `{n}`: {e}");
    }
}

/// Defect 1: a scenario name is used as a path unchecked. An empty name deleted
/// the whole `outputs/` folder; `..`, `/`, absolute paths and separators wrote
/// outside it or deleted what they named. Every such name is now refused (exit 2,
/// naming the key `name` and where it was set) before any work, touching nothing.
#[test]
fn unsafe_scenario_names_are_refused_and_touch_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("outputs/keep")).unwrap();
    std::fs::write(dir.join("outputs/README.md"), "readme").unwrap();
    std::fs::write(dir.join("outputs/keep/notes.txt"), "notes").unwrap();
    std::fs::create_dir_all(dir.join("victim")).unwrap();
    std::fs::write(dir.join("victim/data.txt"), "data").unwrap();
    let absolute = dir.join("absolute");
    let long = "x".repeat(300);
    let names: Vec<String> = vec![
        String::new(),
        ".".into(),
        "..".into(),
        "../victim".into(),
        "victim/..".into(),
        "a/b".into(),
        "a\\b".into(),
        "/".into(),
        absolute.to_string_lossy().into_owned(),
        ".hidden".into(),
        "tab\there".into(),
        "nul\u{0}here".into(),
        long,
    ];
    let untouched = |what: &str| {
        for f in [
            "outputs/README.md",
            "outputs/keep/notes.txt",
            "victim/data.txt",
        ] {
            assert!(dir.join(f).is_file(), "{what}: {f} was deleted");
        }
        assert!(!absolute.exists(), "{what}: wrote outside outputs/");
        let mut entries: Vec<String> = std::fs::read_dir(dir.join("outputs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        assert_eq!(entries, ["README.md", "keep"], "{what}: outputs/ changed");
    };
    for name in &names {
        let file = scenario(dir, "named.toml", &format!("name = {}\n", toml_str(name)));
        let what = format!("name = {name:?}");
        let o = run(dir, &file, &[] as &[&str]);
        assert_refused(&o, &what, &["named.toml:2", "`name`"]);
        untouched(&what);
        let o = pathsim(dir, &["check".as_ref(), file.as_os_str()]);
        assert_refused(&o, &format!("check {what}"), &["named.toml:2", "`name`"]);
    }
    // The same through the command line.
    let good = scenario(dir, "good.toml", "");
    for name in ["name=\"\"", "name=..", "name=../victim", "name=/tmp"] {
        let o = run(dir, &good, &["--set", name]);
        assert_refused(&o, name, &["--set name"]);
        untouched(name);
    }
    // A name taken from the file name is checked too.
    let dotted = scenario(dir, ".dotted.toml", "");
    let o = run(dir, &dotted, &[] as &[&str]);
    assert_refused(&o, ".dotted.toml", &[".dotted.toml", "`name`"]);
    untouched(".dotted.toml");
    // An ordinary name still runs, into outputs/<name>.
    let ok = scenario(dir, "ok.toml", "name = \"my-run_2.v1\"\n");
    assert_ok(&run(dir, &ok, &[] as &[&str]), "name = my-run_2.v1");
    assert!(dir.join("outputs/my-run_2.v1/results.csv").is_file());
    assert!(dir.join("outputs/keep/notes.txt").is_file());
}

/// Defect 5: a five-digit year passed `check` and then `run` panicked (exit 101)
/// after the whole simulation; `horizon = 9999-12-31` was accepted; very large
/// years overflowed silently. Dates outside 1900-01-01..=2200-12-31 are now refused
/// with file:line and key (exit 2) by `check` and `run` alike.
#[test]
fn dates_outside_the_supported_range_are_refused_at_check_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cases = [
        ("[run]\nstart = \"10000-01-01\"\n", "run.start"),
        ("[run]\nhorizon = 9999-12-31\n", "run.horizon"),
        ("[run]\nhorizon = \"2147483647-12-31\"\n", "run.horizon"),
        ("[run]\nhorizon = 2201-01-01\n", "run.horizon"),
        ("[testing]\nstart = \"1899-12-31\"\n", "testing.start"),
        (
            "[levers.retention]\nstart = 9000-04-01\n",
            "levers.retention.start",
        ),
    ];
    for (lines, key) in cases {
        let file = scenario(dir, "dates.toml", lines);
        let o = pathsim(dir, &["check".as_ref(), file.as_os_str()]);
        assert_refused(
            &o,
            &format!("check {lines}"),
            &["dates.toml:3", key, "1900-01-01"],
        );
        let o = run(dir, &file, &[] as &[&str]);
        assert_refused(&o, &format!("run {lines}"), &["dates.toml:3", key]);
    }
    let good = scenario(dir, "good.toml", "");
    for set in [
        "run.start=10000-01-01",
        "run.horizon=\"99999-01-01\"",
        "run.horizon=9999-12-31",
    ] {
        let o = run(dir, &good, &["--set", set]);
        assert_refused(&o, set, &["run."]);
    }
    // The ends of the supported range are accepted.
    let edge = scenario(
        dir,
        "edge.toml",
        "[run]\nhorizon = 2200-12-31\n[testing]\npilot_start = 1900-01-01\n",
    );
    assert_ok(
        &pathsim(dir, &["check".as_ref(), edge.as_os_str()]),
        "check edge dates",
    );
    assert!(
        !dir.join("outputs").exists()
            || std::fs::read_dir(dir.join("outputs")).unwrap().count() == 0
    );
}
