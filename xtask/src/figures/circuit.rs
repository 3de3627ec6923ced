//! Figures of small circuits and their activity: a wiring diagram with signed arcs, stacked
//! activity traces without markers, and a spike raster.
//!
//! The diagram draws each neuron as a disc, red for excitatory and blue for inhibitory. Each
//! arc is a line from the presynaptic to the postsynaptic neuron. It ends in an arrowhead for
//! an excitatory synapse and in a bar for an inhibitory one, as circuit diagrams usually do.
//! A reciprocal pair is drawn as two arcs bent to opposite sides, so both stay visible.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{MARGIN, PALETTE, TICK_PX, TITLE_PX, font};

const EXCITATORY_RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);
const INHIBITORY_BLUE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
const DIAGRAM_SIZE: u32 = 420;
const NODE_RADIUS: f64 = 9.0;

/// One arc of a wiring diagram: presynaptic neuron, postsynaptic neuron and signed weight.
pub struct DiagramArc {
    pub pre: usize,
    pub post: usize,
    pub weight: f64,
}

/// Draws a wiring diagram of `positions.len()` neurons.
///
/// `positions` are in any units, since they are scaled to fit the square figure;
/// `inhibitory[i]` marks neuron `i` as inhibitory. Arc line widths grow with `|weight|`
/// relative to the largest weight.
pub fn write_circuit_svg(
    path: &Path,
    title: &str,
    positions: &[(f64, f64)],
    inhibitory: &[bool],
    arcs: &[DiagramArc],
) -> Result<()> {
    ensure!(
        !positions.is_empty(),
        "a circuit diagram needs at least one neuron"
    );
    ensure!(
        inhibitory.len() == positions.len(),
        "{} cell types for {} positions; pass one per neuron",
        inhibitory.len(),
        positions.len()
    );
    if let Some(arc) = arcs
        .iter()
        .find(|a| a.pre >= positions.len() || a.post >= positions.len())
    {
        anyhow::bail!(
            "arc {} -> {} names a neuron outside 0..{}",
            arc.pre,
            arc.post,
            positions.len()
        );
    }
    render_circuit(path, title, positions, inhibitory, arcs)
        .with_context(|| format!("failed to write circuit diagram {}", path.display()))
}

