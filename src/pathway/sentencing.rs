//! Conviction and sentence: discharge or fine, community order (with a DTTO, DRR
//! or ATR where eligible and available), suspended sentence, short or long custody.

use super::model::DatedShare;
use crate::calendar::Date;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{
    CustodyKind, Disposal, EventKind, OrderKind, OrderOutcome, Sentence, Substance,
};
use crate::parameter::{parameters, INF};
use crate::pathway::PersonSim;
use crate::series::{self, CalendarParams, Input, Timeline};
use rand::RngExt;

parameters! {
    /// From arrest to disposal, charge, remand and conviction.
    pub struct CourtParams in "court" {
        /// Probability an arrest of someone with no previous offence ends in a
        /// caution (simple caution, a proven offence), on the reference date; it
        /// follows the cautioning rate (cautioned as a share of those cautioned
        /// or convicted, data/calendar/out_of_court.csv).
        caution_probability: f64 = fitted, "probability", 0.0, 1.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: cautions are for early, low-level offending";
        /// Proportional fall in the caution probability per previous offence;
        /// the cautions not given become charges.
        caution_decline_per_prior: f64 = 0.5, "per previous offence", 0.0, 10.0,
            "assumption: repeat offenders are charged";
        /// Probability an arrest ends in a penalty notice for disorder (not a
        /// proven offence).
        penalty_notice_probability: f64 = 0.06, "probability", 0.0, 1.0,
            "assumption: penalty notices, from 2004, for minor offences";
        /// Probability an arrest ends in a charge, besides the cautions not given.
        charge_probability: f64 = fitted, "probability", 0.0, 1.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: about half of arrests are charged; the rest end in no further action";
        /// Probability a charged defendant is convicted.
        conviction_probability: f64 = 0.80, "probability", 0.0, 1.0,
            "assumption: most prosecutions end in conviction";
        /// Probability a charged defendant with no previous offence is remanded
        /// in custody until the case ends.
        remand_probability: f64 = 0.03, "probability", 0.0, 1.0,
            "assumption: remand is for serious or repeat offending";
        /// Proportional rise in the remand probability per previous offence
        /// (capped at 20).
        remand_increase_per_prior: f64 = 0.15, "per previous offence", 0.0, 10.0,
            "assumption: a long record raises the risk of failing to surrender";
        /// Mean days of normal court time from charge to the case's end
        /// (exponential); court time runs at the courts' throughput
        /// (data/calendar/court_throughput.csv), so a case open in the COVID-19
        /// closures takes longer.
        delay_days_mean: f64 = 75.0, "days", 0.0, 3650.0,
            "assumption: cases take a few months";
    }
}

