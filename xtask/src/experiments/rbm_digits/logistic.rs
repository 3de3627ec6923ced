//! Multinomial logistic regression fitted by Nesterov's accelerated gradient descent, used to
//! score RBM features against raw pixels.
//!
//! It minimises the mean cross-entropy plus (lambda / 2) ||W||^2 over weights W (features x
//! classes) and unpenalised intercepts, with lambda = 1 / (C n) for n training rows, the
//! same minimiser as scikit-learn's `LogisticRegression(C=C)` whose objective is
//! C sum_n loss_n + ||W||^2 / 2. The step is 1 / L with L = lambda_max(X^T X / n) / 2 +
//! lambda, a bound on the curvature of the softmax loss (Böhning 1992, Ann. Inst. Statist.
//! Math. 44:197), where X carries a column of ones for the intercepts.

use anyhow::{Result, ensure};

/// A fitted classifier: weights (features + 1) x classes, the last row holding intercepts.
pub struct LogisticRegression {
    n_features: usize,
    n_classes: usize,
    weights: Vec<f64>,
}

impl LogisticRegression {
    /// Fits the classifier to `features` (rows x n_features) and `labels` in 0..n_classes.
    pub fn fit(
        features: &[f32],
        labels: &[u8],
        n_features: usize,
        n_classes: usize,
        c: f64,
        iterations: usize,
    ) -> Result<Self> {
        let rows = labels.len();
        ensure!(
            rows > 0 && features.len() == rows * n_features,
            "features and labels disagree in length"
        );
        ensure!(
            labels.iter().all(|&l| usize::from(l) < n_classes),
            "a label is outside 0..{n_classes}"
        );
        let design = with_intercept(features, n_features);
        let width = n_features + 1;
        let penalty = 1.0 / (c * rows as f64);
        let step = 1.0 / (0.5 * largest_eigenvalue(&design, width, rows) + penalty);

        let mut model = Self {
            n_features,
            n_classes,
            weights: vec![0.0; width * n_classes],
        };
        let mut previous = model.weights.clone();
        for iteration in 1..=iterations {
            // Nesterov's look-ahead point y = w + (t - 1) / (t + 2) (w - w_previous).
            let momentum = (iteration as f64 - 1.0) / (iteration as f64 + 2.0);
            let look_ahead: Vec<f64> = model
                .weights
                .iter()
                .zip(&previous)
                .map(|(w, p)| w + momentum * (w - p))
                .collect();
            let gradient = gradient(&design, labels, &look_ahead, width, n_classes, penalty);
            previous = std::mem::replace(
                &mut model.weights,
                look_ahead
                    .iter()
                    .zip(&gradient)
                    .map(|(y, g)| y - step * g)
                    .collect(),
            );
        }
        Ok(model)
    }

    /// Returns the fraction of rows whose most probable class equals the label.
    pub fn accuracy(&self, features: &[f32], labels: &[u8]) -> f64 {
        let design = with_intercept(features, self.n_features);
        let width = self.n_features + 1;
        let correct = design
            .chunks_exact(width)
            .zip(labels)
            .filter(|(row, label)| {
                let scores = scores(row, &self.weights, self.n_classes);
                let best = (0..self.n_classes).max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
                best == Some(usize::from(**label))
            })
            .count();
        correct as f64 / labels.len() as f64
    }
}

/// Appends a column of ones and converts to f64.
fn with_intercept(features: &[f32], n_features: usize) -> Vec<f64> {
    features
        .chunks_exact(n_features)
        .flat_map(|row| {
            row.iter()
                .map(|&x| f64::from(x))
                .chain(std::iter::once(1.0))
        })
        .collect()
}

/// Class scores x^T W of one row.
fn scores(row: &[f64], weights: &[f64], n_classes: usize) -> Vec<f64> {
    let mut scores = vec![0.0; n_classes];
    for (&x, weight_row) in row.iter().zip(weights.chunks_exact(n_classes)) {
        for (score, &w) in scores.iter_mut().zip(weight_row) {
            *score += x * w;
        }
    }
    scores
}

