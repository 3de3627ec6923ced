//! Null models that randomise a [`DiGraph`] (or a [`SignedDiGraph`]) while keeping chosen
//! properties fixed.
//!
//! [`NullModel::ErdosRenyi`] draws a uniformly random simple digraph with the same node and
//! arc counts, the G(n, m) model of Erdős and Rényi (1959), "On random graphs I", Publ. Math.
//! Debrecen 6:290–297. The switching models repeat a switch: take two arcs `a -> b` and `c -> d` and rewire them to
//! `a -> d` and `c -> b`. That keeps every node's in- and out-degree. A switch is rejected
//! if it would create a self-loop or a duplicate arc, or if it would leave the arcs unchanged.
//! [`NullModel::MutualPreserving`] also keeps reciprocal pairs apart from single arcs, as in
//! Milo et al. (2002), "Network motifs: simple building blocks of complex networks",
//! Science 298:824–827. [`NullModel::SignPreserving`] switches excitatory arcs only with
//! excitatory arcs and inhibitory arcs only with inhibitory arcs, so each node keeps its
//! excitatory and its inhibitory in- and out-degree.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::MotifError;
use crate::graph::{DiGraph, SignedDiGraph};

/// Default number of accepted switches per switchable unit (arc or mutual pair).
pub const DEFAULT_SWITCHES_PER_EDGE: f64 = 10.0;

/// Attempts allowed per requested switch before randomisation stops short of its target.
/// Dense graphs reject most switches, so this cap bounds the run time there.
pub const MAX_ATTEMPTS_PER_SWITCH: u64 = 100;

/// Graph properties that a randomisation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NullModel {
    /// Keeps every node's in- and out-degree. Reciprocal pairs may form or break up.
    #[default]
    DegreePreserving,
    /// Keeps every node's single (non-reciprocated) in- and out-degree and its mutual degree,
    /// hence also the number of mutual pairs. Single arcs are switched only with single arcs
    /// and mutual pairs only with mutual pairs, and no switch may create a new mutual pair.
    MutualPreserving,
    /// Uniform random simple digraph with the same node and arc counts (G(n, m)), hence the
    /// same density. Degrees and mutual pairs are not kept; `switches_per_edge` is unused.
    ErdosRenyi,
    /// Keeps every node's excitatory in- and out-degree and its inhibitory in- and
    /// out-degree: arcs switch only with arcs of the same sign, and no switch may place an arc
    /// where an arc of either sign exists. Needs a [`SignedDiGraph`]. Reciprocal pairs may
    /// form or break up.
    SignPreserving,
}

impl NullModel {
    /// Name of the model in messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::DegreePreserving => "degree-preserving",
            Self::MutualPreserving => "mutual-preserving",
            Self::ErdosRenyi => "Erdős–Rényi",
            Self::SignPreserving => "sign-preserving",
        }
    }
}

/// Switch counts of one randomisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SwitchStats {
    /// Requested accepted switches: `ceil(switches_per_edge × units)`, where a unit is an arc
    /// for [`NullModel::DegreePreserving`] and a single arc or a mutual pair for
    /// [`NullModel::MutualPreserving`].
    pub target: u64,
    /// Switches attempted, at most `target × MAX_ATTEMPTS_PER_SWITCH`.
    pub attempts: u64,
    /// Switches accepted, below `target` only if the attempt cap was reached.
    pub accepted: u64,
}

/// Returns a randomised copy of `graph` under `model`, seeded by `seed`.
///
/// Switching runs until `ceil(switches_per_edge × units)` switches are accepted (see
/// [`SwitchStats::target`]) or the attempt cap [`MAX_ATTEMPTS_PER_SWITCH`] is reached.
/// The same inputs always give the same graph.
///
/// # Errors
/// [`MotifError::InvalidSwitchesPerEdge`] unless `switches_per_edge` is finite and positive
/// (checked for every model), [`MotifError::TooManySwitches`] if the target does not fit in
/// `u64`, and [`MotifError::SignsRequired`] for [`NullModel::SignPreserving`], which needs
/// [`randomise_signed`].
pub fn randomise(
    graph: &DiGraph,
    model: NullModel,
    switches_per_edge: f64,
    seed: u64,
) -> Result<DiGraph, MotifError> {
    randomise_with_stats(graph, model, switches_per_edge, seed).map(|(random, _)| random)
}

