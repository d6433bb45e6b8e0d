//! Briefing-quality charts as SVG strings: a title, axis labels with units, a legend
//! beside the plot (never over the data), and 95% bands over replicates.

use super::{series, thousands, Summary};
use crate::history::{Route, Substance};
use crate::metrics::M;
use crate::studies::retention::Curve;
use anyhow::{anyhow, Result};
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];
pub(super) const INK: RGBColor = RGBColor(33, 37, 41);
pub(super) const GREY: RGBColor = RGBColor(108, 117, 125);
pub(super) const FONT: &str = "sans-serif";

pub(super) const WIDTH: u32 = 960;
pub(super) const HEIGHT: u32 = 440;
pub(super) const LEGEND_WIDTH: u32 = 280;
/// Width of the small panels of a dashboard.
pub const WIDTH_SMALL: u32 = 640;

/// One line with its 95% band: (x, mean, lo, hi) points.
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64, f64, f64)>,
    pub dashed: bool,
}

/// A line chart with bands.
pub struct BandChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: Vec<Series>,
    /// Draw y = 0 (for differences).
    pub zero_line: bool,
    /// Always include 0 on the y axis (counts and shares).
    pub from_zero: bool,
    /// Vertical marker (x, label), e.g. when a lever starts.
    pub marker: Option<(f64, String)>,
    /// A note under the legend, e.g. what the bands are.
    pub note: String,
    /// Format a y tick label: (value, step between ticks), so labels carry as
    /// many decimals as the step needs to tell neighbours apart.
    pub y_fmt: TickFmt,
    /// A prominent line over the plot, e.g. the paired difference and its
    /// interval where the bands of two series overlap.
    pub headline: Option<String>,
}

/// A tick label formatter: (value, step between ticks) to text.
pub type TickFmt = fn(f64, f64) -> String;

/// The values plotters puts tick labels at on an axis from `lo` to `hi` with at
/// most `n` labels.
pub fn tick_values(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    use plotters::coord::types::RangedCoordf64;
    RangedCoordf64::from(lo..hi).key_points(n)
}

/// The step between tick labels on that axis (the whole range if one label).
pub fn tick_step(lo: f64, hi: f64, n: usize) -> f64 {
    let t = tick_values(lo, hi, n);
    if t.len() >= 2 {
        (t[1] - t[0]).abs()
    } else {
        (hi - lo).abs()
    }
}

/// Decimals that show every multiple of `step` exactly (0 to 6).
pub fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (0..=6)
        .find(|&d| {
            let m = step * 10f64.powi(d as i32);
            (m - m.round()).abs() < 1e-6 * m.abs().max(1.0)
        })
        .unwrap_or(6)
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw chart: {e:?}")
}

/// The house style of every axis: one font, ink-coloured labels, light grid lines
/// and no minor grid, so all charts of a report read as one set.
pub(super) fn house_style<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.axis_desc_style((FONT, 18).into_font().color(&INK))
        .label_style((FONT, 16).into_font().color(&INK))
        .bold_line_style(RGBColor(222, 226, 230))
        .light_line_style(TRANSPARENT)
}

/// Thousands separators for y ticks, with the decimals the step needs.
pub fn count_ticks(v: f64, step: f64) -> String {
    let d = decimals_for(step);
    if v.abs() < 0.5 * step.abs().min(1.0) * 1e-6 {
        return "0".into();
    }
    if d == 0 {
        return thousands(v);
    }
    let whole = thousands(v.trunc());
    let frac = format!("{:.d$}", v.abs().fract());
    let sign = if v < 0.0 && whole == "0" { "-" } else { "" };
    // "0.25" -> ".25"; a fraction that rounds up to 1 carries into the whole part.
    match frac.strip_prefix("0.") {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{v:.d$}"),
    }
}

/// Percentages on a 0-100 axis, with the decimals the step needs.
pub fn pct_ticks(v: f64, step: f64) -> String {
    let d = decimals_for(step);
    format!("{v:.d$}%")
}

/// Signed values (percentage points), with the decimals the step needs.
pub fn pp_ticks(v: f64, step: f64) -> String {
    let d = decimals_for(step);
    if v.abs() < step.abs() * 1e-6 {
        "0".into()
    } else {
        format!("{v:+.d$}")
    }
}

/// Year ticks without decimals.
fn year_ticks(v: &f64) -> String {
    format!("{:.0}", v)
}

