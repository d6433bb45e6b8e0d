//! Sweep files: which parameters to vary, over what ranges, with which design,
//! and which outputs to record. Errors name the file, line, column and key, as
//! scenario files do.

use super::design::{self, Design, Dist, Kind, Plan};
use crate::error::ScenarioError;
use crate::input::{nearest_key, Spans};
use crate::metrics::METRICS;
use crate::params::Params;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A sweep file as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Names the output folder (default: the file name).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Scenario the parameters are varied around, relative to the sweep file.
    pub base: String,
    /// Fixes the design and every run's simulation seed.
    pub seed: u64,
    /// Replicates per run; outputs are their mean.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Real people per simulated person (default: the base scenario's).
    #[serde(default)]
    pub scale: Option<f64>,
    /// Give every run the same simulation seed, so differences between runs are
    /// parameter effects only (default: a seed per run).
    #[serde(default)]
    pub common_random_numbers: bool,
    pub design: DesignSpec,
    #[serde(rename = "parameter")]
    pub parameters: Vec<ParamSpec>,
    pub outputs: Vec<OutputSpec>,
}

fn one() -> u32 {
    1
}

/// `[design]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    pub kind: Kind,
    /// Runs (lhs) or base samples (sobol).
    #[serde(default)]
    pub n: Option<u64>,
    /// Points per continuous parameter (grid) or grid levels (morris).
    #[serde(default)]
    pub levels: Option<u64>,
    /// Trajectories (morris).
    #[serde(default)]
    pub r: Option<u64>,
    /// Bootstrap resamples for Sobol intervals (default 1000).
    #[serde(default)]
    pub bootstrap: Option<u64>,
}

/// The shape of a parameter's distribution.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DistKind {
    Uniform,
    LogUniform,
    Triangular,
    Levels,
}

impl std::fmt::Display for DistKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DistKind::Uniform => "uniform",
            DistKind::LogUniform => "log_uniform",
            DistKind::Triangular => "triangular",
            DistKind::Levels => "levels",
        })
    }
}

/// One `[[parameter]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Dotted key of a numeric parameter, as in scenario files.
    pub key: String,
    pub distribution: DistKind,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub mode: Option<f64>,
    #[serde(default)]
    pub levels: Option<Vec<f64>>,
}

/// One output: a metric, group and year of `results.csv`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub metric: String,
    #[serde(default = "all")]
    pub group: String,
    pub period: i32,
}

fn all() -> String {
    "all".into()
}

impl OutputSpec {
    /// Column name in `runs.csv`.
    pub fn column(&self) -> String {
        format!("{}.{}.{}", self.metric, self.group, self.period)
    }
}

/// A varied parameter, resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Factor {
    pub key: String,
    pub dist: Dist,
}

/// A sweep ready to run: base parameters, factors, the design and its hash.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub path: PathBuf,
    pub name: String,
    pub file: SweepFile,
    /// Base scenario with the sweep's replicates and scale applied.
    pub base: Params,
    pub base_files: Vec<PathBuf>,
    pub factors: Vec<Factor>,
    pub outputs: Vec<OutputSpec>,
    pub design: Design,
    pub bootstrap: usize,
    /// Fingerprint of everything that determines the results.
    pub hash: String,
    /// Likely mistakes that do not stop the sweep.
    pub warnings: Vec<String>,
    /// Parameter sets validated at load (1 + 2 per factor, whatever the
    /// number of runs); every run is validated again as it starts.
    pub validations: usize,
}

/// The fewest bootstrap resamples for Sobol intervals: a 95% percentile
/// interval takes its ends from the 2.5% and 97.5% quantiles of the resampled
/// indices, so with B resamples each end rests on B/40 of them; below 100 (2.5
/// each) the ends are single extreme resamples (and 0 gives no interval at
/// all, NaN). Efron and Tibshirani (1993) advise 1000 for percentile
/// intervals, the default.
pub const MIN_BOOTSTRAP: u64 = 100;

/// Refuse designs beyond this many runs: almost certainly a mistake (and the
/// design is held in memory).
pub const MAX_RUNS: u64 = 5_000_000;

/// Parse a sweep file's text (no validation beyond types and known keys).
fn parse(path: &Path, text: String) -> Result<(SweepFile, Spans), ScenarioError> {
    crate::input::parse_toml(path, text)
}

