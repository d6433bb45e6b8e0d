//! The national dashboard: each official series of England and Wales by year,
//! the published figures as points on the simulated values, so a reader sees
//! the fit at a glance. In a run report the simulated values are the run's
//! yearly metric (calendar years, the metric's own definition, a 95% band over
//! replicates); in the targets report they are the `national` study's values
//! under each publication's own definition and period (points with their 95%
//! interval).

use super::charts::{PALETTE, WIDTH_SMALL};
use super::html::{esc, figure};
use super::{series, Summary};
use crate::metrics::M;
use crate::studies::targets::{TargetResult, NATIONAL};
use anyhow::{anyhow, Result};
use plotters::prelude::*;

/// The official series as shipped (`calibration/national_series.csv`).
const NATIONAL_SERIES: &str = include_str!("../../calibration/national_series.csv");

/// One panel: a series' official points and its simulated values.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    /// `percent` or a count unit.
    pub unit: String,
    /// The run's yearly metric: (year middle, mean, lo, hi).
    pub band: Vec<(f64, f64, f64, f64)>,
    pub band_label: String,
    /// The study's values under the publication's definition: (x, mean, lo, hi).
    pub simulated: Vec<(f64, f64, f64, f64)>,
    /// Published figures: (x, value).
    pub official: Vec<(f64, f64)>,
}

/// One official row: id, series, value, unit.
struct Official {
    id: String,
    series: String,
    value: f64,
    unit: String,
}

