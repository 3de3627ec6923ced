//! SVG figures for the experiment report: significance profiles over motif
//! classes, disconnectivity graphs of energy landscapes, scatter plots,
//! grouped bar charts and line charts with labelled vertical markers.
//!
//! The figures use the plotters SVG backend without the `ttf` or `ab_glyph`
//! features. Text goes into the file as SVG `<text>` elements that the viewer
//! renders with its own fonts, so no font file is needed to build or run.
//! Without a font, plotters and this module estimate text widths from
//! character counts (see [`text_width`]), so label areas are sized from an
//! estimate and long labels may come out slightly wider or narrower.
//!
//! Category labels, legends, lines and markers are drawn in pixel space on
//! the root drawing area, while plotters draws the axes, tick labels, grid
//! and title.

mod circuit;

pub use circuit::{
    DiagramArc, Trace, TraceScale, write_circuit_svg, write_raster_svg, write_traces_svg,
};

use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One line of a significance profile: a label (network and null model) and one value per class.
pub struct ProfileSeries {
    pub label: String,
    pub values: Vec<f64>,
}

type Root<'b> = DrawingArea<SVGBackend<'b>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The d3 "category10" colours. Series past the tenth reuse them with another marker shape.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

const GRID_GREY: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const ZERO_LINE_GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// Width of the profile, bar and (minimum) disconnectivity figures, in pixels.
const WIDTH: u32 = 960;
/// Height of the part above the legend, which contains the title, the plot and the x labels.
const PLOT_HEIGHT: u32 = 560;
const MARGIN: u32 = 16;
const Y_LABEL_AREA: u32 = 80;
/// Height of the x label area when the labels are horizontal.
const X_LABEL_AREA: u32 = 40;
/// Upper bound for the x label area. Rotated labels longer than this are shortened.
const MAX_X_LABEL_AREA: u32 = 180;

const TITLE_PX: f64 = 18.0;
const AXIS_DESC_PX: f64 = 14.0;
const TICK_PX: f64 = 12.0;
const LEGEND_PX: f64 = 12.0;
const LEGEND_ROW_PX: u32 = 20;

/// Builds a sans-serif text style whose SVG `font-size` is `px` pixels.
fn font(px: f64) -> TextStyle<'static> {
    // plotters-svg 0.3.7 writes `font-size` as the style size divided by 1.24.
    TextStyle::from(("sans-serif", px * 1.24).into_font()).color(&BLACK)
}

/// Estimates the rendered width of `text` at a font size of `px` pixels.
/// The factor 0.65 em per character is about the width of a digit in DejaVu
/// Sans, a common default sans-serif font. Most lower-case text is narrower.
fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * 0.65 * px
}

/// Formats a tick value with enough decimals for an axis spanning `span`,
/// without trailing zeros or a negative zero.
fn format_tick(value: f64, span: f64) -> String {
    let decimals = (3.0 - span.log10().floor()).clamp(0.0, 12.0) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------------------
// Significance profiles
// ---------------------------------------------------------------------------

/// Draws z-score (or normalised significance) profiles over motif classes:
/// one polyline with markers per series, class labels on the x axis, a zero
/// line, a legend under the plot, the title and the y-axis label.
/// Non-finite values are skipped and leave a gap in their line.
pub fn write_profile_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    classes: &[String],
    series: &[ProfileSeries],
) -> Result<()> {
    validate_series_table("classes", classes, series)?;
    let has_finite = series.iter().flat_map(|s| &s.values).any(|v| v.is_finite());
    ensure!(
        has_finite,
        "every profile value is non-finite, so there is nothing to plot"
    );

    // Zero joins the values so that the zero line is always inside the plot.
    let values = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain([0.0]);
    let y_range = padded_range(values, false).expect("zero is finite, so the range exists");

    render_profile(path, title, y_label, classes, series, y_range)
        .with_context(|| format!("failed to write profile figure {}", path.display()))
}

fn render_profile(
    path: &Path,
    title: &str,
    y_label: &str,
    classes: &[String],
    series: &[ProfileSeries],
    y_range: Range<f64>,
) -> Result<()> {
    let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    let legend = LegendLayout::new(&labels, WIDTH);
    let root = SVGBackend::new(path, (WIDTH, PLOT_HEIGHT + legend.height)).into_drawing_area();
    root.fill(&WHITE)?;

    let x_axis = CategoryAxis::new(classes, WIDTH);
    let (upper, _) = root.split_vertically(PLOT_HEIGHT);
    let axes = Axes {
        title,
        x_desc: None,
        y_desc: y_label,
        x: category_range(classes.len()),
        y: y_range,
        x_label_area: x_axis.area,
    };
    let chart = build_chart(&upper, &axes)?;

    draw_horizontal_line(&root, &chart, &axes, 0.0)?;
    for (index, profile) in series.iter().enumerate() {
        draw_profile_line(&root, &chart, index, &profile.values)?;
    }
    x_axis.draw(&root, &chart, &axes, classes)?;
    legend.draw(&root, PLOT_HEIGHT, &labels, LegendSwatch::LineAndMarker)?;

    drop(chart);
    root.present()?;
    Ok(())
}