/// The legend column: a line and band swatch per series, then a wrapped note.
pub(super) fn draw_legend(
    area: &DrawingArea<SVGBackend, Shift>,
    headline: Option<&str>,
    items: &[(String, RGBColor, bool, bool)],
    note: &str,
) -> Result<()> {
    let mut y = 58;
    if let Some(text) = headline {
        // What the reader must not miss, first and in bold.
        let style = TextStyle::from((FONT, 17).into_font().style(FontStyle::Bold)).color(&INK);
        for line in wrap(text, 26) {
            area.draw(&Text::new(line, (8, y - 8), style.clone()))
                .map_err(err)?;
            y += 19;
        }
        y += 16;
    }
    let label_style = TextStyle::from((FONT, 17).into_font()).color(&INK);
    for (label, color, band, dashed) in items {
        if *band {
            area.draw(&Rectangle::new(
                [(8, y - 7), (40, y + 7)],
                color.mix(0.18).filled(),
            ))
            .map_err(err)?;
        }
        if *dashed {
            for x in (8..40).step_by(8) {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 4, y)],
                    color.stroke_width(3),
                ))
                .map_err(err)?;
            }
        } else {
            area.draw(&PathElement::new(
                vec![(8, y), (40, y)],
                color.stroke_width(3),
            ))
            .map_err(err)?;
        }
        let lines = wrap(label, 24);
        for (i, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (48, y - 8 + i as i32 * 17),
                label_style.clone(),
            ))
            .map_err(err)?;
        }
        y += 30 + 17 * (lines.len() as i32 - 1);
    }
    let note_style = TextStyle::from((FONT, 15).into_font()).color(&GREY);
    y += 6;
    for line in wrap(note, 32) {
        area.draw(&Text::new(line, (8, y), note_style.clone()))
            .map_err(err)?;
        y += 16;
    }
    Ok(())
}

/// Greedy word wrap at `width` characters; a newline always breaks.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    text.split('\n')
        .flat_map(|para| wrap_line(para, width))
        .collect()
}

fn wrap_line(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub(super) fn nice_range(lo: f64, hi: f64, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = if from_zero {
        (lo.min(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    };
    if (hi - lo).abs() < 1e-12 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.06;
    let lo = if from_zero && lo >= 0.0 {
        0.0
    } else {
        lo - pad
    };
    let hi = if from_zero && hi <= 0.0 {
        0.0
    } else {
        hi + pad
    };
    (lo, hi)
}

/// Draw a band chart to an SVG string.
pub fn band_chart(spec: &BandChart) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (main, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let (mut xlo, mut xhi, mut ylo, mut yhi) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for s in &spec.series {
            for &(x, m, lo, hi) in &s.points {
                xlo = xlo.min(x);
                xhi = xhi.max(x);
                ylo = ylo.min(lo.min(m));
                yhi = yhi.max(hi.max(m));
            }
        }
        if xlo > xhi {
            return Err(anyhow!("no data for chart {}", spec.title));
        }
        if xhi - xlo < 1.0 {
            xhi = xlo + 1.0;
        }
        let (ylo, yhi) = nice_range(ylo, yhi, spec.from_zero);
        let y_step = tick_step(ylo, yhi, 8);
        let y_fmt = |v: &f64| (spec.y_fmt)(*v, y_step);
        // Whole years: never more labels than years, so no two read the same.
        let x_labels = ((xhi - xlo).floor() as usize + 1).clamp(2, 10);
        let mut chart = ChartBuilder::on(&main)
            .caption(spec.title, (FONT, 25).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh())
            .x_desc(spec.x_label)
            .y_desc(spec.y_label)
            .x_labels(x_labels)
            .y_labels(8)
            .x_label_formatter(&year_ticks)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(err)?;

        if spec.zero_line {
            chart
                .draw_series(LineSeries::new(
                    vec![(xlo, 0.0), (xhi, 0.0)],
                    GREY.stroke_width(1),
                ))
                .map_err(err)?;
        }
        if let Some((x, label)) = &spec.marker {
            if *x >= xlo && *x <= xhi {
                let mut y = ylo;
                let step = (yhi - ylo) / 40.0;
                while y < yhi {
                    let y2 = (y + step * 0.6).min(yhi);
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(*x, y), (*x, y2)],
                            GREY.stroke_width(1),
                        )))
                        .map_err(err)?;
                    y += step;
                }
                let style = TextStyle::from((FONT, 16).into_font())
                    .color(&GREY)
                    .pos(Pos::new(HPos::Right, VPos::Top));
                chart
                    .draw_series(std::iter::once(Text::new(label.clone(), (*x, yhi), style)))
                    .map_err(err)?;
            }
        }
        for s in &spec.series {
            if s.points.len() > 1 {
                let mut poly: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
                poly.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        s.color.mix(0.18).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        for s in &spec.series {
            let line: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.1)).collect();
            if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(line, 8, 5, s.color.stroke_width(2)))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(line, s.color.stroke_width(2)))
                    .map_err(err)?;
            }
            if s.points.len() == 1 {
                let p = s.points[0];
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (p.0, p.1),
                        4,
                        s.color.filled(),
                    )))
                    .map_err(err)?;
            }
        }
        let items: Vec<_> = spec
            .series
            .iter()
            .map(|s| (s.label.clone(), s.color, true, s.dashed))
            .collect();
        draw_legend(&legend, spec.headline.as_deref(), &items, &spec.note)?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

