//! A check for tests that a parser's work grows linearly with its input (the property tests of the
//! upload checks, templates, forms and imports use it). Compiled for this crate's tests and, with the
//! `testing` feature, for other crates' tests.

use std::time::{Duration, Instant};

/// Fails when the work grows much faster than the input: on 16 times the input (`base` bytes doubled
/// four times) `run` must take less than 64 times as long, plus slack for the timer, which linear work
/// meets and quadratic work (256 times) does not. `make(size)` builds the input of `size` bytes.
pub fn assert_linear<T>(what: &str, base: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let sizes = [base, base * 2, base * 4, base * 8, base * 16];
    let inputs: Vec<_> = sizes.iter().map(|&size| make(size)).collect();
    // Sizes are timed in turn, three rounds, the fastest of each counting, so a pause of the machine
    // (another build on two cores) hits one round of one size rather than all of them; and a failed
    // comparison is measured again twice before it counts, which super-linear work fails every time.
    let mut times = Vec::new();
    for _ in 0..3 {
        times = vec![Duration::MAX; sizes.len()];
        for _ in 0..3 {
            for (time, input) in times.iter_mut().zip(&inputs) {
                let start = Instant::now();
                run(input);
                *time = (*time).min(start.elapsed());
            }
        }
        if times[sizes.len() - 1] < times[0] * 64 + Duration::from_millis(5) {
            return;
        }
    }
    panic!("{what}: {times:?} for {sizes:?} bytes");
}
