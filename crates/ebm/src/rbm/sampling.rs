//! Block Gibbs sampling of an [`Rbm`] on a Burn device: h ~ p(h | v), then v ~ p(v | h),
//! which leaves the joint distribution p(v, h) invariant (Hinton 2002, Neural Computation
//! 14:1771).

use burn::tensor::Device;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::rbm::error::Result;
use crate::rbm::model::{Rbm, download, upload};

impl Rbm {
    /// Runs `steps` block Gibbs steps from each row of `initial` and returns the final
    /// visible states. Each row is an independent chain.
    ///
    /// # Arguments
    /// - `initial`: starting visible states, one chain per row.
    /// - `steps`: Gibbs steps; 0 returns `initial`.
    /// - `seed`: seed of the host random numbers (see the `random` module for why they are
    ///   drawn on the host).
    /// - `device`: Burn device to run on.
    ///
    /// # Shapes
    /// - `initial`: C x V row-major; returns C x V row-major, binary for Bernoulli units.
    ///
    /// # Errors
    /// The data errors of [`Rbm::validate_data`] for `initial`, and [`crate::rbm::RbmError::Backend`].
    pub fn sample_gibbs(
        &self,
        initial: &[f32],
        steps: usize,
        seed: u64,
        device: &Device,
    ) -> Result<Vec<f32>> {
        let chains = self.validate_data(initial)?;
        if steps == 0 {
            return Ok(initial.to_vec());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let params = self.to_device(device);
        let mut visible = upload(initial.to_vec(), [chains, self.n_visible()], device);
        for _ in 0..steps {
            let hidden = params.bernoulli_sample(params.hidden_probabilities(visible), &mut rng);
            visible = params.sample_visible(hidden, &mut rng);
        }
        download(visible)
    }
}
