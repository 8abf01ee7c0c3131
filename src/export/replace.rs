//! Rewriting a file that other programs rewrite too: the shared credentials file, which
//! `aws configure set`, `aws sso login` helpers and other iamwiz runs also change.
//!
//! [`update_locked`] reads the file, builds the new content from it, and puts that in place by a
//! rename, with four guarantees:
//!
//! - **No lost edit.** Other iamwiz runs wait on a lock (`flock` on `.<name>.lock` beside the
//!   file; the lock file stays, so no two runs can lock two different files). Programs that do not
//!   lock (the AWS CLI) are caught by a re-check just before the rename: if the file's device,
//!   inode, size or modification time changed since it was read, the new content is built again
//!   from the new file ([`ATTEMPTS`] times at most, then [`ExportError::KeepsChanging`]).
//! - **Same owner, same mode.** The new file gets the old one's owner, group and mode (a rename
//!   would otherwise make it the caller's, root's under `sudo`, and 0600); a new file is 0600.
//!   If the owner cannot be kept, nothing is changed.
//! - **Never half a file.** The content is written to a temporary file in the same folder
//!   (`O_EXCL`, 0600 until it is complete), flushed, then renamed over the target, and the folder
//!   flushed.
//! - **No stray copy of every profile.** The temporary file is removed on every error path (a
//!   guard does it, even on a panic); one left by a run that was killed is removed by the next
//!   run, under the lock, when no other run can be writing one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::new_file::{create_exclusive, parent_dir};
use super::profile::{create_private_dirs, read_existing};
use super::{ExportError, io_error};
use crate::secret::Secret;

/// How many times the content is built again when the file keeps changing under us.
pub const ATTEMPTS: usize = 5;

/// How long to wait for another iamwiz run to release the lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Rewrites `target` (a path that is not a symbolic link) with what `build` makes of its current
/// content (`None` if there is no file), under the lock, as the module docs describe. `build` may
/// run more than once; its error ends the update with nothing changed.
pub fn update_locked<T>(
    target: &Path,
    mut build: impl FnMut(Option<&Secret>) -> Result<(Secret, T), ExportError>,
) -> Result<T, ExportError> {
    if !target.exists() {
        create_private_dirs(parent_dir(target))?;
    }
    let _lock = Lock::acquire(target)?;
    remove_stale_temp_files(target);
    for _ in 0..ATTEMPTS {
        let existing = read_existing(target)?;
        let (content, result) = build(existing.as_ref().map(|(text, _)| text))?;
        let meta = existing.map(|(_, meta)| meta);
        let temp = TempFile::create(target)?;
        temp.fill(&content, meta.as_ref())?;
        if !unchanged(target, meta.as_ref())? {
            continue; // `temp` is removed as it goes out of scope.
        }
        temp.rename_over(target)?;
        return Ok(result);
    }
    Err(ExportError::KeepsChanging(target.to_path_buf()))
}

/// Whether `target` is still the file `read` describes (or still absent if `read` is `None`).
fn unchanged(target: &Path, read: Option<&fs::Metadata>) -> Result<bool, ExportError> {
    let now = match fs::symlink_metadata(target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(target)(e)),
    };
    Ok(match (read, now) {
        (None, None) => true,
        (Some(a), Some(b)) => same_file_state(a, &b),
        _ => false,
    })
}

#[cfg(unix)]
fn same_file_state(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino(), a.size(), a.mtime(), a.mtime_nsec())
        == (b.dev(), b.ino(), b.size(), b.mtime(), b.mtime_nsec())
}

#[cfg(not(unix))]
fn same_file_state(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    (a.len(), a.modified().ok()) == (b.len(), b.modified().ok())
}

/// `.<name>.lock` beside `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    parent_dir(target).join(format!(".{}.lock", file_name(target)))
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "credentials".to_string())
}

/// An exclusive `flock` on the lock file, released when dropped.
struct Lock(File);

