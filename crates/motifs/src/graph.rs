//! Simple directed graphs in compressed sparse row (CSR) form, with out- and in-adjacency,
//! unsigned ([`DiGraph`]) or with excitatory and inhibitory arcs ([`SignedDiGraph`]).

use serde::{Deserialize, Serialize};

use crate::error::MotifError;

/// Simple directed graph over nodes `0..node_count`: no self-loops and no parallel arcs.
///
/// Out- and in-neighbour lists are stored in CSR form and sorted ascending, so arc lookups use
/// binary search and [`DiGraph::edges`] yields arcs in lexicographic `(source, target)` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiGraph {
    node_count: usize,
    out_offsets: Vec<usize>,
    out_targets: Vec<usize>,
    in_offsets: Vec<usize>,
    in_sources: Vec<usize>,
}

impl DiGraph {
    /// Builds a graph on `node_count` nodes from `(source, target)` arcs.
    ///
    /// Duplicate arcs are kept once. Self-loops (`(v, v)`) are dropped, because a simple
    /// digraph has none and neither the triad census nor the null models use them.
    ///
    /// # Errors
    /// [`MotifError::NodeOutOfRange`] if an endpoint is `>= node_count`.
    pub fn from_edges(node_count: usize, edges: &[(usize, usize)]) -> Result<Self, MotifError> {
        let mut arcs = Vec::with_capacity(edges.len());
        let mut self_loops = 0_usize;
        for &(source, target) in edges {
            if let Some(node) = [source, target].into_iter().find(|&v| v >= node_count) {
                return Err(MotifError::NodeOutOfRange {
                    edge_source: source,
                    edge_target: target,
                    node,
                    node_count,
                });
            }
            if source == target {
                self_loops += 1;
            } else {
                arcs.push((source, target));
            }
        }
        if self_loops > 0 {
            tracing::debug!(self_loops, "dropped self-loops while building DiGraph");
        }
        arcs.sort_unstable();
        arcs.dedup();
        Ok(Self::from_sorted_arcs(node_count, &arcs))
    }

    /// Builds the CSR arrays from arcs that are in range, loop-free, sorted and deduplicated.
    pub(crate) fn from_sorted_arcs(node_count: usize, arcs: &[(usize, usize)]) -> Self {
        let mut out_offsets = vec![0_usize; node_count + 1];
        let mut in_offsets = vec![0_usize; node_count + 1];
        for &(source, target) in arcs {
            out_offsets[source + 1] += 1;
            in_offsets[target + 1] += 1;
        }
        for v in 0..node_count {
            out_offsets[v + 1] += out_offsets[v];
            in_offsets[v + 1] += in_offsets[v];
        }

        let out_targets: Vec<usize> = arcs.iter().map(|&(_, target)| target).collect();
        // Arcs arrive sorted by source, so filling each in-list in arrival order keeps it sorted.
        let mut in_sources = vec![0_usize; arcs.len()];
        let mut next_slot = in_offsets[..node_count].to_vec();
        for &(source, target) in arcs {
            in_sources[next_slot[target]] = source;
            next_slot[target] += 1;
        }

        Self {
            node_count,
            out_offsets,
            out_targets,
            in_offsets,
            in_sources,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Number of arcs, where a reciprocal pair counts as two.
    pub fn edge_count(&self) -> usize {
        self.out_targets.len()
    }

    /// Reports whether the arc `source -> target` exists. Out-of-range nodes have no arcs.
    pub fn has_edge(&self, source: usize, target: usize) -> bool {
        source < self.node_count && self.out_neighbours(source).binary_search(&target).is_ok()
    }

    /// Targets of the arcs leaving `node`, sorted ascending, or empty for an out-of-range node.
    pub fn out_neighbours(&self, node: usize) -> &[usize] {
        Self::row(&self.out_offsets, &self.out_targets, node)
    }

    /// Sources of the arcs entering `node`, sorted ascending, or empty for an out-of-range node.
    pub fn in_neighbours(&self, node: usize) -> &[usize] {
        Self::row(&self.in_offsets, &self.in_sources, node)
    }

    /// Number of arcs leaving `node`.
    pub fn out_degree(&self, node: usize) -> usize {
        self.out_neighbours(node).len()
    }

    /// Number of arcs entering `node`.
    pub fn in_degree(&self, node: usize) -> usize {
        self.in_neighbours(node).len()
    }

    /// Number of neighbours of `node` joined to it by arcs in both directions.
    pub fn mutual_degree(&self, node: usize) -> usize {
        count_common(self.out_neighbours(node), self.in_neighbours(node))
    }

    /// Number of reciprocal (mutual) pairs `{u, v}` with both `u -> v` and `v -> u`.
    pub fn mutual_edge_count(&self) -> usize {
        let twice: usize = (0..self.node_count).map(|v| self.mutual_degree(v)).sum();
        twice / 2
    }

    /// Iterates over all arcs as `(source, target)` in lexicographic order.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.node_count).flat_map(move |source| {
            self.out_neighbours(source)
                .iter()
                .map(move |&t| (source, t))
        })
    }

    fn row<'a>(offsets: &[usize], values: &'a [usize], node: usize) -> &'a [usize] {
        if node >= offsets.len().saturating_sub(1) {
            return &[];
        }
        &values[offsets[node]..offsets[node + 1]]
    }
}

/// Sign of a synaptic arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sign {
    /// Excitatory arc.
    Excitatory,
    /// Inhibitory arc.
    Inhibitory,
}

