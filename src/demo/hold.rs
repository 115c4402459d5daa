//! Holding provider calls until released: lets a test act while calls are in flight
//! (cancel, pause, quit) without depending on how long a slow answer takes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

/// A gate every provider call waits at until [`Hold::release`]; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Hold(Arc<State>);

#[derive(Debug, Default)]
struct State {
    released: AtomicBool,
    notify: Notify,
}

impl Hold {
    /// A closed gate.
    pub fn new() -> Hold {
        Hold::default()
    }

    /// Lets every held call, and every later one, through.
    pub fn release(&self) {
        self.0.released.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// Completes once released.
    pub async fn passed(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a release in between is not missed.
            notified.as_mut().enable();
            if self.0.released.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn held_calls_pass_once_released() {
        let hold = Hold::new();
        let waiter = tokio::spawn({
            let hold = hold.clone();
            async move { hold.passed().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        hold.release();
        tokio::time::timeout(std::time::Duration::from_secs(10), waiter)
            .await
            .expect("released")
            .expect("joined");
        hold.passed().await;
    }
}
