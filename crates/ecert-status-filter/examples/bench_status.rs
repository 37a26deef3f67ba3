//! The status filter at national scale, on a synthetic universe (run by scripts/bench-status.sh):
//! `N` issued copies (default 50 000 000) with 0.5 % revoked, then a delta of 10 000 new revocations. Prints the
//! encoded sizes against the goals and the information-theoretic bound, the build times, the peak memory, the
//! lookup time, and the number of wrong answers over the whole universe (must be 0). With a third argument DIR it
//! writes the encoded snapshot and delta to DIR/snapshot.bin and DIR/delta.bin (the wasm benchmark in
//! `wasm-bench/` reads them back).

// Benchmark code: a filter that does not read back should stop the run loudly.
#![allow(clippy::panic)]

use std::time::Instant;

use ecert_status_filter::{DELTA_FINGERPRINT_BITS, Key, SNAPSHOT_FINGERPRINT_BITS, StatusFilter, synthetic_key};

/// Revoked in the snapshot: 1 in 200 (0.5 %).
fn revoked_in_snapshot(i: u64) -> bool {
    mix(i ^ 0x5eed).is_multiple_of(200)
}
/// Revoked by the delta: the first `delta` non-revoked copies of a second pseudo-random order.
fn revoked_in_delta(i: u64, n: u64, delta: u64) -> bool {
    !revoked_in_snapshot(i) && mix(i ^ 0xde17a) % n < delta * 201 / 200
}
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The size of a plain Bloom-filter cascade as CRLite builds it: level 1 holds the `r` revoked at a false-positive
/// rate of r·√2/n, each later level holds the previous level's false positives at rate 1/2; a Bloom filter of `k`
/// keys at rate `p` takes k·ln(1/p)/ln²2 bits.
fn bloom_cascade_bits(n: f64, r: f64) -> f64 {
    let bloom = |k: f64, p: f64| k * (1.0 / p).ln() / std::f64::consts::LN_2.powi(2);
    let p1 = (r * std::f64::consts::SQRT_2 / n).min(0.5);
    let mut bits = bloom(r, p1);
    let (mut included, mut excluded) = (r, (n - r) * p1);
    while excluded >= 1.0 {
        bits += bloom(excluded, 0.5);
        (included, excluded) = (excluded, included * 0.5);
    }
    bits
}

/// log2(C(n, k)) bits, by Stirling: the fewest bits that can name `k` of `n`.
fn bound_bits(n: f64, k: f64) -> f64 {
    let h = |p: f64| if p <= 0.0 || p >= 1.0 { 0.0 } else { -p * p.log2() - (1.0 - p) * (1.0 - p).log2() };
    n * h(k / n)
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50_000_000);
    let delta_target: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let out_dir = std::env::args().nth(3).map(std::path::PathBuf::from);
    let kib = |b: usize| b as f64 / 1024.0;

    let t = Instant::now();
    let revoked: Vec<Key> = (0..n).filter(|&i| revoked_in_snapshot(i)).map(synthetic_key).collect();
    let valid = || (0..n).filter(|&i| !revoked_in_snapshot(i)).map(synthetic_key);
    let snapshot = StatusFilter::build(&revoked, valid, SNAPSHOT_FINGERPRINT_BITS).unwrap_or_else(|e| {
        eprintln!("snapshot: {e}");
        std::process::exit(1)
    });
    let build_s = t.elapsed().as_secs_f64();
    let bytes = snapshot.to_bytes();
    let r = revoked.len() as f64;
    println!("universe {n} copies, {} revoked ({:.2} %)", revoked.len(), 100.0 * r / n as f64);
    println!(
        "snapshot: {:.1} KiB (goal <= 320 KiB: {}; bound {:.1} KiB; a Bloom cascade ~ {:.1} KiB), built in {build_s:.1} s",
        kib(bytes.len()),
        if kib(bytes.len()) <= 320.0 { "met" } else { "NOT met" },
        bound_bits(n as f64, r) / 8.0 / 1024.0,
        bloom_cascade_bits(n as f64, r) / 8.0 / 1024.0,
    );
    drop(revoked);

    // The delta: new revocations, against every copy not revoked before.
    let t = Instant::now();
    let new: Vec<Key> = (0..n).filter(|&i| revoked_in_delta(i, n, delta_target)).map(synthetic_key).collect();
    let rest =
        || (0..n).filter(|&i| !revoked_in_snapshot(i) && !revoked_in_delta(i, n, delta_target)).map(synthetic_key);
    let delta = StatusFilter::build(&new, rest, DELTA_FINGERPRINT_BITS).unwrap_or_else(|e| {
        eprintln!("delta: {e}");
        std::process::exit(1)
    });
    let delta_s = t.elapsed().as_secs_f64();
    let delta_bytes = delta.to_bytes();
    println!(
        "delta for {} new revocations: {:.1} KiB (goal <= 24 KiB: {}; bound {:.1} KiB), built in {delta_s:.1} s",
        new.len(),
        kib(delta_bytes.len()),
        if kib(delta_bytes.len()) <= 24.0 { "met" } else { "NOT met" },
        bound_bits(n as f64, new.len() as f64) / 8.0 / 1024.0
    );
    drop(new);

    // Read back from the wire, then every copy of the universe: the answer must be exact.
    let snapshot = StatusFilter::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let delta = StatusFilter::from_bytes(&delta_bytes).unwrap_or_else(|e| panic!("{e}"));
    let t = Instant::now();
    let mut wrong = 0u64;
    for i in 0..n {
        let k = synthetic_key(i);
        let revoked = snapshot.is_revoked(&k) || delta.is_revoked(&k);
        wrong += u64::from(revoked != (revoked_in_snapshot(i) || revoked_in_delta(i, n, delta_target)));
    }
    let per = t.elapsed().as_secs_f64() / n as f64;
    println!(
        "checked all {n} copies (snapshot, then delta): {wrong} wrong answers ({}); {:.0} ns per copy natively",
        if wrong == 0 { "goal 0: met" } else { "goal 0: NOT met" },
        per * 1e9
    );
    println!("peak memory {:.0} MiB", peak_rss_mib());
    if let Some(dir) = out_dir {
        let write = |name: &str, b: &[u8]| {
            let path = dir.join(name);
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, b)).unwrap_or_else(|e| {
                eprintln!("{}: {e}", path.display());
                std::process::exit(1)
            })
        };
        write("snapshot.bin", &bytes);
        write("delta.bin", &delta_bytes);
    }
    if wrong != 0 {
        std::process::exit(1);
    }
}