/// Does the same as [`randomise`] and also returns the switch counts.
///
/// # Errors
/// As for [`randomise`].
pub fn randomise_with_stats(
    graph: &DiGraph,
    model: NullModel,
    switches_per_edge: f64,
    seed: u64,
) -> Result<(DiGraph, SwitchStats), MotifError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    randomise_with_rng(graph, model, switches_per_edge, &mut rng)
}

/// Checks that `switches_per_edge` is finite and positive.
pub(crate) fn validate_switches_per_edge(switches_per_edge: f64) -> Result<(), MotifError> {
    if switches_per_edge.is_finite() && switches_per_edge > 0.0 {
        Ok(())
    } else {
        Err(MotifError::InvalidSwitchesPerEdge {
            value: switches_per_edge,
        })
    }
}

/// Randomises `graph` drawing from `rng`, so callers can choose the random stream.
pub(crate) fn randomise_with_rng(
    graph: &DiGraph,
    model: NullModel,
    switches_per_edge: f64,
    rng: &mut ChaCha8Rng,
) -> Result<(DiGraph, SwitchStats), MotifError> {
    validate_switches_per_edge(switches_per_edge)?;
    let (arcs, stats) = match model {
        NullModel::ErdosRenyi => {
            let arcs = erdos_renyi_arcs(graph.node_count(), graph.edge_count(), rng)?;
            return Ok((
                DiGraph::from_sorted_arcs(graph.node_count(), &arcs),
                SwitchStats::default(),
            ));
        }
        NullModel::SignPreserving => {
            return Err(MotifError::SignsRequired {
                model: model.name(),
            });
        }
        NullModel::DegreePreserving => {
            let mut switcher = DegreeSwitcher::new(graph);
            let target = switch_target(switches_per_edge, switcher.arcs.len())?;
            let stats = run_switches(target, switcher.can_switch(), || switcher.try_switch(rng));
            (switcher.arcs, stats)
        }
        NullModel::MutualPreserving => {
            let mut switcher = MutualSwitcher::new(graph);
            let units = switcher.singles.len() + switcher.pairs.len();
            let target = switch_target(switches_per_edge, units)?;
            let stats = run_switches(target, switcher.can_switch(), || switcher.try_switch(rng));
            (switcher.into_arcs(), stats)
        }
    };
    log_short_run(model, &stats);

    let mut arcs = arcs;
    arcs.sort_unstable();
    Ok((DiGraph::from_sorted_arcs(graph.node_count(), &arcs), stats))
}

/// Logs a randomisation that stopped short of its target, per sample at debug level; the
/// significance functions warn once per run.
fn log_short_run(model: NullModel, stats: &SwitchStats) {
    if stats.accepted < stats.target {
        tracing::debug!(
            ?model,
            target = stats.target,
            accepted = stats.accepted,
            attempts = stats.attempts,
            "edge switching stopped short of the requested number of switches"
        );
    }
}

/// Returns a uniformly random simple digraph with `node_count` nodes and `arc_count` arcs
/// (the G(n, m) model), seeded by `seed`.
///
/// # Errors
/// [`MotifError::TooManyArcs`] if `arc_count` exceeds n(n - 1), and
/// [`MotifError::TooManyNodes`] if n(n - 1) does not fit in `u64`.
pub fn erdos_renyi(node_count: usize, arc_count: usize, seed: u64) -> Result<DiGraph, MotifError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let arcs = erdos_renyi_arcs(node_count, arc_count, &mut rng)?;
    Ok(DiGraph::from_sorted_arcs(node_count, &arcs))
}

