//! `pathsim lesson`: ready-made classroom lessons. One command runs prepared
//! scenarios (`scenarios/lessons/`), small enough to finish in well under a minute
//! on a laptop, and writes one self-contained page a class (age 16+) can read at a
//! glance: a headline in plain words, a chart, the numbers with their uncertainty,
//! discussion questions, and how it was made.
//!
//! Lessons:
//! - `retention`: what staying in treatment changes, for whom, and how much of a
//!   before/after study's fall treatment causes (the same people run twice).
//! - `testing`: testing on arrest for more offences, and net-widening.
//! - `release`: overdose in the weeks after leaving prison, OST in prison and
//!   continuity of care at release.
//! - `value`: value for money of keeping people in treatment.
//!
//! Each page opens with one sentence, one chart that shows it and a table;
//! [`check_agreement`] refuses to write a page whose headline figures are not
//! the chart's and the table's.

use crate::error::CliError;
use crate::metrics::{Kind, Row, M, METRICS};
use crate::params::Params;
use crate::report::charts::{count_ticks, wrap, PALETTE};
use crate::report::html::esc;
use crate::report::{approx, fmt_value};
use crate::run::{self, summarise, RunOutput, Summary};
use crate::studies::causal::{self, CausalRow};
use crate::{output, scenario};
use anyhow::{anyhow, Context};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod release;
mod retention;
mod testing;
mod value;

use release::release;
use retention::retention;
use testing::testing;
use value::value;

/// How to run a lesson (the command line's `pathsim lesson` options).
#[derive(Debug, Clone, Default)]
pub struct LessonArgs {
    /// The lesson to run; `None` or `list` lists them.
    pub name: Option<String>,
    pub list: bool,
    /// Output folder (default: outputs/lesson-<name>).
    pub out: Option<PathBuf>,
    /// Replace an --out folder that is not a pathsim output (its contents are lost).
    pub force: bool,
    pub threads: Option<usize>,
    /// Only print where the page was written.
    pub quiet: bool,
    /// Overrides of every lesson scenario's scale and replicates (for quick tests).
    pub scale: Option<f64>,
    pub replicates: Option<u32>,
    /// Posterior parameter sets the replicates are spread over (0: the point
    /// estimate), as for `run`.
    pub draws: u32,
}

/// The lessons: (name, one-line description).
pub const LESSONS: &[(&str, &str)] = &[
    (
        "retention",
        "Why staying in treatment matters, and why a before/after study overstates what treatment causes",
    ),
    (
        "testing",
        "Drug testing on arrest for more offences: extra tests, extra treatment, and net-widening",
    ),
    (
        "release",
        "Leaving prison: overdose in the weeks after release, OST in prison and care at release",
    ),
    (
        "value",
        "Value for money: what keeping people in treatment costs, what it saves, and who saves it",
    ),
];

/// The years lesson figures average over.
const FROM: i32 = 2030;
const TO: i32 = 2035;

/// Run the lesson `args` names (or list the lessons).
pub fn run_lesson(args: &LessonArgs) -> Result<(), CliError> {
    let names = || LESSONS.iter().map(|l| l.0).collect::<Vec<_>>().join(", ");
    let Some(name) = args.name.as_deref().filter(|_| !args.list) else {
        println!("Classroom lessons (run one with: pathsim lesson <name>):");
        for (n, d) in LESSONS {
            println!("  {n:<10} {d}");
        }
        return Ok(());
    };
    match name {
        "retention" => retention(args),
        "testing" => testing(args),
        "release" => release(args),
        "value" => value(args),
        other => Err(CliError::Input(format!(
            "unknown lesson `{other}`; the lessons are: {} (see pathsim lesson --list)",
            names()
        ))),
    }
}

