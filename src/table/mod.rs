//! The lead list: the original CSV as an immutable indexed base, edits in an overlay.
//!
//! `base` indexes the file (in the background for large files) and reads rows on demand;
//! `overlay` holds columns, row order and changed cells; `sheet` adds undo; `save` writes
//! atomically, copying unedited records byte for byte.

mod base;
mod dialect;
mod error;
mod generate;
mod overlay;
mod record;
mod save;
mod sheet;
mod snapshot;

pub use base::IndexProgress;
pub use dialect::{Dialect, Encoding, LineEnding, OpenOptions};
pub use error::{LoadError, SaveError};
pub use generate::generate;
pub use overlay::RowId;
pub use save::{SaveStats, SavedFile};
pub use sheet::{Column, Sheet};
pub use snapshot::SheetSnapshot;
