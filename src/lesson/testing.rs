//! Lesson `testing`: drug testing on arrest for more offences, the extra tests,
//! the extra treatment and net-widening.

use super::*;

pub(super) const TESTING_FILES: [&str; 2] = ["retention_baseline.toml", "testing_widened.toml"];

pub(super) fn testing(args: &LessonArgs) -> Result<(), CliError> {
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
    let title = format!(
        "Extra drug tests a year, by who is tested (in all {})",
        signed_approx(tests[0])
    );
    let chart = bar_chart(&BarChart {
        title: &title,
        y_label: "Extra tests a year (England and Wales)",
        bars: &bars,
        groups: &[],
        series: &[],
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
         2008.</p>\n<p>Extra treatment starts through DIP: {} a year (95% interval {} to {}). {}.</p></section>\n",
        esc(&headline),
        approx(no_problem[0]),
        pct(share_no_problem),
        signed_approx(starts[0]),
        signed_approx(starts[1]),
        signed_approx(starts[2]),
        sureness(
            starts[1],
            starts[2],
            runs.outputs[0].replicates.len(),
            runs.outputs[0].sets
        )
    ));
    b.push_str(&format!(
        "<section><h2>Who the extra tests are for</h2>\n{}<p class=\"note\">Extra tests a year, on average {FROM} to \
         {TO}, compared with the same people under today's rules. Whiskers: the 95% interval over {} repeated runs.</p>\
         </section>\n",
        figure(&chart, "Extra drug tests by who is tested"),
        base.run.replicates
    ));
    let mut table = String::from(
        "<table>\n<tr><th></th><th>Today</th><th>Test almost everyone</th><th>Difference</th><th>95% interval</th></tr>\n",
    );
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
        table.push_str(&change_row(
            label,
            now(m, g),
            get(&wsum[1], m, g)[0],
            d(m, g),
        ));
    }
    table.push_str("</table>\n");
    check_agreement(
        "testing",
        &headline,
        &chart,
        &table,
        &[
            Figure {
                what: "the extra tests",
                shown: approx(tests[0]),
                in_chart: true,
            },
            Figure {
                what: "the extra treatment starts",
                shown: approx(starts[0]),
                in_chart: false,
            },
        ],
    )?;
    b.push_str(&format!(
        "<section><h2>From test to treatment (a year, on average, {FROM} to {TO})</h2>\n{table}"
    ));
    b.push_str(&format!(
        "<p class=\"note\">Counts for the whole of England and Wales. The difference compares the same \
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
    b.push_str(&assumptions(&[
        "Only people with a heroin or crack (opiate or cocaine) problem can test positive, and fewer of them while \
         in treatment; people with no drug problem always test negative.",
        "A positive test leads to a DIP assessment and sometimes a treatment start, at the rates fitted to the \
         programme's published figures; a negative test has no consequence in the model.",
        "Testing is extended from April 2026 to every trigger arrest and 90% of other arrests, everywhere at once.",
        "Being tested does not change anyone's offending or sentencing except through treatment.",
    ]));
    let html = lesson_page(
        "testing",
        "Drug testing on arrest: who gets caught in the net?",
        b,
        &scenarios,
        &runs,
        "",
    );
    let dest = publish(stage, &runs, &wsum, &wdiff, &html)?;
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
