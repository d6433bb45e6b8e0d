//! The calibration recovers known parameters from targets the model itself
//! generated: simulate at known values, take the simulated figures as the
//! "published" ones, start the fit elsewhere, and check it finds the known values.

use pathsim::calendar::Date;
use pathsim::calibrate::{distance, params_at, pattern_search, Prior};
use pathsim::studies::targets::{register, replicate_values, score, Role};

#[test]
fn pattern_search_recovers_parameters_from_self_generated_targets() {
    let mut base = pathsim::params::baseline();
    // Coarse and short: the two UKDPC 2006/07 figures need histories to 2008 only.
    base.run.scale = 200.0;
    base.run.replicates = 1;
    base.run.horizon = Date::ymd(2008, 6, 1);
    let priors = vec![
        Prior {
            key: "testing.positive_probability.opiates_crack".into(),
            min: 0.5,
            max: 1.0,
            log: false,
            balance: None,
        },
        Prior {
            key: "dip.treatment_probability.opiates_crack".into(),
            min: 0.1,
            max: 0.7,
            log: false,
            balance: None,
        },
    ];
    let truth = [0.6, 0.4];
    let hidden = indicatif::ProgressBar::hidden();
    let true_params = params_at(&base, &priors, &truth).unwrap();
    let simulated = score(&register(), &replicate_values(&true_params, &hidden));
    // The register cut to two targets, with the simulated figures as published.
    let ids = ["ukdpc_positive_test_rate", "ukdpc_dip_treatment_entries"];
    let mut reg: Vec<_> = register()
        .into_iter()
        .filter(|t| ids.contains(&t.id.as_str()))
        .collect();
    assert_eq!(reg.len(), 2);
    for t in &mut reg {
        assert_eq!(t.role, Role::Calibration);
        let r = simulated.iter().find(|r| r.id == t.id).unwrap();
        assert!(r.mean.is_finite() && r.mean > 0.0, "{}: {}", t.id, r.mean);
        t.published = Some(r.mean);
    }
    let f = |x: &[f64]| {
        distance(
            &reg,
            &replicate_values(&params_at(&base, &priors, x).unwrap(), &hidden),
        )
    };
    assert!(
        f(&truth) < 1e-9,
        "the truth has zero distance on common random numbers"
    );
    let (x, d, _) = pattern_search(&[0.9, 0.8], f, 0.1, 0.005, 400, |_, _, _| Ok(())).unwrap();
    for (i, p) in priors.iter().enumerate() {
        let (got, want) = (x[i], truth[i]);
        assert!(
            (got - want).abs() < 0.03,
            "{}: recovered {:.3} (unit cube), true {want} (distance {d:.4})",
            p.key,
            got
        );
    }
}
