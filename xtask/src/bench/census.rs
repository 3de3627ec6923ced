//! Benchmark of the motif censuses and null-model sampling against python-igraph.
//!
//! The graphs are Erdős–Rényi G(n, m) digraphs drawn by [`ncm_motifs::erdos_renyi`] (seeded),
//! written as an edge list and read by igraph with `Graph.Read_Edgelist`. Four workloads run:
//! - the triad census of the full-size graph (n = 10^5 nodes, m = 5 x 10^6 arcs): ncm's
//!   [`triad_census`] against igraph's `Graph.triad_census()`;
//! - the 4-node census on a ladder of sparser graphs with the same n ([`CENSUS4_ARC_COUNTS`]):
//!   ncm's [`census4`] against igraph's `Graph.motifs_randesu(size=4)`. The number of
//!   connected 4-node sets grows like n·d³ for mean undirected degree d. igraph therefore runs
//!   only while its time, predicted from the previous size, stays within [`IGRAPH_BUDGET_S`].
//!   Above that the prediction (its measured time per connected 4-set times the count) is
//!   printed instead;
//! - null-model sampling at full size: one sample is a degree-preserving randomisation with
//!   10 switches per arc followed by a triad census. ncm runs [`triad_significance`] with
//!   [`NULL_SAMPLES`] samples; igraph runs `copy()`, `rewire(n = 10 m)` and `triad_census()`;
//! - with `census-full`, ncm's 4-node census of the full-size graph, with igraph's time
//!   extrapolated in the same way.
//!
//! Timing is wall-clock time of single runs (these take seconds to minutes, too long for
//! criterion's ten samples), taken after the graph is in memory on both sides. ncm runs on
//! rayon's default pool (all cores) and on a one-thread pool; igraph runs on one core, as its
//! census and rewiring are single-threaded. Every count is checked for equality between ncm and
//! igraph, so both do the full work. Peak resident memory is read from the kernel (VmHWM of
//! this process; `ru_maxrss` of the Python process).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use ncm_motifs::{
    DiGraph, NullConfig, NullModel, census4, census4_class_of_arcs, erdos_renyi, triad_census,
    triad_significance,
};
use serde::{Deserialize, Serialize};
use tracing::info;

use super::python::{ensure_numpy_venv, ensure_package, run_script};
use super::target_dir;

/// Nodes of every benchmark graph.
const NODE_COUNT: usize = 100_000;
/// Arcs of the full-size graph.
const FULL_ARC_COUNT: usize = 5_000_000;
/// Arc counts of the 4-node census ladder, all on [`NODE_COUNT`] nodes.
pub const CENSUS4_ARC_COUNTS: [usize; 4] = [200_000, 500_000, 1_000_000, 2_000_000];
/// igraph skips the rest of the 4-node ladder once one size takes longer than this.
pub const IGRAPH_BUDGET_S: f64 = 300.0;
/// Null samples timed on the ncm side (one batch per core on 2 cores).
///
/// NOTE: one full-size sample took 34 s on 2 cores, so the 1000 samples of a real analysis
/// (about 9.5 hours) are extrapolated from these, not run.
pub const NULL_SAMPLES: usize = 2;
/// Accepted switches per arc for ncm, trials per arc for igraph's `rewire`. At a density of
/// 5 x 10^-4 almost every trial is accepted, so the two do the same number of switches.
const SWITCHES_PER_ARC: f64 = 10.0;
const SEED: u64 = 2002;
/// igraph version installed into the benchmark's virtual environment.
pub const IGRAPH_VERSION: &str = "1.0.0";

/// Reference script, run by the virtual environment's python with the path of a JSON
/// [`IgraphTask`]; it prints one JSON [`IgraphReport`].
const IGRAPH_SCRIPT: &str = r#""""Motif census and rewiring timings with python-igraph.

