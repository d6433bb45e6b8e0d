//! NAO (2004), *The Drug Treatment and Testing Order: early lessons*: completion
//! of orders terminated in 2003 and 2-year reconviction in the pilot areas.
//!
//! - completion: DTTO terminations (`OrderEnd`) on 2003-01-01 ..= 2003-12-31,
//!   completed / all (the NAO counts "completed in full or terminated early for good
//!   progress", which the model's completion stands for);
//! - reconviction: DTTOs started in the pilot years 1998-10-01 ..= 2000-09-30
//!   (before national roll-out), reconvicted within 2 years of the order start
//!   ([`super::reconvicted_2y`]), all orders and completers. Orders with no recorded
//!   end are left out: completion is not yet known.

use super::{is_completed, order_end, percent, push, reconvicted_2y, Study, Value, Window};
use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{EventKind, Histories, OrderKind};

#[derive(Clone, Debug)]
pub struct Nao {
    pub terminations: Window,
    pub pilots: Window,
    pub ended_2003: u64,
    pub completed_2003: u64,
    /// Pilot orders and reconvicted, by [all, completers].
    pub pilot_orders: [u64; 2],
    pub pilot_reconvicted: [u64; 2],
}

impl Default for Nao {
    fn default() -> Self {
        Nao {
            terminations: Window::new(Date::ymd(2003, 1, 1), Date::ymd(2003, 12, 31)),
            pilots: Window::new(Date::ymd(1998, 10, 1), Date::ymd(2000, 9, 30)),
            ended_2003: 0,
            completed_2003: 0,
            pilot_orders: [0; 2],
            pilot_reconvicted: [0; 2],
        }
    }
}

impl Observer for Nao {
    fn observe(&mut self, h: &Histories) {
        const DTTO: u8 = OrderKind::Dtto as u8;
        for (_, events) in h.iter() {
            for (i, e) in events.iter().enumerate() {
                match (e.kind, e.detail) {
                    (EventKind::OrderEnd, DTTO) if self.terminations.contains(e.day) => {
                        self.ended_2003 += 1;
                        self.completed_2003 += is_completed(e.extra) as u64;
                    }
                    (EventKind::OrderStart, DTTO) if self.pilots.contains(e.day) => {
                        let Some((_, outcome)) = order_end(events, i) else {
                            continue;
                        };
                        let re = reconvicted_2y(events, e.day) as u64;
                        self.pilot_orders[0] += 1;
                        self.pilot_reconvicted[0] += re;
                        if is_completed(outcome) {
                            self.pilot_orders[1] += 1;
                            self.pilot_reconvicted[1] += re;
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn merge(&mut self, o: Self) {
        self.ended_2003 += o.ended_2003;
        self.completed_2003 += o.completed_2003;
        for k in 0..2 {
            self.pilot_orders[k] += o.pilot_orders[k];
            self.pilot_reconvicted[k] += o.pilot_reconvicted[k];
        }
    }
}

impl Study for Nao {
    const NAME: &'static str = "nao";
    const TARGETS: &'static [&'static str] = &[
        "nao_order_completion_2003",
        "nao_pilot_reconviction_2y",
        "nao_completer_reconviction_2y",
    ];

    fn values(&self, _scale: f64) -> Vec<Value> {
        let mut out = Vec::new();
        push(
            &mut out,
            "nao_order_completion_2003",
            percent(self.completed_2003, self.ended_2003),
        );
        push(
            &mut out,
            "nao_pilot_reconviction_2y",
            percent(self.pilot_reconvicted[0], self.pilot_orders[0]),
        );
        push(
            &mut out,
            "nao_completer_reconviction_2y",
            percent(self.pilot_reconvicted[1], self.pilot_orders[1]),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, OrderOutcome, Substance};
    use crate::studies::testkit::*;

    fn order(d: i32) -> Event {
        Event::new(d, EventKind::OrderStart, OrderKind::Dtto as u8, 0)
    }
    fn order_end(d: i32, outcome: OrderOutcome) -> Event {
        Event::new(
            d,
            EventKind::OrderEnd,
            OrderKind::Dtto as u8,
            outcome as u16,
        )
    }

    #[test]
    fn completion_of_2003_terminations() {
        let mut h = Histories::default();
        let p = person(Substance::OpiatesCrack);
        h.push(
            p,
            &[
                order(day(2002, 1, 1)),
                order_end(day(2002, 12, 31), OrderOutcome::Completed),
            ],
        );
        h.push(
            p,
            &[
                order(day(2002, 6, 1)),
                order_end(day(2003, 1, 1), OrderOutcome::Completed),
            ],
        );
        h.push(
            p,
            &[
                order(day(2003, 1, 1)),
                order_end(day(2003, 12, 31), OrderOutcome::Revoked),
            ],
        );
        h.push(
            p,
            &[
                order(day(2003, 6, 1)),
                order_end(day(2004, 1, 1), OrderOutcome::Completed),
            ],
        );
        // a DRR ending in 2003 (not possible in the model's calendar, but not a DTTO)
        h.push(
            p,
            &[Event::new(
                day(2003, 5, 1),
                EventKind::OrderEnd,
                OrderKind::Drr as u8,
                0,
            )],
        );
        let mut n = Nao::default();
        n.observe(&h);
        assert_eq!((n.ended_2003, n.completed_2003), (2, 1));
        assert_eq!(n.values(1.0)[0], ("nao_order_completion_2003", 50.0));
    }

    #[test]
    fn pilot_reconviction_overall_and_completers() {
        let mut h = Histories::default();
        let p = person(Substance::OpiatesCrack);
        let a = day(1998, 10, 1);
        let b = day(2000, 9, 30);
        // first and last pilot days; completer reconvicted, non-completer not
        h.push(
            p,
            &sorted(vec![
                order(a),
                order_end(a + 365, OrderOutcome::Completed),
                conviction(a + 400, 10),
            ]),
        );
        h.push(
            p,
            &sorted(vec![order(b), order_end(b + 100, OrderOutcome::Revoked)]),
        );
        h.push(
            p,
            &sorted(vec![
                order(b + 1),
                order_end(b + 365, OrderOutcome::Completed),
            ]),
        );
        h.push(
            p,
            &sorted(vec![
                order(a - 1),
                order_end(a + 365, OrderOutcome::Completed),
            ]),
        );
        // still running: left out
        h.push(p, &[order(a + 10)]);
        let mut n = Nao::default();
        n.observe(&h);
        assert_eq!(n.pilot_orders, [2, 1]);
        assert_eq!(n.pilot_reconvicted, [1, 1]);
    }
}
