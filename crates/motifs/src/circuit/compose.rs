//! Composition: motifs planted at chosen or random nodes of a random background network.
//!
//! The background is an Erdős–Rényi network (every ordered pair connected with the same
//! probability) or a distance-dependent one (neurons at uniform random positions, connected
//! with a probability that falls off as a Gaussian of their distance). Planting follows these
//! rules, so that the result obeys Dale's law and every arc has one owner:
//!
//! 1. Each motif neuron lands on its own background node; motifs never share nodes.
//! 2. A node that receives a motif neuron takes that neuron's cell type. Other nodes keep the
//!    background type, drawn so that `round(inhibitory_fraction × neuron_count)` background
//!    nodes are inhibitory before planting.
//! 3. Between two nodes of the same motif only the motif's own arcs exist, so a motif keeps
//!    its exact internal connectivity. Every other ordered pair (background to background,
//!    background to motif, one motif to another) may get a background arc.
//! 4. A background arc takes the sign of its presynaptic node's final type: weight 1 from an
//!    excitatory node and `-inhibition_ratio` from an inhibitory one, before scaling.
//! 5. Each motif's weights keep their ratios and are scaled so that their mean magnitude is
//!    `motif_weight`, on the same footing as a background excitatory synapse.
//! 6. The combined matrix is scaled so that the largest total absolute input of a neuron is
//!    `input_gain` (see [`super::DEFAULT_INPUT_GAIN`] for why that keeps rate dynamics
//!    stable).
//!
//! The circuit's [`PlantedMotif`] list contains every motif with its nodes and arcs in
//! circuit ids; the background arcs are the rest ([`Circuit::background_arcs`]).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::build::{
    DEFAULT_INPUT_GAIN, check_count, check_neuron_count, check_positive, check_probability,
    sample_distinct, scale_to_input_gain,
};
use super::gallery::MotifConfig;
use super::{CellType, Circuit, CircuitError, PlantedMotif};

/// Random-graph model of the background network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BackgroundModel {
    /// Every ordered pair of distinct nodes is connected independently with probability `p`.
    ErdosRenyi {
        /// Connection probability, in `[0, 1]`.
        p: f64,
    },
    /// Nodes are placed uniformly at random in a square of side `√neuron_count` (unit
    /// density), and `pre -> post` exists with probability
    /// `peak_probability × exp(-d² / (2 sigma²))` for their Euclidean distance `d`.
    DistanceDependent {
        /// Connection probability at distance 0, in `[0, 1]`.
        peak_probability: f64,
        /// Width of the Gaussian fall-off, finite and positive, in units of the mean spacing.
        sigma: f64,
    },
}

impl Default for BackgroundModel {
    fn default() -> Self {
        Self::ErdosRenyi { p: 0.1 }
    }
}

/// Settings of the background network and of how motifs are combined with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackgroundConfig {
    /// Neurons of the whole circuit, motifs included; at least 1. Default: 60.
    pub neuron_count: usize,
    /// Random-graph model. Default: Erdős–Rényi with `p = 0.1`.
    pub model: BackgroundModel,
    /// Share of inhibitory background neurons before planting, in `[0, 1]`. Default: 0.2.
    pub inhibitory_fraction: f64,
    /// Magnitude of an inhibitory background synapse relative to an excitatory one, finite
    /// and positive. The default, 4.0, balances mean excitation and inhibition for an
    /// inhibitory fraction of 0.2.
    pub inhibition_ratio: f64,
    /// Mean magnitude of a motif synapse relative to an excitatory background synapse,
    /// finite and positive. Default: 1.0.
    pub motif_weight: f64,
    /// Largest total absolute input of a neuron after scaling, finite and positive.
    /// Default: [`DEFAULT_INPUT_GAIN`] (0.9).
    pub input_gain: f64,
    /// Seed of cell types, positions, random placements and background arcs, which use
    /// the streams 0 to 3 of `ChaCha8Rng::seed_from_u64(seed)`. Default: 0.
    pub seed: u64,
}

