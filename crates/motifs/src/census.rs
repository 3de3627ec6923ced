//! Exact directed triad census with the 16 Holland–Leinhardt isomorphism classes.
//!
//! The counting follows Batagelj & Mrvar (2001), "A subquadratic triad census algorithm for
//! large sparse networks with small maximum degree", Social Networks 23:237–243. It visits
//! each adjacent pair once and scans the union of the two neighbourhoods, so the work is
//! O(m·Δ) for m arcs and maximum degree Δ. Triads with no arc (class 003) are not visited but
//! obtained as C(n,3) minus the rest.

use rayon::prelude::*;
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::error::MotifError;
use crate::graph::{ARC_IN, ARC_OUT, DiGraph, Neighbourhoods};

/// Names of the 16 triad classes in the standard order, following the MAN notation of
/// Holland & Leinhardt: counts of Mutual, Asymmetric and Null dyads, then a letter for
/// Down, Up, Cyclic or Transitive. The class definitions match networkx 3.6.1
/// `triadic_census`, for example 111D is `A <-> B <- C` and 111U is `A <-> B -> C`.
pub const TRIAD_CLASSES: [&str; 16] = [
    "003", "012", "102", "021D", "021U", "021C", "111D", "111U", "030T", "030C", "201", "120D",
    "120U", "120C", "210", "300",
];

/// Triad class counts of one graph, indexed like [`TRIAD_CLASSES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriadCensus {
    node_count: usize,
    counts: [u64; 16],
}

impl TriadCensus {
    /// Counts indexed like [`TRIAD_CLASSES`].
    pub fn counts(&self) -> &[u64; 16] {
        &self.counts
    }

    /// Count of the class named `class` (for example `"030T"`), or `None` for an unknown name.
    pub fn count(&self, class: &str) -> Option<u64> {
        triad_class_index(class).map(|index| self.counts[index])
    }

    /// Number of nodes of the graph that was counted.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Sum of all counts, which equals C(n,3) for n nodes.
    pub fn total(&self) -> u64 {
        // The census constructor checked that C(n,3) fits in u64, so this sum cannot wrap.
        self.counts.iter().sum()
    }

    /// Pairs of class name and count in the order of [`TRIAD_CLASSES`].
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        TRIAD_CLASSES
            .iter()
            .copied()
            .zip(self.counts.iter().copied())
    }
}

/// Serialises as `{"node_count": n, "counts": {"003": .., "012": .., ...}}`.
impl Serialize for TriadCensus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("TriadCensus", 2)?;
        state.serialize_field("node_count", &self.node_count)?;
        state.serialize_field("counts", &ClassCounts(&self.counts))?;
        state.end()
    }
}

/// Serialises a 16-entry count array as a map from class name to count.
struct ClassCounts<'a>(&'a [u64; 16]);

impl Serialize for ClassCounts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(16))?;
        for (name, count) in TRIAD_CLASSES.iter().zip(self.0.iter()) {
            map.serialize_entry(name, count)?;
        }
        map.end()
    }
}

/// Position of the class named `class` in [`TRIAD_CLASSES`].
pub fn triad_class_index(class: &str) -> Option<usize> {
    TRIAD_CLASSES.iter().position(|&name| name == class)
}

/// Number of unordered node triples, C(n,3), or `None` if it exceeds `u64::MAX`.
pub fn triple_count(node_count: usize) -> Option<u64> {
    let n = u128::try_from(node_count).ok()?;
    if n < 3 {
        return Some(0);
    }
    let product = n.checked_mul(n - 1)?.checked_mul(n - 2)?;
    u64::try_from(product / 6).ok()
}

/// Largest node count whose C(n,3) fits in `u64`.
fn max_census_node_count() -> usize {
    let (mut low, mut high) = (3_usize, 1_usize << 32);
    while low + 1 < high {
        let middle = low + (high - low) / 2;
        if triple_count(middle).is_some() {
            low = middle
        } else {
            high = middle
        }
    }
    low
}

/// Computes the exact directed triad census of `graph`.
///
/// Nodes are processed in parallel with rayon and the per-node counts are summed as
/// integers, so the result does not depend on the thread count.
///
/// # Errors
/// [`MotifError::TooManyNodes`] if C(n,3) exceeds `u64::MAX` (n above about 4.8 million).
pub fn triad_census(graph: &DiGraph) -> Result<TriadCensus, MotifError> {
    let node_count = graph.node_count();
    let Some(triples) = triple_count(node_count) else {
        return Err(MotifError::TooManyNodes {
            node_count,
            max_node_count: max_census_node_count(),
        });
    };

    let neighbourhoods = Neighbourhoods::new(graph);
    let mut counts = (0..node_count)
        .into_par_iter()
        .with_min_len(64)
        .fold(
            || [0_u64; 16],
            |mut counts, v| {
                count_triads_from(&neighbourhoods, v, &mut counts);
                counts
            },
        )
        .reduce(
            || [0_u64; 16],
            |mut left, right| {
                left.iter_mut().zip(right).for_each(|(l, r)| *l += r);
                left
            },
        );

    let connected: u64 = counts[1..].iter().sum();
    counts[0] = triples - connected;
    Ok(TriadCensus { node_count, counts })
}

