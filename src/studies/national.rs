//! Official national series (England and Wales, `shared/national_series.csv`):
//! arrests, drug tests on arrest, DRR starts, sentences, prison receptions and
//! population, the probation caseload and proven reoffending, each measured on the
//! histories under the publication's own definition and period. The register makes
//! these rows calibration targets (fitted with the seed studies' targets).
//!
//! Definitions (windows inclusive at both ends; financial years 1 April - 31 March):
//! - **event counts** count events, not people: arrests (every `Arrest`); drug tests
//!   on arrest (a `Test` after a trigger-offence arrest); DRR commencements
//!   (`OrderStart` of kind drr); immediate custodial sentences (a `Conviction`
//!   sentenced to short or long custody; concurrent convictions of people already
//!   serving and resentencing after a revoked order are not counted); offenders
//!   sentenced (every `Conviction`, concurrent ones included);
//! - **sentenced receptions**: `CustodyStart` of a sentenced kind (short, long,
//!   breach), received from liberty or sentenced while on remand, by the sentence's
//!   length band (bits 1-2 of `extra`); **first receptions**: remand receptions and
//!   sentenced receptions of people not already on remand (bit 0 of `extra` clear).
//!   Recalls (any other kind) are neither;
//! - **prison population on a day**: people in custody that day, a stay running
//!   from its `CustodyStart` (a sentence passed on remand continues the stay) to the
//!   day before its `Release`; the **2002 average** is person-days in custody in 2002
//!   over 365;
//! - **probation caseload on a day**: people at liberty (not in custody that day)
//!   who are on a community or suspended order (`OrderStart` to the day before its
//!   `OrderEnd`, DTTO/DRR/ATR included) or within the supervision that follows a
//!   release from a sentence (days `[release, release + extra)`, ended by death);
//!   **people on court orders**: the order part alone;
//! - **proven reoffending** (Ministry of Justice): the cohort of a period is everyone
//!   cautioned (simple or conditional), convicted with a non-custodial sentence
//!   (discharge or fine, community or suspended order) or released from a custodial
//!   sentence (not from remand) in it; the first such event in the period is the
//!   index, and a person is an adult if 18 or over on its day; a proven reoffender
//!   commits an offence within 12 months that is proven within a further 6
//!   ([`crate::metrics::reoffended`]). Only people observed to the end of the 18
//!   months are counted in a rate. The old method (2010-11) uses a 12-month cohort;
//!   the current method 3-month cohorts, a year's rate pooling its four quarters
//!   (reoffenders over cohort summed over the quarters). Breakdowns by index disposal
//!   keep the index: "released from custody or starting court orders" are those whose
//!   index is a release or a community or suspended order; "released from sentences
//!   under 12 months" those whose index is a release from a stay whose latest
//!   sentenced reception was in the bands up to 6 months or 6 to 12 months.
//!
//! - treatment ([`TREATMENT_SERIES`], England, so x [`ENGLAND_SHARE`]): adults in
//!   treatment are distinct people aged 18+ on a day of the financial year in a
//!   journey's community part (between its start or pick-up after release and
//!   its end or a move into prison), in the drug groups (with alcohol for
//!   2021/22); new presentations are distinct adults starting a journey in the
//!   year; "first-time heroin starts" are opiates/crack users whose first journey
//!   in the simulation starts in the year (the model has no heroin group apart
//!   from crack, and no history before its start date); OCU prevalence is the
//!   opiates/crack users aged 15-64 alive and not recovered (`Recovery`) in the
//!   model on 1 October.

use super::{observed_until, percent, push, Study, Value, Window};
use crate::calendar::Date;
use crate::history::{CustodyKind, Disposal, Event, EventKind, Histories, Observer, OrderKind};
use crate::history::{Person, Sentence, Substance};
use crate::metrics::{reoffended, REOFFENDING_CONVICTION_DAYS};

/// A date as (year, month, day).
type Ymd = (i32, u32, u32);

/// National series the model does not measure, and why (none now: the
/// treatment series and prevalence are measured since the model has people who
/// use drugs or alcohol without offending).
pub const UNMEASURED: [(&str, &str); 0] = [];

/// Official figures beyond the shared national series, measured the same way
/// but never fitted (register role `validation`): the prison population's
/// parts (remand, recall) and recalls a year, from the Ministry of Justice's
/// offender management statistics and the prisons inspectorate.
pub const SUPPLEMENT: &str = include_str!("../../calibration/national_supplement.csv");

/// England's share of the England and Wales population (ONS mid-2012: 53.5 of
/// 56.6 million, `ons_pop_england_2012` in data/treatment_health_sources.csv):
/// treatment statistics and prevalence cover England, the model England and Wales.
pub const ENGLAND_SHARE: f64 = 53.5 / (53.5 + 3.1);

/// What a treatment series (NDTMS, England) counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Treated {
    /// Distinct adults in community treatment during the period: drug groups
    /// only, or drugs and alcohol.
    Adults { alcohol: bool },
    /// Distinct adults starting a journey in the period (drugs and alcohol).
    NewPresentations,
    /// Opiates/crack users whose first journey (since the start) starts in it.
    OpiateFirstStarts,
    /// Opiates/crack users aged 15-64 alive in the model on the period's middle day.
    Prevalence,
}

/// (register id, what, period) of every treatment series; counts x scale x
/// [`ENGLAND_SHARE`].
const TREATMENT_SERIES: [(&str, Treated, (Ymd, Ymd)); 9] = [
    (
        "treatment_adults_2006_07",
        Treated::Adults { alcohol: false },
        fy(2006),
    ),
    (
        "treatment_adults_2011_12",
        Treated::Adults { alcohol: false },
        fy(2011),
    ),
    (
        "treatment_adults_2021_22",
        Treated::Adults { alcohol: true },
        fy(2021),
    ),
    ("treatment_new_2019_20", Treated::NewPresentations, fy(2019)),
    ("treatment_new_2021_22", Treated::NewPresentations, fy(2021)),
    (
        "heroin_first_starts_2005_06",
        Treated::OpiateFirstStarts,
        fy(2005),
    ),
    (
        "heroin_first_starts_2011_12",
        Treated::OpiateFirstStarts,
        fy(2011),
    ),
    ("ocu_prevalence_2011_12", Treated::Prevalence, fy(2011)),
    ("ocu_prevalence_2016_17", Treated::Prevalence, fy(2016)),
];
const NT: usize = TREATMENT_SERIES.len();

