//! Triad and 4-node motif profiles of C. elegans connectomes (or a user's edge list).
//!
//! For each chemical-synapse network the 16-class directed triad census is compared with two
//! null models: degree-preserving edge switching, and switching that also keeps the number of
//! mutual edges, as Milo et al. 2002 (Science 298:824-827) used for 3-node motifs. The census
//! of the 199 connected 4-node classes is compared with the mutual-preserving null, and the
//! feed-forward loop, bi-fan and bi-parallel counts are set beside the C. elegans row of Milo
//! et al. 2002, Table 1. Significance profiles (z-scores scaled to unit length) follow Milo et
//! al. 2004 (Science 303:1538-1542).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use ncm_data::{Connectome, DataDir, SynapseKind};
use ncm_motifs::{
    BI_FAN_ARCS, BI_PARALLEL_ARCS, Census4Significance, ClassSignificance, DiGraph, NullConfig,
    NullModel, TRIAD_CLASSES, TriadSignificance, census4_class_name, census4_class_of_arcs,
    triad_class_index,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::figures::{ProfileSeries, write_profile_svg};
use crate::report::{Section, cell, table};

/// Name of White et al. 1986 restricted as in Milo et al. 2002.
const WHITE_MILO: &str = "White 1986, ≥ 5 synapses";
/// Milo et al. 2002 kept neuron pairs joined by at least this many synapses.
const MILO_MIN_SYNAPSES: u32 = 5;
/// Classes with the largest |SP| per network that enter the 4-node profile figure.
const TOP_CENSUS4_CLASSES: usize = 3;

/// Published count, null mean, null standard deviation and z-score of one motif.
struct PublishedMotif {
    name: &'static str,
    observed: u64,
    null_mean: f64,
    null_std: f64,
    z_score: f64,
}

/// Nodes and edges of the C. elegans network of Milo et al. 2002 (Science 298:824-827,
/// Table 1): "synaptic connections between neurons in C. elegans, including neurons
/// connected by at least five synapses", from White et al. 1986, against 1000 randomised
/// networks.
const MILO_NODES: usize = 252;
const MILO_EDGES: usize = 509;
/// The motifs of that row, in the order feed-forward loop, bi-fan, bi-parallel.
const MILO_MOTIFS: [PublishedMotif; 3] = [
    PublishedMotif {
        name: "feed-forward loop",
        observed: 125,
        null_mean: 90.0,
        null_std: 10.0,
        z_score: 3.7,
    },
    PublishedMotif {
        name: "bi-fan",
        observed: 127,
        null_mean: 55.0,
        null_std: 13.0,
        z_score: 5.3,
    },
    PublishedMotif {
        name: "bi-parallel",
        observed: 227,
        null_mean: 35.0,
        null_std: 10.0,
        z_score: 20.0,
    },
];

/// Settings of the connectome-motifs experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Randomised networks drawn per null model and network.
    pub samples: usize,
    /// Accepted edge switches per edge when drawing one randomised network, at least 1.
    pub switches_per_edge: f64,
    /// Seed of the null-model samplers.
    pub seed: u64,
    /// Randomised networks per network for the 4-node census (mutual-preserving null). Each
    /// needs a full 4-node census, which costs far more than a triad census.
    pub census4_samples: usize,
    /// A user's own edge list; when set, only this network is analysed.
    pub edges: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            samples: 1000,
            switches_per_edge: 10.0,
            seed: 2002,
            census4_samples: 100,
            edges: None,
        }
    }
}

/// Command-line parameters of `cargo xtask experiment connectome-motifs`.
#[derive(Args)]
pub struct Cli {
    /// Edge list to analyse instead of the C. elegans connectomes (columns: pre, post,
    /// optional synapse count, optional type chemical/electrical; comma, tab or space
    /// separated). Only chemical rows enter the census; rows without a type are chemical.
    #[arg(long)]
    edges: Option<PathBuf>,
    /// Randomised networks per null model.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().samples)]
    samples: usize,
    /// Accepted edge switches per edge for one randomised network.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().switches_per_edge)]
    switches_per_edge: f64,
    /// Seed of the null-model samplers.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().seed)]
    seed: u64,
    /// Randomised networks per network for the 4-node census.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().census4_samples)]
    census4_samples: usize,
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Result<Config> {
        Ok(Config {
            samples: self.samples,
            switches_per_edge: self.switches_per_edge,
            seed: self.seed,
            census4_samples: self.census4_samples,
            edges: self.edges.clone(),
        })
    }

