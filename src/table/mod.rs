//! The lead list: the original CSV as an immutable indexed base, edits in an overlay.
//!
//! `base` indexes the file (in the background for large files) and reads rows on demand;
//! `overlay` holds columns, row order and changed cells; `sheet` adds undo; `save` writes
//! atomically, copying unedited records byte for byte.
//!
//! Worth knowing when driving it:
//! - Blank lines are not rows; they stay attached to the record before them and are saved as they were.
//! - `insert_row`/`delete_row` wait for the background index to finish (well under a second).
//! - A save (or an adopted `mark_saved`) makes the saved file the new base: undo history is
//!   cleared; `RowId`s stay valid.
//! - Added columns are appended after a record's own fields; a short record is padded to the
//!   header's width first, a long (ragged) record keeps its extra fields before them.

mod atomic;
mod base;
mod changes;
mod dialect;
mod error;
mod generate;
mod overlay;
mod record;
mod save;
mod sheet;
mod snapshot;
mod stamp;
mod stream;

pub use atomic::{AtomicFile, parent_dir, remove_abandoned_temps};
pub use base::IndexProgress;
pub use changes::{Changes, ColumnChange};
pub use dialect::{Dialect, Encoding, LineEnding, OpenOptions};
pub use error::{LoadError, SaveError};
pub use generate::generate;
pub use overlay::{ColumnId, RowId};
pub use save::{SaveStats, SavedFile};
pub use sheet::{Column, Sheet};
pub use snapshot::SheetSnapshot;
pub use stamp::DiskStamp;
pub use stream::{CsvFile, CsvWriter, Rows};
