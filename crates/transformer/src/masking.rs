//! Token masks of the masked-reconstruction objective (Devlin et al. 2019, NAACL, BERT; for
//! neural data, Ye and Pandarinath 2021): random tokens or contiguous spans.
//!
//! Masks are row-major `[batch, tokens]`, `true` for a hidden token. Each sequence hides
//! `max(1, round(ratio * tokens))` tokens, and at least one token stays visible.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::error::{TransformerResult, check_nonzero, invalid};

/// Rule that chooses the tokens to mask.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MaskKind {
    /// Tokens drawn uniformly without replacement.
    Random,
    /// Contiguous spans of `span` tokens at random starts, until the count is reached (the
    /// last span is cut short if needed).
    Span { span: usize },
}

fn masked_count(ratio: f64, tokens: usize) -> TransformerResult<usize> {
    if !(ratio > 0.0 && ratio < 1.0) {
        return Err(invalid("mask_ratio", ratio, "a value in (0, 1)"));
    }
    if tokens < 2 {
        return Err(invalid(
            "tokens",
            tokens,
            "at least 2 to hide some and keep some",
        ));
    }
    Ok(((ratio * tokens as f64).round() as usize).clamp(1, tokens - 1))
}

/// Draws a `[batch, tokens]` mask.
///
/// # Errors
/// [`crate::TransformerError::InvalidSetting`] for a ratio outside (0, 1), fewer than two
/// tokens, or a zero span.
pub fn draw_mask(
    rng: &mut ChaCha8Rng,
    kind: MaskKind,
    batch: usize,
    tokens: usize,
    ratio: f64,
) -> TransformerResult<Vec<bool>> {
    let count = masked_count(ratio, tokens)?;
    if let MaskKind::Span { span } = kind {
        check_nonzero("span", span)?;
    }
    let mut mask = vec![false; batch * tokens];
    for row in mask.chunks_exact_mut(tokens) {
        match kind {
            MaskKind::Random => {
                let mut order: Vec<usize> = (0..tokens).collect();
                for i in 0..count {
                    let j = rng.random_range(i..tokens);
                    order.swap(i, j);
                    row[order[i]] = true;
                }
            }
            MaskKind::Span { span } => {
                let span = span.min(count);
                let mut hidden = 0;
                while hidden < count {
                    let start = rng.random_range(0..=tokens - span);
                    for slot in &mut row[start..start + span] {
                        if hidden < count && !*slot {
                            *slot = true;
                            hidden += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(mask)
}
