//! Keeping credentials out of git: the work tree a folder is in, and the folder the wizard offers
//! for the CSV instead of one inside a work tree, where the file could end up committed.

use std::path::{Path, PathBuf};

/// The git work tree `dir` is in (the nearest folder above it, itself included, with a `.git`),
/// if any: a credentials file saved there can end up committed.
pub fn git_work_tree(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Where the wizard offers the CSV: the working folder, unless it is in a git work tree; then
/// `home`, if that is not in one too. Returns the folder and the work tree it avoided.
pub fn csv_dir_outside_git(cwd: PathBuf, home: Option<PathBuf>) -> (PathBuf, Option<PathBuf>) {
    let Some(repo) = git_work_tree(&cwd) else {
        return (cwd, None);
    };
    match home.filter(|h| git_work_tree(h).is_none()) {
        Some(home) => (home, Some(repo)),
        None => (cwd, Some(repo)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_working_folder_in_a_git_work_tree_is_not_where_the_csv_is_offered() {
        let top = tempfile::tempdir().unwrap();
        let repo = top.path().join("repo");
        let deep = repo.join("src/deep");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        let home = top.path().join("home");
        std::fs::create_dir(&home).unwrap();
        assert_eq!(git_work_tree(&deep), Some(repo.clone()));
        assert_eq!(git_work_tree(&home), None);
        assert_eq!(
            csv_dir_outside_git(deep.clone(), Some(home.clone())),
            (home.clone(), Some(repo.clone()))
        );
        // Outside a work tree, the working folder; a HOME in a work tree is no better.
        assert_eq!(
            csv_dir_outside_git(home.clone(), Some(deep.clone())),
            (home, None)
        );
        assert_eq!(
            csv_dir_outside_git(deep.clone(), Some(repo.clone())),
            (deep, Some(repo))
        );
    }
}
