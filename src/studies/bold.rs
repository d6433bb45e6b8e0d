//! BOLD (MoJ/OHID 2023), pathways between probation and treatment: ATR and DRR
//! sentences of 2018-08-01 ..= 2022-03-31 linked to treatment records, observed
//! to the end of March 2022.
//!
//! Unit: the sentence (an `OrderStart` of kind ATR or DRR in the window), as the
//! 40,000 records and the 38.9% are. Definitions:
//! - engaged: in treatment on the sentence day, or a treatment start on a day in
//!   `[sentence, min(order end, 2022-03-31)]` (a start after the order has ended
//!   belongs to another pathway);
//! - in treatment 3 weeks after: an episode open on sentence day + 21 (one ending
//!   that day counts); only sentences with that day on or before 2022-03-31;
//! - outcome of the treatment journey that the engaging episode starts, at
//!   2022-03-31 (censoring): the end of the journey on or before that day
//!   (dropout, completed, died), else still in. BOLD reports treatment
//!   *journeys* (linked NDTMS episodes), and so does the engine: a journey goes
//!   on in prison and is picked up at release or ends there (a dropout, as a
//!   journey closed without completion). A journey still in custody at the
//!   censoring date is still in;
//! - substance mix: the engaged person's substance group (one per person).

use super::{order_end, percent, push, Study, Value, Window, THREE_WEEKS};
use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{Event, EventKind, Histories, OrderKind, Substance, TreatmentExit};

const ATR: usize = 0;
const DRR: usize = 1;
/// Outcome categories of the engaging episode.
const DROPOUT: usize = 0;
const COMPLETED: usize = 1;
const STILL_IN: usize = 2;
const DIED: usize = 3;
/// Journeys that passed through custody (a diagnostic; also counted in their outcome).
const CUSTODY: usize = 4;

#[derive(Clone, Debug)]
pub struct Bold {
    pub window: Window,
    /// End of observation (inclusive).
    pub censor: i32,
    /// Sentences, engaged sentences, by [ATR, DRR].
    pub records: [u64; 2],
    pub engaged: [u64; 2],
    /// Sentences observable at +21 days, and in treatment then.
    pub observed_3w: [u64; 2],
    pub in_treatment_3w: [u64; 2],
    /// Engaged sentences whose journey was open on the sentence day (the rest
    /// started a journey on or after it).
    pub already: [u64; 2],
    /// Engaged sentences by substance group of the person.
    pub mix: [[u64; 4]; 2],
    /// Engaged sentences by outcome of the engaging episode.
    pub outcome: [u64; 5],
}

impl Default for Bold {
    fn default() -> Self {
        let to = Date::ymd(2022, 3, 31);
        Bold {
            window: Window::new(Date::ymd(2018, 8, 1), to),
            censor: to.day(),
            records: [0; 2],
            engaged: [0; 2],
            observed_3w: [0; 2],
            in_treatment_3w: [0; 2],
            already: [0; 2],
            mix: [[0; 4]; 2],
            outcome: [0; 5],
        }
    }
}

/// Whether a treatment episode is open on day `d`: started on or before it and
/// not ended before it.
pub fn in_treatment_on(events: &[Event], d: i32) -> bool {
    let mut open = false;
    for e in events {
        if e.day > d {
            break;
        }
        match e.kind {
            EventKind::TreatmentStart => open = true,
            EventKind::TreatmentEnd if e.day < d => open = false,
            _ => {}
        }
    }
    open
}

impl Observer for Bold {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            let mut open: Option<usize> = None;
            for (i, e) in events.iter().enumerate() {
                match e.kind {
                    EventKind::TreatmentStart => open = Some(i),
                    EventKind::TreatmentEnd => open = None,
                    EventKind::OrderStart if self.window.contains(e.day) => {
                        let k = match OrderKind::from_u8(e.detail) {
                            OrderKind::Atr => ATR,
                            OrderKind::Drr => DRR,
                            _ => continue,
                        };
                        self.sentence(p.substance, events, i, k, open);
                    }
                    _ => {}
                }
            }
        }
    }

    fn merge(&mut self, o: Self) {
        for k in 0..2 {
            self.records[k] += o.records[k];
            self.engaged[k] += o.engaged[k];
            self.observed_3w[k] += o.observed_3w[k];
            self.in_treatment_3w[k] += o.in_treatment_3w[k];
            self.already[k] += o.already[k];
            for g in 0..4 {
                self.mix[k][g] += o.mix[k][g];
            }
        }
        for c in 0..5 {
            self.outcome[c] += o.outcome[c];
        }
    }
}