/// A lesson scenario file: `scenarios/lessons/<file>` from the working folder,
/// else from the source tree the binary was built from.
pub fn lesson_file(file: &str) -> PathBuf {
    let local = Path::new("scenarios").join("lessons").join(file);
    if local.exists() {
        return local;
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("lessons")
        .join(file);
    if built.exists() {
        built
    } else {
        local
    }
}

fn opts(args: &LessonArgs) -> scenario::Overrides {
    scenario::Overrides {
        scale: args.scale,
        replicates: args.replicates,
        ..Default::default()
    }
}

/// Load lesson scenarios (in order) and check they can be paired.
fn load_all(args: &LessonArgs, files: &[&str]) -> Result<Vec<scenario::Scenario>, CliError> {
    let o = opts(args);
    let list: Vec<scenario::Scenario> = files
        .iter()
        .map(|f| o.load(&lesson_file(f)))
        .collect::<Result<_, _>>()?;
    let r0 = &list[0].params.run;
    for s in &list[1..] {
        let r = &s.params.run;
        if r.seed != r0.seed || r.replicates != r0.replicates || r.scale != r0.scale {
            return Err(CliError::Input(format!(
                "{}: lesson scenarios must share seed, replicates and scale with {}",
                s.files[0].display(),
                list[0].files[0].display()
            )));
        }
    }
    Ok(list)
}

/// Each replicate's rows reduced to one row per metric and group for `FROM..=TO`:
/// counts become a yearly average, shares are pooled (sum of numerators over sum of
/// denominators). Tests and positive tests also get a group `alcohol_or_none`:
/// people with no problem drug use.
fn window_rows(rows: &[Row]) -> Vec<Row> {
    let mut order: Vec<(M, String)> = Vec::new();
    let mut sums: HashMap<(M, String), (f64, usize)> = HashMap::new();
    for r in rows.iter().filter(|r| (FROM..=TO).contains(&r.period)) {
        let e = sums.entry((r.metric, r.group.clone())).or_insert_with(|| {
            order.push((r.metric, r.group.clone()));
            (0.0, 0)
        });
        e.0 += r.value;
        e.1 += 1;
    }
    let mut out = Vec::new();
    for (metric, group) in order {
        let def = metric.def();
        let value = match def.kind {
            Kind::Ratio(n, d) => {
                let num = sums
                    .get(&(METRICS[n].id, group.clone()))
                    .map_or(0.0, |v| v.0);
                let den = sums
                    .get(&(METRICS[d].id, group.clone()))
                    .map_or(0.0, |v| v.0);
                if den > 0.0 {
                    num / den
                } else {
                    continue;
                }
            }
            _ => {
                let (s, n) = sums[&(metric, group.clone())];
                s / n as f64
            }
        };
        out.push(Row {
            metric,
            group,
            period: FROM,
            value,
        });
    }
    for metric in [M::TESTS, M::POSITIVE_TESTS] {
        let avg = |g: &str| {
            sums.get(&(metric, g.to_string()))
                .map_or(0.0, |&(s, n)| s / n.max(1) as f64)
        };
        out.push(Row {
            metric,
            group: "alcohol_or_none".into(),
            period: FROM,
            value: avg("alcohol") + avg("none"),
        });
    }
    out
}

fn window(out: &RunOutput) -> RunOutput {
    RunOutput {
        params: out.params.clone(),
        replicates: out.replicates.iter().map(|r| window_rows(r)).collect(),
        wall_seconds: out.wall_seconds,
        events: out.events,
        person_years: out.person_years,
        people: out.people,
        sets: out.sets,
    }
}

/// One window value: (mean, lo95, hi95), NaN when missing.
fn get(summary: &[Summary], metric: M, group: &str) -> [f64; 3] {
    summary
        .iter()
        .find(|s| s.metric == metric && s.group == group)
        .map_or([f64::NAN; 3], |s| [s.mean, s.lo95, s.hi95])
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}%")
    } else {
        "n/a".into()
    }
}

/// One row of a lesson's "today, the other world, the difference, its 95%
/// interval" table (`label` is HTML).
fn change_row(label: &str, today: f64, other: f64, d: [f64; 3]) -> String {
    format!(
        "<tr><td>{label}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{} to {}</td></tr>\n",
        approx(today),
        approx(other),
        signed_approx(d[0]),
        signed_approx(d[1]),
        signed_approx(d[2])
    )
}

/// A rounded count with its sign.
fn signed_approx(v: f64) -> String {
    if v.is_finite() && v.round() > 0.0 {
        format!("+{}", approx(v))
    } else {
        approx(v)
    }
}

