//! Intervention volumes (UKDPC 2008): how many people a scheme reached in the
//! year the publication reports, counted from the schemes' own events.
//!
//! Every scheme start is recorded as an [`EventKind::Intervention`] with the
//! [`Scheme`] as its detail (src/pathway/schemes.rs). A volume is the number of
//! such events of one scheme on days inside the figure's window (inclusive at both
//! ends), times the scale: a person who starts a scheme twice in the window (two
//! receptions, two orders) counts twice, as a programme's entrants do.
//!
//! Windows:
//! - prison schemes (CARAT assessments, detoxification/maintenance, RAPt,
//!   therapeutic communities, high-intensity CBT, short duration programmes,
//!   P-ASRO): financial year 2006/07, 2006-04-01 ..= 2007-03-31; detoxification and
//!   maintenance also 1996/97, 1996-04-01 ..= 1997-03-31 (the simulation starts in
//!   1990: `run.observe_from` limits yearly metrics only, histories are complete);
//! - programmes on community orders (ASRO, OSAP): calendar 2005;
//! - conditional cautions ("about 800 between 2004 and 2007"): 2004-04-01 ..=
//!   2007-03-31, the scheme's first three years.
//!
//! The coverage defaults in src/interventions.rs were set from these figures, so
//! the 2006/07 (2005, 2004-07) volumes are met by construction; the 1996/97
//! detoxification figure is a check (the model's coverage is constant over time).

use super::{Study, Value, Window};
use crate::calendar::Date;
use crate::history::Observer;
use crate::history::{EventKind, Histories};
use crate::interventions::Scheme;

/// (register id, scheme, first day, last day) of every volume, in register order.
type Spec = (&'static str, Scheme, (i32, u32, u32), (i32, u32, u32));

const FY2006: ((i32, u32, u32), (i32, u32, u32)) = ((2006, 4, 1), (2007, 3, 31));

const SPECS: [Spec; 11] = [
    (
        "ukdpc_conditional_caution_conditions",
        Scheme::ConditionalCaution,
        (2004, 4, 1),
        (2007, 3, 31),
    ),
    (
        "ukdpc_asro_2005",
        Scheme::Asro,
        (2005, 1, 1),
        (2005, 12, 31),
    ),
    (
        "ukdpc_osap_2005",
        Scheme::Osap,
        (2005, 1, 1),
        (2005, 12, 31),
    ),
    (
        "ukdpc_prison_detox_maintenance_1997",
        Scheme::DetoxMaintenance,
        (1996, 4, 1),
        (1997, 3, 31),
    ),
    (
        "ukdpc_prison_detox_maintenance_2007",
        Scheme::DetoxMaintenance,
        FY2006.0,
        FY2006.1,
    ),
    ("ukdpc_carat_assessments", Scheme::Carat, FY2006.0, FY2006.1),
    ("ukdpc_rapt", Scheme::Rapt, FY2006.0, FY2006.1),
    (
        "ukdpc_cbt_high_intensity",
        Scheme::CbtHighIntensity,
        FY2006.0,
        FY2006.1,
    ),
    (
        "ukdpc_sdp",
        Scheme::ShortDurationProgramme,
        FY2006.0,
        FY2006.1,
    ),
    ("ukdpc_pasro", Scheme::Pasro, FY2006.0, FY2006.1),
    (
        "ukdpc_therapeutic_communities",
        Scheme::TherapeuticCommunity,
        FY2006.0,
        FY2006.1,
    ),
];

const N: usize = SPECS.len();

#[derive(Clone, Debug)]
pub struct Volumes {
    /// Each volume's scheme (as the event detail) and window, as in [`SPECS`].
    pub windows: [(u8, Window); N],
    /// Intervention events counted, per volume (simulated, unscaled).
    pub counts: [u64; N],
}

impl Default for Volumes {
    fn default() -> Self {
        let date = |(y, m, d): (i32, u32, u32)| Date::ymd(y, m, d);
        Volumes {
            windows: SPECS.map(|(_, s, a, b)| (s as u8, Window::new(date(a), date(b)))),
            counts: [0; N],
        }
    }
}

impl Observer for Volumes {
    fn observe(&mut self, h: &Histories) {
        let events = h.events.iter();
        for e in events.filter(|e| e.kind == EventKind::Intervention) {
            for (k, &(scheme, w)) in self.windows.iter().enumerate() {
                if e.detail == scheme && w.contains(e.day) {
                    self.counts[k] += 1;
                }
            }
        }
    }

    fn merge(&mut self, o: Self) {
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            *a += b;
        }
    }
}

/// The register ids, in [`SPECS`] order.
const IDS: [&str; N] = {
    let mut ids = [""; N];
    let mut k = 0;
    while k < N {
        ids[k] = SPECS[k].0;
        k += 1;
    }
    ids
};