parameters! {
    /// Sentencing at conviction.
    pub struct SentencingParams in "sentencing" {
        /// Relative weight of each sentence for a first conviction.
        weight_discharge_fine: f64 = 0.55, "relative weight", 0.0, INF,
            "assumption: sentencing statistics shape";
        /// Relative weight of each sentence for a first conviction.
        weight_community: f64 = 0.25, "relative weight", 0.0, INF,
            "assumption";
        /// Relative weight of each sentence for a first conviction.
        weight_suspended: f64 = 0.06, "relative weight", 0.0, INF,
            "assumption";
        /// Relative weight of each sentence for a first conviction (the two
        /// custodial weights on the reference date: they follow the custody rate,
        /// data/calendar/custody_rate.csv).
        weight_short_custody: f64 = fitted, "relative weight", 0.0, INF,
            "calibrated to ukdpc_prison_reception_pdu_low/high";
        /// Relative weight of each sentence for a first conviction.
        weight_long_custody: f64 = fitted, "relative weight", 0.0, INF,
            "calibrated to the national series and the seed targets (docs/calibration.md)";
        /// Proportional rise of the custody weights per prior conviction (capped at 20).
        custody_escalation_per_prior: f64 = fitted, "per prior conviction", 0.0, 10.0,
            "calibrated (docs/calibration.md); assumed mechanism: custody more likely with a longer record";
        /// Proportional rise of the community and suspended weights per prior conviction.
        community_escalation_per_prior: f64 = 0.04, "per prior conviction", 0.0, 10.0,
            "assumption";
        /// Custody-weight multiplier for opiate/crack users (prolific acquisitive offending).
        pdu_custody_multiplier: f64 = fitted, "multiplier", 0.0, 100.0,
            "calibrated to ukdpc_prison_reception_pdu_low/high";
        /// DTTO pilots start (orders available to a share of courts).
        dtto_pilot_start: Date = (1998, 10, 1), "date", 0.0, 0.0,
            "DTTO pilots from October 1998 (NAO 2004)";
        /// DTTO pilots start (orders available to a share of courts).
        dtto_pilot_coverage: f64 = 0.15, "share of courts", 0.0, 1.0,
            "assumption: three pilot areas then more (nao_pilot_reconviction_2y)";
        /// National DTTO roll-out.
        dtto_start: Date = (2000, 10, 1), "date", 0.0, 0.0,
            "national DTTO roll-out October 2000 (NAO 2004)";
        /// DRR and ATR replace the DTTO (Criminal Justice Act 2003).
        drr_start: Date = (2005, 4, 1), "date", 0.0, 0.0,
            "DRR replaces DTTO, April 2005 (UKDPC 2008)";
        /// Share of community and suspended sentences for drug users that carry a DTTO.
        dtto_share: f64 = fitted, "share of community sentences", 0.0, 1.0,
            "calibrated to ukdpc_dtto_drr_starts";
        /// Share that carry a DRR (opiate/crack users).
        drr_share: f64 = fitted, "share of community sentences", 0.0, 1.0,
            "calibrated to ukdpc_dtto_drr_starts";
        /// Multiplier on the DTTO/DRR share for users of other drugs.
        other_drugs_requirement_multiplier: f64 = fitted, "multiplier", 0.0, 10.0,
            "calibrated to bold_drr_opiates";
        /// Share of community and suspended sentences for alcohol users that carry an ATR.
        atr_share: f64 = 0.15, "share of community sentences", 0.0, 1.0,
            "assumption: ATRs are fewer than DRRs (bold_records)";
        /// Prior convictions needed before a court gives a DTTO or DRR (orders went
        /// to persistent offenders).
        requirement_min_priors: f64 = fitted, "prior convictions", 0.0, 100.0,
            "calibrated to nao_pilot_reconviction_2y (orders went to persistent offenders)";
        /// From this date, DRR and ATR shares fall by `requirement_decline_per_year`.
        requirement_decline_start: Date = (2009, 4, 1), "date", 0.0, 0.0,
            "assumption: DRR use fell after the 2008 peak";
        /// Proportional fall a year in DRR and ATR use after the decline starts.
        requirement_decline_per_year: f64 = fitted, "per year", 0.0, 1.0,
            "calibrated to bold_records (fewer DRR/ATR by 2018-22 than DTTO/DRR in 2006/07)";
    }
}

/// Prior convictions beyond this add nothing to sentence severity.
const PRIOR_CAP: u32 = 20;

/// From arrest to conviction, compiled.
#[derive(Debug, Clone)]
pub struct CourtRates {
    pub caution_p: f64,
    pub caution_decline: f64,
    pub penalty_notice_p: f64,
    pub charge_p: f64,
    pub conviction_p: f64,
    pub remand_p: f64,
    pub remand_increase: f64,
    pub delay_mean: f64,
    /// The calendar's multiplier on the caution probability.
    pub caution_trend: Timeline,
    /// How fast court time runs, relative to 2019 (the calendar input).
    pub throughput: Timeline,
}

impl CourtRates {
    pub fn new(c: &CourtParams, cal: &CalendarParams) -> Self {
        let caution_trend = series::relative_path(cal, Input::OutOfCourt, 1.0);
        CourtRates {
            caution_trend,
            throughput: series::input_path(cal, Input::CourtThroughput),
            caution_p: c.caution_probability,
            caution_decline: c.caution_decline_per_prior,
            penalty_notice_p: c.penalty_notice_probability,
            charge_p: c.charge_probability,
            conviction_p: c.conviction_probability,
            remand_p: c.remand_probability,
            remand_increase: c.remand_increase_per_prior,
            delay_mean: c.delay_days_mean,
        }
    }

