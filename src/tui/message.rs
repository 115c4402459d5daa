//! What the status bar tells the user.

/// How serious a status-bar message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// One line for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub level: Level,
}

impl Message {
    /// Something that happened, as expected.
    pub fn info(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            level: Level::Info,
        }
    }

    /// Something that went wrong or could not be done.
    pub fn error(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            level: Level::Error,
        }
    }
}
