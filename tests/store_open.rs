//! Opening a bad store gives a typed error with a message a user can act on, never a panic.

use leadgrid::store::{SCHEMA_VERSION, Store, StoreConfig, StoreError};
use std::time::Duration;

fn quick() -> StoreConfig {
    StoreConfig {
        busy_timeout: Duration::from_millis(50),
        ..StoreConfig::default()
    }
}

#[test]
fn a_garbage_file_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadgrid.sqlite3");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path, quick()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("corrupt")
            && msg.contains("leadgrid.sqlite3")
            && msg.contains("LEADGRID_STORE"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file is left as it was"
    );
}

#[test]
fn a_database_locked_by_another_process_is_reported_after_a_bounded_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadgrid.sqlite3");
    drop(Store::open(&path, quick()).unwrap());
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = Store::open(&path, quick()).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("another leadgrid"), "{err}");
    other.execute_batch("COMMIT").unwrap();
    Store::open(&path, quick()).expect("opens once the lock is released");
}

#[test]
fn a_fresh_file_locked_before_leadgrid_ever_wrote_it_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadgrid.sqlite3");
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE t (x);")
        .unwrap();
    let err = Store::open(&path, quick()).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
}

#[test]
fn an_unusable_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    // Works even as root, unlike a read-only directory.
    let err = Store::open(&file.join("sub").join("leadgrid.sqlite3"), quick()).unwrap_err();
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}

#[test]
fn another_programs_database_and_a_newer_schema_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("crm.sqlite3");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (id INTEGER)")
        .unwrap();
    let err = Store::open(&foreign, quick()).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");

    let newer = dir.path().join("newer.sqlite3");
    drop(Store::open(&newer, quick()).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&newer, quick()).unwrap_err();
    assert_eq!(
        err,
        StoreError::NewerSchema {
            path: newer.clone(),
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
}

#[test]
fn the_store_is_created_with_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("leadgrid.sqlite3");
    let store = Store::open(&path, quick()).unwrap();
    assert_eq!(store.path(), path);
    assert!(path.exists());
}

#[test]
fn a_lock_taken_during_a_run_fails_the_write_and_the_store_recovers() {
    use leadgrid::cell::CellState;
    use leadgrid::store::{JournalEntry, RunId};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadgrid.sqlite3");
    let store = Store::open(&path, quick()).unwrap();
    let run = RunId::new("leads.csv");
    let entry = JournalEntry {
        integration: "linkedin_profile".into(),
        input_hash: "h".into(),
        state: CellState::Done,
        fields: Default::default(),
        error: None,
        calls: serde_json::json!([]),
    };
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = store.journal_put(&run, &entry).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert_eq!(store.stats().errors, 1);
    assert!(store.stats().last_error.unwrap().contains("locked"));
    other.execute_batch("COMMIT").unwrap();
    store.journal_put(&run, &entry).unwrap();
    assert_eq!(store.journal_load(&run).unwrap(), vec![entry]);
}
