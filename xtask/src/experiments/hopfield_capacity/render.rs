//! Figures and the HTML section of the Hopfield capacity experiment.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use super::basins::{BasinCurve, MODERN_TOLERANCE};
use super::dense_scaling::DenseResults;
use super::digits::DigitsResult;
use super::sweep::{ErrorFreeCapacity, RuleSweep};
use super::{Config, HEBB_CRITICAL_LOAD, RULES, rule_name};
use crate::backend::Backend;
use crate::figures::{LineSeries, ProfileSeries, write_bar_svg, write_line_svg};
use crate::report::{cell, escape, table};

/// Everything the experiment measured.
pub(super) struct Results {
    pub sweeps: Vec<RuleSweep>,
    pub error_free: Vec<ErrorFreeCapacity>,
    pub dense: DenseResults,
    pub basins: Vec<BasinCurve>,
    pub digits: DigitsResult,
}

/// File name of the overlap figure of a rule.
fn overlap_file(rule: &str) -> String {
    format!("overlap_{}.svg", rule.to_lowercase())
}

fn basin_label(curve: &BasinCurve) -> String {
    match curve.beta {
        Some(beta) => format!("modern, beta = {beta:.3}, alpha = {}", curve.load),
        None => format!("{}, alpha = {}", curve.model, curve.load),
    }
}

/// Writes every SVG figure into `out_dir`.
pub(super) fn write_figures(out_dir: &Path, config: &Config, results: &Results) -> Result<()> {
    let critical = vec![(
        format!("Hebb alpha_c = {HEBB_CRITICAL_LOAD} (Amit et al. 1987)"),
        HEBB_CRITICAL_LOAD,
    )];
    for rule in RULES.map(rule_name) {
        let series: Vec<LineSeries> = results
            .sweeps
            .iter()
            .filter(|sweep| sweep.rule == rule)
            .map(|sweep| LineSeries {
                label: format!("N = {}", sweep.size),
                points: sweep
                    .points
                    .iter()
                    .map(|p| (p.load, p.mean_overlap))
                    .collect(),
            })
            .collect();
        write_line_svg(
            &out_dir.join(overlap_file(rule)),
            &format!(
                "{rule} rule: final overlap after {} synchronous steps from each stored pattern",
                config.steps
            ),
            "load alpha = P / N",
            "mean final overlap m",
            &series,
            &critical,
        )?;
    }

    write_error_free_figure(out_dir, &results.error_free)?;
    write_dense_figure(out_dir, &results.dense)?;

    let basins: Vec<LineSeries> = results
        .basins
        .iter()
        .map(|curve| LineSeries {
            label: basin_label(curve),
            points: curve
                .points
                .iter()
                .map(|p| (p.flip_fraction, p.retrieved_fraction))
                .collect(),
        })
        .collect();
    write_line_svg(
        &out_dir.join("basins.svg"),
        &format!(
            "Retrieval (final overlap > {}) against flipped bits, N = {}",
            config.retrieval_overlap, config.basin_size
        ),
        "fraction of flipped bits in the cue",
        "fraction of cues retrieved",
        &basins,
        &[],
    )?;

    write_digits_figure(out_dir, &results.digits)
}

fn write_error_free_figure(out_dir: &Path, error_free: &[ErrorFreeCapacity]) -> Result<()> {
    let measured = |rule: &str| LineSeries {
        label: format!("{rule}, measured (mean over repeats)"),
        points: error_free
            .iter()
            .filter(|c| c.rule == rule)
            .map(|c| (c.size as f64, c.mean_patterns))
            .collect(),
    };
    let hebb: Vec<&ErrorFreeCapacity> = error_free.iter().filter(|c| c.rule == "Hebb").collect();
    let theory = |label: &str, value: fn(&ErrorFreeCapacity) -> f64| LineSeries {
        label: label.to_owned(),
        points: hebb.iter().map(|c| (c.size as f64, value(c))).collect(),
    };
    let series = vec![
        measured("Hebb"),
        measured("Storkey"),
        theory(
            "N / (4 ln N): Hebb, all patterns (McEliece et al. 1987)",
            |c| c.theory_all_patterns,
        ),
        theory(
            "N / (2 ln N): Hebb, one pattern (McEliece et al. 1987)",
            |c| c.theory_single_pattern,
        ),
        theory("N / sqrt(2 ln N): Storkey 1997", |c| c.theory_storkey),
    ];
    write_line_svg(
        &out_dir.join("error_free.svg"),
        "Largest P with every stored pattern a fixed point",
        "network size N",
        "patterns P",
        &series,
        &[],
    )
}

