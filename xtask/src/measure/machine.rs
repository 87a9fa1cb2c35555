//! What this machine is, for the report's first lines.

use std::fs;
use std::num::NonZero;
use std::process::Command;
use std::thread;

/// The machine, as the report names it.
pub struct Machine {
    pub cpu: String,
    pub cpus: usize,
    pub memory: String,
    pub os: String,
    pub rustc: String,
}

impl Machine {
    pub fn this_one() -> Machine {
        Machine {
            cpu: cpu_model().unwrap_or_else(|| "unknown CPU".to_string()),
            cpus: thread::available_parallelism().map_or(1, NonZero::get),
            memory: memory().unwrap_or_else(|| "unknown".to_string()),
            os: os(),
            rustc: output_of("rustc", &["--version"]).unwrap_or_else(|| "rustc".to_string()),
        }
    }
}

fn cpu_model() -> Option<String> {
    if cfg!(target_os = "macos") {
        return output_of("sysctl", &["-n", "machdep.cpu.brand_string"]);
    }
    if cfg!(windows) {
        return std::env::var("PROCESSOR_IDENTIFIER").ok();
    }
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = cpuinfo.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// Total memory in GiB.
fn memory() -> Option<String> {
    let bytes: f64 = if cfg!(target_os = "macos") {
        output_of("sysctl", &["-n", "hw.memsize"])?.parse().ok()?
    } else {
        let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
        let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        kib * 1024.0
    };
    Some(format!("{:.0} GiB", bytes / f64::from(1 << 30)))
}

fn os() -> String {
    let name = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            let line = release.lines().find(|l| l.starts_with("PRETTY_NAME="))?;
            Some(line["PRETTY_NAME=".len()..].trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    match fs::read_to_string("/proc/sys/kernel/osrelease") {
        Ok(kernel) => format!("{name}, Linux {}", kernel.trim()),
        Err(_) => name,
    }
}

/// The first line a command prints, if it runs and succeeds.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.lines().next()?.trim().to_string())
}
