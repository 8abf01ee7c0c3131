//! The managed-policy catalogue saved on disk, so that the next start shows the Permissions
//! step's picker at once while the live list is read again.
//!
//! One file per AWS target in the cache directory (`$XDG_CACHE_HOME/iamwiz` on Linux):
//! `policies-<key>.json`, where the key is a stable hash of the profile and the endpoint URL (see
//! [`key`]). The file holds the account it was read from, when, and the policies' names, ARNs,
//! types, paths and descriptions: nothing secret. It is written whole to a temporary file in the
//! same directory and renamed over the old one, readable by the admin only (the writer and the
//! folders are the exports' own: [`crate::export::new_file`], created 0600, never over anything
//! already at the temporary path; missing folders 0700). A file that is
//! missing, unreadable, corrupt or of another format version is no cache at all: the wizard reads
//! the list live as if it had never been saved.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::export::new_file::write_new_private;
use crate::export::profile::create_private_dirs;
use crate::protocol::{PolicyInfo, PolicyScope};

/// The format of the file; a file of another version is ignored (and replaced by the next
/// successful read).
pub const VERSION: u32 = 1;

/// `<cache dir>/iamwiz`: `$XDG_CACHE_HOME/iamwiz` (or `~/.cache/iamwiz`) on Linux, the platform's
/// cache directory elsewhere.
pub fn default_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "iamwiz")?;
    Some(dirs.cache_dir().to_path_buf())
}

/// The cache key of an AWS target: 16 hex digits of a 64-bit FNV-1a hash of the profile
/// (`default` when none is named) and the endpoint URL (empty for AWS's own endpoints). The hash
/// is spelled out here, so the key is the same across builds and Rust versions.
pub fn key(profile: Option<&str>, endpoint: Option<&str>) -> String {
    let profile = profile.filter(|p| !p.is_empty()).unwrap_or("default");
    let endpoint = endpoint.unwrap_or("");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in profile
        .bytes()
        .chain([0])
        .chain(endpoint.bytes())
        .chain([0])
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The name of the file for `key`: `policies-<key>.json`.
pub fn file_name(key: &str) -> String {
    format!("policies-{key}.json")
}

/// The profile a target is read as: `profile` (`--profile`), else `AWS_PROFILE`.
pub fn profile_in_use(profile: Option<&str>) -> Option<String> {
    profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .filter(|p| !p.is_empty())
}

/// A catalogue read back from the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    /// The account the list was read from.
    pub account: String,
    /// When it was read, in seconds since the Unix epoch.
    pub saved_at: u64,
    pub policies: Vec<PolicyInfo>,
}

impl Cached {
    /// How old the list is at `now` (seconds since the Unix epoch); 0 for a clock set back.
    pub fn age_at(&self, now: u64) -> u64 {
        now.saturating_sub(self.saved_at)
    }
}

/// The cache file of one AWS target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyCache {
    path: PathBuf,
}

#[derive(Deserialize)]
struct Header {
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct File<P> {
    version: u32,
    account: String,
    saved_at: u64,
    policies: P,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    name: String,
    arn: String,
    /// `aws` or `customer`.
    scope: String,
    path: String,
    description: String,
}

impl Entry {
    fn from_info(p: &PolicyInfo) -> Entry {
        Entry {
            name: p.name.clone(),
            arn: p.arn.clone(),
            scope: match p.scope {
                PolicyScope::Aws => "aws",
                PolicyScope::Customer => "customer",
            }
            .to_string(),
            path: p.path.clone(),
            description: p.description.clone(),
        }
    }

