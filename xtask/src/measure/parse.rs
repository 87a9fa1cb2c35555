//! The numbers a run prints, read back from its output, and their medians.

/// What a number is: it decides how the report shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// A time in seconds.
    Seconds,
    /// A speedup, a ratio.
    Times,
    /// A count: a counter's result, or updates lost.
    Count,
    /// Nanoseconds a load (`caches`' chase).
    Nanos,
}

/// One number from one run, by name: `parallel`, `speedup`, `get_lock lost`.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub name: String,
    pub unit: Unit,
    pub value: f64,
}

impl Metric {
    pub fn new(name: &str, unit: Unit, value: f64) -> Metric {
        let name = name.to_string();
        Metric { name, unit, value }
    }
}

/// Every number in a lesson's (or a Python script's) output. The lines are
/// the lecture's, so one reader serves both:
///
/// - `Sequential sum: 2500025042, time = 0.029 s` -> `sequential` 0.029 s
/// - `Parallel time: 0.31 seconds` -> `parallel` 0.31 s
/// - `Speedup: 0.05x with 2 processes` -> `speedup` 0.05
/// - `get_lock:  400000 of 400000, time = 0.010 s` -> `get_lock` 0.010 s
///   and `get_lock lost` 0
/// - `209465` (a bare counter) -> `result`; `lost 790535 of ...` -> `lost`
/// - `Ratio: 3.58x with 2 threads: ...` -> `ratio` 3.58
/// - `Relaxed: 18126 of 200000 rounds with r1 = r2 = 0, time = 0.145 s` ->
///   `relaxed` 0.145 s and `relaxed r1 = r2 = 0` 18126
///
/// Anything else (`CPUs: 2`, `Results are the same: true`) is not a number
/// to measure.
pub fn metrics(output: &str) -> Vec<Metric> {
    let mut found: Vec<Metric> = Vec::new();
    // The lines before the timelines, which measure nothing themselves.
    let lines = output.lines().take_while(|line| !line.starts_with("Timeline ("));
    // `8 threads, 4 a CPU (...):` heads the lines of a run of 8 threads:
    // their numbers are `spin lock (8 threads)`, and so on.
    let mut threads = String::new();
    let lines = lines.flat_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.ends_with(':') && words.len() > 2 && words[1].starts_with("thread") {
            threads = format!(" ({} threads)", words[0]);
        }
        line_metrics(line, &threads)
    });
    for metric in lines {
        // `Parallel sum (scattered): ...` then `Speedup: ...`: the speedup
        // of that version, `speedup (scattered)`.
        let version = found
            .iter()
            .rev()
            .find(|m| m.unit == Unit::Seconds)
            .and_then(|m| m.name.find(" (").map(|at| m.name[at..].to_string()));
        match (metric.name.as_str(), version) {
            ("speedup", Some(version)) => {
                found.push(Metric::new(&format!("speedup{version}"), Unit::Times, metric.value));
            }
            _ => found.push(metric),
        }
    }
    found
}

/// The numbers of one line, each name followed by `threads` (` (8 threads)`).
fn line_metrics(line: &str, threads: &str) -> Vec<Metric> {
    let line = line.trim();
    if let Ok(value) = line.parse() {
        return vec![Metric::new("result", Unit::Count, value)];
    }
    if let Some(lost) = line.strip_prefix("lost ").and_then(first_number) {
        return vec![Metric::new("lost", Unit::Count, lost)];
    }
    let Some((label, rest)) = line.split_once(':') else {
        return Vec::new();
    };
    let label = label.trim();
    // caches: `Line: 128 bytes, ...`, `Plateaus: L1 ...; L2 ...` (how many),
    // and the chase's `  4 KiB:     2.3 ns ####` (in nanoseconds).
    match label {
        "Line" => {
            return first_number(rest)
                .map(|b| Metric::new("line", Unit::Count, b))
                .into_iter()
                .collect();
        }
        "Plateaus" if !rest.contains("none found") => {
            return vec![Metric::new("plateaus", Unit::Count, rest.split(';').count() as f64)];
        }
        _ => {}
    }
    let bar_cut = rest.trim().trim_end_matches('#').trim_end();
    if let Some(ns) = bar_cut.strip_suffix(" ns").and_then(first_number) {
        return vec![Metric::new(&format!("chase {label}"), Unit::Nanos, ns)];
    }
    if label == "Speedup" || label == "Ratio" {
        return first_number(rest)
            .map(|ratio| Metric::new(&label.to_lowercase(), Unit::Times, ratio))
            .into_iter()
            .collect();
    }
    // `Parallel sum (scattered)` -> `parallel (scattered)`
    let (label, version) = match label.split_once(" (") {
        Some((label, version)) => (label, format!(" ({version}")),
        None => (label, String::new()),
    };
    let name = label
        .strip_suffix(" sum")
        .or_else(|| label.strip_suffix(" time"))
        .unwrap_or(label)
        .to_lowercase()
        + &version
        + threads;
    let time = match rest.split_once("time = ") {
        Some((_, time)) => first_number(time),
        None if label.ends_with(" time") => first_number(rest),
        None => None,
    };
    let Some(time) = time else {
        return Vec::new(); // a line with no time is not a measured phase
    };
    let mut found = vec![Metric::new(&name, Unit::Seconds, time)];
    if let Some(cpu) = rest.split_once("CPU time = ").and_then(|(_, cpu)| first_number(cpu)) {
        found.push(Metric::new(&format!("{name} cpu"), Unit::Seconds, cpu));
    }
    if rest.contains(" rounds with r1 = r2 = 0")
        && let Some(seen) = first_number(rest)
    {
        // Rounds that ended with both loads seeing 0: counted, not lost.
        found.push(Metric::new(&format!("{name} r1 = r2 = 0"), Unit::Count, seen));
    } else if let Some((got, of)) = rest.split_once(" of ")
        && let (Some(got), Some(of)) = (first_number(got), first_number(of))
    {
        found.push(Metric::new(&format!("{name} lost"), Unit::Count, of - got));
    }
    found
}

