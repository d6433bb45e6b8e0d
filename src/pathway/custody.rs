//! Custody and release: sentence length bands, automatic release, licence and
//! post-sentence supervision, recall, remand, the high-risk window after release
//! and continuity of care.

use crate::calendar::{Date, DAYS_PER_YEAR};
use crate::history::{CustodyKind, EventKind, LengthBand, Route};
use crate::parameter::parameters;
use crate::pathway::PersonSim;
use crate::series::{self, CalendarParams, Input, Timeline};
use rand::RngExt;

parameters! {
    /// Sentence lengths, time served, licence, supervision and recall.
    pub struct CustodyParams in "custody" {
        /// Share of sentences under 12 months that are 6 months or less.
        up_to_6m_share: f64 = 0.866, "share of short sentences", 0.0, 1.0,
            "sentenced_receptions_2005_le6m / (le6m + 6_12m): 51,817 of 59,800 (2005)";
        /// Share of sentences of 12 months or more that are under 4 years.
        under_4y_share: f64 = 0.766, "share of long sentences", 0.0, 1.0,
            "sentenced_receptions_2005_12m_4y / (12m_4y + 4y_plus): 22,640 of 29,567 (2005)";
        /// Mean sentence length (months) in each band on the reference date
        /// (lengths follow the average custodial sentence length,
        /// data/calendar/sentence_length.csv); a sentence is uniform between 0.5
        /// and 1.5 times its band's mean.
        up_to_6m_months: f64 = 3.0, "months", 0.1, 6.0,
            "assumption: the middle of the band";
        over_6m_months: f64 = 9.0, "months", 6.0, 12.0,
            "assumption: the middle of the band (6 to 12 months)";
        under_4y_months: f64 = 24.0, "months", 12.0, 48.0,
            "assumption: most sentences of 12 months to 4 years are short in the band";
        over_4y_months: f64 = 72.0, "months", 48.0, 600.0,
            "assumption: determinate sentences of 4 years and over";
        /// Share of the sentence served before automatic release.
        release_fraction: f64 = 0.5, "share of the sentence", 0.1, 1.0,
            "Criminal Justice Act 2003: automatic release at the halfway point (assumed for all bands and years)";
        /// Mean days served after an order is revoked (uniform 0.5-1.5 x).
        breach_days_mean: f64 = 90.0, "days served", 1.0, 3650.0,
            "assumption";
        /// Sentences this long or longer are followed by licence to the end of the
        /// sentence (before the Offender Rehabilitation Act).
        licence_min_months: f64 = 12.0, "months", 0.0, 600.0,
            "Criminal Justice Act 2003: no licence for sentences under 12 months";
        /// The Offender Rehabilitation Act 2014: every sentence is followed by
        /// licence and post-sentence supervision.
        ora_start: Date = (2015, 2, 1), "date", 0.0, 0.0,
            "Offender Rehabilitation Act 2014, in force 1 February 2015";
        /// Months of licence and post-sentence supervision together after a
        /// sentence under 2 years, from the Act.
        ora_supervision_months: f64 = 12.0, "months", 0.0, 120.0,
            "Offender Rehabilitation Act 2014: 12 months of supervision in all";
        /// Recalls to custody a year while on licence (at liberty).
        recall_rate: f64 = fitted, "per year on licence", 0.0, 100.0,
            "calibrated to the national series and the seed targets (docs/calibration.md); assumed mechanism: licence breaches and new offences bring recalls";
        /// Probability a charge while on licence leads to recall.
        recall_on_charge_probability: f64 = 0.5, "probability", 0.0, 1.0,
            "assumption: a new charge is the commonest reason for recall";
        /// Mean days served after a recall (uniform 0.5-1.5 x; never past the
        /// sentence's end).
        recall_days_mean: f64 = 90.0, "days served", 1.0, 3650.0,
            "assumption: fixed-term recalls of 14 or 28 days and standard recalls to the sentence's end";
    }
}