fn band_note(n: usize) -> String {
    format!("Lines: mean over {n} replicates. Shaded: 95% interval (2.5th to 97.5th percentile of replicates).")
}

/// Points of a summary series for a chart, values multiplied by `k`.
fn points(summary: &[Summary], metric: M, group: &str, k: f64) -> Vec<(f64, f64, f64, f64)> {
    series(summary, metric, group)
        .into_iter()
        .map(|(y, m, lo, hi)| (y as f64, m * k, lo * k, hi * k))
        .collect()
}

/// Proven reoffending rate by substance group over time (all offenders dashed).
pub fn reoffending_by_substance(summary: &[Summary], n: usize) -> Result<Option<String>> {
    let mut list: Vec<Series> = Substance::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| Series {
            label: s.label().to_string(),
            color: PALETTE[i],
            points: points(summary, M::PROVEN_REOFFENDING, s.name(), 100.0),
            dashed: false,
        })
        .collect();
    list.push(Series {
        label: "All offenders".into(),
        color: PALETTE[6],
        points: points(summary, M::PROVEN_REOFFENDING, "all", 100.0),
        dashed: true,
    });
    list.retain(|s| !s.points.is_empty());
    if list.is_empty() {
        return Ok(None);
    }
    band_chart(&BandChart {
        title: "Proven reoffending rate by substance group",
        x_label: "Year the offender was sentenced or released (cohort year)",
        y_label: "Reoffended within 12 months (% of cohort)",
        series: list,
        zero_line: false,
        from_zero: true,
        marker: None,
        note: format!(
            "Proven reoffence: offence within 12 months, convicted within 18. {}",
            band_note(n)
        ),
        y_fmt: pct_ticks,
        headline: None,
    })
    .map(Some)
}

/// Proven reoffending (all offenders) in the baseline and the scenario.
pub fn reoffending_both(
    base: &[Summary],
    scenario: &[Summary],
    paired: Option<&Summary>,
    (base_name, scenario_name): (&str, &str),
    marker: Option<f64>,
    from_year: i32,
    n: usize,
) -> Result<Option<String>> {
    let keep = |v: Vec<(f64, f64, f64, f64)>| -> Vec<(f64, f64, f64, f64)> {
        v.into_iter().filter(|p| p.0 >= from_year as f64).collect()
    };
    let a = keep(points(base, M::PROVEN_REOFFENDING, "all", 100.0));
    let b = keep(points(scenario, M::PROVEN_REOFFENDING, "all", 100.0));
    if a.is_empty() || b.is_empty() {
        return Ok(None);
    }
    band_chart(&BandChart {
        title: "Proven reoffending rate, all offenders: both scenarios",
        x_label: "Cohort year",
        y_label: "Reoffended within 12 months (% of cohort)",
        series: vec![
            Series {
                label: format!("Baseline: {base_name}"),
                color: PALETTE[6],
                points: a,
                dashed: true,
            },
            Series {
                label: format!("Scenario: {scenario_name}"),
                color: PALETTE[0],
                points: b,
                dashed: false,
            },
        ],
        zero_line: false,
        from_zero: false,
        marker: marker.map(|x| (x, "lever starts ".to_string())),
        note: format!(
            "{} The bands show each run's spread, not the uncertainty of the difference: \
             see the paired difference above.",
            band_note(n)
        ),
        y_fmt: pct_ticks,
        headline: paired.map(paired_words),
    })
    .map(Some)
}

/// The paired difference of a share and its interval in words, saying whether
/// the interval excludes zero (overlapping bands do not mean no effect).
pub fn paired_words(d: &Summary) -> String {
    let pp = |v: f64| format!("{:+.2}", v * 100.0);
    let verdict = if d.lo95 > 0.0 || d.hi95 < 0.0 {
        "The interval excludes zero: a clear difference, even where the bands overlap."
    } else {
        "The interval includes zero: no clear difference."
    };
    format!(
        "Paired difference, {}: {} pp (95% interval {} to {} pp). {verdict}",
        d.period,
        pp(d.mean),
        pp(d.lo95),
        pp(d.hi95)
    )
}

