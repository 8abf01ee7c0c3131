//! Creating a new file and writing it whole. Nothing already at the path is ever replaced (a
//! file, a folder or a symbolic link, which is never followed: `O_CREAT|O_EXCL`), the folder must
//! exist, and a file left half written by a failure is removed.
//!
//! The one difference between the two writers is who may read the file. A file that holds a
//! secret ([`write_new_file`]: the credentials CSV) is created mode 0600, whatever the umask. A
//! file that holds none ([`write_new_text`]: a plan file) gets the usual mode of a new file (0666
//! less the umask), like any file the admin writes, because it is meant to be read, shared and
//! reviewed by others; 0600 would protect nothing there and only get in their way.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use super::{ExportError, io_error};
use crate::secret::Secret;

/// Who may read a new file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Mode 0600 exactly: the file holds a secret.
    Owner,
    /// The usual mode of a new file (0666 less the umask): the file holds no secret.
    Usual,
}

/// The folder `path` is in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Opens a new file at `path` for writing: `O_CREAT|O_EXCL` (so it fails if anything, a symbolic
/// link included, is already there; the link is never followed) and mode 0600, set again on the
/// open file so the umask cannot change it.
pub(crate) fn create_exclusive(path: &Path) -> io::Result<File> {
    create_new(path, Access::Owner)
}

/// Opens a new file at `path` for writing (`O_CREAT|O_EXCL`) with the mode `access` says.
fn create_new(path: &Path, access: Access) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if access == Access::Usual {
        return options.open(path);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = file.set_permissions(fs::Permissions::from_mode(0o600)) {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(e);
        }
    }
    Ok(file)
}

/// Writes `bytes` to the new file `file` at `path` and flushes it to disk; on failure removes
/// the partial file.
fn fill_new_file(mut file: File, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result
}

/// Creates `path` with the mode `access` says and writes `bytes` to it: see the module docs.
fn write_new(path: &Path, bytes: &[u8], access: Access) -> Result<(), ExportError> {
    let parent = parent_dir(path);
    if !parent.is_dir() {
        return Err(ExportError::NoParent(parent.to_path_buf()));
    }
    let file = create_new(path, access).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => ExportError::Exists(path.to_path_buf()),
        _ => io_error(path)(e),
    })?;
    fill_new_file(file, path, bytes).map_err(io_error(path))
}

/// Creates `path` with mode 0600 and writes `content` to it. Never replaces anything already at
/// the path (a file, folder or symbolic link: [`ExportError::Exists`]) and never follows a link.
/// The folder must exist ([`ExportError::NoParent`]). If writing fails after the file was
/// created, the partial file is removed.
pub fn write_new_file(path: &Path, content: &Secret) -> Result<(), ExportError> {
    write_new_private(path, content.expose().as_bytes())
}

/// As [`write_new_file`], for bytes that are the admin's alone without being a secret (the saved
/// policy list, [`crate::cache`]).
pub(crate) fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_new(path, bytes, Access::Owner)
}

/// Creates `path` with the usual permissions of a new file and writes `text`, which holds no
/// secret (a plan), to it. Otherwise as [`write_new_file`]: never over anything, never through a
/// link, the folder must exist, a partial file is removed.
pub fn write_new_text(path: &Path, text: &str) -> Result<(), ExportError> {
    write_new(path, text.as_bytes(), Access::Usual)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    /// The file's permission bits, in octal as `ls` and `chmod` show them.
    fn mode(path: &Path) -> String {
        format!(
            "{:o}",
            fs::metadata(path).unwrap().permissions().mode() & 0o777
        )
    }

    #[test]
    fn a_secret_file_is_0600_and_a_text_file_has_the_usual_mode_of_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let usual = dir.path().join("usual");
        File::create(&usual).unwrap();

        let csv = dir.path().join("credentials.csv");
        write_new_file(&csv, &Secret::new("secret".to_string())).unwrap();
        assert_eq!(mode(&csv), "600");

        let plan = dir.path().join("plan.json");
        write_new_text(&plan, "{}\n").unwrap();
        assert_eq!(
            mode(&plan),
            mode(&usual),
            "as any new file the admin writes"
        );
        assert_eq!(fs::read_to_string(&plan).unwrap(), "{}\n");
    }

    #[test]
    fn neither_writer_replaces_anything_or_follows_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "kept").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for path in [&target, &link] {
            let e = write_new_text(path, "new").unwrap_err();
            assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
            let e = write_new_file(path, &Secret::new("new".to_string())).unwrap_err();
            assert!(matches!(e, ExportError::Exists(_)), "{e:?}");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "kept");
    }
}
