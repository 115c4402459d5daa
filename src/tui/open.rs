//! `leadgrid` with no file: pick a CSV from `./lead-list/` or the current folder.

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};
use std::path::{Path, PathBuf};

/// CSV files in `./lead-list/` and the current folder, sorted by path.
pub fn candidates() -> Vec<PathBuf> {
    candidates_in(Path::new("."))
}

/// CSV files in `dir/lead-list/` and `dir`, sorted by path.
pub fn candidates_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = [dir.join("lead-list"), dir.to_path_buf()]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    found.sort();
    found
}

/// Shows the list and returns the chosen file, or `None` if the user quits.
pub fn choose<B: Backend>(
    terminal: &mut Terminal<B>,
    files: &[PathBuf],
) -> anyhow::Result<Option<PathBuf>>
where
    B::Error: Send + Sync + 'static,
{
    let mut state = ListState::default().with_selected(Some(0));
    loop {
        terminal.draw(|f| {
            let area = f.area();
            if files.is_empty() {
                f.render_widget(
                    Paragraph::new("No CSV files in ./lead-list/ or here.\nRun `leadgrid FILE.csv` to open one. Press q to quit.")
                        .block(Block::default().borders(Borders::ALL).title(" leadgrid ")),
                    area,
                );
                return;
            }
            let items: Vec<ListItem> = files
                .iter()
                .map(|p| ListItem::new(crate::sanitize::for_display(&p.display().to_string()).into_owned()))
                .collect();
            let list = List::new(items)
                .block(Block::default().borders(Borders::ALL).title(" Open a lead list (Enter opens, q quits) "))
                .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
            f.render_stateful_widget(list, area, &mut state);
        })?;
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let selected = state.selected().unwrap_or(0);
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Ok(None),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => return Ok(None),
            KeyCode::Down | KeyCode::Char('j') => {
                state.select(Some((selected + 1).min(files.len().saturating_sub(1))))
            }
            KeyCode::Up | KeyCode::Char('k') => state.select(Some(selected.saturating_sub(1))),
            KeyCode::Enter => return Ok(files.get(selected).cloned()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_csvs_from_lead_list_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lead-list")).unwrap();
        std::fs::write(dir.path().join("lead-list/a.csv"), "x\n").unwrap();
        std::fs::write(dir.path().join("b.CSV"), "x\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x\n").unwrap();
        let found = candidates_in(dir.path());
        assert_eq!(found.len(), 2);
        assert!(found.iter().any(|p| p.ends_with("lead-list/a.csv")));
        assert!(found.iter().any(|p| p.ends_with("b.CSV")));
    }
}
