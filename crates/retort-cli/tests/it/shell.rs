//! Shell completions and the manual page, checked by the shells and roff themselves. A
//! shell or formatter missing from the machine is said on stderr and its check skipped;
//! bash and the page's own content are always checked.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn retort(args: &[&str]) -> Output {
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "retort {args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "retort {args:?}: {out:?}");
    out
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(retort(args).stdout).unwrap()
}

/// The commands `retort --help` lists (clap's own `help` aside): the tests follow the
/// parser, so a command added later is checked without editing them.
fn commands() -> Vec<String> {
    let list = subcommands(&[]);
    for expected in ["upgrade", "downgrade", "completions", "man"] {
        assert!(list.iter().any(|c| c == expected), "{list:?}");
    }
    list
}

/// The subcommands `retort PARENT… --help` lists (none for a command without any).
fn subcommands(parent: &[&str]) -> Vec<String> {
    let mut args = parent.to_vec();
    args.push("--help");
    let help = stdout(&args);
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

/// Runs `program args` with `input` on stdin, or None (said on stderr) when it is not
/// installed.
fn run_tool(program: &str, args: &[&str], input: &str) -> Option<Output> {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("{program} is not installed: its check is skipped");
            return None;
        }
        Err(e) => panic!("{program}: {e}"),
    };
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    Some(child.wait_with_output().unwrap())
}

fn write_script(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn bash_completion_is_valid_and_completes_commands() {
    let script = stdout(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = write_script(dir.path(), "retort.bash", &script);
    let out = run_tool("bash", &["-n", &path], "").expect("bash");
    assert!(out.status.success(), "bash -n: {out:?}");
    // Sourced, it registers itself for `retort` and completes a command's prefix.
    let probe = format!(
        "source {path} && complete -p retort && \
         COMP_WORDS=(retort upg) COMP_CWORD=1 && _retort retort upg retort && \
         echo \"reply: ${{COMPREPLY[*]}}\""
    );
    let out = run_tool("bash", &["--norc", "--noprofile", "-c", &probe], "").expect("bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("-F _retort retort"), "{text}");
    assert!(text.contains("reply: upgrade"), "{text}");
}

#[test]
fn zsh_and_fish_completions_name_every_command() {
    let commands = commands();
    let dir = tempfile::tempdir().unwrap();
    for (shell, first_line) in [("zsh", "#compdef retort"), ("fish", "")] {
        let script = stdout(&["completions", shell]);
        assert!(script.starts_with(first_line), "{shell}:\n{script}");
        for c in &commands {
            assert!(script.contains(c.as_str()), "{shell} script lacks {c}");
        }
        let path = write_script(dir.path(), &format!("retort.{shell}"), &script);
        if let Some(out) = run_tool(shell, &["-n", &path], "") {
            assert!(out.status.success(), "{shell} -n: {out:?}");
        }
    }
    // fish asked for real: `retort upg<TAB>` offers upgrade, with its summary.
    let path = dir.path().join("retort.fish");
    let probe = format!("source {}; complete -C 'retort upg'", path.display());
    if let Some(out) = run_tool("fish", &["--no-config", "-c", &probe], "") {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("upgrade\tApply migrations"), "{out:?}");
    }
}

#[test]
fn an_unknown_shell_is_bad_usage() {
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

/// A script or a man page is not JSON: with --json they are refused, as a JSON error.
#[test]
fn json_is_refused_where_no_json_is_written() {
    for args in [
        &["--json", "completions", "bash"][..],
        &["--json", "man"][..],
    ] {
        let out = assert_cmd::Command::cargo_bin("retort")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("a JSON error on stdout");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("--json does not apply")),
            "{json}"
        );
    }
}

/// Renders a page with groff, every warning on, on wide lines (no hyphenation inside a
/// command's name); None when groff is not installed.
fn groff(page: &str) -> Option<String> {
    let out = run_tool(
        "groff",
        &["-man", "-Tutf8", "-ww", "-rLL=200n", "-P-cbou"],
        page,
    )?;
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "groff: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_manual_page_renders_and_names_every_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH retort 1  \"retort "), "{page}");
    assert!(page.is_ascii(), "{page}");
    let commands = commands();
    for c in &commands {
        assert!(page.contains(&format!("retort\\-{c}(1)")), "page lacks {c}");
    }
    assert!(!page.contains("retort\\-help"), "{page}");
    if let Some(text) = groff(&page) {
        assert!(text.contains("--lock-timeout <SECONDS>"), "{text}");
        for c in &commands {
            assert!(text.contains(&format!("retort-{c}(1)")), "{text}");
        }
    }
    // man itself, as a user reads it.
    if let Some(out) = run_tool("man", &["-l", "-"], &page) {
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("SUBCOMMANDS"));
    }
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("share/man/man1");
    let out = retort_in(dir.path(), &["-q", "man", "--dir", "share/man/man1"]);
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // A page per command, and one per subcommand of those that have some (`dev drop`).
    let mut expected: Vec<String> = commands()
        .iter()
        .flat_map(|c| {
            let nested = subcommands(&[c.as_str()]);
            std::iter::once(format!("retort-{c}.1"))
                .chain(nested.into_iter().map(move |s| format!("retort-{c}-{s}.1")))
                .collect::<Vec<_>>()
        })
        .chain(["retort.1".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    let upgrade = std::fs::read_to_string(target.join("retort-upgrade.1")).unwrap();
    assert!(
        upgrade.contains(".TH retort-upgrade 1  \"retort "),
        "{upgrade}"
    );
    for name in &names {
        let page = std::fs::read_to_string(target.join(name)).unwrap();
        if let Some(text) = groff(&page) {
            assert!(text.contains("SYNOPSIS"), "{name}: {text}");
        }
    }
    // A path that cannot be a folder: an error naming it, exit 3 like any I/O failure.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let out = retort_in(dir.path(), &["man", "--dir", "file"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("file"),
        "{out:?}"
    );
}

fn retort_in(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}
