//! Conviction and sentence: discharge or fine, community order (with a DTTO, DRR
//! or ATR where eligible and available), suspended sentence, short or long custody.

use super::model::DatedShare;
use crate::calendar::Date;
use crate::calendar::DAYS_PER_YEAR;
use crate::history::{CustodyKind, EventKind, OrderKind, Sentence, Substance};
use crate::parameter::{parameters, INF};
use crate::pathway::PersonSim;
use rand::RngExt;

parameters! {
    /// From arrest to conviction.
    pub struct CourtParams in "court" {
        /// Probability an arrest ends in a conviction.
        conviction_probability: f64 = fitted, "probability", 0.0, 1.0,
            "calibrated (docs/calibration.md); not every arrest ends in conviction";
        /// Mean days from arrest to conviction (exponential).
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
        /// Relative weight of each sentence for a first conviction.
        weight_short_custody: f64 = fitted, "relative weight", 0.0, INF,
            "calibrated to ukdpc_prison_reception_pdu_low/high";
        /// Relative weight of each sentence for a first conviction.
        weight_long_custody: f64 = 0.04, "relative weight", 0.0, INF,
            "assumption";
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
    pub conviction_p: f64,
    pub delay_mean: f64,
}

impl CourtRates {
    pub fn new(c: &CourtParams) -> Self {
        CourtRates {
            conviction_p: c.conviction_probability,
            delay_mean: c.delay_days_mean,
        }
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
}

impl SentencingRates {
    pub fn new(s: &SentencingParams, short_custody_replaced: DatedShare) -> Self {
        SentencingRates {
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

/// The court's slice of a person's state: open cases and the criminal record.
#[derive(Debug, Clone)]
pub struct CourtState {
    /// Open cases: (conviction day, offence day); the first `n_cases` are used.
    pub cases: [(f64, f64); MAX_PENDING],
    pub n_cases: usize,
    /// Convictions so far.
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
            cases: [(f64::INFINITY, 0.0); MAX_PENDING],
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
        if s.uses_drugs() {
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

    /// A conviction for an offence committed on `offence_day`.
    pub(crate) fn on_conviction(&mut self, offence_day: f64) {
        let m = self.m;
        let [u_sentence, u_lever, u_requirement, u_engage]: [f64; 4] =
            std::array::from_fn(|_| self.sentencing_rng.get().random());
        let lag = (self.t.floor() - offence_day.floor()).clamp(0.0, u16::MAX as f64) as u16;
        let priors = self.court.priors.min(PRIOR_CAP) as f64;
        self.court.priors += 1;
        if self.custody.in_custody {
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
        w[3] *= (1.0 + m.sentencing.custody_escalation * priors) * pdu;
        w[4] *= (1.0 + m.sentencing.custody_escalation * priors) * pdu;
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
        self.record(EventKind::Conviction, sentence as u8, lag);
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
                // revoke it), so a conviction alone does not end an order.
                if self.orders.kind.is_none() {
                    self.start_order(kind, u_engage);
                }
            }
            Sentence::ShortCustody => self.enter_custody(CustodyKind::Short),
            Sentence::LongCustody => self.enter_custody(CustodyKind::Long),
        }
    }

    /// Add a court case for an offence on day `offence_day`, convicted on `due`.
    pub(crate) fn add_case(&mut self, due: f64, offence_day: f64) {
        if self.court.n_cases < MAX_PENDING {
            self.court.cases[self.court.n_cases] = (due, offence_day);
            self.court.n_cases += 1;
        }
    }

    /// The day of the next conviction due (infinite with no open case).
    pub(crate) fn next_conviction(&self) -> f64 {
        self.court.cases[..self.court.n_cases]
            .iter()
            .fold(f64::INFINITY, |t, c| if c.0 < t { c.0 } else { t })
    }

    /// The next conviction is due: close its case (of cases due at the same
    /// moment, the one in the lowest slot) and sentence.
    pub(crate) fn on_next_conviction(&mut self) {
        let due = self.next_conviction();
        let i = self.court.cases[..self.court.n_cases]
            .iter()
            .position(|c| c.0 == due)
            .expect("a case is due");
        let offence_day = self.close_case(i);
        self.on_conviction(offence_day);
    }

    /// Close open case `i` (its conviction is due); returns its offence day.
    pub(crate) fn close_case(&mut self, i: usize) -> f64 {
        let (_, offence_day) = self.court.cases[i];
        self.court.n_cases -= 1;
        self.court.cases[i] = self.court.cases[self.court.n_cases];
        self.court.cases[self.court.n_cases] = (f64::INFINITY, 0.0);
        offence_day
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::calendar::{Date, DAYS_PER_YEAR};
    use crate::history::{OrderKind, Substance};

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
