//! Typed errors for the pairwise maximum-entropy (Ising) model of Schneidman et al. 2006
//! (Nature 440:1007), E(s) = -sum_i h_i s_i - sum_{i<j} J_ij s_i s_j, and for the analyses
//! of Ezaki et al. 2017 (Phil. Trans. R. Soc. A 375:20160287) built on it, and for the
//! Hopfield associative memories in `hopfield`.
//!
//! Every variant names the offending value and the fix.

use thiserror::Error;

/// Largest number of spins for which the crate enumerates all 2^N states.
///
/// At N = 20 one probability vector over the states takes 8 MiB of f64, and one Newton
/// iteration of the exact fit visits every state a few times.
pub const MAX_ENUMERATED_SPINS: usize = 20;

/// Largest number of local minima an energy landscape may have. The k x k barrier matrix then
/// takes at most 2 GiB of f64.
pub const MAX_LANDSCAPE_MINIMA: usize = 1 << 14;

/// Errors returned by model construction, fitting, landscape analysis and associative memories.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EbmError {
    /// The model or the data has no spins.
    #[error("invalid number of spins 0: a model needs at least one spin (channel)")]
    ZeroSpins,

    /// Exact enumeration of 2^N states was requested for too many spins.
    #[error(
        "too many spins for exact enumeration: {n_spins} > {max}; select at most {max} channels \
         (regions) before fitting"
    )]
    TooManySpins {
        /// Number of spins requested.
        n_spins: usize,
        /// Largest supported number of spins.
        max: usize,
    },

    /// An energy landscape has more local minima than [`MAX_LANDSCAPE_MINIMA`].
    #[error(
        "the energy landscape has {minima} local minima, more than the limit of {max} for the \
         k x k barrier matrix; the model probably has a flat direction (a spin with zero field \
         and no couplings makes every state of a plateau a minimum): add a small field or an L2 \
         penalty to the fit, or use sampled_energy_landscape with fewer samples"
    )]
    TooManyMinima {
        /// Number of local minima found.
        minima: usize,
        /// The limit [`MAX_LANDSCAPE_MINIMA`].
        max: usize,
    },

    /// The sample matrix is empty.
    #[error("empty samples: pass at least one binarised sample of N spins")]
    EmptySamples,

    /// The flat sample buffer does not split into rows of N spins.
    #[error(
        "sample buffer of length {len} is not a multiple of the number of spins {n_spins}; \
         pass a row-major samples x spins matrix"
    )]
    SampleLengthMismatch {
        /// Length of the flat buffer.
        len: usize,
        /// Number of spins per sample.
        n_spins: usize,
    },

    /// A single state has the wrong number of spins.
    #[error("state has {len} spins but the model has {n_spins}; pass one value per spin")]
    StateLengthMismatch {
        /// Number of values in the state.
        len: usize,
        /// Number of spins in the model.
        n_spins: usize,
    },

    /// A spin value is not +1 or -1.
    #[error(
        "invalid spin value {value} at flat position {position} (sample {sample}, spin {spin}); \
         spins must be +1 or -1, so map 0/1 data with s = 2x - 1"
    )]
    InvalidSpin {
        /// The offending value.
        value: i8,
        /// Position in the flat buffer.
        position: usize,
        /// Row (sample) index.
        sample: usize,
        /// Column (spin) index.
        spin: usize,
    },

    /// A state index has bits set above the model's spins.
    #[error(
        "state index {index} is out of range for {n_spins} spins; indices run from 0 to \
         2^{n_spins} - 1"
    )]
    StateIndexOutOfRange {
        /// The offending index.
        index: u32,
        /// Number of spins in the model.
        n_spins: usize,
    },

    /// The coupling matrix has the wrong number of entries.
    #[error(
        "coupling has {len} entries but {n_spins} fields need an N x N matrix of {expected}; \
         pass the full row-major matrix"
    )]
    CouplingShape {
        /// Number of coupling entries given.
        len: usize,
        /// Number of fields given.
        n_spins: usize,
        /// Expected number of entries, N * N.
        expected: usize,
    },

    /// A field is NaN or infinite.
    #[error("field h[{index}] = {value} is not finite; pass finite fields")]
    NonFiniteField {
        /// Spin index.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// A coupling is NaN or infinite.
    #[error("coupling J[{row}][{col}] = {value} is not finite; pass finite couplings")]
    NonFiniteCoupling {
        /// Row index.
        row: usize,
        /// Column index.
        col: usize,
        /// The offending value.
        value: f64,
    },

    /// The coupling matrix is not symmetric.
    #[error(
        "coupling is not symmetric: J[{row}][{col}] = {upper} but J[{col}][{row}] = {lower}; \
         symmetrise it with (J + J^T) / 2"
    )]
    AsymmetricCoupling {
        /// Row index of the upper-triangle entry.
        row: usize,
        /// Column index of the upper-triangle entry.
        col: usize,
        /// Value of J[row][col].
        upper: f64,
        /// Value of J[col][row].
        lower: f64,
    },

    /// The coupling matrix has a nonzero diagonal entry.
    #[error(
        "coupling diagonal J[{index}][{index}] = {value} is nonzero; self-couplings only add a \
         constant because s_i^2 = 1, so set the diagonal to 0"
    )]
    NonzeroDiagonal {
        /// Spin index.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// A channel takes the same value in every sample, so its field would be infinite.
    #[error(
        "channel {channel} is constant ({value:+} in every sample), so the maximum-likelihood \
         field is infinite; drop the channel or add samples in which it flips"
    )]
    ConstantChannel {
        /// Channel (spin) index.
        channel: usize,
        /// The value it always takes.
        value: i8,
    },

    /// A pair of channels never shows one of its four joint values, so its coupling would be
    /// infinite.
    #[error(
        "channels {first} and {second} never take the joint value ({first_value:+}, \
         {second_value:+}), so the maximum-likelihood coupling is infinite; drop one channel or \
         add samples"
    )]
    UnobservedPairState {
        /// First channel index (the smaller).
        first: usize,
        /// Second channel index.
        second: usize,
        /// Value of the first channel in the missing combination.
        first_value: i8,
        /// Value of the second channel in the missing combination.
        second_value: i8,
    },

    /// The number of spins passed with the samples differs from the model's.
    #[error(
        "samples have {n_spins} spins per row but the model has {model_spins}; pass samples of \
         the channels the model was fitted on"
    )]
    SpinCountMismatch {
        /// Spins per sample as passed.
        n_spins: usize,
        /// Number of spins in the model.
        model_spins: usize,
    },

    /// A configuration value is out of range.
    #[error("invalid config {name} = {value}: {expected}")]
    InvalidConfig {
        /// Field name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// Constraint the value must satisfy, with the default.
        expected: &'static str,
    },

    /// The Newton iteration reached its iteration limit or stalled before the tolerance.
    #[error(
        "exact fit did not converge after {iterations} iterations: maximum moment mismatch \
         {max_moment_error:e} > tolerance {tolerance:e}; raise max_iterations or the tolerance, \
         or check for channels that are almost constant or almost identical"
    )]
    NotConverged {
        /// Iterations performed.
        iterations: usize,
        /// Maximum absolute mismatch between data and model moments when it stopped.
        max_moment_error: f64,
        /// The requested tolerance.
        tolerance: f64,
    },

    /// A set of stored patterns is empty.
    #[error("empty patterns: pass at least one stored pattern of N values")]
    EmptyPatterns,

    /// The flat pattern buffer does not split into rows of N units.
    #[error(
        "pattern buffer of length {len} is not a multiple of the number of units {n_units}; \
         pass a row-major patterns x units matrix"
    )]
    PatternLengthMismatch {
        /// Length of the flat buffer.
        len: usize,
        /// Number of units per pattern.
        n_units: usize,
    },

    /// A continuous pattern has a NaN or infinite component.
    #[error(
        "pattern {pattern} has value {value} at unit {unit}, which is not finite; pass finite patterns"
    )]
    NonFinitePattern {
        /// Pattern (row) index.
        pattern: usize,
        /// Unit (column) index.
        unit: usize,
        /// The offending value.
        value: f64,
    },

    /// A continuous state has a NaN or infinite component.
    #[error("state component xi[{index}] = {value} is not finite; pass a finite state")]
    NonFiniteState {
        /// Unit index.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// The pseudo-inverse rule needs linearly independent patterns.
    #[error(
        "pattern {pattern} is linearly dependent on the patterns before it (Cholesky pivot \
         {pivot:e} of the Gram matrix), so the pseudo-inverse rule is undefined; remove \
         duplicate or dependent patterns (at most N of them can be independent) or use the Hebb \
         or Storkey rule"
    )]
    LinearlyDependentPatterns {
        /// Index of the first pattern found dependent on earlier ones.
        pattern: usize,
        /// Pivot of the Cholesky factorisation at that pattern, relative to N.
        pivot: f64,
    },

    /// The weight matrix of a binary Hopfield network has the wrong number of entries.
    #[error(
        "weight matrix has {len} entries but {n_units} thresholds need an N x N matrix of \
         {expected}; pass the full row-major matrix and one threshold per unit"
    )]
    WeightShape {
        /// Number of weights given.
        len: usize,
        /// Number of thresholds given.
        n_units: usize,
        /// Expected number of entries, N * N.
        expected: usize,
    },

    /// A threshold of a binary Hopfield network is NaN or infinite.
    #[error("threshold theta[{index}] = {value} is not finite; pass finite thresholds")]
    NonFiniteThreshold {
        /// Unit index.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// A self-coupling is negative, so asynchronous updates could raise the energy.
    #[error(
        "self-coupling w[{index}][{index}] = {value} is negative, so asynchronous updates can \
         raise the energy and need not converge; set the diagonal to 0 or a positive value"
    )]
    NegativeSelfCoupling {
        /// Unit index.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// The inverse temperature of a modern Hopfield network or layer is not positive.
    #[error("invalid inverse temperature beta = {value}: it must be finite and > 0")]
    InvalidBeta {
        /// The offending value.
        value: f64,
    },

    /// The degree of a polynomial interaction is out of range.
    #[error(
        "invalid interaction degree {degree}: it must be an integer from 2 to 2^31 - 1; degree \
         2 gives the classic Hebbian energy and higher degrees store more patterns"
    )]
    InvalidDegree {
        /// The offending degree.
        degree: u32,
    },

    /// The temperature of the Glauber dynamics is negative or not finite.
    #[error(
        "invalid temperature T = {value}: it must be finite and >= 0; use 0 for deterministic \
         sign updates (default 0)"
    )]
    InvalidTemperature {
        /// The offending value.
        value: f64,
    },

    /// The fraction of bits to flip is outside [0, 1].
    #[error("invalid corruption fraction {value}: it must be in [0, 1]")]
    InvalidFraction {
        /// The offending value.
        value: f64,
    },

    /// A pattern index is beyond the stored patterns.
    #[error(
        "pattern index {index} is out of range for {n_patterns} stored patterns; indices run \
         from 0 to {n_patterns} - 1"
    )]
    PatternIndexOutOfRange {
        /// The offending index.
        index: usize,
        /// Number of stored patterns.
        n_patterns: usize,
    },

    /// The query and stored-pattern tensors of a Hopfield layer do not fit together.
    #[error(
        "Hopfield layer inputs do not match: queries {queries:?} and stored {stored:?} must be \
         [batch, q, d] and [batch, p, d] with the same batch and d, p >= 1 and d >= 1"
    )]
    LayerShapeMismatch {
        /// Shape of the queries, [batch, q, d].
        queries: [usize; 3],
        /// Shape of the stored patterns, [batch, p, d].
        stored: [usize; 3],
    },

    /// A value of 0/1 data is neither 0 nor 1.
    #[error(
        "invalid 0/1 value {value} at flat position {position}; 0/1 data must hold only 0 and \
         1 (map +-1 spins with x = (s + 1) / 2)"
    )]
    InvalidBit {
        /// The offending value.
        value: i8,
        /// Position in the flat buffer.
        position: usize,
    },

    /// The per-sample weights do not match the samples.
    #[error(
        "{len} sample weights given for {n_samples} samples; pass one finite weight >= 0 per \
         sample"
    )]
    WeightLengthMismatch {
        /// Number of weights given.
        len: usize,
        /// Number of samples.
        n_samples: usize,
    },

    /// A per-sample weight is negative, NaN or infinite, or all weights are zero.
    #[error(
        "invalid sample weight {value} at sample {index}; weights must be finite and >= 0 with \
         a positive sum"
    )]
    InvalidWeight {
        /// Sample index (the last sample when only the sum is zero).
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// Moments passed to a mean-field inversion have the wrong lengths.
    #[error(
        "moments have {mean_len} means and {correlation_len} pairwise moments; N means need an \
         N x N matrix of pairwise moments"
    )]
    MomentShape {
        /// Number of means.
        mean_len: usize,
        /// Number of pairwise moments.
        correlation_len: usize,
    },

    /// A moment passed to a mean-field inversion is NaN, infinite or outside [-1, 1].
    #[error(
        "moment {name}[{index}] = {value} is invalid: moments of +-1 spins must be finite and in \
         [-1, 1]"
    )]
    InvalidMoment {
        /// `mean` or `correlation`.
        name: &'static str,
        /// Flat index of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// The connected correlation matrix cannot be inverted.
    #[error(
        "the connected correlation matrix C_ij = <s_i s_j> - <s_i><s_j> is singular at channel \
         {channel} (Cholesky pivot {pivot:e}); channels that are copies or mixtures of others \
         give no mean-field couplings, so drop them or add samples"
    )]
    SingularCorrelation {
        /// Channel at which the factorisation failed.
        channel: usize,
        /// The pivot found there.
        pivot: f64,
    },

    /// A per-site logistic regression of the pseudo-likelihood fit did not converge.
    #[error(
        "pseudo-likelihood fit of site {site} did not converge after {iterations} Newton \
         iterations (largest gradient entry {gradient:e} > tolerance {tolerance:e}); the site \
         is probably predicted perfectly by the others, so set l2_penalty > 0 (for example \
         1e-3) or add samples"
    )]
    PseudoLikelihoodNotConverged {
        /// Site (spin) whose regression failed.
        site: usize,
        /// Newton iterations performed.
        iterations: usize,
        /// Largest absolute gradient entry when it stopped.
        gradient: f64,
        /// The requested tolerance.
        tolerance: f64,
    },

    /// Boltzmann learning produced NaN or infinite parameters.
    #[error(
        "Boltzmann learning diverged at iteration {iteration} (non-finite parameters); lower \
         learning_rate (default 0.05) or add an L2 penalty"
    )]
    BoltzmannDiverged {
        /// Learning iteration at which a parameter stopped being finite.
        iteration: usize,
    },

    /// The tensor backend failed while computing or reading back a result.
    #[error("tensor backend failed: {reason}; check that the device's backend is available")]
    Backend {
        /// Backend error message.
        reason: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, EbmError>;