/// Adds to `counts` the connected triads that the Batagelj–Mrvar scheme assigns to `v`.
///
/// For each neighbour `u > v`, every triad `{v, u, w}` is counted once: the dyadic ones
/// (no arc touching `w`) in bulk, and a connected third node `w` only if `u < w`, or if
/// `v < w < u` and `w` is not adjacent to `v`. Any other `w` is counted from another pair.
fn count_triads_from(neighbourhoods: &Neighbourhoods, v: usize, counts: &mut [u64; 16]) {
    let node_count = neighbourhoods.node_count as u64;
    let near_v = neighbourhoods.of(v);
    for &(u, arcs_vu) in near_v.iter().filter(|&&(u, _)| u > v) {
        let near_u = neighbourhoods.of(u);
        // Bit 0 is v -> u and bit 1 is u -> v, which is the layout of `arcs_vu`.
        let dyad_code = arcs_vu as usize;
        let mut union_size = 0_u64;
        for_each_third_node(near_v, near_u, v, u, |w, arcs_vw, arcs_uw| {
            union_size += 1;
            if u < w || (v < w && w < u && arcs_vw == 0) {
                let code = dyad_code | ((arcs_vw as usize) << 2) | ((arcs_uw as usize) << 4);
                counts[TRIAD_CLASS_BY_CODE[code] as usize] += 1;
            }
        });
        let dyadic_class = if arcs_vu == ARC_OUT | ARC_IN { 2 } else { 1 };
        counts[dyadic_class] += node_count - union_size - 2;
    }
}

/// Calls `visit(w, arcs_vw, arcs_uw)` for each node `w` adjacent to `v` or `u`, other than
/// `v` and `u`, where `arcs_xw` contains the `ARC_*` bits of `w` seen from `x` (0 if not adjacent).
fn for_each_third_node(
    near_v: &[(usize, u8)],
    near_u: &[(usize, u8)],
    v: usize,
    u: usize,
    mut visit: impl FnMut(usize, u8, u8),
) {
    let (mut i, mut j) = (0, 0);
    while i < near_v.len() || j < near_u.len() {
        let (from_v, bits_v) = near_v.get(i).copied().unwrap_or((usize::MAX, 0));
        let (from_u, bits_u) = near_u.get(j).copied().unwrap_or((usize::MAX, 0));
        let w = from_v.min(from_u);
        let arcs_vw = if from_v == w {
            i += 1;
            bits_v
        } else {
            0
        };
        let arcs_uw = if from_u == w {
            j += 1;
            bits_u
        } else {
            0
        };
        if w != v && w != u {
            visit(w, arcs_vw, arcs_uw);
        }
    }
}

/// Triad class index (into [`TRIAD_CLASSES`]) for each 6-bit arc code of an ordered triple
/// `(v, u, w)`. Bits 0..6 are the arcs v→u, u→v, v→w, w→v, u→w, w→u.
const TRIAD_CLASS_BY_CODE: [u8; 64] = build_class_table();

/// Triad class index of a 6-bit arc code laid out like [`CODE_ARCS`].
pub(crate) fn triad_class_of_code(code: u8) -> u8 {
    TRIAD_CLASS_BY_CODE[usize::from(code & 0b11_1111)]
}

const fn build_class_table() -> [u8; 64] {
    let mut table = [0_u8; 64];
    let mut code = 0;
    while code < 64 {
        table[code] = classify_code(code as u8);
        code += 1;
    }
    table
}

/// Arcs of a 6-bit code as `(source, target)` over local nodes 0 = v, 1 = u, 2 = w.
pub(crate) const CODE_ARCS: [(usize, usize); 6] = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)];

/// Classifies one triad by its MAN dyad counts and the orientation of its asymmetric arcs.
const fn classify_code(code: u8) -> u8 {
    let mut mutual = 0;
    let mut asymmetric = 0;
    // Out- and in-degree of each local node, counting asymmetric arcs only.
    let mut out_degree = [0_u8; 3];
    let mut in_degree = [0_u8; 3];
    // Local nodes of the last mutual pair seen, read only when there is exactly one.
    let mut mutual_pair = (0, 0);

    let mut pair = 0;
    while pair < 3 {
        let forward = (code >> (2 * pair)) & 1 == 1;
        let backward = (code >> (2 * pair + 1)) & 1 == 1;
        let (a, b) = CODE_ARCS[2 * pair];
        if forward && backward {
            mutual += 1;
            mutual_pair = (a, b);
        } else if forward || backward {
            asymmetric += 1;
            let (source, target) = if forward { (a, b) } else { (b, a) };
            out_degree[source] += 1;
            in_degree[target] += 1;
        }
        pair += 1;
    }

    let has_out_star = out_degree[0] == 2 || out_degree[1] == 2 || out_degree[2] == 2;
    let has_in_star = in_degree[0] == 2 || in_degree[1] == 2 || in_degree[2] == 2;

    match (mutual, asymmetric) {
        (0, 0) => 0,
        (0, 1) => 1,
        (1, 0) => 2,
        (0, 2) if has_out_star => 3,
        (0, 2) if has_in_star => 4,
        (0, 2) => 5,
        // 111D: the asymmetric arc points into the mutual pair (A <-> B <- C).
        (1, 1) if in_degree[mutual_pair.0] == 1 || in_degree[mutual_pair.1] == 1 => 6,
        (1, 1) => 7,
        (0, 3) if has_out_star => 8,
        (0, 3) => 9,
        (2, 0) => 10,
        (1, 2) if has_out_star => 11,
        (1, 2) if has_in_star => 12,
        (1, 2) => 13,
        (2, 1) => 14,
        _ => 15,
    }
}
