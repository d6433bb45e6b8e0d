//! Regression tests for the output, locking and date defects of issue 12, one test
//! per defect. Each drives the built binary in a temporary folder with small runs.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// Every entry of a folder whose name starts with a dot.
fn hidden(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// A small Latin hypercube sweep on the baseline.
fn sweep_file(dir: &Path, runs: usize, scale: u32) -> PathBuf {
    let text = format!(
        r#"base = {}
seed = 11
replicates = 1
scale = {scale}

[design]
kind = "lhs"
n = {runs}

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 0.8
max = 2.4

[[outputs]]
metric = "custody_receptions"
period = 2030
"#,
        toml_str(&baseline().to_string_lossy())
    );
    let path = dir.join("tiny_sweep.toml");
    std::fs::write(&path, text).unwrap();
    path
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

/// Defect 2: `--out` on an existing folder silently deleted its contents even when
/// it was not a pathsim output, and `--out` on a file hid it as `.NAME.old-PID`.
/// Now a folder that is not a pathsim output is refused (exit 2) unless `--force`,
/// by every command that writes output folders, and a file is always refused.
#[test]
fn out_refuses_a_folder_that_is_not_a_pathsim_output_and_any_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let notes = dir.join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::write(notes.join("notes.txt"), "my notes").unwrap();
    let file = dir.join("file.txt");
    std::fs::write(&file, "precious").unwrap();
    let base = baseline();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/retention_improved.toml");
    let sweep = sweep_file(dir, 4, 3000);
    let small: Vec<&OsStr> = SMALL.iter().map(OsStr::new).collect();
    let out: [&OsStr; 1] = ["--out".as_ref()];
    let commands: Vec<(&str, Vec<&OsStr>)> = vec![
        (
            "run",
            [&["run".as_ref(), base.as_os_str()][..], &small].concat(),
        ),
        (
            "compare",
            [
                &["compare".as_ref(), base.as_os_str(), policy.as_os_str()][..],
                &small,
            ]
            .concat(),
        ),
        (
            "targets",
            [&["targets".as_ref(), base.as_os_str()][..], &small].concat(),
        ),
        (
            "lesson",
            vec![
                "lesson".as_ref(),
                "retention".as_ref(),
                "--scale".as_ref(),
                "2000".as_ref(),
                "--quiet".as_ref(),
            ],
        ),
        (
            "sweep",
            vec!["sweep".as_ref(), sweep.as_os_str(), "--quiet".as_ref()],
        ),
    ];
    for (what, args) in &commands {
        let o = pathsim(dir, &[&args[..], &out, &[notes.as_os_str()]].concat());
        assert_refused(&o, what, &["not a pathsim output", "--force"]);
        assert_eq!(
            std::fs::read_to_string(notes.join("notes.txt")).unwrap(),
            "my notes"
        );
        assert_eq!(
            hidden(&notes),
            Vec::<String>::new(),
            "{what} left files in notes/"
        );
        for force in [false, true] {
            let mut a = [&args[..], &out, &[file.as_os_str()]].concat();
            if force {
                a.push("--force".as_ref());
            }
            let o = pathsim(dir, &a);
            assert_refused(
                &o,
                &format!("{what} --out FILE (force {force})"),
                &["file.txt"],
            );
            assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
        }
        let strays: Vec<String> = hidden(dir)
            .into_iter()
            .filter(|n| !n.ends_with(".lock"))
            .collect();
        assert_eq!(strays, Vec::<String>::new(), "{what} left hidden folders");
    }
    // A pathsim output folder is replaced without --force, again and again.
    let fresh = dir.join("fresh");
    for _ in 0..2 {
        assert_ok(
            &run(dir, &base, &["--out".as_ref(), fresh.as_os_str()]),
            "run into fresh",
        );
    }
    assert!(fresh.join("results.csv").is_file());
    // An empty folder holds nothing to lose.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_ok(
        &run(dir, &base, &["--out".as_ref(), empty.as_os_str()]),
        "run into empty",
    );
    // --force replaces a folder that is not a pathsim output.
    let o = run(
        dir,
        &base,
        &["--out".as_ref(), notes.as_os_str(), "--force".as_ref()],
    );
    assert_ok(&o, "run --force");
    assert!(notes.join("results.csv").is_file() && !notes.join("notes.txt").exists());
}

