//! Rate dynamics on a measured connectome: chemical synapses with signs from a transmitter
//! rule, gap junctions as symmetric diffusive coupling, and weights scaled by synapse counts
//! with a normalisation that keeps the dynamics stable.
//!
//! # Sign rule
//! A chemical synapse is inhibitory when its presynaptic neuron belongs to one of the
//! configured classes and excitatory otherwise. The default classes are the 26 GABAergic
//! neurons of the *C. elegans* hermaphrodite identified by GABA immunostaining (McIntire,
//! Jorgensen, Kaplan and Horvitz 1993, Nature 364:337-341): DD1-6, VD1-13, RMED/L/R/V, RIS,
//! AVL and DVB.
//! NOTE: this is a simplification. McIntire et al. report that GABA can also excite (through
//! the enteric muscles), Gendrel, Atlas and Hobert (2016, eLife 5:e17686) found more
//! GABA-positive cells, and glutamate and acetylcholine also act on inhibitory
//! chloride channels in *C. elegans*. Pass your own classes to model those.
//!
//! A neuron belongs to class `C` when its name is `C` followed by nothing, by digits (`DD01`)
//! or by one or two of the side letters L, R, D, V (`RMEL`, `SMDVR`).
//!
//! # Weights and normalisation
//! With `c_ij` the number of chemical synapses from `j` onto `i` (rows of the same pair
//! summed, self-loops dropped) and `s_j = -1` for inhibitory, `+1` for excitatory neurons,
//! `W_ij = s_j c_ij k`. The scale `k` sets either
//! - [`Normalisation::InputStrength`]: the largest total absolute input weight of a neuron,
//!   `max_i sum_j |W_ij|`, to `chemical_gain`. With a 1-Lipschitz activation and
//!   `chemical_gain < 1` the network is then contracting in the maximum norm for any
//!   non-negative symmetric gap junctions, because the Jacobian's matrix measure is at most
//!   `(chemical_gain - 1) / tau` (Lohmiller and Slotine 1998, Automatica 34:683-696). So it
//!   has one globally stable fixed point under constant input.
//! - [`Normalisation::SpectralRadius`]: an upper bound on the spectral radius of `|W|` to
//!   `chemical_gain`, which bounds the spectral radius of every linearisation
//!   `W diag(phi')` of the chemical part. This keeps more dynamic range but proves stability
//!   only without gap junctions; the divergence check of the simulator guards the rest.
//!   NOTE: an acyclic chemical network has spectral radius 0, so the bound tends to 0 and
//!   the scale grows without limit; use `InputStrength` there.
//!
//! Gap junctions couple `g_ij (x_j - x_i)` with `g_ij = g_ji = max(e_ij, e_ji) k_gap`, where
//! `e_ij` counts the electrical synapses listed from `i` to `j` (sources list a gap junction
//! once or once per direction, see [`ncm_data::Connectome`]). `k_gap` sets the largest total
//! conductance of one neuron, `max_i sum_j g_ij`, to `gap_gain` (in units of the leak).

use serde::{Deserialize, Serialize};

use ncm_data::{Connectome, SynapseKind};

use super::error::{SimulationError, non_negative, positive};
use super::input::Input;
use super::rate::{RateConfig, RateNetwork, RateSimulation};
use super::sparse::Csr;
use crate::circuit::{CellType, Circuit};

/// The GABAergic classes of the *C. elegans* hermaphrodite (McIntire et al. 1993).
pub const GABAERGIC_CLASSES: [&str; 6] = ["DD", "VD", "RME", "RIS", "AVL", "DVB"];

/// Scaling rule of the chemical weights; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Normalisation {
    /// Largest total absolute input weight of a neuron equals the gain.
    #[default]
    InputStrength,
    /// Upper bound on the spectral radius of `|W|` equals the gain.
    SpectralRadius,
}

/// Settings that turn a connectome into a rate network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectomeConfig {
    /// Classes whose outgoing chemical synapses are inhibitory (default
    /// [`GABAERGIC_CLASSES`]).
    pub inhibitory_classes: Vec<String>,
    /// Weight normalisation (default [`Normalisation::InputStrength`]).
    pub normalisation: Normalisation,
    /// Target of the normalisation, positive; below 1 for the stability guarantees
    /// (default 0.9).
    pub chemical_gain: f64,
    /// Largest total gap conductance of one neuron in units of the leak, 0 to leave gap
    /// junctions out (default 0.5).
    pub gap_gain: f64,
}

