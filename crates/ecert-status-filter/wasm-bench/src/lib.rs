//! The status filter's lookup in WebAssembly, driven from Node by `run.mjs` (scripts/bench-status.sh). wasm32 has no
//! clock, so the JavaScript side times each exported call with `performance.now()`; this side only builds, parses
//! and looks up, and counts the wrong answers against the truth of the synthetic universe.
//!
//! Exports (all sizes `u32`): `buffer(len)` gives the address of a fresh input buffer of `len` bytes
//! and `input()` that of the buffer as it is; `load(slot)` parses
//! it (`from_bytes`) as the snapshot (slot 0) or the delta (slot 1); `build_synthetic(n)` builds a snapshot over `n`
//! synthetic copies inside wasm and leaves its encoding in the input buffer; `prepare(n, delta, count, mixed)` draws
//! a sample of `count` copies of the universe `bench_status` builds (half of them revoked if `mixed`), computing
//! their keys and true answers beforehand; `run()` looks up the whole sample and returns the wrong answers.

// `no_mangle` is what makes the exports visible to JavaScript; nothing here dereferences a raw pointer.
#![allow(unsafe_code)]

use std::sync::{Mutex, PoisonError};

use ecert_status_filter::{Key, SNAPSHOT_FINGERPRINT_BITS, StatusFilter, synthetic_key};

// The universe of examples/bench_status.rs: these three functions must stay equal to its own (a difference shows
// as wrong answers).
fn revoked_in_snapshot(i: u64) -> bool {
    mix(i ^ 0x5eed).is_multiple_of(200)
}
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

struct State {
    input: Vec<u8>,
    snapshot: Option<StatusFilter>,
    delta: Option<StatusFilter>,
    sample: Vec<(Key, bool)>,
}

static STATE: Mutex<State> = Mutex::new(State { input: Vec::new(), snapshot: None, delta: None, sample: Vec::new() });

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    f(&mut STATE.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The address of a zeroed input buffer of `len` bytes (valid until the next call that touches the buffer).
#[unsafe(no_mangle)]
pub extern "C" fn buffer(len: u32) -> *mut u8 {
    with(|s| {
        s.input = vec![0; len as usize];
        s.input.as_mut_ptr()
    })
}

/// The address of the input buffer as it is (after `build_synthetic`: the encoded snapshot).
#[unsafe(no_mangle)]
pub extern "C" fn input() -> *const u8 {
    with(|s| s.input.as_ptr())
}

/// Parse the input buffer as the snapshot (`slot` 0) or the delta (1): 0 when it reads, -1 when it does not.
#[unsafe(no_mangle)]
pub extern "C" fn load(slot: u32) -> i32 {
    with(|s| match StatusFilter::from_bytes(&s.input) {
        Ok(f) => {
            if slot == 0 {
                s.snapshot = Some(f);
            } else {
                s.delta = Some(f);
            }
            0
        }
        Err(_) => -1,
    })
}

/// Build a snapshot over `n` synthetic copies (0.5 % revoked) and leave its encoding in the input buffer (no filter
/// is loaded afterwards): its length, or -1 if it cannot be built.
#[unsafe(no_mangle)]
pub extern "C" fn build_synthetic(n: u32) -> i32 {
    let n = u64::from(n);
    let revoked: Vec<Key> = (0..n).filter(|&i| revoked_in_snapshot(i)).map(synthetic_key).collect();
    let valid = || (0..n).filter(|&i| !revoked_in_snapshot(i)).map(synthetic_key);
    let Ok(filter) = StatusFilter::build(&revoked, valid, SNAPSHOT_FINGERPRINT_BITS) else { return -1 };
    with(|s| {
        s.input = filter.to_bytes();
        s.snapshot = None;
        s.delta = None;
        i32::try_from(s.input.len()).unwrap_or(-1)
    })
}

/// Draw `count` copies of the universe of `n` copies with `delta` revocations in the delta (0: no delta), with
/// replacement, pseudo-randomly: half of them revoked if `mixed` is not 0, else uniformly (≈ 0.5 % revoked). Keys
/// and true answers are computed here, outside the timed loop. Returns how many of the sample are revoked.
#[unsafe(no_mangle)]
pub extern "C" fn prepare(n: u32, delta: u32, count: u32, mixed: u32) -> u32 {
    let (n, delta, count) = (u64::from(n.max(1)), u64::from(delta), count as usize);
    let truth = |i: u64| revoked_in_snapshot(i) || revoked_in_delta(i, n, delta);
    let draw = |j: u64| mix(j ^ 0x5a3b_1e00) % n;
    let mut sample = Vec::with_capacity(count);
    if mixed == 0 {
        sample.extend((0..count as u64).map(draw).map(|i| (synthetic_key(i), truth(i))));
    } else {
        let (mut yes, mut no) = (Vec::with_capacity(count / 2), Vec::with_capacity(count - count / 2));
        for i in (0..400 * count as u64).map(draw) {
            if yes.len() == count / 2 && no.len() == count - count / 2 {
                break;
            }
            let (list, cap) = if truth(i) { (&mut yes, count / 2) } else { (&mut no, count - count / 2) };
            if list.len() < cap {
                list.push(i);
            }
        }
        // Interleaved in a pseudo-random order, so that no branch learns a pattern.
        let (mut yes, mut no) = (yes.into_iter(), no.into_iter());
        for p in 0u64.. {
            let first = if mix(p ^ 0xc0ffee) & 1 == 1 {
                yes.next().or_else(|| no.next())
            } else {
                no.next().or_else(|| yes.next())
            };
            let Some(i) = first else { break };
            sample.push((synthetic_key(i), truth(i)));
        }
    }
    let revoked = sample.iter().filter(|(_, t)| *t).count();
    with(|s| s.sample = sample);
    u32::try_from(revoked).unwrap_or(u32::MAX)
}

/// Look up every copy of the sample (snapshot, then delta if one is loaded): the number of wrong answers, or
/// `u32::MAX` if no snapshot is loaded.
#[unsafe(no_mangle)]
pub extern "C" fn run() -> u32 {
    with(|s| {
        let Some(snapshot) = &s.snapshot else { return u32::MAX };
        let mut wrong = 0u32;
        for (key, truth) in &s.sample {
            let revoked = snapshot.is_revoked(key) || s.delta.as_ref().is_some_and(|d| d.is_revoked(key));
            wrong += u32::from(revoked != *truth);
        }
        wrong
    })
}
