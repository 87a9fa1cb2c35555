//! One SVG chart per lesson: speedup against workers, with the ideal line
//! and this machine's ceiling; for `spin_lock`, its time over the Mutex's
//! against threads, with the line of "as fast". `plotters` with only its SVG backend: the
//! text is SVG text, so no font is needed to draw it.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use super::parse::Summary;

/// A measured curve: the median speedup at each worker count, and its range.
pub struct Measured {
    pub label: String,
    pub points: Vec<(usize, Summary)>,
}

/// A reference curve: the ideal, or what this machine allows.
pub struct Reference {
    pub label: String,
    pub points: Vec<(usize, f64)>,
}

const COLOURS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    BLACK,
];

/// `lock`: a chart of ratios to the Mutex, not of speedups.
pub fn draw(
    path: &Path,
    lock: bool,
    title: &str,
    measured: &[Measured],
    ceiling: &Reference,
) -> Result<()> {
    let most_workers =
        measured.iter().flat_map(|m| m.points.iter().map(|&(w, _)| w)).max().unwrap_or(1);
    let ideal = Reference {
        label: "ideal: speedup = workers".to_string(),
        points: match lock {
            true => Vec::new(),
            false => (1..=most_workers).map(|w| (w, w as f64)).collect(),
        },
    };
    let (x_desc, y_desc) = match lock {
        true => ("threads", "the spin lock's time over the Mutex's"),
        false => ("workers", "speedup over one sequential run"),
    };
    let highest = measured
        .iter()
        .flat_map(|m| m.points.iter().map(|(_, s)| s.max))
        .chain(ceiling.points.iter().map(|&(_, y)| y))
        .filter(|y| y.is_finite())
        .fold(most_workers as f64, f64::max);

    let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.5..most_workers as f64 + 0.5, 0.0..highest * 1.1)
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(most_workers.min(16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(|e| anyhow!("{e}"))?;

    for (reference, style) in [
        (&ideal, ShapeStyle::from(RGBColor(160, 160, 160)).stroke_width(1)),
        (ceiling, ShapeStyle::from(RGBColor(44, 160, 44)).stroke_width(2)),
    ] {
        if reference.points.is_empty() {
            continue;
        }
        let line = reference.points.iter().map(|&(w, y)| (w as f64, y));
        chart
            .draw_series(LineSeries::new(line, style))
            .map_err(|e| anyhow!("{e}"))?
            .label(&reference.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    for (curve, colour) in measured.iter().zip(COLOURS) {
        let style = ShapeStyle::from(colour).stroke_width(2);
        let medians = curve.points.iter().map(|&(w, s)| (w as f64, s.median));
        chart
            .draw_series(LineSeries::new(medians.clone(), style))
            .map_err(|e| anyhow!("{e}"))?
            .label(&curve.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart
            .draw_series(medians.map(|point| Circle::new(point, 4, style.filled())))
            .map_err(|e| anyhow!("{e}"))?;
        // The range of the runs, as a bar through each median.
        chart
            .draw_series(
                curve.points.iter().map(|&(w, s)| {
                    PathElement::new(vec![(w as f64, s.min), (w as f64, s.max)], style)
                }),
            )
            .map_err(|e| anyhow!("{e}"))?;
    }
    legend_and_write(&mut chart, &root)
}

/// `caches`' staircase: nanoseconds a load against the working set (both on
/// log axes), the median of the runs and their range at each size, and a
/// line at each cache size the system reports (`marks`: name, bytes).
pub fn staircase(
    path: &Path,
    title: &str,
    points: &[(usize, Summary)],
    marks: &[(String, usize)],
) -> Result<()> {
    let Some(&(largest_set, _)) = points.last() else { return Ok(()) };
    let x = |bytes: usize| (bytes as f64).log2();
    let highest = points.iter().map(|(_, s)| s.max).fold(1.0, f64::max);
    let lowest = points.iter().map(|(_, s)| s.min).fold(highest, f64::min);
    let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(
            x(points[0].0) - 0.5..x(largest_set) + 0.5,
            (lowest / 1.5..highest * 1.5).log_scale(),
        )
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("working set")
        .y_desc("ns a load (log scale)")
        .x_labels(points.len())
        .x_label_style(("sans-serif", 10))
        .x_label_formatter(&|x| {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a working set, 4 KiB to a few GiB"
            )]
            let bytes = 2_f64.powf(*x).round() as usize;
            super::size_name(bytes)
        })
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    for (k, (name, bytes)) in marks.iter().enumerate() {
        let style = ShapeStyle::from(RGBColor(44, 160, 44)).stroke_width(1);
        let at = x(*bytes);
        chart
            .draw_series(LineSeries::new([(at, lowest / 1.5), (at, highest * 1.5)], style))
            .map_err(|e| anyhow!("{e}"))?;
        let label =
            Text::new(name.clone(), (at, lowest * (1.3 + 0.4 * k as f64)), ("sans-serif", 13));
        chart.draw_series([label]).map_err(|e| anyhow!("{e}"))?;
    }
    let style = ShapeStyle::from(COLOURS[0]).stroke_width(2);
    let medians = points.iter().map(|&(b, s)| (x(b), s.median));
    chart
        .draw_series(LineSeries::new(medians.clone(), style))
        .map_err(|e| anyhow!("{e}"))?
        .label("random chase, median of the runs")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    chart
        .draw_series(medians.map(|point| Circle::new(point, 4, style.filled())))
        .map_err(|e| anyhow!("{e}"))?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&(b, s)| PathElement::new(vec![(x(b), s.min), (x(b), s.max)], style)),
        )
        .map_err(|e| anyhow!("{e}"))?;
    legend_and_write(&mut chart, &root)
}

/// The legend at the upper left, then the file written.
fn legend_and_write<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    root: &DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