/// Load and check a sweep file, its base scenario and its design.
pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
    let text = crate::input::read_text(path, "sweep file")?;
    let (file, spans) = parse(path, text)?;
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&file.base);
    let scenario = crate::scenario::load(&base_path)?;
    let mut base = scenario.params;
    base.run.replicates = file.replicates;
    if let Some(s) = file.scale {
        base.run.scale = s;
    }
    if let Some(bad) = base.validate().into_iter().next() {
        let key = match bad.key.as_str() {
            "run.scale" => "scale",
            "run.replicates" => "replicates",
            _ => "base",
        };
        return Err(spans.invalid(
            key,
            format!("gives an invalid scenario: `{}` {}", bad.key, bad.message),
        ));
    }

    if file.parameters.is_empty() {
        return Err(spans.invalid("parameter", "at least one [[parameter]] is needed"));
    }
    let mut factors: Vec<Factor> = Vec::new();
    let leaves: HashMap<String, f64> = base.numeric_leaves().into_iter().collect();
    for (i, p) in file.parameters.iter().enumerate() {
        let at = |field: &str| format!("parameter[{i}].{field}");
        let info = crate::params::info(&p.key)
            .filter(|info| info.is_numeric() && leaves.contains_key(&p.key));
        let Some(info) = info else {
            let hint = nearest_key(&p.key, leaves.keys())
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(spans.invalid(
                &at("key"),
                format!("`{}` is not a numeric parameter{hint}", p.key),
            ));
        };
        if p.key.starts_with("run.") {
            return Err(spans.invalid(
                &at("key"),
                format!(
                    "`{}` cannot be swept: the sweep sets seed, replicates and scale itself",
                    p.key
                ),
            ));
        }
        if factors.iter().any(|f| f.key == p.key) {
            return Err(spans.invalid(&at("key"), format!("`{}` is listed twice", p.key)));
        }
        let dist = resolve_dist(p, &spans, i)?;
        if dist.lo() < info.min || dist.hi() > info.max {
            let field = if p.distribution == DistKind::Levels {
                "levels"
            } else if dist.lo() < info.min {
                "min"
            } else {
                "max"
            };
            return Err(spans.invalid(
                &at(field),
                format!(
                    "`{}` must stay between {} and {} ({}), the distribution spans {} to {}",
                    p.key,
                    info.min,
                    info.max,
                    info.unit,
                    dist.lo(),
                    dist.hi()
                ),
            ));
        }
        factors.push(Factor {
            key: p.key.clone(),
            dist,
        });
    }

    if file.outputs.is_empty() {
        return Err(spans.invalid(
            "outputs",
            "at least one output {metric, group, period} is needed",
        ));
    }
    let last_year = base.run.last_year();
    for (i, o) in file.outputs.iter().enumerate() {
        let Some(def) = METRICS.iter().find(|m| m.name == o.metric) else {
            let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
            let hint = nearest_key(&o.metric, names.iter())
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(spans.invalid(
                &format!("outputs[{i}].metric"),
                format!("unknown metric `{}`{hint}", o.metric),
            ));
        };
        let groups = def.grouping.names();
        if o.group != "all" && !groups.contains(&o.group.as_str()) {
            return Err(spans.invalid(
                &format!("outputs[{i}].group"),
                format!(
                    "`{}` has no group `{}`; groups: all, {}",
                    o.metric,
                    o.group,
                    groups.join(", ")
                ),
            ));
        }
        if o.period < base.run.observe_from || o.period > last_year {
            return Err(spans.invalid(
                &format!("outputs[{i}].period"),
                format!(
                    "must be a year from {} to {} (the base scenario's observed years)",
                    base.run.observe_from, last_year
                ),
            ));
        }
        if file.outputs[..i].contains(o) {
            return Err(spans.invalid(&format!("outputs[{i}]"), "is listed twice"));
        }
    }

    let (plan, bootstrap) = resolve_plan(&file.design, &factors, &spans)?;
    let dists: Vec<Dist> = factors.iter().map(|f| f.dist.clone()).collect();
    let runs = plan.runs(&dists);
    if runs > MAX_RUNS {
        return Err(spans.invalid(
            "design",
            format!("needs {runs} runs; at most {MAX_RUNS} are allowed"),
        ));
    }
    let design = design::generate(plan, &dists, file.seed);
    let validations = check_extremes(&base, &factors, &design, &spans)?;
    let name = file.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sweep".into())
    });
    crate::scenario::check_name(&name).map_err(|why| spans.invalid("name", why))?;
    let hash = fingerprint(&file, &base, &factors, plan);
    let warnings = warnings(&base, &factors, plan);
    Ok(Sweep {
        path: path.to_path_buf(),
        name,
        outputs: file.outputs.clone(),
        file,
        base,
        base_files: scenario.files,
        factors,
        design,
        bootstrap,
        hash,
        warnings,
        validations,
    })
}

