//! The contrastive loss of STNDT: NT-Xent against closed forms, the objective against a hand
//! computation from forward passes, and typed errors.

use burn::tensor::{Device, Tensor, TensorData};
use ncm_transformer::train::objective_loss;
use ncm_transformer::{
    Contrastive, ForwardMask, Layout, MaskKind, Objective, TrainConfig, Trainer, TransformerConfig,
    TransformerError, draw_mask, nt_xent,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn matrix(values: &[f32], rows: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(values.to_vec(), [rows, values.len() / rows]),
        device,
    )
}

/// NT-Xent written out: unit embeddings, cosine similarities over tau, and the mean over the
/// 2N anchors of -ln(exp(s_i,p(i)) / sum_{k != i} exp(s_ik)).
fn nt_xent_by_hand(z1: &[Vec<f64>], z2: &[Vec<f64>], temperature: f64) -> f64 {
    let all: Vec<Vec<f64>> = z1.iter().chain(z2).cloned().collect();
    let unit: Vec<Vec<f64>> = all
        .iter()
        .map(|z| {
            let norm = z.iter().map(|v| v * v).sum::<f64>().sqrt();
            z.iter().map(|v| v / norm).collect()
        })
        .collect();
    let (n, count) = (z1.len(), all.len());
    let similarity = |i: usize, k: usize| {
        unit[i]
            .iter()
            .zip(&unit[k])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / temperature
    };
    let mut total = 0.0;
    for i in 0..count {
        let positive = (i + n) % count;
        let denominator: f64 = (0..count)
            .filter(|&k| k != i)
            .map(|k| similarity(i, k).exp())
            .sum();
        total += denominator.ln() - similarity(i, positive);
    }
    total / count as f64
}

#[test]
fn nt_xent_matches_closed_forms() {
    let device = Device::flex();

    // Views e1, e2 and e1, e2 at tau = 1: each anchor has similarity 1 with its positive and 0
    // with the two negatives, so the loss is ln(e + 2) - 1 = 0.551444713932051.
    let identity = [1.0f32, 0.0, 0.0, 1.0];
    let loss = nt_xent(
        matrix(&identity, 2, &device),
        matrix(&identity, 2, &device),
        1.0,
    )
    .unwrap();
    let expected = (std::f64::consts::E + 2.0).ln() - 1.0;
    assert!((expected - 0.551_444_713_932_051).abs() < 1e-12);
    assert!((f64::from(read(loss)[0]) - expected).abs() < 1e-6);

    // z1 = (3, 4), (0, 2) and z2 = (4, 3), (-1, 0) at tau = 0.5. Unit vectors a = (0.6, 0.8),
    // b = (0, 1), c = (0.8, 0.6), d = (-1, 0); cosines ab 0.8, ac 0.96, ad -0.6, bc 0.6,
    // bd 0, cd -0.8; positives a-c and b-d. Doubled (1 / tau = 2), the four anchor losses are
    // ln(e^1.6 + e^1.92 + e^-1.2) - 1.92, ln(e^1.6 + e^1.2 + e^0) - 0,
    // ln(e^1.92 + e^1.2 + e^-1.6) - 1.92 and ln(e^-1.2 + e^0 + e^-1.6) - 0; their mean is
    // 0.9055265769311414 (evaluated with Python's math module).
    let anchors = [
        (1.6f64.exp() + 1.92f64.exp() + (-1.2f64).exp()).ln() - 1.92,
        (1.6f64.exp() + 1.2f64.exp() + 1.0).ln(),
        (1.92f64.exp() + 1.2f64.exp() + (-1.6f64).exp()).ln() - 1.92,
        ((-1.2f64).exp() + 1.0 + (-1.6f64).exp()).ln(),
    ];
    let expected = anchors.iter().sum::<f64>() / 4.0;
    assert!((expected - 0.905_526_576_931_141_4).abs() < 1e-12);
    let loss = nt_xent(
        matrix(&[3.0, 4.0, 0.0, 2.0], 2, &device),
        matrix(&[4.0, 3.0, -1.0, 0.0], 2, &device),
        0.5,
    )
    .unwrap();
    assert!((f64::from(read(loss)[0]) - expected).abs() < 1e-5);

    // One window has no negatives: each anchor's only candidate is its positive.
    let loss = nt_xent(
        matrix(&[1.0, 0.0], 1, &device),
        matrix(&[0.0, 1.0], 1, &device),
        0.5,
    )
    .unwrap();
    assert!(read(loss)[0].abs() < 1e-6);

    // Three windows in three dimensions against the written-out formula.
    let z1 = [[0.2, -1.0, 0.5], [1.5, 0.3, -0.2], [-0.7, 0.8, 1.1]];
    let z2 = [[0.1, -0.8, 0.9], [1.2, 0.6, 0.1], [-1.0, 0.2, 0.7]];
    let flat = |z: &[[f64; 3]; 3]| z.iter().flatten().map(|&v| v as f32).collect::<Vec<_>>();
    let loss = nt_xent(
        matrix(&flat(&z1), 3, &device),
        matrix(&flat(&z2), 3, &device),
        0.2,
    )
    .unwrap();
    let expected = nt_xent_by_hand(
        &z1.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        &z2.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        0.2,
    );
    assert!(
        (f64::from(read(loss)[0]) - expected).abs() < 1e-5,
        "vs {expected}"
    );
}

