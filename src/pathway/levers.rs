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
