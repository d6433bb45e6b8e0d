//! Offending and arrest, drug testing in police custody, DIP assessment and referral.

use super::model::{by_band, by_group, daily};
use crate::calendar::Date;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{Disposal, EventKind, OffenceGroup, Person, Route};
use crate::parameter::{parameters, BySubstance};
use crate::pathway::PersonSim;
use crate::series::{self, CalendarParams, Input, Timeline};
use rand::RngExt;

parameters! {
    /// Offending: offences at a rate by offence group, its variation over a
    /// career, and desistance.
    pub struct OffendingParams in "offending" {
        /// Offences a year, detected or not, under age 25 (age effects act in
        /// 5-year bands, evaluated at mid-band), propensity 1, stable phase, out of
        /// treatment.
        offence_rate: BySubstance = [60.0, fitted, fitted, fitted], "offences per year", 0.0, 10000.0,
            "calibrated to the national series and the seed targets (docs/calibration.md) for other drugs, alcohol and none; opiates_crack set by hand from ukdpc_pdu_daily_crime (31% of heroin/crack arrestees offend daily)";
        /// Proportional fall in the offence rate per year of age over 25.
        age_decline: f64 = 0.03, "per year of age", 0.0, 1.0,
            "assumption: age-crime curve";
        /// Offence-rate multiplier for people with unstable housing.
        unstable_housing_multiplier: f64 = 1.3, "multiplier", 0.0, 100.0,
            "assumption";
        /// Offence-rate multiplier for people with a mental health problem.
        mental_health_multiplier: f64 = 1.1, "multiplier", 0.0, 100.0,
            "assumption";
        /// Rate of entering a crisis phase of chaotic use and high offending (per year).
        crisis_onset_rate: BySubstance = [fitted, 0.25, 0.15, 0.0], "per year", 0.0, 100.0,
            "calibrated (docs/calibration.md) for opiates_crack; assumed mechanism: periods of chaotic use drive selection into treatment (regression to the mean)";
        /// Rate of leaving a crisis phase (per year).
        crisis_recovery_rate: f64 = fitted, "per year", 0.0, 100.0,
            "calibrated (docs/calibration.md); assumed mechanism: crises last months, not years";
        /// Offence-rate multiplier during a crisis phase.
        crisis_offending_multiplier: f64 = fitted, "multiplier", 1.0, 100.0,
            "calibrated to nta_dropout_reduction (the before/after fall without much treatment)";
        /// Share of offences that are acquisitive (shoplifting, theft, burglary,
        /// robbery, fraud).
        acquisitive_share: BySubstance = [0.85, 0.35, 0.25, 0.30], "share of offences", 0.0, 1.0,
            "assumption: heroin/crack users' offending is mostly acquisitive (ukdpc_weekly_user_acquisitive_12m vs ukdpc_other_arrestee_acquisitive_12m)";
        /// Share of offences that are violence against the person.
        violence_share: BySubstance = [0.05, 0.20, 0.40, 0.30], "share of offences", 0.0, 1.0,
            "assumption: alcohol-related offending is often violent";
        /// Share of offences that are drug offences (possession, supply); the rest
        /// are other offences (criminal damage, public order, motoring).
        drugs_share: BySubstance = [0.06, 0.25, 0.05, 0.05], "share of offences", 0.0, 1.0,
            "assumption";
        /// Offence rates follow the Crime Survey's count of incidents
        /// (data/calendar/crime_survey.csv) relative to the reference date, raised
        /// to this power (0: no trend).
        crime_survey_elasticity: f64 = fitted, "elasticity", 0.0, 5.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: the crime drop was fewer opportunities for every offender (the security hypothesis), so each person's offence rate follows the survey's incidents";
        /// Desistance rate (per year) under age 30 (5-year bands, evaluated at
        /// mid-band), at propensity 1.
        desistance_rate: BySubstance = [fitted, 0.10, 0.09, fitted], "per year", 0.0, 10.0,
            "calibrated to the national series and the seed targets (docs/calibration.md) for opiates_crack and none; assumption for other drugs and alcohol: careers of about 10 years";
        /// Proportional rise in the desistance rate per year of age over 30.
        desistance_age_increase: f64 = 0.03, "per year of age", 0.0, 1.0,
            "assumption";
        /// Desistance rate x propensity^(-this): people who offend rarely stop
        /// sooner, so most careers are short and a few prolific ones are long.
        desistance_propensity_exponent: f64 = 0.5, "exponent", 0.0, 3.0,
            "assumption: criminal careers research finds low-rate offenders have short careers";
        /// Desistance-rate multiplier while in treatment.
        desistance_in_treatment_multiplier: f64 = 1.0, "multiplier", 0.0, 10.0,
            "assumption: treatment acts on the offence rate; no separate effect on stopping";
        /// Desistance-rate multiplier while on a community or suspended order.
        desistance_on_order_multiplier: f64 = 1.0, "multiplier", 0.0, 10.0,
            "assumption: supervision acts through breach and the offence rate";
        /// Desistance-rate multiplier while a court case is pending.
        desistance_case_pending_multiplier: f64 = 1.0, "multiplier", 0.0, 10.0,
            "assumption: a pending case neither speeds nor slows stopping; the case still ends in court";
    }
}

