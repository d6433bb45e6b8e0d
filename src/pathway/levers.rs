//! What-if policy levers: each off by default and effective from its start date.
//! A lever declares its parameters here and acts on one stage through the hook
//! that stage exposes (see the stage's compiled rates).

use super::arrest::TestingExtension;
use super::model::{DatedMultiplier, DatedShare};
use crate::calendar::Date;
use crate::parameter::parameters;

/// What-if policy levers, each off by default and effective from its start date.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Levers {
    pub retention: RetentionLever,
    pub testing_extended: TestingExtendedLever,
    pub community_instead_of_short_custody: CommunityInsteadLever,
    pub treatment_access: TreatmentAccessLever,
}

parameters! {
    /// Treatment retention improves: every dropout rate is multiplied.
    pub struct RetentionLever in "levers.retention" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "policy lever: what-if";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "policy lever: what-if";
        dropout_multiplier: f64 = 0.75, "multiplier", 0.0, 10.0,
            "policy lever: what-if";
    }
}

parameters! {
    /// Testing on arrest extended beyond trigger offences.
    pub struct TestingExtendedLever in "levers.testing_extended" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "policy lever: what-if";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "policy lever: what-if";
        /// Share of non-trigger arrests tested.
        non_trigger_coverage: f64 = 0.8, "share of non-trigger arrests", 0.0, 1.0,
            "policy lever: what-if";
        /// Trigger-offence coverage from the start date.
        trigger_coverage: f64 = 1.0, "share of trigger arrests", 0.0, 1.0,
            "policy lever: what-if";
    }
}

parameters! {
    /// Short custodial sentences replaced by community orders (with a DRR or ATR
    /// where the person is eligible).
    pub struct CommunityInsteadLever in "levers.community_instead_of_short_custody" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "policy lever: what-if";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "policy lever: what-if";
        /// Share of short custodial sentences replaced.
        share: f64 = 0.5, "share of short custody", 0.0, 1.0,
            "policy lever: what-if";
    }
}

parameters! {
    /// Easier access to treatment: voluntary entry rates multiplied.
    pub struct TreatmentAccessLever in "levers.treatment_access" {
        enabled: bool = false, "on/off", 0.0, 0.0,
            "policy lever: what-if";
        start: Date = (2026, 4, 1), "date", 0.0, 0.0,
            "policy lever: what-if";
        entry_multiplier: f64 = 1.5, "multiplier", 0.0, 100.0,
            "policy lever: what-if";
    }
}

impl Levers {
    /// The treatment-access lever as the treatment stage's entry hook.
    pub fn entry_change(&self) -> DatedMultiplier {
        let l = &self.treatment_access;
        dated(l.enabled, l.start, l.entry_multiplier)
    }

    /// The retention lever as the treatment stage's dropout hook.
    pub fn dropout_change(&self) -> DatedMultiplier {
        let l = &self.retention;
        dated(l.enabled, l.start, l.dropout_multiplier)
    }

    /// The extended-testing lever as the testing stage's extension hook.
    pub fn testing_extension(&self) -> TestingExtension {
        let l = &self.testing_extended;
        if !l.enabled {
            return TestingExtension::NONE;
        }
        TestingExtension {
            from: l.start.as_f64(),
            trigger: l.trigger_coverage,
            non_trigger: l.non_trigger_coverage,
        }
    }

    /// The community-instead-of-short-custody lever as the sentencing hook.
    pub fn short_custody_replaced(&self) -> DatedShare {
        let l = &self.community_instead_of_short_custody;
        if !l.enabled {
            return DatedShare::NONE;
        }
        DatedShare {
            from: l.start.as_f64(),
            share: l.share,
        }
    }
}

fn dated(enabled: bool, start: Date, multiplier: f64) -> DatedMultiplier {
    if !enabled {
        return DatedMultiplier {
            multiplier,
            ..DatedMultiplier::NONE
        };
    }
    DatedMultiplier {
        from: start.as_f64(),
        multiplier,
    }
}

/// The first day two scenarios may differ on, when they differ only in levers
/// (each effective from its start date) and in the dated expansions of
/// interventions ([`crate::interventions::expansions_part`]): before it both simulate every person
/// alike under common random numbers, so a comparison can simulate the prefix
/// once ([`crate::engine::run_paired_with`]). Infinite when they are the same
/// simulation. `None` when they differ in anything else that moves a
/// simulation, or have a capacity limit (its waiting-list plan comes from
/// pilot runs of the whole period), or part before the run starts.
pub fn shared_until(a: &super::Params, b: &super::Params) -> Option<f64> {
    // What no simulated event depends on.
    let strip = |p: &super::Params| {
        let mut p = p.clone();
        p.name.clear();
        p.description.clear();
        p.run.replicates = 0;
        p.value_for_money = Default::default();
        p
    };
    let (mut a2, b2) = (strip(a), strip(b));
    let on = |enabled: bool, start: Date| {
        if enabled {
            start.as_f64()
        } else {
            f64::INFINITY
        }
    };
    let (la, lb) = (&a2.levers, &b2.levers);
    let (ca, cb) = (
        &la.community_instead_of_short_custody,
        &lb.community_instead_of_short_custody,
    );
    // Each lever that differs: the earlier of its two starts.
    let parts = [
        (
            la.retention != lb.retention,
            on(la.retention.enabled, la.retention.start),
            on(lb.retention.enabled, lb.retention.start),
        ),
        (
            la.testing_extended != lb.testing_extended,
            on(la.testing_extended.enabled, la.testing_extended.start),
            on(lb.testing_extended.enabled, lb.testing_extended.start),
        ),
        (ca != cb, on(ca.enabled, ca.start), on(cb.enabled, cb.start)),
        (
            la.treatment_access != lb.treatment_access,
            on(la.treatment_access.enabled, la.treatment_access.start),
            on(lb.treatment_access.enabled, lb.treatment_access.start),
        ),
    ];
    let levers_from = parts
        .iter()
        .filter(|p| p.0)
        .map(|p| p.1.min(p.2))
        .fold(f64::INFINITY, f64::min);
    let from = levers_from.min(crate::interventions::expansions_part(
        &a2.interventions,
        &b2.interventions,
    )?);
    a2.levers = b2.levers.clone();
    a2.interventions = b2.interventions.clone();
    let shareable = a2 == b2 && !a.capacity.enabled && from > a.run.start.as_f64();
    shareable.then_some(from)
}