/// What an event count counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Count {
    Arrests,
    /// Tests after a trigger-offence arrest.
    Tests,
    DrrStarts,
    /// Convictions sentenced to short or long custody.
    CustodySentences,
    /// Every conviction.
    Sentenced,
    /// Sentenced receptions; `Some(band)`: of that length band only.
    SentencedReceptions(Option<u16>),
    FirstReceptions,
    Recalls,
}

const fn fy(year: i32) -> (Ymd, Ymd) {
    ((year, 4, 1), (year + 1, 3, 31))
}
const fn cal(year: i32) -> (Ymd, Ymd) {
    ((year, 1, 1), (year, 12, 31))
}

/// (register id, what, period) of every count.
const COUNTS: [(&str, Count, (Ymd, Ymd)); 28] = [
    ("arrests_2001_02", Count::Arrests, fy(2001)),
    ("arrests_2003_04", Count::Arrests, fy(2003)),
    ("arrests_2005_06", Count::Arrests, fy(2005)),
    ("arrests_2007_08", Count::Arrests, fy(2007)),
    ("arrests_2011_12", Count::Arrests, fy(2011)),
    ("arrests_2014_15", Count::Arrests, fy(2014)),
    ("arrests_2016_17", Count::Arrests, fy(2016)),
    ("arrests_2018_19", Count::Arrests, fy(2018)),
    ("arrests_2019_20", Count::Arrests, fy(2019)),
    ("arrests_2023_24", Count::Arrests, fy(2023)),
    ("dip_tests_2007_08", Count::Tests, fy(2007)),
    (
        "sentenced_receptions_2005",
        Count::SentencedReceptions(None),
        cal(2005),
    ),
    (
        "sentenced_receptions_2005_le6m",
        Count::SentencedReceptions(Some(0)),
        cal(2005),
    ),
    (
        "sentenced_receptions_2005_6_12m",
        Count::SentencedReceptions(Some(1)),
        cal(2005),
    ),
    (
        "sentenced_receptions_2005_12m_4y",
        Count::SentencedReceptions(Some(2)),
        cal(2005),
    ),
    (
        "sentenced_receptions_2005_4y_plus",
        Count::SentencedReceptions(Some(3)),
        cal(2005),
    ),
    (
        "immediate_custody_sentences_2004",
        Count::CustodySentences,
        cal(2004),
    ),
    (
        "first_receptions_2018q3",
        Count::FirstReceptions,
        ((2018, 7, 1), (2018, 9, 30)),
    ),
    (
        "first_receptions_2023q1",
        Count::FirstReceptions,
        ((2023, 1, 1), (2023, 3, 31)),
    ),
    (
        "first_receptions_2024q1",
        Count::FirstReceptions,
        ((2024, 1, 1), (2024, 3, 31)),
    ),
    ("drr_starts_2008", Count::DrrStarts, cal(2008)),
    ("drr_starts_2009", Count::DrrStarts, cal(2009)),
    (
        "sentenced_all_2011",
        Count::Sentenced,
        ((2010, 10, 1), (2011, 9, 30)),
    ),
    ("recalls_2000_01", Count::Recalls, fy(2000)),
    ("recalls_2004_05", Count::Recalls, fy(2004)),
    ("recalls_2016", Count::Recalls, cal(2016)),
    ("recalls_2017", Count::Recalls, cal(2017)),
    ("recalls_2018", Count::Recalls, cal(2018)),
];

/// Who a snapshot counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Snapshot {
    Prison,
    /// At liberty on an order or under supervision after release.
    Caseload,
    /// At liberty on an order.
    CourtOrders,
    /// In custody on remand (untried or convicted and awaiting sentence).
    Remand,
    /// In custody on recall from licence.
    Recall,
}

/// (register id, who, day) of every snapshot. A month with no day is taken at its
/// 15th; April 2010 on the day the source reported (Friday 23 April).
const SNAPSHOTS: [(&str, Snapshot, Ymd); 14] = [
    ("prison_population_2001_06", Snapshot::Prison, (2001, 6, 30)),
    (
        "prison_population_2005_10",
        Snapshot::Prison,
        (2005, 10, 15),
    ),
    ("prison_population_2007_06", Snapshot::Prison, (2007, 6, 30)),
    ("prison_population_2010_04", Snapshot::Prison, (2010, 4, 23)),
    ("prison_population_2011_12", Snapshot::Prison, (2011, 12, 2)),
    ("prison_population_2016_06", Snapshot::Prison, (2016, 6, 17)),
    (
        "prison_population_2018_12",
        Snapshot::Prison,
        (2018, 12, 31),
    ),
    ("prison_population_2022_06", Snapshot::Prison, (2022, 6, 30)),
    ("prison_population_2024_06", Snapshot::Prison, (2024, 6, 30)),
    (
        "probation_caseload_2011_09",
        Snapshot::Caseload,
        (2011, 9, 30),
    ),
    (
        "probation_court_orders_2011_09",
        Snapshot::CourtOrders,
        (2011, 9, 30),
    ),
    ("prison_remand_2024_06", Snapshot::Remand, (2024, 6, 30)),
    ("prison_recall_2014_06", Snapshot::Recall, (2014, 6, 30)),
    ("prison_recall_2024_06", Snapshot::Recall, (2024, 6, 30)),
];
const NS: usize = SNAPSHOTS.len();
const AVERAGE_2002: &str = "prison_population_2002_avg";

/// Which index events a reoffending figure keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cohort {
    All,
    /// Index a release from a sentence, or a community or suspended order.
    CustodyOrOrders,
    /// Index a release from a stay sentenced to under 12 months.
    ShortCustody,
}

/// A reoffending figure: register id, adults only, cohort, whether it is the
/// cohort's size (else the rate), and its periods (pooled).
struct Reoffending {
    id: &'static str,
    adults: bool,
    cohort: Cohort,
    size: bool,
    periods: &'static [(Ymd, Ymd)],
}