    fn into_info(self) -> Option<PolicyInfo> {
        let scope = match self.scope.as_str() {
            "aws" => PolicyScope::Aws,
            "customer" => PolicyScope::Customer,
            _ => return None,
        };
        Some(PolicyInfo {
            name: self.name,
            arn: self.arn,
            scope,
            description: self.description,
            path: self.path,
        })
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl PolicyCache {
    /// The file for `key` in `dir`.
    pub fn new(dir: &Path, key: &str) -> PolicyCache {
        PolicyCache {
            path: dir.join(file_name(key)),
        }
    }

    /// The file for the target reached as `profile` at `endpoint`, in `dir`.
    pub fn for_target(dir: &Path, profile: Option<&str>, endpoint: Option<&str>) -> PolicyCache {
        PolicyCache::new(dir, &key(profile, endpoint))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved catalogue, or `None` when there is none to use (the reason is logged).
    pub fn read(&self) -> Option<Cached> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                tracing::debug!(path = %self.path.display(), "no saved policy list");
                return None;
            }
            Err(e) => {
                tracing::info!(path = %self.path.display(), error = %e, "saved policy list unreadable; ignored");
                return None;
            }
        };
        match serde_json::from_slice::<Header>(&bytes) {
            Ok(h) if h.version == VERSION => {}
            Ok(h) => {
                tracing::info!(path = %self.path.display(), version = h.version, "saved policy list of another version; ignored");
                return None;
            }
            Err(e) => {
                tracing::info!(path = %self.path.display(), error = %e, "saved policy list corrupt; ignored");
                return None;
            }
        }
        let file: File<Vec<Entry>> = match serde_json::from_slice(&bytes) {
            Ok(file) => file,
            Err(e) => {
                tracing::info!(path = %self.path.display(), error = %e, "saved policy list corrupt; ignored");
                return None;
            }
        };
        let policies: Option<Vec<PolicyInfo>> =
            file.policies.into_iter().map(Entry::into_info).collect();
        match policies {
            Some(policies) if !file.account.is_empty() => {
                tracing::debug!(path = %self.path.display(), count = policies.len(), "saved policy list read");
                Some(Cached {
                    account: file.account,
                    saved_at: file.saved_at,
                    policies,
                })
            }
            _ => {
                tracing::info!(path = %self.path.display(), "saved policy list corrupt; ignored");
                None
            }
        }
    }

    /// Saves `policies`, read from `account` at `saved_at`, replacing the file whole: a reader
    /// sees the old list or the new one, never a mix. The directory is made readable by the admin
    /// only when it is created; the file always is.
    pub fn write(&self, account: &str, saved_at: u64, policies: &[PolicyInfo]) -> io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dirs(dir).map_err(io::Error::other)?;
        let file = File {
            version: VERSION,
            account: account.to_string(),
            saved_at,
            policies: policies.iter().map(Entry::from_info).collect::<Vec<_>>(),
        };
        let bytes = serde_json::to_vec(&file).map_err(io::Error::other)?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut suffix = [0u8; 8];
        let _ = getrandom::fill(&mut suffix);
        let tmp = dir.join(format!(
            ".{name}.{}-{:016x}.tmp",
            std::process::id(),
            u64::from_le_bytes(suffix)
        ));
        let written = write_new_private(&tmp, &bytes)
            .map_err(io::Error::other)
            .and_then(|()| fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(name: &str, scope: PolicyScope, path: &str) -> PolicyInfo {
        PolicyInfo {
            name: name.to_string(),
            arn: format!("arn:aws:iam::aws:policy{path}{name}"),
            scope,
            description: format!("{name}, described"),
            path: path.to_string(),
        }
    }

    fn catalogue() -> Vec<PolicyInfo> {
        vec![
            policy("AdministratorAccess", PolicyScope::Aws, "/"),
            policy("ViewOnlyAccess", PolicyScope::Aws, "/job-function/"),
            policy("team-deploy", PolicyScope::Customer, "/"),
        ]
    }

    #[test]
    fn what_is_written_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        assert_eq!(cache.read(), None, "nothing saved yet");
        cache
            .write("123456789012", 1_700_000_000, &catalogue())
            .unwrap();
        assert_eq!(
            cache.read(),
            Some(Cached {
                account: "123456789012".to_string(),
                saved_at: 1_700_000_000,
                policies: catalogue(),
            })
        );
        assert_eq!(cache.path(), dir.path().join("policies-k.json"));
    }