fn render_circuit(
    path: &Path,
    title: &str,
    positions: &[(f64, f64)],
    inhibitory: &[bool],
    arcs: &[DiagramArc],
) -> Result<()> {
    let root = SVGBackend::new(path, (DIAGRAM_SIZE, DIAGRAM_SIZE)).into_drawing_area();
    root.fill(&WHITE)?;
    let title_style = font(TITLE_PX).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new(
        title.to_owned(),
        ((DIAGRAM_SIZE / 2) as i32, MARGIN as i32),
        title_style,
    ))?;

    let pixels = fit_to_box(
        positions,
        MARGIN as f64 + 40.0,
        DIAGRAM_SIZE as f64 - MARGIN as f64,
    );
    let max_weight = arcs.iter().map(|a| a.weight.abs()).fold(0.0, f64::max);
    for arc in arcs {
        let reciprocal = arcs
            .iter()
            .any(|other| other.pre == arc.post && other.post == arc.pre);
        let relative = if max_weight > 0.0 {
            arc.weight.abs() / max_weight
        } else {
            1.0
        };
        draw_arc(
            &root,
            pixels[arc.pre],
            pixels[arc.post],
            arc.weight,
            relative,
            reciprocal,
        )?;
    }
    for (index, &(x, y)) in pixels.iter().enumerate() {
        let color = if inhibitory[index] {
            INHIBITORY_BLUE
        } else {
            EXCITATORY_RED
        };
        let centre = (x.round() as i32, y.round() as i32);
        root.draw(&Circle::new(centre, NODE_RADIUS as i32, color.filled()))?;
        if positions.len() <= 40 {
            let label_style = font(TICK_PX * 0.8)
                .pos(Pos::new(HPos::Center, VPos::Center))
                .color(&WHITE);
            root.draw(&Text::new(index.to_string(), centre, label_style))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Scales `positions` uniformly into the square `[low, high]²`, keeping the aspect ratio.
fn fit_to_box(positions: &[(f64, f64)], low: f64, high: f64) -> Vec<(f64, f64)> {
    let (min_x, max_x) = min_max(positions.iter().map(|p| p.0));
    let (min_y, max_y) = min_max(positions.iter().map(|p| p.1));
    let span = (max_x - min_x).max(max_y - min_y);
    let size = high - low;
    if span <= 0.0 {
        return vec![(low + size / 2.0, low + size / 2.0); positions.len()];
    }
    let scale = size / span;
    let offset_x = low + (size - (max_x - min_x) * scale) / 2.0;
    let offset_y = low + (size - (max_y - min_y) * scale) / 2.0;
    positions
        .iter()
        .map(|&(x, y)| {
            (
                offset_x + (x - min_x) * scale,
                offset_y + (max_y - y) * scale,
            )
        })
        .collect()
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Draws one arc between node discs, bent sideways for reciprocal pairs, with an arrowhead
/// (positive weight) or a bar (negative weight) at the postsynaptic end.
fn draw_arc<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    from: (f64, f64),
    to: (f64, f64),
    weight: f64,
    relative: f64,
    reciprocal: bool,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let length = (dx * dx + dy * dy).sqrt();
    if length <= 2.0 * NODE_RADIUS {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    // The normal points to the right of the direction of travel, so the two arcs of a
    // reciprocal pair bend to opposite sides.
    let (nx, ny) = (-uy, ux);
    let bend = if reciprocal { 5.0 } else { 0.0 };
    let start = (
        from.0 + ux * NODE_RADIUS + nx * bend,
        from.1 + uy * NODE_RADIUS + ny * bend,
    );
    let end = (
        to.0 - ux * (NODE_RADIUS + 2.0) + nx * bend,
        to.1 - uy * (NODE_RADIUS + 2.0) + ny * bend,
    );
    let color = if weight >= 0.0 {
        EXCITATORY_RED
    } else {
        INHIBITORY_BLUE
    };
    let width = (1.0 + 2.0 * relative).round() as u32;
    let style = color.mix(0.75).stroke_width(width);
    let pixel = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    root.draw(&PathElement::new(vec![pixel(start), pixel(end)], style))?;

    if weight >= 0.0 {
        let back = (end.0 - ux * 8.0, end.1 - uy * 8.0);
        let left = (back.0 + nx * 4.0, back.1 + ny * 4.0);
        let right = (back.0 - nx * 4.0, back.1 - ny * 4.0);
        root.draw(&Polygon::new(
            vec![pixel(end), pixel(left), pixel(right)],
            color.filled(),
        ))?;
    } else {
        let left = (end.0 + nx * 5.0, end.1 + ny * 5.0);
        let right = (end.0 - nx * 5.0, end.1 - ny * 5.0);
        root.draw(&PathElement::new(
            vec![pixel(left), pixel(right)],
            color.stroke_width(3),
        ))?;
    }
    Ok(())
}

/// One activity trace: a label and its values, value `i` at time `i * step_s`.
pub struct Trace {
    pub label: String,
    pub values: Vec<f64>,
}

/// Scaling of the traces of a figure into their bands.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TraceScale {
    /// One range for all traces, so amplitudes compare across traces.
    Shared,
    /// Each trace fills its own band, which shows the shape of small signals.
    PerTrace,
}

/// Draws activity traces stacked vertically in bands, against time in seconds. Traces are
/// drawn as plain lines without markers, which suits long time series.
pub fn write_traces_svg(
    path: &Path,
    title: &str,
    traces: &[Trace],
    step_s: f64,
    scale: TraceScale,
) -> Result<()> {
    ensure!(
        !traces.is_empty(),
        "a trace figure needs at least one trace"
    );
    ensure!(
        step_s.is_finite() && step_s > 0.0,
        "time step {step_s} s must be finite and positive"
    );
    ensure!(
        traces.iter().all(|t| t.values.len() >= 2),
        "every trace needs at least two values"
    );
    render_traces(path, title, traces, step_s, scale)
        .with_context(|| format!("failed to write trace figure {}", path.display()))
}

fn render_traces(
    path: &Path,
    title: &str,
    traces: &[Trace],
    step_s: f64,
    scale: TraceScale,
) -> Result<()> {
    let height = 120 + 60 * traces.len() as u32;
    let root = SVGBackend::new(path, (560, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let longest = traces.iter().map(|t| t.values.len()).max().unwrap_or(2);
    let duration = (longest - 1) as f64 * step_s;
    let bands = traces.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, font(TITLE_PX))
        .margin(MARGIN)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..duration, 0.0..bands)?;
    chart
        .configure_mesh()
        .label_style(font(TICK_PX))
        .x_desc("time (s)")
        .axis_desc_style(font(TICK_PX))
        .y_labels(0)
        .disable_y_mesh()
        .light_line_style(WHITE)
        .draw()?;

    let finite = |trace: &Trace| {
        trace
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect::<Vec<_>>()
    };
    let shared = min_max(traces.iter().flat_map(finite));
    for (index, trace) in traces.iter().enumerate() {
        let band_bottom = bands - 1.0 - index as f64;
        let (low, high) = match scale {
            TraceScale::Shared => shared,
            TraceScale::PerTrace => min_max(finite(trace).into_iter()),
        };
        let span = if high > low { high - low } else { 1.0 };
        let points = trace
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, &v)| {
                (
                    i as f64 * step_s,
                    band_bottom + 0.1 + 0.8 * (v - low) / span,
                )
            });
        let color = PALETTE[index % PALETTE.len()];
        chart.draw_series(LineSeries::new(points, color.stroke_width(1)))?;
        let label_at = chart.backend_coord(&(0.0, band_bottom + 0.5));
        let style = font(TICK_PX).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(
            trace.label.clone(),
            (label_at.0 - 6, label_at.1),
            style,
        ))?;
    }
    drop(chart);
    root.present()?;
    Ok(())
}