parameters! {
    /// Detection: the probability that an offence leads to an arrest, by offence group.
    pub struct DetectionParams in "detection" {
        /// Probability an acquisitive offence leads to an arrest.
        acquisitive_probability: f64 = fitted, "probability", 0.0, 1.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: most shoplifting and theft is never detected";
        /// Probability a violent offence leads to an arrest.
        violence_probability: f64 = 0.20, "probability", 0.0, 1.0,
            "assumption: victims report violence more often";
        /// Probability a drug offence leads to an arrest.
        drugs_probability: f64 = 0.20, "probability", 0.0, 1.0,
            "assumption: drug offences are found by police activity";
        /// Probability another offence leads to an arrest.
        other_probability: f64 = 0.12, "probability", 0.0, 1.0,
            "assumption";
        /// Every detection probability follows the police's sanction detection
        /// rate (data/calendar/detection_rate.csv) relative to the reference
        /// date, raised to this power (0: no trend). A what-if changes policing
        /// with `[calendar.detection_rate]`.
        detection_rate_elasticity: f64 = fitted, "elasticity", 0.0, 5.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: an offence is as likely to lead to an arrest as a recorded crime is to be detected";
        /// Every detection probability also follows the number of police
        /// officers (data/calendar/police_officers.csv) relative to the reference
        /// date, raised to this power (0: no effect).
        police_officer_elasticity: f64 = fitted, "elasticity", 0.0, 5.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: arrests take officers' time, so with the detection rate fixed they follow the workforce (the fall of 2010-2018 and the uplift of 2019-2023)";
    }
}

parameters! {
    /// Drug testing in police custody: test results. Which arrests are tested
    /// is a calendar input (data/calendar/drug_testing.csv: the pilots, the DIP's
    /// funded areas, the end of national funding, the 2021 strategy).
    pub struct TestingParams in "testing" {
        /// Probability a test is positive for opiates or cocaine, out of treatment.
        positive_probability: BySubstance = [fitted, fitted, 0.05, 0.03], "probability", 0.0, 1.0,
            "calibrated to ukdpc_positive_test_rate";
        /// Multiplier on that probability while in treatment.
        in_treatment_positive_multiplier: f64 = 0.7, "multiplier", 0.0, 1.0,
            "assumption: treatment reduces but does not stop use";
    }
}

parameters! {
    /// Drug Interventions Programme: assessment after a positive test, and referral.
    pub struct DipParams in "dip" {
        start: Date = (2003, 4, 1), "date", 0.0, 0.0,
            "DIP launched April 2003 (UKDPC 2008)";
        /// Required assessment (attendance compulsory after a positive test).
        required_assessment_start: Date = (2006, 4, 1), "date", 0.0, 0.0,
            "required assessment, Drugs Act 2005, from April 2006";
        /// Probability a positive tester is assessed before required assessment.
        voluntary_assessment_probability: f64 = 0.5, "probability", 0.0, 1.0,
            "assumption";
        /// Probability once assessment is required.
        required_assessment_probability: f64 = 0.9, "probability", 0.0, 1.0,
            "assumption: required assessment (2006) made assessment near universal";
        /// Probability an assessed person not in treatment starts treatment via DIP.
        treatment_probability: BySubstance = [fitted, fitted, 0.10, 0.0], "probability", 0.0, 1.0,
            "calibrated to ukdpc_dip_treatment_entries";
        /// Mean days from assessment to treatment start (exponential).
        treatment_delay_days_mean: f64 = 21.0, "days", 0.0, 3650.0,
            "assumption: DIP fast-tracks entry within weeks";
    }
}

