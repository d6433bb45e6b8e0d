//! Death by cause: drug poisoning, with its risk in and out of OST, in the weeks
//! after leaving OST and in the weeks after release from prison; and every
//! other cause, Gompertz in age.

use super::model::{by_band, by_group, daily, EPS};
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{
    DeathCause, DeathCircumstances, EventKind, OrderOutcome, ReleaseWeeks, TreatmentExit,
};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;

parameters! {
    /// Mortality by cause: drug poisoning and every other cause.
    pub struct MortalityParams in "mortality" {
        /// General-population death rate (per year) at exact age 25; bands use their mid-age.
        base_rate_age25: f64 = 0.0006, "per year", 0.0, 1.0,
            "assumption: general population, England and Wales life tables";
        /// Years for the death rate to double with age (Gompertz).
        age_doubling_years: f64 = 9.0, "years", 1.0, 100.0,
            "assumption: Gompertz law";
        /// Multiplier of the general-population rate for deaths of other causes
        /// than drug poisoning, by substance group.
        other_cause_multiplier: BySubstance = [12.0, 2.5, 4.0, 1.5], "multiplier", 0.0, 1000.0,
            "sordo_acm_out_methadone less sordo_od_out_methadone (23 per 1,000 person-years of other causes out of treatment, about 12 times the rate at 35-40); assumption for the other groups";
        /// Drug-poisoning death rate (per year) at age 35, out of treatment and
        /// out of custody, by substance group.
        poisoning_rate_age35: BySubstance = [0.0127, 0.0003, 0.0001, 0.00001], "per year", 0.0, 1.0,
            "sordo_od_out_methadone (12.7 per 1,000 person-years out of treatment); assumption for the other groups";
        /// Years for the drug-poisoning rate to double with age.
        poisoning_age_doubling_years: f64 = 20.0, "years", 1.0, 1000.0,
            "assumption: drug-poisoning deaths peak in the 40s as the heroin cohort ages (ONS)";
        /// Drug-poisoning multiplier while in OST.
        ost_poisoning_multiplier: f64 = 0.2, "multiplier", 0.0, 10.0,
            "sordo_od_in_methadone / sordo_od_out_methadone (2.6 / 12.7)";
        /// Other-cause multiplier while in OST.
        ost_other_cause_multiplier: f64 = 0.5, "multiplier", 0.0, 10.0,
            "sordo_acm_in_methadone less sordo_od_in_methadone against out of treatment (8.7 vs 23.4 per 1,000); assumption 0.5, as part of the gap is who stays in treatment";
        /// Days after leaving OST with a raised drug-poisoning risk.
        ost_exit_window_days: f64 = 28.0, "days", 0.0, 365.0,
            "cornish_acm_wk1_2_off, cornish_acm_wk3_4_off: the first 4 weeks after leaving OST";
        /// Drug-poisoning multiplier in those days (against out of treatment).
        ost_exit_poisoning_multiplier: f64 = 4.8, "multiplier", 0.0, 100.0,
            "cornish_acm_wk1_2_off, cornish_acm_wk3_4_off, cornish_acm_rest_off (45.5 vs 9.5 per 1,000 all-cause), taken for drug poisoning";
        /// Drug-poisoning multiplier in custody.
        custody_poisoning_multiplier: f64 = 0.2, "multiplier", 0.0, 10.0,
            "assumption: few drug-poisoning deaths happen in prison";
        /// Drug-poisoning multiplier in the first week after release.
        release_multiplier_week_1: f64 = 17.5, "multiplier", 1.0, 1000.0,
            "merrall_rr_wk12_vs_3_12_uk (weeks 1-2 at 7.5 times weeks 3-12), split between weeks 1 and 2 as sing_deaths_wk1, sing_deaths_wk2 (13 vs 6); ukdpc_prison_release_death validates";
        /// Drug-poisoning multiplier in the second week after release.
        release_multiplier_week_2: f64 = 8.0, "multiplier", 1.0, 1000.0,
            "as release_multiplier_week_1";
        /// Drug-poisoning multiplier in weeks 3 and 4 after release.
        release_multiplier_weeks_3_4: f64 = 2.5, "multiplier", 1.0, 1000.0,
            "merrall_rr_wk34_vs_5_12 (1.7 times weeks 5-12)";
        /// Drug-poisoning multiplier in weeks 5 to 12 after release.
        release_multiplier_weeks_5_12: f64 = 1.5, "multiplier", 1.0, 1000.0,
            "assumption: elevated for about 12 weeks (Merrall et al. 2010), by half";
        /// Multiplier of the excess after release in weeks 1-4 for people released
        /// on OST.
        prison_ost_release_multiplier: f64 = 0.25, "multiplier", 0.0, 10.0,
            "marsden_hr_4w (hazard ratio 0.25 in the 4 weeks after release on prison OST; none after)";
    }
}

