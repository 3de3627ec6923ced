//! Energy landscape analysis of Ezaki et al. 2017 (Phil. Trans. R. Soc. A 375:20160287) for the
//! Ising energy E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j, exact by enumeration of all
//! 2^N states (N <= 20) on the hypercube whose edges are single spin flips.
//!
//! - A local minimum is a state with no single-flip neighbour of strictly lower energy. When
//!   energies are distinct this means lower than every neighbour. On an exact plateau every
//!   state of the plateau is a minimum, and they merge at their common energy. A flat model
//!   (all fields and couplings 0) therefore has 2^N minima; above
//!   [`crate::MAX_LANDSCAPE_MINIMA`] the analysis returns [`crate::EbmError::TooManyMinima`]
//!   instead of allocating the k x k barrier matrix.
//! - Basins come from steepest descent: each state moves to its lowest-energy neighbour while
//!   that neighbour is strictly lower. Among equally low neighbours the one that flips the
//!   lowest spin index wins.
//! - The barrier between minima a and b is min over single-flip paths from a to b of the
//!   maximum energy on the path. States are added in order of increasing energy (ties by
//!   state index) and joined to already-added neighbours with union-find. The energy at which
//!   the components of a and b join is their barrier.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{EbmError, MAX_LANDSCAPE_MINIMA, Result};
use crate::model::{IsingModel, spins_to_state, validate_enumerable, validate_samples};

/// One join in the disconnectivity graph, numbered like a scipy linkage matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merge {
    /// Cluster id of the left child (0..k are minima, k + i is the cluster made by merge i).
    pub left: usize,
    /// Cluster id of the right child; always larger than `left`.
    pub right: usize,
    /// Energy of the saddle state at which the two clusters join.
    pub energy: f64,
    /// Number of minima in the new cluster (the fourth column of a scipy linkage matrix).
    pub minima_count: usize,
}

/// Local minima, basins and barriers of an Ising model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyLandscape {
    /// Number of spins N.
    pub n_spins: usize,
    /// State indices of the local minima, sorted by increasing energy (ties by index).
    pub minima: Vec<u32>,
    /// Energy of each minimum.
    pub minima_energy: Vec<f64>,
    /// For every state index, the position in `minima` of the minimum its descent reaches.
    pub basin_of_state: Vec<u32>,
    /// Number of states in each basin.
    pub basin_state_count: Vec<u64>,
    /// Fraction of the data samples that lie in each basin.
    pub basin_data_fraction: Vec<f64>,
    /// k x k row-major saddle energies between minima; the diagonal is each minimum's energy.
    /// Takes 8 k^2 bytes.
    pub barrier: Vec<f64>,
    /// The k - 1 joins of the disconnectivity graph in order of non-decreasing energy.
    pub merges: Vec<Merge>,
}

/// Computes minima, basins, basin occupation by the data, barriers and the disconnectivity
/// graph of `model`, with `samples` a row-major samples x N buffer of +-1 values.
///
/// # Errors
/// [`crate::EbmError::TooManySpins`] for N > 20 and the sample errors
/// ([`crate::EbmError::EmptySamples`], [`crate::EbmError::SampleLengthMismatch`],
/// [`crate::EbmError::InvalidSpin`]), model errors from [`IsingModel::validate`], and
/// [`crate::EbmError::TooManyMinima`] above [`MAX_LANDSCAPE_MINIMA`] minima, which a flat
/// model (for example all fields and couplings 0) produces.
pub fn energy_landscape(model: &IsingModel, samples: &[i8]) -> Result<EnergyLandscape> {
    model.validate()?;
    let n = model.n_spins();
    validate_enumerable(n)?;
    let n_samples = validate_samples(samples, n)?;

    let n_states = 1u32 << n;
    let energies: Vec<f64> = (0..n_states)
        .into_par_iter()
        .map(|x| model.energy_of_index_unchecked(x))
        .collect();
    let descent = descent_targets(&energies, n);
    let order = increasing_energy_order(&energies);

    let minima: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&x| descent[x as usize] == x)
        .collect();
    check_minima_count(minima.len())?;
    let minima_energy: Vec<f64> = minima.iter().map(|&x| energies[x as usize]).collect();
    let basin_of_state = assign_basins(&order, &descent, &minima);

    let mut basin_state_count = vec![0u64; minima.len()];
    for &basin in &basin_of_state {
        basin_state_count[basin as usize] += 1;
    }
    let mut basin_data_fraction = vec![0.0; minima.len()];
    for row in samples.chunks_exact(n) {
        basin_data_fraction[basin_of_state[spins_to_state(row) as usize] as usize] += 1.0;
    }
    basin_data_fraction
        .iter_mut()
        .for_each(|f| *f /= n_samples as f64);

    let (barrier, merges) = disconnectivity(&energies, &order, &minima, &basin_of_state, n);
    Ok(EnergyLandscape {
        n_spins: n,
        minima,
        minima_energy,
        basin_of_state,
        basin_state_count,
        basin_data_fraction,
        barrier,
        merges,
    })
}

/// Rejects more than [`MAX_LANDSCAPE_MINIMA`] minima before the k x k barrier matrix is made.
pub(crate) fn check_minima_count(minima: usize) -> Result<()> {
    if minima > MAX_LANDSCAPE_MINIMA {
        return Err(EbmError::TooManyMinima {
            minima,
            max: MAX_LANDSCAPE_MINIMA,
        });
    }
    Ok(())
}