/// The offending career compiled for the hot loop: per-day rates by substance group
/// and age-band multipliers.
#[derive(Debug, Clone)]
pub struct OffendingRates {
    /// Offences per day (every offence, detected or not).
    pub offence_rate: [f64; 4],
    pub housing_mult: f64,
    pub mental_health_mult: f64,
    pub crisis_onset: [f64; 4],
    pub crisis_recovery: f64,
    pub crisis_mult: f64,
    /// Share of each substance group's offences in each offence group.
    pub group_share: [[f64; OffenceGroup::N]; 4],
    /// Probability an offence of each group is detected (leads to an arrest).
    pub detection: [f64; OffenceGroup::N],
    /// Share of each substance group's offences that are detected.
    pub detected_share: [f64; 4],
    /// The calendar's multiplier on offence rates (the Crime Survey's incidents
    /// and the COVID-19 lockdowns).
    pub offending_trend: Timeline,
    /// The calendar's multiplier on detection (the sanction detection rate and
    /// the police workforce).
    pub detection_trend: Timeline,
    pub desistance: [f64; 4],
    pub desistance_propensity_exponent: f64,
    pub desistance_in_treatment: f64,
    pub desistance_on_order: f64,
    pub desistance_case_pending: f64,
    /// Offence and desistance multipliers by age band.
    pub age_offending: Vec<f64>,
    pub age_desistance: Vec<f64>,
}

/// Share of each substance group's offences in each offence group (other: the
/// rest), indexed [substance][`OffenceGroup`].
pub fn offence_group_shares(o: &OffendingParams) -> [[f64; OffenceGroup::N]; 4] {
    let acq = by_group(&o.acquisitive_share);
    let vio = by_group(&o.violence_share);
    let drugs = by_group(&o.drugs_share);
    std::array::from_fn(|g| {
        [
            acq[g],
            vio[g],
            drugs[g],
            (1.0 - acq[g] - vio[g] - drugs[g]).max(0.0),
        ]
    })
}

impl OffendingRates {
    pub fn new(o: &OffendingParams, d: &DetectionParams, c: &CalendarParams) -> Self {
        let group_share = offence_group_shares(o);
        let detection = [
            d.acquisitive_probability,
            d.violence_probability,
            d.drugs_probability,
            d.other_probability,
        ];
        let detected_share = std::array::from_fn(|g| {
            (0..OffenceGroup::N)
                .map(|k| group_share[g][k] * detection[k])
                .sum()
        });
        OffendingRates {
            offence_rate: daily(&o.offence_rate),
            housing_mult: o.unstable_housing_multiplier,
            mental_health_mult: o.mental_health_multiplier,
            crisis_onset: daily(&o.crisis_onset_rate),
            crisis_recovery: o.crisis_recovery_rate / DAYS_PER_YEAR,
            crisis_mult: o.crisis_offending_multiplier,
            group_share,
            detection,
            detected_share,
            offending_trend: series::relative_path(
                c,
                Input::CrimeSurvey,
                o.crime_survey_elasticity,
            )
            .times(&series::input_path(c, Input::LockdownCrime)),
            detection_trend: series::relative_path(
                c,
                Input::DetectionRate,
                d.detection_rate_elasticity,
            )
            .times(&series::relative_path(
                c,
                Input::PoliceOfficers,
                d.police_officer_elasticity,
            )),
            desistance: daily(&o.desistance_rate),
            desistance_propensity_exponent: o.desistance_propensity_exponent,
            desistance_in_treatment: o.desistance_in_treatment_multiplier,
            desistance_on_order: o.desistance_on_order_multiplier,
            desistance_case_pending: o.desistance_case_pending_multiplier,
            age_offending: by_band(|a| (-o.age_decline * (a - 25.0).max(0.0)).exp()),
            age_desistance: by_band(|a| (o.desistance_age_increase * (a - 30.0).max(0.0)).exp()),
        }
    }
}

