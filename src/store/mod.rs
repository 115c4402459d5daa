//! Response cache and run journal (SQLite).
