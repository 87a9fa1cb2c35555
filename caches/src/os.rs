//! Plumbing, not the lesson: a reader can skip this file. What the system
//! says of its caches, for the experiments to print beside what they find:
//! Linux's sysfs, macOS's `sysctl`, Windows's `GetLogicalProcessorInformation`;
//! elsewhere nothing, and the lesson says so.

/// One cache the system reports.
pub struct Cache {
    /// 1 for L1, ...
    pub level: u32,
    /// "Data", "Unified" (instruction caches are left out).
    pub kind: String,
    pub bytes: usize,
}

/// The system's caches, smallest level first, and its line size.
pub struct Caches {
    pub caches: Vec<Cache>,
    pub line: Option<usize>,
    /// Where it was read: "sysfs", "sysctl", ...; "" when nowhere.
    pub source: &'static str,
}

impl Caches {
    /// The largest cache, in bytes (0 when none is known).
    pub fn largest(&self) -> usize {
        self.caches.iter().map(|c| c.bytes).max().unwrap_or(0)
    }

    /// `L1d 48 KiB, L2 2 MiB, L3 300 MiB`, or why nothing is known.
    pub fn names(&self) -> String {
        if self.caches.is_empty() {
            return "this system does not say".to_string();
        }
        let name = |c: &Cache| {
            let d = if c.kind == "Data" { "d" } else { "" };
            format!("L{}{d} {}", c.level, size(c.bytes))
        };
        self.caches.iter().map(name).collect::<Vec<_>>().join(", ")
    }
}

/// `48 KiB`, `2 MiB`, `1 GiB`.
pub fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b >> 10),
    }
}

#[cfg(target_os = "linux")]
pub fn caches() -> Caches {
    let mut caches = Vec::new();
    let mut line = None;
    let dir = "/sys/devices/system/cpu/cpu0/cache";
    for index in 0..8 {
        let read = |what: &str| std::fs::read_to_string(format!("{dir}/index{index}/{what}"));
        let (Ok(level), Ok(kind), Ok(bytes)) = (read("level"), read("type"), read("size")) else {
            continue;
        };
        let kind = kind.trim().to_string();
        let bytes = bytes.trim().strip_suffix('K').and_then(|k| k.parse::<usize>().ok());
        if let (Ok(level), Some(kibs), false) = (level.trim().parse(), bytes, kind == "Instruction")
        {
            caches.push(Cache { level, kind, bytes: kibs * 1024 });
        }
        line = line.or(read("coherency_line_size").ok().and_then(|l| l.trim().parse().ok()));
    }
    caches.sort_by_key(|c| c.level);
    Caches { caches, line, source: "sysfs" }
}

#[cfg(target_os = "macos")]
pub fn caches() -> Caches {
    let read = |name: &str| -> Option<usize> {
        let output = std::process::Command::new("sysctl").args(["-n", name]).output().ok()?;
        String::from_utf8_lossy(&output.stdout).trim().parse().ok().filter(|&b| b > 0)
    };
    let mut caches = Vec::new();
    for (level, kind, name) in [
        (1, "Data", "hw.l1dcachesize"),
        (2, "Unified", "hw.l2cachesize"),
        (3, "Unified", "hw.l3cachesize"),
    ] {
        if let Some(bytes) = read(name) {
            caches.push(Cache { level, kind: kind.to_string(), bytes });
        }
    }
    Caches { caches, line: read("hw.cachelinesize"), source: "sysctl" }
}

#[cfg(windows)]
pub fn caches() -> Caches {
    use windows_sys::Win32::System::SystemInformation::{
        CacheData, CacheUnified, GetLogicalProcessorInformation, RelationCache,
        SYSTEM_LOGICAL_PROCESSOR_INFORMATION,
    };
    let none = Caches { caches: Vec::new(), line: None, source: "" };
    let mut bytes = 0_u32;
    // SAFETY: a null buffer of 0 bytes: the call only writes the size it needs.
    unsafe { GetLogicalProcessorInformation(std::ptr::null_mut(), &mut bytes) };
    let count = bytes as usize / size_of::<SYSTEM_LOGICAL_PROCESSOR_INFORMATION>();
    let mut info: Vec<SYSTEM_LOGICAL_PROCESSOR_INFORMATION> = Vec::with_capacity(count);
    // SAFETY: the buffer holds `count` entries, `bytes` bytes, as the call asked.
    if unsafe { GetLogicalProcessorInformation(info.as_mut_ptr(), &mut bytes) } == 0 {
        return none;
    }
    // SAFETY: the call wrote `bytes` bytes of whole entries into the buffer.
    unsafe { info.set_len(bytes as usize / size_of::<SYSTEM_LOGICAL_PROCESSOR_INFORMATION>()) };
    let (mut caches, mut line) = (Vec::new(), None);
    for entry in info.iter().filter(|e| e.Relationship == RelationCache) {
        // SAFETY: for RelationCache entries the union holds a CACHE_DESCRIPTOR.
        let cache = unsafe { entry.Anonymous.Cache };
        let kind = match cache.Type {
            t if t == CacheData => "Data",
            t if t == CacheUnified => "Unified",
            _ => continue,
        };
        let level = u32::from(cache.Level);
        if !caches.iter().any(|c: &Cache| c.level == level && c.kind == kind) {
            caches.push(Cache { level, kind: kind.to_string(), bytes: cache.Size as usize });
        }
        line = line.or(Some(usize::from(cache.LineSize)));
    }
    caches.sort_by_key(|c| c.level);
    Caches { caches, line, source: "GetLogicalProcessorInformation" }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub fn caches() -> Caches {
    Caches { caches: Vec::new(), line: None, source: "" }
}
