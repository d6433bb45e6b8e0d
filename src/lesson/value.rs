//! Lesson `value`: value for money. What keeping more people in treatment
//! costs, what it saves and who saves it, priced with the appraisal's unit
//! costs (`pathsim compare`'s value-for-money tables) on the same people.

use super::*;
use crate::value_for_money::prices::{Category, Perspective};

pub(super) const VALUE_FILES: [&str; 2] = ["retention_baseline.toml", "retention_better.toml"];

/// GBP million, rounded for a headline ("1,700").
fn millions(v: f64) -> String {
    approx(v)
}

pub(super) fn value(args: &LessonArgs) -> Result<(), CliError> {
    let scenarios = load_all(args, &VALUE_FILES)?;
    let stage = output::Staging::claim(&destination(args, "value"), args.force)?;
    let runs = run_all(args, &scenarios, false)?;
    let (a, b) = (&runs.outputs[0], &runs.outputs[1]);
    let replicates = a.replicates.len();
    let sets = a.sets;
    let settings = &b.params.value_for_money;
    let appraisal =
        crate::value_for_money::appraise(&a.replicates, &b.replicates, settings, b.sets)
            .map_err(CliError::Input)?;
    let measures = appraisal.measures();
    let measure = |id: &str| {
        measures
            .iter()
            .find(|x| x.id == id)
            .map_or([f64::NAN; 3], |x| [x.mean, x.lo95, x.hi95])
    };
    // Each category's change, run by run (GBP million, present value): the
    // public sector's, and crime's cost to victims and society.
    let change_of = |c: Category, t: &crate::value_for_money::Totals| {
        if c == Category::Crime {
            t.victims() / 1e6
        } else {
            t.cost[c as usize][Perspective::PublicSector as usize] / 1e6
        }
    };
    let per_run = |c: Category| -> Vec<f64> {
        appraisal
            .increments
            .iter()
            .map(|t| change_of(c, t))
            .collect()
    };
    let today = |c: Category| {
        let v: Vec<f64> = appraisal.base.iter().map(|t| change_of(c, t)).collect();
        run::mean_and_interval(&v)[0]
    };
    let cats: Vec<(Category, [f64; 3])> = Category::ALL
        .iter()
        .map(|&c| (c, run::mean_and_interval(&per_run(c))))
        .collect();
    let treatment = cats
        .iter()
        .find(|c| c.0 == Category::Treatment)
        .map_or([f64::NAN; 3], |c| c.1);
    // What falls on average is a saving; the savings together, run by run.
    let mut falling: Vec<(Category, [f64; 3])> =
        cats.iter().filter(|c| c.1[0] < 0.0).cloned().collect();
    falling.sort_by(|x, y| x.1[0].total_cmp(&y.1[0]));
    let savings = run::mean_and_interval(
        &(0..appraisal.increments.len())
            .map(|r| {
                -falling
                    .iter()
                    .map(|c| change_of(c.0, &appraisal.increments[r]))
                    .sum::<f64>()
            })
            .collect::<Vec<_>>(),
    );
    let society = measure("incremental_cost_society");
    let where_saved: Vec<String> = falling
        .iter()
        .take(3)
        .map(|c| short(c.0).to_string())
        .collect();

    let headline = format!(
        "Halving dropout from treatment costs about £{} million more in drug treatment over ten years, and saves \
         about £{} million, most of it in {}",
        millions(treatment[0]),
        millions(savings[0]),
        and_list(&where_saved)
    );

    // The chart: the change in each cost, and the savings together.
    let mut bars = vec![Bar {
        label: "Drug treatment".into(),
        color: PALETTE[1],
        value: treatment,
    }];
    // The three biggest savings on their own, the rest together.
    for (c, v) in falling.iter().take(3) {
        bars.push(Bar {
            label: c.label().into(),
            color: PALETTE[0],
            value: *v,
        });
    }
    if falling.len() > 3 {
        let rest: Vec<f64> = (0..appraisal.increments.len())
            .map(|r| {
                falling[3..]
                    .iter()
                    .map(|c| change_of(c.0, &appraisal.increments[r]))
                    .sum()
            })
            .collect();
        bars.push(Bar {
            label: "Everything else".into(),
            color: PALETTE[0],
            value: run::mean_and_interval(&rest),
        });
    }
    bars.push(Bar {
        label: "All the savings together".into(),
        color: PALETTE[2],
        value: [-savings[0], -savings[2], -savings[1]],
    });
    let chart = bar_chart(&BarChart {
        title: &format!(
            "Change in costs over ten years ({}-{}), £ million",
            settings.from,
            settings.from + settings.years as i32 - 1
        ),
        y_label: "Change in cost (£ million, present value)",
        bars: &bars,
        groups: &[],
        series: &[],
        from_zero: true,
        value_fmt: signed_approx,
        tick_fmt: count_ticks,
    })?;

    let mut table = String::from(
        "<table id=\"value-table\">\n<tr><th>Cost over ten years (£ million, present value)</th><th>Today</th>\
         <th>Half as many drop out</th><th>Change</th><th>95% interval</th></tr>\n",
    );
    for (c, v) in &cats {
        if v[0] == 0.0 && today(*c) == 0.0 {
            continue;
        }
        table.push_str(&change_row(
            &esc(c.label()),
            today(*c),
            today(*c) + v[0],
            *v,
        ));
    }
    table.push_str(&format!(
        "<tr><td><strong>All the savings together</strong></td><td></td><td></td><td><strong>{}</strong></td>\
         <td>{} to {}</td></tr>\n",
        signed_approx(-savings[0]),
        signed_approx(-savings[2]),
        signed_approx(-savings[1])
    ));
    for (id, label) in [
        ("incremental_cost_public_sector", "All public services"),
        (
            "incremental_cost_society",
            "Everyone: public services and the victims of crime",
        ),
    ] {
        let v = measure(id);
        table.push_str(&format!(
            "<tr><td><strong>{label}</strong></td><td></td><td></td><td><strong>{}</strong></td><td>{} to {}</td></tr>\n",
            signed_approx(v[0]),
            signed_approx(v[1]),
            signed_approx(v[2])
        ));
    }
    table.push_str("</table>\n");
    check_agreement(
        "value",
        &headline,
        &chart,
        &table,
        &[
            Figure {
                what: "the extra cost of treatment",
                shown: millions(treatment[0]),
                in_chart: true,
            },
            Figure {
                what: "the savings",
                shown: millions(savings[0]),
                in_chart: true,
            },
        ],
    )?;

    let crimes = measure("crimes_averted");
    let deaths = [
        measure("deaths_averted_drug_poisoning"),
        measure("deaths_averted_other_causes"),
    ];
    let qalys = measure("qalys_gained");
    let p_benefit = measure("probability_benefits_exceed_costs")[0];

    let mut h = String::new();
    h.push_str(&format!(
        "<header><p class=\"kicker\">pathsim classroom lesson</p>\n<h1>Is helping people stay in treatment worth the \
         money?</h1>\n<p class=\"lead\">Keeping people in drug treatment costs money: more people are in treatment for \
         longer. But people in treatment offend less, go to prison less and die less often. We simulated England and \
         Wales twice, the same people both times: as things are, and with half as many people dropping out of treatment \
         from April 2026, and priced everything that happened over the ten years {}-{}.</p></header>\n",
        settings.from,
        settings.from + settings.years as i32 - 1
    ));
    h.push_str(&format!(
        "<section class=\"headline\" id=\"headline\"><h2>{}</h2>\n<p>For public services alone the change is {} million \
         pounds; counting the cost of crime to its victims too, the change to everyone's costs is {} million pounds (95% \
         interval {} to {}): a minus means money saved. {}.</p></section>\n",
        esc(&headline),
        signed_approx(measure("incremental_cost_public_sector")[0]),
        signed_approx(society[0]),
        signed_approx(society[1]),
        signed_approx(society[2]),
        sureness(society[1], society[2], replicates, sets)
    ));
    h.push_str(&format!(
        "<section><h2>Who pays more, and who saves</h2>\n{}<p class=\"note\">Each bar is the change in one kind of cost, \
         added up over the ten years, in 2024/25 prices, with future years counted for a little less (the Treasury's \
         <em>discounting</em>, 3.5% a year). Above zero: more money spent; below zero: money saved. Whiskers: the 95% \
         interval over {replicates} runs.</p></section>\n",
        figure(&chart, "Change in costs over ten years by who pays"),
    ));
    h.push_str(&format!(
        "<section><h2>The numbers</h2>\n{table}<p class=\"note\">The same simulated people in both worlds, run by run. \
         Over the ten years the model also counts about {} fewer crimes (detected or not), {} fewer deaths from drug \
         poisoning and {} fewer from other causes, and {} more years of healthy life (<em>QALYs</em>). In {:.0}% of the \
         runs the savings were bigger than the costs.</p></section>\n",
        approx(crimes[0]),
        approx(deaths[0][0]),
        approx(deaths[1][0]),
        approx(qalys[0]),
        100.0 * p_benefit
    ));
    h.push_str(&format!(
        "<section><h2>Questions to discuss</h2>\n<ol class=\"questions\">\n\
         <li>The treatment service spends about £{} million more, and most of the savings land elsewhere ({}). Why might \
         a treatment service find it hard to pay for something that saves money for other services?</li>\n\
         <li>A large part of the saving is the cost of crime to its victims. Should that count when the government \
         decides what to pay for? Why or why not?</li>\n\
         <li>The model does not count what it would cost to help people stay in treatment (more staff, more support). \
         How much could that cost and still be worth it?</li>\n\
         <li>Money is not the only thing that changes: about {} fewer deaths from drug poisoning. How would you put \
         that beside the money?</li>\n\
         <li>Future savings are counted for a little less than money spent today. Why do you think the Treasury does \
         that?</li>\n</ol></section>\n",
        millions(treatment[0]),
        and_list(&where_saved),
        approx(deaths[0][0]),
    ));
    h.push_str(&assumptions(&[
        "Each activity the model counts has a price (a year in prison, a court case, an arrest, a year in treatment, a \
         crime's cost to its victim): the unit costs in data/costs/unit_costs.csv, each with its published source.",
        "What it costs to run a programme that halves dropout is not counted: only what changes because people stay, \
         so the saving is the most such a programme could cost and still pay for itself.",
        "Costs are in 2024/25 prices and discounted at 3.5% a year, as HM Treasury's Green Book says.",
        "Treatment's effects on offending and deaths are the model's fitted effects (see the retention lesson); if \
         they are smaller, so are the savings.",
    ]));
    let html = lesson_page(
        "value",
        "Is helping people stay in treatment worth the money?",
        h,
        &scenarios,
        &runs,
        "",
    );
    // The comparison's value-for-money tables, in the scenario's folder.
    let tables = stage.path(&b.params.name);
    std::fs::create_dir_all(&tables)
        .with_context(|| format!("cannot create {}", tables.display()))?;
    crate::value_for_money::tables::write_all(
        &tables,
        &appraisal,
        &crate::interventions::unevaluated_effects(&b.params.interventions),
    )?;
    let (wsum, wdiff) = window_tables(&runs);
    let dest = publish(stage, &runs, &wsum, &wdiff, &html)?;
    if !args.quiet {
        println!(
            "Lesson: is helping people stay in treatment worth the money? ({} runs of each world, {:.0} s)",
            replicates, runs.seconds
        );
        println!("  {headline}.");
        println!(
            "  Change to everyone's costs (public services and victims): {} million pounds (95% interval {} to {}).",
            signed_approx(society[0]),
            signed_approx(society[1]),
            signed_approx(society[2])
        );
    }
    println!("wrote {}", dest.join("lesson.html").display());
    Ok(())
}

/// A category's name inside a sentence.
fn short(c: Category) -> &'static str {
    match c {
        Category::Police => "policing",
        Category::Courts => "courts",
        Category::Probation => "probation",
        Category::Prison => "prisons",
        Category::TestingAndAssessment => "drug testing",
        Category::Treatment => "drug treatment",
        Category::Health => "health care",
        Category::Crime => "the cost of crime to victims",
    }
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => "other services".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| and_list(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "other services");
        assert_eq!(s(&["prisons"]), "prisons");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