/// Testing on arrest compiled: roll-out dates as day numbers, and the hook a
/// lever uses to extend testing from a date.
#[derive(Debug, Clone)]
pub struct TestingRates {
    /// Share of trigger-offence arrests tested (the calendar input).
    pub coverage: Timeline,
    pub positive_p: [f64; 4],
    pub in_treatment_positive_mult: f64,
    /// Hook: from a date, these coverages replace the roll-out's (closed by default).
    pub extension: TestingExtension,
}

/// Testing coverage from a date on, for trigger and other arrests.
#[derive(Debug, Clone, Copy)]
pub struct TestingExtension {
    pub from: f64,
    pub trigger: f64,
    pub non_trigger: f64,
}

impl TestingExtension {
    pub const NONE: TestingExtension = TestingExtension {
        from: f64::INFINITY,
        trigger: 0.0,
        non_trigger: 0.0,
    };
}

impl TestingRates {
    pub fn new(t: &TestingParams, extension: TestingExtension, c: &CalendarParams) -> Self {
        TestingRates {
            coverage: series::input_path(c, Input::DrugTesting).map(|v| v.min(1.0)),
            positive_p: by_group(&t.positive_probability),
            in_treatment_positive_mult: t.in_treatment_positive_multiplier,
            extension,
        }
    }
}

/// DIP assessment and referral compiled.
#[derive(Debug, Clone)]
pub struct DipRates {
    pub start: f64,
    pub required_assessment_start: f64,
    pub voluntary_assessment_p: f64,
    pub required_assessment_p: f64,
    pub treatment_p: [f64; 4],
    pub delay_mean: f64,
}

impl DipRates {
    pub fn new(d: &DipParams) -> Self {
        DipRates {
            start: d.start.as_f64(),
            required_assessment_start: d.required_assessment_start.as_f64(),
            voluntary_assessment_p: d.voluntary_assessment_probability,
            required_assessment_p: d.required_assessment_probability,
            treatment_p: by_group(&d.treatment_probability),
            delay_mean: d.treatment_delay_days_mean,
        }
    }
}

/// The offending career's slice of a person's state.
#[derive(Debug, Clone)]
pub struct OffendingState {
    /// In a crisis phase of chaotic use and high offending.
    pub crisis: bool,
    /// Fixed offence-rate multiplier: propensity x housing x mental health.
    pub person_mult: f64,
    /// Fixed desistance-rate multiplier: propensity^(-exponent).
    pub desist_person_mult: f64,
    /// Age-band multipliers of the offence and desistance rates.
    pub age_mult: f64,
    pub desist_age_mult: f64,
    /// Still offending (false after desistance; the person stays in the model).
    pub active: bool,
    /// Days of the last positive tests on arrest (most recent first).
    pub positive_tests: [f64; 3],
    /// The offence rate last recorded (`OffendingRate` event), per year, encoded.
    pub recorded_rate: u32,
    /// The offence rate per day behind `recorded_rate` (NaN before the first):
    /// an unchanged rate needs no encoding.
    pub recorded_per_day: f64,
    /// The calendar's multipliers in force on offending and on detection.
    pub calendar_offending: f64,
    pub calendar_detection: f64,
}

impl OffendingState {
    /// The age band's multipliers of the offence and desistance rates.
    pub fn set_age_band(&mut self, rates: &OffendingRates, band: usize) {
        self.age_mult = rates.age_offending[band];
        self.desist_age_mult = rates.age_desistance[band];
    }

    /// The calendar's multipliers in force today (set on the days they change).
    pub fn set_calendar(&mut self, today: &super::CalendarDay) {
        self.calendar_offending = today.offending;
        self.calendar_detection = today.detection;
    }

    /// Custody ends a crisis phase.
    pub fn leave_crisis(&mut self) {
        self.crisis = false;
    }

