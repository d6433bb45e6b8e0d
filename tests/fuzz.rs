//! A fuzzing check on stable Rust: a deterministic mutation loop over the
//! scenario, sweep and calibration loaders, in process.
//!
//! Each input is one of the shipped files (scenarios/, scenarios/sweeps/,
//! calibration/) with one to four mutations (bytes, lines, keys, values, dates,
//! numbers, table headers), or a `--set KEY=VALUE` override of a shipped
//! scenario. It is fed to its kind's loader; an accepted scenario is simulated
//! for one replicate at a tiny scale, an accepted sweep simulates its first
//! run, an accepted calibration file simulates its distance at one point.
//! Every call runs under `catch_unwind`: a panic (or an input that takes more
//! than a minute) fails the check, with each offending input written to
//! `target/fuzz-failures/`.
//!
//! `cargo test --release --test fuzz` runs a quick version (2,000 inputs);
//! `cargo test --release --test fuzz -- --ignored --nocapture` the full one
//! (100,000 inputs; `FUZZ_INPUTS=N` and `FUZZ_SEED=S` change the count and seed).

use pathsim::params::Params;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// SplitMix64: a small deterministic generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scenario,
    Sweep,
    Calibration,
}

/// A shipped file to mutate: its kind, its path inside the copied tree, its text.
struct Seed {
    kind: Kind,
    rel: PathBuf,
    text: String,
}

const VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "0.5",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "4294967296",
    "100000",
    "5000000",
    "3",
    "0.0001",
    "1.0e9",
    "true",
    "false",
    "\"\"",
    "\"x\"",
    "\"..\"",
    "\"/\"",
    "\"/dev/zero\"",
    "\"baseline.toml\"",
    "\"../scenarios/baseline.toml\"",
    "[]",
    "[1, 2]",
    "[0.5, nan]",
    "{}",
    "{ a = 1 }",
    "1990-01-01",
    "2036-01-01",
    "1900-01-01",
    "2200-12-31",
    "1899-12-31",
    "2201-01-01",
    "9999-12-31",
    "\"10000-01-01\"",
    "2024-02-29",
    "2023-02-29",
    "\"2024-13-01\"",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "\"sobol\"",
    "\"morris\"",
    "\"grid\"",
    "\"lhs\"",
    "\"uniform\"",
    "\"log_uniform\"",
    "\"triangular\"",
    "\"levels\"",
    "\"custody_receptions\"",
    "\"all\"",
    "2030",
    "2000",
    "1950",
    "2200",
    "0x10",
    "1_000",
];

const HEADERS: &[&str] = &[
    "[run]",
    "[[run]]",
    "[design]",
    "[[design]]",
    "[abc]",
    "[[parameter]]",
    "[parameter]",
    "[[outputs]]",
    "[outputs]",
    "[treatment]",
    "[interventions]",
    "[interventions.drug_courts]",
    "[capacity]",
    "[levers.retention]",
    "[population.substance_share]",
    "[a.b.c]",
    "[]",
    "[run.seed]",
];

/// The keys written in a text (`key =` at the start of a line).
fn keys_of(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let (k, _) = l.split_once('=')?;
            let k = k.trim();
            (!k.is_empty() && !k.starts_with('#') && !k.starts_with('[')).then(|| k.to_string())
        })
        .collect()
}

