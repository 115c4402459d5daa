//! Command tables: one row per command (its action, keys, help and command-bar text), one
//! table per mode. The same table dispatches keys, writes the popup's command bar and the
//! help overlay, so the key shown is always the key bound.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as written in a table: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

/// A plain character key.
pub const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

/// Ctrl and a character.
pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// A named key (arrows, Enter, F-keys…).
pub const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

impl Key {
    /// Whether a terminal key event is this key. Shift is implied by upper-case characters.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let wanted = self.mods & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        if relevant != wanted {
            return false;
        }
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                if wanted.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        }
    }

    /// How the key is written in help, e.g. `Ctrl-s`, `PgDn`, `G`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

/// Which section of the help a command is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Move,
    View,
    Edit,
    Enrich,
    App,
    PickerSearch,
    PickerMap,
    PickerOutputs,
    PickerAi,
    PickerWaterfall,
    Inspector,
    Runs,
    Census,
    Scroll,
}

impl Group {
    /// Heading shown in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::View => "Find and view",
            Group::Edit => "Edit",
            Group::Enrich => "Enrich",
            Group::App => "File",
            Group::PickerSearch => "Add enrichment: choose an integration (type to search)",
            Group::PickerMap => "Add enrichment: map inputs",
            Group::PickerOutputs => "Add enrichment: outputs and rows",
            Group::PickerAi => "Add enrichment: AI column (type into the field under the cursor)",
            Group::PickerWaterfall => {
                "Add enrichment: waterfall (type into the field under the cursor)"
            }
            Group::Inspector => "Inspector (i)",
            Group::Runs => "Runs panel (t)",
            Group::Census => "Frequency table (#) and duplicates (U)",
            Group::Scroll => "Help, cell view and inspector",
        }
    }
}

/// One row of a command table.
pub struct Command<A: 'static> {
    pub action: A,
    pub keys: &'static [Key],
    pub group: Group,
    pub help: &'static str,
    /// Short text for the command bar at the bottom of a popup; `None`: help only.
    pub bar: Option<&'static str>,
}

/// A command listed in the help only.
pub const fn cmd<A>(
    action: A,
    keys: &'static [Key],
    group: Group,
    help: &'static str,
) -> Command<A> {
    Command {
        action,
        keys,
        group,
        help,
        bar: None,
    }
}

/// A command listed in the help and, as `bar`, in its popup's command bar.
pub const fn bar_cmd<A>(
    action: A,
    keys: &'static [Key],
    group: Group,
    help: &'static str,
    bar: &'static str,
) -> Command<A> {
    Command {
        action,
        keys,
        group,
        help,
        bar: Some(bar),
    }
}

/// The action a key is bound to in `table`, if any.
pub fn find<A: Copy>(table: &[Command<A>], ev: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|c| c.keys.iter().any(|k| k.matches(ev)))
        .map(|c| c.action)
}

/// The first key bound to `action` in `table`, as shown to the user (e.g. in hints).
pub fn first_key<A: PartialEq>(table: &[Command<A>], action: A) -> String {
    table
        .iter()
        .find(|c| c.action == action)
        .and_then(|c| c.keys.first())
        .map(Key::label)
        .unwrap_or_default()
}

/// The command bar of a table: `↑↓ select · p pause/resume · Esc close`. Neighbours with the
/// same text share it (`↑↓ select`, `+/- N`); each shows its first key.
pub fn bar<A>(table: &[Command<A>]) -> String {
    let mut parts: Vec<(Vec<String>, &str)> = Vec::new();
    for c in table {
        let (Some(text), Some(key)) = (c.bar, c.keys.first()) else {
            continue;
        };
        match parts.last_mut() {
            Some((keys, last)) if *last == text => keys.push(key.label()),
            _ => parts.push((vec![key.label()], text)),
        }
    }
    parts
        .into_iter()
        .map(|(keys, text)| {
            let arrows = keys
                .iter()
                .all(|k| ["↑", "↓", "←", "→"].contains(&k.as_str()));
            format!("{} {text}", keys.join(if arrows { "" } else { "/" }))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Demo {
        Up,
        Down,
        More,
        Less,
        Close,
        Hidden,
    }

    static TABLE: &[Command<Demo>] = &[
        bar_cmd(Demo::Up, &[code(KeyCode::Up)], Group::Runs, "up", "select"),
        bar_cmd(
            Demo::Down,
            &[code(KeyCode::Down), k('j')],
            Group::Runs,
            "down",
            "select",
        ),
        bar_cmd(Demo::More, &[k('+')], Group::Runs, "more", "N"),
        bar_cmd(Demo::Less, &[k('-')], Group::Runs, "less", "N"),
        cmd(Demo::Hidden, &[k('z')], Group::Runs, "not in the bar"),
        bar_cmd(
            Demo::Close,
            &[code(KeyCode::Esc)],
            Group::Runs,
            "close",
            "close",
        ),
    ];

    #[test]
    fn the_bar_merges_neighbours_and_shows_first_keys() {
        assert_eq!(bar(TABLE), "↑↓ select · +/- N · Esc close");
    }

    #[test]
    fn dispatch_finds_any_bound_key() {
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(find(TABLE, &j), Some(Demo::Down));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(find(TABLE, &q), None);
        assert_eq!(first_key(TABLE, Demo::Hidden), "z");
    }
}
