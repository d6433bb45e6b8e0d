//! Discounting, as HM Treasury's Green Book does it: year 0 is not discounted,
//! and the rate steps down for the long term (3.5% for years 1-30, 3.0% for
//! 31-75, 2.5% for 76-125, 2.0% after; Annex A6). A rate other than 3.5% steps
//! down in the same proportions, which gives the Green Book's health schedule
//! (1.5%, 1.29%, 1.07%, 0.86%) from 1.5%.

/// The rate applied in year `t` (1-based: the step from year t-1 to t).
fn rate_in_year(rate: f64, t: u32) -> f64 {
    let step = match t {
        0..=30 => 3.5,
        31..=75 => 3.0,
        76..=125 => 2.5,
        _ => 2.0,
    };
    rate * step / 3.5
}

/// The discount factor of year `t` of an appraisal (year 0 = 1).
pub fn factor(rate: f64, t: u32) -> f64 {
    (1..=t)
        .map(|k| 1.0 / (1.0 + rate_in_year(rate, k)))
        .product()
}

/// The present value of a stream of yearly amounts, the first in year 0.
pub fn present_value(rate: f64, stream: &[f64]) -> f64 {
    stream
        .iter()
        .enumerate()
        .map(|(t, v)| v * factor(rate, t as u32))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_stream_discounts_as_the_green_book_does() {
        // GBP 100 a year for 5 years at 3.5%, year 0 undiscounted: an annuity
        // due, 100 x (1 - 1.035^-5) / (1 - 1/1.035) = 467.3079...
        let pv = present_value(0.035, &[100.0; 5]);
        let annuity = 100.0 * (1.0 - 1.035f64.powi(-5)) / (1.0 - 1.0 / 1.035);
        assert!((pv - annuity).abs() < 1e-9, "{pv} vs {annuity}");
        assert!((pv - 467.3079).abs() < 1e-3);
        assert_eq!(factor(0.035, 0), 1.0);
        assert_eq!(present_value(0.0, &[1.0, 2.0, 3.0]), 6.0);
    }

    #[test]
    fn the_rate_steps_down_after_thirty_years() {
        // Green Book Table 8: the discount factor of year 30 is 0.3563 and of
        // year 31 is 0.3563 / 1.03 = 0.3459.
        let f30 = factor(0.035, 30);
        assert!((f30 - 1.035f64.powi(-30)).abs() < 1e-12);
        assert!((f30 - 0.3563).abs() < 1e-4);
        assert!((factor(0.035, 31) - f30 / 1.03).abs() < 1e-12);
        // The health rate 1.5% steps to 1.5 x 3/3.5 = 1.2857%.
        let h = factor(0.015, 31) / factor(0.015, 30);
        assert!((1.0 / h - 1.0 - 0.015 * 3.0 / 3.5).abs() < 1e-12);
    }
}