impl Default for ConnectomeConfig {
    fn default() -> Self {
        ConnectomeConfig {
            inhibitory_classes: GABAERGIC_CLASSES.iter().map(|c| c.to_string()).collect(),
            normalisation: Normalisation::InputStrength,
            chemical_gain: 0.9,
            gap_gain: 0.5,
        }
    }
}

/// A connectome turned into signed chemical weights (a [`Circuit`]) and symmetric gap
/// conductances, with the neuron names as labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectomeModel {
    circuit: Circuit,
    gap_conductance: Vec<f64>,
    names: Vec<String>,
    chemical_scale: f64,
    gap_scale: f64,
}

impl ConnectomeModel {
    /// Builds the model of `connectome` with `config`; see the module documentation.
    ///
    /// # Errors
    /// [`SimulationError::EmptyConnectome`] for a connectome without nodes,
    /// [`SimulationError::InvalidParameter`] for a non-positive `chemical_gain` or a negative
    /// `gap_gain`, and [`SimulationError::UnknownNeuronClass`] when inhibitory classes are
    /// given but none matches a neuron (a class that matches nothing while others match is
    /// logged as a warning, since a partial connectome may lack it).
    pub fn new(
        connectome: &Connectome,
        config: &ConnectomeConfig,
    ) -> Result<Self, SimulationError> {
        let n = connectome.node_count();
        if n == 0 {
            return Err(SimulationError::EmptyConnectome);
        }
        let chemical_gain = positive("chemical_gain", config.chemical_gain)?;
        let gap_gain = non_negative("gap_gain", config.gap_gain)?;
        let names = connectome.nodes().to_vec();
        let cell_types = cell_types(&names, &config.inhibitory_classes)?;

        // `adjacency` is pre x post; the circuit wants post x pre without self-loops.
        let counts = connectome.adjacency(SynapseKind::Chemical);
        let mut chemical = vec![0.0; n * n];
        for post in 0..n {
            for pre in (0..n).filter(|&pre| pre != post) {
                chemical[post * n + pre] = counts[pre * n + post];
            }
        }
        let chemical_scale = match config.normalisation {
            Normalisation::InputStrength => reciprocal_or_zero(max_row_sum(&chemical, n)),
            Normalisation::SpectralRadius => reciprocal_or_zero(perron_bounds(&chemical, n)?.upper),
        } * chemical_gain;
        let weights = (0..n * n)
            .map(|index| {
                let sign = match cell_types[index % n] {
                    CellType::Excitatory => 1.0,
                    CellType::Inhibitory => -1.0,
                };
                sign * chemical[index] * chemical_scale
            })
            .collect();
        let circuit = Circuit::new(weights, cell_types)?;

        let (gap_conductance, gap_scale) = gap_conductance(connectome, gap_gain);
        tracing::debug!(
            neurons = n,
            chemical_scale,
            gap_scale,
            "connectome model built"
        );
        Ok(ConnectomeModel {
            circuit,
            gap_conductance,
            names,
            chemical_scale,
            gap_scale,
        })
    }

    /// Signed chemical weights and cell types; its graph is the ground truth of the chemical
    /// network.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// Neuron names, in connectome node order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Symmetric gap conductances, row-major `n x n`, zero diagonal.
    pub fn gap_conductance(&self) -> &[f64] {
        &self.gap_conductance
    }

    /// Absolute weight of one chemical synapse, `k`.
    pub fn chemical_scale(&self) -> f64 {
        self.chemical_scale
    }

    /// Conductance of one gap junction, `k_gap`.
    pub fn gap_scale(&self) -> f64 {
        self.gap_scale
    }

    /// Prepares the rate network: chemical weights, gap junctions and names as labels.
    pub fn rate_network(&self) -> RateNetwork {
        let network = RateNetwork::from_circuit(&self.circuit)
            .with_labels(self.names.clone())
            .expect("one name per neuron");
        network
            .with_gap_junctions(&self.gap_conductance)
            .expect("gap conductances are built symmetric, finite and non-negative")
    }

    /// Simulates the rate network; see [`RateNetwork::simulate`].
    ///
    /// # Errors
    /// As [`RateNetwork::simulate`].
    pub fn simulate(
        &self,
        config: &RateConfig,
        input: &Input,
    ) -> Result<RateSimulation, SimulationError> {
        self.rate_network().simulate(config, input)
    }
}