const fn quarters(year: i32) -> [(Ymd, Ymd); 4] {
    [
        ((year, 4, 1), (year, 6, 30)),
        ((year, 7, 1), (year, 9, 30)),
        ((year, 10, 1), (year, 12, 31)),
        ((year + 1, 1, 1), (year + 1, 3, 31)),
    ]
}
const JUL_2010_JUN_2011: (Ymd, Ymd) = ((2010, 7, 1), (2011, 6, 30));
const Q2_2017: (Ymd, Ymd) = ((2017, 4, 1), (2017, 6, 30));
const Q3_2019: (Ymd, Ymd) = ((2019, 7, 1), (2019, 9, 30));

const REOFFENDING: [Reoffending; 8] = [
    Reoffending {
        id: "reoffending_2010_11_all",
        adults: false,
        cohort: Cohort::All,
        size: false,
        periods: &[JUL_2010_JUN_2011],
    },
    Reoffending {
        id: "reoffending_2008_09_adults",
        adults: true,
        cohort: Cohort::All,
        size: false,
        periods: &quarters(2008),
    },
    Reoffending {
        id: "reoffending_2017q2_adults",
        adults: true,
        cohort: Cohort::All,
        size: false,
        periods: &[Q2_2017],
    },
    Reoffending {
        id: "reoffending_2019q3_adults",
        adults: true,
        cohort: Cohort::All,
        size: false,
        periods: &[Q3_2019],
    },
    Reoffending {
        id: "reoffending_2019q3_custody_orders",
        adults: true,
        cohort: Cohort::CustodyOrOrders,
        size: false,
        periods: &[Q3_2019],
    },
    Reoffending {
        id: "reoffending_2019q3_short_custody",
        adults: true,
        cohort: Cohort::ShortCustody,
        size: false,
        periods: &[Q3_2019],
    },
    Reoffending {
        id: "reoffending_2022_23_adults",
        adults: true,
        cohort: Cohort::All,
        size: false,
        periods: &quarters(2022),
    },
    Reoffending {
        id: "reoffending_cohort_2010_11_adults",
        adults: true,
        cohort: Cohort::All,
        size: true,
        periods: &[JUL_2010_JUN_2011],
    },
];
const NR: usize = REOFFENDING.len();
/// The short-custody figure's place in [`REOFFENDING`] (for its diagnostic).
const SHORT_CUSTODY: usize = 5;

/// Every register id, in the order of the constants above.
const IDS: [&str; COUNTS.len() + 1 + NS + 1 + NR + NT] = {
    let mut ids = [""; COUNTS.len() + 1 + NS + 1 + NR + NT];
    let mut k = 0;
    let mut i = 0;
    while i < COUNTS.len() {
        ids[k] = COUNTS[i].0;
        k += 1;
        i += 1;
    }
    ids[k] = "dip_positive_2005_06";
    k += 1;
    i = 0;
    while i < NS {
        ids[k] = SNAPSHOTS[i].0;
        k += 1;
        i += 1;
    }
    ids[k] = AVERAGE_2002;
    k += 1;
    i = 0;
    while i < NR {
        ids[k] = REOFFENDING[i].id;
        k += 1;
        i += 1;
    }
    i = 0;
    while i < NT {
        ids[k] = TREATMENT_SERIES[i].0;
        k += 1;
        i += 1;
    }
    ids
};

/// A day as a fractional calendar year (1 July 2007 is about 2007.5).
fn year_fraction((y, m, d): Ymd) -> f64 {
    let day = Date::ymd(y, m, d).as_f64();
    let start = Date::year_start(y).as_f64();
    let next = Date::year_start(y + 1).as_f64();
    y as f64 + (day - start) / (next - start)
}

/// The middle of a register row's period as a fractional year (a snapshot's
/// day; pooled periods from the first day to the last), for charts; `None` for
/// an id this study does not measure.
pub fn period_middle(id: &str) -> Option<f64> {
    let mid = |(a, b): (Ymd, Ymd)| (year_fraction(a) + year_fraction(b)) / 2.0;
    if let Some(&(_, _, w)) = COUNTS.iter().find(|c| c.0 == id) {
        return Some(mid(w));
    }
    if let Some(&(_, _, day)) = SNAPSHOTS.iter().find(|c| c.0 == id) {
        return Some(year_fraction(day));
    }
    if let Some(r) = REOFFENDING.iter().find(|r| r.id == id) {
        let first = r.periods.first()?.0;
        let last = r.periods.last()?.1;
        return Some(mid((first, last)));
    }
    if let Some(&(_, _, w)) = TREATMENT_SERIES.iter().find(|c| c.0 == id) {
        return Some(mid(w));
    }
    match id {
        AVERAGE_2002 => Some(mid(cal(2002))),
        "dip_positive_2005_06" => Some(mid(fy(2005))),
        _ => None,
    }
}

/// A custody reception of a sentenced kind (short, long, breach).
fn sentenced_kind(detail: u8) -> bool {
    detail == CustodyKind::Short as u8
        || detail == CustodyKind::Long as u8
        || detail == CustodyKind::Breach as u8
}
/// `CustodyStart`: sentenced while already on remand (bit 0 of `extra`).
fn from_remand(e: &Event) -> bool {
    e.extra & 1 == 1
}
/// `CustodyStart` of a sentenced kind: the sentence's length band (bits 1-2 of
/// `extra`): 0 up to 6 months, 1 over 6 and under 12 months, 2 12 months to under 4
/// years, 3 4 years and over.
fn length_band(e: &Event) -> u16 {
    (e.extra >> 1) & 3
}

/// Whether event `e` is one that `count` counts (`trigger`: the last arrest was for
/// a trigger offence).
fn counts(count: Count, e: &Event, trigger: bool) -> bool {
    match (count, e.kind) {
        (Count::Arrests, EventKind::Arrest) => true,
        (Count::Tests, EventKind::Test) => trigger,
        (Count::DrrStarts, EventKind::OrderStart) => e.detail == OrderKind::Drr as u8,
        (Count::CustodySentences, EventKind::Conviction) => {
            Sentence::from_u8(e.detail).is_custody()
        }
        (Count::Sentenced, EventKind::Conviction) => true,
        (Count::SentencedReceptions(band), EventKind::CustodyStart) => {
            sentenced_kind(e.detail) && band.is_none_or(|b| length_band(e) == b)
        }
        (Count::FirstReceptions, EventKind::CustodyStart) => {
            e.detail == CustodyKind::Remand as u8 || (sentenced_kind(e.detail) && !from_remand(e))
        }
        (Count::Recalls, EventKind::CustodyStart) => e.detail == CustodyKind::Recall as u8,
        _ => false,
    }
}

