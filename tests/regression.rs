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
key = "treatment.dropout_rate_0_3m"
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
