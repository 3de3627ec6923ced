//! Circuits with known connectivity: a signed weight matrix, a cell type per neuron (Dale's
//! law), optional positions, and the ground-truth directed graph with the motifs planted in it.
//!
//! Weights follow the rate-equation convention `dx/dt = -x + W φ(x) + I`: `W[post][pre]` is the
//! weight of the synapse from neuron `pre` onto neuron `post`, stored row-major by `post`.
//! The ground-truth graph has the arc `pre -> post` wherever that weight is non-zero.
//!
//! The generators build one circuit per canonical motif from a validated settings struct:
//! [`FeedforwardChainConfig`], [`FeedbackLoopConfig`], [`RecurrentExcitationConfig`],
//! [`LateralInhibitionConfig`], [`TopographicMapConfig`] and
//! [`DimensionalityExpansionConfig`], or any of them through [`MotifConfig`].
//! [`example_circuit`] builds a small default instance of each kind. [`CompositionConfig`]
//! and [`plant`] place motifs inside a random background network. Every generator scales its
//! weights so that the largest total absolute input of a neuron is `input_gain`
//! ([`DEFAULT_INPUT_GAIN`] = 0.9), which keeps rate dynamics with a 1-Lipschitz transfer
//! function stable.

mod build;
mod compose;
mod error;
mod expansion;
mod feedforward;
mod gallery;
mod lateral;
mod recurrent;
mod topographic;

pub use build::{DEFAULT_INPUT_GAIN, MAX_NEURONS};
pub use compose::{BackgroundConfig, BackgroundModel, CompositionConfig, MotifPlacement, plant};
pub use error::CircuitError;
pub use expansion::DimensionalityExpansionConfig;
pub use feedforward::{Connectivity, FeedbackLoopConfig, FeedbackSign, FeedforwardChainConfig};
pub use gallery::{MotifConfig, example_circuit};
pub use lateral::{LateralInhibitionConfig, LateralStructure};
pub use recurrent::{RecurrentExcitationConfig, RecurrentStructure};
pub use topographic::{MapLayout, TopographicMapConfig};

use serde::{Deserialize, Serialize};

use crate::graph::DiGraph;

/// Cell class of a neuron. Dale's law: every outgoing weight of an excitatory neuron is
/// positive or zero, and every outgoing weight of an inhibitory neuron is negative or zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CellType {
    /// Outgoing weights are `>= 0`.
    Excitatory,
    /// Outgoing weights are `<= 0`.
    Inhibitory,
}

/// The canonical circuit motifs that the generators build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MotifKind {
    /// Layered feedforward chain.
    FeedforwardChain,
    /// Feedforward chain with a projection from a higher stage back to a lower one.
    FeedbackLoop,
    /// Reciprocal excitatory pairs or clustered assemblies.
    RecurrentExcitation,
    /// Winner-take-all through a shared inhibitory pool, or centre-surround.
    LateralInhibition,
    /// Ring or 2-D sheet with distance-dependent connectivity.
    TopographicMap,
    /// Few inputs fanning out to many sparse expansion units.
    DimensionalityExpansion,
}

impl MotifKind {
    /// Every motif kind, in declaration order.
    pub const ALL: [MotifKind; 6] = [
        MotifKind::FeedforwardChain,
        MotifKind::FeedbackLoop,
        MotifKind::RecurrentExcitation,
        MotifKind::LateralInhibition,
        MotifKind::TopographicMap,
        MotifKind::DimensionalityExpansion,
    ];
}

/// One motif planted in a circuit: its kind, its nodes and the arcs that belong to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantedMotif {
    /// Which motif this is.
    pub kind: MotifKind,
    /// Circuit nodes the motif occupies, in the motif's own node order.
    pub nodes: Vec<usize>,
    /// Arcs `(pre, post)` of the motif, in circuit node ids.
    pub arcs: Vec<(usize, usize)>,
}

/// A circuit: validated signed weights, cell types, optional positions and planted motifs.
#[derive(Debug, Clone, PartialEq)]
pub struct Circuit {
    neuron_count: usize,
    weights: Vec<f64>,
    cell_types: Vec<CellType>,
    positions: Option<Vec<[f64; 2]>>,
    graph: DiGraph,
    motifs: Vec<PlantedMotif>,
}

impl Circuit {
    /// Builds a circuit from a row-major `n x n` weight matrix (`weights[post * n + pre]`) and
    /// one cell type per neuron.
    ///
    /// # Errors
    /// [`CircuitError::Empty`] for zero neurons, [`CircuitError::WeightShape`] if `weights` is
    /// not `n * n` long, [`CircuitError::NonFiniteWeight`] for NaN or infinite weights,
    /// [`CircuitError::SelfConnection`] for a non-zero diagonal, and
    /// [`CircuitError::DaleViolation`] if a weight's sign disagrees with its source's type.
    pub fn new(weights: Vec<f64>, cell_types: Vec<CellType>) -> Result<Self, CircuitError> {
        let n = cell_types.len();
        if n == 0 {
            return Err(CircuitError::Empty);
        }
        if weights.len() != n * n {
            return Err(CircuitError::WeightShape {
                len: weights.len(),
                neuron_count: n,
            });
        }
        let mut arcs = Vec::new();
        for post in 0..n {
            for pre in 0..n {
                let w = weights[post * n + pre];
                if !w.is_finite() {
                    return Err(CircuitError::NonFiniteWeight {
                        pre,
                        post,
                        value: w,
                    });
                }
                if w == 0.0 {
                    continue;
                }
                if pre == post {
                    return Err(CircuitError::SelfConnection {
                        neuron: pre,
                        value: w,
                    });
                }
                let allowed = match cell_types[pre] {
                    CellType::Excitatory => w > 0.0,
                    CellType::Inhibitory => w < 0.0,
                };
                if !allowed {
                    return Err(CircuitError::DaleViolation {
                        pre,
                        post,
                        value: w,
                        cell_type: cell_types[pre],
                    });
                }
                arcs.push((pre, post));
            }
        }
        arcs.sort_unstable();
        let graph = DiGraph::from_sorted_arcs(n, &arcs);
        Ok(Self {
            neuron_count: n,
            weights,
            cell_types,
            positions: None,
            graph,
            motifs: Vec::new(),
        })
    }

