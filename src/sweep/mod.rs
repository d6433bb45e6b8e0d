//! Sensitivity sweeps: run a design (grid, Latin hypercube, Sobol/Saltelli,
//! Morris) over parameter ranges, resumably, on one machine or as shards of a
//! Slurm job array, then compute sensitivity indices.
//!
//! Run i takes its parameter values from the design and its simulation seed from
//! the sweep seed and i alone, so any run can be repeated by itself, and results
//! do not depend on how runs were split across threads, restarts or shards.
//! Finished runs go to a journal at once ([`store`]); final files are written
//! sorted by run index, so they are byte-identical however the work was done.

pub mod analysis;
pub mod design;
pub mod slurm;
pub mod spec;
pub mod store;
pub mod summary;

pub use summary::{SweepAnalysis, SweepSummary};

use crate::error::CliError;
use crate::params::Params;
use crate::rng::mix64;
use anyhow::Context;
use design::Kind;
use spec::Sweep;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SEED_SALT: u64 = 0x5357_4545_5000_0005;

/// The simulation seed of run `i`: from the sweep seed and the index only. Kept
/// below 2^63 so it fits a TOML integer (`pathsim run --seed` can repeat the run).
pub fn run_seed(sweep: &Sweep, i: u64) -> u64 {
    let root = mix64(sweep.file.seed ^ SEED_SALT);
    let seed = if sweep.file.common_random_numbers {
        root
    } else {
        mix64(root ^ mix64(i))
    };
    seed >> 1
}

/// (key, value) of every varied parameter in run `i`.
pub fn run_values(sweep: &Sweep, i: u64) -> Vec<(String, f64)> {
    sweep
        .factors
        .iter()
        .zip(&sweep.design.values[i as usize])
        .map(|(f, &v)| (f.key.clone(), v))
        .collect()
}

/// The full parameters of run `i`.
pub fn run_params(sweep: &Sweep, i: u64) -> Result<Params, String> {
    let mut p = crate::scenario::with_values(&sweep.base, &run_values(sweep, i))?;
    p.run.seed = run_seed(sweep, i);
    Ok(p)
}

/// Simulate one run: each output averaged over replicates (NaN where no replicate has it).
pub fn simulate(sweep: &Sweep, p: &Params) -> Vec<f64> {
    let mut sum = vec![0.0; sweep.outputs.len()];
    let mut n = vec![0u32; sweep.outputs.len()];
    for r in 0..p.run.replicates {
        let rows = crate::run::replicate_metrics(p, r, &|| {}).rows(p.run.scale);
        for (k, o) in sweep.outputs.iter().enumerate() {
            if let Some(row) = rows.iter().find(|row| {
                row.metric.name() == o.metric && row.group == o.group && row.period == o.period
            }) {
                sum[k] += row.value;
                n[k] += 1;
            }
        }
    }
    sum.iter()
        .zip(&n)
        .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
        .collect()
}

/// A number as written in CSV files: shortest round-trip form; empty if missing.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// A number for the terminal: four significant figures, no exponent for big counts.
fn short(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        let digits = (3 - v.abs().max(1e-12).log10().floor() as i32).clamp(0, 12) as usize;
        format!("{v:.digits$}")
    }
}

/// The `runs.csv` header: run, seed, parameter keys, output columns.
pub fn header(sweep: &Sweep) -> String {
    let mut cols = vec!["run".to_string(), "seed".to_string()];
    cols.extend(sweep.factors.iter().map(|f| f.key.clone()));
    cols.extend(sweep.outputs.iter().map(|o| o.column()));
    cols.join(",")
}

/// One `runs.csv` line.
pub fn row(sweep: &Sweep, i: u64, outputs: &[f64]) -> String {
    let mut s = format!("{i},{}", run_seed(sweep, i));
    for &v in sweep.design.values[i as usize].iter().chain(outputs) {
        s.push(',');
        s.push_str(&num(v));
    }
    s
}

/// `seeds.json`: every run's seed as a string (element i is run i's), so readers
/// that parse numbers as doubles (R, Excel, JavaScript) keep them exact.
pub fn seeds_json(sweep: &Sweep, total: u64) -> String {
    let seeds: Vec<String> = (0..total).map(|i| run_seed(sweep, i).to_string()).collect();
    let v = serde_json::json!({
        "note": "seeds[i] is the simulation seed of run i of runs.csv, as text",
        "seeds": seeds,
    });
    let mut s = serde_json::to_string(&v).expect("strings serialise");
    s.push('\n');
    s
}