/// The number that starts `text`, with a unit or comma after it dropped:
/// `0.05x`, `1000000,`.
fn first_number(text: &str) -> Option<f64> {
    let word = text.split_whitespace().next()?;
    word.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()
}

/// The median of some runs and their range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// `None` for no values; the median of an even count is the mean of the
/// middle two.
pub fn summary(values: &[f64]) -> Option<Summary> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let middle = sorted.len() / 2;
    let median = if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    };
    Some(Summary { median, min, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(output: &str) -> Vec<(String, Unit, f64)> {
        metrics(output).into_iter().map(|m| (m.name, m.unit, m.value)).collect()
    }

    fn seconds(name: &str, value: f64) -> (String, Unit, f64) {
        (name.to_string(), Unit::Seconds, value)
    }

    fn count(name: &str, value: f64) -> (String, Unit, f64) {
        (name.to_string(), Unit::Count, value)
    }

    #[test]
    fn the_partial_sums_lines() {
        let output = "Sequential sum: 2500025042, time = 0.029 s\n\
                      CPUs: 2\n\
                      Parallel sum: 2500025042, time = 0.637 s\n\
                      Speedup: 0.05x with 2 processes\n";
        assert_eq!(
            read(output),
            [
                seconds("sequential", 0.029),
                seconds("parallel", 0.637),
                ("speedup".to_string(), Unit::Times, 0.05),
            ]
        );
    }

    #[test]
    fn the_heavy_sum_lines_with_their_difference() {
        let output = "Sequential sum: 792527.47, time = 0.006 s\n\
                      Parallel sum: 792527.47, time = 0.012 s\n\
                      Speedup: 0.51x with 2 processes\n\
                      Difference: 4.0e-8 (the parallel sum adds in another order)\n";
        let names: Vec<String> = metrics(output).into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["sequential", "parallel", "speedup"]);
    }

    #[test]
    fn the_pool_lines_of_rust_and_of_the_notebook() {
        let rust = "Sequential time: 0.0387 seconds\nParallel time: 0.0230 seconds\n\
                    Results are the same: true\n";
        let python = "Sequential time: 1.00 seconds\nParallel time: 0.32 seconds\n\
                      Results are the same: True\n";
        assert_eq!(read(rust), [seconds("sequential", 0.0387), seconds("parallel", 0.0230)]);
        assert_eq!(read(python), [seconds("sequential", 1.0), seconds("parallel", 0.32)]);
    }

    #[test]
    fn the_race_and_lock_lines() {
        let race_threads = "load then store: 930149 of 1000000, time = 0.000 s\n\
                            fetch_add:       1000000 of 1000000, time = 0.014 s\n\
                            Mutex:           1000000 of 1000000, time = 0.092 s\n";
        assert_eq!(
            read(race_threads),
            [
                seconds("load then store", 0.0),
                count("load then store lost", 69851.0),
                seconds("fetch_add", 0.014),
                count("fetch_add lost", 0.0),
                seconds("mutex", 0.092),
                count("mutex lost", 0.0),
            ]
        );
        assert_eq!(
            read("209465\nlost 790535 of 1000000 updates\n"),
            [count("result", 209465.0), count("lost", 790535.0)]
        );
        assert_eq!(
            read("400000\nget_lock:  400000 of 400000, time = 0.010 s\n"),
            [count("result", 400000.0), seconds("get_lock", 0.010), count("get_lock lost", 0.0),]
        );
    }

    #[test]
    fn the_false_sharing_and_reorder_lines() {
        let false_sharing = "Next to each other: 20000000 of 20000000, time = 0.080 s\n\
                             Own cache lines:    20000000 of 20000000, time = 0.022 s\n\
                             Ratio: 3.58x with 2 threads: no value is shared, but the cache line is.\n";
        assert_eq!(
            read(false_sharing),
            [
                seconds("next to each other", 0.080),
                count("next to each other lost", 0.0),
                seconds("own cache lines", 0.022),
                count("own cache lines lost", 0.0),
                ("ratio".to_string(), Unit::Times, 3.58),
            ]
        );
        let reorder = "Relaxed:         18126 of 200000 rounds with r1 = r2 = 0, time = 0.145 s\n\
                       SeqCst:          0 of 200000 rounds with r1 = r2 = 0, time = 0.143 s\n\
                       No round was reordered this time: the threads took turns\n";
        assert_eq!(
            read(reorder),
            [
                seconds("relaxed", 0.145),
                count("relaxed r1 = r2 = 0", 18126.0),
                seconds("seqcst", 0.143),
                count("seqcst r1 = r2 = 0", 0.0),
            ]
        );
    }

    #[test]
    fn the_spin_lock_lines_name_their_threads_and_cpu_time() {
        let output = "2 threads, one a CPU (200000 additions each, 50 steps of work in each):\n  \
                      spin lock: 400000 of 400000, time = 0.041 s, CPU time = 0.080 s\n\
                      8 threads, 4 a CPU (200000 additions each, 50 steps of work in each):\n  \
                      Mutex:     1600000 of 1600000, time = 0.186 s, CPU time = 0.367 s\n";
        assert_eq!(
            read(output),
            [
                seconds("spin lock (2 threads)", 0.041),
                seconds("spin lock (2 threads) cpu", 0.080),
                count("spin lock (2 threads) lost", 0.0),
                seconds("mutex (8 threads)", 0.186),
                seconds("mutex (8 threads) cpu", 0.367),
                count("mutex (8 threads) lost", 0.0),
            ]
        );
    }

    #[test]
    fn the_caches_lines_give_the_line_the_plateaus_and_each_working_set() {
        let ns = |name: &str, value: f64| (name.to_string(), Unit::Nanos, value);
        let output = "Line: 128 bytes, as fetched here; the OS says 64 bytes.\n\
                      \x20    4 KiB:     2.3 ns #########\n\
                      \x20    1 GiB:   159.5 ns ########################################\n\
                      Plateaus: L1 4 KiB to 32 KiB, 2.3 ns; memory 16 MiB to 1 GiB, 141.6 ns.\n";
        assert_eq!(
            read(output),
            [
                count("line", 128.0),
                ns("chase 4 KiB", 2.3),
                ns("chase 1 GiB", 159.5),
                count("plateaus", 2.0),
            ]
        );
        assert!(
            read("Line: not found this time (the times ...)\nPlateaus: none found this time\n")
                .is_empty()
        );
    }

    #[test]
    fn the_mpi_lines_name_their_version() {
        let output = "Sequential sum: 2500167817, time = 0.027 s\n\
                      Processes: 2\n\
                      Parallel sum (scattered): 2500167817, time = 0.195 s\n\
                      Speedup: 0.14x with 2 processes\n\
                      Parallel sum (made locally): 2500167817, time = 0.016 s\n\
                      Speedup: 1.71x with 2 processes\n";
        assert_eq!(
            read(output),
            [
                seconds("sequential", 0.027),
                seconds("parallel (scattered)", 0.195),
                ("speedup (scattered)".to_string(), Unit::Times, 0.14),
                seconds("parallel (made locally)", 0.016),
                ("speedup (made locally)".to_string(), Unit::Times, 1.71),
            ]
        );
    }

    #[test]
    fn a_sentence_without_a_time_is_not_a_number_to_measure() {
        let line =
            "No update was lost this time: the threads took turns (one CPU, or a busy machine)";
        assert_eq!(read(line), []);
        assert_eq!(read("CPUs: 32\nerror: worker 0 failed"), []);
    }

    #[test]
    fn median_and_range() {
        let odd = summary(&[0.3, 0.1, 0.2]).unwrap();
        assert_eq!(odd, Summary { median: 0.2, min: 0.1, max: 0.3 });
        let even = summary(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(even, Summary { median: 2.5, min: 1.0, max: 4.0 });
        assert_eq!(summary(&[7.0]).unwrap().median, 7.0);
        assert_eq!(summary(&[]), None);
    }
}
