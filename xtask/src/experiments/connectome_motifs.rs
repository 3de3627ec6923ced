//! Triad census z-score profiles of C. elegans connectomes (or a user's edge list).
//!
//! For each chemical-synapse network the 16-class directed triad census is compared with two
//! null models: degree-preserving edge switching, and switching that also keeps the number of
//! mutual edges, as Milo et al. 2002 (Science 298:824-827) used for 3-node motifs.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use ncm_data::{Connectome, DataDir, SynapseKind};
use ncm_motifs::{DiGraph, NullConfig, NullModel, TRIAD_CLASSES, TriadSignificance};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::info;

use crate::figures::{ProfileSeries, write_profile_svg};
use crate::report::{Section, cell, table};

/// Settings of the connectome-motifs experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Randomised networks drawn per null model and network.
    pub samples: usize,
    /// Accepted edge switches per edge when drawing one randomised network.
    pub switches_per_edge: f64,
    /// Seed of the null-model samplers.
    pub seed: u64,
    /// A user's own edge list; when set, only this network is analysed.
    pub edges: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            samples: 1000,
            switches_per_edge: 10.0,
            seed: 2002,
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
}

impl Cli {
    /// Returns the experiment settings these flags describe.
    pub fn config(&self) -> Result<Config> {
        Ok(Config {
            samples: self.samples,
            switches_per_edge: self.switches_per_edge,
            seed: self.seed,
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
    if let Some(path) = &config.edges
        && !path.is_file()
    {
        bail!("edge list {} not found; pass an existing file to --edges", path.display());
    }
    Ok(())
}

/// Runs the experiment and writes `report/connectome-motifs/`.
pub fn run(config: &Config, data_dir: &Path, report_dir: &Path) -> Result<Section> {
    let out_dir = super::create_output_dir(report_dir, "connectome-motifs")?;

    let networks = load_networks(config, data_dir)?;
    let mut results = Vec::with_capacity(networks.len());
    for (name, connectome) in networks {
        results.push(analyse(config, name, &connectome)?);
    }

    let classes: Vec<String> = TRIAD_CLASSES.iter().map(|class| class.to_string()).collect();
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
        if series.iter().all(|line| line.values.iter().all(|z| !z.is_finite())) {
            continue;
        }
        let title = format!("Triad census z-scores, {model} null model");
        write_profile_svg(&out_dir.join(file), &title, "z-score", &classes, &series)?;
        figures.push(file);
    }

    let summary = json!({ "config": config, "networks": results });
    fs::write(
        out_dir.join("result.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    Ok(Section {
        name: "connectome_motifs".to_owned(),
        title: "Connectome motifs: triad census against null models".to_owned(),
        html: render(config, &results, &figures),
        summary,
    })
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

fn load_networks(config: &Config, data_dir: &Path) -> Result<Vec<(String, Connectome)>> {
    if let Some(path) = &config.edges {
        let connectome = ncm_data::read_edge_list(path)
            .with_context(|| format!("cannot read the edge list {}", path.display()))?;
        let name = path
            .file_name()
            .map_or("edge list".into(), |n| n.to_string_lossy().into_owned());
        return Ok(vec![(name, connectome)]);
    }
    let dir = DataDir::new(data_dir);
    let mut networks = vec![
        (
            "White 1986".to_owned(),
            ncm_data::read_white_1986(&dir.white_1986())?,
        ),
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
    Ok(networks)
}

fn analyse(config: &Config, name: String, connectome: &Connectome) -> Result<NetworkResult> {
    let (node_count, pairs) = chemical_network(connectome);
    if pairs.is_empty() {
        bail!("{name} has no chemical synapse between two distinct nodes; the census uses chemical synapses only");
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
    Ok(NetworkResult {
        name,
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        mutual_pairs: graph.mutual_edge_count(),
        degree_preserving,
        mutual_preserving,
    })
}

/// Returns the directed chemical network restricted to nodes with at least one chemical
/// synapse to or from another node, renumbered from 0. Nodes without one (sensory end organs,
/// neurons with only gap junctions) would only inflate the empty and one-edge triad classes.
fn chemical_network(connectome: &Connectome) -> (usize, Vec<(usize, usize)>) {
    let pairs = connectome.directed_pairs(SynapseKind::Chemical);
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
    let renumbered = pairs.iter().map(|&(pre, post)| (new_index[pre], new_index[post])).collect();
    (node_count, renumbered)
}

fn render(config: &Config, results: &[NetworkResult], figures: &[&str]) -> String {
    let mut html = format!(
        "<p>Chemical-synapse networks as directed graphs: an arc from each neuron to each \
         neuron it makes at least one chemical synapse onto, self-loops dropped, nodes without \
         chemical synapses left out; <em>mutual</em> counts reciprocated pairs. Cook 2019 \
         includes muscles and other end organs, the other data sets neurons only. Each census is \
         compared with {} randomised networks per null model ({} accepted switches per edge, \
         seed {}). z = (observed − null mean) / null standard deviation; a dash marks a class \
         the null model cannot change. Degree-preserving switching destroys reciprocal edges, so it \
         mostly reports the excess of mutual-edge classes; the mutual-preserving null keeps them \
         and isolates the feed-forward loop (030T), which Milo et al. 2002 found \
         over-represented in the C. elegans neuronal network. Their z-score (about 3.7) came \
         from an earlier, sparser reconstruction, so only the sign of the effect compares. \
         z assumes roughly Gaussian null counts; the empirical p-values in summary.json \
         (p_over, p_under) cannot go below 1/(samples + 1) = {:.1e}. The 003 count is fixed by \
         the other fifteen and adds no information.</p>\n",
        config.samples,
        config.switches_per_edge,
        config.seed,
        1.0 / (config.samples as f64 + 1.0)
    );
    for file in figures {
        html.push_str(&format!("<img src=\"connectome-motifs/{file}\" alt=\"triad z-score profile\">\n"));
    }
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
    html.push_str(&table(&header, &rows));
    html
}
