//! Settings: embedded defaults, the user's config file on top, environment last.
