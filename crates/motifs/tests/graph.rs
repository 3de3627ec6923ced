//! DiGraph construction and accessor checks.

use ncm_motifs::{DiGraph, MotifError};

#[test]
fn from_edges_drops_duplicates_and_self_loops() {
    let graph = DiGraph::from_edges(4, &[(0, 1), (0, 1), (2, 2), (1, 0), (3, 1)]).unwrap();
    assert_eq!(graph.node_count(), 4);
    assert_eq!(graph.edge_count(), 3);
    assert!(!graph.has_edge(2, 2));
    assert_eq!(
        graph.edges().collect::<Vec<_>>(),
        vec![(0, 1), (1, 0), (3, 1)]
    );
}

#[test]
fn from_edges_rejects_out_of_range_node() {
    let error = DiGraph::from_edges(3, &[(0, 1), (1, 3)]).unwrap_err();
    assert_eq!(
        error,
        MotifError::NodeOutOfRange {
            edge_source: 1,
            edge_target: 3,
            node: 3,
            node_count: 3
        }
    );
    assert!(
        error.to_string().contains("outside 0..3"),
        "message: {error}"
    );
}

#[test]
fn from_edges_rejects_any_edge_on_empty_graph() {
    let error = DiGraph::from_edges(0, &[(0, 0)]).unwrap_err();
    assert!(matches!(
        error,
        MotifError::NodeOutOfRange {
            node: 0,
            node_count: 0,
            ..
        }
    ));
}

#[test]
fn neighbours_are_sorted() {
    let graph = DiGraph::from_edges(5, &[(2, 4), (2, 0), (2, 3), (1, 3), (4, 3)]).unwrap();
    assert_eq!(graph.out_neighbours(2), &[0, 3, 4]);
    assert_eq!(graph.in_neighbours(3), &[1, 2, 4]);
    assert_eq!(graph.out_degree(2), 3);
    assert_eq!(graph.in_degree(3), 3);
    assert_eq!(graph.in_degree(1), 0);
}

#[test]
fn has_edge_is_directed() {
    let graph = DiGraph::from_edges(3, &[(0, 2)]).unwrap();
    assert!(graph.has_edge(0, 2));
    assert!(!graph.has_edge(2, 0));
    assert!(!graph.has_edge(7, 0));
}

#[test]
fn out_of_range_accessors_are_empty() {
    let graph = DiGraph::from_edges(2, &[(0, 1)]).unwrap();
    assert!(graph.out_neighbours(5).is_empty());
    assert!(graph.in_neighbours(5).is_empty());
    assert_eq!(graph.out_degree(5), 0);
}

#[test]
fn mutual_counts() {
    let graph = DiGraph::from_edges(4, &[(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (0, 3)]).unwrap();
    assert_eq!(graph.mutual_edge_count(), 2);
    assert_eq!(graph.mutual_degree(0), 1);
    assert_eq!(graph.mutual_degree(1), 2);
    assert_eq!(graph.mutual_degree(3), 0);
}