/// Gradient of the penalised mean cross-entropy; the intercept row is not penalised.
fn gradient(
    design: &[f64],
    labels: &[u8],
    weights: &[f64],
    width: usize,
    n_classes: usize,
    penalty: f64,
) -> Vec<f64> {
    let rows = labels.len() as f64;
    let mut gradient = vec![0.0; weights.len()];
    for (row, &label) in design.chunks_exact(width).zip(labels) {
        let mut probabilities = scores(row, weights, n_classes);
        let max = probabilities
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        probabilities.iter_mut().for_each(|s| *s = (*s - max).exp());
        let total: f64 = probabilities.iter().sum();
        probabilities.iter_mut().for_each(|p| *p /= total);
        probabilities[usize::from(label)] -= 1.0;
        for (&x, gradient_row) in row.iter().zip(gradient.chunks_exact_mut(n_classes)) {
            if x != 0.0 {
                for (g, &p) in gradient_row.iter_mut().zip(&probabilities) {
                    *g += x * p / rows;
                }
            }
        }
    }
    for (g, &w) in gradient
        .iter_mut()
        .zip(weights)
        .take((width - 1) * n_classes)
    {
        *g += penalty * w;
    }
    gradient
}

/// Largest eigenvalue of X^T X / n by 50 power iterations, scaled up by 1 % so that the
/// step stays inside the stable range.
fn largest_eigenvalue(design: &[f64], width: usize, rows: usize) -> f64 {
    let mut vector = vec![1.0 / (width as f64).sqrt(); width];
    let mut eigenvalue = 0.0;
    for _ in 0..50 {
        let mut next = vec![0.0; width];
        for row in design.chunks_exact(width) {
            let projection: f64 = row.iter().zip(&vector).map(|(x, v)| x * v).sum();
            for (n, &x) in next.iter_mut().zip(row) {
                *n += projection * x / rows as f64;
            }
        }
        eigenvalue = next.iter().map(|v| v * v).sum::<f64>().sqrt();
        vector = next.iter().map(|v| v / eigenvalue).collect();
    }
    1.01 * eigenvalue
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean cross-entropy plus (penalty / 2) ||W||^2 without the intercept row, in f64.
    fn objective(
        design: &[f64],
        labels: &[u8],
        weights: &[f64],
        width: usize,
        n_classes: usize,
        penalty: f64,
    ) -> f64 {
        let mut loss = 0.0;
        for (row, &label) in design.chunks_exact(width).zip(labels) {
            let scores = scores(row, weights, n_classes);
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_total = max + scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
            loss += log_total - scores[usize::from(label)];
        }
        let squares: f64 = weights[..(width - 1) * n_classes]
            .iter()
            .map(|w| w * w)
            .sum();
        loss / labels.len() as f64 + 0.5 * penalty * squares
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let features = [
            0.2f32, 0.9, 0.4, 0.1, 0.7, 0.3, 0.5, 0.5, 0.0, 1.0, 0.8, 0.6,
        ];
        let labels = [0u8, 2, 1, 2, 0, 1];
        let (n_features, n_classes, penalty) = (2, 3, 0.1);
        let design = with_intercept(&features, n_features);
        let width = n_features + 1;
        let weights: Vec<f64> = (0..width * n_classes)
            .map(|k| 0.3 * (k as f64).sin())
            .collect();
        let analytic = gradient(&design, &labels, &weights, width, n_classes, penalty);
        for k in 0..weights.len() {
            let step = 1e-6;
            let mut up = weights.clone();
            let mut down = weights.clone();
            up[k] += step;
            down[k] -= step;
            let numeric = (objective(&design, &labels, &up, width, n_classes, penalty)
                - objective(&design, &labels, &down, width, n_classes, penalty))
                / (2.0 * step);
            // Central differences of a smooth function of size 1 are accurate to about 1e-9.
            assert!(
                (analytic[k] - numeric).abs() < 1e-7,
                "weight {k}: {} vs {numeric}",
                analytic[k]
            );
        }
    }

    #[test]
    fn separable_classes_are_learned() {
        // Class c sits at feature c = 1; every other feature is 0.
        let features: Vec<f32> = (0..30)
            .flat_map(|n| (0..3).map(move |c| if n % 3 == c { 1.0 } else { 0.0 }))
            .collect();
        let labels: Vec<u8> = (0..30).map(|n| (n % 3) as u8).collect();
        let classifier = LogisticRegression::fit(&features, &labels, 3, 3, 1.0, 200).unwrap();
        assert_eq!(classifier.accuracy(&features, &labels), 1.0);
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        assert!(LogisticRegression::fit(&[0.0; 5], &[0, 1], 3, 2, 1.0, 10).is_err());
        assert!(LogisticRegression::fit(&[0.0; 6], &[0, 2], 3, 2, 1.0, 10).is_err());
    }
}
