//! Every AWS SDK call lives in src/aws/: the worker and `iamwiz apply` call its functions, which
//! return domain results and `AwsError`s. This reads the sources of those modules and fails on
//! any use of an SDK crate there.

use std::path::{Path, PathBuf};

/// The SDK crates whose names may appear only under src/aws/.
const SDK_CRATES: [&str; 3] = ["aws_sdk_", "aws_smithy_", "aws_credential_types"];

/// The `.rs` files at `path` (a file, or a folder searched recursively).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .flat_map(|e| rust_files(&e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// Each line of the modules `under` (paths relative to the crate root) that names an SDK crate,
/// as `file:line: text`.
fn sdk_uses(under: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for module in under {
        let files = rust_files(&root.join(module));
        assert!(!files.is_empty(), "no Rust source at {module}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                if SDK_CRATES.iter().any(|c| line.contains(c)) {
                    let shown = file.strip_prefix(root).unwrap_or(&file).display();
                    found.push(format!("{shown}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_worker_and_apply_reach_aws_only_through_src_aws() {
    let found = sdk_uses(&["src/worker", "src/apply"]);
    assert!(
        found.is_empty(),
        "the AWS SDK is used outside src/aws/; move each call into a function in src/aws/ that \
         returns domain results or AwsError, and call that instead:\n{}",
        found.join("\n")
    );
}
