//! The real `pathsim` binary: a sweep killed with SIGKILL at arbitrary moments and
//! restarted loses no finished run and repeats none, and its final files equal
//! those of an uninterrupted run byte for byte; shards merge to the same files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_pathsim")
}

fn sweep_file(dir: &Path, seed: u64) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let text = format!(
        r#"base = "{}"
seed = {seed}
replicates = 2
scale = 3000

[design]
kind = "lhs"
n = {RUNS}

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 0.8
max = 2.4

[[parameter]]
key = "treatment.offending_multiplier_in_treatment"
distribution = "triangular"
min = 0.4
max = 0.9
mode = 0.55

[[outputs]]
metric = "proven_reoffending_rate"
period = 2030

[[outputs]]
metric = "custody_receptions"
period = 2030
"#,
        base.display().to_string().replace('\\', "\\\\")
    );
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(exe());
    c.arg("sweep")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra);
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

fn run_ok(mut c: Command) -> String {
    let o = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "failed: {stderr}");
    stderr
}

/// Run indices of the complete lines of a journal or runs.csv (data lines only).
fn indices(path: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let complete = text.rfind('\n').map(|i| &text[..=i]).unwrap_or("");
    complete
        .lines()
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect()
}

fn assert_once_each(idx: &[u64], context: &str) {
    let set: BTreeSet<u64> = idx.iter().copied().collect();
    assert_eq!(
        set.len(),
        idx.len(),
        "{context}: a run appears twice: {idx:?}"
    );
}

#[test]
fn killed_sweeps_resume_without_loss_or_repeats_and_shards_merge_identically() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), 11);

    // An uninterrupted run is the reference.
    let clean = dir.path().join("clean");
    run_ok(sweep(&file, &clean, &["--threads", "2"]));
    let reference = std::fs::read(clean.join("runs.csv")).unwrap();
    let runs_csv = String::from_utf8(reference.clone()).unwrap();
    let rows: Vec<u64> = indices(&clean.join("runs.csv"));
    assert_eq!(rows, (0..RUNS as u64).collect::<Vec<_>>());

    // Kill with SIGKILL as soon as a few more runs are in the journal, then restart.
    let out = dir.path().join("killed");
    let journal = out.join("runs.journal.csv");
    let mut kills = 0;
    let mut torn = false;
    loop {
        let before = indices(&journal).len();
        let mut child = sweep(&file, &out, &["--threads", "1"]).spawn().unwrap();
        let started = Instant::now();
        let finished = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            let now = indices(&journal).len();
            if kills < 3 && now >= before + 2 + kills {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                break false;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "sweep hung");
            std::thread::sleep(Duration::from_millis(1));
        };
        if finished {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            break;
        }
        kills += 1;
        let done = indices(&journal);
        assert_once_each(&done, "after a kill");
        assert!(done.len() < RUNS, "killed only after every run was done");
        if !torn {
            // A run killed mid-write leaves a line without its newline: it must be
            // dropped and that run done again, not kept half-written.
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&journal)
                .unwrap();
            let next = (0..RUNS as u64).find(|i| !done.contains(i)).unwrap();
            f.write_all(format!("{next},123,0.9").as_bytes()).unwrap();
            torn = true;
        }
    }
    eprintln!("killed the sweep {kills} time(s) before letting it finish");
    assert!(kills >= 1, "the sweep was never interrupted");
    let journal_rows = indices(&journal);
    assert_once_each(&journal_rows, "journal");
    assert_eq!(journal_rows.len(), RUNS);
    assert_eq!(
        std::fs::read(out.join("runs.csv")).unwrap(),
        reference,
        "resumed runs.csv differs"
    );
    assert_eq!(
        std::fs::read(out.join("by_parameter.csv")).unwrap(),
        std::fs::read(clean.join("by_parameter.csv")).unwrap()
    );

    // Any one run can be repeated alone.
    let o = Command::new(exe())
        .arg("sweep")
        .arg(&file)
        .args(["--run", "17"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("row: "))
        .expect("row printed");
    assert_eq!(runs_csv.lines().nth(18).unwrap(), line);

    // Shards: merge refuses while one is missing, then equals the local run.
    let sharded = dir.path().join("sharded");
    for i in 0..2 {
        run_ok(sweep(&file, &sharded, &["--shard", &format!("{i}/3")]));
    }
    let merge = |file: &Path| {
        Command::new(exe())
            .arg("merge")
            .arg(file)
            .arg("--out")
            .arg(&sharded)
            .arg("--quiet")
            .output()
            .unwrap()
    };
    let o = merge(&file);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing for shard 2"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    run_ok(sweep(&file, &sharded, &["--shard", "2/3"]));
    let o = merge(&file);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(sharded.join("runs.csv")).unwrap(),
        reference,
        "merged runs.csv differs"
    );

    // A changed sweep file no longer matches its shards.
    let other_dir = dir.path().join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let other = sweep_file(&other_dir, 12);
    let o = merge(&other);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("different sweep"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
