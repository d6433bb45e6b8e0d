//! Lesson `retention`: what staying in treatment changes, for whom and over
//! what time, and how much of a before/after study's fall treatment causes.

use super::*;

pub(super) const RETENTION_FILES: [&str; 3] = [
    "retention_baseline.toml",
    "retention_better.toml",
    "retention_no_treatment.toml",
];

/// The NTA groups the chart shows, from the shortest stay to the longest, with
/// the words the page uses for them.
const GROUPS: [(&str, &str); 4] = [
    ("nta_dropout_reduction", "Dropped out"),
    ("nta_all_reduction", "Everyone who started"),
    ("nta_retained_2y_reduction", "Stayed 2 years"),
    (
        "nta_completed_no_return_reduction",
        "Completed and did not come back",
    ),
];

/// A whole percentage for the page ("40%"; never "-0%").
fn pct0(v: f64) -> String {
    if v.is_finite() {
        format!("{:.0}%", v.round() + 0.0)
    } else {
        "n/a".into()
    }
}

pub(super) fn retention(args: &LessonArgs) -> Result<(), CliError> {
    let scenarios = load_all(args, &RETENTION_FILES)?;
    let stage = output::Staging::claim(&destination(args, "retention"), args.force)?;
    let runs = run_all(args, &scenarios, true)?;
    let (wsum, wdiff) = window_tables(&runs);
    let base = &runs.outputs[0].params;
    let replicates = runs.outputs[0].replicates.len();
    let sets = runs.outputs[0].sets;
    let causal_rows = runs.causal.clone().unwrap_or_default();
    let row = |id: &str| {
        causal_rows
            .iter()
            .find(|r| r.id == id && r.cohort == causal::Cohort::Trigger)
            .cloned()
    };
    let groups: Vec<Option<CausalRow>> = GROUPS.iter().map(|g| row(g.0)).collect();
    let value =
        |k: usize, f: fn(&CausalRow) -> [f64; 3]| groups[k].as_ref().map_or([f64::NAN; 3], f);
    let seen = |k: usize| value(k, |r| r.observed);
    let caused = |k: usize| value(k, |r| r.causal);
    let anyway = |k: usize| value(k, |r| r.without_treatment_effect);
    let (dropped, stayed, completed) = (0, 2, 3);

    // The chart: for each group, the fall a before/after study sees and the
    // fall treatment causes (the same people with its effect switched off).
    let bars: Vec<Bar> = (0..GROUPS.len())
        .flat_map(|k| {
            [
                Bar {
                    label: String::new(),
                    color: RGBColor(134, 142, 150),
                    value: seen(k),
                },
                Bar {
                    label: String::new(),
                    color: PALETTE[0],
                    value: caused(k),
                },
            ]
        })
        .collect();
    let group_labels: Vec<&str> = GROUPS.iter().map(|g| g.1).collect();
    let chart = bar_chart(&BarChart {
        title: "Fall in convictions after starting treatment (people who started in 2006-07)",
        y_label: "Fewer convictions (% of the 2 years before)",
        bars: &bars,
        groups: &group_labels,
        series: &[
            ("seen by a before/after study", RGBColor(134, 142, 150)),
            ("caused by treatment", PALETTE[0]),
        ],
        from_zero: true,
        value_fmt: |v| pct0(v),
        tick_fmt: crate::report::charts::pct_ticks,
    })?;

    let (r, d) = (seen(stayed)[0], seen(dropped)[0]);
    // How much more the stayers' convictions fell than the drop-outs', run by
    // run (the same runs measure both groups).
    let gap = run::mean_and_interval(
        &runs
            .pairs
            .iter()
            .map(|p| {
                p.reductions(causal::Cohort::Trigger, crate::studies::nta::RETAINED)
                    .0
                    - p.reductions(causal::Cohort::Trigger, crate::studies::nta::DROPOUT)
                        .0
            })
            .collect::<Vec<_>>(),
    );
    let headline = if gap[1] > 0.0 {
        format!(
            "The longer people stay in treatment, the more their convictions fall: by {} for people who stayed \
             two years, by {} for people who dropped out",
            pct0(r),
            pct0(d)
        )
    } else {
        format!(
            "Convictions fell by {} for people who stayed in treatment two years and by {} for people who dropped out",
            pct0(r),
            pct0(d)
        )
    };
    let c_stayed = caused(stayed);
    let a_completed = anyway(completed);
    let s_completed = seen(completed);

    // The table: every group, seen and caused, with intervals.
    let mut table = String::from(
        "<table id=\"retention-table\">\n<tr><th>People who started treatment in 2006-07</th><th>People</th>\
         <th>Fall seen by a before/after study</th><th>Fall caused by treatment</th><th>Would have fallen anyway</th></tr>\n",
    );
    for (k, (_, label)) in GROUPS.iter().enumerate() {
        let people = groups[k]
            .as_ref()
            .map_or(f64::NAN, |r| r.people * base.run.scale);
        let (o, c, w) = (seen(k), caused(k), anyway(k));
        table.push_str(&format!(
            "<tr><td>{label}</td><td>{}</td><td>{}<small>{} to {}</small></td><td>{}<small>{} to {}</small></td>\
             <td>{}<small>{} to {}</small></td></tr>\n",
            approx(people),
            pct0(o[0]),
            pct0(o[1]),
            pct0(o[2]),
            pct0(c[0]),
            pct0(c[1]),
            pct0(c[2]),
            pct0(w[0]),
            pct0(w[1]),
            pct0(w[2]),
        ));
    }
    table.push_str("</table>\n");
    check_agreement(
        "retention",
        &headline,
        &chart,
        &table,
        &[
            Figure {
                what: "the fall for people who stayed two years",
                shown: pct0(r),
                in_chart: true,
            },
            Figure {
                what: "the fall for people who dropped out",
                shown: pct0(d),
                in_chart: true,
            },
        ],
    )?;

    // What fewer dropouts would change (the policy question).
    let in_tx = get(&wdiff[1], M::TREATMENT_CASELOAD, "all");
    let fewer = {
        // A fall is minus the difference, so the interval's ends swap.
        let d = get(&wdiff[1], M::REOFFENDERS, "all");
        [-d[0], -d[2], -d[1]]
    };
    let more_without = get(&wdiff[2], M::REOFFENDERS, "all");
    let reconvicted_now = get(&wsum[0], M::REOFFENDERS, "all")[0];

    let mut b = String::new();
    b.push_str(
        "<header><p class=\"kicker\">pathsim classroom lesson</p>\n<h1>Why staying in drug treatment matters</h1>\n\
         <p class=\"lead\">In 2012 the National Treatment Agency compared the convictions of people in the 2 years \
         <em>before</em> they started drug treatment (in 2006-07) with the 2 years <em>after</em>. We ran the same study \
         inside a simulation of England and Wales, and then did what real research cannot: ran exactly the same people \
         again with treatment's effect switched off.</p></header>\n",
    );
    b.push_str(&format!(
        "<section class=\"headline\" id=\"headline\"><h2>{}</h2>\n<p>Treatment itself caused a fall of {} for people \
         who stayed two years (95% interval {} to {}). {}.</p></section>\n",
        esc(&headline),
        pct0(c_stayed[0]),
        pct0(c_stayed[1]),
        pct0(c_stayed[2]),
        sureness(gap[1], gap[2], runs.pairs.len(), 1)
            .replace("of the direction", "that staying longer comes with a bigger fall")
            .replace("there is any change", "that staying longer comes with a bigger fall")
    ));
    b.push_str(&format!(
        "<section><h2>Seen and caused, by how long people stayed</h2>\n{}\
         <p class=\"note\">Grey bars: how much less often each group was convicted in the 2 years after starting \
         treatment than in the 2 years before, as the study measures it (convictions for trigger offences such as \
         theft, burglary and drug offences). Blue bars: how much less often the same people were convicted than they \
         would have been if treatment had no effect on their offending, from the day they started it. Whiskers: the \
         95% interval over {replicates} runs.</p></section>\n",
        figure(&chart, "Fall in convictions, seen and caused, by how long people stayed in treatment"),
    ));
    b.push_str(&format!(
        "<section><h2>The numbers</h2>\n{table}<p class=\"note\">&ldquo;Would have fallen anyway&rdquo;: the fall the \
         same people show with treatment's effect switched off (percentage points of their convictions before \
         treatment). People: the simulated cohort scaled to England and Wales (about {} people in all). Small print: the \
         95% interval over the runs.</p></section>\n",
        approx(groups[1].as_ref().map_or(f64::NAN, |r| r.people * base.run.scale)),
    ));
    b.push_str(&format!(
        "<section class=\"box\" id=\"observed-vs-causal\"><h2>What a before/after study sees vs what treatment \
         causes</h2>\n<p>For people who stayed two years, the study sees a fall of {} and treatment caused {}: here the \
         study is close. For people who <strong>completed treatment and did not come back</strong>, the study sees {} \
         but {} points of it would have happened anyway. Why? People usually start treatment just after a bad patch, \
         often straight after an arrest, when their offending is high. High points do not last: offending often drifts \
         back towards its usual level whatever happens (<em>regression to the mean</em>). People also get older, some \
         stop offending, some go to prison. The people who finish and do not come back are more often those whose \
         offending was settling anyway, so a before/after study gives treatment credit for it.</p>\n\
         <p>Stayers and drop-outs are the same people at the start here; in real life people who stay may differ (more \
         motivated, a home, support), which a real study cannot rule out, and which a model that runs the same people \
         twice gets round.</p></section>\n",
        pct0(r),
        pct0(c_stayed[0]),
        pct0(s_completed[0]),
        pct0(a_completed[0]).trim_end_matches('%'),
    ));
    b.push_str(&format!(
        "<section><h2>What if fewer people dropped out?</h2>\n<p>In a second world, from April 2026 half as many people \
         drop out of treatment. A year, on average, {FROM} to {TO}:</p>\n<table>\n<tr><th></th><th>Today</th>\
         <th>Half as many drop out</th><th>Difference</th><th>95% interval</th></tr>\n"
    ));
    for (m, label) in [
        (M::TREATMENT_CASELOAD, "People in treatment (30 June)"),
        (M::COMPLETIONS, "Treatment completions"),
        (M::REOFFENDERS, "People reconvicted within a year"),
        (M::ARRESTS, "Arrests"),
    ] {
        b.push_str(&change_row(
            label,
            get(&wsum[0], m, "all")[0],
            get(&wsum[1], m, "all")[0],
            get(&wdiff[1], m, "all"),
        ));
    }
    b.push_str(&format!(
        "</table>\n<p class=\"note\">Counts for the whole of England and Wales, the same simulated people in both \
         worlds, run by run. The change is small beside all offenders (about {} reconvicted a year) because only some \
         of them are in treatment at any time. {}. If treatment had no effect at all, about {} more people would be \
         reconvicted each year.</p></section>\n",
        approx(reconvicted_now),
        sureness(-fewer[2], -fewer[1], replicates, sets),
        approx(more_without[0])
    ));
    b.push_str(&format!(
        "<section><h2>Questions to discuss</h2>\n<ol class=\"questions\">\n\
         <li>Convictions fell by {} for people who stayed two years and {} for people who dropped out. Does that prove \
         that staying longer causes the bigger fall? What else could explain it?</li>\n\
         <li>For people who completed and did not come back, {} points of a {} fall would have happened anyway. Why \
         might their offending have fallen without treatment?</li>\n\
         <li>Halving dropout keeps about {} more people in treatment but changes the number reconvicted by only {}. \
         Why is the change so much smaller for all offenders than for the people in treatment?</li>\n\
         <li>The bars have whiskers. What do they tell you, and why did we run the simulation {} times rather than \
         once?</li>\n\
         <li>What could services do to help people stay in treatment? Who do you think would benefit most?</li>\n\
         </ol></section>\n",
        pct0(r),
        pct0(d),
        pct0(a_completed[0]).trim_end_matches('%'),
        pct0(s_completed[0]),
        approx(in_tx[0]),
        signed_approx(-fewer[0]),
        replicates
    ));
    b.push_str(&assumptions(&[
        &format!(
            "Treatment lowers a person's chance of offending while they are in it (their arrest rate is multiplied by \
             {:.2}) and, fading over {} years, after they complete it (by {:.2} at first); it does nothing after they \
             drop out. These effects are fitted to the National Treatment Agency's 2012 study.",
            base.treatment.offending_multiplier_in_treatment,
            base.treatment.completion_effect_years,
            base.treatment.offending_multiplier_after_completion
        ),
        "People's offending has high and low spells (a crisis multiplies it); treatment often starts in a high spell, \
         which is where regression to the mean comes from.",
        "Who drops out is chance at rates that depend on time in treatment, the kind of treatment and the referral \
         route, not on motivation: so stayers and drop-outs do not differ at the start.",
        &format!(
            "The comparison switches off only {}.",
            causal::EFFECTS_OFF
        ),
    ]));
    let html = lesson_page(
        "retention",
        "Why staying in drug treatment matters",
        b,
        &scenarios,
        &runs,
        "The before/after comparison re-runs the baseline with treatment's effect switched off \
         (the same people and random numbers) and measures the National Treatment Agency's study in both.",
    );
    causal::write_csv(&stage.path("observed_vs_causal.csv"), &causal_rows)?;
    let dest = publish(stage, &runs, &wsum, &wdiff, &html)?;
    if !args.quiet {
        println!(
            "Lesson: why staying in treatment matters ({} runs of each world, {:.0} s)",
            replicates, runs.seconds
        );
        println!("  {headline}.");
        println!(
            "  Caused by treatment, people who stayed two years: {} ({} to {}); completed and did not come back: \
             seen {}, {} points would have fallen anyway.",
            pct0(c_stayed[0]),
            pct0(c_stayed[1]),
            pct0(c_stayed[2]),
            pct0(s_completed[0]),
            pct0(a_completed[0]).trim_end_matches('%')
        );
        println!(
            "  Half as many drop out: {} people in treatment, {} people reconvicted a year ({FROM}-{TO}).",
            signed_approx(in_tx[0]),
            signed_approx(-fewer[0])
        );
    }
    println!("wrote {}", dest.join("lesson.html").display());
    Ok(())
}