    /// Returns true when the experiment reads the fetched data sets.
    pub fn needs_data(&self) -> bool {
        self.edges.is_none()
    }
}

/// One analysed network with its census significance under both null models.
#[derive(Serialize)]
struct NetworkResult {
    name: String,
    nodes: usize,
    edges: usize,
    /// Reciprocated node pairs (each counts two of the `edges` arcs).
    mutual_pairs: usize,
    degree_preserving: TriadSignificance,
    mutual_preserving: TriadSignificance,
    /// 4-node census against the mutual-preserving null.
    census4_mutual_preserving: Census4Significance,
}

/// Checks the settings before any work starts.
pub fn validate(config: &Config) -> Result<()> {
    let null = NullConfig {
        model: NullModel::DegreePreserving,
        samples: config.samples,
        switches_per_edge: config.switches_per_edge,
        seed: config.seed,
    };
    null.validate()?;
    NullConfig {
        samples: config.census4_samples,
        ..null
    }
    .validate()
    .context("invalid census4_samples")?;
    if !(config.switches_per_edge >= 1.0) {
        bail!(
            "invalid switches_per_edge {}; use at least 1 (default 10), because with fewer \
             switches each randomised network stays close to the observed one",
            config.switches_per_edge
        );
    }
    if let Some(path) = &config.edges
        && !path.is_file()
    {
        bail!(
            "edge list {} not found; pass an existing file to --edges",
            path.display()
        );
    }
    Ok(())
}

/// Runs the experiment and writes `report/connectome-motifs/`.
pub fn run(config: &Config, data_dir: &Path, report_dir: &Path) -> Result<Section> {
    let out_dir = super::create_output_dir(report_dir, "connectome-motifs")?;

    let networks = load_networks(config, data_dir)?;
    let mut results = Vec::with_capacity(networks.len());
    for (name, connectome, min_synapses) in networks {
        results.push(analyse(config, name, &connectome, min_synapses)?);
    }

    let classes: Vec<String> = TRIAD_CLASSES
        .iter()
        .map(|class| class.to_string())
        .collect();
    let mut figures = Vec::new();
    for (model, file) in [
        ("degree-preserving", "triad_z_degree.svg"),
        ("mutual-preserving", "triad_z_mutual.svg"),
    ] {
        let series: Vec<ProfileSeries> = results
            .iter()
            .map(|result| ProfileSeries {
                label: result.name.clone(),
                values: z_scores(pick(result, model)),
            })
            .collect();
        // A network that allows no switch has no z-score at all; its table row shows dashes.
        if series
            .iter()
            .all(|line| line.values.iter().all(|z| !z.is_finite()))
        {
            continue;
        }
        let title = format!("Triad census z-scores, {model} null model");
        write_profile_svg(&out_dir.join(file), &title, "z-score", &classes, &series)?;
        figures.push(file);
    }
    figures.extend(write_profile_figures(&out_dir, &results)?);

    let summary = json!({ "config": config, "networks": results });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "connectome_motifs".to_owned(),
        title: "Connectome motifs: triad and 4-node census against null models".to_owned(),
        html: render(config, &results, &figures)?,
        summary,
    })
}