impl Bold {
    /// Count the sentence at `events[i]` of kind `k`; `open` is the episode open then.
    fn sentence(
        &mut self,
        s: Substance,
        events: &[Event],
        i: usize,
        k: usize,
        open: Option<usize>,
    ) {
        let day = events[i].day;
        self.records[k] += 1;
        if day + THREE_WEEKS <= self.censor {
            self.observed_3w[k] += 1;
            self.in_treatment_3w[k] += in_treatment_on(events, day + THREE_WEEKS) as u64;
        }
        let limit = order_end(events, i).map_or(self.censor, |(d, _)| d.min(self.censor));
        let episode = open.or_else(|| {
            events[i + 1..]
                .iter()
                .take_while(|e| e.day <= limit)
                .position(|e| e.kind == EventKind::TreatmentStart)
                .map(|j| i + 1 + j)
        });
        let Some(j) = episode else { return };
        self.engaged[k] += 1;
        self.already[k] += open.is_some() as u64;
        self.mix[k][s.index()] += 1;
        let (c, via_custody) = journey_outcome(events, j, self.censor);
        if via_custody {
            self.outcome[CUSTODY] += 1;
        }
        self.outcome[c] += 1;
    }
}

/// The outcome at `censor` of the journey starting at `events[start]`, and
/// whether it passed through custody. The engine's journeys are NDTMS's: one
/// goes on through custody and ends when a service closes it (a release with no
/// community pick-up is a dropout).
fn journey_outcome(events: &[Event], start: usize, censor: i32) -> (usize, bool) {
    let mut via_custody = false;
    for e in &events[start + 1..] {
        if e.day > censor {
            break;
        }
        match e.kind {
            EventKind::TreatmentTransfer if e.detail == 0 => via_custody = true,
            EventKind::TreatmentEnd => {
                let c = match TreatmentExit::from_u16(e.extra) {
                    TreatmentExit::Completed => COMPLETED,
                    TreatmentExit::Died => DIED,
                    TreatmentExit::Dropout | TreatmentExit::NotContinued => DROPOUT,
                };
                return (c, via_custody);
            }
            _ => {}
        }
    }
    (STILL_IN, via_custody)
}