    #[test]
    fn a_corrupt_file_is_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        cache.write("123456789012", 1, &catalogue()).unwrap();
        let whole = fs::read(cache.path()).unwrap();
        // Cut short, as a crash mid-write of a non-atomic writer would leave it.
        fs::write(cache.path(), &whole[..whole.len() / 2]).unwrap();
        assert_eq!(cache.read(), None);
        fs::write(cache.path(), b"not json").unwrap();
        assert_eq!(cache.read(), None);
        // Well-formed, but a policy of an unknown type.
        let odd = String::from_utf8(whole)
            .unwrap()
            .replace("\"customer\"", "\"other\"");
        fs::write(cache.path(), odd).unwrap();
        assert_eq!(cache.read(), None);
    }

    #[test]
    fn a_file_of_another_version_is_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        cache.write("123456789012", 1, &catalogue()).unwrap();
        let text = fs::read_to_string(cache.path()).unwrap();
        assert!(text.contains("\"version\":1"), "{text}");
        fs::write(cache.path(), text.replace("\"version\":1", "\"version\":2")).unwrap();
        assert_eq!(cache.read(), None);
    }

    #[cfg(unix)]
    #[test]
    fn only_the_admin_may_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("cache").join("iamwiz");
        let cache = PolicyCache::new(&dir, "k");
        cache.write("123456789012", 1, &catalogue()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(cache.path()), 0o600);
        assert_eq!(mode(&dir), 0o700);
        // Rewriting keeps it so (the old file is replaced, not reopened).
        fs::set_permissions(cache.path(), fs::Permissions::from_mode(0o644)).unwrap();
        cache.write("123456789012", 2, &catalogue()).unwrap();
        assert_eq!(mode(cache.path()), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_cache_folder_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("iamwiz");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let cache = PolicyCache::new(&dir, "k");
        cache.write("123456789012", 1, &catalogue()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o755, "the admin's own folder is left as it is");
        assert_eq!(mode(cache.path()), 0o600);
    }

    /// A link planted at the cache's path is replaced by the new file, never written through.
    #[cfg(unix)]
    #[test]
    fn a_link_at_the_cache_path_is_replaced_and_its_target_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("theirs");
        fs::write(&target, "theirs\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        std::os::unix::fs::symlink(&target, cache.path()).unwrap();
        cache.write("123456789012", 1, &catalogue()).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "theirs\n");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o644
        );
        let meta = fs::symlink_metadata(cache.path()).unwrap();
        assert!(meta.is_file(), "a file of its own, not the link");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(cache.read().unwrap().policies, catalogue());
    }

    #[test]
    fn a_rewrite_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        cache.write("123456789012", 1, &catalogue()).unwrap();
        let before = fs::metadata(cache.path()).unwrap();
        cache.write("123456789012", 2, &catalogue()[..1]).unwrap();
        let after = fs::metadata(cache.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // A new file was renamed into place: another inode.
            assert_ne!(before.ino(), after.ino());
        }
        let _ = (before, after);
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["policies-k.json"]);
        assert_eq!(cache.read().unwrap().policies, catalogue()[..1]);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PolicyCache::new(dir.path(), "k");
        // The file's name is taken by a directory that is not empty: the rename fails.
        fs::create_dir(cache.path()).unwrap();
        fs::write(cache.path().join("x"), b"x").unwrap();
        assert!(cache.write("123456789012", 2, &catalogue()).is_err());
        assert_eq!(cache.read(), None);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_key_differs_per_profile_and_endpoint_and_is_stable() {
        let base = key(None, None);
        assert_eq!(base.len(), 16);
        assert!(base.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            key(Some("default"), None),
            base,
            "no profile is the default profile"
        );
        let others = [
            key(Some("prod"), None),
            key(None, Some("http://127.0.0.1:5000")),
            key(Some("prod"), Some("http://127.0.0.1:5000")),
            key(None, Some("http://127.0.0.1:5001")),
            // The separator keeps ("ab", "c") apart from ("a", "bc").
            key(Some("ab"), Some("c")),
            key(Some("a"), Some("bc")),
        ];
        for (i, k) in others.iter().enumerate() {
            assert_ne!(*k, base);
            for other in &others[i + 1..] {
                assert_ne!(k, other);
            }
        }
        // The same on every build: a saved file is found again after an upgrade.
        assert_eq!(base, "633ca9cc16cbefae");
        assert_eq!(key(None, Some("http://127.0.0.1:5123")), "771fad908302cada");
    }
}
