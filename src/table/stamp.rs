//! What a file on disk looked like when it was read or written, to notice that someone
//! else changed it before a save overwrites their work.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

/// Size, modification time and checksum of a file's whole contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, when the platform tells.
    pub modified: Option<SystemTime>,
    /// CRC-32 of every byte.
    pub crc: u32,
}

/// Whether `path` still holds what `stamp` describes. Size and time equal: yes (cheap).
/// Otherwise the contents decide (a file touched but not changed is still the same).
/// A missing file is not a conflict: nobody's work is overwritten.
pub fn unchanged(path: &Path, stamp: &DiskStamp) -> std::io::Result<bool> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    if meta.len() != stamp.len {
        return Ok(false);
    }
    if meta.modified().ok() == stamp.modified && stamp.modified.is_some() {
        return Ok(true);
    }
    Ok(crc_of(path)? == stamp.crc)
}

/// CRC-32 of a whole file.
pub fn crc_of(path: &Path) -> std::io::Result<u32> {
    let mut file = File::open(path)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finalize());
        }
        hasher.update(&buf[..n]);
    }
}

/// The stamp of `path` as it is now, given the checksum of what was written or read.
pub fn stamp_of(path: &Path, crc: u32) -> std::io::Result<DiskStamp> {
    let meta = std::fs::metadata(path)?;
    Ok(DiskStamp {
        len: meta.len(),
        modified: meta.modified().ok(),
        crc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touched_file_is_unchanged_and_an_edited_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "a,b\n1,2\n").expect("write");
        let stamp = stamp_of(&path, crc_of(&path).expect("crc")).expect("stamp");
        assert!(unchanged(&path, &stamp).expect("check"));
        let touched = DiskStamp {
            modified: None,
            ..stamp
        };
        assert!(unchanged(&path, &touched).expect("same bytes"));
        std::fs::write(&path, "a,b\n1,3\n").expect("same size, other bytes");
        let edited = DiskStamp {
            modified: None,
            ..stamp
        };
        assert!(!unchanged(&path, &edited).expect("check"));
        std::fs::remove_file(&path).expect("rm");
        assert!(unchanged(&path, &stamp).expect("gone is fine"));
    }
}