/// Treatment starts a year by referral route.
pub fn treatment_starts_by_route(summary: &[Summary], n: usize) -> Result<Option<String>> {
    let mut list: Vec<Series> = Route::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            label: r.label().to_string(),
            color: PALETTE[i],
            points: points(summary, M::TREATMENT_STARTS, r.name(), 1.0),
            dashed: false,
        })
        .collect();
    list.retain(|s| !s.points.is_empty());
    if list.is_empty() {
        return Ok(None);
    }
    band_chart(&BandChart {
        title: "Treatment starts by referral route",
        x_label: "Year",
        y_label: "Treatment episodes started a year",
        series: list,
        zero_line: false,
        from_zero: true,
        marker: None,
        note: format!("Counts scaled to England and Wales. {}", band_note(n)),
        y_fmt: count_ticks,
        headline: None,
    })
    .map(Some)
}

/// A scenario-minus-baseline series with its 95% band; `k` scales values to the axis.
pub fn difference(
    title: &str,
    y_label: &str,
    pts: &[(i32, f64, f64, f64)],
    k: f64,
    marker: Option<f64>,
    n: usize,
) -> Result<String> {
    let points = pts
        .iter()
        .map(|&(y, m, lo, hi)| (y as f64, m * k, lo * k, hi * k))
        .collect();
    band_chart(&BandChart {
        title,
        x_label: "Year",
        y_label,
        series: vec![Series {
            label: "Scenario minus baseline".into(),
            color: PALETTE[0],
            points,
            dashed: false,
        }],
        zero_line: true,
        from_zero: true,
        marker: marker.map(|x| (x, "lever starts ".to_string())),
        note: format!(
            "Paired on common random numbers: the same people in both runs. Line: mean difference over {n} replicates. Shaded: 95% interval. Above zero: more in the scenario."
        ),
        y_fmt: if k == 100.0 { pp_ticks } else { count_ticks },
        headline: None,
    })
}