    /// The police disposal on day `t` of an arrest of someone with `priors`
    /// previous offences, for a uniform draw `u`: caution, penalty notice, charge
    /// or no further action, in that order on [0, 1).
    pub fn disposal(&self, t: f64, priors: f64, u: f64) -> Disposal {
        let caution_p = (self.caution_p * self.caution_trend.at(t))
            .min(1.0 - self.penalty_notice_p - self.charge_p)
            .max(0.0);
        let caution = caution_p * (-self.caution_decline * priors).exp();
        let charge = self.charge_p + (caution_p - caution);
        if u < caution {
            Disposal::Caution
        } else if u < caution + self.penalty_notice_p {
            Disposal::PenaltyNotice
        } else if u < caution + self.penalty_notice_p + charge {
            Disposal::Charge
        } else {
            Disposal::NoFurtherAction
        }
    }

    /// The day a case charged on `t` ends when it needs `days` of normal court
    /// time: court time runs at the throughput of each day it is open.
    pub fn case_end(&self, t: f64, days: f64) -> f64 {
        self.throughput.advance(t, days)
    }

    /// Probability a charged defendant with `priors` previous offences is remanded.
    pub fn remand_probability(&self, priors: f64) -> f64 {
        (self.remand_p * (1.0 + self.remand_increase * priors.min(PRIOR_CAP as f64))).min(1.0)
    }
}

/// Sentencing compiled: weights and requirement dates as day numbers, and the
/// hook a lever uses to replace short custody from a date.
#[derive(Debug, Clone)]
pub struct SentencingRates {
    pub weights: [f64; 5],
    pub custody_escalation: f64,
    pub pdu_custody_mult: f64,
    pub community_escalation: f64,
    pub dtto_pilot_start: f64,
    pub dtto_pilot_coverage: f64,
    pub dtto_start: f64,
    pub drr_start: f64,
    pub dtto_share: f64,
    pub drr_share: f64,
    pub atr_share: f64,
    pub requirement_min_priors: f64,
    pub other_drugs_requirement_mult: f64,
    pub requirement_decline_start: f64,
    pub requirement_decline_per_year: f64,
    /// Hook: from a date, this share of short custodial sentences becomes a
    /// community order (closed by default).
    pub short_custody_replaced: DatedShare,
    /// The calendar's multiplier on the weights of custodial sentences (the
    /// custody rate relative to the reference date).
    pub custody_trend: Timeline,
}

impl SentencingRates {
    pub fn new(
        s: &SentencingParams,
        short_custody_replaced: DatedShare,
        cal: &CalendarParams,
    ) -> Self {
        SentencingRates {
            custody_trend: series::relative_path(cal, Input::CustodyRate, 1.0),
            weights: [
                s.weight_discharge_fine,
                s.weight_community,
                s.weight_suspended,
                s.weight_short_custody,
                s.weight_long_custody,
            ],
            custody_escalation: s.custody_escalation_per_prior,
            pdu_custody_mult: s.pdu_custody_multiplier,
            community_escalation: s.community_escalation_per_prior,
            dtto_pilot_start: s.dtto_pilot_start.as_f64(),
            dtto_pilot_coverage: s.dtto_pilot_coverage,
            dtto_start: s.dtto_start.as_f64(),
            drr_start: s.drr_start.as_f64(),
            dtto_share: s.dtto_share,
            drr_share: s.drr_share,
            atr_share: s.atr_share,
            requirement_min_priors: s.requirement_min_priors,
            other_drugs_requirement_mult: s.other_drugs_requirement_multiplier,
            requirement_decline_start: s.requirement_decline_start.as_f64(),
            requirement_decline_per_year: s.requirement_decline_per_year,
            short_custody_replaced,
        }
    }
}

