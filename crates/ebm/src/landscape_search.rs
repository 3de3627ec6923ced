//! Energy landscapes of the pairwise maximum-entropy (Ising) model of Schneidman et al. 2006
//! (Nature 440:1007) beyond enumeration: the analysis of Ezaki et al. 2017 (Phil. Trans. R.
//! Soc. A 375:20160287) restricted to a set of states, for N up to several hundred.
//!
//! The searched set holds:
//!
//! 1. the data states and the model samples (for example from [`crate::gibbs_sample`]);
//! 2. every state on their single-flip descent paths. Descent is steepest, as in
//!    [`crate::energy_landscape`]: flip the spin with the most negative energy change
//!    Delta E_i = 2 s_i H_i (H_i = h_i + sum_j J_ij s_j), the lowest index on ties, until no
//!    flip lowers the energy. The end points are the local minima reported;
//! 3. bridge paths: each minimum is joined to its `bridge_neighbours` nearest minima (Hamming
//!    distance, then minimum order) by a greedy path that flips, one at a time, the
//!    differing spin whose flip gives the lowest energy.
//!
//! Barriers are minimax paths on the Hamming-1 graph restricted to the set. States are added
//! in order of increasing energy and joined to added neighbours with union-find, exactly as in
//! the exact method. The barrier between two minima is then the lowest possible maximum energy
//! on a single-flip path that stays in the set, an upper bound on the true barrier. Minima
//! that the set does not connect keep an infinite barrier and no merge. With all 2^N
//! states among the samples every step coincides with [`crate::energy_landscape`], and so do
//! the minima, energies, basins, barriers and merges.
//!
//! Basin sizes are estimated from the samples: the fraction of model samples whose descent
//! ends in each minimum estimates the Boltzmann probability of the basin.

use std::cmp::Ordering;
use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::landscape::{Dendrogram, DisjointSets, Merge, check_minima_count};
use crate::model::{IsingModel, validate_samples};

/// Settings of [`sampled_energy_landscape`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LandscapeSearchConfig {
    /// Nearest minima each minimum is joined to by a greedy bridge path; 0 adds no bridges.
    /// Default 8.
    pub bridge_neighbours: usize,
}

impl Default for LandscapeSearchConfig {
    fn default() -> Self {
        Self {
            bridge_neighbours: 8,
        }
    }
}

/// Local minima, estimated basins and barriers of an Ising model over a searched set of states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledLandscape {
    /// Number of spins N.
    pub n_spins: usize,
    /// The local minima as +-1 states, sorted by increasing energy, ties by the state index
    /// of [`crate::state_to_spins`] extended to more than 32 spins (higher spins compare first).
    pub minima: Vec<Vec<i8>>,
    /// Energy of each minimum.
    pub minima_energy: Vec<f64>,
    /// Distinct states of the data, the samples and their descent paths in each basin.
    pub basin_state_count: Vec<u64>,
    /// Fraction of the data samples whose descent ends in each minimum.
    pub basin_data_fraction: Vec<f64>,
    /// Fraction of the model samples whose descent ends in each minimum.
    pub basin_sample_fraction: Vec<f64>,
    /// k x k row-major barrier estimates (upper bounds); the diagonal is each minimum's
    /// energy and pairs not connected within the searched set are infinite.
    pub barrier: Vec<f64>,
    /// Joins of the disconnectivity graph in order of non-decreasing energy, numbered like a
    /// scipy linkage matrix. There are k - 1 of them when the set connects all minima.
    pub merges: Vec<Merge>,
    /// Number of distinct states in the searched set, bridges included.
    pub searched_states: usize,
}