/// Draws `arc_count` distinct ordered pairs uniformly, returned in lexicographic order.
///
/// Pair `(s, t)` has the index `s (n - 1) + t'`, where `t'` is `t` with `s` left out. Indices
/// are drawn with replacement, sorted and deduplicated until enough distinct ones remain,
/// which yields a uniform subset. Above half density the missing arcs are drawn instead.
fn erdos_renyi_arcs(
    node_count: usize,
    arc_count: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<(usize, usize)>, MotifError> {
    let slots = node_count as u128 * node_count.saturating_sub(1) as u128;
    if arc_count as u128 > slots {
        return Err(MotifError::TooManyArcs {
            arc_count,
            node_count,
            max_arc_count: slots,
        });
    }
    let Ok(slots) = u64::try_from(slots) else {
        return Err(MotifError::TooManyNodes {
            node_count,
            max_node_count: u32::MAX as usize,
        });
    };

    let complement = 2 * arc_count as u64 > slots;
    let wanted = if complement {
        (slots - arc_count as u64) as usize
    } else {
        arc_count
    };
    let mut indices: Vec<u64> = Vec::with_capacity(wanted);
    while indices.len() < wanted {
        let missing = wanted - indices.len();
        indices.extend((0..missing).map(|_| rng.random_range(0..slots)));
        indices.sort_unstable();
        indices.dedup();
    }

    let arc_of = |index: u64| {
        let others = (node_count - 1) as u64;
        let source = (index / others) as usize;
        let offset = (index % others) as usize;
        (source, offset + usize::from(offset >= source))
    };
    if !complement {
        return Ok(indices.into_iter().map(arc_of).collect());
    }
    let mut arcs = Vec::with_capacity(arc_count);
    let mut absent = indices.into_iter().peekable();
    for index in 0..slots {
        if absent.next_if_eq(&index).is_none() {
            arcs.push(arc_of(index));
        }
    }
    Ok(arcs)
}

/// Returns a randomised copy of `graph` under [`NullModel::SignPreserving`], seeded by
/// `seed`: each sign's arcs are switched among themselves, as in [`randomise`].
///
/// # Errors
/// As for [`randomise`], without [`MotifError::SignsRequired`].
pub fn randomise_signed(
    graph: &SignedDiGraph,
    switches_per_edge: f64,
    seed: u64,
) -> Result<SignedDiGraph, MotifError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    randomise_signed_with_rng(graph, switches_per_edge, &mut rng).map(|(random, _)| random)
}

/// Randomises a signed graph under [`NullModel::SignPreserving`], drawing from `rng`.
pub(crate) fn randomise_signed_with_rng(
    graph: &SignedDiGraph,
    switches_per_edge: f64,
    rng: &mut ChaCha8Rng,
) -> Result<(SignedDiGraph, SwitchStats), MotifError> {
    validate_switches_per_edge(switches_per_edge)?;
    let mut switcher = SignSwitcher::new(graph);
    let units = switcher.excitatory.len() + switcher.inhibitory.len();
    let target = switch_target(switches_per_edge, units)?;
    let stats = run_switches(target, switcher.can_switch(), || switcher.try_switch(rng));
    log_short_run(NullModel::SignPreserving, &stats);

    let node_count = graph.node_count();
    let [excitatory, inhibitory] = [switcher.excitatory, switcher.inhibitory].map(|mut arcs| {
        arcs.sort_unstable();
        DiGraph::from_sorted_arcs(node_count, &arcs)
    });
    let random = SignedDiGraph::from_parts(excitatory, inhibitory)?;
    Ok((random, stats))
}

/// Number of accepted switches requested for `units` switchable units.
fn switch_target(switches_per_edge: f64, units: usize) -> Result<u64, MotifError> {
    let target = (switches_per_edge * units as f64).ceil();
    // u64::MAX as f64 rounds up to 2^64, so `<` excludes every value that does not fit.
    if target < u64::MAX as f64 {
        Ok(target as u64)
    } else {
        Err(MotifError::TooManySwitches {
            switches_per_edge,
            edge_count: units,
        })
    }
}