/// Mortality compiled: per-day rates, age-band multipliers, substance
/// multipliers and the shapes after release and after leaving OST.
#[derive(Debug, Clone)]
pub struct MortalityRates {
    pub base25: f64,
    pub other_mult: [f64; 4],
    pub poisoning: [f64; 4],
    pub ost_poisoning_mult: f64,
    pub ost_other_mult: f64,
    pub ost_exit_window: f64,
    pub ost_exit_mult: f64,
    pub custody_poisoning_mult: f64,
    /// Drug-poisoning multiplier by weeks since release: weeks 1, 2, 3-4, 5-12.
    pub release_mult: [f64; 4],
    pub prison_ost_release_mult: f64,
    pub age_death: Vec<f64>,
    pub age_poisoning: Vec<f64>,
}

impl MortalityRates {
    pub fn new(p: &MortalityParams) -> Self {
        MortalityRates {
            base25: p.base_rate_age25 / DAYS_PER_YEAR,
            other_mult: by_group(&p.other_cause_multiplier),
            poisoning: daily(&p.poisoning_rate_age35),
            ost_poisoning_mult: p.ost_poisoning_multiplier,
            ost_other_mult: p.ost_other_cause_multiplier,
            ost_exit_window: p.ost_exit_window_days,
            ost_exit_mult: p.ost_exit_poisoning_multiplier,
            custody_poisoning_mult: p.custody_poisoning_multiplier,
            release_mult: [
                p.release_multiplier_week_1,
                p.release_multiplier_week_2,
                p.release_multiplier_weeks_3_4,
                p.release_multiplier_weeks_5_12,
            ],
            prison_ost_release_mult: p.prison_ost_release_multiplier,
            age_death: by_band(|a| ((a - 25.0) / p.age_doubling_years).exp2()),
            age_poisoning: by_band(|a| ((a - 35.0) / p.poisoning_age_doubling_years).exp2()),
        }
    }
}

/// Mortality's slice of a person's state.
#[derive(Debug, Clone)]
pub struct MortalityState {
    /// Age-band multipliers of the other-cause and drug-poisoning rates.
    pub age_mult: f64,
    pub age_poisoning_mult: f64,
    pub alive: bool,
    /// Day of the last release from custody (past 12 weeks or none: no effect).
    pub released_at: f64,
    /// Released on OST (a journey of OST open at release).
    pub released_on_ost: bool,
    /// Day the person last left OST alive.
    pub left_ost_at: f64,
}

impl MortalityState {
    /// The age band's multipliers of the death rates.
    pub fn set_age_band(&mut self, rates: &MortalityRates, band: usize) {
        self.age_mult = rates.age_death[band];
        self.age_poisoning_mult = rates.age_poisoning[band];
    }
}

/// At the start of a career.
impl Default for MortalityState {
    fn default() -> Self {
        MortalityState {
            age_mult: 1.0,
            age_poisoning_mult: 1.0,
            alive: true,
            released_at: f64::NEG_INFINITY,
            released_on_ost: false,
            left_ost_at: f64::NEG_INFINITY,
        }
    }
}

