//! Copying to the system clipboard through the terminal (OSC 52, crossterm's
//! `CopyToClipboard`), so it works over SSH and in tmux without a clipboard daemon. The
//! sequence carries base64, so no cell text can smuggle control characters to the terminal.

use super::app::App;
use crossterm::Command;
use crossterm::clipboard::CopyToClipboard;
use std::io::Write;

/// The escape sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = CopyToClipboard::to_clipboard_from(text).write_ansi(&mut out);
    out
}

/// Hands each new copy the app made to the terminal, once.
#[derive(Default)]
pub struct Copies {
    sent: u64,
}

impl Copies {
    /// Writes the app's latest copy if it has not been written yet. Errors are ignored: a
    /// terminal that cannot take it simply keeps its clipboard.
    pub fn send_new(&mut self, app: &App, out: &mut impl Write) {
        if let Some((n, text)) = &app.copied
            && *n != self.sent
        {
            self.sent = *n;
            let _ = out.write_all(osc52(text).as_bytes());
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_carries_base64_only() {
        assert_eq!(osc52("héllo"), "\x1b]52;c;aMOpbGxv\x1b\\");
        let evil = osc52("a\x1b]0;title\x07b");
        assert_eq!(
            evil.matches('\x1b').count(),
            2,
            "only the OSC opener and terminator"
        );
        assert!(!evil.contains('\x07'));
    }
}
