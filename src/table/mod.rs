//! The lead list: the original CSV as an immutable indexed base, edits in an overlay.
