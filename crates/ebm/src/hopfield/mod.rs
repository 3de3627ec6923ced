//! Hopfield associative memories, from binary pairwise networks to continuous attention.
//!
//! - [`ClassicHopfield`]: the binary network of Hopfield 1982 (PNAS 79:2554) with energy
//!   E(s) = -1/2 s^T W s + theta^T s, trained by the Hebb, Storkey 1997 (ICANN) or
//!   pseudo-inverse rule (Personnaz et al. 1985, J. Physique Lett. 46:L359; Kanter and
//!   Sompolinsky 1987, Phys. Rev. A 35:380), with seeded asynchronous and synchronous dynamics
//!   and batched retrieval on a Burn device.
//! - [`HebbMemory`]: the same network with Hebb weights, kept as its patterns so that batched
//!   retrieval uses the low-rank fields ((S Xi^T) Xi - P S) / N.
//! - [`DenseAssociativeMemory`]: the dense memory of Krotov and Hopfield 2016 (NeurIPS),
//!   E(s) = -sum_mu F(xi_mu . s), with polynomial, rectified polynomial and exponential
//!   (Demircigil et al. 2017, J. Stat. Phys. 168:288) interactions.
//! - [`ModernHopfield`] and [`HopfieldLayer`]: the continuous network of Ramsauer et al. 2021
//!   (ICLR), xi <- X softmax(beta X^T xi), with its fixed-point [`Regime`] and the separation
//!   condition for single-pattern retrieval.
//! - [`overlap`], [`random_patterns`] and [`corrupt`]: helpers for retrieval experiments.
//!
//! Binary patterns and states are row-major slices of `i8` holding +1 or -1, P patterns x N
//! units. Continuous patterns are row-major `f32`, one pattern per row.

mod batch;
mod classic;
mod dense;
mod dense_batch;
mod dynamics;
mod hebb_memory;
mod layer;
mod modern;
mod patterns;
mod regime;
mod separation;
mod rules;

pub use classic::ClassicHopfield;
pub use dense::{DenseAssociativeMemory, DenseUpdateConfig, Interaction};
pub use dynamics::{UpdateConfig, UpdateOutcome};
pub use hebb_memory::HebbMemory;
pub use layer::{HopfieldLayer, HopfieldLayerConfig};
pub use modern::{ModernHopfield, Retrieval};
pub use patterns::{corrupt, overlap, random_patterns};
pub use regime::Regime;
pub use rules::LearningRule;
