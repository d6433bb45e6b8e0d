//! Custom studies (`pathsim study`, docs/studies.md): the two built-in studies
//! re-expressed in TOML (studies/nao_pilot_reconviction.toml,
//! studies/best_hccu_selection.toml) give exactly the built-in counts on the
//! same simulated histories, and bad study files are refused with the file,
//! line and key.

mod common;

use common::{pathsim, repo};
use pathsim::history::Observer;
use pathsim::scenario::Overrides;
use pathsim::studies::custom::{self, Counter};
use pathsim::studies::{Best, Nao, Study as _};
use std::sync::Arc;

fn load_study(name: &str) -> Arc<custom::Study> {
    Arc::new(custom::spec::load(&repo(&format!("studies/{name}.toml"))).expect("study loads"))
}

/// One replicate of the baseline (with `set` overrides) at scale 20, read by a
/// built-in study and a custom one in the same pass.
fn one_replicate<B: Observer + Default>(study: &Arc<custom::Study>, set: &[&str]) -> (B, Counter) {
    let sc = Overrides {
        set: set.iter().map(|s| s.to_string()).collect(),
        replicates: Some(1),
        scale: Some(20.0),
        seed: None,
    }
    .load(&repo("scenarios/baseline.toml"))
    .expect("baseline loads");
    let p = &sc.params;
    let seed = pathsim::rng::replicate_seed(p.run.seed, 0);
    pathsim::run::run_replicate(
        p,
        seed,
        || (B::default(), Counter::new(Arc::clone(study))),
        &|| {},
    )
}

fn cell(c: &Counter, label: &str) -> custom::GroupCounts {
    let key = c.study.groups[0];
    let mut sum = custom::GroupCounts::default();
    for (k, g) in &c.groups {
        if key.label(k[0]) == label {
            sum.add(g);
        }
    }
    sum
}

fn value(values: &[custom::Value], group: &str, outcome: &str) -> f64 {
    values
        .iter()
        .find(|v| v.group[0] == group && v.outcome == outcome)
        .unwrap_or_else(|| panic!("no {outcome} for {group}"))
        .value
}

fn builtin(values: &[(&str, f64)], id: &str) -> f64 {
    values.iter().find(|v| v.0 == id).expect(id).1
}

#[test]
fn nao_pilot_reconviction_equals_the_built_in_study() {
    let study = load_study("nao_pilot_reconviction");
    let (nao, c): (Nao, Counter) = one_replicate(&study, &[]);
    assert!(
        nao.pilot_orders[0] >= 50,
        "a real cohort: {:?}",
        nao.pilot_orders
    );
    let total = c.total();
    assert_eq!(total.n, nao.pilot_orders[0]);
    assert_eq!(total.outcomes[0].with_any, nao.pilot_reconvicted[0]);
    let completed = cell(&c, "completed");
    assert_eq!(completed.n, nao.pilot_orders[1]);
    assert_eq!(completed.outcomes[0].with_any, nao.pilot_reconvicted[1]);
    // and the published figures' values, bit for bit
    let b = nao.values(20.0);
    let v = c.values(20.0);
    assert_eq!(
        value(&v, "all", "reconvicted_2y"),
        builtin(&b, "nao_pilot_reconviction_2y")
    );
    assert_eq!(
        value(&v, "completed", "reconvicted_2y"),
        builtin(&b, "nao_completer_reconviction_2y")
    );
}

/// The Best et al. counts of treatment as usual, by [retained, not retained].
fn check_best(best: &Best, c: &Counter) {
    for (g, label) in [(0, "retained"), (1, "not_retained")] {
        let x = cell(c, label);
        assert_eq!(x.n, best.people[g], "{label}: people");
        assert_eq!(
            x.outcomes[0].events, best.before[g],
            "{label}: arrests before"
        );
        assert_eq!(
            x.outcomes[1].events, best.after[g],
            "{label}: arrests after"
        );
        assert_eq!(
            (x.outcomes[2].before, x.outcomes[2].after),
            (best.before[g], best.after[g]),
            "{label}: change"
        );
    }
    let b = best.values(20.0);
    let v = c.values(20.0);
    assert_eq!(value(&v, "all", "cohort"), builtin(&b, "best_cohort_n"));
    assert_eq!(
        value(&v, "all", "arrest_change"),
        builtin(&b, "best_tau_arrest_change")
    );
    // the published effect: retained minus not-retained reduction
    let effect =
        -value(&v, "retained", "arrest_change") + value(&v, "not_retained", "arrest_change");
    assert_eq!(effect, builtin(&b, "best_hccu_effect"));
}