/// Custody compiled: band shares, lengths in days, licence and recall rules.
#[derive(Debug, Clone)]
pub struct CustodyRates {
    pub up_to_6m_share: f64,
    pub under_4y_share: f64,
    /// Mean sentence length (days) by [`LengthBand`].
    pub band_days: [f64; 4],
    pub release_fraction: f64,
    pub breach_days_mean: f64,
    pub licence_min_days: f64,
    pub ora_start: f64,
    pub ora_supervision_days: f64,
    pub recall_rate: f64,
    pub recall_on_charge_p: f64,
    pub recall_days_mean: f64,
    /// The calendar's multiplier on sentence lengths (the average custodial
    /// sentence length relative to the reference date).
    pub length_trend: Timeline,
}

impl CustodyRates {
    pub fn new(c: &CustodyParams, cal: &CalendarParams) -> Self {
        let month = DAYS_PER_YEAR / 12.0;
        CustodyRates {
            length_trend: series::relative_path(cal, Input::SentenceLength, 1.0),
            up_to_6m_share: c.up_to_6m_share,
            under_4y_share: c.under_4y_share,
            band_days: [
                c.up_to_6m_months * month,
                c.over_6m_months * month,
                c.under_4y_months * month,
                c.over_4y_months * month,
            ],
            release_fraction: c.release_fraction,
            breach_days_mean: c.breach_days_mean,
            licence_min_days: c.licence_min_months * month,
            ora_start: c.ora_start.as_f64(),
            ora_supervision_days: c.ora_supervision_months * month,
            recall_rate: c.recall_rate / DAYS_PER_YEAR,
            recall_on_charge_p: c.recall_on_charge_probability,
            recall_days_mean: c.recall_days_mean,
        }
    }

    /// The length band of a sentence of `kind`, for a uniform draw `u`.
    pub fn band(&self, kind: CustodyKind, u: f64) -> LengthBand {
        match kind {
            CustodyKind::Long if u < self.under_4y_share => LengthBand::Under4y,
            CustodyKind::Long => LengthBand::Over4y,
            _ if u < self.up_to_6m_share => LengthBand::UpTo6m,
            _ => LengthBand::Over6m,
        }
    }
}

/// Custody's slice of a person's state.
#[derive(Debug, Clone)]
pub struct CustodyState {
    pub in_custody: bool,
    pub release_day: f64,
    /// In custody on remand (released when the case ends, unless given custody).
    pub on_remand: bool,
    /// The day the current remand began.
    pub remand_start: f64,
    /// The current (or last) sentence: the day it ends. Recall is possible on
    /// licence until then.
    pub sentence_end: f64,
    /// The sentence carries licence after release.
    pub licence: bool,
    /// Days of supervision (licence, then post-sentence supervision) due after
    /// the coming release, from the release day.
    pub supervision_end: f64,
    /// In custody on recall (released back to the same licence).
    pub recalled: bool,
}

/// At the start of a career.
impl Default for CustodyState {
    fn default() -> Self {
        CustodyState {
            in_custody: false,
            release_day: f64::INFINITY,
            on_remand: false,
            remand_start: f64::NEG_INFINITY,
            sentence_end: f64::NEG_INFINITY,
            licence: false,
            supervision_end: f64::NEG_INFINITY,
            recalled: false,
        }
    }
}