fn write_dense_figure(out_dir: &Path, dense: &DenseResults) -> Result<()> {
    let series: Vec<LineSeries> = dense
        .fits
        .iter()
        .map(|fit| LineSeries {
            label: format!(
                "n = {}: slope {}, predicted {}",
                fit.degree,
                cell(fit.slope, 2),
                fit.predicted_slope
            ),
            points: dense
                .capacities
                .iter()
                .filter(|c| c.degree == fit.degree && c.mean_patterns > 0.0)
                .map(|c| ((c.size as f64).log10(), c.mean_patterns.log10()))
                .collect(),
        })
        .collect();
    write_line_svg(
        &out_dir.join("dense_scaling.svg"),
        "Dense memory F(x) = x^n: largest P with all patterns fixed points (log-log)",
        "log10 N",
        "log10 P_max (mean over repeats)",
        &series,
        &[],
    )
}

fn write_digits_figure(out_dir: &Path, digits: &DigitsResult) -> Result<()> {
    let methods: Vec<String> = digits.methods.iter().map(|m| m.name.clone()).collect();
    let mut series = Vec::new();
    for (index, score) in digits.methods[0].scores.iter().enumerate() {
        let percent = 100.0 * score.flip_fraction;
        series.push(ProfileSeries {
            label: format!("exact recall, {percent:.0} % flipped"),
            values: digits
                .methods
                .iter()
                .map(|m| m.scores[index].exact_fraction)
                .collect(),
        });
        series.push(ProfileSeries {
            label: format!("nearest the right digit, {percent:.0} % flipped"),
            values: digits
                .methods
                .iter()
                .map(|m| m.scores[index].nearest_fraction)
                .collect(),
        });
    }
    write_bar_svg(
        &out_dir.join("digits.svg"),
        "Ten digit images (one per class) recalled from corrupted cues",
        "fraction of cues",
        &methods,
        &series,
    )
}

/// Renders the HTML section.
pub(super) fn html(config: &Config, backend: Backend, results: &Results) -> String {
    let mut html = intro(config, backend);
    html.push_str(&key_numbers(results));
    html.push_str(&pseudo_inverse_summary(config, results));
    for rule in RULES.map(rule_name) {
        let _ = writeln!(html, "<h3>{} rule</h3>", escape(rule));
        html.push_str(&sweep_table(results, rule));
        let _ = writeln!(
            html,
            "<img src=\"hopfield-capacity/{}\" alt=\"overlap against load, {rule} rule\">",
            overlap_file(rule)
        );
    }
    html.push_str(
        "<img src=\"hopfield-capacity/error_free.svg\" alt=\"error-free capacity against N\">\n",
    );
    html.push_str(&dense_section(config, &results.dense));
    html.push_str(&basin_section(config, &results.basins));
    html.push_str(&digits_section(config, &results.digits));
    html
}

fn intro(config: &Config, backend: Backend) -> String {
    format!(
        "<p>Binary Hopfield networks (Hopfield 1982) store P random, unbiased ±1 patterns of N \
         units with the Hebb, Storkey 1997 or zero-diagonal pseudo-inverse rule, all with zero \
         thresholds. Each stored pattern is the initial state; {steps} synchronous steps \
         s ← sign(W s) run as batched tensor operations on the <code>{backend:?}</code> backend \
         (f32), a unit with a field of exactly 0 keeps its state, and the state after the last \
         step is scored: m is its overlap (1/N) Σ ξ<sub>i</sub> s<sub>i</sub> with the stored \
         pattern, the bit error rate is (1 − m)/2, and a pattern counts as recalled without \
         error when the final state equals it. Synchronous dynamics can end in a 2-cycle, and \
         the state after step {steps} is scored either way. Every load stores round(αN) \
         patterns, and every number is pooled over {repeats} independent pattern sets per size \
         (seeds derived from {seed}).</p>\n\
         <p>Theory: with the Hebb rule, retrieval states exist up to the critical load \
         α<sub>c</sub> ≈ {HEBB_CRITICAL_LOAD}, where m drops from about 0.97 (1.5 % of bits \
         wrong) to near 0 (Amit, Gutfreund and Sompolinsky 1987, Ann. Phys. 173:30-67); finite \
         N and {steps} steps smooth this drop. A given pattern is a fixed point with high \
         probability for P up to N/(2 ln N), and all patterns are at once for P up to \
         N/(4 ln N) (McEliece, Posner, Rodemich and Venkatesh 1987, IEEE Trans. Inf. Theory \
         33:461-482). Storkey 1997 (ICANN) reports an absolute capacity of N/√(2 ln N) for \
         its rule. The full pseudo-inverse projection keeps any P ≤ N linearly independent \
         patterns as fixed points (Personnaz, Guyon and Dreyfus 1985, J. Physique Lett. \
         46:L359); with its diagonal set to 0, as here, pattern μ stays a fixed point only \
         while every w<sub>ii</sub> &lt; 1, and the diagonal averages P/N.</p>\n\
         <p>The error-free capacity is the largest P for which one synchronous step from every \
         stored pattern changes no unit, searched by doubling P and then bisection over the \
         first P patterns of one random sequence per repeat, up to P = {max_load} N. It \
         assumes that a failing P stays failing when patterns are added, which holds in the \
         typical case but is not guaranteed.</p>\n",
        steps = config.steps,
        repeats = config.repeats,
        seed = config.seed,
        max_load = config.error_free_max_load,
    )
}