/// One stage of the pathway flow.
pub struct Stage {
    pub label: &'static str,
    pub metric: M,
    pub group: &'static str,
    /// Index of the stage this one is a share of, and how that share is described.
    pub of: Option<(usize, &'static str)>,
    pub color: RGBColor,
}

/// The stages a person can follow through one year, top to bottom.
pub const STAGES: &[Stage] = &[
    Stage {
        label: "Arrests",
        metric: M::ARRESTS,
        group: "all",
        of: None,
        color: PALETTE[0],
    },
    Stage {
        label: "Drug tests on arrest",
        metric: M::TESTS,
        group: "all",
        of: Some((0, "of arrests")),
        color: PALETTE[0],
    },
    Stage {
        label: "Positive tests",
        metric: M::POSITIVE_TESTS,
        group: "all",
        of: Some((1, "of tests")),
        color: PALETTE[0],
    },
    Stage {
        label: "DIP assessments",
        metric: M::DIP_ASSESSMENTS,
        group: "all",
        of: Some((2, "of positive tests")),
        color: PALETTE[0],
    },
    Stage {
        label: "Treatment starts via DIP",
        metric: M::TREATMENT_STARTS,
        group: "dip",
        of: Some((3, "of assessments")),
        color: PALETTE[2],
    },
    Stage {
        label: "Treatment starts, all routes",
        metric: M::TREATMENT_STARTS,
        group: "all",
        of: None,
        color: PALETTE[2],
    },
    Stage {
        label: "Completions",
        metric: M::COMPLETIONS,
        group: "all",
        of: Some((8, "of exits")),
        color: PALETTE[2],
    },
    Stage {
        label: "Dropouts",
        metric: M::DROPOUTS,
        group: "all",
        of: Some((8, "of exits")),
        color: PALETTE[1],
    },
    Stage {
        label: "Exits (completed or dropped out)",
        metric: M::EXITS,
        group: "all",
        of: None,
        color: GREY,
    },
];

/// The flow's rows for a year: (stage, mean, lo, hi, "x% of ..." text).
pub fn flow_rows(summary: &[Summary], year: i32) -> Vec<(&'static Stage, f64, f64, f64, String)> {
    let vals: Vec<Option<&Summary>> = STAGES
        .iter()
        .map(|s| super::at(summary, s.metric, s.group, year))
        .collect();
    STAGES
        .iter()
        .zip(&vals)
        .filter_map(|(st, v)| {
            let v = (*v)?;
            let share = st
                .of
                .and_then(|(i, what)| {
                    let d = vals[i]?.mean;
                    (d > 0.0).then(|| format!("{:.0}% {what}", 100.0 * v.mean / d))
                })
                .unwrap_or_default();
            Some((st, v.mean, v.lo95, v.hi95, share))
        })
        .collect()
}

/// Horizontal bars: arrests to tests to positives to DIP assessments to treatment
/// starts to completions and dropouts in one year, with counts and conversions.
pub fn pathway_flow(summary: &[Summary], year: i32, scale: f64) -> Result<Option<String>> {
    let rows: Vec<_> = flow_rows(summary, year)
        .into_iter()
        .filter(|r| r.0.metric != M::EXITS)
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let n = rows.len();
    let height = 90 + 44 * n as u32 + 100;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = rows
            .iter()
            .map(|r| r.3.max(r.1))
            .fold(0.0, f64::max)
            .max(1.0);
        let label_w = 290;
        let flow_step = tick_step(0.0, max * 1.38, 8);
        let title = format!("The pathway in {year}: from arrest to treatment outcome");
        let root_t = root
            .titled(&title, (FONT, 25).into_font().color(&INK))
            .map_err(err)?;
        let (plot, foot) = root_t.split_vertically(height - 110);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(12)
            .margin_right(24)
            .margin_top(8)
            .x_label_area_size(56)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0.0..max * 1.38, 0.0..n as f64)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh())
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(8)
            .x_label_formatter(&|v: &f64| count_ticks(*v, flow_step))
            .x_desc("People a year, scaled to England and Wales")
            .draw()
            .map_err(err)?;
        let label_style = TextStyle::from((FONT, 18).into_font())
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let value_style = TextStyle::from((FONT, 17).into_font())
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, (st, mean, lo, hi, share)) in rows.iter().enumerate() {
            let top = n as f64 - i as f64 - 0.18;
            let bottom = n as f64 - i as f64 - 0.82;
            let mid = n as f64 - i as f64 - 0.5;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, bottom), (*mean, top)],
                    st.color.mix(0.85).filled(),
                )))
                .map_err(err)?;
            // 95% interval as a thin whisker at the bar end.
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*lo, mid), (*hi, mid)],
                    INK.stroke_width(1),
                )))
                .map_err(err)?;
            let text = if share.is_empty() {
                thousands(*mean)
            } else {
                format!("{}  ({share})", thousands(*mean))
            };
            let (px, py) = chart.backend_coord(&(mean.max(*hi), mid));
            let (x0, _) = chart.backend_coord(&(0.0, mid));
            root.draw(&Text::new(text, (px + 8, py), value_style.clone()))
                .map_err(err)?;
            root.draw(&Text::new(
                st.label.to_string(),
                (x0 - 10, py),
                label_style.clone(),
            ))
            .map_err(err)?;
        }
        let note = format!(
            "Flows within the calendar year, not one cohort followed through: treatment starts include people arrested earlier, \
             and completions and dropouts end episodes started in earlier years. Whiskers: 95% interval over replicates; \
             each simulated person stands for {} real people.",
            thousands(scale)
        );
        let note_style = TextStyle::from((FONT, 15).into_font()).color(&GREY);
        for (i, line) in wrap(&note, 125).into_iter().enumerate() {
            foot.draw(&Text::new(
                line,
                (16, 20 + 17 * i as i32),
                note_style.clone(),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(Some(buf))
}

/// Kaplan-Meier retention curves as steps, weeks 0-104.
pub fn retention(title: &str, curves: &[Curve]) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (main, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT, 23).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(0.0..104.0, 0.0..100.0)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("Weeks since the episode started")
            .y_desc("Retained in treatment (%)")
            .x_labels(9)
            .y_labels(6)
            .x_label_formatter(&|v: &f64| format!("{v:.0}"))
            .y_label_formatter(&|v: &f64| pct_ticks(*v, 20.0))
            .draw()
            .map_err(err)?;
        for (i, c) in curves.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let mut steps = Vec::with_capacity(c.points.len() * 2);
            for w in c.points.windows(2) {
                steps.push((w[0].0, w[0].1 * 100.0));
                steps.push((w[1].0, w[0].1 * 100.0));
            }
            if let Some(last) = c.points.last() {
                steps.push((last.0, last.1 * 100.0));
            }
            chart
                .draw_series(LineSeries::new(steps, color.stroke_width(2)))
                .map_err(err)?;
        }
        let items: Vec<_> = curves
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    format!("{}\nn = {} episodes", c.label, thousands(c.episodes as f64)),
                    PALETTE[i % PALETTE.len()],
                    false,
                    false,
                )
            })
            .collect();
        draw_legend(
            &legend,
            None,
            &items,
            "Kaplan-Meier estimate pooled over replicates. Event: dropout. Completion, death, custody and end of follow-up are censored. n: simulated episodes.",
        )?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

/// One estimate on a dot-and-interval row: a dot at `value` and, when both ends
/// are finite, a bar over its interval.
#[derive(Clone, Debug)]
pub struct Dot {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    pub color: RGBColor,
}