/// `codebook.csv` of a sweep: a row per `runs.csv` column (in the `metric`
/// column): run, seed, each varied parameter with its unit from the registry,
/// and each output with its metric's unit.
pub fn codebook_rows(sweep: &Sweep) -> Vec<[String; 4]> {
    let mut rows = vec![
        [
            "run".to_string(),
            String::new(),
            "index".to_string(),
            "runs.csv column: the run's index in the design, 0 to runs - 1; `pathsim sweep FILE --run I` repeats run I alone".to_string(),
        ],
        [
            "seed".to_string(),
            String::new(),
            "integer (unsigned 64-bit)".to_string(),
            format!("runs.csv column: the run's simulation seed. {}", crate::output::SEED_NOTE),
        ],
    ];
    for f in &sweep.factors {
        let info = crate::params::info(&f.key);
        rows.push([
            f.key.clone(),
            String::new(),
            info.map_or(String::new(), |i| i.unit.to_string()),
            format!(
                "runs.csv column: the value of parameter {} in the run ({}){}",
                f.key,
                dist_words(&f.dist),
                info.map_or(String::new(), |i| format!(": {}", i.doc.trim()))
            ),
        ]);
    }
    for o in &sweep.outputs {
        let def = crate::metrics::M::from_name(&o.metric).map(|m| m.def());
        rows.push([
            o.column(),
            o.group.clone(),
            def.map_or(String::new(), |d| d.unit.to_string()),
            format!(
                "runs.csv column: mean over the run's replicates of metric {} (group {}) in {}{}; empty where no replicate has it",
                o.metric,
                o.group,
                o.period,
                def.map_or(String::new(), |d| format!(
                    " ({})",
                    crate::output::metric_definition(d, &o.group)
                ))
            ),
        ]);
    }
    rows
}

/// Parse the outputs back out of a `runs.csv` line.
pub fn row_outputs(sweep: &Sweep, line: &str) -> Vec<f64> {
    line.split(',')
        .skip(2 + sweep.factors.len())
        .map(|f| f.parse().unwrap_or(f64::NAN))
        .collect()
}

pub fn default_out(sweep: &Sweep, out: &Option<PathBuf>) -> PathBuf {
    out.clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("sweep-{}", sweep.name)))
}