impl PersonSim<'_> {
    /// On licence at liberty: recall is possible.
    pub(crate) fn on_licence(&self) -> bool {
        !self.custody.in_custody && self.custody.licence && self.t < self.custody.sentence_end
    }

    /// When the current licence ends (infinite when not on licence at liberty).
    pub(crate) fn licence_end(&self) -> f64 {
        if self.on_licence() {
            self.custody.sentence_end
        } else {
            f64::INFINITY
        }
    }

    /// Recalls per day: the licence rate while on licence at liberty.
    pub(crate) fn recall_rate(&self) -> f64 {
        if self.on_licence() && self.mortality.alive {
            self.m.custody.recall_rate
        } else {
            0.0
        }
    }

    /// Recalled to custody: serves part of the rest of the sentence.
    pub(crate) fn on_recall(&mut self) {
        let u: f64 = self.recall_rng.get().random();
        self.take_into_custody(CustodyKind::Recall, 0);
        let left = (self.custody.sentence_end - self.t).max(1.0);
        let days = (self.m.custody.recall_days_mean * (0.5 + u)).min(left);
        self.custody.recalled = true;
        self.custody.release_day = self.t + days;
    }

    /// A charge while on licence may lead to recall.
    pub(crate) fn recall_on_charge(&mut self) {
        if !self.on_licence() {
            return;
        }
        let u: f64 = self.recall_rng.get().random();
        if u < self.m.custody.recall_on_charge_p {
            self.on_recall();
        }
    }

    /// Release at the end of the time to serve (or of remand); the supervision
    /// that follows is recorded with the release (`extra`: its days).
    pub(crate) fn on_release(&mut self) {
        let m = self.m;
        let from_remand = std::mem::take(&mut self.custody.on_remand);
        // After a recall, back to the supervision the recall interrupted.
        self.custody.recalled = false;
        self.custody.in_custody = false;
        self.custody.release_day = f64::INFINITY;
        let supervised = if from_remand {
            0.0
        } else {
            (self.custody.supervision_end - self.t).max(0.0)
        };
        self.record(
            EventKind::Release,
            from_remand as u8,
            supervised.round().min(u16::MAX as f64) as u16,
        );
        self.open_release_window(self.in_ost());
        let u: f64 = self.release_rng.get().random();
        let delay = Self::exp_days(&mut self.release_rng, m.treatment.continuity_delay_mean);
        self.schemes_at_release();
        let p = if m.iv.continuity.open(self.t) {
            (m.iv.continuity_p.at(self.t) * self.schemes.continuity_mult).min(1.0)
        } else {
            0.0
        };
        if self.treatment.episode.is_some() {
            // A journey that went on in prison is picked up, or ends here.
            let carried = p + (1.0 - p) * m.treatment.journey_carry_over;
            self.treatment_at_release(u < carried);
        } else if self.person.substance.uses_drugs() && self.has_problem() && u < p {
            self.refer_to_treatment(self.t + delay, Route::Release);
        }
    }

    /// Remanded in custody until a case ends: an open treatment journey goes on
    /// in prison and any pending start is cancelled; an order stays open (its breach clock stops in
    /// custody). No prison scheme reaches remand prisoners (an assumption).
    pub(crate) fn enter_remand(&mut self) {
        self.continue_treatment_in_prison();
        self.cancel_pending_treatment();
        self.custody.in_custody = true;
        self.custody.on_remand = true;
        self.custody.remand_start = self.t;
        self.custody.release_day = f64::INFINITY;
        self.offending.leave_crisis();
        self.record(EventKind::CustodyStart, CustodyKind::Remand as u8, 0);
    }

    /// The case ends without custody: released from remand, with the risks and
    /// the continuity of care of any release.
    pub(crate) fn release_from_remand(&mut self) {
        self.on_release();
    }

    /// Into custody: an open treatment journey goes on in prison; ends any
    /// order, cancels pending treatment, ends a crisis; records the reception (`extra` its code).
    fn take_into_custody(&mut self, kind: CustodyKind, extra: u16) {
        self.continue_treatment_in_prison();
        self.end_order(crate::history::OrderOutcome::Custody);
        self.cancel_pending_treatment();
        self.custody.in_custody = true;
        self.offending.leave_crisis();
        self.record(EventKind::CustodyStart, kind as u8, extra);
    }

    /// A custodial sentence of `kind`: its length band and length, release at
    /// the release fraction (less any days on remand, sentenced where they
    /// are), and the licence and supervision that follow.
    pub(crate) fn enter_custody(&mut self, kind: CustodyKind) {
        let c = &self.m.custody;
        let [u_band, u_len]: [f64; 2] = std::array::from_fn(|_| self.sentencing_rng.get().random());
        let (sentence, band) = if kind == CustodyKind::Breach {
            let served = c.breach_days_mean * (0.5 + u_len);
            let sentence = served / c.release_fraction;
            (sentence, LengthBand::of_days(sentence))
        } else {
            let band = c.band(kind, u_band);
            let length = c.band_days[band as usize] * c.length_trend.at(self.t);
            (length * (0.5 + u_len), band)
        };
        let from_remand = std::mem::take(&mut self.custody.on_remand);
        let start = if from_remand {
            self.custody.remand_start
        } else {
            self.t
        };
        let extra = from_remand as u16 | (band as u16) << 1;
        if from_remand {
            self.end_order(crate::history::OrderOutcome::Custody);
            self.record(EventKind::CustodyStart, kind as u8, extra);
        } else {
            self.take_into_custody(kind, extra);
        }
        let days = (start + sentence * c.release_fraction - self.t).max(1.0);
        self.custody.release_day = self.t + days;
        self.custody.sentence_end = start + sentence;
        let ora = self.t >= c.ora_start;
        self.custody.licence = ora || sentence >= c.licence_min_days;
        let release = self.custody.release_day;
        self.custody.supervision_end = if !self.custody.licence {
            release
        } else if ora && sentence < 2.0 * DAYS_PER_YEAR {
            // Licence to the sentence's end, then supervision to 12 months.
            self.custody
                .sentence_end
                .max(release + c.ora_supervision_days)
        } else {
            self.custody.sentence_end
        };
        self.prison_reception(days);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::history::{CustodyKind, EventKind, LengthBand, Route, Substance};

    #[test]
    fn reception_ends_orders_keeps_the_journey_and_serves_half_the_sentence() {
        let m = testkit::model();
        let c = &m.custody;
        for seed_person in 0..50 {
            let mut events = Vec::new();
            let mut p = testkit::person(Substance::OpiatesCrack, 30.0);
            p.id = seed_person;
            let mut s = testkit::sim(&m, p, &mut events);
            s.start_treatment(Route::Voluntary);
            s.refer_to_treatment(s.t + 3.0, Route::Dip);
            let t = s.t;
            s.enter_custody(CustodyKind::Short);
            let served = s.custody.release_day - t;
            let sentence = s.custody.sentence_end - t;
            assert!((served - sentence * c.release_fraction).abs() < 1e-9);
            // A short sentence is in one of the two short bands.
            assert!(sentence > 0.5 * c.band_days[0] && sentence < 1.5 * c.band_days[1]);
            assert!(s.custody.in_custody, "received");
            assert_eq!(
                s.treatment.episode,
                Some(Route::Voluntary),
                "the journey goes on in prison"
            );
            assert!(
                s.treatment.pending.is_infinite(),
                "custody cancels a pending start"
            );
            assert!(s.events.iter().any(|e| e.kind == EventKind::CustodyStart));
            assert!(
                s.events
                    .iter()
                    .any(|e| e.kind == EventKind::TreatmentTransfer && e.detail == 0),
                "the journey's move into prison is recorded"
            );
        }
    }

    #[test]
    fn at_release_a_journey_is_picked_up_with_the_continuity_probability_or_ends() {
        use crate::history::TreatmentExit;
        for (p_continuity, carry, picked) in [(1.0, 0.0, true), (0.0, 0.0, false), (0.0, 1.0, true)]
        {
            let m = testkit::model_with(|p| {
                p.treatment.release_continuity_probability = p_continuity;
                p.treatment.journey_carry_over_share = carry;
            });
            let mut events = Vec::new();
            let mut s = testkit::sim(
                &m,
                testkit::person(Substance::OpiatesCrack, 30.0),
                &mut events,
            );
            s.start_treatment(Route::Dip);
            s.enter_custody(CustodyKind::Short);
            s.t = s.custody.release_day;
            s.on_release();
            assert_eq!(s.treatment.episode.is_some(), picked, "p = {p_continuity}");
            let last = *s.events.last().unwrap();
            if picked {
                assert_eq!((last.kind, last.detail), (EventKind::TreatmentTransfer, 1));
            } else {
                assert_eq!(last.kind, EventKind::TreatmentEnd);
                assert_eq!(
                    TreatmentExit::from_u16(last.extra),
                    TreatmentExit::NotContinued
                );
            }
        }
    }

    #[test]
    fn length_bands_follow_their_shares() {
        let c = testkit::model().custody;
        assert_eq!(
            c.band(CustodyKind::Short, c.up_to_6m_share - 1e-9),
            LengthBand::UpTo6m
        );
        assert_eq!(
            c.band(CustodyKind::Short, c.up_to_6m_share + 1e-9),
            LengthBand::Over6m
        );
        assert_eq!(
            c.band(CustodyKind::Long, c.under_4y_share - 1e-9),
            LengthBand::Under4y
        );
        assert_eq!(
            c.band(CustodyKind::Long, c.under_4y_share + 1e-9),
            LengthBand::Over4y
        );
        assert_eq!(LengthBand::of_days(100.0), LengthBand::UpTo6m);
        assert_eq!(LengthBand::of_days(300.0), LengthBand::Over6m);
        assert_eq!(LengthBand::of_days(1000.0), LengthBand::Under4y);
        assert_eq!(LengthBand::of_days(2000.0), LengthBand::Over4y);
    }

    #[test]
    fn licence_before_the_act_only_for_12_months_and_over_and_after_it_supervision_to_12_months() {
        let m = testkit::model();
        let c = &m.custody;
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        // 2010: a short sentence has no licence; release ends supervision.
        s.enter_custody(CustodyKind::Short);
        assert!(!s.custody.licence);
        assert_eq!(s.custody.supervision_end, s.custody.release_day);
        s.t = s.custody.release_day;
        s.on_release();
        assert_eq!(s.recall_rate(), 0.0, "no licence, no recall");
        // A long sentence: licence to the sentence's end, recall possible.
        s.enter_custody(CustodyKind::Long);
        assert!(s.custody.licence);
        assert_eq!(s.custody.supervision_end, s.custody.sentence_end);
        s.t = s.custody.release_day;
        s.on_release();
        assert_eq!(s.recall_rate(), c.recall_rate);
        // The licence's end is a scheduled day, so the recall rate is recomputed
        // then even if nothing else happens (a recall after it would break
        // common random numbers between scenarios).
        assert_eq!(s.licence_end(), s.custody.sentence_end);
        s.t = s.custody.sentence_end;
        assert_eq!(s.licence_end(), f64::INFINITY);
        assert_eq!(s.recall_rate(), 0.0, "licence over at the sentence's end");
        // After the Offender Rehabilitation Act: a short sentence has licence and
        // 12 months of supervision in all from release.
        s.t = crate::calendar::Date::ymd(2016, 1, 1).as_f64();
        s.enter_custody(CustodyKind::Short);
        assert!(s.custody.licence);
        let release = s.custody.release_day;
        assert!((s.custody.supervision_end - (release + c.ora_supervision_days)).abs() < 1e-9);
        s.t = release;
        s.on_release();
        let _ = s;
        let last = events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Release)
            .unwrap();
        assert_eq!(last.extra, c.ora_supervision_days.round() as u16);
    }

    #[test]
    fn a_recall_returns_the_person_to_custody_no_later_than_the_sentence_end() {
        let m = testkit::model();
        let mut events = Vec::new();
        let mut s = testkit::sim(&m, testkit::person(Substance::None, 30.0), &mut events);
        s.enter_custody(CustodyKind::Long);
        s.t = s.custody.release_day;
        s.on_release();
        s.on_recall();
        assert!(s.custody.in_custody && s.custody.recalled);
        assert!(s.custody.release_day <= s.custody.sentence_end + 1e-9);
        let end = s.custody.supervision_end;
        s.t = s.custody.release_day;
        s.on_release();
        assert_eq!(s.custody.supervision_end, end, "back to the same licence");
        assert!(!s.custody.recalled);
        let _ = s;
        assert!(events
            .iter()
            .any(|e| e.kind == EventKind::CustodyStart && e.detail == CustodyKind::Recall as u8));
    }
}
