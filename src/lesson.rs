//! `pathsim lesson`: ready-made classroom lessons. One command runs prepared
//! scenarios (`scenarios/lessons/`), small enough to finish in well under a minute
//! on a laptop, and writes one self-contained page a class (age 16+) can read at a
//! glance: a headline in plain words, a chart, the numbers with their uncertainty,
//! discussion questions, and how it was made.
//!
//! Lessons:
//! - `retention`: what happens when more people stay in treatment, and why a
//!   before/after study overstates what treatment causes (regression to the mean).
//! - `testing`: testing on arrest for more offences, and net-widening.

use crate::error::CliError;
use crate::metrics::{Kind, Row, M, METRICS};
use crate::params::Params;
use crate::report::charts::{count_ticks, wrap, PALETTE};
use crate::report::html::esc;
use crate::report::{fmt_value, thousands};
use crate::run::{self, summarise, RunOutput, Summary};
use crate::studies::causal::{self, CausalRow};
use crate::{output, scenario};
use anyhow::{anyhow, Context};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

/// Last cohort year with proven-reoffending follow-up inside the window.
fn last_reoffending_year(out: &RunOutput) -> i32 {
    out.replicates
        .first()
        .and_then(|rows| {
            rows.iter()
                .filter(|r| r.metric == M::PROVEN_REOFFENDING && r.period <= TO)
                .map(|r| r.period)
                .max()
        })
        .unwrap_or(TO)
}

/// One window value: (mean, lo95, hi95), NaN when missing.
fn get(summary: &[Summary], metric: M, group: &str) -> [f64; 3] {
    summary
        .iter()
        .find(|s| s.metric == metric && s.group == group)
        .map_or([f64::NAN; 3], |s| [s.mean, s.lo95, s.hi95])
}

/// A count rounded for a headline: two significant figures, with separators.
fn approx(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    let step = if a >= 1000.0 {
        10f64.powi(a.log10().floor() as i32 - 1)
    } else if a >= 100.0 {
        10.0
    } else {
        1.0
    };
    thousands((v / step).round() * step)
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}%")
    } else {
        "n/a".into()
    }
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
    let (outputs, causal) = pool.install(|| {
        let outputs: Vec<RunOutput> = scenarios
            .iter()
            .zip(&sets)
            .map(|(s, sets)| run::run_sets_with(&s.params, sets, &bar, || ()).0)
            .collect();
        let causal = with_causal.then(|| causal::observed_vs_causal(&scenarios[0].params, &bar));
        (outputs, causal)
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
        causal,
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

fn destination(args: &LessonArgs, name: &str) -> PathBuf {
    args.out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("lesson-{name}")))
}

// ---------------------------------------------------------------------------
// Lesson: retention

const RETENTION_FILES: [&str; 3] = [
    "retention_baseline.toml",
    "retention_better.toml",
    "retention_no_treatment.toml",
];

