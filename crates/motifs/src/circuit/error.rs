//! Errors of circuit construction and the motif generators.

use thiserror::Error;

use super::CellType;

/// Errors raised while building a circuit. Each message names the rejected value and the fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CircuitError {
    /// The circuit has no neurons.
    #[error("a circuit needs at least one neuron; pass one cell type per neuron")]
    Empty,

    /// The weight matrix is not square over the neurons.
    #[error(
        "weight matrix has {len} entries but {neuron_count} neurons need {neuron_count} x {neuron_count}; \
         pass a row-major post x pre matrix"
    )]
    WeightShape {
        /// Number of weights passed.
        len: usize,
        /// Number of neurons (cell types) passed.
        neuron_count: usize,
    },

    /// A weight is NaN or infinite.
    #[error("weight {pre} -> {post} is {value}; weights must be finite")]
    NonFiniteWeight {
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The rejected value.
        value: f64,
    },

    /// A neuron connects to itself.
    #[error("neuron {neuron} has a self-connection of weight {value}; set the diagonal to zero")]
    SelfConnection {
        /// The neuron.
        neuron: usize,
        /// The rejected weight.
        value: f64,
    },

    /// A weight's sign disagrees with the cell type of its presynaptic neuron.
    #[error(
        "weight {pre} -> {post} is {value} but neuron {pre} is {cell_type:?}; Dale's law needs \
         positive outgoing weights from excitatory and negative ones from inhibitory neurons"
    )]
    DaleViolation {
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
        /// The rejected weight.
        value: f64,
        /// Cell type of `pre`.
        cell_type: CellType,
    },

    /// The number of positions differs from the number of neurons.
    #[error("{len} positions for {neuron_count} neurons; pass one position per neuron")]
    PositionCount {
        /// Number of positions passed.
        len: usize,
        /// Number of neurons.
        neuron_count: usize,
    },

    /// A position has a NaN or infinite coordinate.
    #[error("position of neuron {neuron} is not finite; coordinates must be finite numbers")]
    NonFinitePosition {
        /// The neuron.
        neuron: usize,
    },

    /// A planted motif names a node outside the circuit.
    #[error("planted motif {motif} names node {node}, outside 0..{neuron_count}")]
    MotifNodeOutOfRange {
        /// Index of the motif in the list.
        motif: usize,
        /// The out-of-range node.
        node: usize,
        /// Number of neurons.
        neuron_count: usize,
    },

    /// A planted motif lists an arc that the weights do not contain.
    #[error("planted motif {motif} lists arc {pre} -> {post}, but that weight is zero")]
    MotifArcMissing {
        /// Index of the motif in the list.
        motif: usize,
        /// Presynaptic neuron.
        pre: usize,
        /// Postsynaptic neuron.
        post: usize,
    },

    /// A planted motif lists the same node twice.
    #[error("planted motif {motif} lists node {node} twice; list each node once")]
    MotifNodeRepeated {
        /// Index of the motif in the list.
        motif: usize,
        /// The repeated node.
        node: usize,
    },

    /// A count parameter is below its minimum.
    #[error("invalid {field} = {value}: use at least {min}")]
    CountTooSmall {
        /// Name of the configuration field.
        field: &'static str,
        /// The rejected value.
        value: usize,
        /// Smallest accepted value.
        min: usize,
    },

    /// A layer of a chain has no neurons.
    #[error("layer {layer} of layer_sizes has 0 neurons; give every layer at least 1")]
    EmptyLayer {
        /// Index of the empty layer.
        layer: usize,
    },

    /// A parameter that must be a finite positive number is not.
    #[error("invalid {field} = {value}: use a finite number greater than 0")]
    NotPositive {
        /// Name of the configuration field.
        field: &'static str,
        /// The rejected value.
        value: f64,
    },

    /// A probability or fraction lies outside `[0, 1]` or is NaN.
    #[error("invalid {field} = {value}: use a number between 0 and 1")]
    NotProbability {
        /// Name of the configuration field.
        field: &'static str,
        /// The rejected value.
        value: f64,
    },

    /// A fixed fan-in exceeds the number of presynaptic neurons it draws from.
    #[error(
        "invalid {field} = {fan_in}: only {available} presynaptic neurons are available; \
         lower the fan-in or enlarge the presynaptic population"
    )]
    FanInTooLarge {
        /// Name of the configuration field.
        field: &'static str,
        /// The rejected fan-in.
        fan_in: usize,
        /// Size of the smallest presynaptic population it applies to.
        available: usize,
    },

    /// A layer index is not a layer of the chain.
    #[error("invalid {field} = {layer}: the chain has layers 0..{layer_count}")]
    LayerOutOfRange {
        /// Name of the configuration field.
        field: &'static str,
        /// The rejected layer index.
        layer: usize,
        /// Number of layers.
        layer_count: usize,
    },

    /// A feedback projection does not run from a higher layer to a lower one.
    #[error(
        "feedback from layer {from_layer} to layer {to_layer} does not run backwards; \
         set from_layer greater than to_layer"
    )]
    FeedbackNotBackward {
        /// Source layer of the feedback.
        from_layer: usize,
        /// Target layer of the feedback.
        to_layer: usize,
    },

    /// The surround of a centre-surround circuit does not reach beyond its centre.
    #[error(
        "surround_radius = {surround_radius} must exceed centre_radius = {centre_radius}; \
         raise surround_radius"
    )]
    SurroundInsideCentre {
        /// Radius of lateral excitation, in neurons.
        centre_radius: usize,
        /// Radius of lateral inhibition, in neurons.
        surround_radius: usize,
    },

    /// A circuit would have more neurons than a dense weight matrix allows.
    #[error(
        "{neuron_count} neurons exceed the limit of {max} for a dense weight matrix; \
         build a smaller circuit"
    )]
    TooManyNeurons {
        /// Requested number of neurons.
        neuron_count: usize,
        /// Largest accepted number of neurons.
        max: usize,
    },

    /// A motif placement lists a different number of nodes than the motif has neurons.
    #[error(
        "placement of motif {motif} lists {len} nodes but the motif has {expected} neurons; \
         list one background node per motif neuron or leave the placement empty"
    )]
    PlacementLength {
        /// Index of the motif in the list.
        motif: usize,
        /// Number of nodes listed.
        len: usize,
        /// Number of neurons of the motif.
        expected: usize,
    },

    /// A motif placement names a node outside the background network.
    #[error("placement of motif {motif} names node {node}, outside 0..{neuron_count}")]
    PlacementOutOfRange {
        /// Index of the motif in the list.
        motif: usize,
        /// The out-of-range node.
        node: usize,
        /// Number of neurons of the background network.
        neuron_count: usize,
    },

    /// Two motif neurons were placed on the same background node.
    #[error(
        "placement of motif {motif} reuses node {node}, which another motif neuron already \
         occupies; motifs may not overlap, so choose distinct nodes"
    )]
    PlacementOverlap {
        /// Index of the motif in the list.
        motif: usize,
        /// The node placed twice.
        node: usize,
    },

    /// The motifs need more neurons than the background network has.
    #[error(
        "the motifs need {needed} neurons but the background has only {neuron_count}; \
         raise neuron_count or plant fewer motifs"
    )]
    NotEnoughNodes {
        /// Total number of motif neurons.
        needed: usize,
        /// Number of neurons of the background network.
        neuron_count: usize,
    },

    /// A circuit passed for planting carries no motif label.
    #[error(
        "circuit {motif} to be planted records no motif; build it with a generator or label \
         it with Circuit::with_motifs"
    )]
    UnlabelledMotif {
        /// Index of the circuit in the list.
        motif: usize,
    },
}