fn key_numbers(results: &Results) -> String {
    let header: Vec<String> = [
        "N",
        "Hebb: α where m < 0.97",
        "Hebb: α where m < 0.5",
        "theory α_c",
        "Hebb error-free P (per repeat)",
        "N/(4 ln N)",
        "N/(2 ln N)",
        "Storkey error-free P (per repeat)",
        "N/√(2 ln N)",
    ]
    .map(String::from)
    .to_vec();
    let hebb_sweeps = results.sweeps.iter().filter(|s| s.rule == "Hebb");
    let rows: Vec<Vec<String>> = hebb_sweeps
        .map(|sweep| {
            let capacity = |rule: &str| {
                results
                    .error_free
                    .iter()
                    .find(|c| c.rule == rule && c.size == sweep.size)
            };
            let hebb = capacity("Hebb");
            let storkey = capacity("Storkey");
            vec![
                sweep.size.to_string(),
                cell(sweep.critical_overlap_load, 3),
                cell(sweep.half_overlap_load, 3),
                HEBB_CRITICAL_LOAD.to_string(),
                hebb.map_or_else(|| "–".to_owned(), error_free_cell),
                cell(hebb.map(|c| c.theory_all_patterns), 1),
                cell(hebb.map(|c| c.theory_single_pattern), 1),
                storkey.map_or_else(|| "–".to_owned(), error_free_cell),
                cell(storkey.map(|c| c.theory_storkey), 1),
            ]
        })
        .collect();
    let mut html = String::from(
        "<h3>Measured capacity against theory</h3>\n<p>The loads where the mean final \
         overlap of the Hebb sweep first falls below 0.97 (the overlap of the retrieval state \
         at α<sub>c</sub>) and below 0.5 are interpolated linearly between grid loads. \
         Error-free P is the mean over repeats, with each repeat's value in brackets.</p>\n",
    );
    html.push_str(&table(&header, &rows));
    html
}

fn error_free_cell(capacity: &ErrorFreeCapacity) -> String {
    let values: Vec<String> = capacity.per_repeat.iter().map(|p| p.to_string()).collect();
    let bound = if capacity.per_repeat.contains(&capacity.upper) {
        " (search bound reached)"
    } else {
        ""
    };
    format!(
        "{:.1} ({}){bound}",
        capacity.mean_patterns,
        values.join(", ")
    )
}