/// Defect 3: the commit was two renames (a kill between them lost the folder), two
/// runs into one folder raced, a killed writer left `.NAME.tmp-PID` for ever. Now
/// a lock refuses a second writer (exit 2), stale staging folders are removed on
/// the next run, and the destination is never missing while it is replaced.
#[test]
fn output_commit_is_locked_atomic_and_cleans_up_stale_staging() {
    use fs4::FileExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let dest = dir.join("r");
    let out = ["--out".as_ref(), dest.as_os_str()];
    let base = baseline();
    assert_ok(&run(dir, &base, &out), "first run");
    let manifest = std::fs::read(dest.join("manifest.json")).unwrap();

    // Another process holds the destination's lock: refused, nothing touched.
    let lock_path = dir.join(".r.lock");
    assert!(lock_path.is_file(), "no lock file beside the destination");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    FileExt::try_lock(&lock).expect("the lock is free after a run");
    let o = run(dir, &base, &out);
    assert_refused(&o, "run while locked", &["another pathsim process"]);
    assert_eq!(std::fs::read(dest.join("manifest.json")).unwrap(), manifest);
    FileExt::unlock(&lock).unwrap();
    drop(lock);

    // Leftovers of killed writers (PIDs long gone) are removed by the next run.
    for stale in [".r.tmp-4194000", ".r.old-4194001"] {
        std::fs::create_dir_all(dir.join(stale).join("charts")).unwrap();
        std::fs::write(dir.join(stale).join("results.csv"), "partial").unwrap();
    }
    assert_ok(&run(dir, &base, &out), "run after a kill");
    assert_eq!(hidden(dir), [".r.lock"], "stale staging folders were kept");
    assert!(dest.join("results.csv").is_file());

    // Concurrent runs into one folder: each succeeds or refuses clearly, and the
    // destination is complete at every instant.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (stop, dest) = (stop.clone(), dest.clone());
        std::thread::spawn(move || {
            let mut missing = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if !dest.join("manifest.json").is_file() || !dest.join("results.csv").is_file() {
                    missing += 1;
                }
            }
            missing
        })
    };
    for _ in 0..4 {
        let spawn = || {
            Command::new(exe())
                .current_dir(dir)
                .arg("run")
                .arg(&base)
                .args(SMALL)
                .args(out)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        assert!(
            results.iter().any(|o| o.status.success()),
            "neither run succeeded"
        );
        for o in &results {
            if !o.status.success() {
                assert_refused(o, "concurrent run", &["another pathsim process"]);
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        watcher.join().unwrap(),
        0,
        "the destination was missing or incomplete"
    );
    assert_eq!(hidden(dir), [".r.lock"], "a run left a staging folder");
}

/// Defect 4: two sweeps on one output folder journalled every run twice, both
/// failed and every later resume said "damaged". Now the second refuses at once
/// (exit 2) while the first holds the journal's lock, and a re-run resumes cleanly.
#[test]
fn two_sweeps_on_one_folder_one_refuses_and_the_journal_stays_sound() {
    const RUNS: usize = 40;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // About 2 s on one thread: long enough for the second to start meanwhile.
    let file = sweep_file(dir, RUNS, 500);
    let out = dir.join("sw");
    let journal = out.join("runs.journal.csv");
    let sweep = || {
        let mut c = Command::new(exe());
        c.current_dir(dir)
            .arg("sweep")
            .arg(&file)
            .args(["--quiet", "--threads", "1", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    let mut first = sweep().spawn().unwrap();
    let t0 = Instant::now();
    while !journal.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the first sweep never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first sweep finished before the second started: make the sweep longer"
    );
    let second = sweep().output().unwrap();
    assert_refused(&second, "second sweep", &["another pathsim process", "sw"]);
    let first = first.wait_with_output().unwrap();
    assert_ok(&first, "first sweep");
    // The journal holds every run once; a re-run resumes and rewrites the same files.
    let rows = |path: &Path| -> Vec<u64> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut v: Vec<u64> = text
            .lines()
            .skip(2)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(rows(&journal), (0..RUNS as u64).collect::<Vec<_>>());
    let runs_csv = std::fs::read(out.join("runs.csv")).unwrap();
    let again = sweep().output().unwrap();
    assert_ok(&again, "resumed sweep");
    assert_eq!(rows(&journal), (0..RUNS as u64).collect::<Vec<_>>());
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), runs_csv);
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
        ("[dip]\nstart = \"1899-12-31\"\n", "dip.start"),
        (
            "[calendar.detection_rate]\nfrom = 1899-12-31\n",
            "calendar.detection_rate.from",
        ),
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
        "[run]\nhorizon = 2200-12-31\n[sentencing]\ndtto_pilot_start = 1900-01-01\n",
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

// ---- Validation defects of issue 12 ----

/// A scenario on the baseline at a tiny scale, for calibration fits.
fn tiny_base(dir: &Path) -> PathBuf {
    scenario(
        dir,
        "cal_base.toml",
        "[run]\nscale = 20000.0\nreplicates = 1\n",
    )
}

/// A calibration file fitting `cal_base.toml` with a tiny ABC; `extra` is
/// appended (more `[[parameter]]` tables), `replace` edits the text.
fn calibration_file(dir: &Path, name: &str, replace: &[(&str, &str)], extra: &str) -> PathBuf {
    tiny_base(dir);
    let mut text = String::from(
        r#"scenario = "cal_base.toml"
output = "fitted.toml"
seed = 3
scale = 20000.0
replicates = 1
report_replicates = 1
exclude_studies = ["volumes"]

[abc]
particles = 4
generations = 0
max_attempts = 1

[[parameter]]
key = "court.conviction_probability"
min = 0.6
max = 0.95
"#,
    );
    for (from, to) in replace {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    text.push_str(extra);
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn calibrate<S: AsRef<OsStr>>(dir: &Path, file: &Path, extra: &[S]) -> Output {
    let mut args: Vec<&OsStr> = vec!["calibrate".as_ref(), file.as_os_str()];
    args.extend(extra.iter().map(|s| s.as_ref()));
    pathsim(dir, &args)
}

/// Calibration defect: a key like `interventions.foo.coverage` passed validation
/// and panicked at run; `scale = 0` exited 0 with "distance inf" and overwrote
/// the output; `replicates = 0`, priors outside a parameter's range and
/// `max_attempts = 0` were accepted. Every field is now checked before any work,
/// with file:line and key (exit 2), by `calibrate` and `check` alike.
#[test]
fn calibration_files_are_validated_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // (text replacements, extra lines, expected file:line, expected key)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);
    let cases: [Case; 7] = [
        (
            &[],
            "[[parameter]]\nkey = \"interventions.foo.coverage\"\nmin = 0.1\nmax = 0.5\n",
            "bad.toml:19",
            "parameter[1].key",
        ),
        (
            &[("scale = 20000.0", "scale = 0")],
            "",
            "bad.toml:4",
            "scale",
        ),
        (
            &[("replicates = 1\n", "replicates = 0\n")],
            "",
            "bad.toml:5",
            "replicates",
        ),
        (
            &[("min = 0.6", "min = -0.5")],
            "",
            "bad.toml:16",
            "parameter[0].min",
        ),
        (
            &[("max = 0.95", "max = 7.0")],
            "",
            "bad.toml:17",
            "parameter[0].max",
        ),
        (
            &[("max_attempts = 1", "max_attempts = 0")],
            "",
            "bad.toml:12",
            "abc.max_attempts",
        ),
        (
            &[(
                "exclude_studies = [\"volumes\"]",
                "exclude_studies = [\"volumez\"]",
            )],
            "",
            "bad.toml:7",
            "exclude_studies[0]",
        ),
    ];
    for (replace, extra, at, key) in cases {
        let file = calibration_file(dir, "bad.toml", replace, extra);
        let what = format!("{replace:?} {extra}");
        let o = calibrate(dir, &file, &["--quiet"]);
        assert_refused(&o, &format!("calibrate {what}"), &[at, key]);
        let o = pathsim(dir, &["check".as_ref(), file.as_os_str()]);
        assert_refused(&o, &format!("check {what}"), &[at, key]);
        assert!(!dir.join("fitted.toml").exists(), "{what}: output written");
        assert!(
            !dir.join("bad.abc_state.json").exists(),
            "{what}: work done"
        );
    }
}

/// Calibration defect: infinite distances (a proposal that gives no valid
/// scenario) were saved as JSON `null`, so the state no longer parsed and a
/// resume silently restarted from generation 0. They are now saved so that they
/// read back, the resume continues, and a state file that does not parse is an
/// error (exit 2), never a silent restart.
#[test]
fn calibration_state_with_infinite_distances_resumes_and_a_damaged_state_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A share balanced by a smaller one: most proposals make it negative.
    let file = calibration_file(
        dir,
        "calibration.toml",
        &[],
        "[[parameter]]\nkey = \"population.substance_share.opiates_crack\"\nmin = 0.1\nmax = 0.9\n\
         balance = \"population.substance_share.alcohol\"\n",
    );
    let o = calibrate(dir, &file, &["--quiet"]);
    assert_ok(&o, "first fit");
    let state = dir.join("abc_state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(
        text.contains("\"inf\""),
        "no infinite distance saved: {text}"
    );
    assert!(!text.contains("null"), "{text}");
    let o = calibrate(dir, &file, &[] as &[&str]);
    assert_ok(&o, "resumed fit");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("resuming from") && out.contains("1 generation(s) done"),
        "did not resume: {out}"
    );
    std::fs::write(&state, "{\"fingerprint\": \"x\", \"generations\": [nul").unwrap();
    let o = calibrate(dir, &file, &["--quiet"]);
    assert_refused(&o, "damaged state", &["abc_state.json", "damaged"]);
}

/// Calibration defect: calibration files in one folder shared one state file
/// (and posterior and fit report), so each clobbered the other's. The working
/// files are now named after the calibration file (`a.abc_state.json`); the
/// shipped `calibration.toml` keeps `abc_state.json`.
#[test]
fn calibration_files_in_one_folder_keep_their_own_state() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let a = calibration_file(
        dir,
        "a.toml",
        &[("output = \"fitted.toml\"", "output = \"a_fit.toml\"")],
        "",
    );
    let b = calibration_file(
        dir,
        "b.toml",
        &[
            ("output = \"fitted.toml\"", "output = \"b_fit.toml\""),
            ("max = 0.95", "max = 0.9"),
        ],
        "",
    );
    assert_ok(&calibrate(dir, &a, &["--quiet"]), "fit a");
    assert_ok(&calibrate(dir, &b, &["--quiet"]), "fit b");
    for f in [
        "a.abc_state.json",
        "a.posterior.csv",
        "a.fit_report.csv",
        "b.abc_state.json",
        "b.posterior.csv",
        "b.fit_report.csv",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    assert!(!dir.join("abc_state.json").exists());
    let o = calibrate(dir, &a, &[] as &[&str]);
    assert_ok(&o, "resume a");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("resuming from"),
        "a's state was lost: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// `compare` defect: only seed, replicates and scale were checked, so scenarios
/// with a different run.start, run.horizon or run.observe_from were compared and
/// still labelled common random numbers. They are now refused (exit 2), naming
/// both files and the differing keys.
#[test]
fn compare_refuses_scenarios_with_different_calendars() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = scenario(dir, "a.toml", "");
    for (lines, key) in [
        ("[run]\nhorizon = 2031-01-01\n", "run.horizon"),
        ("[run]\nstart = 1976-01-01\n", "run.start"),
        ("[run]\nobserve_from = 2001\n", "run.observe_from"),
    ] {
        let other = scenario(dir, "b.toml", lines);
        let mut args: Vec<&OsStr> = vec!["compare".as_ref(), base.as_os_str(), other.as_os_str()];
        args.extend(SMALL.iter().map(OsStr::new));
        let o = pathsim(dir, &args);
        assert_refused(&o, lines, &["a.toml", "b.toml", key]);
    }
    assert!(!dir.join("outputs").exists());
}

/// A Sobol sweep file with extra `[design]` lines.
fn sobol_file(dir: &Path, design: &str) -> PathBuf {
    let text = format!(
        r#"base = {}
seed = 11
scale = 20000

[design]
kind = "sobol"
n = 8
{design}

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 0.8
max = 2.4

[[parameter]]
key = "court.conviction_probability"
distribution = "uniform"
min = 0.3
max = 0.6

[[outputs]]
metric = "custody_receptions"
period = 2030
"#,
        toml_str(&baseline().to_string_lossy())
    );
    let path = dir.join("sobol.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Sweep defect: Sobol `bootstrap = 0` gave NaN intervals. Fewer than 100
/// resamples are now refused at load, with the sweep file's line and key.
#[test]
fn sobol_bootstrap_below_the_minimum_is_refused_at_load() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for b in [0, 1, 99] {
        let file = sobol_file(dir, &format!("bootstrap = {b}"));
        let o = pathsim(
            dir,
            &[
                "sweep".as_ref(),
                file.as_os_str(),
                "--run".as_ref(),
                "0".as_ref(),
            ],
        );
        assert_refused(
            &o,
            &format!("bootstrap {b}"),
            &["sobol.toml:8", "design.bootstrap", "100"],
        );
    }
    let file = sobol_file(dir, "bootstrap = 100");
    let o = pathsim(dir, &["check".as_ref(), file.as_os_str()]);
    assert_ok(&o, "bootstrap 100");
}

/// Sweep defect: every run's parameters were validated before the first run
/// started (17 minutes for 5 million runs, again on every resume). Runs differ
/// only in the factors, so a sweep now validates 1 + 2 per factor parameter
/// sets at load (the first run, and each factor at its extremes), and each run
/// as it starts: a million-run design costs 5 validations, not a million.
#[test]
fn a_large_sweep_validates_a_few_parameter_sets_not_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = sobol_file(dir, "");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("kind = \"sobol\"\nn = 8", "kind = \"lhs\"\nn = 1000000");
    std::fs::write(&file, text).unwrap();
    let sweep = pathsim::sweep::spec::load(&file).unwrap();
    assert_eq!(sweep.design.len(), 1_000_000);
    assert_eq!(sweep.validations, 5);
    // Starting it (one run of a shard) does no check of the other runs.
    let out = dir.join("out");
    let o = pathsim(
        dir,
        &[
            "sweep".as_ref(),
            file.as_os_str(),
            "--shard".as_ref(),
            "999999/1000000".as_ref(),
            "--quiet".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    assert_ok(&o, "one-run shard");
    // A combination that is invalid is still refused, when its run starts.
    let bad = sobol_file(dir, "");
    let text = std::fs::read_to_string(&bad).unwrap().replace(
        "key = \"court.conviction_probability\"\ndistribution = \"uniform\"\nmin = 0.3\nmax = 0.6",
        "key = \"population.substance_share.none\"\ndistribution = \"uniform\"\nmin = 0.5\nmax = 0.6",
    );
    std::fs::write(&bad, text).unwrap();
    let o = pathsim(dir, &["check".as_ref(), bad.as_os_str()]);
    assert_refused(
        &o,
        "shares that cannot sum to one",
        &["sobol.toml", "invalid"],
    );
}

/// Spawn pathsim and wait at most `secs` seconds (a hang fails the test).
fn pathsim_within(dir: &Path, args: &[&OsStr], secs: u64) -> Output {
    let mut child = Command::new(exe())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("pathsim {args:?} hung (killed after {secs} s)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Input defect: a FIFO given as a scenario hung; `/dev/zero` was read until
/// memory ran out; a 10 MB key took 140 s in `check`. Non-regular files and files
/// over 1 MiB are refused before reading (saying so), and a huge key gets no
/// edit-distance suggestion.
#[test]
fn input_files_that_are_not_regular_or_too_large_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = dir.join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    for cmd in ["check", "run"] {
        let o = pathsim_within(dir, &[cmd.as_ref(), fifo.as_os_str()], 20);
        assert_refused(&o, "fifo", &["fifo.toml", "not a regular file"]);
    }
    let o = pathsim_within(dir, &["check".as_ref(), "/dev/zero".as_ref()], 20);
    assert_refused(&o, "/dev/zero", &["/dev/zero", "not a regular file"]);
    let big = dir.join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    let o = pathsim_within(dir, &["check".as_ref(), big.as_os_str()], 20);
    assert_refused(&o, "2 MB file", &["big.toml", "1048576 bytes"]);
    // A key of almost 1 MiB: refused at once, without a suggestion.
    let key = dir.join("key.toml");
    std::fs::write(
        &key,
        format!("[treatment]\n{} = 1\n", "k".repeat(1_000_000)),
    )
    .unwrap();
    let o = pathsim_within(dir, &["check".as_ref(), key.as_os_str()], 20);
    assert_refused(&o, "huge key", &["key.toml:2", "unknown key"]);
    assert!(stderr(&o).len() < 1000, "the message repeats the key");
    // Sweep and calibration files are read the same way.
    for cmd in ["sweep", "calibrate"] {
        let o = pathsim_within(dir, &[cmd.as_ref(), fifo.as_os_str()], 20);
        assert_refused(&o, cmd, &["fifo.toml", "not a regular file"]);
    }
}

/// Blame defect: every `--set`, `--scale`, `--replicates` or `--seed` error was
/// blamed on a line of the scenario file (e.g. `baseline.toml:227`). They are now
/// blamed on the command line.
#[test]
fn command_line_errors_are_blamed_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = scenario(dir, "s.toml", "");
    let cases: [(&[&str], &str); 5] = [
        (&["--scale", "0"], "command line: --scale"),
        (&["--replicates", "0"], "command line: --replicates"),
        (
            &["--set", "treatment.ost_dropout_rate_0_3m=-1"],
            "command line: --set treatment.ost_dropout_rate_0_3m",
        ),
        (&["--set", "run.seed=\"x\""], "command line: --set run.seed"),
        (
            &["--set", "population.substance_share.none=0.9"],
            "command line: --set population.substance_share.none",
        ),
    ];
    for (args, needle) in cases {
        let mut all: Vec<&OsStr> = vec!["run".as_ref(), file.as_os_str(), "--quiet".as_ref()];
        all.extend(args.iter().map(OsStr::new));
        let o = pathsim(dir, &all);
        assert_refused(&o, needle, &[needle]);
        assert!(!stderr(&o).contains(".toml:"), "{needle}: {}", stderr(&o));
    }
    // --seed sets the seed given; a bad one of another key still names the file.
    let bad = scenario(dir, "bad.toml", "[court]\nconviction_probability = 2.0\n");
    let o = run(dir, &bad, &["--seed", "5"]);
    assert_refused(
        &o,
        "file value",
        &["bad.toml:3", "court.conviction_probability"],
    );
}

/// Blame defect: in a base chain, a bad value in a deeper file was blamed on the
/// upper file's table header; non-UTF-8 files and `[[run]]` got no line; a
/// duplicate key did not say which key.
#[test]
fn errors_name_the_file_line_and_key_that_are_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("deep.toml"),
        "# deep\n\n[treatment]\nost_dropout_rate_0_3m = -1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("upper.toml"),
        "base = \"deep.toml\"\n[treatment]\nost_dropout_rate_3_12m = 0.5\n",
    )
    .unwrap();
    let check = |file: &str| pathsim(dir, &["check", file]);
    assert_refused(
        &check("upper.toml"),
        "deep value",
        &["deep.toml:4", "treatment.ost_dropout_rate_0_3m"],
    );
    std::fs::write(dir.join("latin1.toml"), b"[run]\nseed = 1\n# caf\xe9\n").unwrap();
    assert_refused(
        &check("latin1.toml"),
        "non-UTF-8",
        &["latin1.toml:3:6", "UTF-8"],
    );
    std::fs::write(dir.join("array.toml"), "[[run]]\nseed = 1\n").unwrap();
    assert_refused(
        &check("array.toml"),
        "[[run]]",
        &["array.toml:1", "`run`", "[[run]]"],
    );
    std::fs::write(
        dir.join("dup.toml"),
        "[run]\nseed = 1\nreplicates = 2\nseed = 2\n",
    )
    .unwrap();
    assert_refused(
        &check("dup.toml"),
        "duplicate",
        &["dup.toml:4", "duplicate key `run.seed`"],
    );
}

/// `check` defect: it validated scenario files only. It now tells scenario,
/// sweep and calibration files apart by content, validates each fully and
/// prints one ok line per file; the first bad one exits 2 with file:line:key.
#[test]
fn check_validates_sweep_and_calibration_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        root.join("scenarios/baseline.toml"),
        root.join("scenarios/sweeps/teaching.toml"),
        root.join("scenarios/sweeps/sobol_full.toml"),
        root.join("calibration/calibration.toml"),
    ];
    let mut args: Vec<&OsStr> = vec!["check".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let o = pathsim(dir, &args);
    assert_ok(&o, "check shipped files");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().filter(|l| l.contains(": ok (")).count(),
        4,
        "{out}"
    );
    assert!(
        out.contains("ok (sweep teaching") && out.contains("ok (calibration of"),
        "{out}"
    );
    let sweep = sobol_file(dir, "");
    let text = std::fs::read_to_string(&sweep)
        .unwrap()
        .replace("max = 2.4", "max = 1e9");
    std::fs::write(&sweep, text).unwrap();
    let o = pathsim(
        dir,
        &["check".as_ref(), files[0].as_os_str(), sweep.as_os_str()],
    );
    assert_refused(&o, "bad sweep", &["sobol.toml:14", "parameter[0].max"]);
    let cal = calibration_file(dir, "c.toml", &[("particles = 4", "particles = 1")], "");
    let o = pathsim(dir, &["check".as_ref(), cal.as_os_str()]);
    assert_refused(&o, "bad calibration", &["c.toml:10", "abc.particles"]);
}