impl Default for BackgroundConfig {
    fn default() -> Self {
        Self {
            neuron_count: 60,
            model: BackgroundModel::default(),
            inhibitory_fraction: 0.2,
            inhibition_ratio: 4.0,
            motif_weight: 1.0,
            input_gain: DEFAULT_INPUT_GAIN,
            seed: 0,
        }
    }
}

impl BackgroundConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`CircuitError::CountTooSmall`] for zero neurons, [`CircuitError::NotProbability`] for
    /// a probability or fraction outside `[0, 1]`, [`CircuitError::NotPositive`] for a bad
    /// `sigma`, `inhibition_ratio`, `motif_weight` or `input_gain`, and
    /// [`CircuitError::TooManyNeurons`] above [`super::MAX_NEURONS`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        check_count("neuron_count", self.neuron_count, 1)?;
        check_neuron_count(self.neuron_count)?;
        match self.model {
            BackgroundModel::ErdosRenyi { p } => check_probability("model.p", p)?,
            BackgroundModel::DistanceDependent {
                peak_probability,
                sigma,
            } => {
                check_probability("model.peak_probability", peak_probability)?;
                check_positive("model.sigma", sigma)?;
            }
        }
        check_probability("inhibitory_fraction", self.inhibitory_fraction)?;
        check_positive("inhibition_ratio", self.inhibition_ratio)?;
        check_positive("motif_weight", self.motif_weight)?;
        check_positive("input_gain", self.input_gain)
    }
}

/// One motif to plant and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotifPlacement {
    /// Settings of the motif generator.
    pub motif: MotifConfig,
    /// Background node of each motif neuron, in the motif's neuron order, or `None` to place
    /// the motif on nodes drawn uniformly from those still free.
    #[serde(default)]
    pub nodes: Option<Vec<usize>>,
}

/// Settings of a composed circuit: a background network and the motifs planted in it.
///
/// # Examples
/// ```
/// use ncm_motifs::{
///     BackgroundConfig, CompositionConfig, MotifConfig, MotifKind, MotifPlacement,
/// };
///
/// let config = CompositionConfig {
///     background: BackgroundConfig { neuron_count: 50, seed: 3, ..Default::default() },
///     motifs: vec![MotifPlacement {
///         motif: MotifConfig::default_for(MotifKind::LateralInhibition),
///         nodes: None,
///     }],
/// };
/// let circuit = config.build().unwrap();
/// let planted = &circuit.motifs()[0];
/// assert_eq!(planted.nodes.len(), 8);
/// assert!(planted.arcs.iter().all(|arc| !circuit.background_arcs().contains(arc)));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CompositionConfig {
    /// Background network. Default: [`BackgroundConfig::default`].
    pub background: BackgroundConfig,
    /// Motifs to plant, in order. Default: none.
    pub motifs: Vec<MotifPlacement>,
}

impl CompositionConfig {
    /// Checks the background and every motif's settings. Placements are checked by
    /// [`CompositionConfig::build`], because they depend on the motifs' neuron counts.
    ///
    /// # Errors
    /// The errors of [`BackgroundConfig::validate`] and of each [`MotifConfig::validate`].
    pub fn validate(&self) -> Result<(), CircuitError> {
        self.background.validate()?;
        self.motifs
            .iter()
            .try_for_each(|placement| placement.motif.validate())
    }

    /// Builds every motif and plants them into the background network.
    ///
    /// # Errors
    /// The errors of [`CompositionConfig::validate`], of each motif's `build`, and of
    /// [`plant`].
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        self.validate()?;
        let circuits: Vec<Circuit> = self
            .motifs
            .iter()
            .map(|placement| placement.motif.build())
            .collect::<Result<_, _>>()?;
        let motifs: Vec<(&Circuit, Option<&[usize]>)> = circuits
            .iter()
            .zip(&self.motifs)
            .map(|(circuit, placement)| (circuit, placement.nodes.as_deref()))
            .collect();
        plant(&self.background, &motifs)
    }
}