/// One mutation of `text`.
fn mutate(rng: &mut Rng, text: &str, keys: &[String]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    let i = rng.below(n);
    match rng.below(16) {
        // Bytes: flip, insert, delete.
        0 | 1 => {
            let mut b = text.as_bytes().to_vec();
            if b.is_empty() {
                b.push(b'x');
            }
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(b.len());
                match rng.below(3) {
                    0 => b[at] ^= 1 << rng.below(8),
                    1 => b.insert(at, *rng.pick(b"=[]\"'{},.#\n\\0123456789ex-+ \t\xff")),
                    _ => {
                        b.remove(at);
                        if b.is_empty() {
                            b.push(b' ');
                        }
                    }
                }
            }
            return String::from_utf8_lossy(&b).into_owned();
        }
        // Lines: delete, duplicate, swap.
        2 => {
            lines.remove(i);
        }
        3 => {
            let l = lines[i].clone();
            lines.insert(rng.below(n), l);
        }
        4 => {
            let j = rng.below(n);
            lines.swap(i, j);
        }
        // Values: replace from the dictionary, or edit a number.
        5..=7 => {
            let Some(at) = lines[i].find('=') else {
                let j = rng.below(n);
                if let Some(at) = lines[j].find('=') {
                    lines[j] = format!("{}= {}", &lines[j][..at], rng.pick(VALUES));
                }
                return lines.join("\n");
            };
            lines[i] = format!("{}= {}", &lines[i][..at], rng.pick(VALUES));
        }
        8 => {
            // A number anywhere: negate, scale, shift by one, or make it huge.
            let l = &lines[i];
            if let Some(start) = l.find(|c: char| c.is_ascii_digit()) {
                let end = l[start..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '_'))
                    .map_or(l.len(), |e| start + e);
                let v: f64 = l[start..end].replace('_', "").parse().unwrap_or(1.0);
                let new = match rng.below(6) {
                    0 => format!("{}", -v),
                    1 => format!("{}", v * 10.0),
                    2 => format!("{}", v / 10.0),
                    3 => format!("{}", (v as i64).wrapping_add(1)),
                    4 => format!("{}", v * 1e6),
                    _ => "0".to_string(),
                };
                lines[i] = format!("{}{}{}", &l[..start], new, &l[end..]);
            }
        }
        // Dates: change a year, month or day.
        9 => {
            let l = lines[i].clone();
            if let Some(p) = l.find(|c: char| c.is_ascii_digit()) {
                let date = l
                    .get(p..p + 10)
                    .filter(|s| s.is_ascii() && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-');
                if let Some(s) = date {
                    let new = match rng.below(5) {
                        0 => format!(
                            "{}{}",
                            rng.pick(&["0000", "1899", "2201", "9999", "1990"]),
                            &s[4..]
                        ),
                        1 => format!(
                            "{}-{}{}",
                            &s[..4],
                            rng.pick(&["00", "02", "13", "99"]),
                            &s[7..]
                        ),
                        2 => format!("{}-{}", &s[..7], rng.pick(&["00", "29", "30", "31", "32"])),
                        3 => format!("\"{}\"", s),
                        _ => format!("1{s}"),
                    };
                    lines[i] = format!("{}{}{}", &l[..p], new, &l[p + 10..]);
                }
            }
        }
        // Keys: misspell, move to another key, lengthen, dot.
        10 | 11 => {
            if let Some(at) = lines[i].find('=') {
                let key = lines[i][..at].trim().to_string();
                let new = match rng.below(5) {
                    0 => format!("{key}x"),
                    1 if !keys.is_empty() => rng.pick(keys).clone(),
                    2 => format!("{key}.{key}"),
                    3 => key.chars().rev().collect(),
                    _ => format!("\"{key}\""),
                };
                lines[i] = format!("{new} ={}", &lines[i][at + 1..]);
            } else if !keys.is_empty() {
                let k = rng.pick(keys).clone();
                lines.insert(i, format!("{k} = {}", rng.pick(VALUES)));
            }
        }
        // Table headers: replace, insert, double.
        12 | 13 => {
            if lines[i].trim_start().starts_with('[') {
                let h = lines[i].trim().to_string();
                lines[i] = match rng.below(3) {
                    0 => rng.pick(HEADERS).to_string(),
                    1 if h.starts_with("[[") => h[1..h.len() - 1].to_string(),
                    1 => format!("[{h}]"),
                    _ => String::new(),
                };
            } else {
                lines.insert(i, rng.pick(HEADERS).to_string());
            }
        }
        // A known key with a dictionary value somewhere.
        14 if !keys.is_empty() => {
            let k = rng.pick(keys).clone();
            lines.insert(i, format!("{k} = {}", rng.pick(VALUES)));
        }
        // Truncate.
        _ => {
            lines.truncate(i.max(1));
        }
    }
    let mut out = lines.join("\n");
    if rng.chance(0.9) {
        out.push('\n');
    }
    out
}

