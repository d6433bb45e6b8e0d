//! Lesson `release`: leaving prison and overdose. The weeks after release are
//! the most dangerous for people who use heroin (tolerance lost in prison);
//! opioid treatment in prison and treatment picked up at release (continuity
//! of care) are what services can do about it.

use super::*;
use crate::history::ReleaseWeeks;

pub(super) const RELEASE_FILES: [&str; 2] = ["release_baseline.toml", "release_care.toml"];

/// The bands after release the chart shows: (group, words, weeks in the band).
const BANDS: [(ReleaseWeeks, &str, f64); 4] = [
    (ReleaseWeeks::Week1, "Week 1", 1.0),
    (ReleaseWeeks::Week2, "Week 2", 1.0),
    (ReleaseWeeks::Weeks3To4, "Weeks 3-4 (each)", 2.0),
    (ReleaseWeeks::Weeks5To12, "Weeks 5-12 (each)", 8.0),
];

/// One replicate's sum of a metric's group over `FROM..=TO`.
fn total(rows: &[Row], metric: M, group: &str) -> f64 {
    rows.iter()
        .filter(|r| r.metric == metric && r.group == group && (FROM..=TO).contains(&r.period))
        .map(|r| r.value)
        .sum()
}

/// A small number for the page: one decimal under 10, else rounded.
fn small(v: f64) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if v.abs() < 10.0 {
        format!("{v:.1}")
    } else {
        approx(v)
    }
}

