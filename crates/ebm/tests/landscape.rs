//! Tests of the energy landscape analysis of Ezaki et al. 2017 (Phil. Trans. R. Soc. A
//! 375:20160287) against brute force: minima by definition, basins by an independent
//! descent, and barriers by a Floyd-Warshall minimax closure over the hypercube.

mod common;

use ncm_ebm::{EbmError, EnergyLandscape, IsingModel, MAX_LANDSCAPE_MINIMA, energy_landscape};

fn energies(model: &IsingModel) -> Vec<f64> {
    (0..(1u32 << model.n_spins()))
        .map(|x| model.energy_of_index(x).unwrap())
        .collect()
}

/// Minimax path energy between every pair of states: the lowest possible maximum energy on a
/// single-flip path, including both end points.
fn minimax_barriers(energy: &[f64], n: usize) -> Vec<f64> {
    let size = energy.len();
    let mut barrier = vec![f64::INFINITY; size * size];
    for x in 0..size {
        barrier[x * size + x] = energy[x];
        for i in 0..n {
            let y = x ^ (1 << i);
            barrier[x * size + y] = energy[x].max(energy[y]);
        }
    }
    for k in 0..size {
        for x in 0..size {
            for y in 0..size {
                let through = barrier[x * size + k].max(barrier[k * size + y]);
                if through < barrier[x * size + y] {
                    barrier[x * size + y] = through;
                }
            }
        }
    }
    barrier
}

/// Follows steepest descent from `x` with ties going to the lowest flipped spin index.
fn descend(energy: &[f64], n: usize, mut x: usize) -> usize {
    loop {
        let mut best = x;
        for i in 0..n {
            let y = x ^ (1 << i);
            if energy[y] < energy[best] {
                best = y;
            }
        }
        if best == x {
            return x;
        }
        x = best;
    }
}

fn check_against_brute_force(model: &IsingModel, landscape: &EnergyLandscape, samples: &[i8]) {
    let n = model.n_spins();
    let energy = energies(model);
    let size = energy.len();

    let mut expected_minima: Vec<u32> = (0..size)
        .filter(|&x| (0..n).all(|i| energy[x ^ (1 << i)] >= energy[x]))
        .map(|x| x as u32)
        .collect();
    let mut minima = landscape.minima.clone();
    minima.sort_unstable();
    expected_minima.sort_unstable();
    assert_eq!(minima, expected_minima, "minima");
    let k = landscape.minima.len();
    for (a, &x) in landscape.minima.iter().enumerate() {
        assert_eq!(
            landscape.minima_energy[a], energy[x as usize],
            "minimum {a} energy"
        );
        assert_eq!(
            landscape.basin_of_state[x as usize] as usize, a,
            "minimum {a} basin"
        );
    }

    for x in 0..size {
        let basin = landscape.basin_of_state[x] as usize;
        assert!(basin < k, "state {x} has basin {basin} of {k}");
        assert_eq!(
            landscape.minima[basin] as usize,
            descend(&energy, n, x),
            "state {x} basin"
        );
    }
    assert_eq!(landscape.basin_state_count.iter().sum::<u64>(), size as u64);
    let fraction_total: f64 = landscape.basin_data_fraction.iter().sum();
    assert!(
        (fraction_total - 1.0).abs() < 1e-12,
        "data fractions sum to {fraction_total}"
    );
    assert_eq!(samples.len() % n, 0);

    let expected_barrier = minimax_barriers(&energy, n);
    for a in 0..k {
        for b in 0..k {
            let x = landscape.minima[a] as usize;
            let y = landscape.minima[b] as usize;
            assert_eq!(
                landscape.barrier[a * k + b],
                expected_barrier[x * size + y],
                "barrier ({a}, {b})"
            );
        }
    }
    check_merges(landscape);
}

/// Checks scipy linkage numbering, monotone energies and that each merge's energy is the
/// barrier between its two sides.
fn check_merges(landscape: &EnergyLandscape) {
    let k = landscape.minima.len();
    assert_eq!(
        landscape.merges.len(),
        k - 1,
        "a connected hypercube merges all minima"
    );
    let mut members: Vec<Vec<usize>> = (0..k).map(|a| vec![a]).collect();
    let mut previous = f64::NEG_INFINITY;
    for (i, merge) in landscape.merges.iter().enumerate() {
        assert!(
            merge.left < merge.right,
            "merge {i}: left {} >= right {}",
            merge.left,
            merge.right
        );
        assert!(
            merge.right < k + i,
            "merge {i}: right {} is not an earlier cluster",
            merge.right
        );
        assert!(merge.energy >= previous, "merge {i} energy decreases");
        previous = merge.energy;
        for &p in &members[merge.left] {
            for &q in &members[merge.right] {
                assert_eq!(
                    landscape.barrier[p * k + q],
                    merge.energy,
                    "merge {i} barrier"
                );
            }
        }
        let mut joined = members[merge.left].clone();
        joined.extend(&members[merge.right]);
        assert_eq!(joined.len(), merge.minima_count, "merge {i} size");
        members.push(joined);
    }
}

