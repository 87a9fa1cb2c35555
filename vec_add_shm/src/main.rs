//! `vecAddF.py` in Rust: the same sum as `vec_add`, but the array is copied
//! once into shared memory and every worker process maps it and sums its own
//! range. No element crosses a pipe; only the partial sums come back.
//!
//! The lesson: shared memory removes the copy that made `vec_add` slow
//! (0.013 s instead of 0.45 s here). The lecture (32 CPUs) printed
//! `Speedup: 0.62x`: Python still paid for starting processes. On a 2-core
//! machine the processes tie with the sequential sum (median 1.04x over 30
//! runs), because two cores share one memory bus. One run:
//!
//! ```text
//! Sequential sum: 2500193854, time = 0.012 s
//! Parallel sum: 2500193854, time = 0.013 s
//! Speedup: 0.94x with 2 processes
//! ```
//!
//! What Rust changes: Python's `SharedMemory` is a named block in `/dev/shm`
//! that a crashed run leaves behind. Here the block is a file with no name,
//! handed to each worker as its stdin: nothing can be left behind, and it
//! lives in the temp dir (page cache) because that measured faster than
//! `/dev/shm` on Linux (try `--shm-dir /dev/shm`).

use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::{env, thread};

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use memmap2::Mmap;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

/// Partial sums in worker processes that share one memory-mapped array (vecAddF.py).
#[derive(Parser)]
struct Args {
    /// How many random integers (1..=99) to sum
    #[arg(long, default_value_t = 50_000_000, value_parser = positive, allow_hyphen_values = true)]
    n: usize,
    /// Worker processes [default: all CPUs]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: Option<u16>,
    /// Seed for the random numbers, to get the same array every run
    #[arg(long)]
    seed: Option<u64>,
    /// Folder for the shared file (it never gets a name there) [default: the temp dir]
    #[arg(long, value_name = "DIR")]
    shm_dir: Option<PathBuf>,
    /// Run as a worker: map stdin, print the sum of elements START..END
    #[arg(long, hide = true, num_args = 2, value_names = ["START", "END"])]
    worker: Option<Vec<usize>>,
}

/// The work each worker does: `np.sum(arr[start:end])`.
fn partial_sum(subarray: &[i64]) -> i64 {
    subarray.iter().sum()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.worker {
        Some(range) => worker(range[0], range[1]),
        None => run(args),
    };
    // Any failure ends in one line, like clap's errors, and exit code 1.
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The Python script's main block.
fn run(args: Args) -> Result<()> {
    let n = args.n;
    let arr = random_array(n, args.seed)?;

    // Sequential
    let (seq_sum, seq_time) = timing::time(|| partial_sum(&arr));
    println!(
        "Sequential sum: {seq_sum}, time = {:.3} s",
        seq_time.as_secs_f64()
    );

    // Parallel: copy the array once into shared memory. Written with one
    // write() rather than through a mapping: the page cache then holds it in
    // large pages and a worker maps ~1 MB per page fault instead of 4 KiB.
    let dir = args.shm_dir.unwrap_or_else(env::temp_dir);
    let mut shm = unnamed_file(&dir)?;
    shm.write_all(as_bytes(&arr))
        .context("cannot copy the array into the shared file")?;

    let num_procs = args.workers.map_or_else(
        || thread::available_parallelism().map_or(1, NonZero::get),
        usize::from,
    );
    let (partial_sums, par_time) = timing::time(|| -> Result<Vec<i64>> {
        let mut procs = Workers(Vec::new());
        for i in 0..num_procs {
            let (s, e) = (i * n / num_procs, (i + 1) * n / num_procs);
            procs.0.push(start_worker(&shm, s, e)?);
        }
        // out_q.get() for each worker: its partial sum, read from its stdout.
        let mut partial_sums = Vec::new();
        for (i, child) in procs.0.iter_mut().enumerate() {
            partial_sums.push(answer(i, child)?);
        }
        Ok(partial_sums)
    });
    let par_sum: i64 = partial_sums?.iter().sum();
    println!(
        "Parallel sum: {par_sum}, time = {:.3} s",
        par_time.as_secs_f64()
    );
    println!(
        "Speedup: {:.2}x with {num_procs} processes",
        seq_time.as_secs_f64() / par_time.as_secs_f64()
    );

    ensure!(
        par_sum == seq_sum,
        "parallel sum {par_sum} != sequential sum {seq_sum}"
    );
    Ok(())
}

/// The worker side: map the shared file (our stdin) and sum `arr[start..end]`.
fn worker(start: usize, end: usize) -> Result<()> {
    // SAFETY: the parent wrote the file before starting us and nobody writes
    // it while we read.
    let shm = unsafe { Mmap::map(&std::io::stdin()) }.context("worker: cannot map its stdin")?;
    let arr = as_numbers(&shm);
    let subarray = arr.get(start..end).with_context(|| {
        format!(
            "worker: {start}..{end} is outside the {} numbers",
            arr.len()
        )
    })?;
    println!("{}", partial_sum(subarray));
    Ok(())
}

/// `np.random.randint(1, 100, size=n)`: n integers in 1..=99.
fn random_array(n: usize, seed: Option<u64>) -> Result<Vec<i64>> {
    let mut rng = match seed {
        Some(seed) => SmallRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let mut arr = Vec::new();
    arr.try_reserve_exact(n)
        .with_context(|| format!("not enough memory for {n} numbers"))?;
    arr.extend((0..n).map(|_| rng.random_range(1..100)));
    Ok(arr)
}

/// A new file in `dir` that has no name, so no way of ending the run can
/// leave it behind: it is gone when the last process holding it exits.
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
        .with_context(|| format!("cannot create an unnamed file in {}", dir.display()))
}

/// Elsewhere the file gets a name for an instant: it is removed as soon as it
/// is open, before any worker starts.
#[cfg(not(target_os = "linux"))]
fn unnamed_file(dir: &Path) -> Result<File> {
    let path = dir.join(format!("vec_add_shm.{}", std::process::id()));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    Ok(file)
}

/// Worker processes still running when this is dropped (an error cut the run
/// short) are killed and reaped: no worker outlives the run.
struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill(); // Ok(()) for a child that has already exited
            let _ = child.wait();
        }
    }
}