/// Counts for the report.
#[derive(Default)]
struct Counts {
    inputs: AtomicU64,
    accepted: AtomicU64,
    simulations: AtomicU64,
    panics: AtomicU64,
    /// Accepted inputs by kind: scenario, sweep, calibration.
    accepted_by_kind: [AtomicU64; 3],
}

/// Small, fast parameters for a short simulation of an accepted input.
fn tiny(p: &Params) -> Params {
    let mut p = p.clone();
    p.run.scale = p.run.scale.max(20_000.0);
    p.run.replicates = 1;
    p
}

/// Feed one input to its loader and, if accepted, simulate it. Returns whether
/// it was accepted and how many simulations ran.
fn exercise(kind: Kind, path: &Path, set: Option<&str>) -> (bool, u64) {
    match kind {
        Kind::Scenario => {
            let loaded = match set {
                Some(a) => pathsim::scenario::load_with(path, &[a.to_string()]),
                None => pathsim::scenario::load(path),
            };
            let Ok(sc) = loaded else { return (false, 0) };
            let p = tiny(&sc.params);
            let m = pathsim::run::replicate_metrics(&p, 0, &|| {});
            let _ = m.rows(p.run.scale);
            (true, 1)
        }
        Kind::Sweep => {
            let Ok(sw) = pathsim::sweep::spec::load(path) else {
                return (false, 0);
            };
            let last = (sw.design.len() as u64).saturating_sub(1);
            let _ = pathsim::sweep::run_params(&sw, last);
            let _ = pathsim::sweep::row(&sw, last, &vec![f64::NAN; sw.outputs.len()]);
            match pathsim::sweep::run_params(&sw, 0) {
                Ok(p) => {
                    let out = pathsim::sweep::simulate(&sw, &tiny(&p));
                    let _ = pathsim::sweep::row(&sw, 0, &out);
                    (true, 1)
                }
                Err(_) => (true, 0),
            }
        }
        Kind::Calibration => {
            let Ok(cal) = pathsim::calibrate::load(path) else {
                return (false, 0);
            };
            let mut base = cal.scenario.params.clone();
            base.run.scale = cal.file.scale;
            base.run.replicates = cal.file.replicates;
            let dim = cal.file.parameters.len();
            for u in [0.0, 1.0] {
                let x = vec![u; dim];
                let _ = pathsim::calibrate::params_at(&base, &cal.file.parameters, &x);
                let v = pathsim::calibrate::fitted_values(&base, &cal.file.parameters, &x);
                let _ = pathsim::calibrate::calibrated_toml(&v, "fuzz");
            }
            let x = vec![0.5; dim];
            match pathsim::calibrate::params_at(&base, &cal.file.parameters, &x) {
                Ok(p) => {
                    let mut reg = pathsim::studies::targets::register();
                    reg.retain(|t| !cal.file.exclude_studies.contains(&t.study));
                    let hidden = indicatif::ProgressBar::hidden();
                    let values = pathsim::studies::targets::replicate_values(&tiny(&p), &hidden);
                    let _ = pathsim::calibrate::distance(&reg, &values);
                    (true, 1)
                }
                Err(_) => (true, 0),
            }
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn seeds(root: &Path) -> Vec<Seed> {
    let mut out = Vec::new();
    for (dir, kind) in [
        ("scenarios", Kind::Scenario),
        ("scenarios/lessons", Kind::Scenario),
        ("scenarios/sweeps", Kind::Sweep),
        ("calibration", Kind::Calibration),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            out.push(Seed {
                kind,
                rel: f.strip_prefix(root).unwrap().to_path_buf(),
                text: std::fs::read_to_string(&f).unwrap(),
            });
        }
    }
    out
}

thread_local! {
    /// Set while a loader runs under `catch_unwind`.
    static IN_LOADER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Run `inputs` mutated inputs from `seed` on two threads; return the counts
/// and the failures (each written to target/fuzz-failures/).
fn fuzz(inputs: u64, seed: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root.join("scenarios"), &tmp.path().join("scenarios"));
    copy_tree(&root.join("calibration"), &tmp.path().join("calibration"));
    let seeds = seeds(tmp.path());
    let scenario_keys: Vec<String> = {
        let p = pathsim::params::baseline();
        p.numeric_leaves().into_iter().map(|(k, _)| k).collect()
    };
    let counts = Counts::default();
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let failure_dir = root.join("target/fuzz-failures");
    let next = AtomicU64::new(0);
    // Panics of the loaders are caught and reported at the end: keep their
    // messages out of the output (any other panic is printed).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_LOADER.with(|f| f.get()) {
            eprintln!("{info}");
        }
    }));
    let started = Instant::now();
    let threads = 2;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (seeds, counts, failures, next, keys) =
                (&seeds, &counts, &failures, &next, &scenario_keys);
            let failure_dir = failure_dir.clone();
            let tmp = tmp.path().to_path_buf();
            scope.spawn(move || loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= inputs {
                    break;
                }
                let mut rng = Rng(seed ^ n.wrapping_mul(0xA24B_AED4_963E_E407));
                rng.next();
                // Each kind equally often, whatever the number of its files.
                let kind = *rng.pick(&[Kind::Scenario, Kind::Sweep, Kind::Calibration]);
                let of_kind: Vec<&Seed> = seeds.iter().filter(|s| s.kind == kind).collect();
                let s = *rng.pick(&of_kind);
                // One input in ten is a --set override of a shipped scenario.
                let (text, set) = if s.kind == Kind::Scenario && rng.chance(0.1) {
                    let key = if rng.chance(0.8) {
                        rng.pick(keys).clone()
                    } else {
                        let k = rng.pick(keys).clone();
                        mutate(&mut rng, &k, &[]).trim().to_string()
                    };
                    let value = if rng.chance(0.7) {
                        rng.pick(VALUES).to_string()
                    } else {
                        mutate(&mut rng, "1.5", &[]).trim().to_string()
                    };
                    (s.text.clone(), Some(format!("{key}={value}")))
                } else {
                    let file_keys = keys_of(&s.text);
                    let mut text = s.text.clone();
                    for _ in 0..1 + rng.below(4) {
                        text = mutate(&mut rng, &text, &file_keys);
                    }
                    (text, None)
                };
                let dir = tmp.join(s.rel.parent().unwrap());
                let path = dir.join(format!("fuzz-{t}.toml"));
                std::fs::write(&path, &text).unwrap();
                counts.inputs.fetch_add(1, Ordering::Relaxed);
                let t0 = Instant::now();
                IN_LOADER.with(|f| f.set(true));
                let result =
                    catch_unwind(AssertUnwindSafe(|| exercise(s.kind, &path, set.as_deref())));
                IN_LOADER.with(|f| f.set(false));
                let slow = t0.elapsed() > Duration::from_secs(60);
                let failure = match result {
                    Ok((accepted, sims)) => {
                        if accepted {
                            counts.accepted.fetch_add(1, Ordering::Relaxed);
                            counts.accepted_by_kind[s.kind as usize]
                                .fetch_add(1, Ordering::Relaxed);
                        }
                        counts.simulations.fetch_add(sims, Ordering::Relaxed);
                        slow.then(|| format!("took {:?}", t0.elapsed()))
                    }
                    Err(e) => {
                        counts.panics.fetch_add(1, Ordering::Relaxed);
                        Some(format!("panicked: {}", panic_message(e.as_ref())))
                    }
                };
                if let Some(why) = failure {
                    std::fs::create_dir_all(&failure_dir).unwrap();
                    let name = format!("{:?}-{seed}-{n}.toml", s.kind).to_lowercase();
                    let saved = failure_dir.join(&name);
                    let mut body = format!(
                        "# fuzz input {n} (seed {seed}) from {}: {why}\n",
                        s.rel.display()
                    );
                    if let Some(a) = &set {
                        body.push_str(&format!("# with --set {a}\n"));
                    }
                    body.push_str(&text);
                    std::fs::write(&saved, body).unwrap();
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{}: {why}", saved.display()));
                }
            });
        }
    });
    std::panic::set_hook(default_hook);
    let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
    println!(
        "fuzz: {} inputs, {} accepted ({} scenarios, {} sweeps, {} calibrations), {} simulations, {} panics, in {:.0?} (seed {seed})",
        c(&counts.inputs),
        c(&counts.accepted),
        c(&counts.accepted_by_kind[0]),
        c(&counts.accepted_by_kind[1]),
        c(&counts.accepted_by_kind[2]),
        c(&counts.simulations),
        c(&counts.panics),
        started.elapsed()
    );
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} failing inputs (first 20):\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The quick version, in the normal test suite.
#[test]
fn fuzz_loaders_quick() {
    fuzz(2_000, 1);
}