/// Maximum court cases awaiting conviction at once; an arrest while this many
/// are pending leads to no further case (rare: it needs 8 open cases).
pub const MAX_PENDING: usize = 8;

/// A charge awaiting its end in court.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The day the case ends (verdict and, if convicted, sentence).
    pub due: f64,
    pub offence_day: f64,
    /// Ends in a conviction (drawn at charge).
    pub convicted: bool,
    /// The defendant is remanded in custody until it ends.
    pub remanded: bool,
}

impl Case {
    const NONE: Case = Case {
        due: f64::INFINITY,
        offence_day: 0.0,
        convicted: false,
        remanded: false,
    };
}

/// The court's slice of a person's state: open cases and the criminal record.
#[derive(Debug, Clone)]
pub struct CourtState {
    /// Open cases; the first `n_cases` are used.
    pub cases: [Case; MAX_PENDING],
    pub n_cases: usize,
    /// Proven offences so far (convictions and cautions, with those before entry).
    pub priors: u32,
}

/// At the start of a career.
impl Default for CourtState {
    fn default() -> Self {
        CourtState::with_priors(0)
    }
}

impl CourtState {
    /// No open case, and `priors` proven offences on the record.
    pub fn with_priors(priors: u16) -> Self {
        CourtState {
            cases: [Case::NONE; MAX_PENDING],
            n_cases: 0,
            priors: priors as u32,
        }
    }
}