// ---------------------------------------------------------------------------
// Running

struct Runs {
    outputs: Vec<RunOutput>,
    summaries: Vec<Vec<Summary>>,
    windows: Vec<RunOutput>,
    causal: Option<Vec<CausalRow>>,
    /// The replicates behind `causal`: each cohort in the factual and paired run.
    pairs: Vec<causal::Pair>,
    threads: usize,
    seconds: f64,
}

fn run_all(
    args: &LessonArgs,
    scenarios: &[scenario::Scenario],
    with_causal: bool,
) -> Result<Runs, CliError> {
    let pool = crate::engine::thread_pool(args.threads)?;
    let sets: Vec<Vec<crate::params::Params>> = scenarios
        .iter()
        .map(|s| {
            crate::ensemble::parameter_sets(&s.params, args.draws, &crate::ensemble::posterior())
        })
        .collect::<Result<_, _>>()
        .map_err(CliError::Input)?;
    let mut total: u64 = scenarios
        .iter()
        .zip(&sets)
        .map(|(s, sets)| run::total_chunks_of(&s.params, sets))
        .sum();
    if with_causal {
        total += 2 * run::total_chunks(&scenarios[0].params);
    }
    let started = std::time::Instant::now();
    let bar = crate::progress::chunks(total, "lesson", args.quiet);
    let (outputs, pairs) = pool.install(|| {
        // The first two worlds together, sharing the years before they part
        // (the outputs are those of each alone); any others alone.
        let mut outputs: Vec<RunOutput> = Vec::new();
        if scenarios.len() >= 2 {
            let (a, b) = run::run_sets_paired(
                &scenarios[0].params,
                &sets[0],
                &scenarios[1].params,
                &sets[1],
                &bar,
            );
            outputs.push(a);
            outputs.push(b);
        }
        for (s, sets) in scenarios.iter().zip(&sets).skip(outputs.len()) {
            outputs.push(run::run_sets_with(&s.params, sets, &bar, || ()).0);
        }
        let pairs = if with_causal {
            causal::pairs(&scenarios[0].params, &bar)
        } else {
            Vec::new()
        };
        (outputs, pairs)
    });
    bar.finish_and_clear();
    let summaries = outputs
        .iter()
        .map(|o| summarise(o.replicates.iter().map(|r| r.as_slice())))
        .collect();
    let windows = outputs.iter().map(window).collect();
    Ok(Runs {
        outputs,
        summaries,
        windows,
        causal: with_causal.then(|| {
            assert!(
                pairs.iter().all(causal::Pair::same_people),
                "the paired run selected different people (a bug: histories must agree up to the index start)"
            );
            causal::compare(&pairs)
        }),
        pairs,
        threads: pool.current_num_threads(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Window summaries of each run and paired window differences against run 0.
fn window_tables(runs: &Runs) -> (Vec<Vec<Summary>>, Vec<Vec<Summary>>) {
    let sums = runs
        .windows
        .iter()
        .map(|w| summarise(w.replicates.iter().map(|r| r.as_slice())))
        .collect();
    let diffs = runs
        .windows
        .iter()
        .map(|w| {
            let d = run::differences(&runs.windows[0], w);
            summarise(d.iter().map(|r| r.as_slice()))
        })
        .collect();
    (sums, diffs)
}

/// Write each run's summary into `<scenario>/summary.csv` and the window
/// differences into `<scenario>/differences_<FROM>_<TO>.csv`.
fn write_csvs(
    stage: &output::Staging,
    runs: &Runs,
    wsum: &[Vec<Summary>],
    wdiff: &[Vec<Summary>],
) -> anyhow::Result<()> {
    for (i, out) in runs.outputs.iter().enumerate() {
        let dir = stage.path(&out.params.name);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        output::write_summary(
            &dir.join("summary.csv"),
            &out.params.name,
            &runs.summaries[i],
            &out.params.calendar,
        )?;
        if i > 0 {
            output::write_differences(
                &dir.join(format!("differences_{FROM}_{TO}.csv")),
                &wsum[0],
                &wsum[i],
                &wdiff[i],
            )?;
        }
    }
    Ok(())
}

/// A lesson's page: its body, then the words used and how it was made.
fn lesson_page(
    lesson: &str,
    title: &str,
    mut body: String,
    scenarios: &[scenario::Scenario],
    runs: &Runs,
    extra: &str,
) -> String {
    body.push_str(&glossary());
    body.push_str(&footer(lesson, scenarios, runs, extra));
    page(title, &body)
}

/// Write a lesson's page beside its runs' CSV files and commit the folder
/// (files a lesson adds are staged before).
fn publish(
    stage: output::Staging,
    runs: &Runs,
    wsum: &[Vec<Summary>],
    wdiff: &[Vec<Summary>],
    html: &str,
) -> Result<PathBuf, CliError> {
    write_csvs(&stage, runs, wsum, wdiff)?;
    output::write_atomic(&stage.path("lesson.html"), html.as_bytes())?;
    Ok(stage.commit()?)
}

fn destination(args: &LessonArgs, name: &str) -> PathBuf {
    args.out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("lesson-{name}")))
}

// Page parts

fn glossary() -> String {
    "<section><h2>Words used</h2>\n<dl class=\"words\">\n\
     <dt>Drop out</dt><dd>Leaving treatment early, before it is finished.</dd>\n\
     <dt>Reconvicted / proven reoffending</dt><dd>Convicted in court of a new offence committed within a year of a \
     community sentence or of leaving prison.</dd>\n\
     <dt>Counterfactual</dt><dd>What would have happened if one thing had been different: here, if treatment had no \
     effect.</dd>\n\
     <dt>95% interval</dt><dd>We run the simulation several times with different luck. 95% of the results fall in this \
     range, so a difference whose interval does not include zero is unlikely to be luck.</dd>\n\
     <dt>DIP</dt><dd>The Drug Interventions Programme: workers who meet people who test positive after arrest and offer \
     them treatment.</dd>\n\
     <dt>Before/after study</dt><dd>Comparing the same people before and after something happened to them, \
     with no one to compare them with who did not have it.</dd>\n\
     <dt>Regression to the mean</dt><dd>Something measured at an unusually high point tends to be lower next time, \
     whatever you do.</dd>\n</dl></section>\n"
        .into()
}

fn footer(lesson: &str, scenarios: &[scenario::Scenario], runs: &Runs, extra: &str) -> String {
    let p: &Params = &scenarios[0].params;
    let files: Vec<String> = scenarios
        .iter()
        .map(|s| format!("<code>{}</code>", esc(&s.files[0].display().to_string())))
        .collect();
    format!(
        "<footer><h2>How this was made</h2>\n<p>pathsim {} simulates people with offending careers in England and \
         Wales, one event at a time (arrests, drug tests, court sentences, treatment, prison, release), from 1990 to \
         {}. Each simulated person stands for {} real people. Scenarios: {}. Each world was run {} times (replicates) \
         with seed {}; every world uses the same people and the same random numbers, so differences between worlds \
         come from the policy, not from luck. {} Took {:.0} seconds on {} threads.</p>\n<p>Repeat it with \
         <code>pathsim lesson {lesson}</code>; the numbers behind this page are in the <code>summary.csv</code> and \
         <code>differences_{FROM}_{TO}.csv</code> files next to it. This is a model: it is built from published \
         research and reproduces many published figures, but its numbers are estimates, not facts.</p></footer>\n",
        env!("CARGO_PKG_VERSION"),
        p.run.horizon.year() - 1,
        esc(&p.run.scale.to_string()),
        files.join(", "),
        p.run.replicates,
        p.run.seed,
        extra,
        runs.seconds,
        runs.threads
    )
}

const CSS: &str = r#"
:root { --ink:#212529; --muted:#5c636a; --line:#dee2e6; --accent:#0072b2; --warm:#d55e00; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 28px 32px 56px; line-height: 1.5;
  font-size: 17px; background: #fff; }
header { margin-bottom: 18px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 13px; color: var(--accent); margin: 0;
  font-weight: 600; }
h1 { font-size: 32px; margin: 2px 0 8px; line-height: 1.2; }
h2 { font-size: 22px; margin: 30px 0 10px; }
.lead { font-size: 19px; margin: 4px 0; }
.headline { background: #eaf4fb; border-left: 8px solid var(--accent); border-radius: 8px; padding: 14px 22px; }
.headline h2 { font-size: 27px; margin: 4px 0 8px; line-height: 1.25; }
.headline p { margin: 0 0 4px; }
.note { color: var(--muted); font-size: 14px; }
ul.worlds { list-style: none; padding: 0; margin: 6px 0 10px; }
ul.worlds li { margin: 4px 0; }
.dot { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 8px; vertical-align: -1px; }
figure { margin: 10px 0 8px; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 15px; margin: 8px 0 10px; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f8f9fa; font-weight: 600; }
td small { color: var(--muted); display: block; font-size: 12px; }
table.small { font-size: 14px; }
.box { border: 2px solid var(--warm); border-radius: 10px; padding: 4px 22px 12px; margin-top: 30px; background: #fffaf5; }
.box h2 { margin-top: 14px; }
.split { display: flex; height: 34px; border-radius: 6px; overflow: hidden; border: 1px solid #adb5bd; margin: 12px 0 6px; }
.seg.anyway, i.anyway { background: #adb5bd; }
.seg.caused, i.caused { background: var(--accent); }
.seg.rest, i.rest { background: #fff; }
.split-legend { display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 14px; color: var(--muted); }
.split-legend i { display: inline-block; width: 14px; height: 14px; border: 1px solid #adb5bd; margin-right: 6px;
  vertical-align: -2px; }
.facts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px; margin: 16px 0 6px; }
.facts > div { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; font-size: 15px; }
.facts .big { font-size: 30px; font-weight: 700; line-height: 1.1; margin-bottom: 4px; }
.facts > div:nth-child(1) .big { color: var(--ink); }
.facts > div:nth-child(2) .big { color: #6c757d; }
.facts > div:nth-child(3) .big { color: var(--accent); }
ol.questions li { margin: 8px 0; }
ul.assume li { margin: 6px 0; }
dl.words { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; font-size: 15px; }
dl.words dt { font-weight: 600; }
dl.words dd { margin: 0; }
footer { margin-top: 30px; border-top: 1px solid var(--line); color: var(--muted); font-size: 14px; }
footer h2 { font-size: 17px; color: var(--ink); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
@media (max-width: 700px) { .facts { grid-template-columns: 1fr; } }
@media print { body { padding: 0; font-size: 14px; } section, figure { break-inside: avoid; } }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        esc(title)
    )
}

/// Inline an SVG (no XML declaration, no namespace address: HTML does not need it).
fn figure(svg: &str, title: &str) -> String {
    let svg = svg.trim_start_matches(|c| c != '<');
    let svg = svg.strip_prefix("<?xml").map_or(svg, |rest| {
        rest.split_once("?>")
            .map_or(rest, |(_, after)| after.trim_start())
    });
    let svg = svg
        .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(title)),
            1,
        );
    format!("<figure>\n{svg}\n</figure>\n")
}

// ---------------------------------------------------------------------------
// A bar chart with 95% whiskers

struct Bar {
    label: String,
    color: RGBColor,
    /// mean, lo95, hi95
    value: [f64; 3],
}

struct BarChart<'a> {
    title: &'a str,
    y_label: &'a str,
    /// In order; with `groups`, group by group (`bars.len() / groups.len()`
    /// bars each, one per `series`).
    bars: &'a [Bar],
    /// Labels under each group of bars (empty: each bar has its own label).
    groups: &'a [&'a str],
    /// The legend of grouped bars: one name and colour per bar of a group.
    series: &'a [(&'a str, RGBColor)],
    from_zero: bool,
    value_fmt: fn(f64) -> String,
    /// Tick labels: (value, step between ticks), decimals as the step needs.
    tick_fmt: crate::report::charts::TickFmt,
}

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

fn chart_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw chart: {e:?}")
}