/// Finds the local minima reached from `data` and `samples`, estimates basin sizes and
/// barriers, and builds the disconnectivity graph; see the module documentation.
///
/// # Shapes
/// - `data`, `samples`: row-major rows of N values +-1.
///
/// # Errors
/// Model errors from [`IsingModel::validate`], and for either buffer
/// [`crate::EbmError::EmptySamples`], [`crate::EbmError::SampleLengthMismatch`] and
/// [`crate::EbmError::InvalidSpin`], and [`crate::EbmError::TooManyMinima`] when the descents
/// end in more than [`crate::MAX_LANDSCAPE_MINIMA`] distinct minima.
pub fn sampled_energy_landscape(
    model: &IsingModel,
    data: &[i8],
    samples: &[i8],
    config: &LandscapeSearchConfig,
) -> Result<SampledLandscape> {
    model.validate()?;
    let n = model.n_spins();
    let n_data = validate_samples(data, n)?;
    let n_samples = validate_samples(samples, n)?;
    let words = n.div_ceil(64);

    let mut set = StateSet::new(words);
    let data_minimum = descend_all(model, data, &mut set);
    let sample_minimum = descend_all(model, samples, &mut set);

    // Minima are the fixed points of descent, ordered by (energy, state).
    let mut minima: Vec<u32> = set.basin.iter().flatten().copied().collect();
    minima.sort_unstable();
    minima.dedup();
    let mut minima_energy: Vec<(f64, u32)> = minima
        .iter()
        .map(|&id| (state_energy(model, set.state(id)), id))
        .collect();
    minima_energy.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then_with(|| compare_states(set.state(a.1), set.state(b.1)))
    });
    let minima: Vec<u32> = minima_energy.iter().map(|&(_, id)| id).collect();
    let position: HashMap<u32, usize> = minima.iter().enumerate().map(|(k, &id)| (id, k)).collect();

    let k = minima.len();
    check_minima_count(k)?;
    let mut basin_state_count = vec![0u64; k];
    for basin in set.basin.iter().flatten() {
        basin_state_count[position[basin]] += 1;
    }
    let fractions = |ends: &[u32], rows: usize| {
        let mut fraction = vec![0.0; k];
        ends.iter().for_each(|end| {
            fraction[position
                [&set.basin[*end as usize].expect("every data and sample state is descended")]] +=
                1.0
        });
        fraction.iter_mut().for_each(|f| *f /= rows as f64);
        fraction
    };
    let basin_data_fraction = fractions(&data_minimum, n_data);
    let basin_sample_fraction = fractions(&sample_minimum, n_samples);

    add_bridges(model, &mut set, &minima, config.bridge_neighbours);
    let energies: Vec<f64> = (0..set.len() as u32)
        .into_par_iter()
        .map(|id| state_energy(model, set.state(id)))
        .collect();
    let minima_energy: Vec<f64> = minima_energy.iter().map(|&(e, _)| e).collect();
    let graph = disconnectivity(&set, &energies, &position, &minima_energy, n);

    Ok(SampledLandscape {
        n_spins: n,
        minima: minima.iter().map(|&id| unpack(set.state(id), n)).collect(),
        minima_energy,
        basin_state_count,
        basin_data_fraction,
        basin_sample_fraction,
        barrier: graph.barrier,
        merges: graph.merges,
        searched_states: set.len(),
    })
}

/// Distinct packed states (bit i set means s_i = +1) with the minimum their descent reaches.
struct StateSet {
    words: usize,
    packed: Vec<u64>,
    /// Id of the descent end point, or `None` for bridge states, which are not descended.
    basin: Vec<Option<u32>>,
    index: HashMap<Box<[u64]>, u32>,
}