/// One row of a dot-and-interval chart.
#[derive(Clone, Debug, Default)]
pub struct DotRow {
    /// Left of the plot: what the row is.
    pub label: String,
    /// Estimates, drawn one above the other within the row.
    pub dots: Vec<Dot>,
    /// A shaded range behind the row (e.g. a target's tolerance).
    pub band: Option<(f64, f64)>,
    /// A black tick (e.g. the published value).
    pub marker: Option<f64>,
    /// Right of the plot: the numbers, so a reader need not estimate them.
    pub text: String,
}

/// Rows of estimates with intervals on one horizontal axis: what ranks and
/// compares many quantities at once (targets, sensitivity indices). Rows are drawn
/// top to bottom in the order given.
pub struct DotChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub rows: Vec<DotRow>,
    /// A dashed vertical line, labelled (e.g. "published" at a ratio of 1).
    pub reference: Option<(f64, &'a str)>,
    /// Axis range; values outside are drawn at the edge (the row text gives them).
    pub x_range: (f64, f64),
    /// Tick and value labels: (value, step between ticks) to text.
    pub x_fmt: &'a dyn Fn(f64, f64) -> String,
    /// Swatches under the plot: (label, colour); a black colour reads as a tick.
    pub legend: Vec<(String, RGBColor)>,
    pub note: String,
}