fn bar_chart(spec: &BarChart) -> anyhow::Result<String> {
    const INK: RGBColor = RGBColor(33, 37, 41);
    const FONT: &str = "sans-serif";
    let (w, h) = (960u32, 460u32);
    let finite: Vec<&Bar> = spec
        .bars
        .iter()
        .filter(|b| b.value[0].is_finite())
        .collect();
    let lo = finite
        .iter()
        .map(|b| {
            if b.value[1].is_finite() {
                b.value[1].min(b.value[0])
            } else {
                b.value[0]
            }
        })
        .fold(f64::INFINITY, f64::min);
    let hi = finite
        .iter()
        .map(|b| {
            if b.value[2].is_finite() {
                b.value[2].max(b.value[0])
            } else {
                b.value[0]
            }
        })
        .fold(f64::NEG_INFINITY, f64::max);
    let (ylo, yhi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if spec.from_zero {
        let lo = lo.min(0.0);
        let hi = hi.max(0.0);
        let span = (hi - lo).max(1.0);
        (
            if lo < 0.0 { lo - span * 0.08 } else { 0.0 },
            hi + span * 0.14,
        )
    } else {
        let span = (hi - lo).max(0.5);
        ((lo - span * 0.8).max(0.0).floor(), hi + span * 0.35)
    };
    let grouped = !spec.groups.is_empty();
    let per_group = if grouped {
        (spec.bars.len() / spec.groups.len()).max(1)
    } else {
        1
    };
    let n = if grouped {
        spec.groups.len() as f64
    } else {
        spec.bars.len().max(1) as f64
    };
    let y_step = crate::report::charts::tick_step(ylo, yhi, 6);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(spec.title, (FONT, 24).into_font().color(&INK))
            .margin(14)
            .x_label_area_size(84)
            .y_label_area_size(92)
            .build_cartesian_2d(0.0..n, ylo..yhi)
            .map_err(chart_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_label_formatter(&|_| String::new())
            .y_desc(spec.y_label)
            .y_labels(6)
            .y_label_formatter(&|v| (spec.tick_fmt)(*v, y_step))
            .axis_desc_style((FONT, 17).into_font().color(&INK))
            .label_style((FONT, 16).into_font().color(&INK))
            .bold_line_style(RGBColor(222, 226, 230))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(chart_err)?;
        let base = if ylo > 0.0 { ylo } else { 0.0 };
        // Characters of a label line that fit under one bar (or group).
        let (l, r) = (
            chart.backend_coord(&(0.0, ylo)).0,
            chart.backend_coord(&(n, ylo)).0,
        );
        let width = (((r - l) as f64 / n) / 9.5).clamp(8.0, 26.0) as usize;
        let whisker = RGBColor(0, 0, 0).stroke_width(2);
        for (i, b) in spec.bars.iter().enumerate() {
            // The bar's left and right edges in x units.
            let (x0, x1) = if grouped {
                let (g, j) = ((i / per_group) as f64, (i % per_group) as f64);
                let w = 0.8 / per_group as f64;
                (g + 0.1 + j * w + 0.02, g + 0.1 + (j + 1.0) * w - 0.02)
            } else {
                (i as f64 + 0.22, i as f64 + 0.78)
            };
            let x = (x0 + x1) / 2.0 - 0.5;
            let [m, l, u] = b.value;
            if m.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, base), (x1, m)],
                        b.color.mix(0.85).filled(),
                    )))
                    .map_err(chart_err)?;
                if l.is_finite() && u.is_finite() {
                    let c = x + 0.5;
                    for seg in [
                        vec![(c, l), (c, u)],
                        vec![(c - 0.06, l), (c + 0.06, l)],
                        vec![(c - 0.06, u), (c + 0.06, u)],
                    ] {
                        chart
                            .draw_series(std::iter::once(PathElement::new(seg, whisker)))
                            .map_err(chart_err)?;
                    }
                }
                let top = if u.is_finite() { u.max(m) } else { m };
                let style = TextStyle::from((FONT, 19).into_font().style(FontStyle::Bold))
                    .color(&INK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                let (px, py) = chart.backend_coord(&(x + 0.5, top));
                root.draw(&Text::new((spec.value_fmt)(m), (px, py - 6), style))
                    .map_err(chart_err)?;
            }
            if !grouped {
                let (px, py) = chart.backend_coord(&(x + 0.5, ylo));
                under(&root, &b.label, px, py, width)?;
            }
        }
        for (g, label) in spec.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(g as f64 + 0.5, ylo));
            under(&root, label, px, py, width)?;
        }
        // The legend of grouped bars, across the top of the plot.
        let mut lx = 110;
        for (name, colour) in spec.series {
            root.draw(&Rectangle::new(
                [(lx, 48), (lx + 18, 66)],
                colour.mix(0.85).filled(),
            ))
            .map_err(chart_err)?;
            let style = TextStyle::from((FONT, 17).into_font())
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(name.to_string(), (lx + 26, 57), style))
                .map_err(chart_err)?;
            lx += 44 + 9 * name.chars().count() as i32;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(buf)
}

