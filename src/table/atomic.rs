//! Writing a file atomically: a temp file beside the target, fsync, rename, fsync of the
//! directory. Shared by the grid's save and `leadgrid run`, so both treat targets alike:
//! - a symlinked target is written through (the file it points to is replaced, the link stays);
//! - the replaced file's permissions are kept, and set on the temp file before any data
//!   is written to it (a 600 file's contents are never readable by others, not even briefly);
//! - temp files that a killed process left beside the same target are removed.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Distinguishes temp files one process writes beside the same target.
static TEMP_SERIAL: AtomicU32 = AtomicU32::new(0);

/// A temp file that becomes `target` on [`AtomicFile::commit`]; removed if dropped before.
#[derive(Debug)]
pub struct AtomicFile {
    /// The file really replaced (the symlink's target, when the path is a link).
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Creates the temp file for `target`.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let link = fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        let target = if link {
            fs::canonicalize(target)?
        } else {
            target.to_path_buf()
        };
        let dir = parent_dir(&target);
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::other("not a file name"))?
            .to_string_lossy()
            .into_owned();
        remove_abandoned_temps(&dir, &name);
        let temp = dir.join(format!(
            ".{name}.leadgrid-{}-{}.tmp",
            std::process::id(),
            TEMP_SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create_new(&temp)?;
        if let Ok(meta) = fs::metadata(&target)
            && let Err(e) = file.set_permissions(meta.permissions())
        {
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        Ok(AtomicFile {
            target,
            temp,
            file: Some(file),
        })
    }

    /// The temp file, to write into.
    pub fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the temp file was already closed"))
    }

    /// Takes the file out (e.g. to wrap it in a writer); `commit` still renames it.
    pub fn take_file(&mut self) -> io::Result<File> {
        self.file
            .take()
            .ok_or_else(|| io::Error::other("the temp file was already taken"))
    }

    /// Where the data is being written.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The file that the commit replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the temp file (if still held), renames it over the target and syncs the directory.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        fs::rename(&self.temp, &self.target)?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = File::open(parent_dir(&self.target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // After a commit the temp name no longer exists; otherwise it is an abandoned write.
        let _ = fs::remove_file(&self.temp);
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Removes temp files that a killed process left beside `name` (their process is gone).
/// Only where `/proc` tells which processes are alive; elsewhere they are left alone.
/// Knows this version's names and the grid's older `.NAME.PID-NONCE.leadgrid-tmp`.
pub fn remove_abandoned_temps(dir: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let current = format!(".{name}.leadgrid-");
    let older = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let pid_part = file
            .strip_prefix(&current)
            .and_then(|f| f.strip_suffix(".tmp"))
            .or_else(|| {
                file.strip_prefix(&older)
                    .and_then(|f| f.strip_suffix(".leadgrid-tmp"))
            });
        let Some(pid) = pid_part
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn temp_files_of_dead_processes_are_cleared_both_namings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.csv");
        // No process has this id (it is above the kernel's pid limit).
        let dead_run = dir.path().join(".out.csv.leadgrid-4294967295-0.tmp");
        let dead_grid = dir.path().join(".out.csv.4294967295-1234.leadgrid-tmp");
        let other = dir.path().join(".other.csv.leadgrid-4294967295-0.tmp");
        for p in [&dead_run, &dead_grid, &other] {
            fs::write(p, "half a write").expect("write");
        }
        AtomicFile::create(&target)
            .expect("create")
            .commit()
            .expect("commit");
        let linux = cfg!(target_os = "linux");
        assert_eq!(dead_run.exists(), !linux);
        assert_eq!(dead_grid.exists(), !linux);
        assert!(other.exists());
    }

    #[test]
    fn writes_through_a_symlink_and_keeps_the_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.csv");
        fs::write(&real, "old\n").expect("write");
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let mut out = AtomicFile::create(&link).expect("create");
        let mode = fs::metadata(out.temp_path())
            .expect("temp")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the temp file is private before any data"
        );
        out.file()
            .expect("file")
            .write_all(b"new\n")
            .expect("write");
        out.commit().expect("commit");
        assert!(
            fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "new\n");
        let mode = fs::metadata(&real).expect("real").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn dropping_without_commit_leaves_the_target_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.csv");
        fs::write(&target, "old\n").expect("write");
        {
            let mut out = AtomicFile::create(&target).expect("create");
            out.file().expect("file").write_all(b"new").expect("write");
        }
        assert_eq!(fs::read_to_string(&target).expect("read"), "old\n");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
