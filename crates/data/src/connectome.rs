//! Directed, typed connectomes: named nodes and synapse-count edges.
//!
//! Gap junctions ([`SynapseKind::Electrical`]) are stored as directed edges
//! exactly as the source file lists them. Varshney et al. 2011 and Cook et al.
//! 2019 list most gap junctions once per direction; White et al. 1986 and
//! Witvliet et al. 2021 list each one once, in an arbitrary direction. Use
//! [`Connectome::gap_junction_total`] to count them the same way for every
//! source.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};

/// Type of a synaptic contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SynapseKind {
    /// Chemical synapse, directed from the presynaptic to the postsynaptic node.
    Chemical,
    /// Electrical synapse (gap junction).
    Electrical,
}

impl SynapseKind {
    /// Parses the names used in edge lists: `chemical`, `chem`, `electrical`,
    /// `gap`, `gap junction`, `gapjunction` and `ej`, in any letter case.
    pub fn from_name(name: &str) -> Option<SynapseKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "chemical" | "chem" => Some(SynapseKind::Chemical),
            "electrical" | "gap" | "gap junction" | "gapjunction" | "gap_junction" | "ej" => {
                Some(SynapseKind::Electrical)
            }
            _ => None,
        }
    }
}

/// One row of a connectome: `synapses` contacts of type `kind` from node
/// `pre` to node `post` (indices into [`Connectome::nodes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// Presynaptic node index.
    pub pre: usize,
    /// Postsynaptic node index.
    pub post: usize,
    /// Synapse type.
    pub kind: SynapseKind,
    /// Number of synaptic contacts (serial-section count), at least 1.
    pub synapses: u32,
}

/// A named, directed, typed connectome.
///
/// Nodes keep the order in which the source first mentions them. Edges keep
/// the source's rows, so the same ordered pair may occur on several rows;
/// [`Connectome::adjacency`] sums such rows. Self-loops are kept as edges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connectome {
    source: String,
    nodes: Vec<String>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    edges: Vec<Edge>,
}

impl Connectome {
    /// Builds a connectome from node names and edges.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] when a node name occurs twice, when an
    /// edge refers to a node index `>= nodes.len()`, or when an edge has zero
    /// synapses.
    pub fn new(source: impl Into<String>, nodes: Vec<String>, edges: Vec<Edge>) -> Result<Self> {
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, name) in nodes.iter().enumerate() {
            if index.insert(name.clone(), i).is_some() {
                return Err(DataError::invalid("nodes", name, "unique node names"));
            }
        }
        for (i, edge) in edges.iter().enumerate() {
            if edge.pre >= nodes.len() || edge.post >= nodes.len() {
                let value = format!("edge {i} ({} -> {})", edge.pre, edge.post);
                let expected = format!("node indices below {}", nodes.len());
                return Err(DataError::invalid("edges", value, expected));
            }
            if edge.synapses == 0 {
                let value = format!("edge {i} with 0 synapses");
                return Err(DataError::invalid(
                    "edges",
                    value,
                    "at least 1 synapse per edge",
                ));
            }
        }
        Ok(Connectome {
            source: source.into(),
            nodes,
            index,
            edges,
        })
    }

    /// Short name of the data source, for example `"Varshney 2011"`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Node names, indexed by node index.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// Returns all edges in source order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of edges (rows), counting duplicates and self-loops.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Index of the node called `name`, matched exactly after trimming spaces.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        if self.index.len() == self.nodes.len() {
            return self.index.get(name.trim()).copied();
        }
        // The index is skipped by serde, so a deserialised value falls back to a scan.
        self.nodes.iter().position(|n| n == name.trim())
    }

    /// Returns the connectome restricted to edges of `kind`, with the same nodes.
    pub fn subgraph(&self, kind: SynapseKind) -> Connectome {
        let edges = self
            .edges
            .iter()
            .filter(|e| e.kind == kind)
            .copied()
            .collect();
        Connectome {
            source: self.source.clone(),
            nodes: self.nodes.clone(),
            index: self.index.clone(),
            edges,
        }
    }

    /// Returns the distinct ordered pairs `(pre, post)` with `pre != post`
    /// that have at least one edge of `kind`, sorted by `(pre, post)`.
    pub fn directed_pairs(&self, kind: SynapseKind) -> Vec<(usize, usize)> {
        let pairs: BTreeSet<(usize, usize)> = self
            .edges
            .iter()
            .filter(|e| e.kind == kind && e.pre != e.post)
            .map(|e| (e.pre, e.post))
            .collect();
        pairs.into_iter().collect()
    }

    /// Returns the dense `n x n` synapse-count matrix of `kind`, row-major,
    /// with entry `pre * n + post`. Rows for the same pair are summed and
    /// self-loops land on the diagonal.
    pub fn adjacency(&self, kind: SynapseKind) -> Vec<f64> {
        let n = self.nodes.len();
        let mut matrix = vec![0.0; n * n];
        for edge in self.edges.iter().filter(|e| e.kind == kind) {
            matrix[edge.pre * n + edge.post] += f64::from(edge.synapses);
        }
        matrix
    }

    /// Returns the sum of synapse counts over all edges of `kind`, counting
    /// each row once (so a gap junction listed in both directions counts twice).
    pub fn total_synapses(&self, kind: SynapseKind) -> u64 {
        self.edges
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| u64::from(e.synapses))
            .sum()
    }

    /// Counts gap junctions with each unordered pair of nodes counted once.
    ///
    /// For each pair `{a, b}` with `a != b` the count is the larger of the
    /// summed `a -> b` and `b -> a` electrical synapses, so a source that
    /// lists gap junctions in both directions and one that lists them once
    /// give the same total. Self-loops add their count once.
    pub fn gap_junction_total(&self) -> u64 {
        let mut per_pair: HashMap<(usize, usize), (u64, u64)> = HashMap::new();
        let mut self_loops = 0u64;
        for edge in self
            .edges
            .iter()
            .filter(|e| e.kind == SynapseKind::Electrical)
        {
            let count = u64::from(edge.synapses);
            if edge.pre == edge.post {
                self_loops += count;
            } else if edge.pre < edge.post {
                per_pair.entry((edge.pre, edge.post)).or_default().0 += count;
            } else {
                per_pair.entry((edge.post, edge.pre)).or_default().1 += count;
            }
        }
        let pairs: u64 = per_pair
            .values()
            .map(|&(forward, backward)| forward.max(backward))
            .sum();
        pairs + self_loops
    }
}

