//! The fit and the leak decision on synthetic samples.

use super::*;

fn samples(heap: impl Fn(usize) -> u64, nodes: impl Fn(usize) -> u64, n: usize) -> Vec<Sample> {
    (0..=n)
        .map(|i| Sample {
            iteration: i,
            used_heap_bytes: heap(i),
            nodes: nodes(i),
            documents: 1,
            listeners: 10,
        })
        .collect()
}

#[test]
fn a_straight_line_fits_exactly() {
    let f = fit(&[10.0, 20.0, 30.0, 40.0]);
    assert!((f.slope - 10.0).abs() < 1e-9);
    assert!((f.r_squared - 1.0).abs() < 1e-9);
}

#[test]
fn flat_values_have_no_slope_and_no_fit() {
    let f = fit(&[5.0; 6]);
    assert_eq!(
        f,
        Fit {
            slope: 0.0,
            r_squared: 0.0
        }
    );
    assert_eq!(fit(&[1.0]).slope, 0.0);
    assert_eq!(fit(&[]).r_squared, 0.0);
}

#[test]
fn noise_fits_badly() {
    let f = fit(&[0.0, 100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 100.0]);
    assert!(f.r_squared < 0.3, "{f:?}");
}

#[test]
fn a_heap_climbing_over_the_budget_leaks() {
    let s = samples(|i| 3_000_000 + 200_000 * i as u64, |_| 100, 8);
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(r.leaking, "{r:?}");
    assert!((r.slope_bytes_per_iter - 200_000.0).abs() < 1e-6);
    assert_eq!(r.delta_bytes, 1_600_000);
    assert_eq!(r.iterations, 8);
    assert!(r.reasons[0].contains("JS heap"), "{:?}", r.reasons);
}

#[test]
fn a_heap_under_the_budget_is_clean() {
    let s = samples(|i| 3_000_000 + 50_000 * i as u64, |_| 100, 8);
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(!r.leaking, "{r:?}");
    assert!(r.reasons.is_empty());
    // A tighter budget turns the same climb into a leak.
    let s = samples(|i| 3_000_000 + 50_000 * i as u64, |_| 100, 8);
    assert!(LeakReport::from_samples(s, 10_000, 1).leaking);
}

#[test]
fn one_jump_of_garbage_collection_noise_is_not_a_leak() {
    // A big slope from one spike in the middle does not fit a line.
    let s = samples(|i| if i == 4 { 9_000_000 } else { 3_000_000 }, |_| 100, 8);
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(!r.leaking, "{r:?}");
}

#[test]
fn nodes_that_pile_up_leak_even_with_a_flat_heap() {
    let s = samples(|_| 3_000_000, |i| 100 + 800 * i as u64, 8);
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(r.leaking);
    assert!((r.nodes_per_iter - 800.0).abs() < 1e-9);
    assert!(
        r.reasons.iter().any(|x| x.contains("DOM nodes")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn listeners_that_pile_up_leak() {
    let mut s = samples(|_| 3_000_000, |_| 100, 8);
    for x in &mut s {
        x.listeners = 10 + 400 * x.iteration as u64;
    }
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(r.leaking);
    assert!((r.listeners_per_iter - 400.0).abs() < 1e-9);
}

#[test]
fn counts_that_wobble_are_clean() {
    let s = samples(
        |i| 3_000_000 + (i as u64 % 3) * 20_000,
        |i| 100 + (i as u64 % 2) * 2,
        8,
    );
    let r = LeakReport::from_samples(s, DEFAULT_BUDGET_BYTES, 1);
    assert!(!r.leaking, "{r:?}");
}

#[test]
fn the_report_has_the_spec_fields() {
    let s = samples(|_| 1, |_| 1, 2);
    let v = serde_json::to_value(LeakReport::from_samples(s, 7, 0)).unwrap();
    for key in [
        "samples",
        "slope_bytes_per_iter",
        "delta_bytes",
        "nodes_per_iter",
        "listeners_per_iter",
        "r_squared",
        "leaking",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["samples"][1]["iteration"], 1);
    assert!(v["samples"][0].get("used_heap_bytes").is_some());
}

#[test]
fn counter_answers_are_read_by_shape() {
    let dom = json!({"nodes": 3, "documents": 1, "jsEventListeners": 0});
    assert_eq!(counts(Counters::DomCounters, &dom), Some((3, 1, 0)));
    assert_eq!(counts(Counters::DomCounters, &json!({"nodes": "x"})), None);
    assert_eq!(counts(Counters::Metrics, &dom), None);
}