/// Returns whether neuron `name` belongs to class `class`, that is, whether the name is the
/// class followed by nothing, by digits, or by one or two of the letters L, R, D, V.
pub fn in_class(name: &str, class: &str) -> bool {
    let Some(suffix) = name.trim().strip_prefix(class.trim()) else {
        return false;
    };
    suffix.is_empty()
        || suffix.bytes().all(|b| b.is_ascii_digit())
        || (suffix.len() <= 2 && suffix.bytes().all(|b| b"LRDV".contains(&b)))
}

fn cell_types(names: &[String], classes: &[String]) -> Result<Vec<CellType>, SimulationError> {
    let unmatched: Vec<&String> = classes
        .iter()
        .filter(|class| !names.iter().any(|name| in_class(name, class)))
        .collect();
    if !classes.is_empty() && unmatched.len() == classes.len() {
        return Err(SimulationError::UnknownNeuronClass {
            classes: classes.join(", "),
        });
    }
    for class in unmatched {
        tracing::warn!(%class, "inhibitory class matches no neuron of the connectome");
    }
    Ok(names
        .iter()
        .map(|name| {
            if classes.iter().any(|class| in_class(name, class)) {
                CellType::Inhibitory
            } else {
                CellType::Excitatory
            }
        })
        .collect())
}

/// Symmetric gap conductances scaled so the largest row sum is `gain`, and that scale.
fn gap_conductance(connectome: &Connectome, gain: f64) -> (Vec<f64>, f64) {
    let n = connectome.node_count();
    let listed = connectome.adjacency(SynapseKind::Electrical);
    let mut counts = vec![0.0; n * n];
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            counts[i * n + j] = listed[i * n + j].max(listed[j * n + i]);
        }
    }
    let scale = reciprocal_or_zero(max_row_sum(&counts, n)) * gain;
    (counts.into_iter().map(|c| c * scale).collect(), scale)
}

fn max_row_sum(matrix: &[f64], n: usize) -> f64 {
    matrix
        .chunks(n)
        .map(|row| row.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

fn reciprocal_or_zero(value: f64) -> f64 {
    if value > 0.0 { 1.0 / value } else { 0.0 }
}

/// Lower and upper bounds on the spectral radius of a non-negative matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerronBounds {
    /// `min_i (A x)_i / x_i`.
    pub lower: f64,
    /// `max_i (A x)_i / x_i`.
    pub upper: f64,
}

/// Iterations of [`perron_bounds`] at most.
pub const PERRON_ITERATIONS: usize = 1000;

/// Bounds the spectral radius of `|A|` for a row-major `n x n` matrix `A` by the
/// Collatz-Wielandt inequality `min_i (|A| x)_i / x_i <= rho(|A|) <= max_i (|A| x)_i / x_i`,
/// which holds for every positive vector `x`. The vector is refined by power iteration on
/// `|A| + I` (primitive, so the iteration converges for irreducible `|A|`) until the bounds
/// agree to a relative 1e-9 or after [`PERRON_ITERATIONS`] iterations. Since
/// `rho(A) <= rho(|A|)`, `upper` also bounds the spectral radius of `A` itself, and
/// `slope * upper` that of any linearisation `A diag(phi')` with `|phi'| <= slope`.
///
/// # Errors
/// [`SimulationError::MatrixShape`] unless `a` has `n * n` entries.
pub fn perron_bounds(a: &[f64], n: usize) -> Result<PerronBounds, SimulationError> {
    if a.len() != n * n {
        return Err(SimulationError::MatrixShape {
            what: "matrix",
            expected: n * n,
            found: a.len(),
        });
    }
    let abs = Csr::from_fn(n, |i, j| a[i * n + j].abs());
    let mut x = vec![1.0; n];
    let mut bounds = PerronBounds {
        lower: 0.0,
        upper: 0.0,
    };
    for _ in 0..PERRON_ITERATIONS {
        let y: Vec<f64> = (0..n).map(|i| abs.row_dot(i, &x)).collect();
        let ratios = y.iter().zip(&x).map(|(yi, xi)| yi / xi);
        bounds = PerronBounds {
            lower: ratios.clone().fold(f64::INFINITY, f64::min),
            upper: ratios.fold(0.0, f64::max),
        };
        if bounds.upper - bounds.lower <= 1e-9 * bounds.upper {
            break;
        }
        // One step with |A| + I keeps x positive; rescale to avoid overflow.
        let norm = y.iter().zip(&x).map(|(yi, xi)| yi + xi).fold(0.0, f64::max);
        for (xi, yi) in x.iter_mut().zip(&y) {
            *xi = (*xi + yi) / norm;
        }
    }
    if n == 0 {
        bounds.lower = 0.0;
    }
    Ok(bounds)
}