/// Writes the significance-profile figures: triads over the 13 connected classes and the
/// 4-node classes that stand out, both under the mutual-preserving null.
fn write_profile_figures(out_dir: &Path, results: &[NetworkResult]) -> Result<Vec<&'static str>> {
    let mut figures = Vec::new();
    let first_connected = triad_class_index("021D").context("021D is a triad class")?;
    let triad_classes: Vec<String> = TRIAD_CLASSES[first_connected..]
        .iter()
        .map(|c| c.to_string())
        .collect();
    let triad_series: Vec<ProfileSeries> = results
        .iter()
        .map(|result| ProfileSeries {
            label: result.name.clone(),
            values: profile_values(
                &result.mutual_preserving.significance_profile[first_connected..],
            ),
        })
        .collect();
    if triad_series
        .iter()
        .any(|line| line.values.iter().any(|v| v.is_finite()))
    {
        let file = "triad_sp_mutual.svg";
        let title = "Triad significance profile, mutual-preserving null model";
        write_profile_svg(
            &out_dir.join(file),
            title,
            "SP = z / |z|",
            &triad_classes,
            &triad_series,
        )?;
        figures.push(file);
    }

    let classes = census4_figure_classes(results)?;
    let labels: Vec<String> = classes.iter().map(|&class| census4_label(class)).collect();
    let census4_series: Vec<ProfileSeries> = results
        .iter()
        .map(|result| ProfileSeries {
            label: result.name.clone(),
            values: classes
                .iter()
                .map(|&class| {
                    result.census4_mutual_preserving.significance_profile[class].unwrap_or(f64::NAN)
                })
                .collect(),
        })
        .collect();
    if census4_series
        .iter()
        .any(|line| line.values.iter().any(|v| v.is_finite()))
    {
        let file = "census4_sp_mutual.svg";
        let title = "4-node significance profile, mutual-preserving null model";
        write_profile_svg(
            &out_dir.join(file),
            title,
            "SP = z / |z|",
            &labels,
            &census4_series,
        )?;
        figures.push(file);
    }
    Ok(figures)
}

fn profile_values(profile: &[Option<f64>]) -> Vec<f64> {
    profile
        .iter()
        .map(|value| value.unwrap_or(f64::NAN))
        .collect()
}

/// Selects the bi-fan, the bi-parallel and each network's [`TOP_CENSUS4_CLASSES`] classes of largest
/// |SP|, in class order.
fn census4_figure_classes(results: &[NetworkResult]) -> Result<Vec<usize>> {
    let mut classes = vec![
        census4_class_of_arcs(&BI_FAN_ARCS)?,
        census4_class_of_arcs(&BI_PARALLEL_ARCS)?,
    ];
    for result in results {
        let mut ranked: Vec<(usize, f64)> = result
            .census4_mutual_preserving
            .significance_profile
            .iter()
            .enumerate()
            .filter_map(|(class, value)| value.map(|sp| (class, sp.abs())))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        classes.extend(
            ranked
                .iter()
                .take(TOP_CENSUS4_CLASSES)
                .map(|&(class, _)| class),
        );
    }
    classes.sort_unstable();
    classes.dedup();
    Ok(classes)
}

/// Class name, with the motif name of Milo et al. 2002 where it has one.
fn census4_label(class: usize) -> String {
    let name = census4_class_name(class).unwrap_or("?");
    let known = [("bi-fan", &BI_FAN_ARCS), ("bi-parallel", &BI_PARALLEL_ARCS)];
    match known
        .iter()
        .find(|(_, arcs)| census4_class_of_arcs(arcs.as_slice()).ok() == Some(class))
    {
        Some((motif, _)) => format!("{motif} {name}"),
        None => name.to_owned(),
    }
}

/// Picks the feed-forward loop, bi-fan and bi-parallel entries of one network under the
/// mutual-preserving null.
fn milo_motifs(result: &NetworkResult) -> Result<[&ClassSignificance; 3]> {
    let feed_forward = triad_class_index("030T").context("030T is a triad class")?;
    let census4 = &result.census4_mutual_preserving.classes;
    Ok([
        &result.mutual_preserving.classes[feed_forward],
        &census4[census4_class_of_arcs(&BI_FAN_ARCS)?],
        &census4[census4_class_of_arcs(&BI_PARALLEL_ARCS)?],
    ])
}

fn pick<'a>(result: &'a NetworkResult, model: &str) -> &'a TriadSignificance {
    if model == "degree-preserving" {
        &result.degree_preserving
    } else {
        &result.mutual_preserving
    }
}

fn z_scores(significance: &TriadSignificance) -> Vec<f64> {
    significance
        .classes
        .iter()
        .map(|class| class.z_score.unwrap_or(f64::NAN))
        .collect()
}