/// Check the parameter sets a sweep can reach, cheaply: runs differ only in
/// the factors, each factor's range was checked against its parameter's, so
/// this validates the first run and, from it, each factor at its lowest and
/// highest value (1 + 2k parameter sets, however many runs). Combinations are
/// checked run by run as each run starts ([`super::run_params`]). Returns the
/// number of parameter sets validated.
fn check_extremes(
    base: &Params,
    factors: &[Factor],
    design: &Design,
    spans: &Spans,
) -> Result<usize, ScenarioError> {
    let Some(first) = design.values.first() else {
        return Err(spans.invalid("design", "gives no runs"));
    };
    let first: Vec<(String, f64)> = factors
        .iter()
        .zip(first)
        .map(|(f, &v)| (f.key.clone(), v))
        .collect();
    let mut validations = 0;
    let mut check = |values: &[(String, f64)], key: &str, what: &str| {
        validations += 1;
        crate::scenario::with_values(base, values)
            .map(|_| ())
            .map_err(|e| {
                let set: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                spans.invalid(
                    key,
                    format!(
                        "{what} would be invalid: {e} (its values: {})",
                        set.join(", ")
                    ),
                )
            })
    };
    check(&first, "parameter", "run 0")?;
    for (j, f) in factors.iter().enumerate() {
        let levels = matches!(f.dist, Dist::Levels(_));
        for (field, v) in [("min", f.dist.lo()), ("max", f.dist.hi())] {
            let mut values = first.clone();
            values[j].1 = v;
            let field = if levels { "levels" } else { field };
            check(
                &values,
                &format!("parameter[{j}].{field}"),
                &format!("run 0 with `{}` at its {field} {v}", f.key),
            )?;
        }
    }
    Ok(validations)
}

/// Swept levers that are switched off, and Sobol sizes that waste the sequence.
fn warnings(base: &Params, factors: &[Factor], plan: Plan) -> Vec<String> {
    let mut out = Vec::new();
    let tree = toml::Value::try_from(base).ok();
    for f in factors {
        let Some(lever) = f
            .key
            .strip_prefix("levers.")
            .and_then(|k| k.split('.').next())
        else {
            continue;
        };
        let enabled = tree
            .as_ref()
            .and_then(|t| t.get("levers")?.get(lever)?.get("enabled")?.as_bool());
        if enabled == Some(false) {
            out.push(format!(
                "`{}` has no effect: levers.{lever}.enabled is false in the base scenario",
                f.key
            ));
        }
    }
    if let Plan::Sobol { n } = plan {
        if !n.is_power_of_two() {
            out.push(format!(
                "Sobol n = {n} is not a power of two; {} or {} balance the sequence better",
                n.next_power_of_two() / 2,
                n.next_power_of_two()
            ));
        }
    }
    out
}

