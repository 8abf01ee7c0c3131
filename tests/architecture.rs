//! The layers keep to their jobs, checked on the sources: the pure core (`app`), the flows, the
//! kit and the views (`ui`) do no I/O and know nothing of the worker or the SDK, so every change
//! of the wizard can be tested with keys in and messages out; and every AWS SDK call lives in
//! src/aws/, which returns domain results and `AwsError`s. docs/ARCHITECTURE.md draws the map.

use std::path::{Path, PathBuf};

/// The directories whose modules only update state and draw it.
const PURE: [&str; 4] = ["src/app", "src/flows", "src/kit", "src/ui"];

/// What a pure module may not name: the async runtime, the SDK, the file system, the network,
/// processes, and the layers that do I/O.
const FORBIDDEN: [&str; 11] = [
    "tokio",
    "aws_sdk_",
    "aws_smithy",
    "aws_config",
    "std::fs",
    "std::net",
    "std::process",
    "std::thread",
    "crate::worker",
    "crate::aws",
    "crate::tui",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `text` outside comments and `#[cfg(test)]` modules (tests may read files).
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start() == "#[cfg(test)]" {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        out.push((i + 1, code));
    }
    out
}

/// `(file:line, what)` for each forbidden name in the modules under `dirs`.
fn offences(dirs: &[&str], forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in dirs {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(!files.is_empty(), "no sources found under {dirs:?}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (n, code) in code_lines(&text) {
            for name in forbidden {
                if code.contains(name) {
                    let rel = file.strip_prefix(root).unwrap_or(&file).display();
                    found.push(format!("{rel}:{n}: {name}"));
                }
            }
        }
    }
    found
}

#[test]
fn the_core_the_flows_the_kit_and_the_views_do_no_io() {
    let found = offences(&PURE, &FORBIDDEN);
    assert!(
        found.is_empty(),
        "update and view code must stay pure (return a Command or a Request instead):\n{}",
        found.join("\n")
    );
}

/// The SDK crates, whose names may appear only under src/aws/.
const SDK: [&str; 4] = [
    "aws_sdk_",
    "aws_smithy",
    "aws_config",
    "aws_credential_types",
];

#[test]
fn only_src_aws_talks_to_the_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut outside: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&root).expect("src/") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name != "aws" {
            outside.push(format!("src/{name}"));
        }
    }
    let dirs: Vec<&str> = outside.iter().map(String::as_str).collect();
    let found = offences(&dirs, &SDK);
    assert!(
        found.is_empty(),
        "the AWS SDK is used outside src/aws/; move each call into a function in src/aws/ that \
         returns domain results or AwsError, and call that instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    // The same walk over the worker, which talks to AWS, finds the runtime: a check that could
    // not see a forbidden name would pass for nothing.
    assert!(!offences(&["src/worker"], &["tokio"]).is_empty());
    assert!(!offences(&["src/aws"], &SDK).is_empty());
}
