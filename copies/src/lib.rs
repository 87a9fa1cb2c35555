//! Not a lesson, and nothing depends on it. A lesson shares only the
//! `timing` crate; the other pieces that several lessons need are files
//! copied into each (so that every lesson can be taken out on its own):
//!
//! - `procs.rs`: the worker processes' lifecycle, in every lesson with workers;
//! - `cli.rs`: the command line's two ends, in every lesson;
//! - `random.rs`: the lecture's random arrays, in the sums;
//! - `together.rs`: threads started at once, and whether they overlapped (the
//!   thread lessons, and spin_lock);
//! - `value.rs`: `mp.Value`, in race_procs and locked_counter;
//! - `pool.rs`: the pools' `--threads`, in squares and integrate_sin.
//!
//! `tests/same.rs` checks that every copy of each is the same, to the byte;
//! the other tests test each file once, here, rather than once per copy.
