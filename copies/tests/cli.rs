//! `cli.rs`, tested once for all its copies.

#[path = "../../vec_add/src/cli.rs"]
mod cli;

use std::process::Command;

#[test]
fn numbers_take_underscores_and_refuse_what_is_out_of_range() {
    assert_eq!(cli::workers("4"), Ok(4));
    assert_eq!(cli::workers("1_0"), Ok(10));
    // Where Python's int() refuses an underscore, so does a flag.
    for misplaced in ["1__0", "_1_0", "1_0_", "-_1"] {
        assert_eq!(cli::workers(misplaced), Err("invalid digit found in string".to_string()));
    }
    assert_eq!(cli::workers("0"), Err("0 is not in 1..=256".to_string()));
    assert_eq!(cli::workers("-1"), Err("-1 is not in 1..=256".to_string()));
    assert!(cli::workers("abc").is_err());
    assert_eq!(cli::seed("18_446_744_073_709_551_615"), Ok(u64::MAX));
    assert_eq!(cli::i32_iters("8_000_001"), Err("8000001 is not in 1..=8000000".to_string()));
    assert_eq!(cli::millis("0"), Ok(0));
    assert_eq!(cli::steps("0"), Ok(0));
    assert_eq!(cli::steps("100_001"), Err("100001 is not in 0..=100000".to_string()));
    assert_eq!(cli::mib("0"), Err("0 is not in 1..=65536".to_string()));
    assert_eq!(cli::mib("65_536"), Ok(65_536));
}

#[test]
fn a_folder_must_exist() {
    assert!(cli::folder(".").is_ok());
    assert_eq!(cli::folder("/no/such").unwrap_err(), "\"/no/such\" is not a folder");
}

#[test]
fn a_count_and_its_noun() {
    assert_eq!(cli::plural(1, "process"), "1 process");
    assert_eq!(cli::plural(2, "process"), "2 processes");
    assert_eq!(cli::plural(0, "thread"), "0 threads");
    assert_eq!(cli::plural(32, "thread"), "32 threads");
}

/// Runs this test program again as the program of test `name`, with
/// `CLI_TEST` set: what it prints and how it ends.
fn again(name: &str) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    command.args([name, "--exact", "--nocapture", "--test-threads=1"]);
    command.env("CLI_TEST", "1").env("RUST_BACKTRACE", "1").output().unwrap()
}

#[test]
fn a_panic_in_any_thread_ends_the_program_in_one_line() {
    if std::env::var_os("CLI_TEST").is_some() {
        // The program this test starts: a thread panics, as std's own
        // thread start does when memory has run out.
        cli::end_on_panic();
        let _ = std::thread::spawn(|| panic!("cannot go on")).join();
        println!("the program went on after the panic");
        return;
    }
    let output = again("a_panic_in_any_thread_ends_the_program_in_one_line");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("went on"));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "error: cannot go on\n");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_thread_that_cannot_start_is_said_in_our_words() {
    if std::env::var_os("CLI_TEST").is_some() {
        cli::end_on_panic();
        // What std panics with when a thread cannot start.
        let why = std::io::Error::from_raw_os_error(11);
        std::panic::panic_any(format!("failed to spawn thread: {why:?}"));
    }
    let output = again("a_thread_that_cannot_start_is_said_in_our_words");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: cannot start a thread: "), "{stderr}");
    assert!(!stderr.contains("Os {"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn exit_is_quiet_on_a_broken_pipe() {
    let pipe = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
    assert!(cli::is_broken_pipe(&pipe));
    assert_eq!(cli::exit(Err(pipe)), std::process::ExitCode::SUCCESS);
    assert!(!cli::is_broken_pipe(&anyhow::anyhow!("another error")));
}