/// A proven-reoffending index event: its kind for the breakdowns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Index {
    /// A caution, or a discharge or fine.
    Other,
    /// A community or suspended order.
    Order,
    /// A release from a sentence; `short` if its stay's latest sentence was under 12 months.
    Release { short: bool },
}

impl Cohort {
    fn keeps(self, index: Index) -> bool {
        match self {
            Cohort::All => true,
            Cohort::CustodyOrOrders => index != Index::Other,
            Cohort::ShortCustody => index == Index::Release { short: true },
        }
    }
}

#[derive(Clone, Debug)]
pub struct National {
    /// Each count's window, as in [`COUNTS`], and its events (simulated, unscaled).
    count_windows: [Window; COUNTS.len()],
    pub counts: [u64; COUNTS.len()],
    /// Tests after trigger arrests in 2005/06, and positives.
    positive_window: Window,
    pub tests_2005: u64,
    pub positive_2005: u64,
    /// Each snapshot's day, as in [`SNAPSHOTS`], and the people it counts.
    snapshot_days: [i32; NS],
    pub snapshots: [u64; NS],
    /// People counted on the caseload day only for the supervision after a release.
    pub caseload_post_release: u64,
    year_2002: Window,
    pub custody_days_2002: u64,
    /// (figure in [`REOFFENDING`], period) for every period of every figure.
    periods: Vec<(usize, Window)>,
    /// Per figure: cohort and proven reoffenders (simulated, unscaled).
    pub cohort: [u64; NR],
    pub reoffenders: [u64; NR],
    /// Each treatment series' period, as in [`TREATMENT_SERIES`], and its count.
    treatment_windows: [Window; NT],
    pub treated: [u64; NT],
}

impl Default for National {
    fn default() -> Self {
        let date = |(y, m, d): Ymd| Date::ymd(y, m, d);
        let window = |(a, b): (Ymd, Ymd)| Window::new(date(a), date(b));
        let periods = REOFFENDING
            .iter()
            .enumerate()
            .flat_map(|(k, r)| r.periods.iter().map(move |&p| (k, window(p))))
            .collect();
        National {
            count_windows: COUNTS.map(|(_, _, w)| window(w)),
            counts: [0; COUNTS.len()],
            positive_window: Window::financial_year(2005),
            tests_2005: 0,
            positive_2005: 0,
            snapshot_days: SNAPSHOTS.map(|(_, _, d)| date(d).day()),
            snapshots: [0; NS],
            caseload_post_release: 0,
            year_2002: window(cal(2002)),
            custody_days_2002: 0,
            periods,
            cohort: [0; NR],
            reoffenders: [0; NR],
            treatment_windows: TREATMENT_SERIES.map(|(_, _, w)| window(w)),
            treated: [0; NT],
        }
    }
}

impl National {
    /// Event counts, and the 2005/06 test positivity.
    fn count_events(&mut self, events: &[Event]) {
        let mut trigger = false;
        for e in events {
            match e.kind {
                EventKind::Arrest => trigger = e.detail == 1,
                EventKind::Test if trigger && self.positive_window.contains(e.day) => {
                    self.tests_2005 += 1;
                    self.positive_2005 += (e.detail == 1) as u64;
                }
                _ => {}
            }
            if !matches!(
                e.kind,
                EventKind::Arrest
                    | EventKind::Test
                    | EventKind::OrderStart
                    | EventKind::Conviction
                    | EventKind::CustodyStart
            ) {
                continue;
            }
            for (k, &(_, count, _)) in COUNTS.iter().enumerate() {
                if self.count_windows[k].contains(e.day) && counts(count, e, trigger) {
                    self.counts[k] += 1;
                }
            }
        }
    }

    /// Who is in custody, on an order and under supervision on each snapshot day,
    /// and the days in custody in 2002.
    fn snapshot(&mut self, p: &Person, events: &[Event]) {
        let by_death = events.last().is_some_and(|e| e.kind == EventKind::Death);
        // The day after the last simulated day; supervision outlives desistance.
        let end = p.exit_day + 1;
        let supervision_end = if by_death { end } else { i32::MAX };
        let mut in_custody = [false; NS];
        let mut on_order = [false; NS];
        let mut supervised = [false; NS];
        let mark = |days: &[i32; NS], a: i32, b: i32, flags: &mut [bool; NS]| {
            for (f, &d) in flags.iter_mut().zip(days) {
                *f |= a <= d && d < b;
            }
        };
        let (mut stay, mut order): (Option<i32>, Option<i32>) = (None, None);
        // What holds the person in the open stay (a custody kind) and since when.
        let mut held: Option<(i32, u8)> = None;
        let mut on_remand = [false; NS];
        let mut recalled = [false; NS];
        let close_held = |held: Option<(i32, u8)>,
                          b: i32,
                          on_remand: &mut [bool; NS],
                          recalled: &mut [bool; NS]| {
            if let Some((a, kind)) = held {
                if kind == CustodyKind::Remand as u8 {
                    mark(&self.snapshot_days, a, b, on_remand);
                } else if kind == CustodyKind::Recall as u8 {
                    mark(&self.snapshot_days, a, b, recalled);
                }
            }
        };
        let close_stay = |a: i32, b: i32, flags: &mut [bool; NS], days_2002: &mut u64| {
            mark(&self.snapshot_days, a, b, flags);
            let y = self.year_2002;
            let (lo, hi) = (a.max(y.first), b.min(y.last + 1));
            *days_2002 += (hi - lo).max(0) as u64;
        };
        let mut days_2002 = 0;
        for e in events {
            match e.kind {
                EventKind::CustodyStart => {
                    stay.get_or_insert(e.day);
                    close_held(held, e.day, &mut on_remand, &mut recalled);
                    held = Some((e.day, e.detail));
                }
                EventKind::Release => {
                    close_held(held.take(), e.day, &mut on_remand, &mut recalled);
                    if let Some(a) = stay.take() {
                        close_stay(a, e.day, &mut in_custody, &mut days_2002);
                    }
                    if e.detail == 0 && e.extra > 0 {
                        let b = (e.day + e.extra as i32).min(supervision_end);
                        mark(&self.snapshot_days, e.day, b, &mut supervised);
                    }
                }
                EventKind::OrderStart => {
                    order.get_or_insert(e.day);
                }
                EventKind::OrderEnd => {
                    if let Some(a) = order.take() {
                        mark(&self.snapshot_days, a, e.day, &mut on_order);
                    }
                }
                _ => {}
            }
        }
        if let Some(a) = stay {
            close_stay(a, end, &mut in_custody, &mut days_2002);
        }
        close_held(held, end, &mut on_remand, &mut recalled);
        if let Some(a) = order {
            mark(&self.snapshot_days, a, end, &mut on_order);
        }
        self.custody_days_2002 += days_2002;
        for (k, &(_, who, _)) in SNAPSHOTS.iter().enumerate() {
            let free = !in_custody[k];
            let counted = match who {
                Snapshot::Prison => in_custody[k],
                Snapshot::Caseload => free && (on_order[k] || supervised[k]),
                Snapshot::CourtOrders => free && on_order[k],
                Snapshot::Remand => on_remand[k],
                Snapshot::Recall => recalled[k],
            };
            self.snapshots[k] += counted as u64;
            if who == Snapshot::Caseload && free && supervised[k] && !on_order[k] {
                self.caseload_post_release += 1;
            }
        }
    }