impl Study for Bold {
    const NAME: &'static str = "bold";
    const TARGETS: &'static [&'static str] = &[
        "bold_records",
        "bold_engaged_all",
        "bold_engaged_atr",
        "bold_engaged_drr",
        "bold_in_treatment_3w_atr",
        "bold_in_treatment_3w_drr",
        "bold_drr_opiates",
        "bold_engaged_n",
        "bold_outcome_dropout",
        "bold_outcome_completed",
        "bold_outcome_still_in",
        "bold_outcome_died",
    ];

    fn values(&self, scale: f64) -> Vec<Value> {
        let mut out = Vec::new();
        let records = self.records[ATR] + self.records[DRR];
        let engaged = self.engaged[ATR] + self.engaged[DRR];
        out.push(("bold_records", records as f64 * scale));
        push(&mut out, "bold_engaged_all", percent(engaged, records));
        push(
            &mut out,
            "bold_engaged_atr",
            percent(self.engaged[ATR], self.records[ATR]),
        );
        push(
            &mut out,
            "bold_engaged_drr",
            percent(self.engaged[DRR], self.records[DRR]),
        );
        push(
            &mut out,
            "bold_in_treatment_3w_atr",
            percent(self.in_treatment_3w[ATR], self.observed_3w[ATR]),
        );
        push(
            &mut out,
            "bold_in_treatment_3w_drr",
            percent(self.in_treatment_3w[DRR], self.observed_3w[DRR]),
        );
        let opiates = Substance::OpiatesCrack.index();
        push(
            &mut out,
            "bold_drr_opiates",
            percent(self.mix[DRR][opiates], self.engaged[DRR]),
        );
        out.push(("bold_engaged_n", engaged as f64 * scale));
        for (id, c) in [
            ("bold_outcome_dropout", DROPOUT),
            ("bold_outcome_completed", COMPLETED),
            ("bold_outcome_still_in", STILL_IN),
            ("bold_outcome_died", DIED),
        ] {
            push(&mut out, id, percent(self.outcome[c], engaged));
        }
        // diagnostics: the mixes the register keeps as context, and custody transfers
        push(
            &mut out,
            "bold_atr_mix_alcohol",
            percent(self.mix[ATR][Substance::Alcohol.index()], self.engaged[ATR]),
        );
        push(
            &mut out,
            "bold_drr_mix_other_drugs",
            percent(
                self.mix[DRR][Substance::OtherDrugs.index()],
                self.engaged[DRR],
            ),
        );
        push(
            &mut out,
            "bold_drr_new_start",
            percent(self.engaged[DRR] - self.already[DRR], self.records[DRR]),
        );
        push(
            &mut out,
            "bold_outcome_custody",
            percent(self.outcome[CUSTODY], engaged),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OrderOutcome, Route};
    use crate::studies::testkit::*;

    fn order(d: i32, kind: OrderKind) -> Event {
        Event::new(d, EventKind::OrderStart, kind as u8, 0)
    }
    fn order_done(d: i32, kind: OrderKind) -> Event {
        Event::new(
            d,
            EventKind::OrderEnd,
            kind as u8,
            OrderOutcome::Completed as u16,
        )
    }

    fn observe(people: Vec<(Substance, Vec<Event>)>) -> Bold {
        let mut h = Histories::default();
        for (s, ev) in people {
            h.push(person(s), &sorted(ev));
        }
        let mut b = Bold::default();
        b.observe(&h);
        b
    }

    #[test]
    fn sentence_window_edges() {
        let b = observe(vec![
            (
                Substance::Alcohol,
                vec![order(day(2018, 7, 31), OrderKind::Atr)],
            ),
            (
                Substance::Alcohol,
                vec![order(day(2018, 8, 1), OrderKind::Atr)],
            ),
            (
                Substance::OpiatesCrack,
                vec![order(day(2022, 3, 31), OrderKind::Drr)],
            ),
            (
                Substance::OpiatesCrack,
                vec![order(day(2022, 4, 1), OrderKind::Drr)],
            ),
            (
                Substance::OpiatesCrack,
                vec![order(day(2019, 1, 1), OrderKind::Community)],
            ),
        ]);
        assert_eq!(b.records, [1, 1]);
        // the 2022-03-31 sentence cannot be seen 3 weeks later
        assert_eq!(b.observed_3w, [1, 0]);
    }

    #[test]
    fn engagement_three_weeks_and_mix() {
        let s = day(2019, 6, 1);
        let b = observe(vec![
            // already in treatment at sentence: engaged, in at 3 weeks
            (
                Substance::OpiatesCrack,
                vec![start(s - 100, Route::Voluntary), order(s, OrderKind::Drr)],
            ),
            // starts on day 22: engaged, not in at 3 weeks
            (
                Substance::OtherDrugs,
                vec![order(s, OrderKind::Drr), start(s + 22, Route::Order)],
            ),
            // starts after the order ended: not engaged
            (
                Substance::OpiatesCrack,
                vec![
                    order(s, OrderKind::Drr),
                    order_done(s + 365, OrderKind::Drr),
                    start(s + 366, Route::Voluntary),
                ],
            ),
            // ATR: starts on day 21 and drops out the same day: in at 3 weeks
            (
                Substance::Alcohol,
                vec![
                    order(s, OrderKind::Atr),
                    start(s + 21, Route::Order),
                    end(s + 21, Route::Order, TreatmentExit::Dropout),
                ],
            ),
        ]);
        assert_eq!(b.records, [1, 3]);
        assert_eq!(b.engaged, [1, 2]);
        assert_eq!(b.in_treatment_3w, [1, 1]);
        assert_eq!(b.mix[DRR], [1, 1, 0, 0]);
        let v = b.values(10.0);
        let get = |id: &str| v.iter().find(|x| x.0 == id).unwrap().1;
        assert_eq!(get("bold_records"), 40.0);
        assert_eq!(get("bold_engaged_all"), 75.0);
        assert_eq!(get("bold_engaged_atr"), 100.0);
        assert_eq!(get("bold_drr_opiates"), 50.0);
        assert_eq!(get("bold_engaged_n"), 30.0);
    }

    #[test]
    fn outcomes_censored_at_end_of_march_2022() {
        let s = day(2021, 6, 1);
        let censor = day(2022, 3, 31);
        let with_end = |exit: TreatmentExit, d: i32| {
            vec![
                order(s, OrderKind::Drr),
                start(s + 5, Route::Order),
                end(d, Route::Order, exit),
            ]
        };
        let b = observe(vec![
            // still open at the censoring date
            (
                Substance::OpiatesCrack,
                vec![order(s, OrderKind::Drr), start(s + 5, Route::Order)],
            ),
            // ends the day after censoring: still in
            (
                Substance::OpiatesCrack,
                with_end(TreatmentExit::Dropout, censor + 1),
            ),
            // ends on the censoring date: counted
            (
                Substance::OpiatesCrack,
                with_end(TreatmentExit::Completed, censor),
            ),
            (
                Substance::OpiatesCrack,
                with_end(TreatmentExit::Died, s + 50),
            ),
            // transferred to custody, still inside at censoring: still in
            (Substance::OpiatesCrack, {
                let mut e = vec![order(s, OrderKind::Drr), start(s + 5, Route::Order)];
                e.push(Event::new(s + 50, EventKind::CustodyStart, 0, 0));
                e.push(Event::new(s + 50, EventKind::TreatmentTransfer, 0, 2));
                e
            }),
            // custody, released and picked up, completes: one journey, completed
            (Substance::OpiatesCrack, {
                let mut e = vec![order(s, OrderKind::Drr), start(s + 5, Route::Order)];
                e.push(Event::new(s + 50, EventKind::CustodyStart, 0, 0));
                e.push(Event::new(s + 50, EventKind::TreatmentTransfer, 0, 2));
                e.push(Event::new(s + 110, EventKind::Release, 0, 0));
                e.push(Event::new(s + 110, EventKind::TreatmentTransfer, 1, 2));
                e.push(end(s + 300, Route::Order, TreatmentExit::Completed));
                e
            }),
            // custody, released, not picked up: a dropout at release, and a later
            // start is another journey
            (Substance::OpiatesCrack, {
                let mut e = vec![order(s, OrderKind::Drr), start(s + 5, Route::Order)];
                e.push(Event::new(s + 50, EventKind::CustodyStart, 0, 0));
                e.push(Event::new(s + 50, EventKind::TreatmentTransfer, 0, 2));
                e.push(Event::new(s + 110, EventKind::Release, 0, 0));
                e.push(end(s + 110, Route::Order, TreatmentExit::NotContinued));
                e.push(start(s + 120, Route::Voluntary));
                e
            }),
        ]);
        assert_eq!(b.engaged[DRR], 7);
        // [dropout, completed, still in, died, via custody]
        assert_eq!(b.outcome, [1, 2, 3, 1, 3]);
        let v = b.values(1.0);
        let get = |id: &str| v.iter().find(|x| x.0 == id).unwrap().1;
        assert!((get("bold_outcome_still_in") - 300.0 / 7.0).abs() < 1e-9);
        assert!((get("bold_outcome_dropout") - 100.0 / 7.0).abs() < 1e-9);
        assert!((get("bold_outcome_died") - 100.0 / 7.0).abs() < 1e-9);
    }
}
