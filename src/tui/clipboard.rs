//! Copying to the system clipboard through the terminal (OSC 52), so it works over SSH and
//! in tmux without a clipboard daemon. The sequence carries base64, so no cell text can
//! smuggle control characters to the terminal.

use super::app::App;
use base64::Engine;
use std::io::Write;

/// Terminals drop larger OSC 52 payloads; larger cells are refused with a message.
pub const MAX_COPY: usize = 100_000;

/// The escape sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
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
        assert_eq!(osc52("héllo"), "\x1b]52;c;aMOpbGxv\x07");
        let evil = osc52("a\x1b]0;title\x07b");
        assert_eq!(evil.matches('\x1b').count(), 1);
        assert_eq!(evil.matches('\x07').count(), 1);
    }
}