/// Draws a spike raster: one row per neuron, one tick per spike time (seconds).
pub fn write_raster_svg(
    path: &Path,
    title: &str,
    spike_times_s: &[Vec<f64>],
    duration_s: f64,
) -> Result<()> {
    ensure!(
        !spike_times_s.is_empty(),
        "a raster needs at least one neuron"
    );
    ensure!(
        duration_s.is_finite() && duration_s > 0.0,
        "raster duration {duration_s} s must be finite and positive"
    );
    render_raster(path, title, spike_times_s, duration_s)
        .with_context(|| format!("failed to write spike raster {}", path.display()))
}

fn render_raster(
    path: &Path,
    title: &str,
    spike_times_s: &[Vec<f64>],
    duration_s: f64,
) -> Result<()> {
    let rows = spike_times_s.len();
    let height = (160 + 6 * rows as u32).min(800);
    let root = SVGBackend::new(path, (560, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, font(TITLE_PX))
        .margin(MARGIN)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..duration_s, -0.5..rows as f64 - 0.5)?;
    chart
        .configure_mesh()
        .label_style(font(TICK_PX))
        .x_desc("time (s)")
        .y_desc("neuron")
        .y_label_formatter(&|y: &f64| format!("{}", (rows as f64 - 1.0 - y).round()))
        .axis_desc_style(font(TICK_PX))
        .disable_y_mesh()
        .light_line_style(WHITE)
        .draw()?;
    for (row, times) in spike_times_s.iter().enumerate() {
        let y = (rows - 1 - row) as f64;
        let ticks = times
            .iter()
            .filter(|t| t.is_finite() && (0.0..=duration_s).contains(*t))
            .map(|&t| PathElement::new(vec![(t, y - 0.35), (t, y + 0.35)], BLACK.stroke_width(1)));
        chart.draw_series(ticks)?;
    }
    drop(chart);
    root.present()?;
    Ok(())
}