/// Loads each network with the fewest synapses an arc needs (1 = any chemical synapse).
fn load_networks(config: &Config, data_dir: &Path) -> Result<Vec<(String, Connectome, u32)>> {
    if let Some(path) = &config.edges {
        let connectome = ncm_data::read_edge_list(path)
            .with_context(|| format!("cannot read the edge list {}", path.display()))?;
        let name = path
            .file_name()
            .map_or("edge list".into(), |n| n.to_string_lossy().into_owned());
        return Ok(vec![(name, connectome, 1)]);
    }
    let dir = DataDir::new(data_dir);
    let white = ncm_data::read_white_1986(&dir.white_1986())?;
    // Milo et al. 2002 kept "neurons connected by at least five synapses" of White et al. 1986.
    let milo = (WHITE_MILO.to_owned(), white.clone(), MILO_MIN_SYNAPSES);
    let mut networks = vec![
        ("White 1986".to_owned(), white),
        (
            "Varshney 2011".to_owned(),
            ncm_data::read_varshney_2011(&dir.varshney_2011())?,
        ),
        (
            "Cook 2019".to_owned(),
            ncm_data::read_cook_2019(&dir.cook_2019())?,
        ),
    ];
    // Witvliet et al. 2021 reconstructed eight animals: four L1 larvae, one L2, one L3 and two
    // adults, numbered in developmental order.
    let stages = ["L1", "L1", "L1", "L1", "L2", "L3", "adult", "adult"];
    for (stage, label) in (1u8..=8).zip(stages) {
        let path = dir.witvliet_2021(stage)?;
        let name = format!("Witvliet 2021 dataset {stage} ({label})");
        networks.push((name, ncm_data::read_witvliet_2021(&path)?));
    }
    let mut networks: Vec<(String, Connectome, u32)> = networks
        .into_iter()
        .map(|(name, connectome)| (name, connectome, 1))
        .collect();
    networks.insert(0, milo);
    Ok(networks)
}

fn analyse(
    config: &Config,
    name: String,
    connectome: &Connectome,
    min_synapses: u32,
) -> Result<NetworkResult> {
    let (node_count, pairs) = chemical_network(connectome, min_synapses);
    if pairs.is_empty() {
        bail!(
            "{name} has no chemical synapse between two distinct nodes; the census uses chemical synapses only"
        );
    }
    let graph = DiGraph::from_edges(node_count, &pairs)?;
    info!(network = %name, nodes = graph.node_count(), edges = graph.edge_count(), "triad census");

    let null = |model| NullConfig {
        model,
        samples: config.samples,
        switches_per_edge: config.switches_per_edge,
        seed: config.seed,
    };
    let degree_preserving =
        ncm_motifs::triad_significance(&graph, &null(NullModel::DegreePreserving))?;
    let mutual_preserving =
        ncm_motifs::triad_significance(&graph, &null(NullModel::MutualPreserving))?;
    let census4_config = NullConfig {
        samples: config.census4_samples,
        ..null(NullModel::MutualPreserving)
    };
    let census4_mutual_preserving = ncm_motifs::census4_significance(&graph, &census4_config)?;
    Ok(NetworkResult {
        name,
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        mutual_pairs: graph.mutual_edge_count(),
        degree_preserving,
        mutual_preserving,
        census4_mutual_preserving,
    })
}

/// Returns the directed chemical network of the ordered pairs joined by at least
/// `min_synapses` chemical synapses (summed over the source's rows), restricted to nodes with
/// such an arc and renumbered from 0. Nodes without one (sensory end organs, neurons with only
/// gap junctions) would only inflate the empty and one-edge triad classes.
fn chemical_network(connectome: &Connectome, min_synapses: u32) -> (usize, Vec<(usize, usize)>) {
    let mut synapses: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for edge in connectome.edges() {
        if edge.kind == SynapseKind::Chemical && edge.pre != edge.post {
            *synapses.entry((edge.pre, edge.post)).or_default() += u64::from(edge.synapses);
        }
    }
    let pairs: Vec<(usize, usize)> = synapses
        .into_iter()
        .filter(|&(_, count)| min_synapses <= 1 || count >= u64::from(min_synapses))
        .map(|(pair, _)| pair)
        .collect();
    let mut new_index = vec![usize::MAX; connectome.node_count()];
    let mut node_count = 0;
    for &(pre, post) in &pairs {
        for node in [pre, post] {
            if new_index[node] == usize::MAX {
                new_index[node] = node_count;
                node_count += 1;
            }
        }
    }
    let renumbered = pairs
        .iter()
        .map(|&(pre, post)| (new_index[pre], new_index[post]))
        .collect();
    (node_count, renumbered)
}