/// For every state, its lowest strictly lower neighbour (lowest flipped bit on ties), or
/// itself when no neighbour is strictly lower.
fn descent_targets(energies: &[f64], n: usize) -> Vec<u32> {
    (0..energies.len() as u32)
        .into_par_iter()
        .map(|x| {
            let mut best = x;
            let mut best_energy = energies[x as usize];
            for i in 0..n {
                let neighbour = x ^ (1 << i);
                if energies[neighbour as usize] < best_energy {
                    best = neighbour;
                    best_energy = energies[neighbour as usize];
                }
            }
            best
        })
        .collect()
}

/// State indices sorted by increasing energy, ties by index.
fn increasing_energy_order(energies: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..energies.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        energies[a as usize]
            .total_cmp(&energies[b as usize])
            .then(a.cmp(&b))
    });
    order
}

/// Follows descent to a minimum for every state. Processing states in increasing energy order
/// means each descent target already has its basin.
fn assign_basins(order: &[u32], descent: &[u32], minima: &[u32]) -> Vec<u32> {
    let mut basin = vec![u32::MAX; descent.len()];
    for (position, &x) in minima.iter().enumerate() {
        basin[x as usize] = position as u32;
    }
    for &x in order {
        let target = descent[x as usize];
        if target != x {
            basin[x as usize] = basin[target as usize];
        }
    }
    basin
}

/// Union-find over states with path halving and union by size.
pub(crate) struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    pub(crate) fn new(len: usize) -> Self {
        Self {
            parent: (0..len as u32).collect(),
            size: vec![1; len],
        }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Joins two distinct roots and returns the new root.
    pub(crate) fn union_roots(&mut self, a: u32, b: u32) -> u32 {
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        big
    }
}

/// Builds the barrier matrix and the scipy-style merge list by adding states in increasing
/// energy order.
fn disconnectivity(
    energies: &[f64],
    order: &[u32],
    minima: &[u32],
    basin_of_state: &[u32],
    n: usize,
) -> (Vec<f64>, Vec<Merge>) {
    let k = minima.len();
    let mut graph = Dendrogram::new(minima, energies);
    let mut sets = DisjointSets::new(energies.len());
    let mut added = vec![false; energies.len()];
    // Cluster id of each component root; minima start their own component.
    let mut cluster_of_root = vec![usize::MAX; energies.len()];
    for &x in order {
        let energy = energies[x as usize];
        added[x as usize] = true;
        if minima.get(basin_of_state[x as usize] as usize) == Some(&x) {
            cluster_of_root[x as usize] = basin_of_state[x as usize] as usize;
        }
        for i in 0..n {
            let neighbour = x ^ (1 << i);
            if !added[neighbour as usize] {
                continue;
            }
            let root_x = sets.find(x);
            let root_neighbour = sets.find(neighbour);
            if root_x == root_neighbour {
                continue;
            }
            let cluster_x = cluster_of_root[root_x as usize];
            let cluster_neighbour = cluster_of_root[root_neighbour as usize];
            let root = sets.union_roots(root_x, root_neighbour);
            cluster_of_root[root as usize] = if cluster_x == usize::MAX {
                cluster_neighbour
            } else {
                graph.merge(cluster_x, cluster_neighbour, energy)
            };
        }
    }
    debug_assert_eq!(graph.merges.len(), k.saturating_sub(1));
    (graph.barrier, graph.merges)
}

/// Merge list and barrier matrix under construction. Pairs of minima that never join keep
/// an infinite barrier.
pub(crate) struct Dendrogram {
    k: usize,
    members: Vec<Vec<usize>>,
    pub(crate) barrier: Vec<f64>,
    pub(crate) merges: Vec<Merge>,
}

impl Dendrogram {
    fn new(minima: &[u32], energies: &[f64]) -> Self {
        let minima_energy: Vec<f64> = minima.iter().map(|&x| energies[x as usize]).collect();
        Self::from_minima_energy(&minima_energy)
    }

    pub(crate) fn from_minima_energy(minima_energy: &[f64]) -> Self {
        let k = minima_energy.len();
        let mut barrier = vec![f64::INFINITY; k * k];
        for (a, &energy) in minima_energy.iter().enumerate() {
            barrier[a * k + a] = energy;
        }
        Self {
            k,
            members: (0..k).map(|a| vec![a]).collect(),
            barrier,
            merges: Vec::new(),
        }
    }

    /// Joins clusters `a` and `b` at `energy` and returns the new cluster id.
    pub(crate) fn merge(&mut self, a: usize, b: usize, energy: f64) -> usize {
        let (left, right) = (a.min(b), a.max(b));
        let left_members = std::mem::take(&mut self.members[left]);
        let right_members = std::mem::take(&mut self.members[right]);
        for &p in &left_members {
            for &q in &right_members {
                self.barrier[p * self.k + q] = energy;
                self.barrier[q * self.k + p] = energy;
            }
        }
        let mut joined = left_members;
        joined.extend(right_members);
        self.merges.push(Merge {
            left,
            right,
            energy,
            minima_count: joined.len(),
        });
        self.members.push(joined);
        self.k + self.merges.len() - 1
    }
}