impl StateSet {
    fn new(words: usize) -> Self {
        Self {
            words,
            packed: Vec::new(),
            basin: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn len(&self) -> usize {
        self.basin.len()
    }

    fn state(&self, id: u32) -> &[u64] {
        &self.packed[id as usize * self.words..(id as usize + 1) * self.words]
    }

    fn get(&self, state: &[u64]) -> Option<u32> {
        self.index.get(state).copied()
    }

    /// Returns the id of `state`, inserting it when new.
    fn insert(&mut self, state: &[u64]) -> u32 {
        if let Some(id) = self.get(state) {
            return id;
        }
        let id = self.len() as u32;
        self.packed.extend_from_slice(state);
        self.basin.push(None);
        self.index.insert(state.into(), id);
        id
    }
}

/// Descends from every row, adds the paths to `set` and returns the end point id of each row.
fn descend_all(model: &IsingModel, rows: &[i8], set: &mut StateSet) -> Vec<u32> {
    let n = model.n_spins();
    let paths: Vec<Vec<Vec<u64>>> = rows
        .par_chunks_exact(n)
        .map(|row| descent_path(model, row))
        .collect();
    paths
        .iter()
        .map(|path| {
            let end = set.insert(path.last().expect("a descent path contains its start"));
            for state in path {
                let id = set.insert(state);
                set.basin[id as usize] = Some(end);
            }
            end
        })
        .collect()
}

/// Returns the packed states visited by steepest descent from `spins`, start and end included.
// NOTE: the flip is chosen by the energy change 2 s_i H_i, while the exact method compares
// full energies. The two can break a tie differently when two flips' energy changes agree to
// within rounding.
fn descent_path(model: &IsingModel, spins: &[i8]) -> Vec<Vec<u64>> {
    let n = model.n_spins();
    let mut state: Vec<f64> = spins.iter().map(|&s| f64::from(s)).collect();
    let mut local_field = local_fields(model, &state);
    let mut path = vec![pack(&state)];
    loop {
        let mut best = None;
        let mut best_change = 0.0;
        for i in 0..n {
            let change = 2.0 * state[i] * local_field[i];
            if change < best_change {
                best = Some(i);
                best_change = change;
            }
        }
        let Some(flip) = best else { return path };
        let old = state[flip];
        state[flip] = -old;
        let row = &model.coupling[flip * n..(flip + 1) * n];
        local_field
            .iter_mut()
            .zip(row)
            .for_each(|(field, j)| *field -= 2.0 * j * old);
        path.push(pack(&state));
    }
}

fn local_fields(model: &IsingModel, state: &[f64]) -> Vec<f64> {
    let n = model.n_spins();
    (0..n)
        .map(|i| {
            let row = &model.coupling[i * n..(i + 1) * n];
            model.field[i] + row.iter().zip(state).map(|(j, s)| j * s).sum::<f64>()
        })
        .collect()
}

/// Adds a greedy path from each minimum to each of its nearest other minima.
fn add_bridges(model: &IsingModel, set: &mut StateSet, minima: &[u32], neighbours: usize) {
    let n = model.n_spins();
    let k = minima.len();
    let mut pairs = Vec::new();
    for a in 0..k {
        let mut others: Vec<(u32, usize)> = (0..k)
            .filter(|&b| b != a)
            .map(|b| (hamming(set.state(minima[a]), set.state(minima[b])), b))
            .collect();
        others.sort_unstable();
        pairs.extend(
            others
                .iter()
                .take(neighbours)
                .map(|&(_, b)| (a.min(b), a.max(b))),
        );
    }
    pairs.sort_unstable();
    pairs.dedup();
    let paths: Vec<Vec<Vec<u64>>> = pairs
        .par_iter()
        .map(|&(a, b)| {
            greedy_path(
                model,
                &unpack(set.state(minima[a]), n),
                &unpack(set.state(minima[b]), n),
            )
        })
        .collect();
    for state in paths.iter().flatten() {
        set.insert(state);
    }
}

/// Flips the spins where `from` and `to` differ, each time the one whose flip gives the
/// lowest energy, and returns the intermediate states.
fn greedy_path(model: &IsingModel, from: &[i8], to: &[i8]) -> Vec<Vec<u64>> {
    let n = model.n_spins();
    let mut state: Vec<f64> = from.iter().map(|&s| f64::from(s)).collect();
    let mut local_field = local_fields(model, &state);
    let mut differing: Vec<usize> = (0..n).filter(|&i| from[i] != to[i]).collect();
    let mut path = Vec::with_capacity(differing.len());
    while differing.len() > 1 {
        let (slot, _) = differing
            .iter()
            .enumerate()
            .map(|(slot, &i)| (slot, 2.0 * state[i] * local_field[i]))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least two differing spins");
        let flip = differing.remove(slot);
        let old = state[flip];
        state[flip] = -old;
        let row = &model.coupling[flip * n..(flip + 1) * n];
        local_field
            .iter_mut()
            .zip(row)
            .for_each(|(field, j)| *field -= 2.0 * j * old);
        path.push(pack(&state));
    }
    path
}

/// Builds barriers and merges by adding the set's states in increasing energy order.
fn disconnectivity(
    set: &StateSet,
    energies: &[f64],
    position: &HashMap<u32, usize>,
    minima_energy: &[f64],
    n: usize,
) -> Dendrogram {
    let mut order: Vec<u32> = (0..set.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        energies[a as usize]
            .total_cmp(&energies[b as usize])
            .then_with(|| compare_states(set.state(a), set.state(b)))
    });
    let mut graph = Dendrogram::from_minima_energy(minima_energy);
    let mut sets = DisjointSets::new(set.len());
    let mut added = vec![false; set.len()];
    let mut cluster_of_root = vec![usize::MAX; set.len()];
    let mut neighbour_state = vec![0u64; set.words];
    for &id in &order {
        added[id as usize] = true;
        if let Some(&k) = position.get(&id) {
            cluster_of_root[id as usize] = k;
        }
        for i in 0..n {
            neighbour_state.copy_from_slice(set.state(id));
            neighbour_state[i / 64] ^= 1 << (i % 64);
            let Some(neighbour) = set.get(&neighbour_state) else {
                continue;
            };
            if !added[neighbour as usize] {
                continue;
            }
            let (root, root_neighbour) = (sets.find(id), sets.find(neighbour));
            if root == root_neighbour {
                continue;
            }
            let (cluster, cluster_neighbour) = (
                cluster_of_root[root as usize],
                cluster_of_root[root_neighbour as usize],
            );
            let joined = sets.union_roots(root, root_neighbour);
            cluster_of_root[joined as usize] = match (cluster, cluster_neighbour) {
                (usize::MAX, other) | (other, usize::MAX) => other,
                (a, b) => graph.merge(a, b, energies[id as usize]),
            };
        }
    }
    graph
}

/// Computes E(s) of a packed state with the same operations, in the same order, as
/// [`IsingModel::energy_of_index`], so that both give identical values.
fn state_energy(model: &IsingModel, state: &[u64]) -> f64 {
    let n = model.n_spins();
    let spin = |i: usize| {
        if (state[i / 64] >> (i % 64)) & 1 == 1 {
            1.0
        } else {
            -1.0
        }
    };
    let mut energy = 0.0;
    for i in 0..n {
        let row = &model.coupling[i * n..(i + 1) * n];
        let mut pair_sum = 0.0;
        for j in (i + 1)..n {
            pair_sum += row[j] * spin(j);
        }
        energy -= spin(i) * (model.field[i] + pair_sum);
    }
    energy
}

/// Orders packed states like their integer index: higher spins compare first.
fn compare_states(a: &[u64], b: &[u64]) -> Ordering {
    a.iter().rev().cmp(b.iter().rev())
}

fn hamming(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

fn pack(state: &[f64]) -> Vec<u64> {
    let mut packed = vec![0u64; state.len().div_ceil(64)];
    for (i, &s) in state.iter().enumerate() {
        if s > 0.0 {
            packed[i / 64] |= 1 << (i % 64);
        }
    }
    packed
}

fn unpack(packed: &[u64], n: usize) -> Vec<i8> {
    (0..n)
        .map(|i| {
            if (packed[i / 64] >> (i % 64)) & 1 == 1 {
                1
            } else {
                -1
            }
        })
        .collect()
}