impl Study for Volumes {
    const NAME: &'static str = "volumes";
    const TARGETS: &'static [&'static str] = &IDS;

    /// Counts are never empty-denominator values: a zero volume is reported as zero.
    fn values(&self, scale: f64) -> Vec<Value> {
        IDS.iter()
            .zip(self.counts)
            .map(|(&id, n)| (id, n as f64 * scale))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Event, Substance};
    use crate::studies::testkit::*;

    fn iv(d: i32, s: Scheme) -> Event {
        Event::new(d, EventKind::Intervention, s as u8, 0)
    }

    fn observe(people: Vec<Vec<Event>>) -> Volumes {
        let mut h = Histories::default();
        for ev in people {
            h.push(person(Substance::OpiatesCrack), &sorted(ev));
        }
        let mut v = Volumes::default();
        v.observe(&h);
        v
    }

    fn get(v: &Volumes, scale: f64, id: &str) -> f64 {
        v.values(scale).iter().find(|x| x.0 == id).unwrap().1
    }

    #[test]
    fn financial_year_edges_are_inclusive() {
        let v = observe(vec![
            vec![
                iv(day(2006, 3, 31), Scheme::Rapt),
                iv(day(2006, 4, 1), Scheme::Rapt),
                iv(day(2007, 3, 31), Scheme::Rapt),
                iv(day(2007, 4, 1), Scheme::Rapt),
            ],
            // a second person, twice in the year: counts twice
            vec![
                iv(day(2006, 9, 1), Scheme::Rapt),
                iv(day(2007, 1, 1), Scheme::Rapt),
            ],
        ]);
        assert_eq!(get(&v, 1.0, "ukdpc_rapt"), 4.0);
        assert_eq!(get(&v, 20.0, "ukdpc_rapt"), 80.0);
    }

    #[test]
    fn schemes_and_event_kinds_are_filtered() {
        let d = day(2006, 6, 1);
        let v = observe(vec![vec![
            iv(d, Scheme::Carat),
            iv(d, Scheme::Carat),
            iv(d, Scheme::Pasro),
            iv(d, Scheme::DrugFreeWing),
            // no place: not a start
            Event::new(d, EventKind::NoPlace, Scheme::Pasro as u8, 0),
            // another kind whose detail happens to equal a scheme's code
            Event::new(d, EventKind::CustodyStart, Scheme::Rapt as u8, 0),
            start(d, crate::history::Route::Dip),
        ]]);
        assert_eq!(get(&v, 1.0, "ukdpc_carat_assessments"), 2.0);
        assert_eq!(get(&v, 1.0, "ukdpc_pasro"), 1.0);
        for id in ["ukdpc_rapt", "ukdpc_sdp", "ukdpc_therapeutic_communities"] {
            assert_eq!(get(&v, 1.0, id), 0.0, "{id}");
        }
        assert_eq!(v.counts.iter().sum::<u64>(), 3);
    }

    #[test]
    fn detox_counts_in_both_years_and_other_windows() {
        let dm = Scheme::DetoxMaintenance;
        let v = observe(vec![
            vec![
                iv(day(1996, 3, 31), dm),
                iv(day(1996, 4, 1), dm),
                iv(day(1997, 3, 31), dm),
                iv(day(1997, 4, 1), dm),
                iv(day(2006, 4, 1), dm),
            ],
            vec![
                iv(day(2004, 12, 31), Scheme::Asro),
                iv(day(2005, 1, 1), Scheme::Asro),
                iv(day(2005, 12, 31), Scheme::Osap),
                iv(day(2006, 1, 1), Scheme::Osap),
            ],
            vec![
                iv(day(2004, 3, 31), Scheme::ConditionalCaution),
                iv(day(2004, 4, 1), Scheme::ConditionalCaution),
                iv(day(2007, 3, 31), Scheme::ConditionalCaution),
                iv(day(2007, 4, 1), Scheme::ConditionalCaution),
                iv(day(2005, 6, 1), Scheme::Diversion),
            ],
        ]);
        let g = |id| get(&v, 1.0, id);
        assert_eq!(g("ukdpc_prison_detox_maintenance_1997"), 2.0);
        assert_eq!(g("ukdpc_prison_detox_maintenance_2007"), 1.0);
        assert_eq!(g("ukdpc_asro_2005"), 1.0);
        assert_eq!(g("ukdpc_osap_2005"), 1.0);
        assert_eq!(g("ukdpc_conditional_caution_conditions"), 2.0);
    }

    #[test]
    fn values_cover_every_target_and_merge_adds() {
        let mut a = observe(vec![vec![iv(day(2006, 5, 1), Scheme::Rapt)]]);
        let b = observe(vec![vec![iv(day(2006, 5, 2), Scheme::Rapt)]]);
        a.merge(b);
        assert_eq!(get(&a, 1.0, "ukdpc_rapt"), 2.0);
        let ids: Vec<&str> = a.values(1.0).iter().map(|v| v.0).collect();
        assert_eq!(ids, Volumes::TARGETS);
        // every spec's window is the one its id names
        for (k, (id, ..)) in SPECS.iter().enumerate() {
            assert_eq!(IDS[k], *id);
        }
        assert_eq!(
            Volumes::default().windows[4].1,
            Window::financial_year(2006)
        );
    }
}
