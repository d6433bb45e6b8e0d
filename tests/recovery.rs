//! The calibration recovers known parameters of pathsim itself: targets are
//! pathsim's own outputs at chosen parameter values (other random numbers), and
//! the whole method (screening, history matching, acceptable matches) must find
//! those values again. The unit test in `src/history_matching.rs` checks the
//! same method on a small stochastic test model; this one runs the real model.

use pathsim::calibrate::posterior::{self as post, HmConfig, Problem, Store};
use pathsim::calibrate::{params_at, Prior};
use pathsim::studies::targets::{register, replicate_values, score, Role, Target};
use std::path::Path;

fn prior(key: &str, min: f64, max: f64, log: bool) -> Prior {
    Prior {
        key: key.into(),
        min,
        max,
        log,
        balance: None,
    }
}

/// Recall, charging and test positivity each drive one official figure
/// (recalls in 2018, everyone sentenced in 2010/11, the share of tests positive
/// in 2005/06): the fit must put each posterior mean within 0.15 of its prior
/// range of the truth, with the truth inside the posterior's range and that
/// range under 0.7 of the prior's. Scale 200, 2 replicates, to mid-2019: 128
/// simulations, 45 s on 2 cores (measured 2026-12-02).
#[test]
fn the_fit_recovers_three_known_parameters_of_pathsim_from_targets_it_generated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut base = pathsim::scenario::load(&root.join("scenarios/baseline.toml"))
        .unwrap()
        .params;
    base.run.scale = 200.0;
    base.run.replicates = 2;
    base.run.horizon = pathsim::calendar::Date::ymd(2019, 7, 1);
    let priors = vec![
        prior("custody.recall_rate", 0.05, 1.0, true),
        prior("court.charge_probability", 0.2, 0.54, false),
        prior(
            "testing.positive_probability.opiates_crack",
            0.6,
            1.0,
            false,
        ),
    ];
    let truth = [0.62, 0.41, 0.55];
    let ids = ["recalls_2018", "sentenced_all_2011", "dip_positive_2005_06"];
    // The "published" figures: the model at the truth, on other random numbers
    // and four times the replicates.
    let mut observed = params_at(&base, &priors, &truth).unwrap();
    observed.run.seed += 1_000;
    observed.run.replicates = 8;
    let hidden = indicatif::ProgressBar::hidden();
    let truth_scored = score(&register(), &replicate_values(&observed, &hidden));
    let reg: Vec<Target> = register()
        .into_iter()
        .filter(|t| ids.contains(&t.id.as_str()))
        .map(|mut t| {
            let r = truth_scored.iter().find(|r| r.id == t.id).unwrap();
            t.role = Role::Calibration;
            t.published = Some(r.mean);
            t.sampling = "census".into();
            t.base = None;
            t.depends_on.clear();
            t.discrepancy_rel = Some(0.04);
            t
        })
        .collect();
    assert_eq!(reg.len(), 3);
    let cfg = HmConfig {
        screening_trajectories: 2,
        screening_threshold: 1.0,
        wave_size: 30,
        waves: 2,
        candidates: 5_000,
        cutoff: 3.0,
        final_size: 60,
        posterior_size: 60,
        fit_before: None,
        search_half_width: None,
        emulator_parameters: 3,
        store: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = reg.iter().map(|t| t.id.clone()).collect();
    let mut store = Store::open(&dir.path().join("sims.jsonl"), "recovery", ids).unwrap();
    let problem = Problem {
        base: &base,
        priors: &priors,
        register: &reg,
        current: vec![0.5; 3],
    };
    let fit = post::calibrate(&problem, &cfg, 5, &mut store, &|_| {}).unwrap();
    assert!(fit.reachable.iter().all(|&r| r), "every target reachable");
    for (i, p) in priors.iter().enumerate() {
        let v: Vec<f64> = fit.draws.iter().map(|&d| fit.sample[d].x[i]).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let (lo, hi) = v
            .iter()
            .fold((1.0f64, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        println!(
            "{}: truth {} posterior mean {mean:.3} range {lo:.3}..{hi:.3}",
            p.key, truth[i]
        );
        assert!(
            (mean - truth[i]).abs() < 0.15,
            "{}: posterior mean {mean} against the truth {}",
            p.key,
            truth[i]
        );
        assert!(
            hi - lo < 0.7,
            "{}: the targets narrow the prior ({lo}..{hi})",
            p.key
        );
        assert!(
            lo <= truth[i] && truth[i] <= hi,
            "{}: the truth {} outside the posterior {lo}..{hi}",
            p.key,
            truth[i]
        );
    }
}
