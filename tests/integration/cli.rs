//! The command line as a user meets it.

use std::process::Command;

#[test]
fn a_bad_flag_prints_one_line_and_exits_2() {
    for args in
        [&["serve", "--no-such-flag"][..], &["simulate", "--hz", "fast"], &["serve", "-X", "novalue"], &["warp"]]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_trackside")).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[test]
fn help_and_version_succeed() {
    let help = Command::new(env!("CARGO_BIN_EXE_trackside")).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout).unwrap().contains("simulate"));
}
