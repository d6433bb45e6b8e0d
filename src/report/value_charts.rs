//! The value-for-money charts of a comparison: the cost-effectiveness plane
//! (each run's QALYs gained against its extra cost, with the willingness-to-pay
//! lines), the acceptability curve, and where the money goes by year.

use super::charts::{
    band_chart, count_ticks, draw_legend, err, house_style, nice_range, pct_ticks, tick_step,
    BandChart, Series, FONT, GREY, HEIGHT, INK, LEGEND_WIDTH, PALETTE, WIDTH,
};
use crate::value_for_money::prices::Category;
use crate::value_for_money::{financial_year, thousands, Appraisal};
use anyhow::Result;
use plotters::prelude::*;

/// Each run's (QALYs gained, public-sector cost in GBP million) with the lines
/// cost = wtp x QALYs: runs below a line are cost-effective at that price.
pub fn cost_effectiveness_plane(ap: &Appraisal) -> Result<String> {
    let pts: Vec<(f64, f64)> = ap
        .increments
        .iter()
        .map(|d| (d.qalys, d.public_sector() / 1e6))
        .collect();
    let n = pts.len().max(1) as f64;
    let mean = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (xlo, xhi) = nice_range(
        pts.iter().map(|p| p.0).fold(f64::MAX, f64::min),
        pts.iter().map(|p| p.0).fold(f64::MIN, f64::max),
        true,
    );
    let s = &ap.settings;
    // Room for the lower willingness-to-pay line to the plot's right edge, so
    // the reader sees which side of it the runs fall.
    let line_top = s.wtp_low * xhi.max(0.0) / 1e6;
    let line_bottom = s.wtp_low * xlo.min(0.0) / 1e6;
    let (ylo, yhi) = nice_range(
        pts.iter()
            .map(|p| p.1)
            .fold(f64::MAX, f64::min)
            .min(line_bottom),
        pts.iter()
            .map(|p| p.1)
            .fold(f64::MIN, f64::max)
            .max(line_top),
        true,
    );
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (main, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&main)
            .caption(
                "Cost-effectiveness plane",
                (FONT, 25).into_font().color(&INK),
            )
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(err)?;
        let (xs, ys) = (tick_step(xlo, xhi, 8), tick_step(ylo, yhi, 8));
        let xf = |v: &f64| count_ticks(*v, xs);
        let yf = |v: &f64| count_ticks(*v, ys);
        house_style(&mut chart.configure_mesh())
            .x_desc("QALYs gained (present value)")
            .y_desc("Extra public-sector cost (GBP million, present value)")
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .draw()
            .map_err(err)?;
        for (a, b) in [((xlo, 0.0), (xhi, 0.0)), ((0.0, ylo), (0.0, yhi))] {
            chart
                .draw_series(LineSeries::new(vec![a, b], GREY.stroke_width(1)))
                .map_err(err)?;
        }
        for (k, wtp) in [s.wtp_low, s.wtp_high].into_iter().enumerate() {
            // cost (GBP m) = wtp x QALYs / 1e6, clipped to the plot.
            let line: Vec<(f64, f64)> = (0..=50)
                .map(|i| xlo + (xhi - xlo) * i as f64 / 50.0)
                .map(|x| (x, wtp * x / 1e6))
                .filter(|&(_, y)| y >= ylo && y <= yhi)
                .collect();
            chart
                .draw_series(DashedLineSeries::new(
                    line,
                    6,
                    4,
                    PALETTE[3 + k].stroke_width(2),
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(
                pts.iter()
                    .map(|&p| Circle::new(p, 4, PALETTE[0].mix(0.55).filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new(mean, 7, PALETTE[1].filled())))
            .map_err(err)?;
        let items = vec![
            ("One paired run".to_string(), PALETTE[0], false, false),
            ("Mean of the runs".to_string(), PALETTE[1], false, false),
            (
                format!("GBP {} per QALY", thousands(s.wtp_low)),
                PALETTE[3],
                false,
                true,
            ),
            (
                format!("GBP {} per QALY", thousands(s.wtp_high)),
                PALETTE[4],
                false,
                true,
            ),
        ];
        draw_legend(
            &legend,
            None,
            &items,
            &format!(
                "{} runs, paired on common random numbers over {} parameter set(s). Below a dashed line: cost-effective at that price. Lower right: cheaper and better.",
                ap.runs(),
                ap.sets
            ),
        )?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

/// The probability of a positive net monetary benefit at each willingness to pay.
pub fn acceptability_curve(ap: &Appraisal) -> Result<String> {
    let curve = ap.acceptability_curve();
    let line = |k: usize| -> Vec<(f64, f64, f64, f64)> {
        curve
            .iter()
            .map(|c| {
                let p = 100.0 * if k == 0 { c.1 } else { c.2 };
                (c.0 / 1000.0, p, p, p)
            })
            .collect()
    };
    band_chart(&BandChart {
        title: "Cost-effectiveness acceptability curve",
        x_label: "Willingness to pay per QALY (GBP thousand)",
        y_label: "Probability cost-effective (%)",
        series: vec![
            Series {
                label: "Public-sector costs".into(),
                color: PALETTE[0],
                points: line(0),
                dashed: false,
            },
            Series {
                label: "Society: public sector and victims of crime".into(),
                color: PALETTE[2],
                points: line(1),
                dashed: true,
            },
        ],
        zero_line: false,
        from_zero: true,
        marker: Some((
            ap.settings.wtp_low / 1000.0,
            format!("GBP {} ", thousands(ap.settings.wtp_low)),
        )),
        note: format!(
            "Share of the {} paired runs whose net monetary benefit (QALYs valued at the price on the axis, minus the extra cost) is above zero.",
            ap.runs()
        ),
        y_fmt: pct_ticks,
        headline: None,
    })
}

/// Mean extra cost by year and category (undiscounted), with 95% bands.
pub fn spending_by_year(ap: &Appraisal) -> Result<Option<String>> {
    let rows = ap.by_year();
    let mut series = Vec::new();
    for (k, c) in Category::ALL.into_iter().enumerate() {
        let points: Vec<(f64, f64, f64, f64)> = rows
            .iter()
            .filter(|r| r.category == c)
            .map(|r| (r.year as f64, r.mean / 1e6, r.lo95 / 1e6, r.hi95 / 1e6))
            .collect();
        // Only categories that move: a flat zero line says nothing.
        if points.iter().all(|p| p.1.abs() < 1e-3 && p.3.abs() < 1e-3) {
            continue;
        }
        series.push(Series {
            label: c.label().to_string(),
            color: PALETTE[k % PALETTE.len()],
            points,
            dashed: c == Category::Crime,
        });
    }
    if series.is_empty() {
        return Ok(None);
    }
    band_chart(&BandChart {
        title: "Where the money goes, year by year",
        x_label: "Year",
        y_label: "Scenario minus baseline (GBP million)",
        series,
        zero_line: true,
        from_zero: true,
        marker: None,
        note: format!(
            "Undiscounted, {} prices. Above zero: more spent (or more harm from crime) in the scenario. Shaded: 95% of {} paired runs.",
            financial_year(ap.prices.price_year),
            ap.runs()
        ),
        y_fmt: count_ticks,
        headline: None,
    })
    .map(Some)
}