/// The test that checks the register against `../shared/seed_figures.csv`
/// passed without checking anything when that file was missing. Under CI (`CI`
/// set) a missing file is now an error; elsewhere the check is skipped with a note.
#[test]
fn seed_figure_check_fails_under_ci_when_the_file_is_missing() {
    use pathsim::studies::targets::seed_figures_text;
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("seed_figures.csv");
    let e = seed_figures_text(&missing, true).unwrap_err();
    assert!(e.contains("seed_figures.csv") && e.contains("CI"), "{e}");
    assert_eq!(seed_figures_text(&missing, false).unwrap(), None);
    std::fs::write(&missing, "id,value\n").unwrap();
    assert!(seed_figures_text(&missing, true).unwrap().is_some());
}

/// `calibrate --refine N` defect: after a kill (or any stop) it restarted with a
/// fresh budget and step from the rounded values it had written, so two sessions
/// ended at a different fit from one, and the header miscounted simulations.
/// Now the search state is saved after every simulation and resumed: a refine
/// stopped at 4 simulations and resumed to 10 ends exactly where one of 10 does.
#[test]
fn refine_resumes_its_search_with_the_budget_and_step_it_had_left() {
    let split = tempfile::tempdir().unwrap();
    let whole = tempfile::tempdir().unwrap();
    // Two parameters, so the pattern search is still going after 4 simulations.
    let second = "[[parameter]]\nkey = \"court.charge_probability\"\nmin = 0.2\nmax = 0.7\n";
    let a = calibration_file(split.path(), "a.toml", &[], second);
    let b = calibration_file(whole.path(), "a.toml", &[], second);
    // As in the shipped set-up, the fitted file is the scenario's base, so the
    // scenario holds what a refinement wrote.
    for dir in [split.path(), whole.path()] {
        std::fs::write(
            dir.join("fitted.toml"),
            "description = \"not fitted yet\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("cal_base.toml"),
            "base = \"fitted.toml\"\n\n[run]\nscale = 20000.0\nreplicates = 1\n",
        )
        .unwrap();
    }
    assert_ok(
        &calibrate(split.path(), &a, &["--quiet", "--refine", "4"]),
        "refine 4",
    );
    let o = calibrate(split.path(), &a, &["--refine", "10"]);
    assert_ok(&o, "resume to 10");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("resuming the refinement"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_ok(
        &calibrate(whole.path(), &b, &["--quiet", "--refine", "10"]),
        "refine 10",
    );
    let read = |dir: &Path| {
        std::fs::read_to_string(dir.join("fitted.toml"))
            .unwrap()
            .replace(&dir.display().to_string(), "DIR")
    };
    let (s, w) = (read(split.path()), read(whole.path()));
    // The header counts every session's simulations: the search may converge
    // before its budget of 10, but both ways count the same.
    let count = |t: &str| {
        t.split(" simulations so far")
            .next()
            .and_then(|h| h.rsplit(' ').next())
            .and_then(|n| n.parse::<u32>().ok())
    };
    let n = count(&s).unwrap_or_else(|| panic!("no count in {s}"));
    assert!((5..=10).contains(&n), "{s}");
    assert_eq!(s, w);
}

/// `bench --threads 0` defect: accepted where every other command refuses it.
#[test]
fn bench_refuses_zero_threads() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pathsim"))
        .args(["bench", "--threads", "0", "--scale", "20000", "--no-kernel"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--threads"));
}