    /// Proven-reoffending cohorts: the first index event of each period.
    fn reoffending(&mut self, p: &Person, events: &[Event]) {
        let mut indexed = vec![false; self.periods.len()];
        let mut short_stay = false;
        let observed = observed_until(p, events);
        for (i, e) in events.iter().enumerate() {
            let index = match e.kind {
                EventKind::CustodyStart if sentenced_kind(e.detail) => {
                    short_stay = length_band(e) <= 1;
                    continue;
                }
                EventKind::Disposal if Disposal::from_u8(e.detail).is_caution() => Index::Other,
                EventKind::Conviction => match Sentence::from_u8(e.detail) {
                    Sentence::DischargeFine => Index::Other,
                    Sentence::Community | Sentence::Suspended => Index::Order,
                    _ => continue,
                },
                EventKind::Release if e.detail == 0 => Index::Release { short: short_stay },
                _ => continue,
            };
            let mut reoffence = None;
            for (j, &(k, w)) in self.periods.iter().enumerate() {
                if indexed[j] || !w.contains(e.day) {
                    continue;
                }
                indexed[j] = true;
                let r = &REOFFENDING[k];
                if (r.adults && p.age_on(e.day) < 18) || !r.cohort.keeps(index) {
                    continue;
                }
                if r.size {
                    self.cohort[k] += 1;
                } else if observed >= e.day + REOFFENDING_CONVICTION_DAYS {
                    self.cohort[k] += 1;
                    self.reoffenders[k] +=
                        *reoffence.get_or_insert_with(|| reoffended(events, i)) as u64;
                }
            }
        }
    }
}

impl National {
    /// The treatment series: the person's community spells of treatment, journey
    /// starts, first start and the days alive decide each.
    fn treatment(&mut self, p: &Person, events: &[Event]) {
        let group = p.substance;
        if group == Substance::None {
            return;
        }
        let end = p.exit_day + 1;
        // Community spells [a, b) of the person's journeys, and journey starts.
        let mut spells: Vec<(i32, i32)> = Vec::new();
        let mut starts: Vec<i32> = Vec::new();
        let mut open: Option<i32> = None;
        // The day the problem ended (recovery), if it did.
        let mut recovered = i32::MAX;
        for e in events {
            match e.kind {
                EventKind::Recovery => recovered = e.day,
                EventKind::TreatmentStart => {
                    starts.push(e.day);
                    open = Some(e.day);
                }
                EventKind::TreatmentTransfer if e.detail == 1 => open = Some(e.day),
                EventKind::TreatmentTransfer | EventKind::TreatmentEnd => {
                    if let Some(a) = open.take() {
                        spells.push((a, e.day));
                    }
                }
                _ => {}
            }
        }
        if let Some(a) = open {
            spells.push((a, end));
        }
        let adult_from = p.birth_day + (18.0 * crate::calendar::DAYS_PER_YEAR).ceil() as i32;
        for (k, &(_, what, _)) in TREATMENT_SERIES.iter().enumerate() {
            let w = self.treatment_windows[k];
            let counted = match what {
                Treated::Adults { alcohol } => {
                    (group.uses_drugs() || alcohol)
                        && spells
                            .iter()
                            .any(|&(a, b)| a.max(w.first).max(adult_from) < b.min(w.last + 1))
                }
                Treated::NewPresentations => {
                    starts.iter().any(|&d| w.contains(d) && d >= adult_from)
                }
                Treated::OpiateFirstStarts => {
                    group.is_pdu() && starts.first().is_some_and(|&d| w.contains(d))
                }
                Treated::Prevalence => {
                    let day = w.first + 183;
                    let age = p.age_on(day);
                    group.is_pdu()
                        && p.entry_day <= day
                        && day < end.min(recovered)
                        && (15..=64).contains(&age)
                }
            };
            self.treated[k] += counted as u64;
        }
    }
}

impl Observer for National {
    fn observe(&mut self, h: &Histories) {
        for (p, events) in h.iter() {
            self.count_events(events);
            self.snapshot(p, events);
            self.reoffending(p, events);
            self.treatment(p, events);
        }
    }

    fn merge(&mut self, o: Self) {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.counts, &o.counts);
        self.tests_2005 += o.tests_2005;
        self.positive_2005 += o.positive_2005;
        add(&mut self.snapshots, &o.snapshots);
        self.caseload_post_release += o.caseload_post_release;
        self.custody_days_2002 += o.custody_days_2002;
        add(&mut self.cohort, &o.cohort);
        add(&mut self.reoffenders, &o.reoffenders);
        add(&mut self.treated, &o.treated);
    }
}