    /// Attaches one 2-D position per neuron. The generators use layout coordinates, except the
    /// ring of a topographic map, which uses `[angle, 0.0]` with the angle in radians.
    ///
    /// # Errors
    /// [`CircuitError::PositionCount`] if the count differs from the neuron count, and
    /// [`CircuitError::NonFinitePosition`] for a NaN or infinite coordinate.
    pub fn with_positions(mut self, positions: Vec<[f64; 2]>) -> Result<Self, CircuitError> {
        if positions.len() != self.neuron_count {
            return Err(CircuitError::PositionCount {
                len: positions.len(),
                neuron_count: self.neuron_count,
            });
        }
        if let Some(neuron) = positions
            .iter()
            .position(|p| !p[0].is_finite() || !p[1].is_finite())
        {
            return Err(CircuitError::NonFinitePosition { neuron });
        }
        self.positions = Some(positions);
        Ok(self)
    }

    /// Records planted motifs. Each motif's nodes must be distinct neurons of the circuit and
    /// each of its arcs an arc of the circuit.
    ///
    /// # Errors
    /// [`CircuitError::MotifNodeOutOfRange`], [`CircuitError::MotifNodeRepeated`] or
    /// [`CircuitError::MotifArcMissing`].
    pub fn with_motifs(mut self, motifs: Vec<PlantedMotif>) -> Result<Self, CircuitError> {
        for (index, motif) in motifs.iter().enumerate() {
            if let Some(&node) = motif.nodes.iter().find(|&&v| v >= self.neuron_count) {
                return Err(CircuitError::MotifNodeOutOfRange {
                    motif: index,
                    node,
                    neuron_count: self.neuron_count,
                });
            }
            let mut seen = vec![false; self.neuron_count];
            for &node in &motif.nodes {
                if std::mem::replace(&mut seen[node], true) {
                    return Err(CircuitError::MotifNodeRepeated { motif: index, node });
                }
            }
            if let Some(&(pre, post)) = motif
                .arcs
                .iter()
                .find(|&&(pre, post)| !self.graph.has_edge(pre, post))
            {
                return Err(CircuitError::MotifArcMissing {
                    motif: index,
                    pre,
                    post,
                });
            }
        }
        self.motifs = motifs;
        Ok(self)
    }

    /// Number of neurons.
    pub fn neuron_count(&self) -> usize {
        self.neuron_count
    }

    /// Row-major weights, `weights()[post * n + pre]`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Weight of the synapse `pre -> post`, or `None` for an out-of-range neuron.
    pub fn weight(&self, pre: usize, post: usize) -> Option<f64> {
        (pre < self.neuron_count && post < self.neuron_count)
            .then(|| self.weights[post * self.neuron_count + pre])
    }

    /// Cell type of each neuron.
    pub fn cell_types(&self) -> &[CellType] {
        &self.cell_types
    }

    /// Positions, when the circuit has a spatial layout.
    pub fn positions(&self) -> Option<&[[f64; 2]]> {
        self.positions.as_deref()
    }

    /// Ground-truth directed graph: `pre -> post` for every non-zero weight.
    pub fn graph(&self) -> &DiGraph {
        &self.graph
    }

    /// Motifs planted in the circuit, with the arcs that belong to each.
    pub fn motifs(&self) -> &[PlantedMotif] {
        &self.motifs
    }

    /// Arcs that no planted motif lists, in lexicographic `(pre, post)` order.
    pub fn background_arcs(&self) -> Vec<(usize, usize)> {
        let motif_arcs: std::collections::HashSet<(usize, usize)> = self
            .motifs
            .iter()
            .flat_map(|motif| motif.arcs.iter().copied())
            .collect();
        self.graph
            .edges()
            .filter(|arc| !motif_arcs.contains(arc))
            .collect()
    }

    /// Largest total absolute input of a neuron, `max_post Σ_pre |W[post][pre]|`. It bounds
    /// the spectral radius of the weights, and below 1 it makes rate dynamics with a
    /// 1-Lipschitz transfer function contracting (see [`DEFAULT_INPUT_GAIN`]).
    pub fn max_input_sum(&self) -> f64 {
        build::max_abs_row_sum(&self.weights, self.neuron_count)
    }

    /// Consumes the circuit and returns its weights, cell types and positions.
    pub fn into_parts(self) -> (Vec<f64>, Vec<CellType>, Option<Vec<[f64; 2]>>) {
        (self.weights, self.cell_types, self.positions)
    }
}
