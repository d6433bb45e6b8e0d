//! Conviction and sentence: discharge or fine, community order (with a DTTO, DRR
//! or ATR where eligible and available), suspended sentence, short or long custody.

use crate::calendar::DAYS_PER_YEAR;
use crate::history::{CustodyKind, EventKind, OrderKind, Sentence, Substance};
use crate::pathway::PersonSim;
use rand::RngExt;

/// Prior convictions beyond this add nothing to sentence severity.
const PRIOR_CAP: u32 = 20;

impl PersonSim<'_> {
    /// The treatment requirement a community or suspended sentence carries, if any.
    /// `priors` counts convictions before this one.
    fn requirement(&self, u: f64, priors: f64) -> Option<OrderKind> {
        let m = self.m;
        let t = self.t;
        let s = self.person.substance;
        let decline = if t > m.requirement_decline_start {
            (-m.requirement_decline_per_year * (t - m.requirement_decline_start) / DAYS_PER_YEAR)
                .exp()
        } else {
            1.0
        };
        if s.uses_drugs() {
            let share = if s == Substance::OtherDrugs {
                m.other_drugs_requirement_mult
            } else {
                1.0
            };
            let u = u / share.max(1e-12);
            if priors < m.requirement_min_priors || !m.iv.dtto_drr.open(t) {
                None
            } else if t >= m.drr_start {
                (u < m.drr_share * decline).then_some(OrderKind::Drr)
            } else if t >= m.dtto_start {
                (u < m.dtto_share).then_some(OrderKind::Dtto)
            } else if t >= m.dtto_pilot_start {
                (u < m.dtto_share * m.dtto_pilot_coverage).then_some(OrderKind::Dtto)
            } else {
                None
            }
        } else if s == Substance::Alcohol && t >= m.drr_start && m.iv.atr.open(t) {
            (u < m.atr_share * decline).then_some(OrderKind::Atr)
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
        let priors = self.priors.min(PRIOR_CAP) as f64;
        self.priors += 1;
        if self.in_custody {
            self.record(EventKind::Conviction, Sentence::Concurrent as u8, lag);
            return;
        }
        let mut w = m.weights;
        w[1] *= 1.0 + m.community_escalation * priors;
        w[2] *= 1.0 + m.community_escalation * priors;
        let pdu = if self.person.substance.is_pdu() {
            m.pdu_custody_mult
        } else {
            1.0
        };
        w[3] *= (1.0 + m.custody_escalation * priors) * pdu;
        w[4] *= (1.0 + m.custody_escalation * priors) * pdu;
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
            && self.t >= m.community_instead_from
            && u_lever < m.community_instead_share
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
                if self.order.is_none() {
                    self.start_order(kind, u_engage);
                }
            }
            Sentence::ShortCustody => self.enter_custody(CustodyKind::Short),
            Sentence::LongCustody => self.enter_custody(CustodyKind::Long),
        }
    }
}
