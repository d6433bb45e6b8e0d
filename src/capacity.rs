//! Treatment places and the waiting list: how long the list is each year.
//!
//! People are simulated independently (that is what makes the engine parallel and
//! reproducible), so a queue shared by everyone cannot be simulated directly.
//! Instead each replicate runs two pilot passes of itself first:
//!
//! 1. with no waits, counting the treatment requests (demand) each year, by
//!    criminal-justice and voluntary referral, and the prison-programme demand;
//! 2. with the waits those counts imply, counting demand again (people who give
//!    up come back later, so demand grows when there is a wait).
//!
//! The wait of a year is the one at which the people who give up while waiting
//! (at `capacity.give_up_rate`) are exactly the excess of demand over places:
//! with demand D and places C, a share `1 - C/D` must give up, and giving up at
//! rate g before a wait W happens with probability `1 - exp(-g W)`, so
//! `W = ln(D/C) / g`. With priority for criminal-justice referrals they fill
//! the places first and voluntary entrants wait for what is left (the UKDPC's
//! two-tier concern). Prison programmes have no list: a share `places / demand`
//! of the people eligible find a place. docs/model.md states this assumption.

use crate::calendar::{civil_from_days, Date};
use crate::engine::run_with;
use crate::history::Observer;
use crate::history::{EventKind, Histories, Route};
use crate::interventions::{Priority, Scheme};
use crate::params::Params;
use crate::pathway::population::Roster;
use crate::pathway::Model;

/// Longest wait the list reports (days): beyond this nearly everyone gives up.
pub const MAX_WAIT_DAYS: f64 = 3650.0;

/// Requests a year: [criminal-justice, voluntary, prison programme].
#[derive(Clone, Debug)]
pub struct Demand {
    first_year: i32,
    pub by_year: Vec<[u64; 3]>,
}

impl Demand {
    pub fn new(first_year: i32, last_year: i32) -> Demand {
        Demand {
            first_year,
            by_year: vec![[0; 3]; (last_year - first_year + 1).max(0) as usize],
        }
    }
    fn add(&mut self, day: i32, which: usize) {
        let y = civil_from_days(day).0 - self.first_year;
        if let Some(row) = usize::try_from(y)
            .ok()
            .and_then(|y| self.by_year.get_mut(y))
        {
            row[which] += 1;
        }
    }
}

impl Observer for Demand {
    fn observe(&mut self, h: &Histories) {
        for (_, events) in h.iter() {
            for e in events {
                match e.kind {
                    EventKind::WaitlistJoin => {
                        let cj = Route::from_u8(e.detail).is_criminal_justice();
                        self.add(e.day, if cj { 0 } else { 1 });
                    }
                    EventKind::NoPlace => self.add(e.day, 2),
                    EventKind::Intervention if Scheme::from_u8(e.detail).uses_prison_place() => {
                        self.add(e.day, 2)
                    }
                    _ => {}
                }
            }
        }
    }
    fn merge(&mut self, other: Self) {
        for (a, b) in self.by_year.iter_mut().zip(other.by_year) {
            for i in 0..3 {
                a[i] += b[i];
            }
        }
    }
}

/// The wait (days) at which giving up at `rate` (per day) turns `demand` into `places`.
pub fn rationing_wait(demand: f64, places: f64, rate: f64) -> f64 {
    if demand <= places {
        0.0
    } else if places <= 0.0 {
        MAX_WAIT_DAYS
    } else {
        ((demand / places).ln() / rate).min(MAX_WAIT_DAYS)
    }
}

/// Waits and prison shares for each year from one pass's demand.
pub fn plan_from(p: &Params, demand: &Demand) -> crate::pathway::CapacityPlan {
    let c = &p.capacity;
    let rate = c.give_up_rate / crate::calendar::DAYS_PER_YEAR;
    let mut plan = crate::pathway::CapacityPlan {
        first_year: demand.first_year,
        ..Default::default()
    };
    for (i, d) in demand.by_year.iter().enumerate() {
        let year = demand.first_year + i as i32;
        // Places in this year's part of the capacity window, in simulated people.
        let (a, b) = (
            Date::year_start(year).day(),
            Date::year_start(year + 1).day(),
        );
        let lo = a.max(c.start.day());
        let hi = b.min(c.end.day());
        let share_of_year = (hi - lo).max(0) as f64 / (b - a) as f64;
        let community = c.community_places_per_year * share_of_year / p.run.scale;
        let prison = c.prison_places_per_year * share_of_year / p.run.scale;
        let (cj, vol) = (d[0] as f64, d[1] as f64);
        let waits = match c.priority {
            Priority::FirstCome => {
                let w = rationing_wait(cj + vol, community, rate);
                [w, w]
            }
            Priority::CriminalJustice => {
                let w_cj = rationing_wait(cj, community, rate);
                let left = (community - cj).max(0.0);
                [w_cj, rationing_wait(vol, left, rate)]
            }
        };
        plan.wait_days.push(waits);
        let pd = d[2] as f64;
        plan.prison_share
            .push(if pd > prison { prison / pd } else { 1.0 });
    }
    plan
}

/// The model for a replicate: with capacity limits, its waiting-list plan comes
/// from two pilot passes of the same replicate (same seed, same people).
pub fn model_for(params: &Params, seed: u64, roster: &Roster) -> Model {
    let mut model = Model::new(params);
    if !params.capacity.enabled {
        return model;
    }
    let first = params.capacity.start.year();
    let last = params.run.last_year();
    for _ in 0..2 {
        let demand = run_with(
            params,
            &model,
            roster,
            seed,
            || Demand::new(first, last),
            &|| {},
        );
        model.iv.plan = plan_from(params, &demand);
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_gives_up_exactly_the_excess() {
        let rate = 4.0 / 365.25;
        let w = rationing_wait(1200.0, 1000.0, rate);
        // Share still waiting at the end of the wait = places / demand.
        assert!(((-rate * w).exp() - 1000.0 / 1200.0).abs() < 1e-12);
        assert_eq!(rationing_wait(900.0, 1000.0, rate), 0.0);
        assert_eq!(rationing_wait(10.0, 0.0, rate), MAX_WAIT_DAYS);
    }

    #[test]
    fn priority_gives_criminal_justice_referrals_the_places_first() {
        let mut p = crate::params::baseline();
        p.run.scale = 1.0;
        p.capacity.enabled = true;
        p.capacity.start = Date::ymd(2030, 1, 1);
        p.capacity.community_places_per_year = 1000.0;
        p.capacity.priority = Priority::CriminalJustice;
        let mut d = Demand::new(2030, 2030);
        d.by_year[0] = [600, 800, 0];
        let plan = plan_from(&p, &d);
        assert_eq!(plan.wait_days[0][0], 0.0);
        let rate = p.capacity.give_up_rate / crate::calendar::DAYS_PER_YEAR;
        let expect = (800.0f64 / 400.0).ln() / rate;
        assert!((plan.wait_days[0][1] - expect).abs() < 1e-9);
        p.capacity.priority = Priority::FirstCome;
        let plan = plan_from(&p, &d);
        let expect = (1400.0f64 / 1000.0).ln() / rate;
        assert!((plan.wait_days[0][0] - expect).abs() < 1e-9);
        assert_eq!(plan.wait_days[0][0], plan.wait_days[0][1]);
    }
}