impl PersonSim<'_> {
    /// The treatment requirement a community or suspended sentence carries, if any.
    /// `priors` counts convictions before this one.
    fn requirement(&self, u: f64, priors: f64) -> Option<OrderKind> {
        let m = self.m;
        let t = self.t;
        let s = self.person.substance;
        let decline = if t > m.sentencing.requirement_decline_start {
            (-m.sentencing.requirement_decline_per_year
                * (t - m.sentencing.requirement_decline_start)
                / DAYS_PER_YEAR)
                .exp()
        } else {
            1.0
        };
        if !self.has_problem() {
            None
        } else if s.uses_drugs() {
            let share = if s == Substance::OtherDrugs {
                m.sentencing.other_drugs_requirement_mult
            } else {
                1.0
            };
            let u = u / share.max(1e-12);
            if priors < m.sentencing.requirement_min_priors || !m.iv.dtto_drr.open(t) {
                None
            } else if t >= m.sentencing.drr_start {
                (u < m.sentencing.drr_share * decline).then_some(OrderKind::Drr)
            } else if t >= m.sentencing.dtto_start {
                (u < m.sentencing.dtto_share).then_some(OrderKind::Dtto)
            } else if t >= m.sentencing.dtto_pilot_start {
                (u < m.sentencing.dtto_share * m.sentencing.dtto_pilot_coverage)
                    .then_some(OrderKind::Dtto)
            } else {
                None
            }
        } else if s == Substance::Alcohol && t >= m.sentencing.drr_start && m.iv.atr.open(t) {
            (u < m.sentencing.atr_share * decline).then_some(OrderKind::Atr)
        } else {
            None
        }
    }

    /// A conviction for an offence committed on `offence_day`; `remanded` if the
    /// defendant was remanded in custody for this case.
    pub(crate) fn on_conviction(&mut self, offence_day: f64, remanded: bool) {
        let m = self.m;
        let [u_sentence, u_lever, u_requirement, u_engage, u_breach, u_resentence]: [f64; 6] =
            std::array::from_fn(|_| self.sentencing_rng.get().random());
        let lag = (self.t.floor() - offence_day.floor()).clamp(0.0, u16::MAX as f64) as u16;
        let priors = self.court.priors.min(PRIOR_CAP) as f64;
        self.court.priors += 1;
        if self.custody.in_custody && !self.custody.on_remand {
            self.record(EventKind::Conviction, Sentence::Concurrent as u8, lag);
            return;
        }
        let mut w = m.sentencing.weights;
        w[1] *= 1.0 + m.sentencing.community_escalation * priors;
        w[2] *= 1.0 + m.sentencing.community_escalation * priors;
        let pdu = if self.person.substance.is_pdu() {
            m.sentencing.pdu_custody_mult
        } else {
            1.0
        };
        let custody = (1.0 + m.sentencing.custody_escalation * priors)
            * pdu
            * m.sentencing.custody_trend.at(self.t);
        w[3] *= custody;
        w[4] *= custody;
        let total: f64 = w.iter().sum();
        let mut x = u_sentence * total;
        let mut pick = 0;
        while pick < 4 && x >= w[pick] {
            x -= w[pick];
            pick += 1;
        }
        let mut sentence = [
            Sentence::DischargeFine,
            Sentence::Community,
            Sentence::Suspended,
            Sentence::ShortCustody,
            Sentence::LongCustody,
        ][pick];
        if sentence == Sentence::ShortCustody
            && self.t >= m.sentencing.short_custody_replaced.from
            && u_lever < m.sentencing.short_custody_replaced.share
        {
            sentence = Sentence::Community;
        }
        // A new conviction during an order may breach it: the order is revoked and
        // the court resentences, to custody at the revocation probability.
        let mut breach_custody = false;
        if self.orders.kind.is_some() && u_breach < m.orders.reconviction_breach_p {
            self.end_order(OrderOutcome::RevokedOnReconviction);
            if !sentence.is_custody() && u_resentence < m.orders.revocation_custody_p {
                sentence = Sentence::ShortCustody;
                breach_custody = true;
            }
        }
        self.record(EventKind::Conviction, sentence as u8, lag);
        if remanded && self.custody.on_remand && !sentence.is_custody() {
            self.release_from_remand();
        }
        match sentence {
            Sentence::DischargeFine | Sentence::Concurrent => {}
            Sentence::Community | Sentence::Suspended => {
                let kind = self.requirement(u_requirement, priors).unwrap_or(
                    if sentence == Sentence::Community {
                        OrderKind::Community
                    } else {
                        OrderKind::Suspended
                    },
                );
                // A person already on an order keeps it: the new sentence runs
                // alongside (an assumption: courts often add to an order rather than
                // revoke it), so a conviction alone does not end an order. Someone
                // still on remand for another case gets no order (an assumption:
                // rare, and the other case decides).
                if self.orders.kind.is_none() && !self.custody.on_remand {
                    self.start_order(kind, u_engage);
                }
            }
            Sentence::ShortCustody if breach_custody => self.enter_custody(CustodyKind::Breach),
            Sentence::ShortCustody => self.enter_custody(CustodyKind::Short),
            Sentence::LongCustody => self.enter_custody(CustodyKind::Long),
        }
    }

    /// Add a court case for an offence on day `offence_day`, ending on `due`.
    pub(crate) fn add_case(&mut self, due: f64, offence_day: f64, convicted: bool, remanded: bool) {
        if self.court.n_cases < MAX_PENDING {
            self.court.cases[self.court.n_cases] = Case {
                due,
                offence_day,
                convicted,
                remanded,
            };
            self.court.n_cases += 1;
        }
    }

    /// The day the next case ends (infinite with no open case).
    pub(crate) fn next_conviction(&self) -> f64 {
        self.court.cases[..self.court.n_cases]
            .iter()
            .fold(f64::INFINITY, |t, c| if c.due < t { c.due } else { t })
    }

    /// The next case ends (of cases ending at the same moment, the one in the
    /// lowest slot): a conviction and sentence, or an acquittal; a remanded
    /// defendant not given custody is released.
    pub(crate) fn on_next_conviction(&mut self) {
        let due = self.next_conviction();
        let i = self.court.cases[..self.court.n_cases]
            .iter()
            .position(|c| c.due == due)
            .expect("a case is due");
        let case = self.close_case(i);
        if case.convicted {
            self.on_conviction(case.offence_day, case.remanded);
        }
        if case.remanded && self.custody.on_remand {
            self.release_from_remand();
        }
    }

    /// Close open case `i`; returns it.
    pub(crate) fn close_case(&mut self, i: usize) -> Case {
        let case = self.court.cases[i];
        self.court.n_cases -= 1;
        self.court.cases[i] = self.court.cases[self.court.n_cases];
        self.court.cases[self.court.n_cases] = Case::NONE;
        case
    }

    /// A proven offence outside court (a caution) joins the record.
    pub(crate) fn caution(&mut self, kind: Disposal) {
        self.court.priors += 1;
        self.record(EventKind::Disposal, kind as u8, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{CustodyKind, Disposal, EventKind, OrderKind, Substance};

    #[test]
    fn the_disposal_partitions_the_unit_interval_and_cautions_give_way_to_charges() {
        let c = super::CourtRates::new(
            &super::CourtParams {
                caution_probability: 0.3,
                caution_decline_per_prior: 0.5,
                penalty_notice_probability: 0.06,
                charge_probability: 0.4,
                ..Default::default()
            },
            &crate::series::CalendarParams::default(),
        );
        // On the reference date the calendar leaves the caution probability as declared.
        let r = crate::series::CalendarParams::default().reference.as_f64();
        assert!((c.caution_trend.at(r) - 1.0).abs() < 1e-12);
        for (u, d) in [
            (0.2999, Disposal::Caution),
            (0.3001, Disposal::PenaltyNotice),
            (0.3599, Disposal::PenaltyNotice),
            (0.3601, Disposal::Charge),
            (0.7599, Disposal::Charge),
            (0.7601, Disposal::NoFurtherAction),
        ] {
            assert_eq!(c.disposal(r, 0.0, u), d, "u = {u}");
        }
        // Two previous offences: the caution share falls by exp(-1) and the rest
        // are charged, so no further action keeps its share.
        let caution = 0.3 * (-1.0f64).exp();
        assert_eq!(c.disposal(r, 2.0, caution - 1e-9), Disposal::Caution);
        assert_eq!(c.disposal(r, 2.0, caution + 1e-9), Disposal::PenaltyNotice);
        assert_eq!(c.disposal(r, 2.0, 0.7599), Disposal::Charge);
        assert_eq!(c.disposal(r, 2.0, 0.7601), Disposal::NoFurtherAction);
        // Later, cautions follow the calendar: half the trend, half the cautions.
        let t = crate::calendar::Date::ymd(2019, 6, 1).as_f64();
        let k = c.caution_trend.at(t);
        assert!(
            k > 0.0 && k < 1.0,
            "fewer cautions per detection in 2019: {k}"
        );
        assert_eq!(c.disposal(t, 0.0, 0.3 * k - 1e-9), Disposal::Caution);
        assert_eq!(c.disposal(t, 0.0, 0.3 * k + 1e-9), Disposal::PenaltyNotice);
        assert!((c.remand_probability(0.0) - c.remand_p).abs() < 1e-15);
        assert!(
            (c.remand_probability(100.0) - c.remand_p * (1.0 + 20.0 * c.remand_increase)).abs()
                < 1e-12
        );
    }

    #[test]
    fn remand_ends_in_release_on_acquittal_and_counts_towards_a_custodial_sentence() {
        // Acquitted: released from remand on the day the case ends.
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        let t0 = s.t;
        s.add_case(t0 + 40.0, t0, false, true);
        s.enter_remand();
        assert!(s.custody.in_custody && s.custody.on_remand);
        assert_eq!(s.next_conviction(), t0 + 40.0);
        s.t = t0 + 40.0;
        s.on_next_conviction();
        assert!(!s.custody.in_custody && !s.custody.on_remand);
        let _ = s;
        let last = events.last().unwrap();
        assert_eq!((last.kind, last.detail), (EventKind::Release, 1));
        assert!(!events.iter().any(|e| e.kind == EventKind::Conviction));

        // Convicted and given long custody: sentenced where they are, the 40 days
        // on remand taken off the time to serve.
        let m = testkit::model_with(|p| {
            let w = &mut p.sentencing;
            w.weight_discharge_fine = 0.0;
            w.weight_community = 0.0;
            w.weight_suspended = 0.0;
            w.weight_short_custody = 0.0;
            w.weight_long_custody = 1.0;
        });
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        let t0 = s.t;
        s.add_case(t0 + 40.0, t0, true, true);
        s.enter_remand();
        s.t = t0 + 40.0;
        s.on_next_conviction();
        assert!(s.custody.in_custody && !s.custody.on_remand);
        let c = &m.custody;
        let sentence = s.custody.sentence_end - t0;
        let left = s.custody.release_day - s.t;
        assert!(
            (left - (sentence * c.release_fraction - 40.0)).abs() < 1e-9,
            "{left}"
        );
        assert!(sentence > 0.5 * c.band_days[2] && sentence < 1.5 * c.band_days[3]);
        let _ = s;
        let kinds: Vec<(EventKind, u8, u16)> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::CustodyStart | EventKind::Release))
            .map(|e| (e.kind, e.detail, e.extra))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::CustodyStart, CustodyKind::Remand as u8, 0),
                (
                    EventKind::CustodyStart,
                    CustodyKind::Long as u8,
                    1 | (crate::history::LengthBand::of_days(sentence) as u16) << 1
                ),
            ]
        );
    }

    #[test]
    fn a_conviction_during_an_order_can_revoke_it_and_lead_to_custody() {
        // Every reconviction breaches, every revocation leads to custody, and the
        // sentence drawn is a fine: the order ends revoked on reconviction and
        // the person is resentenced to custody.
        let m = testkit::model_with(|p| {
            p.orders.reconviction_breach_probability = 1.0;
            p.orders.revocation_custody_probability = 1.0;
            let w = &mut p.sentencing;
            w.weight_community = 0.0;
            w.weight_suspended = 0.0;
            w.weight_short_custody = 0.0;
            w.weight_long_custody = 0.0;
        });
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        s.start_order(OrderKind::Community, 1.0);
        s.t += 30.0;
        s.on_conviction(s.t - 10.0, false);
        assert!(s.orders.kind.is_none());
        assert!(s.custody.in_custody);
        let _ = s;
        let end = events
            .iter()
            .find(|e| e.kind == EventKind::OrderEnd)
            .unwrap();
        assert_eq!(
            end.extra,
            crate::history::OrderOutcome::RevokedOnReconviction as u16
        );
        let reception = events
            .iter()
            .find(|e| e.kind == EventKind::CustodyStart)
            .unwrap();
        assert_eq!(reception.detail, CustodyKind::Breach as u8);

        // Never breached: the order runs on beside the fine.
        let m = testkit::model_with(|p| {
            p.orders.reconviction_breach_probability = 0.0;
            let w = &mut p.sentencing;
            w.weight_community = 0.0;
            w.weight_suspended = 0.0;
            w.weight_short_custody = 0.0;
            w.weight_long_custody = 0.0;
        });
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        s.start_order(OrderKind::Community, 1.0);
        s.t += 30.0;
        s.on_conviction(s.t - 10.0, false);
        assert_eq!(s.orders.kind, Some(OrderKind::Community));
        assert!(!s.custody.in_custody);
    }

    #[test]
    fn drr_use_declines_exponentially_after_its_start_date() {
        let m = testkit::model();
        let s0 = &m.sentencing;
        let mut events = Vec::new();
        let mut s = testkit::sim(
            &m,
            testkit::person(Substance::OpiatesCrack, 30.0),
            &mut events,
        );
        s.t = s0.requirement_decline_start + DAYS_PER_YEAR;
        let share = s0.drr_share * (-s0.requirement_decline_per_year).exp();
        let priors = s0.requirement_min_priors.ceil();
        assert_eq!(s.requirement(share * 0.999, priors), Some(OrderKind::Drr));
        assert_eq!(s.requirement(share * 1.001, priors), None);
        // Below the priors threshold, no requirement at all.
        assert_eq!(s.requirement(0.0, s0.requirement_min_priors - 1.0), None);
        // Before DRRs, a DTTO at its own share.
        s.t = Date::ymd(2003, 1, 1).as_f64();
        assert_eq!(
            s.requirement(s0.dtto_share * 0.999, priors),
            Some(OrderKind::Dtto)
        );
    }
}
