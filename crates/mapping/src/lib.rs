//! Mapping of attention heads and energy-model couplings onto circuit motifs and connectomes.
//!
//! Scope of this crate, none of which is implemented yet:
//!
//! - turning an attention head or a coupling matrix into a weighted directed graph;
//! - scoring it against a reference graph (edge-recovery AUROC and AUPRC, weight correlations,
//!   distances between motif significance profiles of Milo et al. 2004, Science 303:1538);
//! - assigning each head its best-matching motif template with permutation p-values and
//!   Benjamini-Hochberg correction across heads;
//! - diagnosing each head as a modern Hopfield update (Ramsauer et al. 2021): its effective
//!   inverse temperature and fixed-point regime;
//! - baselines scored the same way: correlation, partial correlation and Granger causality.
//!
//! It depends on `ncm-data`, `ncm-motifs`, `ncm-ebm` and `ncm-transformer` once those
//! features exist.