    /// At the start of the career: in crisis when `u` falls below the stationary
    /// share of time in crisis, with the person's fixed multipliers.
    pub fn at_entry(rates: &OffendingRates, person: &Person, u: f64) -> Self {
        let onset = rates.crisis_onset[person.substance.index()];
        let p_crisis = if onset + rates.crisis_recovery > 0.0 {
            onset / (onset + rates.crisis_recovery)
        } else {
            0.0
        };
        let housing = if person.unstable_housing {
            rates.housing_mult
        } else {
            1.0
        };
        let mental_health = if person.mental_health {
            rates.mental_health_mult
        } else {
            1.0
        };
        let propensity = (person.propensity as f64).max(1e-6);
        OffendingState {
            crisis: u < p_crisis,
            person_mult: propensity * housing * mental_health,
            desist_person_mult: propensity.powf(-rates.desistance_propensity_exponent),
            age_mult: 1.0,
            desist_age_mult: 1.0,
            active: person.offends,
            positive_tests: [f64::NEG_INFINITY; 3],
            recorded_rate: u32::MAX,
            recorded_per_day: f64::NAN,
            calendar_offending: 1.0,
            calendar_detection: 1.0,
        }
    }
}

/// An offence rate per year as the 24 bits of an `OffendingRate` event: thousandths
/// of an offence a year, up to 16,777 a year.
pub fn encode_rate(per_year: f64) -> u32 {
    crate::history::round(per_year * 1000.0).clamp(0.0, RATE_MAX as f64) as u32
}

/// The largest encodable rate (thousandths of an offence a year).
pub const RATE_MAX: u32 = (1 << 24) - 1;

