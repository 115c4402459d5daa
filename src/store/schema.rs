//! Opening the SQLite file and bringing its schema up to date (`PRAGMA user_version`).

use super::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Marks the file as a leadgrid store ("LGRD"), so a foreign SQLite file is never migrated.
const APPLICATION_ID: i64 = 0x4C47_5244;

/// Ordered migrations; migration `i` takes the schema from version `i` to `i + 1`.
/// Never edit a released entry: append a new one.
const MIGRATIONS: &[&str] = &[
    // v1: response cache. TTL is applied on read, so changing a provider's TTL applies to old rows.
    "CREATE TABLE cache (
        provider  TEXT NOT NULL,
        tool      TEXT NOT NULL,
        params    TEXT NOT NULL,
        kind      TEXT NOT NULL,
        answer    TEXT NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (provider, tool, params)
    ) WITHOUT ROWID;",
    // v2: run journal, one row per (run, integration, row input hash).
    "CREATE TABLE journal (
        run         TEXT NOT NULL,
        integration TEXT NOT NULL,
        input_hash  TEXT NOT NULL,
        state       TEXT NOT NULL,
        fields      TEXT NOT NULL,
        error       TEXT,
        calls       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (run, integration, input_hash)
    ) WITHOUT ROWID;",
    // v3: enrichment column definitions per run, so a reopened sheet gets its columns back.
    "CREATE TABLE run_columns (
        run        TEXT NOT NULL PRIMARY KEY,
        columns    TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating if needed) the store at `path`, in WAL mode with durable commits, migrated
/// to [`SCHEMA_VERSION`], and checks that the write lock can be taken.
pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::CreateDir {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })?;
    }
    // The store holds paid answers and inputs (emails, profiles): private to the user.
    // Created 600 here; SQLite gives its -wal and -shm files the same mode.
    if !path.exists() {
        use std::os::unix::fs::OpenOptionsExt;
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        if let Err(e) = created
            && e.kind() != std::io::ErrorKind::AlreadyExists
        {
            return Err(StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            });
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_sqlite(path, &e))?;
    prepare(conn, path, busy_timeout)
}

/// An in-memory store with the full schema, for tests.
pub(crate) fn open_in_memory() -> Result<Connection, StoreError> {
    let path = Path::new(":memory:");
    let conn = Connection::open_in_memory().map_err(|e| StoreError::from_sqlite(path, &e))?;
    prepare(conn, path, Duration::ZERO)
}

fn prepare(
    mut conn: Connection,
    path: &Path,
    busy_timeout: Duration,
) -> Result<Connection, StoreError> {
    let sql_err = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
    conn.busy_timeout(busy_timeout).map_err(sql_err)?;
    // The first statement reads the header: a garbage file fails here with "not a database".
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(sql_err)?;
    // FULL: a commit is on disk when it returns, which the journal promises its callers.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql_err)?;
    migrate(&mut conn, path)?;
    // Migrations may have had nothing to write; take the write lock once so a store held by
    // another process is reported now, not on the first cell result.
    conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")
        .map_err(sql_err)?;
    Ok(conn)
}

/// Applies every migration after the file's current version, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<i64, StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

/// Migrates to `target` (≤ [`SCHEMA_VERSION`]); returns the version found before migrating.
fn migrate_to(conn: &mut Connection, path: &Path, target: i64) -> Result<i64, StoreError> {
    let sql_err = |e: rusqlite::Error| StoreError::from_sqlite(path, &e);
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql_err)?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql_err)?;
    let app_id: i64 = tx
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql_err)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let tables: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(sql_err)?;
    let foreign = if app_id == 0 {
        found == 0 && tables > 0
    } else {
        app_id != APPLICATION_ID
    };
    if foreign {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
        });
    }
    for (version, sql) in
        (found..target).zip(MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)))
    {
        tx.execute_batch(sql).map_err(sql_err)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql_err)?;
    }
    if found == 0 {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql_err)?;
    }
    tx.commit().map_err(sql_err)?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn fresh_database_migrates_from_v0_to_latest() {
        let mut conn = Connection::open_in_memory().unwrap();
        let found = migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(found, 0);
        assert_eq!(version(&conn), SCHEMA_VERSION);
        assert_eq!(tables(&conn), ["cache", "journal", "run_columns"]);
        // Migrating again is a no-op.
        assert_eq!(
            migrate(&mut conn, Path::new(":memory:")).unwrap(),
            SCHEMA_VERSION
        );
    }

    #[test]
    fn every_older_version_migrates_to_latest_and_keeps_its_rows() {
        let path = Path::new(":memory:");
        for start in 1..SCHEMA_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, path, start).unwrap();
            assert_eq!(version(&conn), start);
            conn.execute(
                "INSERT INTO cache VALUES ('datagen', 't', '{}', 'value', '1', 5)",
                [],
            )
            .unwrap();
            assert_eq!(migrate(&mut conn, path).unwrap(), start);
            assert_eq!(version(&conn), SCHEMA_VERSION);
            assert_eq!(tables(&conn), ["cache", "journal", "run_columns"]);
            let kept: i64 = conn
                .query_row("SELECT stored_at FROM cache", [], |r| r.get(0))
                .unwrap();
            assert_eq!(kept, 5, "row written at v{start} survives");
        }
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new("x")).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn, Path::new("x")).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1)
        );
        assert!(err.to_string().contains("upgrade leadgrid"));
    }

    #[test]
    fn foreign_database_is_not_touched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE customers (id INTEGER)")
            .unwrap();
        let err = migrate(&mut conn, Path::new("other.db")).unwrap_err();
        assert_eq!(
            err,
            StoreError::Foreign {
                path: "other.db".into()
            }
        );
        assert_eq!(tables(&conn), ["customers"]);
        assert_eq!(version(&conn), 0);
    }
}
