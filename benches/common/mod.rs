//! What both benchmarks need: each measurement runs in a child process of its own, so that its
//! peak memory is its own.

use std::process::{Command, Stdio};

use serde_json::Value;

/// The peak resident memory of this process, in kB.
pub fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs this benchmark again as `--child ARGS…` and reads the JSON line it prints last. What
/// the child logs goes to this program's standard error as it comes.
pub fn run_child(args: &[&str]) -> Value {
    let output = Command::new(std::env::current_exe().unwrap())
        .arg("--child")
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {} (its messages above)",
        output.status
    );
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default()).unwrap()
}