/// Calls `try_switch` until `target` switches are accepted or the attempt cap is reached.
/// Nothing is attempted if `possible` is false (fewer than two switchable units).
fn run_switches(target: u64, possible: bool, mut try_switch: impl FnMut() -> bool) -> SwitchStats {
    let max_attempts = if possible {
        target.saturating_mul(MAX_ATTEMPTS_PER_SWITCH)
    } else {
        0
    };
    let mut stats = SwitchStats {
        target,
        attempts: 0,
        accepted: 0,
    };
    while stats.accepted < target && stats.attempts < max_attempts {
        stats.attempts += 1;
        if try_switch() {
            stats.accepted += 1;
        }
    }
    stats
}

/// Picks two distinct indices below `len`, or `None` if the two draws coincide.
fn pick_two(rng: &mut ChaCha8Rng, len: usize) -> Option<(usize, usize)> {
    let first = rng.random_range(0..len);
    let second = rng.random_range(0..len);
    (first != second).then_some((first, second))
}

/// Degree-preserving switching over all arcs.
struct DegreeSwitcher {
    arcs: Vec<(usize, usize)>,
    arc_set: ArcSet,
}

impl DegreeSwitcher {
    fn new(graph: &DiGraph) -> Self {
        let arcs: Vec<(usize, usize)> = graph.edges().collect();
        let arc_set = arcs.iter().copied().collect();
        Self { arcs, arc_set }
    }

    fn can_switch(&self) -> bool {
        self.arcs.len() >= 2
    }

    /// Attempts to rewire `a -> b, c -> d` to `a -> d, c -> b` and reports whether it did.
    fn try_switch(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let Some((i, j)) = pick_two(rng, self.arcs.len()) else {
            return false;
        };
        let ((a, b), (c, d)) = (self.arcs[i], self.arcs[j]);
        // a == c or b == d would return the same two arcs.
        if a == d || c == b || a == c || b == d {
            return false;
        }
        if self.arc_set.contains(&(a, d)) || self.arc_set.contains(&(c, b)) {
            return false;
        }
        self.arc_set.remove(&(a, b));
        self.arc_set.remove(&(c, d));
        self.arc_set.insert((a, d));
        self.arc_set.insert((c, b));
        self.arcs[i] = (a, d);
        self.arcs[j] = (c, b);
        true
    }
}

/// Switching within the excitatory and within the inhibitory arcs, over one shared arc set so
/// that no pair of nodes ever holds arcs of both signs.
struct SignSwitcher {
    excitatory: Vec<(usize, usize)>,
    inhibitory: Vec<(usize, usize)>,
    arc_set: ArcSet,
}

impl SignSwitcher {
    fn new(graph: &SignedDiGraph) -> Self {
        Self {
            excitatory: graph.excitatory().edges().collect(),
            inhibitory: graph.inhibitory().edges().collect(),
            arc_set: graph.graph().edges().collect(),
        }
    }

    fn can_switch(&self) -> bool {
        self.excitatory.len() >= 2 || self.inhibitory.len() >= 2
    }

    /// Draws an arc uniformly over both signs, then attempts a switch within its sign.
    fn try_switch(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let units = self.excitatory.len() + self.inhibitory.len();
        let pool = if rng.random_range(0..units) < self.excitatory.len() {
            &mut self.excitatory
        } else {
            &mut self.inhibitory
        };
        let Some((i, j)) = pick_two(rng, pool.len()) else {
            return false;
        };
        let ((a, b), (c, d)) = (pool[i], pool[j]);
        if a == d || c == b || a == c || b == d {
            return false;
        }
        if self.arc_set.contains(&(a, d)) || self.arc_set.contains(&(c, b)) {
            return false;
        }
        self.arc_set.remove(&(a, b));
        self.arc_set.remove(&(c, d));
        self.arc_set.insert((a, d));
        self.arc_set.insert((c, b));
        pool[i] = (a, d);
        pool[j] = (c, b);
        true
    }
}

