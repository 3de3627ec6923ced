//! Assignment of each head to its best-matching template graph, with a permutation p-value
//! that accounts for the choice among templates and Benjamini-Hochberg adjustment across heads.
//!
//! A template is a reference graph on the head's own nodes (a chain, a ring, lateral
//! inhibition, a connectome). The head is matched to the template of highest edge-recovery
//! AUROC. Its p-value compares that best AUROC with the best AUROC of node-relabelled copies
//! of the head (the max statistic over templates, so picking the best does not bias the
//! p-value): `p = (1 + #{null max >= observed max}) / (1 + samples)`.

use ncm_motifs::DiGraph;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::MappingError;
use crate::matrix::ArcWeights;
use crate::permutation::{benjamini_hochberg, random_permutation, recovery_auroc};
use crate::score::Direction;

/// Best template of one head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateMatch {
    /// Index of the best template; the first one wins ties.
    pub template: usize,
    /// AUROC of the head against each template, in template order.
    pub aurocs: Vec<f64>,
    /// Permutation p-value of the best AUROC under the max-over-templates null.
    pub p_value: f64,
    /// Benjamini-Hochberg adjusted p-value across all heads.
    pub q_value: f64,
}

/// Matches every head to its best template.
///
/// Head `h` draws its `samples` permutations in order from `ChaCha8Rng::seed_from_u64(seed)`
/// with stream `h`, so results do not depend on the thread count.
///
/// # Errors
/// [`MappingError::Empty`] for no heads or no templates, [`MappingError::InvalidParameter`]
/// for `samples = 0`, and those of [`crate::edge_recovery`] for each head and template.
pub fn assign_templates(
    heads: &[ArcWeights],
    templates: &[DiGraph],
    direction: Direction,
    samples: usize,
    seed: u64,
) -> Result<Vec<TemplateMatch>, MappingError> {
    if heads.is_empty() {
        return Err(MappingError::Empty { what: "heads" });
    }
    if templates.is_empty() {
        return Err(MappingError::Empty { what: "templates" });
    }
    if samples == 0 {
        return Err(MappingError::invalid(
            "samples",
            samples,
            "at least 1 permutation",
        ));
    }

    let matches: Vec<(usize, Vec<f64>, f64)> = heads
        .par_iter()
        .enumerate()
        .map(|(index, head)| match_head(head, templates, direction, samples, seed, index))
        .collect::<Result<_, _>>()?;
    let p_values: Vec<f64> = matches.iter().map(|(_, _, p)| *p).collect();
    let q_values = benjamini_hochberg(&p_values)?;
    tracing::debug!(
        heads = heads.len(),
        templates = templates.len(),
        "assigned templates"
    );
    Ok(matches
        .into_iter()
        .zip(q_values)
        .map(|((template, aurocs, p_value), q_value)| TemplateMatch {
            template,
            aurocs,
            p_value,
            q_value,
        })
        .collect())
}

/// Returns the best template, the AUROCs and the max-statistic p-value of one head.
fn match_head(
    head: &ArcWeights,
    templates: &[DiGraph],
    direction: Direction,
    samples: usize,
    seed: u64,
    index: usize,
) -> Result<(usize, Vec<f64>, f64), MappingError> {
    let aurocs: Vec<f64> = templates
        .iter()
        .map(|template| recovery_auroc(head, template, direction))
        .collect::<Result<_, _>>()?;
    let (mut best, mut best_auroc) = (0, aurocs[0]);
    for (template, &auroc) in aurocs.iter().enumerate() {
        if auroc > best_auroc {
            (best, best_auroc) = (template, auroc);
        }
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let mut exceed = 0_usize;
    for _ in 0..samples {
        let relabelled = head.relabelled(&random_permutation(head.node_count(), &mut rng));
        let mut null_max = f64::NEG_INFINITY;
        for template in templates {
            null_max = null_max.max(recovery_auroc(&relabelled, template, direction)?);
        }
        if null_max >= best_auroc {
            exceed += 1;
        }
    }
    let p_value = (1 + exceed) as f64 / (1 + samples) as f64;
    Ok((best, aurocs, p_value))
}