fn retention(args: &LessonArgs) -> Result<(), CliError> {
    let scenarios = load_all(args, &RETENTION_FILES)?;
    let stage = output::Staging::claim(&destination(args, "retention"), args.force)?;
    let runs = run_all(args, &scenarios, true)?;
    let (wsum, wdiff) = window_tables(&runs);
    let last_reoff = last_reoffending_year(&runs.outputs[0]);
    let base = &runs.outputs[0].params;
    let rate = |i: usize| get(&wsum[i], M::PROVEN_REOFFENDING, "all").map(|v| v * 100.0);
    let fewer = {
        // A fall is minus the difference, so the interval's ends swap.
        let d = get(&wdiff[1], M::REOFFENDERS, "all");
        [-d[0], -d[2], -d[1]]
    };
    let more_without = get(&wdiff[2], M::REOFFENDERS, "all");
    let causal_rows = runs.causal.clone().unwrap_or_default();
    let retained = causal_rows
        .iter()
        .find(|r| r.id == "nta_retained_2y_reduction" && r.cohort == causal::Cohort::Trigger)
        .cloned();

    // The chart: reoffending in the three worlds.
    let labels = [
        "Today's treatment (baseline)",
        "More people stay in treatment",
        "Treatment changes nothing (counterfactual)",
    ];
    let colours = [PALETTE[6], PALETTE[0], PALETTE[1]];
    let bars: Vec<Bar> = [0, 1, 2]
        .iter()
        .map(|&i| Bar {
            label: labels[i].into(),
            color: colours[i],
            value: rate(i),
        })
        .collect();
    let chart = bar_chart(&BarChart {
        title: &format!("Share of offenders reconvicted within a year, {FROM} to {last_reoff}"),
        y_label: "Reconvicted within a year (% of offenders)",
        bars: &bars,
        from_zero: false,
        value_fmt: |v| format!("{v:.1}%"),
        tick_fmt: crate::report::charts::pct_ticks,
    })?;

    let headline = if fewer[0].is_finite() && fewer[0] >= 0.5 {
        format!(
            "When more people stay in treatment, {} fewer people are reconvicted a year",
            approx(fewer[0])
        )
    } else {
        format!(
            "When more people stay in treatment, the number reconvicted a year changes by {}",
            signed_approx(-fewer[0])
        )
    };
    let clear = fewer[1] > 0.0;
    let reconvicted_now = get(&wsum[0], M::REOFFENDERS, "all")[0];

    let mut b = String::new();
    b.push_str(&format!(
        "<header><p class=\"kicker\">pathsim classroom lesson</p>\n<h1>Why staying in drug treatment matters</h1>\n\
         <p class=\"lead\">We simulated offenders in England and Wales who use drugs, year by year up to {TO}, in three \
         different worlds, and counted how many are convicted again.</p></header>\n"
    ));
    b.push_str(&format!(
        "<section class=\"headline\" id=\"headline\"><h2>{}</h2>\n<p>Out of about {} people reconvicted each year today. \
         {}: across the {} repeated runs, the fall was between {} and {} people a year \
         (the <em>95% interval</em>).</p></section>\n",
        esc(&headline),
        approx(reconvicted_now),
        if clear {
            "The model is fairly sure of the direction"
        } else {
            "The model cannot be sure there is any change"
        },
        base.run.replicates,
        approx(fewer[1]),
        approx(fewer[2]),
    ));
    b.push_str(&format!(
        "<section><h2>Three worlds, side by side</h2>\n<ul class=\"worlds\">\n\
         <li><span class=\"dot\" style=\"background:#000\"></span><strong>Today's treatment.</strong> Treatment, courts and \
         prisons work as they do now.</li>\n\
         <li><span class=\"dot\" style=\"background:#0072b2\"></span><strong>More people stay in treatment.</strong> From \
         April 2026, half as many people leave treatment early (<em>drop out</em>).</li>\n\
         <li><span class=\"dot\" style=\"background:#d55e00\"></span><strong>Treatment changes nothing.</strong> The same \
         people still go into treatment, but it no longer makes them offend less. This imaginary world is the \
         <em>counterfactual</em>: what would have happened without treatment's effect.</li>\n</ul>\n{}\
         <p class=\"note\">Each bar is the share of people given a community sentence or released from prison who were \
         convicted of a new offence within a year (the Ministry of Justice measure, <em>proven reoffending</em>), for \
         people sentenced or released in {FROM} to {last_reoff}. The black lines (<em>whiskers</em>) show the 95% \
         interval: the range of results across {} repeated runs with different luck. The scale does not start at zero, \
         so that the differences are visible.</p></section>\n",
        figure(&chart, "Reconviction in the three worlds"),
        base.run.replicates
    ));
    // Numbers table.
    b.push_str(&format!(
        "<section><h2>The numbers (a year, on average, {FROM} to {TO})</h2>\n<table>\n<tr><th></th><th>Reconvicted \
         within a year</th><th>People reconvicted</th><th>Convictions</th><th>Arrests</th></tr>\n"
    ));
    for (i, label) in labels.iter().enumerate() {
        let cell = |m: M| {
            let v = get(&wsum[i], m, "all");
            let d = get(&wdiff[i], m, "all");
            if i == 0 {
                approx(v[0])
            } else {
                format!(
                    "{}<small>{} vs today<br>({} to {})</small>",
                    approx(v[0]),
                    signed_approx(d[0]),
                    signed_approx(d[1]),
                    signed_approx(d[2])
                )
            }
        };
        let r = rate(i);
        let dr = get(&wdiff[i], M::PROVEN_REOFFENDING, "all").map(|v| v * 100.0);
        let rate_cell = if i == 0 {
            pct(r[0])
        } else {
            format!(
                "{}<small>{:+.2} percentage points vs today</small>",
                pct(r[0]),
                dr[0]
            )
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(label),
            rate_cell,
            cell(M::REOFFENDERS),
            cell(M::CONVICTIONS),
            cell(M::ARRESTS)
        ));
    }
    b.push_str(&format!(
        "</table>\n<p class=\"note\">Counts are for the whole of England and Wales. &ldquo;vs today&rdquo; compares the \
         same simulated people in both worlds, run by run; brackets give the 95% interval. If treatment changed nothing, \
         about {} more people would be reconvicted each year.</p></section>\n",
        approx(more_without[0])
    ));
    // Observed vs causal box.
    b.push_str(&causal_box(retained.as_ref(), &causal_rows));
    // Questions.
    let (obs, anyway) = retained.as_ref().map_or((f64::NAN, f64::NAN), |r| {
        (r.observed[0], r.without_treatment_effect[0])
    });
    b.push_str(&format!(
        "<section><h2>Questions to discuss</h2>\n<ol class=\"questions\">\n\
         <li>About {} fewer people reconvicted a year, out of about {}. Is that a big change or a small one? What else \
         would you want to know before paying for it?</li>\n\
         <li>A before/after study saw convictions fall by {} for people who stayed in treatment. Why isn't all of that \
         fall caused by treatment? The model says {:.0} points of it would have happened anyway: why?</li>\n\
         <li>People who stay in treatment may differ from those who drop out (more motivated, a home, support). How could \
         that make treatment look better than it is in a real study? How does running the same people twice get round \
         it?</li>\n\
         <li>The bars have whiskers. What do they tell you, and why did we run the simulation {} times rather than \
         once?</li>\n\
         <li>What could services do to help people stay in treatment? Who do you think would benefit most?</li>\n\
         </ol></section>\n",
        approx(fewer[0]),
        approx(reconvicted_now),
        pct(obs),
        anyway,
        base.run.replicates
    ));
    b.push_str(&glossary());
    b.push_str(&footer(
        "retention",
        &scenarios,
        &runs,
        "The before/after comparison re-runs the baseline with treatment's effect switched off \
         (the same people and random numbers) and measures the National Treatment Agency's study in both.",
    ));
    let html = page("Why staying in drug treatment matters", &b);

    write_csvs(&stage, &runs, &wsum, &wdiff)?;
    causal::write_csv(&stage.path("observed_vs_causal.csv"), &causal_rows)?;
    output::write_atomic(&stage.path("lesson.html"), html.as_bytes())?;
    let dest = stage.commit()?;
    if !args.quiet {
        println!(
            "Lesson: why staying in treatment matters ({} runs of each world, {:.0} s)",
            base.run.replicates, runs.seconds
        );
        println!(
            "  Reconvicted within a year ({FROM}-{last_reoff}): today {}, more stay in treatment {}, treatment changes nothing {}",
            pct(rate(0)[0]),
            pct(rate(1)[0]),
            pct(rate(2)[0])
        );
        println!(
            "  {headline} (95% interval {} to {}).",
            approx(fewer[1]),
            approx(fewer[2])
        );
        if let Some(r) = &retained {
            println!(
                "  Before/after study, people retained 2 years: convictions fell {}; {:.0} points would have fallen anyway; \
                 treatment's own part: {:.0} points.",
                pct(r.observed[0]),
                r.without_treatment_effect[0],
                r.observed[0] - r.without_treatment_effect[0]
            );
        }
    }
    println!("wrote {}", dest.join("lesson.html").display());
    Ok(())
}