/// Plants circuits into a background network built from `background`, following the rules
/// of the module docs. Each entry is a circuit and, optionally, the background node of each
/// of its neurons. The circuit's own planted motifs are carried over with their nodes and arcs
/// relabelled. Arcs of a planted circuit that none of its motifs lists count as background
/// arcs. Positions are those of the background nodes (distance-dependent model) or absent
/// (Erdős–Rényi).
///
/// # Errors
/// The errors of [`BackgroundConfig::validate`]; [`CircuitError::UnlabelledMotif`] for a
/// circuit without planted motifs; [`CircuitError::PlacementLength`],
/// [`CircuitError::PlacementOutOfRange`] or [`CircuitError::PlacementOverlap`] for a bad
/// placement; [`CircuitError::NotEnoughNodes`] if the motifs have more neurons than the
/// background.
pub fn plant(
    background: &BackgroundConfig,
    motifs: &[(&Circuit, Option<&[usize]>)],
) -> Result<Circuit, CircuitError> {
    background.validate()?;
    let n = background.neuron_count;
    let node_maps = place_motifs(background, motifs)?;

    let mut cell_types = background_cell_types(background);
    let mut owner: Vec<Option<usize>> = vec![None; n];
    for (index, ((circuit, _), map)) in motifs.iter().zip(&node_maps).enumerate() {
        for (&node, &cell_type) in map.iter().zip(circuit.cell_types()) {
            cell_types[node] = cell_type;
            owner[node] = Some(index);
        }
    }

    let positions = background_positions(background);
    let mut weights = background_weights(background, &cell_types, &owner, positions.as_deref());
    let mut planted = Vec::new();
    for ((circuit, _), map) in motifs.iter().zip(&node_maps) {
        copy_motif_weights(circuit, map, background.motif_weight, &mut weights, n);
        planted.extend(circuit.motifs().iter().map(|motif| PlantedMotif {
            kind: motif.kind,
            nodes: motif.nodes.iter().map(|&v| map[v]).collect(),
            arcs: motif.arcs.iter().map(|&(a, b)| (map[a], map[b])).collect(),
        }));
    }
    scale_to_input_gain(&mut weights, n, background.input_gain);

    let mut circuit = Circuit::new(weights, cell_types)?;
    if let Some(positions) = positions {
        circuit = circuit.with_positions(positions)?;
    }
    circuit.with_motifs(planted)
}

/// Checks the placements and returns, for each motif, the background node of each neuron.
fn place_motifs(
    background: &BackgroundConfig,
    motifs: &[(&Circuit, Option<&[usize]>)],
) -> Result<Vec<Vec<usize>>, CircuitError> {
    let n = background.neuron_count;
    let mut occupied = vec![false; n];
    let mut needed = 0_usize;
    for (index, (circuit, nodes)) in motifs.iter().enumerate() {
        if circuit.motifs().is_empty() {
            return Err(CircuitError::UnlabelledMotif { motif: index });
        }
        needed = needed.saturating_add(circuit.neuron_count());
        let Some(nodes) = nodes else { continue };
        if nodes.len() != circuit.neuron_count() {
            return Err(CircuitError::PlacementLength {
                motif: index,
                len: nodes.len(),
                expected: circuit.neuron_count(),
            });
        }
        for &node in nodes.iter() {
            if node >= n {
                return Err(CircuitError::PlacementOutOfRange {
                    motif: index,
                    node,
                    neuron_count: n,
                });
            }
            if occupied[node] {
                return Err(CircuitError::PlacementOverlap { motif: index, node });
            }
            occupied[node] = true;
        }
    }
    if needed > n {
        return Err(CircuitError::NotEnoughNodes {
            needed,
            neuron_count: n,
        });
    }

    let mut rng = stream(background.seed, 2);
    let mut free: Vec<usize> = (0..n).filter(|&v| !occupied[v]).collect();
    let mut maps = Vec::with_capacity(motifs.len());
    for (circuit, nodes) in motifs {
        let map = match nodes {
            Some(nodes) => nodes.to_vec(),
            None => {
                let picks = sample_distinct(&mut rng, free.len(), circuit.neuron_count());
                let map: Vec<usize> = picks.iter().map(|&k| free[k]).collect();
                free.retain(|v| !map.contains(v));
                map
            }
        };
        maps.push(map);
    }
    Ok(maps)
}