Written and run by `cargo xtask bench census`.
"""

import json
import math
import resource
import sys
import time

import igraph


def load(path, node_count):
    graph = igraph.Graph.Read_Edgelist(path, directed=True)
    if graph.vcount() < node_count:
        graph.add_vertices(node_count - graph.vcount())
    return graph


def main():
    with open(sys.argv[1]) as file:
        task = json.load(file)
    graph = load(task["edges_path"], task["node_count"])
    kind = task["kind"]
    counts, classes = [], []
    start = time.perf_counter()
    if kind == "triad":
        counts = [int(c) for c in tuple(graph.triad_census())]
    elif kind == "motifs4":
        raw = graph.motifs_randesu(size=4)
        for isoclass, count in enumerate(raw):
            if not (isinstance(count, float) and math.isnan(count)):
                arcs = igraph.Graph.Isoclass(4, isoclass, directed=True).get_edgelist()
                classes.append(arcs)
                counts.append(int(count))
    elif kind == "null":
        for _ in range(task["samples"]):
            sample = graph.copy()
            sample.rewire(n=task["rewire_trials"])
            counts = [int(c) for c in tuple(sample.triad_census())]
    seconds = time.perf_counter() - start
    print(json.dumps({
        "igraph_version": igraph.__version__,
        "seconds": seconds,
        "counts": counts,
        "classes": classes,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
"#;

/// Input of [`IGRAPH_SCRIPT`].
#[derive(Serialize)]
struct IgraphTask<'a> {
    kind: &'a str,
    edges_path: &'a Path,
    node_count: usize,
    samples: usize,
    rewire_trials: u64,
}

/// Output of [`IGRAPH_SCRIPT`].
#[derive(Debug, Deserialize)]
struct IgraphReport {
    igraph_version: String,
    seconds: f64,
    counts: Vec<u64>,
    /// Arcs of each isoclass whose count is in `counts` (4-node census only).
    classes: Vec<Vec<(usize, usize)>>,
    peak_rss_mib: f64,
}

/// One row of the printed table.
struct Row {
    workload: String,
    ncm_s: f64,
    ncm_one_thread_s: Option<f64>,
    igraph_s: Option<f64>,
    /// Whether `igraph_s` is an extrapolation instead of a measurement.
    igraph_extrapolated: bool,
    note: String,
}

/// Runs the census benchmark; `full_census4` adds ncm's 4-node census of the full graph.
pub fn run(full_census4: bool) -> Result<()> {
    let work_dir = target_dir().join("bench").join("census");
    fs::create_dir_all(&work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;
    let python = ensure_numpy_venv(&target_dir().join("bench-venv"))?;
    ensure_package(&python, "igraph", "igraph", IGRAPH_VERSION)?;
    let script_path = work_dir.join("census_igraph.py");
    fs::write(&script_path, IGRAPH_SCRIPT)
        .with_context(|| format!("cannot write {}", script_path.display()))?;
    let igraph = Igraph {
        python,
        script_path,
        work_dir: work_dir.clone(),
    };

    let mut rows = Vec::new();
    let full = draw_graph(FULL_ARC_COUNT)?;
    let full_path = write_edge_list(&work_dir, &full)?;

    rows.push(bench_triads(&igraph, &full, &full_path)?);
    let (ladder, igraph_s_per_set) = bench_census4_ladder(&igraph)?;
    rows.extend(ladder);
    rows.push(bench_null(&igraph, &full, &full_path)?);
    if full_census4 {
        rows.push(bench_full_census4(&full, igraph_s_per_set)?);
    }

    print_table(&rows);
    println!(
        "Peak resident memory of the xtask process (all ncm runs, graphs and edge lists): \
         {:.0} MiB.",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// The igraph script with its interpreter and work folder.
struct Igraph {
    python: PathBuf,
    script_path: PathBuf,
    work_dir: PathBuf,
}

impl Igraph {
    fn run(
        &self,
        kind: &str,
        edges_path: &Path,
        samples: usize,
        rewire_trials: u64,
    ) -> Result<IgraphReport> {
        let task = IgraphTask {
            kind,
            edges_path,
            node_count: NODE_COUNT,
            samples,
            rewire_trials,
        };
        let task_path = self.work_dir.join("task.json");
        fs::write(&task_path, serde_json::to_vec_pretty(&task)?)
            .with_context(|| format!("cannot write {}", task_path.display()))?;
        info!(kind, edges = %edges_path.display(), "timing igraph");
        let stdout = run_script(&self.python, &self.script_path, &[&task_path], &[])?;
        serde_json::from_str(stdout.trim())
            .with_context(|| format!("invalid report from the igraph script: {stdout}"))
    }
}

fn draw_graph(arc_count: usize) -> Result<DiGraph> {
    let graph = erdos_renyi(NODE_COUNT, arc_count, SEED)?;
    info!(
        nodes = NODE_COUNT,
        arcs = arc_count,
        "drew an Erdős–Rényi benchmark graph"
    );
    Ok(graph)
}

/// Writes `source target` lines for igraph's `Read_Edgelist`.
fn write_edge_list(work_dir: &Path, graph: &DiGraph) -> Result<PathBuf> {
    let path = work_dir.join(format!(
        "er_{}_{}.txt",
        graph.node_count(),
        graph.edge_count()
    ));
    let file =
        fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = BufWriter::new(file);
    for (source, target) in graph.edges() {
        writeln!(writer, "{source} {target}")?;
    }
    writer.flush()?;
    Ok(path)
}

/// Times `routine` on the default rayon pool and on a one-thread pool.
fn time_both<T>(routine: impl Fn() -> Result<T> + Send + Sync) -> Result<(T, f64, f64)>
where
    T: Send,
{
    let start = Instant::now();
    let output = routine()?;
    let all_cores_s = start.elapsed().as_secs_f64();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let start = Instant::now();
    pool.install(&routine)?;
    let one_thread_s = start.elapsed().as_secs_f64();
    Ok((output, all_cores_s, one_thread_s))
}

fn bench_triads(igraph: &Igraph, graph: &DiGraph, path: &Path) -> Result<Row> {
    info!("timing ncm's triad census");
    let (census, ncm_s, one_thread_s) = time_both(|| Ok(triad_census(graph)?))?;
    let reference = igraph.run("triad", path, 1, 0)?;
    ensure!(
        reference.counts == census.counts().to_vec(),
        "triad counts differ: ncm {:?}, igraph {:?}",
        census.counts(),
        reference.counts
    );
    Ok(Row {
        workload: format!("triad census, n = {NODE_COUNT}, m = {}", graph.edge_count()),
        ncm_s,
        ncm_one_thread_s: Some(one_thread_s),
        igraph_s: Some(reference.seconds),
        igraph_extrapolated: false,
        note: format!(
            "counts equal; igraph {} peak {:.0} MiB",
            reference.igraph_version, reference.peak_rss_mib
        ),
    })
}

/// Times the 4-node census on the ladder of sparser graphs. igraph runs while its time,
/// predicted from its rate per connected 4-set on the previous size, stays within
/// [`IGRAPH_BUDGET_S`]; above that the prediction is reported as an extrapolation. Returns the
/// rows and igraph's last measured time per connected 4-set.
fn bench_census4_ladder(igraph: &Igraph) -> Result<(Vec<Row>, Option<f64>)> {
    let mut rows = Vec::new();
    let mut igraph_s_per_set: Option<f64> = None;
    for arc_count in CENSUS4_ARC_COUNTS {
        let graph = draw_graph(arc_count)?;
        info!(arcs = arc_count, "timing ncm's 4-node census");
        let (census, ncm_s, one_thread_s) = time_both(|| Ok(census4(&graph)))?;
        let sets = census.total() as f64;
        let mut row = Row {
            workload: format!("4-node census, n = {NODE_COUNT}, m = {arc_count}"),
            ncm_s,
            ncm_one_thread_s: Some(one_thread_s),
            igraph_s: None,
            igraph_extrapolated: false,
            note: format!("{sets:.2e} connected 4-sets"),
        };
        let predicted_s = igraph_s_per_set.map(|rate| rate * sets);
        match predicted_s {
            Some(predicted) if predicted > IGRAPH_BUDGET_S => {
                row.igraph_s = Some(predicted);
                row.igraph_extrapolated = true;
                row.note.push_str(
                    "; igraph not run, its time extrapolated from the previous size per 4-set",
                );
            }
            _ => {
                let path = write_edge_list(&igraph.work_dir, &graph)?;
                let reference = igraph.run("motifs4", &path, 1, 0)?;
                fs::remove_file(&path).ok();
                check_census4(&reference, census.counts())?;
                row.igraph_s = Some(reference.seconds);
                row.note.push_str("; counts equal");
                igraph_s_per_set = Some(reference.seconds / sets.max(1.0));
            }
        }
        rows.push(row);
    }
    Ok((rows, igraph_s_per_set))
}

/// Checks igraph's per-isoclass counts against ncm's per-class counts.
fn check_census4(reference: &IgraphReport, counts: &[u64]) -> Result<()> {
    let mut expected: BTreeMap<usize, u64> = BTreeMap::new();
    for (arcs, &count) in reference.classes.iter().zip(&reference.counts) {
        let class = census4_class_of_arcs(arcs)?;
        *expected.entry(class).or_default() += count;
    }
    for (class, &count) in counts.iter().enumerate() {
        let igraph_count = expected.get(&class).copied().unwrap_or(0);
        ensure!(
            count == igraph_count,
            "4-node class {class}: ncm counts {count}, igraph {igraph_count}"
        );
    }
    Ok(())
}

fn bench_null(igraph: &Igraph, graph: &DiGraph, path: &Path) -> Result<Row> {
    let config = NullConfig {
        model: NullModel::DegreePreserving,
        samples: NULL_SAMPLES,
        switches_per_edge: SWITCHES_PER_ARC,
        seed: SEED,
    };
    info!(samples = NULL_SAMPLES, "timing ncm's null samples");
    let start = Instant::now();
    let result = triad_significance(graph, &config)?;
    let ncm_s = start.elapsed().as_secs_f64() / NULL_SAMPLES as f64;
    ensure!(
        result.switches.accepted == result.switches.target,
        "ncm stopped short: {:?}",
        result.switches
    );

    let trials = (SWITCHES_PER_ARC * graph.edge_count() as f64) as u64;
    let reference = igraph.run("null", path, 1, trials)?;
    let igraph_s = reference.seconds;
    Ok(Row {
        workload: format!(
            "one null sample (switching + triad census), m = {}",
            graph.edge_count()
        ),
        ncm_s,
        ncm_one_thread_s: None,
        igraph_s: Some(igraph_s),
        igraph_extrapolated: false,
        note: format!(
            "ncm: {NULL_SAMPLES} samples on all cores, per sample; 1000 samples extrapolated: ncm {:.1} h, igraph {:.1} h",
            ncm_s * 1000.0 / 3600.0,
            igraph_s * 1000.0 / 3600.0
        ),
    })
}

/// Times ncm's 4-node census of the full graph; igraph's time is extrapolated from its last
/// measured rate per connected 4-set.
fn bench_full_census4(graph: &DiGraph, igraph_s_per_set: Option<f64>) -> Result<Row> {
    info!("timing ncm's 4-node census of the full graph (minutes)");
    let start = Instant::now();
    let census = census4(graph);
    let sets = census.total() as f64;
    Ok(Row {
        workload: format!(
            "4-node census, n = {NODE_COUNT}, m = {}",
            graph.edge_count()
        ),
        ncm_s: start.elapsed().as_secs_f64(),
        ncm_one_thread_s: None,
        igraph_s: igraph_s_per_set.map(|rate| rate * sets),
        igraph_extrapolated: true,
        note: format!(
            "{sets:.2e} connected 4-sets; igraph not run, its time extrapolated per 4-set"
        ),
    })
}

fn print_table(rows: &[Row]) {
    let seconds = |value: Option<f64>| value.map_or("-".to_string(), |s| format!("{s:.2}"));
    println!();
    println!(
        "Motif census on Erdős–Rényi digraphs (seed {SEED}); wall-clock seconds of one run; \
         ~ marks igraph times extrapolated, not measured."
    );
    println!();
    println!("| workload | ncm (all cores) | ncm (1 thread) | igraph | igraph / ncm | note |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        // A leading ~ marks igraph figures extrapolated, not measured.
        let mark = if row.igraph_extrapolated { "~" } else { "" };
        let ratio = row.igraph_s.map_or("-".to_string(), |igraph_s| {
            format!("{mark}{:.1}", igraph_s / row.ncm_s)
        });
        println!(
            "| {} | {:.2} | {} | {mark}{} | {} | {} |",
            row.workload,
            row.ncm_s,
            seconds(row.ncm_one_thread_s),
            seconds(row.igraph_s),
            ratio,
            row.note
        );
    }
    println!();
}

/// Peak resident set size of this process in MiB, from /proc/self/status (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