#[test]
fn contrastive_term_uses_two_fresh_views() {
    let device = Device::flex();
    let model = TransformerConfig::new(3, 6)
        .with_layout(Layout::Spatiotemporal)
        .with_d_model(8)
        .with_heads(2)
        .with_seed(9)
        .init(&device)
        .unwrap();
    let values: Vec<f32> = (0..4 * 6 * 3).map(|i| (i as f32 * 0.29).sin()).collect();
    let batch = Tensor::<3>::from_data(TensorData::new(values, [4, 6, 3]), &device);
    let (mask, ratio) = (MaskKind::Span { span: 2 }, 0.3);
    let objective = |contrastive| Objective::MaskedReconstruction {
        mask,
        ratio,
        contrastive,
    };
    let contrastive = Contrastive {
        weight: 0.5,
        temperature: 0.2,
    };
    let loss = |objective: Objective| {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        f64::from(read(objective_loss(&model, batch.clone(), &objective, &mut rng).unwrap())[0])
    };
    let (plain, with) = (loss(objective(None)), loss(objective(Some(contrastive))));

    // The two views take the next two masks of the stream, after the reconstruction mask.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let tokens = 18;
    draw_mask(&mut rng, mask, 4, tokens, ratio).unwrap();
    let mut embed = || -> Vec<Vec<f64>> {
        let hidden = draw_mask(&mut rng, mask, 4, tokens, ratio).unwrap();
        let forward_mask = ForwardMask {
            masked: Some(hidden),
            ..ForwardMask::default()
        };
        let states = read(model.forward(batch.clone(), &forward_mask).unwrap().states);
        // Mean over the 18 tokens of each window's [18, 8] states.
        (0..4)
            .map(|b| {
                (0..8)
                    .map(|j| {
                        (0..tokens)
                            .map(|t| f64::from(states[(b * tokens + t) * 8 + j]))
                            .sum::<f64>()
                            / tokens as f64
                    })
                    .collect()
            })
            .collect()
    };
    let (first, second) = (embed(), embed());
    let expected = plain + 0.5 * nt_xent_by_hand(&first, &second, 0.2);
    assert!((with - expected).abs() < 1e-4, "{with} vs {expected}");
    assert!((with - plain).abs() > 1e-3);
}

#[test]
fn contrastive_training_runs_and_checks_settings() {
    let device = Device::flex();
    let series: Vec<f32> = (0..150 * 3).map(|i| (i as f32 * 0.21).sin()).collect();
    let model = || {
        TransformerConfig::new(3, 8)
            .with_d_model(8)
            .with_heads(2)
            .with_depth(1)
            .init(&device)
            .unwrap()
    };
    let with = |contrastive: Contrastive, batch_size: usize| TrainConfig {
        objective: Objective::MaskedReconstruction {
            mask: MaskKind::Random,
            ratio: 0.25,
            contrastive: Some(contrastive),
        },
        window: 8,
        steps: 6,
        batch_size,
        eval_every: 3,
        ..TrainConfig::default()
    };
    let good = Contrastive {
        weight: 0.1,
        temperature: 0.5,
    };
    let mut trainer = Trainer::new(model(), &series, with(good, 4), &device).unwrap();
    let history = trainer.run().unwrap();
    assert_eq!(history.len(), 6);
    assert!(history.iter().all(|r| r.loss.is_finite()));
    assert!(history[5].validation.unwrap().is_finite());

    let error = |contrastive, batch_size| match Trainer::new(
        model(),
        &series,
        with(contrastive, batch_size),
        &device,
    )
    .err()
    {
        Some(TransformerError::InvalidSetting { name, .. }) => name,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    for weight in [0.0, -1.0, f64::NAN] {
        let bad = Contrastive { weight, ..good };
        assert_eq!(error(bad, 4), "contrastive weight");
    }
    for temperature in [0.0, f64::INFINITY] {
        let bad = Contrastive {
            temperature,
            ..good
        };
        assert_eq!(error(bad, 4), "temperature");
    }
    assert_eq!(error(good, 1), "batch_size");

    let z = Tensor::<2>::zeros([2, 3], &device);
    assert!(matches!(
        nt_xent(z.clone(), Tensor::zeros([3, 3], &device), 0.5).err(),
        Some(TransformerError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        nt_xent(z.clone(), z, f64::NAN).err(),
        Some(TransformerError::InvalidSetting {
            name: "temperature",
            ..
        })
    ));
}