fn stream(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// Cell types before planting: exactly `round(inhibitory_fraction × n)` inhibitory nodes,
/// drawn uniformly.
fn background_cell_types(background: &BackgroundConfig) -> Vec<CellType> {
    let n = background.neuron_count;
    let inhibitory_count = ((background.inhibitory_fraction * n as f64).round() as usize).min(n);
    let mut cell_types = vec![CellType::Excitatory; n];
    for v in sample_distinct(&mut stream(background.seed, 0), n, inhibitory_count) {
        cell_types[v] = CellType::Inhibitory;
    }
    cell_types
}

fn background_positions(background: &BackgroundConfig) -> Option<Vec<[f64; 2]>> {
    let BackgroundModel::DistanceDependent { .. } = background.model else {
        return None;
    };
    let side = (background.neuron_count as f64).sqrt();
    let mut rng = stream(background.seed, 1);
    let positions = (0..background.neuron_count)
        .map(|_| {
            let x: f64 = rng.random();
            let y: f64 = rng.random();
            [side * x, side * y]
        })
        .collect();
    Some(positions)
}

/// Signed background weights, before scaling. The connection draw is made for every ordered
/// pair, also those inside a motif, where the arc is then left out.
fn background_weights(
    background: &BackgroundConfig,
    cell_types: &[CellType],
    owner: &[Option<usize>],
    positions: Option<&[[f64; 2]]>,
) -> Vec<f64> {
    let n = background.neuron_count;
    let mut rng = stream(background.seed, 3);
    let mut weights = vec![0.0; n * n];
    for post in 0..n {
        for pre in (0..n).filter(|&pre| pre != post) {
            let p = pair_probability(background.model, positions, pre, post);
            let drawn = rng.random_bool(p);
            let same_motif = owner[pre].is_some() && owner[pre] == owner[post];
            if drawn && !same_motif {
                weights[post * n + pre] = match cell_types[pre] {
                    CellType::Excitatory => 1.0,
                    CellType::Inhibitory => -background.inhibition_ratio,
                };
            }
        }
    }
    weights
}

/// Writes a motif's weights into the combined matrix, rescaled to mean magnitude
/// `motif_weight`.
fn copy_motif_weights(
    circuit: &Circuit,
    map: &[usize],
    motif_weight: f64,
    weights: &mut [f64],
    n: usize,
) {
    let arcs: Vec<(usize, usize)> = circuit.graph().edges().collect();
    if arcs.is_empty() {
        return;
    }
    let motif_weights: Vec<f64> = arcs
        .iter()
        .map(|&(pre, post)| circuit.weights()[post * circuit.neuron_count() + pre])
        .collect();
    let mean_magnitude = motif_weights.iter().map(|w| w.abs()).sum::<f64>() / arcs.len() as f64;
    for (&(pre, post), w) in arcs.iter().zip(motif_weights) {
        weights[map[post] * n + map[pre]] = w / mean_magnitude * motif_weight;
    }
}

/// Connection probability of the ordered pair `pre -> post` under the background model.
/// The distance-dependent model always has positions (see `background_positions`), so the
/// fallback of 0 for missing positions is never taken there.
fn pair_probability(
    model: BackgroundModel,
    positions: Option<&[[f64; 2]]>,
    pre: usize,
    post: usize,
) -> f64 {
    match (model, positions) {
        (BackgroundModel::ErdosRenyi { p }, _) => p,
        (
            BackgroundModel::DistanceDependent {
                peak_probability,
                sigma,
            },
            Some(xy),
        ) => {
            let squared_distance =
                (xy[pre][0] - xy[post][0]).powi(2) + (xy[pre][1] - xy[post][1]).powi(2);
            peak_probability * (-squared_distance / (2.0 * sigma * sigma)).exp()
        }
        (BackgroundModel::DistanceDependent { .. }, None) => 0.0,
    }
}