impl Study for National {
    const NAME: &'static str = "national";
    const TARGETS: &'static [&'static str] = &IDS;

    /// Counts are reported even when zero; rates only with a cohort.
    fn values(&self, scale: f64) -> Vec<Value> {
        let mut out: Vec<Value> = COUNTS
            .iter()
            .zip(self.counts)
            .map(|(&(id, ..), n)| (id, n as f64 * scale))
            .collect();
        push(
            &mut out,
            "dip_positive_2005_06",
            percent(self.positive_2005, self.tests_2005),
        );
        for (&(id, ..), n) in SNAPSHOTS.iter().zip(self.snapshots) {
            out.push((id, n as f64 * scale));
        }
        let days = (self.year_2002.last - self.year_2002.first + 1) as f64;
        out.push((AVERAGE_2002, self.custody_days_2002 as f64 / days * scale));
        for (k, r) in REOFFENDING.iter().enumerate() {
            if r.size {
                out.push((r.id, self.cohort[k] as f64 * scale));
            } else {
                push(&mut out, r.id, percent(self.reoffenders[k], self.cohort[k]));
            }
        }
        for (&(id, ..), n) in TREATMENT_SERIES.iter().zip(self.treated) {
            out.push((id, n as f64 * scale * ENGLAND_SHARE));
        }
        // diagnostics: the post-release part of the caseload (scaled), and the
        // simulated cohort behind the short-custody rate (unscaled)
        out.push((
            "national_caseload_post_release_2011_09",
            self.caseload_post_release as f64 * scale,
        ));
        out.push((
            "national_short_custody_2019q3_sim_n",
            self.cohort[SHORT_CUSTODY] as f64,
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OrderOutcome, Substance};
    use crate::studies::testkit::*;

    fn observe_people(people: Vec<(Person, Vec<Event>)>) -> National {
        let mut h = Histories::default();
        for (p, ev) in people {
            h.push(p, &sorted(ev));
        }
        let mut n = National::default();
        n.observe(&h);
        n
    }

    fn observe(people: Vec<Vec<Event>>) -> National {
        observe_people(
            people
                .into_iter()
                .map(|ev| (person(Substance::OpiatesCrack), ev))
                .collect(),
        )
    }

    fn get(n: &National, scale: f64, id: &str) -> Option<f64> {
        n.values(scale).iter().find(|v| v.0 == id).map(|v| v.1)
    }

    #[test]
    fn treatment_series_count_community_spells_first_starts_and_the_living() {
        use crate::history::{Route, TreatmentExit};
        let transfer =
            |d: i32, out: bool| Event::new(d, EventKind::TreatmentTransfer, out as u8, 0);
        let fy06 = day(2006, 4, 1);
        let young = |s: Substance| Person {
            birth_day: day(1989, 6, 1),
            ..person(s)
        };
        let n = observe_people(vec![
            // First journey in 2005/06; into prison before 2006/07 and picked up
            // only in 2007: no community day in 2006/07.
            (
                person(Substance::OpiatesCrack),
                vec![
                    start(day(2005, 6, 1), Route::Dip),
                    transfer(fy06 - 10, false),
                    transfer(day(2007, 5, 1), true),
                    end(day(2007, 9, 1), Route::Dip, TreatmentExit::Completed),
                ],
            ),
            // In community treatment in 2006/07 (other drugs): counted; a start
            // in 2004 is its first, so not a 2005/06 first start.
            (
                person(Substance::OtherDrugs),
                vec![
                    start(day(2004, 1, 1), Route::Voluntary),
                    end(day(2004, 6, 1), Route::Voluntary, TreatmentExit::Dropout),
                    start(day(2006, 12, 1), Route::Voluntary),
                ],
            ),
            // Alcohol: only in the drugs-and-alcohol series.
            (
                person(Substance::Alcohol),
                vec![start(day(2006, 5, 1), Route::Voluntary)],
            ),
            // In treatment in 2006/07 only before turning 18 (June 2007): not an adult then.
            (
                young(Substance::OtherDrugs),
                vec![
                    start(day(2006, 5, 1), Route::Voluntary),
                    end(day(2007, 1, 1), Route::Voluntary, TreatmentExit::Dropout),
                ],
            ),
        ]);
        assert_eq!(n.treated[0], 1, "treatment_adults_2006_07");
        assert_eq!(n.treated[5], 1, "heroin_first_starts_2005_06");
        let opiates_alive = 1;
        assert_eq!(
            n.treated[7], opiates_alive,
            "ocu_prevalence_2011_12 (aged 41)"
        );
        let v = get(&n, 10.0, "treatment_adults_2006_07").unwrap();
        assert!((v - 10.0 * ENGLAND_SHARE).abs() < 1e-9);
        // Drugs and alcohol in 2021/22: the alcohol journey is still open.
        assert_eq!(
            n.treated[2], 2,
            "treatment_adults_2021_22: other drugs and alcohol"
        );
    }

    fn custody(d: i32, kind: CustodyKind, from_remand: bool, band: u16) -> Event {
        Event::new(
            d,
            EventKind::CustodyStart,
            kind as u8,
            from_remand as u16 | (band << 1),
        )
    }
    fn release(d: i32, from_remand: bool, supervision_days: u16) -> Event {
        Event::new(d, EventKind::Release, from_remand as u8, supervision_days)
    }
    fn sentence(d: i32, s: Sentence, lag: u16) -> Event {
        Event::new(d, EventKind::Conviction, s as u8, lag)
    }
    fn caution(d: i32) -> Event {
        Event::new(d, EventKind::Disposal, Disposal::Caution as u8, 0)
    }
    fn order(d: i32, kind: OrderKind) -> Event {
        Event::new(d, EventKind::OrderStart, kind as u8, 0)
    }
    fn order_end(d: i32, kind: OrderKind) -> Event {
        Event::new(
            d,
            EventKind::OrderEnd,
            kind as u8,
            OrderOutcome::Completed as u16,
        )
    }

    #[test]
    fn arrests_are_counted_by_financial_year() {
        let n = observe(vec![
            vec![
                arrest(day(2001, 3, 31), false),
                arrest(day(2001, 4, 1), true),
                arrest(day(2002, 3, 31), false),
                arrest(day(2002, 4, 1), false),
            ],
            // every arrest counts, not every person
            vec![
                arrest(day(2001, 9, 1), false),
                arrest(day(2001, 9, 2), false),
            ],
        ]);
        assert_eq!(get(&n, 1.0, "arrests_2001_02"), Some(4.0));
        assert_eq!(get(&n, 20.0, "arrests_2001_02"), Some(80.0));
        assert_eq!(get(&n, 1.0, "arrests_2003_04"), Some(0.0));
    }

    #[test]
    fn tests_follow_trigger_arrests() {
        let a = day(2005, 6, 1);
        let b = day(2007, 6, 1);
        let n = observe(vec![vec![
            arrest(a, true),
            test(a, true),
            arrest(a + 1, true),
            test(a + 1, false),
            arrest(a + 2, true),
            test(a + 2, false),
            arrest(a + 3, true),
            test(a + 3, true),
            // a test after a non-trigger arrest is not counted
            arrest(a + 4, false),
            test(a + 4, true),
            arrest(b, true),
            test(b, true),
            arrest(b + 1, false),
            test(b + 1, true),
        ]]);
        assert_eq!(get(&n, 1.0, "dip_positive_2005_06"), Some(50.0));
        assert_eq!(get(&n, 10.0, "dip_tests_2007_08"), Some(10.0));
        assert_eq!(
            observe(vec![])
                .values(1.0)
                .iter()
                .find(|v| v.0 == "dip_positive_2005_06"),
            None
        );
    }

    #[test]
    fn first_and_sentenced_receptions_with_a_sentence_on_remand() {
        let d = day(2005, 3, 1);
        let q = day(2018, 8, 1);
        let n = observe(vec![
            // remanded, then sentenced where they are (6 to 12 months): a first
            // reception (the remand) and a sentenced reception
            vec![
                custody(d, CustodyKind::Remand, false, 0),
                custody(d + 30, CustodyKind::Short, true, 1),
                release(d + 100, false, 0),
            ],
            // sentenced from liberty to 4 years: both
            vec![custody(d, CustodyKind::Long, false, 3)],
            // a revoked order: sentenced, up to 6 months
            vec![custody(d, CustodyKind::Breach, false, 0)],
            // first receptions in a quarter: remand, then sentenced on remand (not
            // first), then sentenced from liberty; a recall (kind 4) is neither
            vec![
                custody(q, CustodyKind::Remand, false, 0),
                custody(q + 10, CustodyKind::Short, true, 0),
                release(q + 20, false, 0),
                custody(q + 30, CustodyKind::Short, false, 0),
                release(q + 40, false, 0),
                Event::new(q + 50, EventKind::CustodyStart, 4, 0),
                custody(day(2018, 10, 1), CustodyKind::Remand, false, 0),
            ],
        ]);
        let g = |id| get(&n, 1.0, id).unwrap();
        assert_eq!(g("sentenced_receptions_2005"), 3.0);
        assert_eq!(g("sentenced_receptions_2005_le6m"), 1.0);
        assert_eq!(g("sentenced_receptions_2005_6_12m"), 1.0);
        assert_eq!(g("sentenced_receptions_2005_12m_4y"), 0.0);
        assert_eq!(g("sentenced_receptions_2005_4y_plus"), 1.0);
        assert_eq!(g("first_receptions_2018q3"), 2.0);
    }

    #[test]
    fn sentences_and_drr_starts_by_calendar_year() {
        let d = day(2004, 6, 1);
        let n = observe(vec![vec![
            sentence(d, Sentence::ShortCustody, 10),
            sentence(d + 1, Sentence::LongCustody, 10),
            sentence(d + 2, Sentence::Concurrent, 10),
            sentence(d + 3, Sentence::Community, 10),
            order(d + 3, OrderKind::Drr),
            order(day(2008, 1, 1), OrderKind::Drr),
            order(day(2008, 2, 1), OrderKind::Atr),
            sentence(day(2010, 10, 1), Sentence::Concurrent, 5),
            sentence(day(2011, 9, 30), Sentence::DischargeFine, 5),
            sentence(day(2011, 10, 1), Sentence::DischargeFine, 5),
        ]]);
        let g = |id| get(&n, 1.0, id).unwrap();
        assert_eq!(g("immediate_custody_sentences_2004"), 2.0);
        assert_eq!(g("drr_starts_2008"), 1.0);
        assert_eq!(g("drr_starts_2009"), 0.0);
        assert_eq!(g("sentenced_all_2011"), 2.0);
    }

    #[test]
    fn snapshots_count_people_in_that_state_on_the_day() {
        let s = day(2011, 9, 30);
        let p = day(2001, 6, 30);
        let n = observe(vec![
            // in prison over the day (remand then a sentence): counted once
            vec![
                custody(p - 10, CustodyKind::Remand, false, 0),
                custody(p - 5, CustodyKind::Short, true, 0),
                release(p + 10, false, 0),
            ],
            // received on the day: counted; released on the day: not
            vec![custody(p, CustodyKind::Short, false, 0)],
            vec![
                custody(p - 50, CustodyKind::Short, false, 0),
                release(p, false, 0),
            ],
            // on an order on the caseload day
            vec![
                order(s - 100, OrderKind::Community),
                order_end(s + 1, OrderKind::Community),
            ],
            // order ended on the day: not on it
            vec![order(s - 100, OrderKind::Drr), order_end(s, OrderKind::Drr)],
            // on an order but remanded in custody: not at liberty
            vec![
                order(s - 100, OrderKind::Suspended),
                custody(s - 1, CustodyKind::Remand, false, 0),
            ],
            // released 100 days before with 200 days of supervision: caseload only
            vec![
                custody(s - 200, CustodyKind::Long, false, 2),
                release(s - 100, false, 200),
            ],
            // supervision over by the day
            vec![
                custody(s - 200, CustodyKind::Short, false, 0),
                release(s - 100, false, 100),
            ],
            // released from remand: no supervision
            vec![
                custody(s - 200, CustodyKind::Remand, false, 0),
                release(s - 100, true, 400),
            ],
        ]);
        let g = |id| get(&n, 1.0, id).unwrap();
        assert_eq!(g("prison_population_2001_06"), 2.0);
        assert_eq!(g("probation_court_orders_2011_09"), 1.0);
        assert_eq!(g("probation_caseload_2011_09"), 2.0);
        assert_eq!(g("national_caseload_post_release_2011_09"), 1.0);
        // the second (never released) and the one remanded on 2011-09-29
        assert_eq!(g("prison_population_2011_12"), 2.0);
        assert_eq!(g("prison_population_2007_06"), 1.0);
    }

    #[test]
    fn supervision_ends_at_death_and_the_2002_average_counts_days() {
        let s = day(2011, 9, 30);
        let mut dead = person(Substance::OpiatesCrack);
        dead.exit_day = s - 1;
        let n = observe_people(vec![
            (
                dead,
                vec![
                    custody(s - 200, CustodyKind::Long, false, 2),
                    release(s - 100, false, 200),
                    Event::new(s - 1, EventKind::Death, 0, 0),
                ],
            ),
            // half of 2002 in custody: 2002-07-02 to the end of the year
            (
                person(Substance::None),
                vec![
                    custody(day(2002, 7, 2), CustodyKind::Long, false, 3),
                    release(day(2003, 2, 1), false, 0),
                ],
            ),
        ]);
        assert_eq!(get(&n, 1.0, "probation_caseload_2011_09"), Some(0.0));
        let days = (day(2003, 1, 1) - day(2002, 7, 2)) as f64;
        assert_eq!(n.custody_days_2002, days as u64);
        let avg = get(&n, 10.0, "prison_population_2002_avg").unwrap();
        assert!((avg - 10.0 * days / 365.0).abs() < 1e-9);
    }

    #[test]
    fn reoffending_index_is_the_first_event_of_the_period() {
        let q = day(2019, 7, 10);
        let n = observe(vec![
            // cautioned, then a fine in the same quarter: the caution is the index;
            // an offence 200 days later, convicted 100 days after that: reoffended
            vec![
                caution(q),
                sentence(q + 20, Sentence::DischargeFine, 5),
                sentence(q + 300, Sentence::Community, 100),
            ],
            // released from a 6-12 month sentence; the offence 400 days after: not
            vec![
                custody(q - 100, CustodyKind::Short, false, 1),
                release(q, false, 0),
                sentence(q + 420, Sentence::DischargeFine, 20),
            ],
            // released from remand, then a community order: the order is the index;
            // reoffended by a caution within the year
            vec![
                custody(q - 30, CustodyKind::Remand, false, 0),
                release(q, true, 0),
                sentence(q + 5, Sentence::Community, 40),
                caution(q + 100),
            ],
            // released from a 12m-4y sentence: reoffends, convicted within 18 months
            vec![
                custody(q - 300, CustodyKind::Long, false, 2),
                release(q, false, 0),
                sentence(q + 540, Sentence::DischargeFine, 200),
            ],
            // the offence before the index does not count
            vec![
                sentence(q, Sentence::Suspended, 30),
                sentence(q + 30, Sentence::DischargeFine, 60),
            ],
        ]);
        let g = |id| get(&n, 1.0, id).unwrap();
        assert_eq!(g("reoffending_2019q3_adults"), 60.0);
        // custody or orders: the last four (index a release or an order)
        assert_eq!(g("reoffending_2019q3_custody_orders"), 50.0);
        // under 12 months: the second person only
        assert_eq!(g("reoffending_2019q3_short_custody"), 0.0);
        assert_eq!(
            REOFFENDING[SHORT_CUSTODY].id,
            "reoffending_2019q3_short_custody"
        );
        assert_eq!(n.cohort[SHORT_CUSTODY], 1);
        assert_eq!(get(&n, 1.0, "reoffending_2017q2_adults"), None);
    }

    #[test]
    fn adults_only_and_pooled_quarters() {
        let q1 = day(2008, 5, 1);
        let q2 = day(2008, 8, 1);
        let reoffends = |d: i32| vec![caution(d), caution(d + 10)];
        let mut young = person(Substance::OtherDrugs);
        young.birth_day = day(1991, 1, 1);
        let n = observe_people(vec![
            // 17 at the index: in no adult cohort
            (young, reoffends(q1)),
            // in two quarterly cohorts, reoffending after each
            (
                person(Substance::Alcohol),
                vec![caution(q1), caution(q2), caution(q2 + 10)],
            ),
            (
                person(Substance::None),
                vec![sentence(q2, Sentence::DischargeFine, 3)],
            ),
        ]);
        let r = REOFFENDING
            .iter()
            .position(|r| r.id == "reoffending_2008_09_adults")
            .unwrap();
        assert_eq!((n.cohort[r], n.reoffenders[r]), (3, 2));
        assert!((get(&n, 1.0, "reoffending_2008_09_adults").unwrap() - 200.0 / 3.0).abs() < 1e-9);
        // the old method counts every age; 2010-11 is empty here
        assert_eq!(get(&n, 1.0, "reoffending_2010_11_all"), None);
        let mut younger = person(Substance::OtherDrugs);
        younger.birth_day = day(1993, 1, 1);
        let old = observe_people(vec![
            (younger, reoffends(day(2010, 7, 1))),
            (person(Substance::None), vec![caution(day(2011, 6, 30))]),
        ]);
        assert_eq!(get(&old, 1.0, "reoffending_2010_11_all"), Some(50.0));
        assert_eq!(
            get(&old, 20.0, "reoffending_cohort_2010_11_adults"),
            Some(20.0)
        );
    }

    #[test]
    fn rates_need_the_whole_follow_up() {
        let q = day(2022, 5, 1);
        let mut cut = person(Substance::OpiatesCrack);
        cut.exit_day = q + 500;
        let mut dead = person(Substance::OpiatesCrack);
        dead.exit_day = q + 30;
        let n = observe_people(vec![
            (cut, vec![caution(q)]),
            (
                dead,
                vec![caution(q), Event::new(q + 30, EventKind::Death, 0, 0)],
            ),
        ]);
        let r = REOFFENDING
            .iter()
            .position(|r| r.id == "reoffending_2022_23_adults")
            .unwrap();
        assert_eq!(n.cohort[r], 1);
        assert_eq!(get(&n, 1.0, "reoffending_2022_23_adults"), Some(0.0));
    }

    #[test]
    fn values_cover_every_target_and_merge_adds() {
        let mut a = observe(vec![vec![arrest(day(2007, 5, 1), true)]]);
        let b = observe(vec![
            vec![arrest(day(2007, 5, 2), false)],
            vec![custody(day(2007, 1, 1), CustodyKind::Long, false, 3)],
        ]);
        a.merge(b);
        assert_eq!(get(&a, 1.0, "arrests_2007_08"), Some(2.0));
        assert_eq!(get(&a, 1.0, "prison_population_2007_06"), Some(1.0));
        let got: Vec<&str> = a.values(1.0).iter().map(|v| v.0).collect();
        for id in National::TARGETS {
            let rate = id.starts_with("reoffending_") && !id.contains("cohort")
                || *id == "dip_positive_2005_06";
            assert_eq!(got.contains(id), !rate, "{id}");
        }
        let mut ids = National::TARGETS.to_vec();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), National::TARGETS.len());
        for (id, _) in UNMEASURED {
            assert!(!ids.contains(&id));
        }
    }
}