fn resolve_dist(p: &ParamSpec, spans: &Spans, i: usize) -> Result<Dist, ScenarioError> {
    let at = |field: &str| format!("parameter[{i}].{field}");
    let need = |v: Option<f64>, field: &str| {
        v.filter(|x| x.is_finite()).ok_or_else(|| {
            spans.invalid(
                &at(field),
                format!(
                    "a finite `{field}` is needed for distribution {}",
                    p.distribution
                ),
            )
        })
    };
    let unused = |present: bool, field: &str| {
        if present {
            Err(spans.invalid(
                &at(field),
                format!("is not used by distribution {}", p.distribution),
            ))
        } else {
            Ok(())
        }
    };
    let dist = match p.distribution {
        DistKind::Levels => {
            unused(p.min.is_some(), "min")?;
            unused(p.max.is_some(), "max")?;
            unused(p.mode.is_some(), "mode")?;
            let v = p.levels.clone().unwrap_or_default();
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                return Err(
                    spans.invalid(&at("levels"), "must be a non-empty list of finite numbers")
                );
            }
            Dist::Levels(v)
        }
        kind => {
            unused(p.levels.is_some(), "levels")?;
            let (min, max) = (need(p.min, "min")?, need(p.max, "max")?);
            if min >= max {
                return Err(spans.invalid(
                    &at("max"),
                    format!("must be greater than min ({min}), got {max}"),
                ));
            }
            match kind {
                DistKind::Uniform => {
                    unused(p.mode.is_some(), "mode")?;
                    Dist::Uniform { min, max }
                }
                DistKind::LogUniform => {
                    unused(p.mode.is_some(), "mode")?;
                    if min <= 0.0 {
                        return Err(spans.invalid(
                            &at("min"),
                            format!("must be positive for log_uniform, got {min}"),
                        ));
                    }
                    Dist::LogUniform { min, max }
                }
                _ => {
                    let mode = need(p.mode, "mode")?;
                    if !(min..=max).contains(&mode) {
                        return Err(spans.invalid(
                            &at("mode"),
                            format!("must lie between min ({min}) and max ({max}), got {mode}"),
                        ));
                    }
                    Dist::Triangular { min, max, mode }
                }
            }
        }
    };
    Ok(dist)
}

fn resolve_plan(
    d: &DesignSpec,
    factors: &[Factor],
    spans: &Spans,
) -> Result<(Plan, usize), ScenarioError> {
    let unused = |v: Option<u64>, field: &str| match v {
        Some(_) => Err(spans.invalid(
            &format!("design.{field}"),
            format!("is not used by a {} design", d.kind),
        )),
        None => Ok(()),
    };
    let need = |v: Option<u64>, field: &str, min: u64, max: u64| match v {
        Some(x) if (min..=max).contains(&x) => Ok(x as usize),
        Some(x) => Err(spans.invalid(
            &format!("design.{field}"),
            format!("must be from {min} to {max}, got {x}"),
        )),
        None => Err(spans.invalid("design", format!("a {} design needs `{field}`", d.kind))),
    };
    let k = factors.len();
    if d.kind != Kind::Sobol {
        unused(d.bootstrap, "bootstrap")?;
    }
    let plan = match d.kind {
        Kind::Grid => {
            unused(d.n, "n")?;
            unused(d.r, "r")?;
            Plan::Grid {
                levels: need(d.levels.or(Some(3)), "levels", 1, 1_000_000)?,
            }
        }
        Kind::Lhs => {
            unused(d.levels, "levels")?;
            unused(d.r, "r")?;
            Plan::Lhs {
                n: need(d.n, "n", 2, MAX_RUNS)?,
            }
        }
        Kind::Sobol => {
            unused(d.levels, "levels")?;
            unused(d.r, "r")?;
            if k > design::SOBOL_MAX_K {
                return Err(spans.invalid(
                    "parameter",
                    format!(
                        "a Sobol design takes at most {} parameters",
                        design::SOBOL_MAX_K
                    ),
                ));
            }
            Plan::Sobol {
                n: need(d.n, "n", 2, design::SOBOL_MAX_N as u64)?,
            }
        }
        Kind::Morris => {
            unused(d.n, "n")?;
            let levels = need(d.levels.or(Some(4)), "levels", 2, 1000)?;
            if levels % 2 == 1 {
                return Err(spans.invalid(
                    "design.levels",
                    format!("must be even for a Morris design, got {levels}"),
                ));
            }
            Plan::Morris {
                r: need(d.r, "r", 2, MAX_RUNS)?,
                levels,
            }
        }
    };
    let bootstrap = need(
        d.bootstrap.or(Some(1000)),
        "bootstrap",
        MIN_BOOTSTRAP,
        1_000_000,
    )?;
    Ok((plan, bootstrap))
}