/// Starts this same program as a worker for `arr[start..end]`, with the
/// shared file as its stdin: that open file is how it finds the memory.
fn start_worker(shm: &File, start: usize, end: usize) -> Result<Child> {
    let exe = env::current_exe().context("cannot find this program to start a worker")?;
    let stdin = shm
        .try_clone()
        .context("cannot hand the shared file to a worker")?;
    Command::new(exe)
        .arg("--worker")
        .args([start.to_string(), end.to_string()])
        .stdin(stdin)
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start a worker process")
}

/// Reads worker `i`'s answer and checks how it ended; every failure names it.
fn answer(i: usize, child: &mut Child) -> Result<i64> {
    let mut text = String::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut text);
    let status = child
        .wait()
        .with_context(|| format!("cannot wait for worker {i}"))?;
    if !status.success() {
        bail!("worker {i} failed: {status}");
    }
    read.with_context(|| format!("cannot read worker {i}'s answer"))?;
    text.trim()
        .parse()
        .with_context(|| format!("worker {i} answered {text:?}, not a number"))
}

/// The shared bytes seen as the i64 array they hold.
fn as_numbers(bytes: &[u8]) -> &[i64] {
    // SAFETY: every bit pattern is a valid i64; align_to only hands out the
    // correctly aligned middle part, and the checks below make it the whole.
    let (head, numbers, tail) = unsafe { bytes.align_to::<i64>() };
    assert!(
        head.is_empty() && tail.is_empty(),
        "a mapping is page-aligned and whole i64s"
    );
    numbers
}

/// The bytes of a slice of numbers, to copy them into the file in one go.
fn as_bytes(numbers: &[i64]) -> &[u8] {
    // SAFETY: i64 has no padding and every byte of it is initialised; u8 has
    // alignment 1; the length in bytes is the same memory as the slice.
    unsafe { std::slice::from_raw_parts(numbers.as_ptr().cast(), size_of_val(numbers)) }
}

/// A size must be a whole number of at least 1.
fn positive(s: &str) -> Result<usize, String> {
    match s.parse() {
        Ok(0) | Err(_) => Err(format!("expected a whole number of at least 1, got {s:?}")),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_sum_adds_every_element() {
        assert_eq!(partial_sum(&[]), 0);
        assert_eq!(partial_sum(&[1, 2, 3, 99]), 105);
    }

    #[test]
    fn the_shared_file_holds_what_was_copied_in() {
        let mut file = unnamed_file(&env::temp_dir()).unwrap();
        file.write_all(as_bytes(&[5, -6, 7])).unwrap();
        // SAFETY: this test is the only user of the file.
        let map = unsafe { Mmap::map(&file) }.unwrap();
        assert_eq!(as_numbers(&map), [5, -6, 7]);
    }

    #[test]
    fn sizes_must_be_positive_whole_numbers() {
        assert_eq!(positive("12"), Ok(12));
        assert!(positive("0").is_err());
        assert!(positive("-1").is_err());
        assert!(positive("abc").is_err());
    }
    #[cfg(unix)]
    #[test]
    fn answer_names_the_worker_and_the_cause() {
        let sh = |script: &str| {
            Command::new("sh")
                .args(["-c", script])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let err = answer(4, &mut sh("exit 3")).unwrap_err();
        assert_eq!(format!("{err:#}"), "worker 4 failed: exit status: 3");
        let err = answer(1, &mut sh("echo twelve")).unwrap_err();
        assert!(format!("{err:#}").starts_with("worker 1 answered \"twelve\\n\", not a number"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_workers_kills_and_reaps_them() {
        let child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        drop(Workers(vec![child]));
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