pub(super) fn release(args: &LessonArgs) -> Result<(), CliError> {
    let scenarios = load_all(args, &RELEASE_FILES)?;
    let stage = output::Staging::claim(&destination(args, "release"), args.force)?;
    let runs = run_all(args, &scenarios, false)?;
    let (wsum, wdiff) = window_tables(&runs);
    let replicates = runs.outputs[0].replicates.len();
    let sets = runs.outputs[0].sets;
    let years = (TO - FROM + 1) as f64;
    // Overdose deaths a week in each band, a year on average, per arm: run by run.
    let per_week = |arm: usize, band: usize| -> Vec<f64> {
        let (g, _, weeks) = BANDS[band];
        runs.outputs[arm]
            .replicates
            .iter()
            .map(|r| total(r, M::POISONING_DEATHS_BY_RELEASE_WEEKS, g.name()) / weeks / years)
            .collect()
    };
    let band = |arm: usize, k: usize| run::mean_and_interval(&per_week(arm, k));
    // The first week against a week two to three months on: the ratio of the
    // pooled means (the chart's first and last bars of today's world).
    let ratio = band(0, 0)[0] / band(0, 3)[0];
    // Overdose deaths in the 4 weeks after release a year, and the change.
    let four_weeks = |arm: usize| -> Vec<f64> {
        let weeks: Vec<Vec<f64>> = (0..3).map(|k| per_week(arm, k)).collect();
        (0..replicates)
            .map(|r| (0..3).map(|k| weeks[k][r] * BANDS[k].2).sum())
            .collect()
    };
    let (today4, care4) = (four_weeks(0), four_weeks(1));
    let prevented = run::mean_and_interval(
        &today4
            .iter()
            .zip(&care4)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
    );
    let today4 = run::mean_and_interval(&today4);
    let care4 = run::mean_and_interval(&care4);

    let ratio_text = if ratio.is_finite() {
        format!("{ratio:.0}")
    } else {
        "n/a".into()
    };
    let headline = format!(
        "The first week out of prison is the most dangerous: {} times as many overdose deaths as in a week two to \
         three months later",
        ratio_text
    );

    let mut bars = Vec::new();
    for k in 0..BANDS.len() {
        bars.push(Bar {
            label: String::new(),
            color: PALETTE[6],
            value: band(0, k),
        });
        bars.push(Bar {
            label: String::new(),
            color: PALETTE[0],
            value: band(1, k),
        });
    }
    let groups: Vec<&str> = BANDS.iter().map(|b| b.1).collect();
    let title = format!(
        "Overdose deaths in a week after leaving prison (week 1: {ratio_text} times weeks 5-12)"
    );
    let chart = bar_chart(&BarChart {
        title: &title,
        y_label: "Overdose deaths in that week, a year",
        bars: &bars,
        groups: &groups,
        series: &[
            ("today", PALETTE[6]),
            ("prison OST and care at release", PALETTE[0]),
        ],
        from_zero: true,
        value_fmt: small,
        tick_fmt: crate::report::charts::count_ticks,
    })?;

    let mut table = String::from(
        "<table id=\"release-table\">\n<tr><th>A year, on average</th><th>Today</th><th>Prison OST and care at \
         release</th><th>Difference</th><th>95% interval</th></tr>\n",
    );
    for (k, (_, label, _)) in BANDS.iter().enumerate() {
        let (t, c) = (band(0, k), band(1, k));
        table.push_str(&format!(
            "<tr><td>Overdose deaths in a week: {}</td><td>{}</td><td>{}</td><td></td><td></td></tr>\n",
            label.to_lowercase(),
            small(t[0]),
            small(c[0])
        ));
    }
    table.push_str(&format!(
        "<tr><td>Week 1 against a week in weeks 5-12</td><td>{ratio_text} times</td><td></td><td></td><td></td></tr>\n\
         <tr><td><strong>Overdose deaths in the 4 weeks after release</strong></td><td>{}</td><td>{}</td>\
         <td><strong>{}</strong></td><td>{} to {}</td></tr>\n",
        small(today4[0]),
        small(care4[0]),
        small(-prevented[0]),
        small(-prevented[2]),
        small(-prevented[1]),
    ));
    for (m, g, label) in [
        (M::RELEASES, "all", "Releases from prison"),
        (
            M::TREATMENT_STARTS,
            "release",
            "Treatment picked up at release",
        ),
        (M::POISONING_DEATHS, "all", "All overdose deaths"),
        (M::REOFFENDERS, "all", "People reconvicted within a year"),
    ] {
        table.push_str(&change_row(
            label,
            get(&wsum[0], m, g)[0],
            get(&wsum[1], m, g)[0],
            get(&wdiff[1], m, g),
        ));
    }
    table.push_str("</table>\n");
    check_agreement(
        "release",
        &headline,
        &chart,
        &table,
        &[Figure {
            what: "the first week's risk against weeks 5-12",
            shown: format!("{ratio_text} times"),
            in_chart: true,
        }],
    )?;

    let p = &runs.outputs[0].params;
    let mut h = String::new();
    h.push_str(&format!(
        "<header><p class=\"kicker\">pathsim classroom lesson</p>\n<h1>Leaving prison: the most dangerous weeks</h1>\n\
         <p class=\"lead\">In prison most people who use heroin use much less, or none, so their body loses its \
         tolerance. The same dose after release can kill. We simulated England and Wales up to {TO} twice, the same \
         people both times: as things are, and with opioid substitution treatment (<em>OST</em>: methadone or \
         buprenorphine) for nearly everyone who needs it in prison and more people linked straight to treatment when \
         they leave, from April 2026.</p></header>\n"
    ));
    h.push_str(&format!(
        "<section class=\"headline\" id=\"headline\"><h2>{}</h2>\n<p>With OST in prison and treatment picked up at \
         release, about {} fewer people a year die of an overdose in the 4 weeks after leaving prison, out of about {} \
         today (95% interval {} to {}). {}.</p></section>\n",
        esc(&headline),
        small(prevented[0]),
        small(today4[0]),
        small(prevented[1]),
        small(prevented[2]),
        sureness(prevented[1], prevented[2], replicates, sets)
    ));
    h.push_str(&format!(
        "<section><h2>Week by week after release</h2>\n{}<p class=\"note\">Each pair of bars: overdose (drug-poisoning) \
         deaths of people in that week after leaving prison, in a year, on average {FROM} to {TO}, for the whole of \
         England and Wales; weeks 3-4 and 5-12 are given per week, so the bars can be compared. Black: today; blue: with \
         OST in prison for {:.0}% of heroin and crack users and {:.0}% linked to treatment at release. Whiskers: the 95% \
         interval over {replicates} runs. These deaths are rare, so the whiskers are wide.</p></section>\n",
        figure(&chart, "Overdose deaths by week after leaving prison"),
        100.0 * scenarios[1].params.interventions.detox_maintenance.expansion_coverage,
        100.0
            * scenarios[1]
                .params
                .interventions
                .continuity_of_care
                .expansion_probability,
    ));
    h.push_str(&format!(
        "<section><h2>The numbers</h2>\n{table}<p class=\"note\">The same simulated people in both worlds, run by run; \
         the difference is the second world minus today. Each simulated person stands for {} real people.</p></section>\n",
        esc(&p.run.scale.to_string())
    ));
    h.push_str(&format!(
        "<section><h2>Questions to discuss</h2>\n<ol class=\"questions\">\n\
         <li>Why is the first week after release so much more dangerous than two months later? (Think about what \
         happens to tolerance in prison.)</li>\n\
         <li>OST in prison cuts the risk in the first 4 weeks, but only for people who get it. Who might miss out?</li>\n\
         <li>About {} fewer deaths a year out of about {}: is that a lot or a little? Why are the whiskers so wide, and \
         what would you do to be more sure?</li>\n\
         <li>What else could help in the first week: naloxone, somewhere to live, an appointment on the day of \
         release?</li>\n\
         <li>Most overdose deaths do not happen just after prison. Where else would you look to prevent them?</li>\n\
         </ol></section>\n",
        small(prevented[0]),
        small(today4[0]),
    ));
    h.push_str(&assumptions(&[
        &format!(
            "After release, a drug user's overdose risk is multiplied by {} in week 1, {} in week 2, {} in weeks 3-4 \
             and {} in weeks 5-12 (Merrall and others, 2010, and the Scottish and English studies in the register).",
            p.mortality.release_multiplier_week_1,
            p.mortality.release_multiplier_week_2,
            p.mortality.release_multiplier_weeks_3_4,
            p.mortality.release_multiplier_weeks_5_12
        ),
        &format!(
            "Leaving prison on OST multiplies the extra risk of the first 4 weeks by {} (Marsden and others, 2017); \
             in community OST the risk is multiplied by {}.",
            p.mortality.prison_ost_release_multiplier, p.mortality.ost_poisoning_multiplier
        ),
        "Treatment picked up at release starts within days, and protects from then on as any community treatment \
         does.",
        "Nothing else changes for people leaving prison (housing, naloxone, benefits): the model does not have them.",
    ]));
    let html = lesson_page(
        "release",
        "Leaving prison: the most dangerous weeks",
        h,
        &scenarios,
        &runs,
        "",
    );
    let dest = publish(stage, &runs, &wsum, &wdiff, &html)?;
    if !args.quiet {
        println!(
            "Lesson: leaving prison, the most dangerous weeks ({} runs of each world, {:.0} s)",
            replicates, runs.seconds
        );
        println!("  {headline}.");
        println!(
            "  Overdose deaths in the 4 weeks after release, a year ({FROM}-{TO}): today {}, with OST in prison and \
             care at release {} ({} fewer, 95% interval {} to {}).",
            small(today4[0]),
            small(care4[0]),
            small(prevented[0]),
            small(prevented[1]),
            small(prevented[2])
        );
    }
    println!("wrote {}", dest.join("lesson.html").display());
    Ok(())
}