/// The "what a before/after study sees vs what treatment causes" box.
fn causal_box(main: Option<&CausalRow>, rows: &[CausalRow]) -> String {
    let mut s = String::from(
        "<section class=\"box\" id=\"observed-vs-causal\"><h2>What a before/after study sees vs what treatment \
         causes</h2>\n",
    );
    let Some(r) =
        main.filter(|r| r.observed[0].is_finite() && r.without_treatment_effect[0].is_finite())
    else {
        s.push_str(
            "<p>This run was too small to measure the before/after study (too few people started treatment in \
             2006-07). Run the lesson at its normal size.</p></section>\n",
        );
        return s;
    };
    let obs = r.observed[0];
    let anyway = r.without_treatment_effect[0].max(0.0).min(obs.max(0.0));
    let caused = (obs - anyway).max(0.0);
    let rest = (100.0 - anyway - caused).max(0.0);
    s.push_str(&format!(
        "<p>In 2012 the National Treatment Agency compared each person's convictions in the 2 years <em>before</em> they \
         started treatment (in 2006-07) with the 2 years <em>after</em>. We ran the same study inside the simulation. \
         For people who <strong>stayed in treatment for 2 years</strong>:</p>\n\
         <div class=\"split\" role=\"img\" aria-label=\"Convictions before treatment: {anyway:.0}% fall anyway, \
         {caused:.0}% fall because of treatment, {rest:.0}% remain\">\n\
         <div class=\"seg anyway\" style=\"width:{anyway:.2}%\"></div>\
         <div class=\"seg caused\" style=\"width:{caused:.2}%\"></div>\
         <div class=\"seg rest\" style=\"width:{rest:.2}%\"></div>\n</div>\n\
         <div class=\"split-legend\"><span><i class=\"anyway\"></i>would have fallen anyway: {:.0} points</span>\
         <span><i class=\"caused\"></i>caused by treatment: {:.0} points</span>\
         <span><i class=\"rest\"></i>convictions still happening: {:.0}%</span></div>\n\
         <div class=\"facts\">\n\
         <div><div class=\"big\">{}</div>fewer convictions after starting treatment than before: what the \
         <strong>before/after study sees</strong></div>\n\
         <div><div class=\"big\">{:.0} points</div>of that fall <strong>would have happened anyway</strong>, with \
         treatment doing nothing</div>\n\
         <div><div class=\"big\">{:.0} points</div>are <strong>caused by treatment</strong> (it cut convictions by {} \
         compared with the same people without its effect)</div>\n</div>\n",
        anyway,
        caused,
        rest,
        pct(obs),
        anyway,
        caused,
        pct(r.causal[0]),
    ));
    s.push_str(
        "<p><strong>Why would convictions fall anyway?</strong> People usually start treatment just after a bad patch, \
         often straight after an arrest, when their offending is at a high point. High points do not last: many people's \
         offending drifts back down towards their usual level whatever happens. This is called <em>regression to the \
         mean</em>. People also get older, some stop offending, and some spend time in prison where they cannot be \
         convicted of new crimes. A before/after study counts all of that as if treatment had done it.</p>\n\
         <p><strong>How do we know?</strong> A computer model can do what real research cannot: run exactly the same \
         people twice, once with treatment working and once with treatment changing nothing about their offending \
         from the day they start it, and compare the same people.</p>\n",
    );
    s.push_str(
        "<table class=\"small\">\n<tr><th>People who started treatment in 2006-07</th><th>Before/after study sees</th>\
         <th>Would have happened anyway</th><th>Caused by treatment</th></tr>\n",
    );
    for r in rows {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{} fewer<small>{} to {}</small></td><td>{} fewer<small>{} to {}</small></td><td>{:.0} points\
             <small>treatment cut convictions by {}</small></td></tr>\n",
            esc(&format!("{}, {} counted", r.group, r.cohort.name())),
            pct(r.observed[0]),
            pct(r.observed[1]),
            pct(r.observed[2]),
            pct(r.without_treatment_effect[0]),
            pct(r.without_treatment_effect[1]),
            pct(r.without_treatment_effect[2]),
            r.observed[0] - r.without_treatment_effect[0],
            pct(r.causal[0]),
        ));
    }
    s.push_str(
        "</table>\n<p class=\"note\">&ldquo;Points&rdquo;: percentage points of the convictions in the 2 years before \
         treatment. Small print under each number: the 95% interval over the repeated runs.</p></section>\n",
    );
    s
}

