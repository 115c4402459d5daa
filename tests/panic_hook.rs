//! The grid's panic hook: only the UI thread's own panic restores the terminal and is
//! printed; a panic on a worker (which the engine turns into a failed cell) leaves the
//! screen alone. Its own test binary: a panic hook is global to the process.

use std::sync::atomic::{AtomicUsize, Ordering};

static RESTORED: AtomicUsize = AtomicUsize::new(0);

fn restore() {
    RESTORED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn only_the_ui_threads_panic_restores_the_terminal() {
    leadgrid::tui::install_panic_hook(restore);
    let worker = std::thread::spawn(|| panic!("an engine worker's bug"));
    assert!(worker.join().is_err());
    assert_eq!(
        RESTORED.load(Ordering::SeqCst),
        0,
        "a worker's panic left the screen alone"
    );
    let ui = std::panic::catch_unwind(|| panic!("the UI's own bug"));
    assert!(ui.is_err());
    assert_eq!(
        RESTORED.load(Ordering::SeqCst),
        1,
        "the UI's panic restored the terminal"
    );
}
