//! Remaining life expectancy of the general population by age and sex (ONS
//! national life tables, United Kingdom, 2021-2023: `data/costs/life_expectancy.csv`;
//! England and Wales runs 0.1-0.2 years higher),
//! for the years of life lost at each death. The standard is the general
//! population's, as in the Global Burden of Disease's years of life lost: a
//! drug user's own shorter expectation would make a death among them count for
//! less. Depends on nothing in the model.

use std::sync::LazyLock;

const LIFE_EXPECTANCY_CSV: &str = include_str!("../data/costs/life_expectancy.csv");

/// Period expectation of life at exact ages, by sex.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeTable {
    /// Exact ages, increasing.
    ages: Vec<f64>,
    male: Vec<f64>,
    female: Vec<f64>,
}

impl LifeTable {
    /// Parse `age,male,female,...` rows (further columns are sources).
    pub fn parse(text: &str) -> Result<LifeTable, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| e.to_string())?.clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| format!("no column {name}"))
        };
        let (ia, im, iff) = (col("age")?, col("male")?, col("female")?);
        let mut t = LifeTable {
            ages: Vec::new(),
            male: Vec::new(),
            female: Vec::new(),
        };
        for (n, row) in reader.records().enumerate() {
            let row = row.map_err(|e| e.to_string())?;
            let line = n + 2;
            let num = |i: usize, what: &str| -> Result<f64, String> {
                let v = row.get(i).unwrap_or("").trim();
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| format!("line {line}: {what} must be a number >= 0, got {v:?}"))
            };
            let age = num(ia, "age")?;
            if t.ages.last().is_some_and(|&a| a >= age) {
                return Err(format!("line {line}: ages must increase, got {age}"));
            }
            t.ages.push(age);
            t.male.push(num(im, "male")?);
            t.female.push(num(iff, "female")?);
        }
        if t.ages.first() != Some(&0.0) {
            return Err("the table must start at age 0".into());
        }
        Ok(t)
    }

    /// Remaining years at an exact age, interpolated linearly between the
    /// tabulated ages, and the last tabulated value beyond them.
    pub fn remaining(&self, age: f64, male: bool) -> f64 {
        let ex = if male { &self.male } else { &self.female };
        let age = age.max(0.0);
        let i = self.ages.partition_point(|&a| a <= age);
        if i >= self.ages.len() {
            return *ex.last().expect("a parsed table has rows");
        }
        let (a0, a1) = (self.ages[i - 1], self.ages[i]);
        let w = (age - a0) / (a1 - a0);
        ex[i - 1] + w * (ex[i] - ex[i - 1])
    }
}

/// The shipped ONS table (checked by a test, so it always parses).
pub fn shipped() -> &'static LifeTable {
    static TABLE: LazyLock<LifeTable> = LazyLock::new(|| {
        LifeTable::parse(LIFE_EXPECTANCY_CSV).expect("data/costs/life_expectancy.csv parses")
    });
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_falls_with_age() {
        let t = shipped();
        let mut last = f64::INFINITY;
        for age in [0.0, 20.0, 40.0, 60.0, 80.0] {
            let m = t.remaining(age, true);
            assert!(m < last && m > 0.0, "male at {age}: {m}");
            assert!(t.remaining(age, false) > m, "women outlive men at {age}");
            last = m;
        }
        // ONS 2020-22 and 2021-23 put a man's expectation at birth near 79,
        // at 40 near 40 and at 80 near 8-9: the ages that matter (drug users
        // die young) must be tabulated, not bridged by a straight line.
        assert!((77.0..81.0).contains(&t.remaining(0.0, true)));
        assert!((38.0..42.0).contains(&t.remaining(40.0, true)));
        assert!((7.0..10.5).contains(&t.remaining(80.0, true)));
    }

    #[test]
    fn remaining_years_interpolate_between_tabulated_ages() {
        let t = LifeTable::parse("age,male,female\n0,80,84\n10,70,74\n20,60,65\n").unwrap();
        assert_eq!(t.remaining(10.0, true), 70.0);
        assert_eq!(t.remaining(15.0, false), 69.5);
        assert_eq!(t.remaining(2.5, true), 77.5);
        assert_eq!(t.remaining(50.0, true), 60.0);
        assert!(LifeTable::parse("age,male,female\n5,1,1\n").is_err());
        assert!(LifeTable::parse("age,male,female\n0,1,1\n0,1,1\n").is_err());
        assert!(LifeTable::parse("age,male\n0,1\n").is_err());
    }
}