/// Simple directed graph whose arcs are each excitatory or inhibitory.
///
/// The excitatory and inhibitory arcs form two simple digraphs over the same nodes that share
/// no arc; [`SignedDiGraph::graph`] is their union, which the censuses count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDiGraph {
    excitatory: DiGraph,
    inhibitory: DiGraph,
    graph: DiGraph,
}

impl SignedDiGraph {
    /// Builds a signed graph on `node_count` nodes from `(source, target, sign)` arcs.
    ///
    /// Duplicates with the same sign are kept once and self-loops are dropped, as in
    /// [`DiGraph::from_edges`].
    ///
    /// # Errors
    /// [`MotifError::NodeOutOfRange`] if an endpoint is `>= node_count`, and
    /// [`MotifError::ConflictingSign`] if one arc is given both signs.
    pub fn from_signed_edges(
        node_count: usize,
        edges: &[(usize, usize, Sign)],
    ) -> Result<Self, MotifError> {
        let arcs_of = |wanted: Sign| -> Vec<(usize, usize)> {
            edges
                .iter()
                .filter(|&&(_, _, sign)| sign == wanted)
                .map(|&(source, target, _)| (source, target))
                .collect()
        };
        let excitatory = DiGraph::from_edges(node_count, &arcs_of(Sign::Excitatory))?;
        let inhibitory = DiGraph::from_edges(node_count, &arcs_of(Sign::Inhibitory))?;
        Self::from_parts(excitatory, inhibitory)
    }

    /// Combines an excitatory and an inhibitory graph over the same nodes.
    ///
    /// # Errors
    /// [`MotifError::NodeCountMismatch`] if the node counts differ, and
    /// [`MotifError::ConflictingSign`] if an arc is in both.
    pub fn from_parts(excitatory: DiGraph, inhibitory: DiGraph) -> Result<Self, MotifError> {
        let node_count = excitatory.node_count();
        if inhibitory.node_count() != node_count {
            return Err(MotifError::NodeCountMismatch {
                excitatory: node_count,
                inhibitory: inhibitory.node_count(),
            });
        }
        if let Some((edge_source, edge_target)) =
            excitatory.edges().find(|&(s, t)| inhibitory.has_edge(s, t))
        {
            return Err(MotifError::ConflictingSign {
                edge_source,
                edge_target,
            });
        }

        let mut arcs: Vec<(usize, usize)> = excitatory.edges().chain(inhibitory.edges()).collect();
        arcs.sort_unstable();
        let graph = DiGraph::from_sorted_arcs(node_count, &arcs);
        Ok(Self {
            excitatory,
            inhibitory,
            graph,
        })
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Returns the excitatory arcs.
    pub fn excitatory(&self) -> &DiGraph {
        &self.excitatory
    }

    /// Returns the inhibitory arcs.
    pub fn inhibitory(&self) -> &DiGraph {
        &self.inhibitory
    }

    /// Returns all arcs regardless of sign.
    pub fn graph(&self) -> &DiGraph {
        &self.graph
    }

    /// Sign of the arc `source -> target`, or `None` if there is no such arc.
    pub fn sign(&self, source: usize, target: usize) -> Option<Sign> {
        if self.excitatory.has_edge(source, target) {
            Some(Sign::Excitatory)
        } else if self.inhibitory.has_edge(source, target) {
            Some(Sign::Inhibitory)
        } else {
            None
        }
    }
}

/// Bit set for an arc from the list's owner to the neighbour.
pub(crate) const ARC_OUT: u8 = 1;
/// Bit set for an arc from the neighbour to the list's owner.
pub(crate) const ARC_IN: u8 = 2;

/// Undirected neighbourhoods in CSR form, where each entry is a neighbour and its `ARC_*` bits.
pub(crate) struct Neighbourhoods {
    pub(crate) node_count: usize,
    offsets: Vec<usize>,
    entries: Vec<(usize, u8)>,
}

impl Neighbourhoods {
    pub(crate) fn new(graph: &DiGraph) -> Self {
        let node_count = graph.node_count();
        let mut offsets = Vec::with_capacity(node_count + 1);
        let mut entries = Vec::with_capacity(2 * graph.edge_count());
        offsets.push(0);
        for v in 0..node_count {
            merge_arcs(
                graph.out_neighbours(v),
                graph.in_neighbours(v),
                &mut entries,
            );
            offsets.push(entries.len());
        }
        Self {
            node_count,
            offsets,
            entries,
        }
    }

    pub(crate) fn of(&self, node: usize) -> &[(usize, u8)] {
        &self.entries[self.offsets[node]..self.offsets[node + 1]]
    }
}

/// Appends the sorted union of `outs` and `ins`, tagging each neighbour with its arc bits.
fn merge_arcs(outs: &[usize], ins: &[usize], entries: &mut Vec<(usize, u8)>) {
    let (mut i, mut j) = (0, 0);
    while i < outs.len() || j < ins.len() {
        let next_out = outs.get(i).copied().unwrap_or(usize::MAX);
        let next_in = ins.get(j).copied().unwrap_or(usize::MAX);
        let neighbour = next_out.min(next_in);
        let mut bits = 0;
        if next_out == neighbour {
            bits |= ARC_OUT;
            i += 1;
        }
        if next_in == neighbour {
            bits |= ARC_IN;
            j += 1;
        }
        entries.push((neighbour, bits));
    }
}

/// Counts the values present in both sorted, duplicate-free slices.
fn count_common(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}