impl PersonSim<'_> {
    /// Offences per day, detected or not: group rate x propensity x age x crisis x
    /// treatment effect x the calendar x the offending hook. Zero in custody and
    /// after desistance.
    pub(crate) fn offence_rate(&self) -> f64 {
        if self.custody.in_custody || !self.offending.active {
            return 0.0;
        }
        let m = self.m;
        let treatment = self.treatment_offending_mult();
        let crisis = if self.offending.crisis {
            m.offending.crisis_mult
        } else {
            1.0
        };
        m.offending.offence_rate[self.g]
            * self.offending.person_mult
            * self.offending.age_mult
            * crisis
            * treatment
            * self.offending.calendar_offending
            * self.recovery_offending_mult()
            * self.offending_hook()
    }

    /// Arrests per day: the offence rate thinned by detection, as the calendar
    /// moves it.
    pub(crate) fn arrest_rate(&self) -> f64 {
        let o = &self.m.offending;
        self.offence_rate() * o.detected_share[self.g] * self.offending.calendar_detection
    }

    /// Record the offence rate when it has changed (an `OffendingRate` event), so
    /// observers can count offences, detected or not, as the rate's integral.
    pub(crate) fn record_offending_rate(&mut self) {
        let per_day = self.offence_rate();
        if per_day == self.offending.recorded_per_day {
            return;
        }
        self.offending.recorded_per_day = per_day;
        let code = encode_rate(per_day * DAYS_PER_YEAR);
        if code != self.offending.recorded_rate {
            self.offending.recorded_rate = code;
            self.record(EventKind::OffendingRate, (code >> 16) as u8, code as u16);
        }
    }

    /// Rate of switching phase: into crisis when stable, out of it when in crisis.
    pub(crate) fn crisis_rate(&self) -> f64 {
        if self.custody.in_custody || !self.has_problem() {
            0.0
        } else if self.offending.crisis {
            self.m.offending.crisis_recovery
        } else {
            self.m.offending.crisis_onset[self.g]
        }
    }

    /// Share of arrests tested on this day, for trigger and other offences.
    fn testing_coverage(&self, trigger: bool) -> f64 {
        let m = self.m;
        let t = self.t;
        if !m.iv.testing.open(t) {
            return 0.0;
        }
        if t >= m.testing.extension.from {
            return if trigger {
                m.testing.extension.trigger
            } else {
                m.testing.extension.non_trigger
            };
        }
        if trigger {
            m.testing.coverage.at(t)
        } else {
            0.0
        }
    }

    /// Probability a test on arrest is positive for opiates or cocaine: the
    /// group's, lower in treatment, none after recovery.
    pub(crate) fn positive_test_probability(&self) -> f64 {
        let m = self.m;
        if !self.has_problem() {
            return 0.0;
        }
        let mut p = m.testing.positive_p[self.g];
        if self.treatment.episode.is_some() {
            p *= m.testing.in_treatment_positive_mult;
        }
        p
    }

    /// The offence group of a detected offence: offence share x detection.
    fn detected_group(&self, u: f64) -> OffenceGroup {
        let o = &self.m.offending;
        let mut x = u * o.detected_share[self.g];
        for k in OffenceGroup::ALL {
            let w = o.group_share[self.g][k as usize] * o.detection[k as usize];
            if x < w {
                return k;
            }
            x -= w;
        }
        OffenceGroup::Other
    }

    /// An arrest: trigger offence or not, test, DIP, and a possible court case.
    pub(crate) fn on_arrest(&mut self) {
        let m = self.m;
        // Fixed draws per arrest keep this stream aligned across scenarios.
        let [u_group, u_tested, u_positive, u_assess, u_refer]: [f64; 5] =
            std::array::from_fn(|_| self.arrest_rng.get().random());
        let group = self.detected_group(u_group);
        let trigger = group.is_trigger();
        self.record(EventKind::Arrest, trigger as u8, group as u16);
        if u_tested < self.testing_coverage(trigger) {
            let positive = u_positive < self.positive_test_probability();
            self.record(EventKind::Test, positive as u8, 0);
            if positive {
                self.offending.positive_tests = [
                    self.t,
                    self.offending.positive_tests[0],
                    self.offending.positive_tests[1],
                ];
                self.intensive_partnership();
            }
            if positive && self.t >= m.dip.start {
                let required = self.t >= m.dip.required_assessment_start
                    && m.iv.required_assessment.open(self.t);
                let p_assess = if required {
                    m.dip.required_assessment_p
                } else {
                    m.dip.voluntary_assessment_p
                };
                if u_assess < p_assess {
                    self.record(EventKind::DipAssessment, required as u8, 0);
                    if self.treatment.episode.is_none()
                        && self.treatment.pending.is_infinite()
                        && u_refer < m.dip.treatment_p[self.g]
                    {
                        let delay = Self::exp_days(&mut self.arrest_rng, m.dip.delay_mean);
                        self.refer_to_treatment(self.t + delay, Route::Dip);
                    }
                } else if required {
                    self.failed_assessment();
                }
            }
        }
        self.dispose_of_arrest();
    }

    /// What follows a detected offence: a caution, a penalty notice, no further
    /// action, or a charge (unless a diversion scheme takes the case), with
    /// remand in custody for some defendants.
    fn dispose_of_arrest(&mut self) {
        let m = self.m;
        // Fixed draws per arrest keep this stream aligned across scenarios.
        let [u_disposal, u_convict, u_remand]: [f64; 3] =
            std::array::from_fn(|_| self.court_rng.get().random());
        let delay = Self::exp_days(&mut self.court_rng, m.court.delay_mean);
        let priors = self.court.priors as f64;
        match m.court.disposal(self.t, priors, u_disposal) {
            Disposal::Caution => self.caution(Disposal::Caution),
            Disposal::Charge => {
                if self.diverted() {
                    return;
                }
                self.record(EventKind::Disposal, Disposal::Charge as u8, 0);
                let remanded = u_remand < m.court.remand_probability(priors);
                let convicted = u_convict < m.court.conviction_p;
                self.add_case(m.court.case_end(self.t, delay), self.t, convicted, remanded);
                if remanded {
                    self.enter_remand();
                } else {
                    self.recall_on_charge();
                    if !self.custody.in_custody && self.tested_positive_today() {
                        self.restriction_on_bail();
                    }
                }
            }
            other => self.record(EventKind::Disposal, other as u8, 0),
        }
    }

    /// Desistance ends offending (the person stays in the model, ageing, dying,
    /// entering treatment). Not possible in custody (the hazard is of stopping
    /// at liberty); in treatment, on an order and with a case pending at its
    /// multipliers.
    pub(crate) fn desistance_rate(&self) -> f64 {
        if self.custody.in_custody || !self.offending.active {
            return 0.0;
        }
        let o = &self.m.offending;
        let mut r = o.desistance[self.g]
            * self.offending.desist_age_mult
            * self.offending.desist_person_mult;
        if self.treatment.episode.is_some() {
            r *= o.desistance_in_treatment;
        }
        if self.orders.kind.is_some() {
            r *= o.desistance_on_order;
        }
        if self.court.n_cases > 0 {
            r *= o.desistance_case_pending;
        }
        r
    }

    pub(crate) fn on_desistance(&mut self) {
        self.record(EventKind::Desistance, 0, 0);
        self.offending.active = false;
    }

    /// A switch of phase: into a crisis when stable, out of it when in one.
    pub(crate) fn on_crisis_switch(&mut self) {
        self.offending.crisis = !self.offending.crisis;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{OffenceGroup, Route, Substance};

    #[test]
    fn arrest_rate_is_the_product_of_its_factors() {
        let p = crate::params::baseline();
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::Alcohol, 35.0), &mut events);
        s.offending.crisis = false;
        // Band 35-40 at 37.5: exp(-decline x 12.5).
        let age = (-p.offending.age_decline * 12.5).exp();
        // Offences thinned by detection: the alcohol group's detected share.
        let base =
            p.offending.offence_rate.alcohol / DAYS_PER_YEAR * age * m.offending.detected_share[2];
        assert!(
            (s.arrest_rate() - base).abs() < 1e-15,
            "{} vs {base}",
            s.arrest_rate()
        );
        s.offending.crisis = true;
        let crisis = base * p.offending.crisis_offending_multiplier;
        assert!((s.arrest_rate() - crisis).abs() < 1e-15 * crisis.max(1.0));
        s.treatment.episode = Some(Route::Voluntary);
        let treated = crisis * p.treatment.offending_multiplier_in_treatment;
        assert!((s.arrest_rate() - treated).abs() < 1e-15);
        s.custody.in_custody = true;
        assert_eq!(s.arrest_rate(), 0.0);
    }

    #[test]
    fn a_calendar_override_of_detection_scales_arrests_from_its_date_and_not_offences() {
        let from = Date::ymd(2027, 1, 1);
        let m = testkit::model_with(|p| {
            p.calendar.detection_rate.from = from;
            p.calendar.detection_rate.multiplier = 0.5;
            p.detection.detection_rate_elasticity = 1.0;
        });
        assert!(m.refresh_days.contains(&from.as_f64()), "a refresh day");
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 20.0), &mut events);
        s.offending.crisis = false;
        s.t = from.as_f64() - 1.0;
        s.offending.set_calendar(&m.calendar_on(s.t));
        let (offences, arrests) = (s.offence_rate(), s.arrest_rate());
        s.t = from.as_f64();
        s.offending.set_calendar(&m.calendar_on(s.t));
        assert_eq!(s.offence_rate(), offences);
        assert!((s.arrest_rate() - 0.5 * arrests).abs() < 1e-15);
    }

    #[test]
    fn the_calendar_moves_offending_and_detection_by_their_inputs_to_their_elasticities() {
        use crate::series::{input_path, Input};
        let m = testkit::model_with(|p| {
            p.offending.crime_survey_elasticity = 0.5;
            p.detection.detection_rate_elasticity = 2.0;
        });
        let p = crate::params::baseline();
        let r = p.calendar.reference.as_f64();
        let t = Date::ymd(2019, 6, 1).as_f64();
        let crime = input_path(&p.calendar, Input::CrimeSurvey);
        let lockdown = input_path(&p.calendar, Input::LockdownCrime);
        let detection = input_path(&p.calendar, Input::DetectionRate);
        let expected = (crime.at(t) / crime.at(r)).sqrt() * lockdown.at(t);
        assert!((m.offending.offending_trend.at(t) - expected).abs() < 1e-12);
        let officers = input_path(&p.calendar, Input::PoliceOfficers);
        let expected = (detection.at(t) / detection.at(r)).powi(2)
            * (officers.at(t) / officers.at(r)).powf(p.detection.police_officer_elasticity);
        assert!((m.offending.detection_trend.at(t) - expected).abs() < 1e-12);
        assert!((m.offending.detection_trend.at(r) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn testing_coverage_follows_the_drug_testing_input_and_the_extension_hook() {
        let m = testkit::model_with(|p| {
            p.levers.testing_extended.enabled = true;
            p.levers.testing_extended.start = Date::ymd(2026, 4, 1);
        });
        let p = crate::params::baseline();
        let input = crate::series::input_path(&p.calendar, crate::series::Input::DrugTesting);
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        s.t = Date::ymd(1995, 1, 1).as_f64();
        assert_eq!(
            s.testing_coverage(true),
            0.0,
            "no testing before the pilots"
        );
        for date in [
            Date::ymd(2002, 1, 1),
            Date::ymd(2007, 6, 1),
            Date::ymd(2016, 6, 1),
            Date::ymd(2023, 6, 1),
        ] {
            s.t = date.as_f64();
            assert_eq!(
                s.testing_coverage(true),
                input.at(s.t).min(1.0),
                "trigger arrests on {date}"
            );
            assert_eq!(s.testing_coverage(false), 0.0, "other arrests on {date}");
        }
        s.t = Date::ymd(2026, 4, 1).as_f64();
        assert_eq!(
            (s.testing_coverage(true), s.testing_coverage(false)),
            (1.0, 0.8)
        );
    }

    #[test]
    fn desistance_runs_at_its_multipliers_in_treatment_on_an_order_and_with_a_case_pending() {
        let m = testkit::model_with(|p| {
            p.offending.desistance_in_treatment_multiplier = 0.5;
            p.offending.desistance_on_order_multiplier = 0.25;
            p.offending.desistance_case_pending_multiplier = 2.0;
        });
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 27.0), &mut events);
        // Propensity 1: the person multiplier is 1; band 25-30 is under 30.
        let base = m.offending.desistance[3];
        assert_eq!(s.offending.desist_person_mult, 1.0);
        assert_eq!(s.desistance_rate(), base);
        s.add_case(s.t + 30.0, s.t, true, false);
        assert_eq!(s.desistance_rate(), base * 2.0);
        assert_eq!(s.close_case(0).offence_day, s.t);
        s.treatment.episode = Some(Route::Voluntary);
        assert_eq!(s.desistance_rate(), base * 0.5);
        s.orders.kind = Some(crate::history::OrderKind::Community);
        assert_eq!(s.desistance_rate(), base * 0.5 * 0.25);
        s.custody.in_custody = true;
        assert_eq!(s.desistance_rate(), 0.0, "no desistance in custody");
        s.custody.in_custody = false;
        s.on_desistance();
        assert_eq!(s.desistance_rate(), 0.0, "once only");
        assert_eq!(s.offence_rate(), 0.0, "no offending after desistance");
    }

    #[test]
    fn desistance_falls_with_propensity_and_the_detected_group_follows_share_times_detection() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut p = testkit::person(Substance::OpiatesCrack, 27.0);
        p.propensity = 4.0;
        let s = testkit::sim(&m, p, &mut events);
        let k = m.offending.desistance_propensity_exponent;
        assert!((s.offending.desist_person_mult - 4f64.powf(-k)).abs() < 1e-12);
        // The share of detected offences that are acquisitive, by inversion of u.
        let o = &m.offending;
        let w: Vec<f64> = (0..4)
            .map(|j| o.group_share[0][j] * o.detection[j])
            .collect();
        let acq = w[0] / o.detected_share[0];
        assert_eq!(s.detected_group(acq * 0.999), OffenceGroup::Acquisitive);
        assert_eq!(s.detected_group(acq * 1.001), OffenceGroup::Violence);
        assert_eq!(s.detected_group(0.99999), OffenceGroup::Other);
        assert!((w.iter().sum::<f64>() - o.detected_share[0]).abs() < 1e-15);
    }

    #[test]
    fn the_offence_rate_is_recorded_when_it_changes_and_decodes_to_the_rate() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 27.0), &mut events);
        s.offending.crisis = false;
        s.record_offending_rate();
        s.record_offending_rate();
        s.custody.in_custody = true;
        s.record_offending_rate();
        let age = s.offending.age_mult;
        let _ = s;
        let rates: Vec<u32> = events
            .iter()
            .filter(|e| e.kind == crate::history::EventKind::OffendingRate)
            .map(|e| e.offending_rate())
            .collect();
        let yearly = m.offending.offence_rate[3] * DAYS_PER_YEAR * age;
        assert_eq!(rates, vec![super::encode_rate(yearly), 0], "one per change");
        assert!((rates[0] as f64 / 1000.0 - yearly).abs() <= 0.0005);
    }
}