#[test]
fn best_selection_equals_the_built_in_study() {
    let study = load_study("best_hccu_selection");
    let (best, c): (Best, Counter) = one_replicate(&study, &[]);
    assert!(best.people.iter().sum::<u64>() >= 100, "{:?}", best.people);
    assert_eq!(
        best.intensive_people,
        [0, 0],
        "the partnership is off in the baseline"
    );
    check_best(&best, &c);
}

#[test]
fn best_selection_leaves_out_the_intensive_arm_as_the_built_in_study_does() {
    // The partnership run in the fieldwork years: its engagements must be
    // excluded exactly as the built-in study splits them off.
    let study = load_study("best_hccu_selection");
    let (best, c): (Best, Counter) = one_replicate(
        &study,
        &[
            "interventions.intensive_partnership.enabled=true",
            "interventions.intensive_partnership.start=2005-01-01",
            "interventions.intensive_partnership.coverage=0.5",
        ],
    );
    assert!(
        best.intensive_people.iter().sum::<u64>() >= 20,
        "a real intensive arm: {:?}",
        best.intensive_people
    );
    check_best(&best, &c);
}

#[test]
fn study_command_writes_its_table_and_refuses_bad_files_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let study = repo("studies/positive_test_2011.toml");
    let base = repo("scenarios/baseline.toml");
    let o = pathsim(&[
        "study",
        study.to_str().unwrap(),
        base.to_str().unwrap(),
        "--scale",
        "1000",
        "--replicates",
        "2",
        "--point",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("study.csv")).unwrap();
    let head = csv.lines().next().unwrap();
    assert_eq!(
        head,
        "study,positive,outcome,measure,mean,lo95,hi95,replicates,simulated_cohort"
    );
    for group in ["all", "true", "false"] {
        assert!(
            csv.lines().any(|l| l.starts_with(&format!(
                "positive_test_2011,{group},proven_offences_after,mean_count,"
            ))),
            "{group} row in\n{csv}"
        );
    }
    // Bad files: the line and key of the mistake, exit code 2, nothing written.
    let cases = [
        (
            "event = \"drug_tset\"",
            "cohort.event",
            "did you mean `drug_test`",
        ),
        (
            "where = { postive = true }",
            "cohort.where.postive",
            "columns of `drug_test` are: positive",
        ),
        (
            "where = { positive = \"yes\" }",
            "cohort.where.positive",
            "true or false",
        ),
        (
            "sex = [\"men\"]",
            "cohort.sex",
            "is not one of: female, male",
        ),
    ];
    let text = std::fs::read_to_string(&study).unwrap();
    for (i, (line, key, message)) in cases.iter().enumerate() {
        let bad = dir.path().join(format!("bad{i}.toml"));
        let edited = text.replacen(
            "event = \"drug_test\"\nfrom",
            &format!(
                "{}\nfrom",
                if line.starts_with("event") {
                    line.to_string()
                } else {
                    format!("event = \"drug_test\"\n{line}")
                }
            ),
            1,
        );
        assert_ne!(edited, text);
        std::fs::write(&bad, &edited).unwrap();
        let lineno = edited
            .lines()
            .position(|l| l == *line)
            .map(|n| n + 1)
            .unwrap();
        let target = dir.path().join(format!("never{i}"));
        let o = pathsim(&[
            "study",
            bad.to_str().unwrap(),
            base.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("bad{i}.toml:{lineno}:")),
            "line {lineno} in: {err}"
        );
        assert!(err.contains(key), "{key} in: {err}");
        assert!(err.contains(message), "{message} in: {err}");
        assert!(!target.exists());
    }
}