/// A bar's or a group's label under the axis, wrapped.
fn under<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    label: &str,
    px: i32,
    py: i32,
    width: usize,
) -> anyhow::Result<()> {
    let style = TextStyle::from(("sans-serif", 17).into_font())
        .color(&RGBColor(33, 37, 41))
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (k, line) in wrap(label, width).into_iter().enumerate() {
        root.draw(&Text::new(
            line,
            (px, py + 10 + 20 * k as i32),
            style.clone(),
        ))
        .map_err(chart_err)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// What a lesson claims

/// A number the headline states, as the page prints it.
struct Figure {
    /// What it is, for the error message.
    what: &'static str,
    /// The text the headline prints (e.g. "40%" or "1,200").
    shown: String,
    /// Whether the chart must print the same text too.
    in_chart: bool,
}

/// Every figure the headline states must be printed, in the same words, in
/// the headline, in the lesson's table, and (where it is charted) in its chart:
/// so a chart cannot contradict its title. Returns what disagrees.
fn disagreements(headline: &str, chart: &str, table: &str, figures: &[Figure]) -> Vec<String> {
    let mut out = Vec::new();
    for f in figures {
        if f.shown == "n/a" {
            continue;
        }
        let mut missing = Vec::new();
        if !headline.contains(&f.shown) {
            missing.push("the headline");
        }
        if !table.contains(&f.shown) {
            missing.push("the table");
        }
        if f.in_chart && !chart.contains(&f.shown) {
            missing.push("the chart");
        }
        if !missing.is_empty() {
            out.push(format!(
                "{} ({}) is not in {}",
                f.what,
                f.shown,
                missing.join(" or ")
            ));
        }
    }
    out
}

/// Fail a lesson whose headline, chart and table disagree (nothing is written).
fn check_agreement(
    lesson: &str,
    headline: &str,
    chart: &str,
    table: &str,
    figures: &[Figure],
) -> Result<(), CliError> {
    let d = disagreements(headline, chart, table, figures);
    if d.is_empty() {
        Ok(())
    } else {
        Err(CliError::Other(anyhow!(
            "lesson {lesson}: its headline, chart and table disagree: {}",
            d.join("; ")
        )))
    }
}

/// The uncertainty of a change in words a class understands, from its 95%
/// interval and the number of runs.
fn sureness(lo: f64, hi: f64, runs: usize, sets: usize) -> String {
    if !(lo.is_finite() && hi.is_finite()) {
        return "The run was too small to tell".into();
    }
    let how = if sets > 1 {
        format!(
            "{runs} runs with different luck and {sets} different plausible settings of the model's \
             uncertain numbers"
        )
    } else {
        format!("{runs} runs with different luck")
    };
    if lo > 0.0 || hi < 0.0 {
        format!(
            "The model is fairly sure of the direction: across {how}, nearly every run pointed the same way"
        )
    } else {
        format!(
            "The model cannot be sure there is any change: across {how}, some runs showed a rise and some a fall"
        )
    }
}

/// The "what the model assumes" section: the assumptions a lesson's numbers
/// rest on (each is in docs/model.md with its reason).
fn assumptions(items: &[&str]) -> String {
    let mut s = String::from(
        "<section id=\"assumptions\"><h2>What the model assumes</h2>\n<ul class=\"assume\">\n",
    );
    for i in items {
        s.push_str(&format!("<li>{i}</li>\n"));
    }
    s.push_str(
        "</ul>\n<p class=\"note\">If an assumption is wrong, the numbers move. Every assumption, with its \
         reason, is written in the model's documentation (<code>docs/model.md</code>).</p></section>\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_average_counts_and_pool_shares() {
        let row = |metric: M, group: &str, period, value| Row {
            metric,
            group: group.into(),
            period,
            value,
        };
        let rows = vec![
            row(M::ARRESTS, "all", 2029, 1000.0),
            row(M::ARRESTS, "all", 2030, 10.0),
            row(M::ARRESTS, "all", 2031, 20.0),
            row(M::REOFFENDERS, "all", 2030, 1.0),
            row(M::REOFFENDERS, "all", 2031, 3.0),
            row(M::REOFFENDING_COHORT, "all", 2030, 10.0),
            row(M::REOFFENDING_COHORT, "all", 2031, 10.0),
            row(M::PROVEN_REOFFENDING, "all", 2030, 0.1),
            row(M::PROVEN_REOFFENDING, "all", 2031, 0.3),
            row(M::TESTS, "alcohol", 2030, 4.0),
            row(M::TESTS, "none", 2030, 6.0),
        ];
        let w = window_rows(&rows);
        let v = |m: M, g: &str| {
            w.iter()
                .find(|r| r.metric == m && r.group == g)
                .unwrap()
                .value
        };
        assert_eq!(v(M::ARRESTS, "all"), 15.0);
        assert!((v(M::PROVEN_REOFFENDING, "all") - 0.2).abs() < 1e-12);
        assert_eq!(v(M::TESTS, "alcohol_or_none"), 10.0);
    }

    #[test]
    fn a_headline_figure_missing_from_its_chart_or_table_is_a_disagreement() {
        let fig = |shown: &str, in_chart| Figure {
            what: "the fall",
            shown: shown.into(),
            in_chart,
        };
        let headline = "Convictions fell by 40% for stayers";
        let chart = "<svg><text>40%</text></svg>";
        let table = "<td>40%</td>";
        assert!(disagreements(headline, chart, table, &[fig("40%", true)]).is_empty());
        let d = disagreements(
            headline,
            "<svg><text>38%</text></svg>",
            table,
            &[fig("40%", true)],
        );
        assert_eq!(d, vec!["the fall (40%) is not in the chart".to_string()]);
        // Not charted: only the headline and the table must carry it.
        assert!(disagreements(headline, "", table, &[fig("40%", false)]).is_empty());
        let d = disagreements("Convictions fell", chart, "", &[fig("40%", true)]);
        assert_eq!(
            d,
            vec!["the fall (40%) is not in the headline or the table".to_string()]
        );
        // A figure the run was too small to measure is not checked.
        assert!(disagreements("", "", "", &[fig("n/a", true)]).is_empty());
        assert!(
            check_agreement("x", headline, "", table, &[fig("40%", true)])
                .unwrap_err()
                .to_string()
                .contains("lesson x: its headline, chart and table disagree")
        );
    }

    #[test]
    fn the_words_for_uncertainty_follow_the_interval() {
        assert!(sureness(1.0, 5.0, 10, 5).starts_with("The model is fairly sure"));
        assert!(sureness(-5.0, -1.0, 10, 1).contains("10 runs with different luck,"));
        assert!(sureness(-1.0, 5.0, 10, 5).starts_with("The model cannot be sure"));
        assert!(sureness(-1.0, 5.0, 10, 5).contains("5 different plausible settings"));
        assert!(sureness(f64::NAN, 1.0, 10, 5).contains("too small"));
    }

    #[test]
    fn headline_numbers_are_rounded() {
        assert_eq!(approx(4567.0), "4,600");
        assert_eq!(approx(123.0), "120");
        assert_eq!(approx(7.4), "7");
        assert_eq!(approx(-45678.0), "-46,000");
    }

    #[test]
    fn lesson_files_resolve() {
        for f in retention::RETENTION_FILES
            .iter()
            .chain(&testing::TESTING_FILES)
            .chain(&release::RELEASE_FILES)
            .chain(&value::VALUE_FILES)
        {
            assert!(lesson_file(f).exists(), "{f}");
            scenario::load(&lesson_file(f)).unwrap();
        }
    }
}