fn render(config: &Config, results: &[NetworkResult], figures: &[&str]) -> Result<String> {
    let mut html = format!(
        "<p>Chemical-synapse networks as directed graphs: an arc from each neuron to each \
         neuron it makes at least one chemical synapse onto (at least five for the row \
         <em>{WHITE_MILO}</em>), self-loops dropped, nodes without such arcs left out; \
         <em>mutual</em> counts reciprocated pairs. Cook 2019 includes muscles and other end \
         organs, the other data sets neurons only. Each triad census is compared with {} \
         randomised networks per null model ({} accepted switches per edge, seed {}). \
         z = (observed − null mean) / null standard deviation; a dash marks a class the null \
         model cannot change. Degree-preserving switching destroys reciprocal edges, so it \
         mostly reports the excess of mutual-edge classes; the mutual-preserving null keeps them \
         and isolates the feed-forward loop (030T). z assumes roughly Gaussian null counts; the \
         empirical p-values in summary.json (p_over, p_under) cannot go below \
         1/(samples + 1) = {:.1e}. The 003 count is fixed by the other fifteen and adds no \
         information.</p>\n",
        config.samples,
        config.switches_per_edge,
        config.seed,
        1.0 / (config.samples as f64 + 1.0)
    );
    for file in figures.iter().filter(|file| file.starts_with("triad_z")) {
        html.push_str(&format!(
            "<img src=\"connectome-motifs/{file}\" alt=\"triad z-score profile\">\n"
        ));
    }
    html.push_str(&render_triad_table(results));
    html.push_str(&render_milo_comparison(config, results)?);
    for file in figures.iter().filter(|file| file.contains("_sp_")) {
        html.push_str(&format!(
            "<img src=\"connectome-motifs/{file}\" alt=\"significance profile\">\n"
        ));
    }
    html.push_str(&render_census4_profiles(results)?);
    Ok(html)
}

fn render_triad_table(results: &[NetworkResult]) -> String {
    let mut header = vec![
        "network".to_owned(),
        "nodes".to_owned(),
        "edges".to_owned(),
        "mutual".to_owned(),
        "null".to_owned(),
    ];
    header.extend(TRIAD_CLASSES.iter().map(|class| class.to_string()));
    let mut rows = Vec::new();
    for result in results {
        for model in ["degree-preserving", "mutual-preserving"] {
            let mut row = vec![
                result.name.clone(),
                result.nodes.to_string(),
                result.edges.to_string(),
                result.mutual_pairs.to_string(),
                model.to_owned(),
            ];
            row.extend(
                z_scores(pick(result, model))
                    .into_iter()
                    .map(|z| cell(Some(z), 1)),
            );
            rows.push(row);
        }
    }
    table(&header, &rows)
}

/// Table of the feed-forward loop, bi-fan and bi-parallel beside Milo et al. 2002, Table 1.
fn render_milo_comparison(config: &Config, results: &[NetworkResult]) -> Result<String> {
    let mut html = format!(
        "<h3>Feed-forward loops, bi-fans and bi-parallels against Milo et al. 2002</h3>\n\
         <p>The first row is the C. elegans row of Milo et al. 2002 (Science 298:824-827, \
         Table 1): neurons of White et al. 1986 joined by at least five synapses, 1000 \
         randomised networks. The other rows are ncm's counts of induced subgraphs with the \
         mutual-preserving null ({} samples for the feed-forward loop, {} for the 4-node \
         motifs). N<sub>rand</sub> is the null mean ± standard deviation.</p>\n",
        config.samples, config.census4_samples
    );
    let mut header = vec!["network".to_owned(), "nodes".to_owned(), "edges".to_owned()];
    for motif in &MILO_MOTIFS {
        header.extend([
            format!("{} N_real", motif.name),
            "N_rand ± SD".to_owned(),
            "Z".to_owned(),
        ]);
    }
    let mut published = vec![
        "Milo et al. 2002 (published)".to_owned(),
        MILO_NODES.to_string(),
        MILO_EDGES.to_string(),
    ];
    for motif in &MILO_MOTIFS {
        published.extend([
            motif.observed.to_string(),
            format!("{:.0} ± {:.0}", motif.null_mean, motif.null_std),
            format!("{:.1}", motif.z_score),
        ]);
    }
    let mut rows = vec![published];
    for result in results {
        let mut row = vec![
            result.name.clone(),
            result.nodes.to_string(),
            result.edges.to_string(),
        ];
        for entry in milo_motifs(result)? {
            row.extend([
                entry.observed.to_string(),
                format!("{:.0} ± {:.0}", entry.null_mean, entry.null_std),
                cell(entry.z_score, 1),
            ]);
        }
        rows.push(row);
    }
    html.push_str(&table(&header, &rows));
    html.push_str(&render_milo_differences(config, results)?);
    Ok(html)
}

