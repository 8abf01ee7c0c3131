//! Keeps the process's memory, which holds new secrets while the credentials screen is up, out of
//! core dumps. A crash, `SIGQUIT` (Ctrl-\) or `SIGABRT` would otherwise have the kernel (or
//! systemd-coredump, or apport) write the whole heap to disk, secrets included, where they outlive
//! the run. At start iamwiz sets its core file size limit to 0 and, on Linux, marks itself not
//! dumpable, which also stops other processes of the same user from reading its memory through
//! `ptrace` or `/proc/PID/mem` (only a process with `CAP_SYS_PTRACE` still may).

/// Forbids core dumps of this process from now on; the error says which step failed.
#[cfg(unix)]
pub fn forbid() -> std::io::Result<()> {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads the struct it is given and nothing else.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
        return Err(with_context("setrlimit(RLIMIT_CORE, 0)"));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the rest are ignored.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(with_context("prctl(PR_SET_DUMPABLE, 0)"));
        }
    }
    Ok(())
}

/// Windows writes no core files unless the user set up Windows Error Reporting to.
#[cfg(not(unix))]
pub fn forbid() -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn with_context(call: &str) -> std::io::Error {
    let e = std::io::Error::last_os_error();
    std::io::Error::new(e.kind(), format!("{call}: {e}"))
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn after_forbidding_core_dumps_the_limit_is_zero_and_the_process_is_not_dumpable() {
        super::forbid().expect("forbid core dumps");
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes the struct it is given.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
        #[cfg(target_os = "linux")]
        // SAFETY: PR_GET_DUMPABLE takes no argument and returns the flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
