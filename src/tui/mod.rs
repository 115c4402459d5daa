//! The terminal UI: state, actions, pure drawing.