// ---------------------------------------------------------------------------
// Lesson: testing

const TESTING_FILES: [&str; 2] = ["retention_baseline.toml", "testing_widened.toml"];

fn testing(args: &LessonArgs) -> Result<(), CliError> {
    let scenarios = load_all(args, &TESTING_FILES)?;
    let stage = output::Staging::claim(&destination(args, "testing"), args.force)?;
    let runs = run_all(args, &scenarios, false)?;
    let (wsum, wdiff) = window_tables(&runs);
    let base = &runs.outputs[0].params;
    let d = |m: M, g: &str| get(&wdiff[1], m, g);
    let now = |m: M, g: &str| get(&wsum[0], m, g)[0];
    let tests = d(M::TESTS, "all");
    let positive = d(M::POSITIVE_TESTS, "all");
    let dip = d(M::DIP_ASSESSMENTS, "all");
    let starts = d(M::TREATMENT_STARTS, "dip");
    let no_problem = d(M::TESTS, "alcohol_or_none");
    let custody = d(M::CUSTODY_RECEPTIONS, "all");
    let revoked = d(M::ORDER_REVOCATIONS, "all");
    let share_no_problem = if tests[0] > 0.0 {
        100.0 * no_problem[0] / tests[0]
    } else {
        f64::NAN
    };
    let headline = format!(
        "Testing more people on arrest means {} extra drug tests a year, but only {} extra people start treatment",
        approx(tests[0]),
        approx(starts[0])
    );
    // Chart: extra tests by substance group.
    let groups = [
        ("opiates_crack", "Heroin or crack users"),
        ("other_drugs", "Other drug users"),
        ("alcohol", "Alcohol problem, no drugs"),
        ("none", "No drug or alcohol problem"),
    ];
    let bars: Vec<Bar> = groups
        .iter()
        .enumerate()
        .map(|(i, (g, label))| Bar {
            label: (*label).into(),
            color: PALETTE[i],
            value: d(M::TESTS, g),
        })
        .collect();
    let chart = bar_chart(&BarChart {
        title: "Extra drug tests a year, by who is tested",
        y_label: "Extra tests a year (England and Wales)",
        bars: &bars,
        from_zero: true,
        value_fmt: signed_approx,
        tick_fmt: count_ticks,
    })?;

    let mut b = String::new();
    b.push_str(
        "<header><p class=\"kicker\">pathsim classroom lesson</p>\n<h1>Drug testing on arrest: who gets caught in the \
         net?</h1>\n<p class=\"lead\">Today the police drug-test people arrested for some offences (theft, burglary, \
         drug offences: <em>trigger offences</em>). A positive test for heroin or cocaine leads to an assessment and an \
         offer of treatment through the Drug Interventions Programme (<em>DIP</em>). What if they tested almost \
         everyone they arrest?</p></header>\n",
    );
    b.push_str(&format!(
        "<section class=\"headline\" id=\"headline\"><h2>{}</h2>\n<p>About {} of the extra tests ({}) are of people \
         with <strong>no drug problem</strong> (their problem is alcohol, or nothing at all). Widening a programme so that it draws in many people it was not \
         meant for is called <em>net-widening</em>; the UK Drug Policy Commission warned about exactly this in \
         2008.</p></section>\n",
        esc(&headline),
        approx(no_problem[0]),
        pct(share_no_problem)
    ));
    b.push_str(&format!(
        "<section><h2>Who the extra tests are for</h2>\n{}<p class=\"note\">Extra tests a year, on average {FROM} to \
         {TO}, compared with the same people under today's rules. Whiskers: the 95% interval over {} repeated runs.</p>\
         </section>\n",
        figure(&chart, "Extra drug tests by who is tested"),
        base.run.replicates
    ));
    b.push_str(&format!(
        "<section><h2>From test to treatment (a year, on average, {FROM} to {TO})</h2>\n<table>\n<tr><th></th><th>Today\
         </th><th>Test almost everyone</th><th>Difference</th><th>95% interval</th></tr>\n"
    ));
    let rows: [(M, &str, &str); 8] = [
        (M::TESTS, "all", "Drug tests on arrest"),
        (
            M::TESTS,
            "alcohol_or_none",
            "&hellip; of people with no drug problem (alcohol or none)",
        ),
        (
            M::POSITIVE_TESTS,
            "all",
            "Positive tests (heroin or cocaine)",
        ),
        (M::DIP_ASSESSMENTS, "all", "DIP assessments"),
        (M::TREATMENT_STARTS, "dip", "Treatment starts through DIP"),
        (M::TREATMENT_STARTS, "all", "All treatment starts"),
        (M::CUSTODY_RECEPTIONS, "all", "People sent to prison"),
        (
            M::ORDER_REVOCATIONS,
            "all",
            "Community orders breached and revoked",
        ),
    ];
    for (m, g, label) in rows {
        let dv = d(m, g);
        b.push_str(&format!(
            "<tr><td>{label}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td><td>{} to {}</td></tr>\n",
            approx(now(m, g)),
            approx(get(&wsum[1], m, g)[0]),
            signed_approx(dv[0]),
            signed_approx(dv[1]),
            signed_approx(dv[2])
        ));
    }
    b.push_str(&format!(
        "</table>\n<p class=\"note\">Counts for the whole of England and Wales. The difference compares the same \
         simulated people under both rules, run by run. When the interval includes zero the model cannot tell the \
         change from no change. Reconvicted within a year: today {}, testing almost everyone {}.</p></section>\n",
        fmt_value(M::PROVEN_REOFFENDING, get(&wsum[0], M::PROVEN_REOFFENDING, "all")[0]),
        fmt_value(M::PROVEN_REOFFENDING, get(&wsum[1], M::PROVEN_REOFFENDING, "all")[0]),
    ));
    b.push_str(&format!(
        "<section><h2>Questions to discuss</h2>\n<ol class=\"questions\">\n\
         <li>About {} of the extra tests are of people with no drug problem. What does a test cost them (time held in \
         a police station, a record, being treated as a suspect) and what does it cost the police?</li>\n\
         <li>What does <em>net-widening</em> mean? Where do you see it in these numbers?</li>\n\
         <li>There are {} extra positive tests a year but only {} extra treatment starts through DIP. Why might a \
         positive test not lead to treatment?</li>\n\
         <li>Did the number of people sent to prison ({}) or of community orders revoked ({}) change? Could more \
         contact with the justice system lead to more punishment rather than more help?</li>\n\
         <li>With the same money you could test almost everyone arrested, or help more people stay in treatment (see \
         the <code>retention</code> lesson). Which would you choose, and why?</li>\n</ol></section>\n",
        pct(share_no_problem),
        approx(positive[0]),
        approx(starts[0]),
        signed_approx(custody[0]),
        signed_approx(revoked[0])
    ));
    b.push_str(&glossary());
    b.push_str(&footer("testing", &scenarios, &runs, ""));
    let html = page("Drug testing on arrest: who gets caught in the net?", &b);

    write_csvs(&stage, &runs, &wsum, &wdiff)?;
    output::write_atomic(&stage.path("lesson.html"), html.as_bytes())?;
    let dest = stage.commit()?;
    if !args.quiet {
        println!(
            "Lesson: drug testing on arrest and net-widening ({} runs of each, {:.0} s)",
            base.run.replicates, runs.seconds
        );
        println!("  {headline}.");
        println!(
            "  A year, {FROM}-{TO}: {} more tests ({} of them of people with no drug problem), {} more positive \
             tests, {} more DIP assessments, {} more treatment starts through DIP.",
            approx(tests[0]),
            pct(share_no_problem),
            approx(positive[0]),
            approx(dip[0]),
            approx(starts[0])
        );
        println!(
            "  People sent to prison: {} a year ({} to {}); community orders revoked: {} ({} to {}).",
            signed_approx(custody[0]),
            signed_approx(custody[1]),
            signed_approx(custody[2]),
            signed_approx(revoked[0]),
            signed_approx(revoked[1]),
            signed_approx(revoked[2])
        );
    }
    println!("wrote {}", dest.join("lesson.html").display());
    Ok(())
}