/// The smallest axis range holding every finite value of `values`, padded, and
/// never narrower than `at_least`.
pub fn span(values: impl IntoIterator<Item = f64>, at_least: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(at_least, |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.04;
    (lo - pad, hi + pad)
}

/// Draw a dot-and-interval chart to an SVG string.
pub fn dot_chart(spec: &DotChart) -> Result<String> {
    // Rows grow with the estimates they hold, so each keeps its own line.
    let most = spec.rows.iter().map(|r| r.dots.len()).max().unwrap_or(1) as u32;
    let row_h = (14 * most + 8).max(34);
    let n = spec.rows.len().max(1);
    let longest = |f: &dyn Fn(&DotRow) -> usize| spec.rows.iter().map(f).max().unwrap_or(0);
    let label_w = (longest(&|r| r.label.chars().count()) as u32 * 9 + 24).clamp(120, 380);
    let text_w = (longest(&|r| r.text.chars().count()) as u32 * 8 + 16).clamp(24, 330);
    let note_lines = wrap(&spec.note, 120);
    let foot = 30 + 18 * note_lines.len() as u32;
    let height = 48 + 76 + row_h * n as u32 + foot;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let titled = root
            .titled(spec.title, (FONT, 23).into_font().color(&INK))
            .map_err(err)?;
        let plot_h = titled.dim_in_pixel().1.saturating_sub(foot);
        let (plot, footer) = titled.split_vertically(plot_h);
        let (x0, x1) = spec.x_range;
        let x_step = tick_step(x0, x1, 8);
        let x_fmt = |v: &f64| (spec.x_fmt)(*v, x_step);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(8)
            .margin_right(text_w)
            .margin_top(if spec.reference.is_some() { 22 } else { 4 })
            .x_label_area_size(54)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x0..x1, 0.0..n as f64)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh())
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(8)
            .x_label_formatter(&x_fmt)
            .x_desc(spec.x_label)
            .draw()
            .map_err(err)?;
        let clamp = |v: f64| v.clamp(x0, x1);
        if let Some((x, label)) = spec.reference {
            if (x0..=x1).contains(&x) {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x, 0.0), (x, n as f64)],
                        5,
                        4,
                        GREY.stroke_width(1),
                    ))
                    .map_err(err)?;
                let (px, py) = chart.backend_coord(&(x, n as f64));
                let style = TextStyle::from((FONT, 14).into_font())
                    .color(&GREY)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                root.draw(&Text::new(label.to_string(), (px, py - 2), style))
                    .map_err(err)?;
            }
        }
        let label_style = TextStyle::from((FONT, 15).into_font())
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let text_style = TextStyle::from((FONT, 14).into_font())
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, row) in spec.rows.iter().enumerate() {
            let top = n as f64 - i as f64;
            let mid = top - 0.5;
            if i % 2 == 1 {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, top - 1.0), (x1, top)],
                        RGBColor(248, 249, 250).filled(),
                    )))
                    .map_err(err)?;
            }
            if let Some((a, b)) = row.band.filter(|(a, b)| a.is_finite() && b.is_finite()) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(clamp(a), top - 0.88), (clamp(b), top - 0.12)],
                        RGBColor(222, 226, 230).filled(),
                    )))
                    .map_err(err)?;
            }
            if let Some(m) = row.marker.filter(|m| m.is_finite()) {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(clamp(m), top - 0.9), (clamp(m), top - 0.1)],
                        BLACK.stroke_width(3),
                    )))
                    .map_err(err)?;
            }
            let k = row.dots.len();
            for (j, d) in row.dots.iter().enumerate() {
                // Several estimates share the row, one above the other.
                let y = if k > 1 {
                    top - 0.25 - 0.5 * j as f64 / (k - 1) as f64
                } else {
                    mid
                };
                if d.lo.is_finite() && d.hi.is_finite() {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(clamp(d.lo), y), (clamp(d.hi), y)],
                            d.color.stroke_width(3),
                        )))
                        .map_err(err)?;
                }
                if d.value.is_finite() && (d.value < x0 || d.value > x1) {
                    // Off the axis: an arrow at the edge pointing the way, and the value.
                    let right = d.value > x1;
                    let (px, py) = chart.backend_coord(&(clamp(d.value), y));
                    let dir = if right { 1 } else { -1 };
                    root.draw(&Polygon::new(
                        vec![
                            (px + 9 * dir, py),
                            (px - 3 * dir, py - 8),
                            (px - 3 * dir, py + 8),
                        ],
                        d.color.filled(),
                    ))
                    .map_err(err)?;
                    let style = TextStyle::from((FONT, 13).into_font().style(FontStyle::Bold))
                        .color(&d.color)
                        .pos(Pos::new(
                            if right { HPos::Right } else { HPos::Left },
                            VPos::Center,
                        ));
                    let label = format!(
                        "{} off scale: {}",
                        if right { "\u{2192}" } else { "\u{2190}" },
                        (spec.x_fmt)(d.value, x_step / 10.0)
                    );
                    root.draw(&Text::new(label, (px - 8 * dir, py - 12), style))
                        .map_err(err)?;
                } else if d.value.is_finite() {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (clamp(d.value), y),
                            6,
                            d.color.filled(),
                        )))
                        .map_err(err)?;
                }
            }
            let (lx, py) = chart.backend_coord(&(x0, mid));
            root.draw(&Text::new(
                row.label.clone(),
                (lx - 10, py),
                label_style.clone(),
            ))
            .map_err(err)?;
            let (rx, _) = chart.backend_coord(&(x1, mid));
            root.draw(&Text::new(
                row.text.clone(),
                (rx + 10, py),
                text_style.clone(),
            ))
            .map_err(err)?;
        }
        let legend_style = TextStyle::from((FONT, 15).into_font()).color(&INK);
        let mut x = 16;
        for (label, color) in &spec.legend {
            if *color == BLACK {
                footer
                    .draw(&PathElement::new(
                        vec![(x + 6, 6), (x + 6, 22)],
                        BLACK.stroke_width(3),
                    ))
                    .map_err(err)?;
            } else {
                footer
                    .draw(&Circle::new((x + 6, 14), 6, color.filled()))
                    .map_err(err)?;
            }
            footer
                .draw(&Text::new(label.clone(), (x + 18, 6), legend_style.clone()))
                .map_err(err)?;
            x += 40 + 8 * label.chars().count() as i32;
        }
        let note_style = TextStyle::from((FONT, 14).into_font()).color(&GREY);
        for (i, line) in note_lines.into_iter().enumerate() {
            footer
                .draw(&Text::new(
                    line,
                    (16, 32 + 18 * i as i32),
                    note_style.clone(),
                ))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of every `<text>` element of a plotters SVG, with its attributes.
    fn texts(svg: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find("<text ") {
            let after = &rest[i..];
            let open_end = after.find('>').unwrap();
            let close = after.find("</text>").unwrap();
            out.push((
                after[..open_end].to_string(),
                after[open_end + 1..close].trim().to_string(),
            ));
            rest = &after[close..];
        }
        out
    }

    /// The y tick labels of a band chart: right-aligned numbers left of the plot.
    fn y_ticks(svg: &str) -> Vec<String> {
        texts(svg)
            .into_iter()
            .filter(|(attrs, t)| {
                attrs.contains("text-anchor=\"end\"")
                    && t.trim_end_matches('%')
                        .trim_start_matches('+')
                        .replace(',', "")
                        .parse::<f64>()
                        .is_ok()
            })
            .map(|(_, t)| t)
            .collect()
    }

    fn summary(metric: M, period: i32, mean: f64, lo: f64, hi: f64) -> Summary {
        Summary {
            metric,
            group: "all".into(),
            period,
            mean,
            lo95: lo,
            hi95: hi,
            n: 20,
        }
    }

    fn distinct(labels: &[String]) -> bool {
        let mut seen = std::collections::HashSet::new();
        labels.iter().all(|l| seen.insert(l))
    }

    /// Issue 12: the compare report's reoffending chart labelled every tick
    /// "54%" and its difference chart "-0.1, -0.1, -0.2, -0.2".
    #[test]
    fn tick_labels_differ_where_values_are_close() {
        let years = 2024..2031;
        let base: Vec<Summary> = years
            .clone()
            .map(|y| summary(M::PROVEN_REOFFENDING, y, 0.5432, 0.5425, 0.5440))
            .collect();
        let scen: Vec<Summary> = years
            .clone()
            .map(|y| summary(M::PROVEN_REOFFENDING, y, 0.5418, 0.5410, 0.5426))
            .collect();
        let both = reoffending_both(&base, &scen, None, ("a", "b"), None, 2024, 20)
            .unwrap()
            .unwrap();
        let ticks = y_ticks(&both);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(distinct(&ticks), "reoffending ticks: {ticks:?}");
        let pts: Vec<(i32, f64, f64, f64)> =
            years.map(|y| (y, -0.0012, -0.0019, -0.0011)).collect();
        let diff =
            difference("d", "Difference (percentage points)", &pts, 100.0, None, 20).unwrap();
        let ticks = y_ticks(&diff);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(distinct(&ticks), "difference ticks: {ticks:?}");
        // Counts with a narrow range too.
        let pts: Vec<(i32, f64, f64, f64)> = (2024..2031).map(|y| (y, 1.2, 1.1, 1.35)).collect();
        let ticks =
            y_ticks(&difference("d", "Difference (arrests a year)", &pts, 1.0, None, 20).unwrap());
        assert!(distinct(&ticks), "count ticks: {ticks:?}");
        for (v, step, want) in [
            (54.25, 0.05, "54.25%"),
            (54.0, 1.0, "54%"),
            (-0.15, 0.05, "-0.15"),
        ] {
            let got = if want.ends_with('%') {
                pct_ticks(v, step)
            } else {
                pp_ticks(v, step)
            };
            assert_eq!(got, want);
        }
        assert_eq!(count_ticks(12345.0, 1000.0), "12,345");
        assert_eq!(count_ticks(-0.25, 0.05), "-0.25");
        assert_eq!(count_ticks(1234.5, 0.5), "1,234.5");
    }

    /// Issue 12: overlapping bands suggested no effect where the paired interval
    /// excludes zero; the chart now states the paired difference and interval.
    #[test]
    fn overlapping_bands_show_the_paired_difference() {
        let base: Vec<Summary> = (2024..2031)
            .map(|y| summary(M::PROVEN_REOFFENDING, y, 0.544, 0.540, 0.548))
            .collect();
        let scen: Vec<Summary> = (2024..2031)
            .map(|y| summary(M::PROVEN_REOFFENDING, y, 0.542, 0.538, 0.546))
            .collect();
        let paired = summary(M::PROVEN_REOFFENDING, 2030, -0.0021, -0.0030, -0.0012);
        let svg = reoffending_both(&base, &scen, Some(&paired), ("a", "b"), None, 2024, 20)
            .unwrap()
            .unwrap();
        let all: String = texts(&svg)
            .into_iter()
            .map(|t| t.1)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(all.contains("Paired difference, 2030: -0.21 pp"), "{all}");
        assert!(all.contains("-0.30 to -0.12 pp"), "{all}");
        assert!(all.contains("excludes zero"), "{all}");
    }

    /// Issue 12: the targets report drew an off-scale dot on the border without
    /// marking it; it now gets an arrow and an "off scale" label with its value.
    #[test]
    fn off_scale_dots_are_marked_with_their_value() {
        let row = |v: f64| DotRow {
            label: format!("row {v}"),
            dots: vec![Dot {
                value: v,
                lo: v * 0.9,
                hi: v * 1.1,
                color: PALETTE[0],
            }],
            ..DotRow::default()
        };
        let fmt = |v: f64, step: f64| pct_ticks(v * 100.0, step * 100.0);
        let svg = dot_chart(&DotChart {
            title: "t",
            x_label: "Simulated as % of the published value",
            rows: vec![row(1.0), row(7.5), row(-0.5)],
            reference: Some((1.0, "published")),
            x_range: (0.0, 3.0),
            x_fmt: &fmt,
            legend: vec![],
            note: String::new(),
        })
        .unwrap();
        let labels: Vec<String> = texts(&svg).into_iter().map(|t| t.1).collect();
        assert!(
            labels.iter().any(|l| l.contains("off scale: 750%")),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l.contains("off scale: -50%")),
            "{labels:?}"
        );
        assert_eq!(
            labels.iter().filter(|l| l.contains("off scale")).count(),
            2,
            "the dot on the scale is not marked"
        );
        // The arrows: one filled triangle per off-scale dot.
        assert_eq!(svg.matches("<polygon").count(), 2, "{svg}");
    }
}