/// Incremental builder that assigns node indices in order of first mention.
#[derive(Debug, Default)]
pub(crate) struct ConnectomeBuilder {
    nodes: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<Edge>,
}

impl ConnectomeBuilder {
    fn intern(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }

    /// Adds an edge; the caller guarantees `synapses >= 1`.
    pub(crate) fn add_edge(&mut self, pre: &str, post: &str, kind: SynapseKind, synapses: u32) {
        let pre = self.intern(pre);
        let post = self.intern(post);
        self.edges.push(Edge {
            pre,
            post,
            kind,
            synapses,
        });
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.edges.len()
    }

    pub(crate) fn build(self, source: &str) -> Connectome {
        Connectome {
            source: source.to_owned(),
            nodes: self.nodes,
            index: self.index,
            edges: self.edges,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Connectome {
        let nodes = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let edge = |pre, post, kind, synapses| Edge {
            pre,
            post,
            kind,
            synapses,
        };
        let edges = vec![
            edge(0, 1, SynapseKind::Chemical, 2),
            edge(0, 1, SynapseKind::Chemical, 3),
            edge(1, 2, SynapseKind::Chemical, 1),
            edge(2, 2, SynapseKind::Chemical, 4),
            edge(0, 2, SynapseKind::Electrical, 1),
            edge(2, 0, SynapseKind::Electrical, 1),
            edge(1, 2, SynapseKind::Electrical, 2),
            edge(1, 1, SynapseKind::Electrical, 1),
        ];
        Connectome::new("test", nodes, edges).expect("valid sample")
    }

    #[test]
    fn counts_and_lookup() {
        let c = sample();
        assert_eq!(c.node_count(), 3);
        assert_eq!(c.edge_count(), 8);
        assert_eq!(c.node_index("B"), Some(1));
        assert_eq!(c.node_index(" C "), Some(2));
        assert_eq!(c.node_index("D"), None);
        assert_eq!(c.source(), "test");
    }

    #[test]
    fn directed_pairs_skip_duplicates_and_loops() {
        let c = sample();
        assert_eq!(
            c.directed_pairs(SynapseKind::Chemical),
            vec![(0, 1), (1, 2)]
        );
        assert_eq!(
            c.directed_pairs(SynapseKind::Electrical),
            vec![(0, 2), (1, 2), (2, 0)]
        );
    }

    #[test]
    fn adjacency_sums_duplicate_rows() {
        let a = sample().adjacency(SynapseKind::Chemical);
        assert_eq!(a, vec![0.0, 5.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 4.0]);
    }

    #[test]
    fn synapse_totals() {
        let c = sample();
        assert_eq!(c.total_synapses(SynapseKind::Chemical), 10);
        assert_eq!(c.total_synapses(SynapseKind::Electrical), 5);
        // {A,C} listed both ways counts 1, {B,C} once counts 2, loop B-B counts 1.
        assert_eq!(c.gap_junction_total(), 4);
    }

    #[test]
    fn subgraph_keeps_nodes() {
        let chemical = sample().subgraph(SynapseKind::Chemical);
        assert_eq!(chemical.node_count(), 3);
        assert_eq!(chemical.edge_count(), 4);
        assert_eq!(chemical.total_synapses(SynapseKind::Electrical), 0);
        assert_eq!(chemical.node_index("C"), Some(2));
    }

    #[test]
    fn new_rejects_bad_edges() {
        let nodes = vec!["A".to_string()];
        let out_of_range = Edge {
            pre: 0,
            post: 1,
            kind: SynapseKind::Chemical,
            synapses: 1,
        };
        let err = Connectome::new("t", nodes.clone(), vec![out_of_range]).unwrap_err();
        assert!(matches!(err, DataError::InvalidParameter { .. }));

        let zero = Edge {
            synapses: 0,
            post: 0,
            ..out_of_range
        };
        let err = Connectome::new("t", nodes, vec![zero]).unwrap_err();
        assert!(matches!(err, DataError::InvalidParameter { .. }));

        let twice = vec!["A".to_string(), "A".to_string()];
        let err = Connectome::new("t", twice, vec![]).unwrap_err();
        assert!(matches!(err, DataError::InvalidParameter { .. }));
    }

    #[test]
    fn synapse_kind_names() {
        assert_eq!(
            SynapseKind::from_name(" Chemical "),
            Some(SynapseKind::Chemical)
        );
        assert_eq!(SynapseKind::from_name("EJ"), Some(SynapseKind::Electrical));
        assert_eq!(
            SynapseKind::from_name("gap junction"),
            Some(SynapseKind::Electrical)
        );
        assert_eq!(SynapseKind::from_name("NMJ"), None);
    }
}