/// The parameters of run `i`, checked as the run starts (the sweep file's
/// ranges and extremes were checked at load, see [`spec::load`]).
pub fn checked_params(sweep: &Sweep, i: u64) -> Result<Params, CliError> {
    run_params(sweep, i).map_err(|e| {
        CliError::Input(format!(
            "{}: run {i} is invalid: {e} (its values: {}); the runs finished so far are kept",
            sweep.path.display(),
            run_values(sweep, i)
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// A parameter's distribution in words, for the report.
fn dist_words(d: &design::Dist) -> String {
    use design::Dist;
    match d {
        Dist::Uniform { min, max } => format!("uniform, {min} to {max}"),
        Dist::LogUniform { min, max } => format!("log-uniform, {min} to {max}"),
        Dist::Triangular { min, max, mode } => {
            format!("triangular, {min} to {max}, most likely {mode}")
        }
        Dist::Levels(v) => format!(
            "levels {}",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A finished sweep's analysis, for the report and the terminal.
pub struct Finished {
    pub summary: SweepSummary,
    pub manifest_json: String,
    /// The ranking of parameters per output, as terminal text.
    pub ranking: String,
    /// Files written into the output folder (the report included).
    pub files: Vec<&'static str>,
}

/// Write `runs.csv`, the analysis for the design and `sweep.json`; return the
/// analysis (the command layer renders `report.html` from it).
pub fn finish(
    sweep: &Sweep,
    out: &Path,
    rows: &BTreeMap<u64, String>,
    quiet: bool,
) -> Result<Finished, CliError> {
    let total = sweep.design.len() as u64;
    if rows.len() as u64 != total || rows.keys().enumerate().any(|(n, &i)| n as u64 != i) {
        return Err(CliError::Input(format!(
            "only {} of {total} runs are finished",
            rows.len()
        )));
    }
    let mut runs = header(sweep);
    runs.push('\n');
    for line in rows.values() {
        runs.push_str(line);
        runs.push('\n');
    }
    let y: Vec<Vec<f64>> = rows.values().map(|l| row_outputs(sweep, l)).collect();
    let column = |k: usize| -> Vec<f64> { y.iter().map(|r| r[k]).collect() };
    if !quiet {
        for (k, o) in sweep.outputs.iter().enumerate() {
            let missing = column(k).iter().filter(|v| !v.is_finite()).count();
            if missing == y.len() {
                eprintln!(
                    "warning: {} is missing in every run (a rate with nobody to count, or a \
                     reoffending year whose follow-up runs past the horizon)",
                    o.column()
                );
            } else if missing > 0 {
                eprintln!(
                    "note: {} is missing in {missing} of {} runs; the analysis leaves them out",
                    o.column(),
                    y.len()
                );
            }
        }
    }
    let mut files = vec![("runs.csv", runs), ("seeds.json", seeds_json(sweep, total))];
    let mut ranking = String::new();
    // Kept for the report, output by output, as written to the CSV files.
    let mut sobol = Vec::new();
    let mut morris = Vec::new();
    let mut binned = Vec::new();
    let names: Vec<&str> = sweep.factors.iter().map(|f| f.key.as_str()).collect();
    let pw = names.iter().map(|n| n.len()).max().unwrap_or(9).max(9);
    match sweep.design.plan.kind() {
        Kind::Sobol => {
            let mut csv = String::from("parameter,output,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi\n");
            let _ = writeln!(
                ranking,
                "Sobol indices ({} base samples, {total} runs; 95% bootstrap intervals over {} resamples)",
                total / (sweep.factors.len() as u64 + 2),
                sweep.bootstrap
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let idx = analysis::sobol_indices(
                    &column(k),
                    sweep.factors.len(),
                    sweep.bootstrap,
                    sweep.file.seed,
                );
                for (name, s) in names.iter().zip(&idx) {
                    let v = [s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi].map(num);
                    let _ = writeln!(csv, "{name},{},{}", o.column(), v.join(","));
                }
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>22} {:>22}",
                    o.column(),
                    "parameter",
                    "first order S1",
                    "total ST"
                );
                let mut order: Vec<usize> = (0..idx.len()).collect();
                order.sort_by(|&a, &b| idx[b].st.total_cmp(&idx[a].st).then(a.cmp(&b)));
                for &i in order.iter().take(10) {
                    let s = &idx[i];
                    let _ = writeln!(
                        ranking,
                        "  {:<pw$} {:>22} {:>22}",
                        names[i],
                        format!("{:.2} [{:.2}, {:.2}]", s.s1, s.s1_lo, s.s1_hi),
                        format!("{:.2} [{:.2}, {:.2}]", s.st, s.st_lo, s.st_hi)
                    );
                }
                sobol.push(idx);
            }
            files.push(("sobol_indices.csv", csv));
        }
        Kind::Morris => {
            let mut csv = String::from("parameter,output,mu,mu_star,sigma,n\n");
            let _ = writeln!(
                ranking,
                "Morris elementary effects ({} trajectories; effects per whole parameter range)",
                total / (sweep.factors.len() as u64 + 1)
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let idx =
                    analysis::morris_indices(&sweep.design.unit, &column(k), sweep.factors.len());
                for (name, m) in names.iter().zip(&idx) {
                    let _ = writeln!(
                        csv,
                        "{name},{},{},{},{},{}",
                        o.column(),
                        num(m.mu),
                        num(m.mu_star),
                        num(m.sigma),
                        m.n
                    );
                }
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>12} {:>12} {:>12}",
                    o.column(),
                    "parameter",
                    "mu*",
                    "mu",
                    "sigma"
                );
                let mut order: Vec<usize> = (0..idx.len()).collect();
                order.sort_by(|&a, &b| idx[b].mu_star.total_cmp(&idx[a].mu_star).then(a.cmp(&b)));
                for &i in order.iter().take(10) {
                    let m = &idx[i];
                    let _ = writeln!(
                        ranking,
                        "  {:<pw$} {:>12} {:>12} {:>12}",
                        names[i],
                        short(m.mu_star),
                        short(m.mu),
                        short(m.sigma)
                    );
                }
                morris.push(idx);
            }
            files.push(("morris.csv", csv));
        }
        Kind::Grid | Kind::Lhs => {
            let mut csv = String::from("parameter,bin,value_lo,value_hi,output,n,mean,lo95,hi95\n");
            let _ = writeln!(
                ranking,
                "Outputs by parameter value ({total} runs): spread of bin means"
            );
            for (k, o) in sweep.outputs.iter().enumerate() {
                let yk = column(k);
                let mut spreads = Vec::new();
                let mut by_param = Vec::new();
                for (j, name) in names.iter().enumerate() {
                    let x: Vec<f64> = sweep.design.values.iter().map(|v| v[j]).collect();
                    let bins = analysis::by_value(&x, &yk);
                    for b in &bins {
                        let _ = writeln!(
                            csv,
                            "{name},{},{},{},{},{},{},{},{}",
                            b.bin,
                            num(b.value_lo),
                            num(b.value_hi),
                            o.column(),
                            b.n,
                            num(b.mean),
                            num(b.lo95),
                            num(b.hi95)
                        );
                    }
                    spreads.push((analysis::spread(&bins), j));
                    by_param.push(bins);
                }
                spreads.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let _ = writeln!(
                    ranking,
                    "\n{}\n  {:<pw$} {:>14}",
                    o.column(),
                    "parameter",
                    "spread"
                );
                for (s, j) in spreads.iter().take(10) {
                    let _ = writeln!(ranking, "  {:<pw$} {:>14}", names[*j], short(*s));
                }
                binned.push(by_param);
            }
            files.push(("by_parameter.csv", csv));
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let manifest = serde_json::json!({
        "sweep": sweep.name,
        "description": sweep.file.description,
        "sweep_file": sweep.path.display().to_string(),
        "base_files": sweep.base_files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "sweep_hash": sweep.hash,
        "seed": sweep.file.seed,
        "seed_text": sweep.file.seed.to_string(),
        "seed_note": crate::output::SEED_NOTE,
        "common_random_numbers": sweep.file.common_random_numbers,
        "replicates": sweep.base.run.replicates,
        "scale": sweep.base.run.scale,
        "design": sweep.design.plan,
        "runs": total,
        "parameters": sweep.factors,
        "outputs": sweep.outputs,
        "files": files.iter().map(|f| f.0).chain([crate::output::CODEBOOK, "report.html", "charts/"]).collect::<Vec<_>>(),
        "repeat_one_run": format!("pathsim sweep {} --run I", sweep.path.display()),
    });
    for (name, text) in &files {
        crate::output::write_atomic(&out.join(name), text.as_bytes())?;
    }
    crate::output::write_codebook(&out.join(crate::output::CODEBOOK), &codebook_rows(sweep))?;
    let json = crate::output::manifest_json(&manifest)?;
    crate::output::write_atomic(&out.join("sweep.json"), json.as_bytes())?;
    let analysis = match sweep.design.plan.kind() {
        Kind::Sobol => SweepAnalysis::Sobol {
            base_samples: total / (sweep.factors.len() as u64 + 2),
            resamples: sweep.bootstrap,
            indices: sobol,
        },
        Kind::Morris => SweepAnalysis::Morris {
            trajectories: total / (sweep.factors.len() as u64 + 1),
            indices: morris,
        },
        Kind::Grid | Kind::Lhs => SweepAnalysis::Binned { bins: binned },
    };
    let summary = SweepSummary {
        name: sweep.name.clone(),
        description: sweep.file.description.clone(),
        design: sweep.design.plan.kind().to_string(),
        runs: total,
        replicates: sweep.base.run.replicates,
        scale: sweep.base.run.scale,
        common_random_numbers: sweep.file.common_random_numbers,
        parameters: sweep
            .factors
            .iter()
            .map(|f| (f.key.clone(), dist_words(&f.dist)))
            .collect(),
        outputs: sweep
            .outputs
            .iter()
            .map(|o| {
                (
                    o.column(),
                    crate::metrics::M::from_name(&o.metric).expect("outputs are checked at load"),
                )
            })
            .collect(),
        files: files
            .iter()
            .map(|f| f.0.to_string())
            .chain(["sweep.json".into(), crate::output::CODEBOOK.into()])
            .collect(),
        analysis,
    };
    Ok(Finished {
        summary,
        manifest_json: json,
        ranking,
        files: files
            .iter()
            .map(|f| f.0)
            .chain(["sweep.json", crate::output::CODEBOOK, "report.html"])
            .collect(),
    })
}