impl Lock {
    fn acquire(target: &Path) -> Result<Lock, ExportError> {
        let path = lock_path(target);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        let file = options.open(&path).map_err(io_error(&path))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock(file)),
                Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => return Err(ExportError::Busy(path)),
                Err(fs::TryLockError::Error(e)) => return Err(io_error(&path)(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// The prefix and suffix of temporary names: `.<name>.iamwiz-<16 hex digits>.tmp`.
fn temp_affixes(target: &Path) -> (String, &'static str) {
    (format!(".{}.iamwiz-", file_name(target)), ".tmp")
}

/// A new temporary name next to `target`.
fn temp_path(target: &Path) -> PathBuf {
    let random = getrandom::u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ u64::from(std::process::id())
    });
    let (prefix, suffix) = temp_affixes(target);
    parent_dir(target).join(format!("{prefix}{random:016x}{suffix}"))
}

/// Removes temporary files of earlier runs that were killed before they could (called under the
/// lock: no other run is writing one).
fn remove_stale_temp_files(target: &Path) {
    let (prefix, suffix) = temp_affixes(target);
    let Ok(entries) = fs::read_dir(parent_dir(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A temporary file beside the target, removed when dropped unless it was renamed.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
    renamed: bool,
}

impl TempFile {
    fn create(target: &Path) -> Result<TempFile, ExportError> {
        let mut attempts = 0;
        loop {
            let path = temp_path(target);
            match create_exclusive(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                        renamed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 8 => attempts += 1,
                Err(e) => return Err(io_error(&path)(e)),
            }
        }
    }

    /// Writes `content`, flushes it to disk, and gives the file the owner, group and mode of
    /// `like` (the file it replaces), if any.
    fn fill(&self, content: &Secret, like: Option<&fs::Metadata>) -> Result<(), ExportError> {
        let path = &self.path;
        let mut file = self.file.as_ref().expect("open until renamed");
        file.write_all(content.expose().as_bytes())
            .map_err(io_error(path))?;
        #[cfg(unix)]
        if let Some(like) = like {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let mine = file.metadata().map_err(io_error(path))?;
            if (mine.uid(), mine.gid()) != (like.uid(), like.gid()) {
                std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid())).map_err(
                    |source| ExportError::CannotKeepOwner {
                        uid: like.uid(),
                        gid: like.gid(),
                        source,
                    },
                )?;
            }
            file.set_permissions(fs::Permissions::from_mode(like.mode() & 0o7777))
                .map_err(io_error(path))?;
        }
        #[cfg(not(unix))]
        let _ = like;
        file.sync_all().map_err(io_error(path))
    }

    fn rename_over(mut self, target: &Path) -> Result<(), ExportError> {
        drop(self.file.take());
        fs::rename(&self.path, target).map_err(io_error(target))?;
        self.renamed = true;
        #[cfg(unix)]
        {
            // Best effort: some file systems cannot fsync a folder; the file itself is on disk.
            if let Ok(dir) = File::open(parent_dir(target)) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            drop(self.file.take());
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    const OTHER: &str = "[other]\naws_access_key_id = AKIAOTHER\n";

    /// What `save_profile` builds: the current content with `[dev]` appended.
    fn add_dev(existing: Option<&Secret>) -> Result<(Secret, ()), ExportError> {
        let current = existing.map(Secret::expose).unwrap_or("");
        let secret = Secret::new("s".to_string());
        Ok((
            crate::export::merge_profile(current, "dev", "AKIADEV", &secret),
            (),
        ))
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn append(path: &Path, text: &str) {
        let mut f = OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn an_edit_made_while_the_profile_is_being_saved_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\naws_access_key_id = AKIADEFAULT\n").unwrap();
        let mut calls = 0;
        update_locked(&path, |existing| {
            calls += 1;
            if calls == 1 {
                // `aws configure set` writes between iamwiz's read and its rename.
                append(&path, OTHER);
            }
            add_dev(existing)
        })
        .unwrap();
        let content = fs::read_to_string(&path).unwrap();
        assert!(
            content.contains("[other]"),
            "the other edit was lost:\n{content}"
        );
        assert!(
            content.contains("[dev]") && content.contains("[default]"),
            "{content}"
        );
        assert_eq!(calls, 2, "built again from the changed file");
        assert_eq!(listing(dir.path()), [".credentials.lock", "credentials"]);
    }

    #[test]
    fn the_rewritten_file_keeps_its_owner_group_and_mode() {
        assert!(
            unsafe { libc::geteuid() } == 0,
            "this test gives the file another owner, which needs root (CI runs as root): run it \
             as root"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\n").unwrap();
        std::os::unix::fs::chown(&path, Some(4242), Some(4243)).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        update_locked(&path, add_dev).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid()),
            (4242, 4243),
            "owner and group kept"
        );
        assert_eq!(meta.mode() & 0o7777, 0o640, "mode kept");
        assert!(fs::read_to_string(&path).unwrap().contains("[dev]"));
    }

    #[test]
    fn a_new_file_is_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aws/credentials");
        update_locked(&path, add_dev).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn a_file_that_keeps_changing_is_left_alone_and_no_temporary_file_remains() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\n").unwrap();
        let err = update_locked(&path, |existing| {
            append(&path, "# another write\n");
            add_dev(existing)
        })
        .unwrap_err();
        assert!(matches!(err, ExportError::KeepsChanging(_)), "{err:?}");
        assert!(
            err.to_string().contains("another program is writing it"),
            "{err}"
        );
        assert!(!fs::read_to_string(&path).unwrap().contains("[dev]"));
        assert_eq!(listing(dir.path()), [".credentials.lock", "credentials"]);
    }

    #[test]
    fn a_temporary_file_left_by_a_killed_run_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\n").unwrap();
        let stale = dir.path().join(".credentials.iamwiz-0123456789abcdef.tmp");
        fs::write(&stale, "every profile's secret").unwrap();
        let unrelated = dir.path().join(".credentials.iamwiz-notours.tmp");
        fs::write(&unrelated, "").unwrap();
        update_locked(&path, add_dev).unwrap();
        assert!(!stale.exists(), "the stale copy is removed");
        assert!(unrelated.exists(), "only names iamwiz makes are removed");
    }

    #[test]
    fn a_save_waits_for_another_iamwiz_holding_the_lock_and_keeps_its_edit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\n").unwrap();
        let held = File::create(lock_path(&path)).unwrap();
        held.lock().unwrap();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                append(&path, OTHER);
                held.unlock().unwrap();
            })
        };
        let started = Instant::now();
        update_locked(&path, add_dev).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300), "it waited");
        writer.join().unwrap();
        let content = fs::read_to_string(&path).unwrap();
        assert!(
            content.contains("[other]") && content.contains("[dev]"),
            "{content}"
        );
    }
}