#[test]
fn landscape_matches_brute_force_random_models() {
    for (seed, n) in [(61u64, 4usize), (62, 5), (63, 6), (64, 6), (65, 6)] {
        let model = common::random_model(n, 0.3, 1.5, seed);
        let samples = common::sample(&model, 500, seed + 1);
        let landscape = energy_landscape(&model, &samples).unwrap();
        check_against_brute_force(&model, &landscape, &samples);
    }
}

#[test]
fn landscape_has_several_minima_for_frustrated_model() {
    // Strong random couplings make a frustrated model with more than one local minimum, so
    // the barrier and merge checks above are exercised.
    let model = common::random_model(6, 0.1, 2.0, 63);
    let samples = common::sample(&model, 200, 7);
    let landscape = energy_landscape(&model, &samples).unwrap();
    assert!(landscape.minima.len() >= 2, "minima {:?}", landscape.minima);
    check_against_brute_force(&model, &landscape, &samples);
}

#[test]
fn ferromagnet_has_two_symmetric_minima() {
    // h = 0, J_ij = 1: all-down and all-up are the minima with energy -N(N-1)/2, and the
    // barrier is reached halfway, where three spins of six are up: E = -(3 + 3 - 9) = 3.
    let n = 6;
    let mut coupling = vec![1.0; n * n];
    (0..n).for_each(|i| coupling[i * n + i] = 0.0);
    let model = IsingModel::new(vec![0.0; n], coupling).unwrap();
    let samples = [
        1i8, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, -1,
    ];
    let landscape = energy_landscape(&model, &samples).unwrap();

    assert_eq!(landscape.minima, vec![0, 63]);
    assert_eq!(landscape.minima_energy, vec![-15.0, -15.0]);
    assert_eq!(landscape.barrier, vec![-15.0, 3.0, 3.0, -15.0]);
    assert_eq!(landscape.basin_data_fraction[1], 2.0 / 3.0);
    check_against_brute_force(&model, &landscape, &samples);
}

#[test]
fn single_minimum_has_no_merges() {
    let model = IsingModel::independent(vec![1.0, -0.5, 0.25]).unwrap();
    let landscape = energy_landscape(&model, &[1, -1, 1]).unwrap();
    assert_eq!(landscape.minima, vec![0b101]);
    assert!(landscape.merges.is_empty());
    assert_eq!(landscape.basin_state_count, vec![8]);
    assert_eq!(landscape.basin_data_fraction, vec![1.0]);
}

#[test]
fn landscape_rejects_bad_input() {
    let model = IsingModel::independent(vec![0.0; 3]).unwrap();
    assert_eq!(energy_landscape(&model, &[]), Err(EbmError::EmptySamples));
    assert!(matches!(
        energy_landscape(&model, &[1, 1, 1, 1]),
        Err(EbmError::SampleLengthMismatch { len: 4, n_spins: 3 })
    ));
    assert!(matches!(
        energy_landscape(&model, &[1, 1, -3]),
        Err(EbmError::InvalidSpin { value: -3, .. })
    ));
    let wide = IsingModel::independent(vec![0.0; 21]).unwrap();
    assert!(matches!(
        energy_landscape(&wide, &[1; 21]),
        Err(EbmError::TooManySpins { n_spins: 21, .. })
    ));
    let mut edited = IsingModel::independent(vec![0.0; 3]).unwrap();
    edited.coupling.pop();
    assert!(matches!(
        energy_landscape(&edited, &[1, 1, 1]),
        Err(EbmError::CouplingShape {
            len: 8,
            n_spins: 3,
            expected: 9
        })
    ));
}

#[test]
fn flat_model_reports_too_many_minima() {
    // With every field and coupling 0, no neighbour is strictly lower, so each of the 2^16
    // states is a minimum. The error must come before the 2^32-entry barrier matrix.
    let flat = IsingModel::independent(vec![0.0; 16]).unwrap();
    assert_eq!(
        energy_landscape(&flat, &[1; 16]),
        Err(EbmError::TooManyMinima {
            minima: 1 << 16,
            max: MAX_LANDSCAPE_MINIMA
        })
    );
}