impl PersonSim<'_> {
    /// Weeks since the last release, as a band (beyond 12 weeks: none).
    pub(crate) fn release_weeks(&self) -> ReleaseWeeks {
        if self.custody.in_custody {
            return ReleaseWeeks::Beyond;
        }
        ReleaseWeeks::of_days(self.t - self.mortality.released_at + EPS)
    }

    /// Within the raised-risk window after leaving OST, out of treatment.
    pub(crate) fn after_ost(&self) -> bool {
        self.treatment.episode.is_none()
            && self.t - self.mortality.left_ost_at + EPS < self.m.mortality.ost_exit_window
    }

    /// Other causes: Gompertz background x substance multiplier, lower in OST.
    pub(crate) fn other_cause_death_rate(&self) -> f64 {
        let m = &self.m.mortality;
        let mut r = m.base25 * self.mortality.age_mult * m.other_mult[self.g];
        if self.in_ost() {
            r *= m.ost_other_mult;
        }
        r
    }

    /// Drug poisoning: the substance group's rate x age, in or out of OST, just
    /// after leaving OST, in custody, and in the weeks after release (the excess
    /// cut for people released on OST and by prison schemes).
    pub(crate) fn poisoning_death_rate(&self) -> f64 {
        let m = &self.m.mortality;
        let mut r = m.poisoning[self.g] * self.mortality.age_poisoning_mult;
        if r == 0.0 || !self.has_problem() {
            return 0.0;
        }
        if self.in_ost() {
            r *= m.ost_poisoning_mult;
        } else if self.after_ost() {
            r *= m.ost_exit_mult;
        }
        if self.custody.in_custody {
            return r * m.custody_poisoning_mult;
        }
        let weeks = self.release_weeks();
        if weeks != ReleaseWeeks::Beyond {
            let mut excess = m.release_mult[weeks as usize - 1] - 1.0;
            excess *= self.release_death_hook();
            if self.mortality.released_on_ost && weeks <= ReleaseWeeks::Weeks3To4 {
                excess *= m.prison_ost_release_mult;
            }
            r *= 1.0 + excess;
        }
        r
    }

    /// The circumstances of a death now.
    pub(crate) fn death_circumstances(&self) -> DeathCircumstances {
        DeathCircumstances {
            release_weeks: self.release_weeks() as u8,
            in_treatment: self.treatment.episode.is_some(),
            in_ost: self.in_ost(),
            after_ost: self.after_ost(),
        }
    }

    pub(crate) fn on_death(&mut self, cause: DeathCause) {
        let circumstances = self.death_circumstances();
        self.end_treatment(TreatmentExit::Died);
        self.end_order(OrderOutcome::Died);
        self.record(EventKind::Death, cause as u8, circumstances.encode());
        self.mortality.alive = false;
    }

    /// Release starts the weeks of raised overdose risk; `on_ost`: released on OST.
    pub(crate) fn open_release_window(&mut self, on_ost: bool) {
        self.mortality.released_at = self.t;
        self.mortality.released_on_ost = on_ost;
    }

    /// Leaving OST alive starts the weeks of raised overdose risk after it.
    pub(crate) fn open_after_ost_window(&mut self) {
        self.mortality.left_ost_at = self.t;
    }

    /// The next day a death rate changes with weeks since release or since
    /// leaving OST (infinite when none is ahead).
    pub(crate) fn next_mortality_change(&self) -> f64 {
        let released = self.mortality.released_at;
        let mut next = f64::INFINITY;
        if !self.custody.in_custody && released.is_finite() {
            if let Some(&e) = ReleaseWeeks::ENDS
                .iter()
                .find(|&&e| released + e > self.t + EPS)
            {
                next = released + e;
            }
        }
        let ost_end = self.mortality.left_ost_at + self.m.mortality.ost_exit_window;
        if ost_end > self.t + EPS {
            next = next.min(ost_end);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::DAYS_PER_YEAR;
    use crate::history::{
        CustodyKind, DeathCause, DeathCircumstances, EventKind, Modality, ReleaseWeeks, Route,
        Substance, TreatmentExit,
    };

    #[test]
    fn other_causes_are_gompertz_by_age_band_and_lower_in_ost() {
        let p = crate::params::baseline();
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 41.0),
            &mut events,
        );
        // Band 40-45, taken at 42.5.
        let mo = &p.mortality;
        let gompertz = mo.base_rate_age25 / DAYS_PER_YEAR
            * ((42.5 - 25.0) / mo.age_doubling_years).exp2()
            * mo.other_cause_multiplier.opiates_crack;
        assert!((s.other_cause_death_rate() - gompertz).abs() < 1e-15 * gompertz);
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.modality = Modality::Ost;
        let in_ost = gompertz * mo.ost_other_cause_multiplier;
        assert!((s.other_cause_death_rate() - in_ost).abs() < 1e-15 * gompertz);
    }

    #[test]
    fn drug_poisoning_after_release_decays_over_twelve_weeks_and_prison_ost_cuts_weeks_1_to_4() {
        let p = crate::params::baseline();
        let mo = &p.mortality;
        // No prison scheme: the excess is the parameters' alone.
        let m = testkit::model_with(|p| p.interventions.detox_maintenance.enabled = false);
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 41.0),
            &mut events,
        );
        let base = mo.poisoning_rate_age35.opiates_crack / DAYS_PER_YEAR
            * ((42.5 - 35.0) / mo.poisoning_age_doubling_years).exp2();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b;
        assert!(close(s.poisoning_death_rate(), base));
        s.enter_custody(CustodyKind::Long);
        assert!(close(
            s.poisoning_death_rate(),
            base * mo.custody_poisoning_multiplier
        ));
        s.t = s.custody.release_day;
        s.on_release();
        let r = s.t;
        let week = [
            mo.release_multiplier_week_1,
            mo.release_multiplier_week_2,
            mo.release_multiplier_weeks_3_4,
            mo.release_multiplier_weeks_5_12,
        ];
        let mut last = f64::INFINITY;
        for (days, band, mult) in [
            (0.0, ReleaseWeeks::Week1, week[0]),
            (6.9, ReleaseWeeks::Week1, week[0]),
            (7.0, ReleaseWeeks::Week2, week[1]),
            (20.0, ReleaseWeeks::Weeks3To4, week[2]),
            (60.0, ReleaseWeeks::Weeks5To12, week[3]),
            (84.0, ReleaseWeeks::Beyond, 1.0),
        ] {
            s.t = r + days;
            assert_eq!(s.release_weeks(), band, "{days} days out");
            let rate = s.poisoning_death_rate();
            assert!(close(rate, base * mult), "{days} days out");
            assert!(rate <= last, "the risk falls week by week");
            last = rate;
        }
        // The bands' ends are the scheduled changes.
        s.t = r + 10.0;
        assert_eq!(s.next_mortality_change(), r + 14.0);
        s.t = r + 84.0;
        assert_eq!(s.next_mortality_change(), f64::INFINITY);
        // Released on OST: the excess in weeks 1-4 is cut, not after.
        s.open_release_window(true);
        let r = s.t;
        s.t = r + 1.0;
        let cut = 1.0 + (week[0] - 1.0) * mo.prison_ost_release_multiplier;
        assert!(close(s.poisoning_death_rate(), base * cut));
        s.t = r + 30.0;
        assert!(close(s.poisoning_death_rate(), base * week[3]));
    }

    #[test]
    fn ost_protects_while_in_it_and_the_weeks_after_leaving_it_are_riskier() {
        let p = crate::params::baseline();
        let mo = &p.mortality;
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 36.0),
            &mut events,
        );
        let out = s.poisoning_death_rate();
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.modality = Modality::Ost;
        s.treatment.start = s.t;
        assert!((s.poisoning_death_rate() - out * mo.ost_poisoning_multiplier).abs() < 1e-18);
        s.t += 100.0;
        s.on_dropout();
        let left = s.t;
        assert!(s.after_ost());
        assert!((s.poisoning_death_rate() - out * mo.ost_exit_poisoning_multiplier).abs() < 1e-18);
        assert_eq!(s.next_mortality_change(), left + mo.ost_exit_window_days);
        s.t = left + mo.ost_exit_window_days;
        assert!(!s.after_ost());
        assert!((s.poisoning_death_rate() - out).abs() < 1e-18);
        // Psychosocial treatment leaves no such window.
        s.treatment.episode = Some(Route::Voluntary);
        s.treatment.modality = Modality::Psychosocial;
        s.on_completion();
        assert!(!s.after_ost());
    }

    #[test]
    fn a_death_records_its_cause_and_circumstances() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 36.0),
            &mut events,
        );
        s.treatment.episode = Some(Route::Order);
        s.treatment.modality = Modality::Ost;
        s.open_release_window(true);
        s.t += 10.0;
        s.on_death(DeathCause::DrugPoisoning);
        let _ = s;
        let end = events[events.len() - 2];
        assert_eq!(
            (end.kind, TreatmentExit::from_u16(end.extra)),
            (EventKind::TreatmentEnd, TreatmentExit::Died)
        );
        let death = events[events.len() - 1];
        assert_eq!(death.kind, EventKind::Death);
        assert_eq!(DeathCause::from_u8(death.detail), DeathCause::DrugPoisoning);
        let c = DeathCircumstances::decode(death.extra);
        assert_eq!(c.release_weeks(), ReleaseWeeks::Week2);
        assert!(c.in_treatment && c.in_ost && !c.after_ost);
        assert_eq!(DeathCircumstances::decode(c.encode()), c);
    }
}