/// Summarises what the pseudo-inverse sweep shows: the largest load with every pattern
/// recalled and the load where m falls below 0.5, per size.
fn pseudo_inverse_summary(config: &Config, results: &Results) -> String {
    let mut parts = Vec::new();
    for sweep in results.sweeps.iter().filter(|s| s.rule == "pseudo-inverse") {
        let all_recalled = sweep
            .points
            .iter()
            .take_while(|p| p.exact_fraction == 1.0)
            .last()
            .map(|p| p.load);
        parts.push(format!(
            "N = {}: every pattern recalled up to α = {}, m below 0.5 from α ≈ {}",
            sweep.size,
            cell(all_recalled, 2),
            cell(sweep.half_overlap_load, 2)
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    let rounded =
        |loads: &[f64]| -> Vec<f64> { loads.iter().map(|l| (l * 100.0).round() / 100.0).collect() };
    let mut left_out = Vec::new();
    for sweep in results.sweeps.iter().filter(|s| s.rule == "pseudo-inverse") {
        let dropped = &config.pseudo_inverse_loads[sweep.points.len()..];
        if !dropped.is_empty() {
            left_out.push(format!("{:?} at N = {}", rounded(dropped), sweep.size));
        }
    }
    let left_out = if left_out.is_empty() {
        String::new()
    } else {
        format!(
            " Loads that give P ≥ N are left out: {}.",
            escape(&left_out.join(", "))
        )
    };
    format!(
        "<p>Pseudo-inverse rule with zero diagonal, measured on the loads {:?}: {}.{left_out} \
         A dash means no grid load qualifies. Starting at a stored pattern tests only whether \
         it is a fixed point: the field on unit i is then (1 − w<sub>ii</sub>) ξ<sub>i</sub>, \
         and w<sub>ii</sub> stays near P/N &lt; 1. The basin measurement below probes the \
         attraction around the patterns instead.</p>\n",
        rounded(&config.pseudo_inverse_loads),
        escape(&parts.join("; "))
    )
}

fn sweep_table(results: &Results, rule: &str) -> String {
    let sweeps: Vec<&RuleSweep> = results.sweeps.iter().filter(|s| s.rule == rule).collect();
    // Pseudo-inverse sweeps of small N leave out the largest loads, so the longest sweep
    // gives the rows and shorter ones show a dash there.
    let Some(first) = sweeps.iter().max_by_key(|s| s.points.len()) else {
        return String::new();
    };
    let mut header = vec!["α = P/N".to_owned()];
    for sweep in &sweeps {
        header.push(format!("m, N = {}", sweep.size));
        header.push(format!("bit errors %, N = {}", sweep.size));
        header.push(format!("recalled exactly, N = {}", sweep.size));
    }
    let rows: Vec<Vec<String>> = (0..first.points.len())
        .map(|index| {
            let mut row = vec![format!("{:.2}", first.points[index].load)];
            for sweep in &sweeps {
                let point = sweep.points.get(index);
                row.push(cell(point.map(|p| p.mean_overlap), 3));
                row.push(cell(point.map(|p| 100.0 * p.bit_error_rate), 2));
                row.push(cell(point.map(|p| p.exact_fraction), 2));
            }
            row
        })
        .collect();
    table(&header, &rows)
}

fn dense_section(config: &Config, dense: &DenseResults) -> String {
    let mut html = format!(
        "<h3>Dense associative memory</h3>\n<p>Krotov and Hopfield 2016 (NeurIPS): \
         E(s) = −Σ<sub>μ</sub> F(ξ<sub>μ</sub> · s) with F(x) = x<sup>n</sup>, for which the \
         number of storable patterns grows as N<sup>n−1</sup>. P<sub>max</sub> is the largest \
         P for which one synchronous update (f64, on the CPU) from every stored pattern \
         changes no unit, searched by doubling and bisection up to {max} patterns for each of \
         {repeats} random pattern sequences. The slope is a least-squares fit of \
         log10 P<sub>max</sub> (mean over repeats) against log10 N; the figure plots those \
         log10 values. An error-free criterion carries a factor 1/ln N (for n = 2 these are \
         N/(2 ln N) and N/(4 ln N) above), which lowers the slope by about 1/ln N ≈ {correction:.2} at these sizes; \
         the last column fits log10 (P<sub>max</sub> ln N) instead to remove it.</p>\n",
        max = config.dense_max_patterns,
        repeats = config.repeats,
        correction = mean_inverse_log(&config.dense_sizes),
    );
    let mut header = vec!["n".to_owned()];
    header.extend(config.dense_sizes.iter().map(|n| format!("P_max, N = {n}")));
    header.extend(["fitted slope", "predicted n − 1", "slope of P_max ln N"].map(String::from));
    let rows: Vec<Vec<String>> = dense
        .fits
        .iter()
        .map(|fit| {
            let mut row = vec![fit.degree.to_string()];
            for capacity in dense.capacities.iter().filter(|c| c.degree == fit.degree) {
                let bound = if capacity.capped {
                    " (lower bound)"
                } else {
                    ""
                };
                row.push(format!(
                    "{:.1} ± {:.1}{bound}",
                    capacity.mean_patterns, capacity.sd_patterns
                ));
            }
            row.push(cell(fit.slope, 2));
            row.push(fit.predicted_slope.to_string());
            row.push(cell(fit.log_corrected_slope, 2));
            row
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html.push_str("<p>Entries are mean ± sample standard deviation over repeats.</p>\n");
    html.push_str("<img src=\"hopfield-capacity/dense_scaling.svg\" alt=\"dense memory capacity against N, log-log\">\n");
    html
}

/// Mean of 1 / ln N over `sizes`.
fn mean_inverse_log(sizes: &[usize]) -> f64 {
    sizes.iter().map(|&n| 1.0 / (n as f64).ln()).sum::<f64>() / sizes.len() as f64
}

fn basin_section(config: &Config, curves: &[BasinCurve]) -> String {
    let mut html = format!(
        "<h3>Basins of attraction</h3>\n<p>N = {size}; for each load, one set of random \
         patterns is stored in Hebb and pseudo-inverse networks and in modern continuous networks (Ramsauer et \
         al. 2021, ICLR, ξ ← X softmax(β X<sup>T</sup> ξ)) holding the same patterns as ±1 \
         vectors, with β = c/√N for c in {scales:?}. Each cue flips exactly round(fN) bits of \
         a stored pattern, chosen at random, {copies} cues per pattern and fraction f. The \
         binary networks run {steps} synchronous steps; the modern network iterates until no \
         component moves by more than {MODERN_TOLERANCE:e} or {steps} updates have run, and \
         its final state is read by its sign. A cue counts as retrieved when the final \
         overlap with its pattern exceeds {threshold}. With f = 0.5 a cue carries no \
         information about its pattern.</p>\n",
        size = config.basin_size,
        scales = config.modern_beta_scales,
        copies = config.basin_cues_per_pattern,
        steps = config.steps,
        threshold = config.retrieval_overlap,
    );
    let mut header = vec!["flipped fraction".to_owned()];
    header.extend(curves.iter().map(basin_label));
    let rows: Vec<Vec<String>> = config
        .basin_flip_fractions
        .iter()
        .enumerate()
        .map(|(index, fraction)| {
            let mut row = vec![format!("{fraction:.2}")];
            row.extend(
                curves
                    .iter()
                    .map(|c| cell(Some(c.points[index].retrieved_fraction), 3)),
            );
            row
        })
        .collect();
    html.push_str(&table(&header, &rows));
    html.push_str("<p>Entries are the fraction of cues retrieved.</p>\n");
    html.push_str(
        "<img src=\"hopfield-capacity/basins.svg\" alt=\"retrieval against flipped bits\">\n",
    );
    html
}

fn digits_section(config: &Config, digits: &DigitsResult) -> String {
    let indices: Vec<String> = digits.image_indices.iter().map(|i| i.to_string()).collect();
    let mut html = format!(
        "<h3>Handwritten digits</h3>\n<p>The first image of each digit 0 to 9 in the \
         scikit-learn digits (rows {indices} of the 1797 images of 8 × 8 pixels) is binarised \
         to +1 where the pixel value exceeds {threshold} (of 16) and −1 elsewhere, giving 10 \
         patterns of 64 units. They are strongly correlated: the mean overlap between two \
         distinct patterns is {mean:.3} and the largest {max:.3}, where random patterns would \
         give about 0 ± 0.125. Each pattern gets {copies} cues per flip fraction. Hebb and \
         pseudo-inverse networks run {steps} synchronous steps; the modern networks use \
         β = c/√64 for c in {scales:?} and the stopping rule above. Exact: the final state \
         (its sign for the modern network) equals the stored image. Nearest: its overlap with \
         the right image is strictly larger than with any other stored image. \"Stored \
         recalled\" counts the images that the dynamics keep exactly when started at them.</p>\n",
        indices = indices.join(", "),
        threshold = config.digit_threshold,
        mean = digits.mean_pair_overlap,
        max = digits.max_pair_overlap,
        copies = config.digit_cues_per_pattern,
        steps = config.steps,
        scales = config.modern_beta_scales,
    );
    let mut header = vec!["method".to_owned(), "stored recalled (of 10)".to_owned()];
    for fraction in &config.digit_flip_fractions {
        let percent = 100.0 * fraction;
        header.push(format!("exact, {percent:.0} % flipped"));
        header.push(format!("nearest, {percent:.0} % flipped"));
        header.push(format!("mean m, {percent:.0} % flipped"));
    }
    let rows: Vec<Vec<String>> = digits
        .methods
        .iter()
        .map(|method| {
            let mut row = vec![
                method.name.clone(),
                method
                    .stored_recalled
                    .map_or("–".to_owned(), |n| n.to_string()),
            ];
            for score in &method.scores {
                row.push(cell(Some(score.exact_fraction), 3));
                row.push(cell(Some(score.nearest_fraction), 3));
                row.push(cell(Some(score.mean_overlap), 3));
            }
            row
        })
        .collect();
    html.push_str(&table(&header, &rows));
    let _ = writeln!(
        html,
        "<p>Each fraction is over {} cues.</p>\n<img src=\"hopfield-capacity/digits.svg\" alt=\"digit retrieval per method\">",
        digits.cues_per_fraction
    );
    html
}