/// Explains why ncm's numbers differ from the published ones and tallies the networks in
/// which each motif is over-represented.
fn render_milo_differences(config: &Config, results: &[NetworkResult]) -> Result<String> {
    let mut tallies = Vec::new();
    for (index, motif) in MILO_MOTIFS.iter().enumerate() {
        let mut over = 0;
        for result in results {
            over += usize::from(milo_motifs(result)?[index].z_score.is_some_and(|z| z > 2.0));
        }
        tallies.push(format!("{} in {over} of {}", motif.name, results.len()));
    }
    Ok(format!(
        "<p>Over-represented (z &gt; 2) in ncm's networks: {}. The row <em>{WHITE_MILO}</em> \
         applies the criterion that Milo et al. state for their network (neurons joined by at \
         least five synapses) to the White et al. 1986 file read here (cect 0.3.5). It comes \
         close to their 252 nodes and 509 edges but need not be their exact network. The other \
         data sets keep every chemical connection, down to single synapses, and Varshney 2011, \
         Cook 2019 and Witvliet 2021 are later reconstructions; with several times as many \
         arcs, their counts and z-scores are not comparable to the published row. Two \
         differences in method remain. For 4-node motifs Milo et al. also kept the count of \
         every 3-node subgraph in the randomised networks, whereas ncm's mutual-preserving \
         switching keeps only each node's single in-, single out- and mutual degree, so the \
         4-node z-scores compare only roughly. And the 4-node null distributions here rest on \
         {} samples per network against their 1000.</p>\n",
        tallies.join(", "),
        config.census4_samples
    ))
}

/// Table of the 4-node significance profile over the classes of the figure.
fn render_census4_profiles(results: &[NetworkResult]) -> Result<String> {
    let classes = census4_figure_classes(results)?;
    let mut html = format!(
        "<h3>4-node significance profiles</h3>\n<p>SP<sub>i</sub> = Z<sub>i</sub> / \
         (Σ<sub>j</sub> Z<sub>j</sub><sup>2</sup>)<sup>1/2</sup> over the 199 connected \
         4-node classes (Milo et al. 2004, Science 303:1538-1542), mutual-preserving null. \
         Shown are the bi-fan, the bi-parallel and the {TOP_CENSUS4_CLASSES} classes of largest \
         |SP| of each network; a class is named by its canonical 12-bit adjacency code in \
         hexadecimal (see the ncm-motifs documentation of <code>census4</code>). The full \
         profiles are in summary.json. The triad profile above uses the 13 connected triad \
         classes.</p>\n"
    );
    let mut header = vec!["network".to_owned()];
    header.extend(classes.iter().map(|&class| census4_label(class)));
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|result| {
            let profile = &result.census4_mutual_preserving.significance_profile;
            let mut row = vec![result.name.clone()];
            row.extend(classes.iter().map(|&class| cell(profile[class], 2)));
            row
        })
        .collect();
    html.push_str(&table(&header, &rows));
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        validate(&Config::default()).unwrap();
    }

    #[test]
    fn validate_rejects_fewer_than_one_switch_per_edge() {
        for switches_per_edge in [1e-9, 0.5] {
            let config = Config {
                switches_per_edge,
                ..Config::default()
            };
            let error = validate(&config).unwrap_err().to_string();
            assert!(error.contains("at least 1"), "{switches_per_edge}: {error}");
        }
        let config = Config {
            switches_per_edge: 1.0,
            ..Config::default()
        };
        validate(&config).unwrap();
    }
}