// ---------------------------------------------------------------------------
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
    bars: &'a [Bar],
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
    let n = spec.bars.len().max(1) as f64;
    let y_step = crate::report::charts::tick_step(ylo, yhi, 6);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(spec.title, (FONT, 24).into_font().color(&INK))
            .margin(14)
            .x_label_area_size(62)
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
        let whisker = RGBColor(0, 0, 0).stroke_width(2);
        for (i, b) in spec.bars.iter().enumerate() {
            let x = i as f64;
            let [m, l, u] = b.value;
            if m.is_finite() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.22, base), (x + 0.78, m)],
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
            let (px, py) = chart.backend_coord(&(x + 0.5, ylo));
            let style = TextStyle::from((FONT, 17).into_font())
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Top));
            for (k, line) in wrap(&b.label, 26).into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (px, py + 10 + 20 * k as i32),
                    style.clone(),
                ))
                .map_err(chart_err)?;
            }
        }
        root.present().map_err(chart_err)?;
    }
    Ok(buf)
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
    fn headline_numbers_are_rounded() {
        assert_eq!(approx(4567.0), "4,600");
        assert_eq!(approx(123.0), "120");
        assert_eq!(approx(7.4), "7");
        assert_eq!(approx(-45678.0), "-46,000");
    }

    #[test]
    fn lesson_files_resolve() {
        for f in RETENTION_FILES.iter().chain(&TESTING_FILES) {
            assert!(lesson_file(f).exists(), "{f}");
            scenario::load(&lesson_file(f)).unwrap();
        }
    }
}