/// Switching that keeps single arcs and mutual pairs as separate pools.
struct MutualSwitcher {
    /// Arcs whose reverse is absent.
    singles: Vec<(usize, usize)>,
    /// Mutual pairs stored as `(low, high)` node ids.
    pairs: Vec<(usize, usize)>,
    arc_set: ArcSet,
}

impl MutualSwitcher {
    fn new(graph: &DiGraph) -> Self {
        let mut singles = Vec::new();
        let mut pairs = Vec::new();
        for (source, target) in graph.edges() {
            if !graph.has_edge(target, source) {
                singles.push((source, target));
            } else if source < target {
                pairs.push((source, target));
            }
        }
        let arc_set = graph.edges().collect();
        Self {
            singles,
            pairs,
            arc_set,
        }
    }

    fn can_switch(&self) -> bool {
        self.singles.len() >= 2 || self.pairs.len() >= 2
    }

    /// Draws a unit uniformly over singles and pairs, then attempts a switch in its pool.
    fn try_switch(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let units = self.singles.len() + self.pairs.len();
        if rng.random_range(0..units) < self.singles.len() {
            self.try_single_switch(rng)
        } else {
            self.try_pair_switch(rng)
        }
    }

    fn is_adjacent(&self, x: usize, y: usize) -> bool {
        self.arc_set.contains(&(x, y)) || self.arc_set.contains(&(y, x))
    }

    /// Attempts to rewire `a -> b, c -> d` to `a -> d, c -> b`, where neither new arc may have
    /// a reverse arc.
    fn try_single_switch(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let Some((i, j)) = pick_two(rng, self.singles.len()) else {
            return false;
        };
        let ((a, b), (c, d)) = (self.singles[i], self.singles[j]);
        if a == d || c == b || a == c || b == d {
            return false;
        }
        if self.is_adjacent(a, d) || self.is_adjacent(c, b) {
            return false;
        }
        self.arc_set.remove(&(a, b));
        self.arc_set.remove(&(c, d));
        self.arc_set.insert((a, d));
        self.arc_set.insert((c, b));
        self.singles[i] = (a, d);
        self.singles[j] = (c, b);
        true
    }

    /// Attempts to rewire `{a, b}, {c, d}` to `{a, d}, {c, b}`, with the second pair's orientation drawn
    /// at random so both rewirings are reachable.
    fn try_pair_switch(&mut self, rng: &mut ChaCha8Rng) -> bool {
        let Some((i, j)) = pick_two(rng, self.pairs.len()) else {
            return false;
        };
        let (a, b) = self.pairs[i];
        let (c, d) = if rng.random_bool(0.5) {
            self.pairs[j]
        } else {
            swap(self.pairs[j])
        };
        if a == d || c == b || self.is_adjacent(a, d) || self.is_adjacent(c, b) {
            return false;
        }
        for (x, y) in [(a, b), (c, d)] {
            self.arc_set.remove(&(x, y));
            self.arc_set.remove(&(y, x));
        }
        for (x, y) in [(a, d), (c, b)] {
            self.arc_set.insert((x, y));
            self.arc_set.insert((y, x));
        }
        self.pairs[i] = (a.min(d), a.max(d));
        self.pairs[j] = (c.min(b), c.max(b));
        true
    }

    fn into_arcs(self) -> Vec<(usize, usize)> {
        let mut arcs = self.singles;
        arcs.extend(self.pairs.iter().flat_map(|&(x, y)| [(x, y), (y, x)]));
        arcs
    }
}

fn swap((x, y): (usize, usize)) -> (usize, usize) {
    (y, x)
}

/// Arc membership set. Lookups dominate switching, so it hashes with a multiply–rotate
/// hasher instead of SipHash. Keys are node ids, not untrusted input.
type ArcSet = HashSet<(usize, usize), BuildHasherDefault<ArcHasher>>;

/// Multiply–rotate hasher for integer keys.
#[derive(Default)]
struct ArcHasher(u64);

impl Hasher for ArcHasher {
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits, which pick the bucket, weakly mixed. The rotate
        // moves the well-mixed high bits there.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(MULTIPLIER);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}