/// The official rows: the shared series, then the supplementary ones.
fn officials() -> Vec<Official> {
    [NATIONAL_SERIES, crate::studies::national::SUPPLEMENT]
        .iter()
        .flat_map(|text| {
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let h = r.headers().expect("a header").clone();
            let col = |n: &str| h.iter().position(|c| c == n).expect("a column");
            let (id, series, value, unit) = (col("id"), col("series"), col("value"), col("unit"));
            r.records()
                .filter_map(|row| row.ok())
                .filter_map(|row| {
                    Some(Official {
                        id: row[id].to_string(),
                        series: row[series].to_string(),
                        value: row[value].parse().ok()?,
                        unit: row[unit].to_string(),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Rows kept out of the by-year panels: breakdowns of one year (receptions by
/// sentence length) and of one cohort (reoffending after custody or orders),
/// which sit beside their totals in the targets table.
fn breakdown(id: &str) -> bool {
    [
        "_le6m",
        "_6_12m",
        "_12m_4y",
        "_4y_plus",
        "_custody_orders",
        "_short_custody",
    ]
    .iter()
    .any(|s| id.ends_with(s))
}

/// The yearly metric of a run shown as a series' band: metric, group, factor
/// (to percent, or a year to a quarter) and what the band is.
fn band_metric(series: &str) -> Option<(M, &'static str, f64, &'static str)> {
    Some(match series {
        "arrests" => (M::ARRESTS, "all", 1.0, "arrests in the calendar year"),
        "drug tests on arrest" => (M::TESTS, "all", 1.0, "tests in the calendar year"),
        "share of tests positive" => (M::POSITIVE_RATE, "all", 100.0, "positive share of tests"),
        "sentenced prison receptions" => (
            M::SENTENCED_RECEPTIONS,
            "all",
            1.0,
            "sentenced receptions in the calendar year",
        ),
        "first receptions into prison" => (
            M::FIRST_RECEPTIONS,
            "all",
            0.25,
            "a quarter of the year's first receptions",
        ),
        "prison population" => (M::PRISON_POPULATION, "all", 1.0, "in custody on 30 June"),
        "remand population" => (
            M::PRISON_POPULATION_BY_KIND,
            "remand",
            1.0,
            "on remand on 30 June",
        ),
        "recall population" => (
            M::PRISON_POPULATION_BY_KIND,
            "recall",
            1.0,
            "recalled on 30 June",
        ),
        "recalls" => (M::RECALLS, "all", 1.0, "recalls in the calendar year"),
        "proven reoffending rate" => (
            M::PROVEN_REOFFENDING,
            "all",
            100.0,
            "all ages, cohort of the calendar year",
        ),
        "proven reoffending cohort" => (
            M::REOFFENDING_COHORT,
            "all",
            1.0,
            "all ages, cohort of the calendar year",
        ),
        "DRR commencements" => (
            M::ORDER_STARTS,
            "drr",
            1.0,
            "DRR starts in the calendar year",
        ),
        "people supervised by probation" => (
            M::PROBATION_CASELOAD,
            "all",
            1.0,
            "on an order or supervised after release, 30 June",
        ),
        _ => return None,
    })
}

/// The dashboard's panels: the official points of every series (breakdowns
/// apart), with the run's yearly band (`summary`) and the study's values under
/// each publication's definition (`targets`), whichever are given.
pub fn panels(summary: Option<&[Summary]>, targets: Option<&[TargetResult]>) -> Vec<Panel> {
    let mut out: Vec<Panel> = Vec::new();
    for o in officials().into_iter().filter(|o| !breakdown(&o.id)) {
        let Some(x) = crate::studies::national::period_middle(&o.id) else {
            continue;
        };
        let k = match out.iter().position(|p| p.title == o.series) {
            Some(k) => k,
            None => {
                let (band, band_label) = match (summary, band_metric(&o.series)) {
                    (Some(s), Some((metric, group, f, label))) => (
                        series(s, metric, group)
                            .into_iter()
                            .map(|(y, m, lo, hi)| (y as f64 + 0.5, m * f, lo * f, hi * f))
                            .collect(),
                        label.to_string(),
                    ),
                    _ => (Vec::new(), String::new()),
                };
                out.push(Panel {
                    title: o.series.clone(),
                    unit: o.unit.clone(),
                    band,
                    band_label,
                    simulated: Vec::new(),
                    official: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[k].official.push((x, o.value));
        if let Some(r) = targets
            .and_then(|t| t.iter().find(|r| r.id == o.id && r.study == NATIONAL))
            .filter(|r| r.mean.is_finite())
        {
            out[k].simulated.push((x, r.mean, r.lo95, r.hi95));
        }
    }
    // A panel shows something to compare the official points with.
    out.retain(|p| !p.band.is_empty() || !p.simulated.is_empty());
    out
}

const HEIGHT_SMALL: u32 = 360;

/// One panel as an SVG: the band (if any) as a shaded line, the study's values
/// as points with interval whiskers, the official figures as black diamonds.
pub fn panel_svg(p: &Panel) -> Result<String> {
    let mut buf = String::new();
    {
        let root =
            SVGBackend::with_string(&mut buf, (WIDTH_SMALL, HEIGHT_SMALL)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let xs = p
            .band
            .iter()
            .map(|b| b.0)
            .chain(p.simulated.iter().map(|s| s.0))
            .chain(p.official.iter().map(|o| o.0));
        let (xlo, xhi) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        let ys = p
            .band
            .iter()
            .flat_map(|b| [b.2, b.3])
            .chain(p.simulated.iter().flat_map(|s| [s.2, s.3]))
            .chain(p.official.iter().map(|o| o.1))
            .filter(|v| v.is_finite());
        let yhi = ys.fold(0.0_f64, f64::max) * 1.1;
        if xlo > xhi || yhi <= 0.0 {
            return Err(anyhow!("no data for {}", p.title));
        }
        let (xlo, xhi) = (xlo.floor() - 1.0, xhi.ceil() + 1.0);
        // Whole years, never more labels than years, so no two read the same;
        // room on the right for the last label.
        let x_labels = ((xhi - xlo) as usize + 1).clamp(2, 8);
        let mut chart = ChartBuilder::on(&root)
            .caption(&p.title, ("sans-serif", 22).into_font())
            .margin(10)
            .margin_right(36)
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(xlo..xhi, 0.0..yhi)
            .map_err(|e| anyhow!("{e:?}"))?;
        let unit = p.unit.clone();
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(222, 226, 230))
            .x_labels(x_labels)
            .y_labels(6)
            .x_label_formatter(&|v| format!("{:.0}", v))
            .y_label_formatter(&|v| {
                if unit == "percent" {
                    format!("{v:.0}%")
                } else {
                    super::thousands(*v)
                }
            })
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| anyhow!("{e:?}"))?;
        // The first study year: the years before it are the warm-up.
        if xlo < 2000.0 {
            let grey = RGBColor(173, 181, 189);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(2000.0, 0.0), (2000.0, yhi)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(|e| anyhow!("{e:?}"))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    "warm-up | targets from 2000",
                    (2000.0 - 9.5, yhi * 0.97),
                    ("sans-serif", 13).into_font().color(&grey),
                )))
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        let blue = PALETTE[0];
        if p.band.len() > 1 {
            let mut poly: Vec<(f64, f64)> = p.band.iter().map(|b| (b.0, b.3)).collect();
            poly.extend(p.band.iter().rev().map(|b| (b.0, b.2)));
            chart
                .draw_series(std::iter::once(Polygon::new(poly, blue.mix(0.18).filled())))
                .map_err(|e| anyhow!("{e:?}"))?;
            chart
                .draw_series(LineSeries::new(
                    p.band.iter().map(|b| (b.0, b.1)),
                    blue.stroke_width(2),
                ))
                .map_err(|e| anyhow!("{e:?}"))?
                .label(format!("simulated: {}", p.band_label))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2))
                });
        }
        let orange = PALETTE[1];
        if !p.simulated.is_empty() {
            for &(x, _, lo, hi) in &p.simulated {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        orange.stroke_width(2),
                    )))
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
            chart
                .draw_series(
                    p.simulated
                        .iter()
                        .map(|&(x, m, _, _)| Circle::new((x, m), 5, orange.filled())),
                )
                .map_err(|e| anyhow!("{e:?}"))?
                .label("simulated, the publication's definition")
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, orange.filled()));
        }
        chart
            .draw_series(
                p.official
                    .iter()
                    .map(|&(x, v)| TriangleMarker::new((x, v), 7, BLACK.filled())),
            )
            .map_err(|e| anyhow!("{e:?}"))?
            .label("official figure")
            .legend(|(x, y)| TriangleMarker::new((x + 10, y), 7, BLACK.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(222, 226, 230))
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(|e| anyhow!("{e:?}"))?;
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    Ok(buf)
}

/// The dashboard section of a report: every panel's chart, saved beside the
/// report as `charts/national_<k>.svg`, under a heading and one line on what
/// the points and bands are.
pub fn section(
    dir: &std::path::Path,
    panels: &[Panel],
    svgs: &mut Vec<(String, String)>,
) -> Result<String> {
    if panels.is_empty() {
        return Ok(String::new());
    }
    let mut b = String::from(
        "<section id=\"national\">\n<h2>National dashboard: England and Wales by year</h2>\n\
         <p class=\"note\">Black triangles are the official figures (calibration/national_series.csv, each \
         with its source); blue lines and bands are this run's yearly metric (calendar years, the metric's \
         definition, 95% band over replicates); orange points are the same figure measured under the \
         publication's own definition and period (<code>pathsim targets</code>), with their 95% interval. \
         Treatment and prevalence figures cover England.</p>\n<div class=\"grid\">\n",
    );
    for (k, p) in panels.iter().enumerate() {
        let name = format!("national_{k:02}");
        let svg = panel_svg(p)?;
        super::write_chart(dir, &name, &svg)?;
        b.push_str(&figure(&svg, &p.title, &esc(&p.band_label)));
        svgs.push((name, svg));
    }
    b.push_str("</div>\n</section>\n");
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_national_series_but_the_breakdowns_has_a_place_on_the_time_axis() {
        for o in officials() {
            let x = crate::studies::national::period_middle(&o.id);
            assert!(x.is_some(), "{}", o.id);
            let x = x.unwrap();
            assert!((2000.0..2025.0).contains(&x), "{}: {x}", o.id);
        }
        // A financial year's middle is 1 October.
        let x = crate::studies::national::period_middle("arrests_2007_08").unwrap();
        assert!((x - 2007.75).abs() < 0.01, "{x}");
    }

    #[test]
    fn panels_pair_official_points_with_the_study_values() {
        let results = vec![TargetResult {
            id: "arrests_2019_20".into(),
            role: crate::studies::targets::Role::Calibration,
            study: NATIONAL.into(),
            unit: "arrests".into(),
            published: Some(639_950.0),
            mean: 650_000.0,
            lo95: 640_000.0,
            hi95: 660_000.0,
            n: 10,
            rel_error: None,
            centre: Some(639_950.0),
            sd_published: 0.0,
            sd_discrepancy: 0.075 * 639_950.0,
            sd_mc: 3_000.0,
            z: Some(0.2),
            independent: true,
            met: Some(true),
        }];
        let p = panels(None, Some(&results));
        assert_eq!(p.len(), 1, "only the series with a simulated value");
        assert_eq!(p[0].title, "arrests");
        assert_eq!(p[0].official.len(), 10, "every official arrests figure");
        assert_eq!(p[0].simulated.len(), 1);
        assert!(panel_svg(&p[0]).unwrap().contains("<svg"));
    }
}