/// FNV-1a: a stable 64-bit hash (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Hash of what determines the runs: the version, the resolved base parameters
/// (with replicates and scale), seed, factors, design and outputs. Names,
/// descriptions, comments and bootstrap resamples (analysis only) do not count,
/// so changing them keeps finished runs.
fn fingerprint(file: &SweepFile, base: &Params, factors: &[Factor], plan: Plan) -> String {
    let mut base = base.clone();
    base.name.clear();
    base.description.clear();
    let canonical = serde_json::json!({
        "pathsim": env!("CARGO_PKG_VERSION"),
        "base": base,
        "seed": file.seed,
        "common_random_numbers": file.common_random_numbers,
        "factors": factors,
        "plan": plan,
        "outputs": file.outputs,
    });
    format!("{:016x}", fnv1a(canonical.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let p = dir.join("s.toml");
        std::fs::write(&p, text.replace("BASE", &base.display().to_string())).unwrap();
        p
    }

    const GOOD: &str = r#"base = "BASE"
seed = 3
scale = 5000

[design]
kind = "lhs"
n = 10

[[parameter]]
key = "treatment.ost_dropout_rate_0_3m"
distribution = "uniform"
min = 1.0
max = 2.0

[[parameter]]
key = "offending.offence_rate.opiates_crack"
distribution = "levels"
levels = [1.0, 1.5]

[[outputs]]
metric = "proven_reoffending_rate"
period = 2030
"#;

    #[test]
    fn a_good_file_loads_with_a_stable_hash() {
        let dir = tempfile::tempdir().unwrap();
        let s = load(&write(dir.path(), GOOD)).unwrap();
        assert_eq!(s.design.len(), 10);
        assert_eq!(s.base.run.scale, 5000.0);
        assert_eq!(s.base.run.replicates, 1);
        assert_eq!(s.outputs[0].column(), "proven_reoffending_rate.all.2030");
        let again = load(&write(
            dir.path(),
            &GOOD.replace("seed = 3", "name = \"x\"\nseed = 3"),
        ))
        .unwrap();
        assert_eq!(s.hash, again.hash);
        let other = load(&write(dir.path(), &GOOD.replace("max = 2.0", "max = 2.5"))).unwrap();
        assert_ne!(s.hash, other.hash);
    }

    #[test]
    fn shipped_sweeps_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
        let t = load(&dir.join("teaching.toml")).unwrap();
        assert_eq!((t.design.len(), t.warnings.len()), (50, 0));
        let s = load(&dir.join("sobol_full.toml")).unwrap();
        assert_eq!(s.design.plan, Plan::Sobol { n: 512 });
        assert_eq!(s.design.len(), 512 * (s.factors.len() + 2));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    fn error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        load(&write(dir.path(), text)).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_line_and_key() {
        let msg = error(&GOOD.replace(
            "key = \"treatment.ost_dropout_rate_0_3m\"",
            "key = \"treatment.dropout_rate_0_3\"",
        ));
        assert!(
            msg.contains("s.toml:10:1") && msg.contains("treatment.ost_dropout_rate_0_3m"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("min = 1.0", "min = 1.0\nmean = 2"));
        assert!(
            msg.contains("s.toml:13:1") && msg.contains("unknown key `parameter[0].mean`"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("seed = 3", "sed = 3"));
        assert!(
            msg.contains("s.toml:2:1") && msg.contains("(did you mean `seed`?)"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("max = 2.0", "max = 200.0"));
        assert!(
            msg.contains("s.toml:13:1") && msg.contains("parameter[0].max"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("n = 10", "r = 10"));
        assert!(msg.contains("design.r") && msg.contains(":7:1"), "{msg}");
        let msg = error(&GOOD.replace("proven_reoffending_rate", "proven_reoffend_rate"));
        assert!(
            msg.contains("outputs[0].metric")
                && msg.contains("did you mean `proven_reoffending_rate`"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("period = 2030", "period = 1980"));
        assert!(
            msg.contains("outputs[0].period") && msg.contains(":22:1"),
            "{msg}"
        );
        let msg = error(&GOOD.replace("kind = \"lhs\"", "kind = \"latin\""));
        assert!(msg.contains("design.kind") && msg.contains(":6:"), "{msg}");
        let msg = error(&GOOD.replace(
            "key = \"treatment.ost_dropout_rate_0_3m\"",
            "key = \"run.scale\"",
        ));
        assert!(msg.contains("cannot be swept"), "{msg}");
    }
}