/// The full version: `cargo test --release --test fuzz -- --ignored --nocapture`.
#[test]
#[ignore = "long: run with -- --ignored"]
fn fuzz_loaders_full() {
    fuzz(env_u64("FUZZ_INPUTS", 100_000), env_u64("FUZZ_SEED", 12));
}

/// The binary on mutated files: `pathsim check` on every mutant and, for an
/// accepted scenario, a tiny `pathsim run`; every exit code must be 0 (accepted)
/// or 2 (refused with a message), never a panic (101) or another failure.
fn fuzz_binary(inputs: u64, seed: u64) {
    use std::process::Command;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root.join("scenarios"), &tmp.path().join("scenarios"));
    copy_tree(&root.join("calibration"), &tmp.path().join("calibration"));
    let seeds = seeds(tmp.path());
    let keys: Vec<String> = pathsim::params::baseline()
        .numeric_leaves()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut rng = Rng(seed);
    let (mut checked, mut ran, mut accepted) = (0u64, 0u64, 0u64);
    let mut bad = Vec::new();
    for n in 0..inputs {
        let s = &seeds[(rng.next() % seeds.len() as u64) as usize];
        let text = mutate(&mut rng, &s.text, &keys);
        // Beside the original, so relative `base` paths resolve.
        let path = tmp
            .path()
            .join(s.rel.with_file_name(format!("fuzz_{n}.toml")));
        std::fs::write(&path, &text).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_pathsim"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        checked += 1;
        let code = o.status.code();
        if !matches!(code, Some(0) | Some(2)) {
            bad.push(format!("check {}: exit {code:?}\n{text}", path.display()));
        }
        if code == Some(0) {
            accepted += 1;
        }
        if code == Some(0) && matches!(s.kind, Kind::Scenario) {
            let out = tmp.path().join(format!("out_{n}"));
            let o = Command::new(env!("CARGO_BIN_EXE_pathsim"))
                .arg("run")
                .arg(&path)
                .args(["--scale", "20000", "--replicates", "1", "--quiet", "--out"])
                .arg(&out)
                .output()
                .unwrap();
            ran += 1;
            if !matches!(o.status.code(), Some(0) | Some(2)) {
                bad.push(format!(
                    "run {}: exit {:?}: {}\n{text}",
                    path.display(),
                    o.status.code(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
            std::fs::remove_dir_all(&out).ok();
        }
        std::fs::remove_file(&path).ok();
    }
    println!(
        "fuzz (binary): {checked} files checked, {accepted} accepted, {ran} runs, {} exits other than 0 and 2 (seed {seed})",
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(5)].join("\n\n"));
}

/// A few hundred mutants through the binary, in the normal test suite.
#[test]
fn fuzz_binary_exit_codes_quick() {
    fuzz_binary(150, 5);
}

/// The full binary pass: `cargo test --release --test fuzz -- --ignored --nocapture`.
#[test]
#[ignore = "long: run with -- --ignored"]
fn fuzz_binary_exit_codes_full() {
    fuzz_binary(
        env_u64("FUZZ_BINARY_INPUTS", 3_000),
        env_u64("FUZZ_SEED", 12),
    );
}