/// Draws one profile: line segments between consecutive finite values, then a marker on each finite value.
fn draw_profile_line(root: &Root, chart: &Chart, index: usize, values: &[f64]) -> Result<()> {
    let (color, marker) = series_style(index);
    let points: Vec<Option<(i32, i32)>> = values
        .iter()
        .enumerate()
        .map(|(class, &value)| {
            value
                .is_finite()
                .then(|| chart.backend_coord(&(class as f64, value)))
        })
        .collect();

    for run in points.split(|point| point.is_none()) {
        if run.len() >= 2 {
            let pixels: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
            root.draw(&PathElement::new(pixels, color.stroke_width(2)))?;
        }
    }
    for &pixel in points.iter().flatten() {
        draw_marker(root, pixel, color, marker)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Disconnectivity graphs
// ---------------------------------------------------------------------------

/// Draws a disconnectivity graph (energy dendrogram) of the local minima of
/// an energy landscape.
///
/// `minima_energy[i]` is the energy of minimum i and `minima_labels[i]` its
/// label. `merges` follows scipy linkage numbering: clusters `0..k` are the
/// minima and the i-th merge `(left, right, energy)` creates cluster `k + i`
/// at that barrier energy. Fewer than `k - 1` merges draw a forest whose
/// unmerged clusters run to the top of the plot. A merge below the energy of
/// either of its children is rejected, because its lines would point down.
pub fn write_disconnectivity_svg(
    path: &Path,
    title: &str,
    minima_energy: &[f64],
    minima_labels: &[String],
    merges: &[(usize, usize, f64)],
) -> Result<()> {
    ensure!(
        !minima_energy.is_empty(),
        "minima_energy is empty, but at least one minimum is required"
    );
    ensure!(
        minima_labels.len() == minima_energy.len(),
        "minima_labels has {} entries but minima_energy has {}. Pass one label per minimum",
        minima_labels.len(),
        minima_energy.len()
    );
    if let Some(i) = minima_energy.iter().position(|e| !e.is_finite()) {
        bail!(
            "minima_energy[{i}] is {}, but energies must be finite",
            minima_energy[i]
        );
    }
    let tree = Dendrogram::new(minima_energy, merges)?;

    render_disconnectivity(path, title, minima_labels, merges, &tree)
        .with_context(|| format!("failed to write disconnectivity graph {}", path.display()))
}

/// Layout of a disconnectivity graph. Clusters use scipy linkage numbering.
#[derive(Debug)]
struct Dendrogram {
    /// Horizontal position of each cluster, in leaf slots.
    x: Vec<f64>,
    /// Energy where each cluster's vertical line starts: the minimum's energy
    /// for a leaf and the barrier energy for a merge.
    bottom: Vec<f64>,
    /// Barrier energy of the merge that absorbs each cluster, or `None` for a root.
    parent_energy: Vec<Option<f64>>,
    /// Minima in left-to-right order.
    leaf_order: Vec<usize>,
}

impl Dendrogram {
    fn new(minima_energy: &[f64], merges: &[(usize, usize, f64)]) -> Result<Self> {
        let leaves = minima_energy.len();
        ensure!(
            merges.len() < leaves,
            "merges has {} entries but {leaves} minima allow at most {}",
            merges.len(),
            leaves - 1
        );
        let clusters = leaves + merges.len();
        let mut bottom = minima_energy.to_vec();
        let mut parent_energy = vec![None; clusters];
        let mut children = Vec::with_capacity(merges.len());

        for (i, &(left, right, energy)) in merges.iter().enumerate() {
            let id = leaves + i;
            ensure!(
                energy.is_finite(),
                "merges[{i}] has non-finite energy {energy}"
            );
            ensure!(
                left != right,
                "merges[{i}] joins cluster {left} with itself"
            );
            for child in [left, right] {
                ensure!(
                    child < id,
                    "merges[{i}] refers to cluster {child}, but only clusters 0..{id} exist at that merge"
                );
                ensure!(
                    parent_energy[child].is_none(),
                    "merges[{i}] uses cluster {child}, which an earlier merge already absorbed"
                );
                ensure!(
                    energy >= bottom[child],
                    "merges[{i}] has barrier energy {energy}, below the energy {} of cluster {child}",
                    bottom[child]
                );
                parent_energy[child] = Some(energy);
            }
            bottom.push(energy);
            children.push((left, right));
        }

        let leaf_order = leaf_order(leaves, &children, &parent_energy);
        let x = cluster_positions(leaves, &children, &leaf_order);
        Ok(Self {
            x,
            bottom,
            parent_energy,
            leaf_order,
        })
    }
}

/// Orders the minima by a depth-first walk of each tree, left child first, so
/// that every cluster's leaves are adjacent and no lines cross.
fn leaf_order(
    leaves: usize,
    children: &[(usize, usize)],
    parent_energy: &[Option<f64>],
) -> Vec<usize> {
    let roots = (0..parent_energy.len()).filter(|&c| parent_energy[c].is_none());
    let mut order = Vec::with_capacity(leaves);
    for root in roots {
        let mut stack = vec![root];
        while let Some(cluster) = stack.pop() {
            if cluster < leaves {
                order.push(cluster);
            } else {
                let (left, right) = children[cluster - leaves];
                stack.push(right);
                stack.push(left);
            }
        }
    }
    order
}

/// Places leaves at their slot in `leaf_order` and each merge midway between its children.
fn cluster_positions(leaves: usize, children: &[(usize, usize)], leaf_order: &[usize]) -> Vec<f64> {
    let mut x = vec![0.0; leaves + children.len()];
    for (slot, &leaf) in leaf_order.iter().enumerate() {
        x[leaf] = slot as f64;
    }
    // A merge always comes after both of its children, so one forward pass suffices.
    for (i, &(left, right)) in children.iter().enumerate() {
        x[leaves + i] = (x[left] + x[right]) / 2.0;
    }
    x
}

fn render_disconnectivity(
    path: &Path,
    title: &str,
    minima_labels: &[String],
    merges: &[(usize, usize, f64)],
    tree: &Dendrogram,
) -> Result<()> {
    let leaves = minima_labels.len();
    // About 24 pixels per minimum keeps 50 rotated labels apart.
    // NOTE: the width stops at 1600 pixels, so labels of more than about 60 minima crowd.
    let width = (Y_LABEL_AREA + 2 * MARGIN + 24 * leaves as u32).clamp(WIDTH * 2 / 3, 1600);
    let root = SVGBackend::new(path, (width, PLOT_HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;

    let ordered_labels: Vec<String> = tree
        .leaf_order
        .iter()
        .map(|&leaf| minima_labels[leaf].clone())
        .collect();
    let x_axis = CategoryAxis::new(&ordered_labels, width);
    let energies = tree.bottom.iter().copied();
    let axes = Axes {
        title,
        x_desc: None,
        y_desc: "Energy",
        x: category_range(leaves),
        y: padded_range(energies, false).context("minima_energy has no finite value")?,
        x_label_area: x_axis.area,
    };
    let chart = build_chart(&root, &axes)?;

    draw_dendrogram_lines(&root, &chart, &axes, merges, tree)?;
    for leaf in 0..leaves {
        let pixel = chart.backend_coord(&(tree.x[leaf], tree.bottom[leaf]));
        draw_marker(&root, pixel, PALETTE[0], Marker::Circle)?;
    }
    x_axis.draw(&root, &chart, &axes, &ordered_labels)?;

    drop(chart);
    root.present()?;
    Ok(())
}

/// Draws each cluster's vertical line up to the merge that absorbs it (roots
/// run to the top of the plot) and each merge's horizontal join.
fn draw_dendrogram_lines(
    root: &Root,
    chart: &Chart,
    axes: &Axes,
    merges: &[(usize, usize, f64)],
    tree: &Dendrogram,
) -> Result<()> {
    let style = BLACK.stroke_width(2);
    for cluster in 0..tree.x.len() {
        let top = tree.parent_energy[cluster].unwrap_or(axes.y.end);
        let from = chart.backend_coord(&(tree.x[cluster], tree.bottom[cluster]));
        let to = chart.backend_coord(&(tree.x[cluster], top));
        root.draw(&PathElement::new(vec![from, to], style))?;
    }
    for &(left, right, energy) in merges {
        let from = chart.backend_coord(&(tree.x[left], energy));
        let to = chart.backend_coord(&(tree.x[right], energy));
        root.draw(&PathElement::new(vec![from, to], style))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Scatter plots
// ---------------------------------------------------------------------------

/// Draws a scatter plot with axis labels and a title (e.g. coupling J_ij
/// versus structural connectivity). Points with a non-finite coordinate are
/// skipped.
// TODO: all points share one colour because this signature has no per-point group.
pub fn write_scatter_svg(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64)],
) -> Result<()> {
    ensure!(
        !points.is_empty(),
        "points is empty, but a scatter plot needs at least one point"
    );
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    ensure!(
        !finite.is_empty(),
        "all {} points have a non-finite coordinate, so there is nothing to plot",
        points.len()
    );
    let x = padded_range(finite.iter().map(|p| p.0), false).context("no finite x")?;
    let y = padded_range(finite.iter().map(|p| p.1), false).context("no finite y")?;
    let axes = Axes {
        title,
        x_desc: Some(x_label),
        y_desc: y_label,
        x,
        y,
        x_label_area: 56,
    };

    render_scatter(path, &axes, &finite)
        .with_context(|| format!("failed to write scatter plot {}", path.display()))
}

fn render_scatter(path: &Path, axes: &Axes, points: &[(f64, f64)]) -> Result<()> {
    let root = SVGBackend::new(path, (720, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = build_chart(&root, axes)?;

    // Translucent markers show where points overlap.
    let style = PALETTE[0].mix(0.6).filled();
    chart.draw_series(points.iter().map(|&point| Circle::new(point, 4, style)))?;

    drop(chart);
    root.present()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Grouped bar charts
// ---------------------------------------------------------------------------

/// Draws a grouped bar chart: one group per category and, inside each group,
/// one bar per series (e.g. accuracy index r per subject). Non-finite values
/// leave their bar out.
pub fn write_bar_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[ProfileSeries],
) -> Result<()> {
    validate_series_table("categories", categories, series)?;
    let values = series.iter().flat_map(|s| s.values.iter().copied());
    let y_range = padded_range(values, true)
        .context("every bar value is non-finite, so there is nothing to plot")?;

    render_bars(path, title, y_label, categories, series, y_range)
        .with_context(|| format!("failed to write bar chart {}", path.display()))
}

fn render_bars(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[ProfileSeries],
    y_range: Range<f64>,
) -> Result<()> {
    let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    let legend = LegendLayout::new(&labels, WIDTH);
    let root = SVGBackend::new(path, (WIDTH, PLOT_HEIGHT + legend.height)).into_drawing_area();
    root.fill(&WHITE)?;

    let x_axis = CategoryAxis::new(categories, WIDTH);
    let (upper, _) = root.split_vertically(PLOT_HEIGHT);
    let axes = Axes {
        title,
        x_desc: None,
        y_desc: y_label,
        x: category_range(categories.len()),
        y: y_range,
        x_label_area: x_axis.area,
    };
    let mut chart = build_chart(&upper, &axes)?;

    // The group fills 80 % of its slot, split evenly between the series.
    let bar_width = 0.8 / series.len() as f64;
    for (index, bars) in series.iter().enumerate() {
        let offset = -0.4 + bar_width * index as f64;
        let style = series_style(index).0.filled();
        let rectangles = bars
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(category, &value)| {
                let left = category as f64 + offset;
                let corners = [(left, value.max(0.0)), (left + bar_width, value.min(0.0))];
                Rectangle::new(corners, style)
            });
        chart.draw_series(rectangles)?;
    }
    draw_horizontal_line(&root, &chart, &axes, 0.0)?;
    x_axis.draw(&root, &chart, &axes, categories)?;
    legend.draw(&root, PLOT_HEIGHT, &labels, LegendSwatch::Square)?;

    drop(chart);
    root.present()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Line charts
// ---------------------------------------------------------------------------

/// One line of a line chart: a legend label and its (x, y) points in drawing order.
pub struct LineSeries {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Draws a line chart with numeric axes: one polyline with markers per series,
/// a legend under the plot, and a labelled vertical dashed line at each
/// `markers` entry `(label, x)`, for example a theoretical critical value.
/// Points with a non-finite coordinate are skipped and leave a gap in their
/// line. The x range covers every marker, so none falls outside the plot.
pub fn write_line_svg(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[LineSeries],
    markers: &[(String, f64)],
) -> Result<()> {
    ensure!(
        !series.is_empty(),
        "series is empty, but a line chart needs at least one series"
    );
    if let Some((index, (label, x))) = markers.iter().enumerate().find(|(_, m)| !m.1.is_finite()) {
        bail!("markers[{index}] ({label:?}) is at x = {x}, but marker positions must be finite");
    }
    let finite = || {
        series
            .iter()
            .flat_map(|s| &s.points)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    ensure!(
        finite().next().is_some(),
        "no series has a point with finite coordinates, so there is nothing to plot"
    );
    let xs = finite().map(|p| p.0).chain(markers.iter().map(|m| m.1));
    let x = padded_range(xs, false).context("no finite x")?;
    let y = padded_range(finite().map(|p| p.1), false).context("no finite y")?;
    let axes = Axes {
        title,
        x_desc: Some(x_label),
        y_desc: y_label,
        x,
        y,
        x_label_area: 56,
    };

    render_lines(path, &axes, series, markers)
        .with_context(|| format!("failed to write line chart {}", path.display()))
}

fn render_lines(
    path: &Path,
    axes: &Axes,
    series: &[LineSeries],
    markers: &[(String, f64)],
) -> Result<()> {
    let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
    let legend = LegendLayout::new(&labels, WIDTH);
    let root = SVGBackend::new(path, (WIDTH, PLOT_HEIGHT + legend.height)).into_drawing_area();
    root.fill(&WHITE)?;

    let (upper, _) = root.split_vertically(PLOT_HEIGHT);
    let chart = build_chart(&upper, axes)?;

    for (label, x) in markers {
        draw_vertical_marker(&root, &chart, axes, label, *x)?;
    }
    for (index, line) in series.iter().enumerate() {
        draw_xy_line(&root, &chart, index, &line.points)?;
    }
    legend.draw(&root, PLOT_HEIGHT, &labels, LegendSwatch::LineAndMarker)?;

    drop(chart);
    root.present()?;
    Ok(())
}

/// Draws one series: line segments between consecutive finite points, then a marker on each.
fn draw_xy_line(root: &Root, chart: &Chart, index: usize, points: &[(f64, f64)]) -> Result<()> {
    let (color, marker) = series_style(index);
    let pixels: Vec<Option<(i32, i32)>> = points
        .iter()
        .map(|&(x, y)| (x.is_finite() && y.is_finite()).then(|| chart.backend_coord(&(x, y))))
        .collect();

    for run in pixels.split(|pixel| pixel.is_none()) {
        if run.len() >= 2 {
            let path: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
            root.draw(&PathElement::new(path, color.stroke_width(2)))?;
        }
    }
    for &pixel in pixels.iter().flatten() {
        draw_marker(root, pixel, color, marker)?;
    }
    Ok(())
}

/// Draws a grey dashed vertical line across the plot at `x`, with `label`
/// written bottom to top along its left side, starting at the x axis.
fn draw_vertical_marker(
    root: &Root,
    chart: &Chart,
    axes: &Axes,
    label: &str,
    x: f64,
) -> Result<()> {
    let top = chart.backend_coord(&(x, axes.y.end));
    let bottom = chart.backend_coord(&(x, axes.y.start));
    root.draw(&DashedPathElement::new(
        vec![top, bottom],
        6,
        4,
        ZERO_LINE_GREY.stroke_width(1),
    ))?;

    // Rotated text that starts at the anchor runs up from the bottom of the plot.
    let style = font(TICK_PX)
        .color(&ZERO_LINE_GREY)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    let max_chars = ((bottom.1 - top.1 - 8).max(0) as f64 / text_width("0", TICK_PX)) as usize;
    root.draw(&Text::new(
        shorten(label, max_chars),
        (bottom.0 - 6, bottom.1 - 4),
        style,
    ))?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Checks that there is at least one category and one series, and that each
/// series has one value per category. `name` is the category parameter's name.
fn validate_series_table(
    name: &str,
    categories: &[String],
    series: &[ProfileSeries],
) -> Result<()> {
    ensure!(
        !categories.is_empty(),
        "{name} is empty, but at least one entry is required"
    );
    ensure!(
        !series.is_empty(),
        "series is empty, but at least one series is required"
    );
    for (index, s) in series.iter().enumerate() {
        ensure!(
            s.values.len() == categories.len(),
            "series[{index}] ({:?}) has {} values but {name} has {} entries. Pass one value per entry",
            s.label,
            s.values.len(),
            categories.len()
        );
    }
    Ok(())
}

/// Returns the span of the finite values with 6 % padding on each side, or
/// `None` when no value is finite. With `zero_baseline` the span covers zero,
/// and a side that zero bounds gets no padding, so bars start on the axis.
fn padded_range(values: impl Iterator<Item = f64>, zero_baseline: bool) -> Option<Range<f64>> {
    let (mut low, mut high) =
        values
            .filter(|v| v.is_finite())
            .fold(None, |span: Option<(f64, f64)>, v| match span {
                None => Some((v, v)),
                Some((low, high)) => Some((low.min(v), high.max(v))),
            })?;
    if zero_baseline {
        low = low.min(0.0);
        high = high.max(0.0);
    }
    if high - low <= f64::EPSILON * low.abs().max(high.abs()).max(1.0) {
        // A single value: widen to a unit span so the axis has ticks.
        return Some(low - 0.5..high + 0.5);
    }
    let pad = 0.06 * (high - low);
    let low = if zero_baseline && low == 0.0 {
        0.0
    } else {
        low - pad
    };
    let high = if zero_baseline && high == 0.0 {
        0.0
    } else {
        high + pad
    };
    Some(low..high)
}

/// Places category `i` at x = i, with half a slot of room at each end.
fn category_range(count: usize) -> Range<f64> {
    -0.5..count as f64 - 0.5
}

/// The axes of one chart: its title, axis descriptions, data ranges and the
/// pixel height reserved under the plot for x labels.
struct Axes<'t> {
    title: &'t str,
    /// Description under the x axis. `None` for categorical axes, which also get no numeric ticks.
    x_desc: Option<&'t str>,
    y_desc: &'t str,
    x: Range<f64>,
    y: Range<f64>,
    x_label_area: u32,
}

/// Builds the chart with its title and mesh. Categorical charts (`x_desc` of
/// `None`) get neither x ticks nor vertical grid lines.
fn build_chart<'a, 'b>(area: &'a Root<'b>, axes: &Axes) -> Result<Chart<'a, 'b>> {
    let mut chart = ChartBuilder::on(area)
        .caption(axes.title, font(TITLE_PX))
        .margin(MARGIN)
        .x_label_area_size(axes.x_label_area)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(axes.x.clone(), axes.y.clone())?;

    let x_span = axes.x.end - axes.x.start;
    let y_span = axes.y.end - axes.y.start;
    let x_formatter = |x: &f64| format_tick(*x, x_span);
    let y_formatter = |y: &f64| format_tick(*y, y_span);
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(TICK_PX))
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .axis_desc_style(font(AXIS_DESC_PX))
        .y_desc(axes.y_desc)
        .bold_line_style(GRID_GREY)
        .light_line_style(WHITE);
    match axes.x_desc {
        Some(x_desc) => mesh.x_desc(x_desc),
        None => mesh.disable_x_mesh().x_labels(0),
    };
    mesh.draw()?;
    Ok(chart)
}

/// Draws a thin horizontal line across the plot at height `y`, if `y` is inside the y range.
fn draw_horizontal_line(root: &Root, chart: &Chart, axes: &Axes, y: f64) -> Result<()> {
    if !(axes.y.start..=axes.y.end).contains(&y) {
        return Ok(());
    }
    let from = chart.backend_coord(&(axes.x.start, y));
    let to = chart.backend_coord(&(axes.x.end, y));
    root.draw(&PathElement::new(
        vec![from, to],
        ZERO_LINE_GREY.stroke_width(1),
    ))?;
    Ok(())
}

/// Placement of the category labels under a categorical x axis.
struct CategoryAxis {
    /// Whether the labels read bottom to top, which happens when they are too wide for their slot.
    rotated: bool,
    /// Pixel height reserved for the labels.
    area: u32,
    /// Labels longer than this many characters are shortened with an ellipsis.
    max_chars: usize,
}

impl CategoryAxis {
    /// Chooses horizontal or rotated labels for `labels` in a figure `figure_width` pixels wide.
    fn new(labels: &[String], figure_width: u32) -> Self {
        let plot_width = figure_width.saturating_sub(Y_LABEL_AREA + 2 * MARGIN) as f64;
        let slot = plot_width / labels.len().max(1) as f64;
        let widest = labels
            .iter()
            .map(|l| text_width(l, TICK_PX))
            .fold(0.0, f64::max);
        let max_chars = ((MAX_X_LABEL_AREA - 12) as f64 / text_width("0", TICK_PX)) as usize;
        // Horizontal labels need at least 8 pixels between neighbours.
        if widest + 8.0 <= slot {
            return Self {
                rotated: false,
                area: X_LABEL_AREA,
                max_chars,
            };
        }
        let area = (widest as u32 + 12).clamp(X_LABEL_AREA, MAX_X_LABEL_AREA);
        Self {
            rotated: true,
            area,
            max_chars,
        }
    }

    /// Draws label i under x = i, just below the plot.
    fn draw(&self, root: &Root, chart: &Chart, axes: &Axes, labels: &[String]) -> Result<()> {
        let mut style = font(TICK_PX);
        style = if self.rotated {
            style
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Right, VPos::Center))
        } else {
            style.pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (i, label) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64, axes.y.start));
            let text = shorten(label, self.max_chars);
            root.draw(&Text::new(text, (x, y + 6), style.clone()))?;
        }
        Ok(())
    }
}

/// Cuts `text` to `max_chars` characters, ending with an ellipsis when it was longer.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{kept}…")
}

#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Cross,
}

/// Returns the colour and marker of series `index`. The palette cycles, and
/// each cycle uses the next marker shape, so 30 series stay distinct.
fn series_style(index: usize) -> (RGBColor, Marker) {
    let color = PALETTE[index % PALETTE.len()];
    let marker = match (index / PALETTE.len()) % 3 {
        0 => Marker::Circle,
        1 => Marker::Triangle,
        _ => Marker::Cross,
    };
    (color, marker)
}

fn draw_marker(root: &Root, at: (i32, i32), color: RGBColor, marker: Marker) -> Result<()> {
    match marker {
        Marker::Circle => root.draw(&Circle::new(at, 4, color.filled()))?,
        Marker::Triangle => root.draw(&TriangleMarker::new(at, 6, color.filled()))?,
        Marker::Cross => root.draw(&Cross::new(at, 5, color.stroke_width(2)))?,
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum LegendSwatch {
    LineAndMarker,
    Square,
}

/// A legend laid out in a grid of equal columns under the plot.
struct LegendLayout {
    columns: usize,
    column_width: u32,
    /// Total pixel height, including padding above and below the rows.
    height: u32,
}

impl LegendLayout {
    const SWATCH: u32 = 32;

    fn new(labels: &[&str], figure_width: u32) -> Self {
        let widest = labels
            .iter()
            .map(|l| text_width(l, LEGEND_PX))
            .fold(0.0, f64::max);
        let column_width = Self::SWATCH + 8 + widest.ceil() as u32 + 20;
        let usable = figure_width - 2 * MARGIN;
        let columns = ((usable / column_width) as usize).clamp(1, labels.len().max(1));
        let rows = labels.len().div_ceil(columns) as u32;
        Self {
            columns,
            column_width,
            height: rows * LEGEND_ROW_PX + 16,
        }
    }

    /// Draws the legend with its top edge at pixel row `top`.
    fn draw(&self, root: &Root, top: u32, labels: &[&str], swatch: LegendSwatch) -> Result<()> {
        let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
        for (index, label) in labels.iter().enumerate() {
            let column = (index % self.columns) as u32;
            let row = (index / self.columns) as u32;
            let x = (MARGIN + column * self.column_width) as i32;
            let y = (top + 8 + row * LEGEND_ROW_PX + LEGEND_ROW_PX / 2) as i32;
            let (color, marker) = series_style(index);
            let right = x + Self::SWATCH as i32;
            match swatch {
                LegendSwatch::LineAndMarker => {
                    root.draw(&PathElement::new(
                        vec![(x, y), (right, y)],
                        color.stroke_width(2),
                    ))?;
                    draw_marker(root, ((x + right) / 2, y), color, marker)?;
                }
                LegendSwatch::Square => {
                    let corners = [(x + 10, y - 6), (x + 22, y + 6)];
                    root.draw(&Rectangle::new(corners, color.filled()))?;
                }
            }
            root.draw(&Text::new(label.to_string(), (right + 8, y), style.clone()))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Heatmaps
// ---------------------------------------------------------------------------

/// Diverging colours of the heatmap: blue for the most negative value, white for 0 and red
/// for the most positive (the ends of ColorBrewer's RdBu scheme).
const HEATMAP_NEGATIVE: RGBColor = RGBColor(0x21, 0x66, 0xac);
const HEATMAP_POSITIVE: RGBColor = RGBColor(0xb2, 0x18, 0x2b);

/// Draws a `rows` x `cols` row-major matrix (e.g. couplings J_ij) as a heatmap with a
/// colour bar. The scale is symmetric about 0, from -max|v| (blue) through 0 (white) to
/// +max|v| (red); row 0 is at the top. Non-finite entries, such as a diagonal set to NaN,
/// are drawn light grey.
pub fn write_heatmap_svg(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    values: &[f64],
    rows: usize,
    cols: usize,
) -> Result<()> {
    ensure!(
        rows > 0 && cols > 0,
        "a heatmap needs at least one row and one column, got {rows} x {cols}"
    );
    ensure!(
        values.len() == rows * cols,
        "values has {} entries but a {rows} x {cols} matrix needs {}",
        values.len(),
        rows * cols
    );
    ensure!(
        values.iter().any(|v| v.is_finite()),
        "every value is non-finite, so there is nothing to plot"
    );
    let largest = values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |acc, v| acc.max(v.abs()));
    // An all-zero matrix still gets a usable colour bar.
    let scale = if largest > 0.0 { largest } else { 1.0 };
    render_heatmap(path, title, x_label, y_label, values, (rows, cols), scale)
        .with_context(|| format!("failed to write heatmap {}", path.display()))
}

fn heatmap_colour(value: f64, scale: f64) -> RGBColor {
    if !value.is_finite() {
        return GRID_GREY;
    }
    let t = (value / scale).clamp(-1.0, 1.0);
    let end = if t < 0.0 {
        HEATMAP_NEGATIVE
    } else {
        HEATMAP_POSITIVE
    };
    let mix = |channel: u8| (255.0 + (f64::from(channel) - 255.0) * t.abs()).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

fn render_heatmap(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    values: &[f64],
    (rows, cols): (usize, usize),
    scale: f64,
) -> Result<()> {
    const COLOUR_BAR_AREA: u32 = 110;
    let root = SVGBackend::new(path, (720 + COLOUR_BAR_AREA, 720)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot_area, bar_area) = root.split_horizontally(720);
    let axes = Axes {
        title,
        x_desc: Some(x_label),
        y_desc: y_label,
        x: 0.0..cols as f64,
        y: 0.0..rows as f64,
        x_label_area: 56,
    };
    let mut chart = build_chart(&plot_area, &axes)?;
    // Row r occupies y in [rows - r - 1, rows - r), so row 0 is at the top.
    let cells = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (r, c)))
        .map(|(r, c)| {
            let top = (rows - r) as f64;
            let corners = [(c as f64, top), (c as f64 + 1.0, top - 1.0)];
            Rectangle::new(
                corners,
                heatmap_colour(values[r * cols + c], scale).filled(),
            )
        });
    chart.draw_series(cells)?;
    drop(chart);

    // The colour bar: 100 bands from +scale at the top to -scale at the bottom.
    let (top, bottom, left) = (80i32, 600i32, 20i32);
    let bands = 100;
    for band in 0..bands {
        let value = scale * (1.0 - 2.0 * (band as f64 + 0.5) / bands as f64);
        let y0 = top + (bottom - top) * band / bands;
        let y1 = top + (bottom - top) * (band + 1) / bands;
        bar_area.draw(&Rectangle::new(
            [(left, y0), (left + 24, y1)],
            heatmap_colour(value, scale).filled(),
        ))?;
    }
    let style = font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Center));
    for (value, y) in [(scale, top), (0.0, (top + bottom) / 2), (-scale, bottom)] {
        bar_area.draw(&Text::new(
            format_tick(value, 2.0 * scale),
            (left + 30, y),
            style.clone(),
        ))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod heatmap_tests {
    use super::write_heatmap_svg;

    #[test]
    fn heatmap_writes_cells_and_rejects_bad_shapes() {
        let path = std::env::temp_dir().join(format!("ncm-heatmap-{}.svg", std::process::id()));
        let values = [f64::NAN, 0.5, -0.25, 0.0, f64::NAN, 1.0];
        write_heatmap_svg(&path, "Couplings", "j", "i", &values, 2, 3).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(svg.contains("Couplings"));
        // Full red for the largest value 1.0 and white for 0.
        assert!(svg.contains("#B2182B"), "no full red cell");
        assert!(svg.contains("#FFFFFF"));
        assert!(write_heatmap_svg(&path, "t", "x", "y", &values, 2, 2).is_err());
        assert!(write_heatmap_svg(&path, "t", "x", "y", &[], 0, 0).is_err());
        assert!(write_heatmap_svg(&path, "t", "x", "y", &[f64::NAN], 1, 1).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Returns an SVG path in the temporary directory, unique per process and `name`.
    fn temp_svg(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("ncm-figures-{}-{name}.svg", std::process::id()))
    }

    /// Reads and deletes the SVG at `path`.
    fn take_svg(path: &Path) -> String {
        let text = std::fs::read_to_string(path).expect("figure file is readable");
        std::fs::remove_file(path).expect("figure file is removable");
        text
    }

    fn triad_classes() -> Vec<String> {
        ["003", "012", "102", "021D", "021U", "021C", "111D", "111U"]
            .map(String::from)
            .to_vec()
    }

    fn series(label: &str, values: &[f64]) -> ProfileSeries {
        ProfileSeries {
            label: label.to_owned(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn profile_writes_svg_with_title() {
        let path = temp_svg("profile");
        let classes = triad_classes();
        let profiles = [
            series(
                "E. coli vs configuration",
                &[1.0, -2.0, f64::NAN, 4.0, 3.0, 0.5, 8.0, -1.0],
            ),
            series(
                "yeast vs configuration",
                &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            ),
        ];
        write_profile_svg(&path, "Triad profile & z", "z-score", &classes, &profiles).unwrap();

        let svg = take_svg(&path);
        assert!(svg.starts_with("<svg"), "not an SVG document: {:.80}", svg);
        assert!(svg.contains("Triad profile &amp; z"));
        assert!(svg.contains("021D"));
        assert!(svg.contains("yeast vs configuration"));
    }

    #[test]
    fn profile_rejects_length_mismatch() {
        let path = temp_svg("profile-mismatch");
        let profiles = [series("short", &[1.0, 2.0])];
        let error = write_profile_svg(&path, "t", "z", &triad_classes(), &profiles).unwrap_err();

        assert!(error.to_string().contains("series[0]"), "{error}");
        assert!(!path.exists());
    }

    #[test]
    fn profile_rejects_empty_input() {
        let path = temp_svg("profile-empty");
        let no_classes = write_profile_svg(&path, "t", "z", &[], &[series("a", &[])]);
        let no_series = write_profile_svg(&path, "t", "z", &triad_classes(), &[]);
        let all_nan = write_profile_svg(
            &path,
            "t",
            "z",
            &["003".into()],
            &[series("a", &[f64::NAN])],
        );

        assert!(
            no_classes
                .unwrap_err()
                .to_string()
                .contains("classes is empty")
        );
        assert!(
            no_series
                .unwrap_err()
                .to_string()
                .contains("series is empty")
        );
        assert!(all_nan.unwrap_err().to_string().contains("non-finite"));
    }

    #[test]
    fn disconnectivity_writes_single_minimum() {
        let path = temp_svg("dg-single");
        write_disconnectivity_svg(&path, "One minimum", &[-3.0], &["0101".into()], &[]).unwrap();

        let svg = take_svg(&path);
        assert!(svg.contains("One minimum"));
        assert!(svg.contains("0101"));
    }

    #[test]
    fn disconnectivity_writes_tree() {
        let path = temp_svg("dg-tree");
        let energy = [-5.0, -4.0, -3.5, -4.5];
        let labels: Vec<String> = ["00", "01", "10", "11"].map(String::from).to_vec();
        let merges = [(0, 2, -3.0), (1, 3, -2.5), (4, 5, -1.0)];
        write_disconnectivity_svg(&path, "Landscape", &energy, &labels, &merges).unwrap();

        let svg = take_svg(&path);
        assert!(svg.contains("Landscape"));
        assert!(svg.contains("Energy"));
    }

    #[test]
    fn dendrogram_orders_leaves_without_crossing() {
        let energy = [-5.0, -4.0, -3.5, -4.5];
        let merges = [(0, 2, -3.0), (1, 3, -2.5), (4, 5, -1.0)];
        let tree = Dendrogram::new(&energy, &merges).unwrap();

        assert_eq!(tree.leaf_order, vec![0, 2, 1, 3]);
        assert_eq!(tree.x[4], 0.5);
        assert_eq!(tree.x[5], 2.5);
        assert_eq!(tree.x[6], 1.5);
        assert_eq!(tree.parent_energy[6], None);
    }

    #[test]
    fn dendrogram_keeps_unmerged_roots() {
        let tree = Dendrogram::new(&[-1.0, -2.0, -3.0], &[(2, 0, 0.0)]).unwrap();

        assert_eq!(tree.leaf_order, vec![1, 2, 0]);
        assert_eq!(tree.parent_energy[1], None);
        assert_eq!(tree.parent_energy[3], None);
    }

    #[test]
    fn disconnectivity_rejects_bad_merges() {
        let energy = [-2.0, -1.0, -1.5];
        type Merges<'a> = &'a [(usize, usize, f64)];
        let cases: [(Merges, &str); 6] = [
            (&[(0, 3, 0.0)], "cluster 3"),
            (&[(0, 1, 0.0), (0, 3, 1.0)], "already absorbed"),
            (&[(1, 1, 0.0)], "with itself"),
            (&[(0, 1, -1.8)], "below the energy"),
            (&[(0, 1, f64::NAN)], "finite"),
            (&[(0, 1, 0.0), (2, 3, 1.0), (4, 4, 2.0)], "at most 2"),
        ];
        let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        for (merges, expected) in cases {
            let path = temp_svg("dg-bad");
            let error =
                write_disconnectivity_svg(&path, "t", &energy, &labels, merges).unwrap_err();
            assert!(error.to_string().contains(expected), "{merges:?}: {error}");
        }
    }

    #[test]
    fn disconnectivity_rejects_bad_minima() {
        let path = temp_svg("dg-minima");
        let empty = write_disconnectivity_svg(&path, "t", &[], &[], &[]);
        let mismatch = write_disconnectivity_svg(&path, "t", &[0.0, 1.0], &["a".into()], &[]);
        let infinite = write_disconnectivity_svg(&path, "t", &[f64::INFINITY], &["a".into()], &[]);

        assert!(
            empty
                .unwrap_err()
                .to_string()
                .contains("minima_energy is empty")
        );
        assert!(
            mismatch
                .unwrap_err()
                .to_string()
                .contains("minima_labels has 1")
        );
        assert!(
            infinite
                .unwrap_err()
                .to_string()
                .contains("minima_energy[0]")
        );
    }

    #[test]
    fn scatter_writes_svg_and_skips_nan() {
        let path = temp_svg("scatter");
        let points = [(0.1, 0.2), (0.5, -0.3), (f64::NAN, 1.0), (0.9, 0.8)];
        write_scatter_svg(&path, "J versus SC", "SC", "J_ij", &points).unwrap();

        let svg = take_svg(&path);
        assert!(svg.contains("J versus SC"));
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    #[test]
    fn scatter_rejects_empty_points() {
        let path = temp_svg("scatter-empty");
        let empty = write_scatter_svg(&path, "t", "x", "y", &[]);
        let all_nan = write_scatter_svg(&path, "t", "x", "y", &[(f64::NAN, 0.0)]);

        assert!(empty.unwrap_err().to_string().contains("points is empty"));
        assert!(all_nan.unwrap_err().to_string().contains("non-finite"));
    }

    #[test]
    fn bar_writes_svg_with_title() {
        let path = temp_svg("bar");
        let subjects: Vec<String> = ["s01", "s02", "s03"].map(String::from).to_vec();
        let bars = [
            series("pairwise", &[0.9, 0.8, -0.1]),
            series("independent", &[0.4, f64::NAN, 0.2]),
        ];
        write_bar_svg(&path, "Accuracy per subject", "r", &subjects, &bars).unwrap();

        let svg = take_svg(&path);
        assert!(svg.contains("Accuracy per subject"));
        assert!(svg.contains("s02"));
        assert!(svg.contains("independent"));
    }

    #[test]
    fn bar_rejects_length_mismatch() {
        let path = temp_svg("bar-mismatch");
        let subjects: Vec<String> = ["s01", "s02"].map(String::from).to_vec();
        let error = write_bar_svg(&path, "t", "r", &subjects, &[series("a", &[1.0])]).unwrap_err();

        assert!(
            error.to_string().contains("categories has 2 entries"),
            "{error}"
        );
    }

    #[test]
    fn scatter_reports_unwritable_path() {
        let path = std::env::temp_dir()
            .join("ncm-figures-missing-dir")
            .join("scatter.svg");
        let error = write_scatter_svg(&path, "t", "x", "y", &[(0.0, 1.0)]).unwrap_err();

        assert!(
            error.to_string().contains("failed to write scatter plot"),
            "{error}"
        );
    }

    fn line(label: &str, points: &[(f64, f64)]) -> LineSeries {
        LineSeries {
            label: label.to_owned(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn line_writes_series_and_markers() {
        let path = temp_svg("line");
        let curves = [
            line(
                "N = 100",
                &[(0.05, 1.0), (0.1, 0.98), (f64::NAN, 0.5), (0.2, 0.3)],
            ),
            line("N = 200", &[(0.05, 1.0), (0.1, 0.99), (0.2, 0.2)]),
        ];
        let markers = [
            ("alpha_c = 0.138".to_owned(), 0.138),
            ("far marker".to_owned(), 0.5),
        ];
        write_line_svg(
            &path,
            "Overlap & load",
            "alpha",
            "overlap m",
            &curves,
            &markers,
        )
        .unwrap();

        let svg = take_svg(&path);
        assert!(svg.contains("Overlap &amp; load"));
        assert!(svg.contains("N = 200"));
        assert!(svg.contains("alpha_c = 0.138"));
        // The x range grows to hold the marker at 0.5, so its label is drawn in full.
        assert!(svg.contains("far marker"));
        // 3 + 3 data markers and one circle in each legend swatch.
        assert_eq!(svg.matches("<circle").count(), 8);
    }

    #[test]
    fn line_rejects_bad_input() {
        let path = temp_svg("line-bad");
        let no_series = write_line_svg(&path, "t", "x", "y", &[], &[]);
        let all_nan = write_line_svg(&path, "t", "x", "y", &[line("a", &[(f64::NAN, 1.0)])], &[]);
        let bad_marker = write_line_svg(
            &path,
            "t",
            "x",
            "y",
            &[line("a", &[(0.0, 1.0)])],
            &[("theory".to_owned(), f64::INFINITY)],
        );

        assert!(
            no_series
                .unwrap_err()
                .to_string()
                .contains("series is empty")
        );
        assert!(all_nan.unwrap_err().to_string().contains("nothing to plot"));
        assert!(bad_marker.unwrap_err().to_string().contains("markers[0]"));
        assert!(!path.exists());
    }

    #[test]
    fn format_tick_trims_zeros() {
        assert_eq!(format_tick(35.0, 45.0), "35");
        assert_eq!(format_tick(0.25, 0.4), "0.25");
        assert_eq!(format_tick(-0.0, 0.4), "0");
        assert_eq!(format_tick(0.1 + 0.2, 1.0), "0.3");
        assert_eq!(format_tick(2.0e-7, 1.0e-6), "0.0000002");
    }

    #[test]
    fn padded_range_covers_zero_and_single_values() {
        let with_zero = padded_range([2.0, 4.0].into_iter(), true).unwrap();
        assert_eq!(with_zero.start, 0.0);
        assert!((with_zero.end - 4.24).abs() < 1e-12, "{with_zero:?}");
        assert_eq!(padded_range([3.0].into_iter(), false), Some(2.5..3.5));
        assert_eq!(padded_range([f64::NAN].into_iter(), false), None);
    }
}

// ---------------------------------------------------------------------------
// Grouped scatter plots
// ---------------------------------------------------------------------------

/// One coloured group of a grouped scatter plot.
pub struct ScatterGroup {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Draws a scatter plot with one colour per group and a legend under the plot (e.g. samples of
/// a trained model over the true samples). `range` fixes both axes when given, so several
/// panels share one scale; points outside it are clipped. Non-finite points are skipped.
pub fn write_group_scatter_svg(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    groups: &[ScatterGroup],
    range: Option<(Range<f64>, Range<f64>)>,
) -> Result<()> {
    ensure!(
        !groups.is_empty(),
        "groups is empty, but a scatter plot needs at least one group"
    );
    let finite = || {
        groups
            .iter()
            .flat_map(|g| &g.points)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    ensure!(
        finite().next().is_some(),
        "no group has a point with finite coordinates, so there is nothing to plot"
    );
    let (x, y) = match range {
        Some(range) => range,
        None => (
            padded_range(finite().map(|p| p.0), false).context("no finite x")?,
            padded_range(finite().map(|p| p.1), false).context("no finite y")?,
        ),
    };
    let axes = Axes {
        title,
        x_desc: Some(x_label),
        y_desc: y_label,
        x,
        y,
        x_label_area: 56,
    };
    render_group_scatter(path, &axes, groups)
        .with_context(|| format!("failed to write scatter plot {}", path.display()))
}

fn render_group_scatter(path: &Path, axes: &Axes, groups: &[ScatterGroup]) -> Result<()> {
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let legend = LegendLayout::new(&labels, WIDTH);
    let root = SVGBackend::new(path, (WIDTH, PLOT_HEIGHT + legend.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (upper, _) = root.split_vertically(PLOT_HEIGHT);
    let mut chart = build_chart(&upper, axes)?;

    for (index, group) in groups.iter().enumerate() {
        let style = PALETTE[index % PALETTE.len()].mix(0.5).filled();
        let inside = group
            .points
            .iter()
            .copied()
            .filter(|(x, y)| axes.x.contains(x) && axes.y.contains(y));
        chart.draw_series(inside.map(|point| Circle::new(point, 2, style)))?;
    }
    legend.draw(&root, PLOT_HEIGHT, &labels, LegendSwatch::Square)?;

    drop(chart);
    root.present()?;
    Ok(())
}
