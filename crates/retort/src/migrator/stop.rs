//! Stopping a run from another thread: a signal handler's (Kubernetes stops a pod with
//! SIGTERM, a person presses Ctrl-C) or an application's shutdown. The run stops before its
//! next statement, and the statement running now is cancelled on the server, so that the
//! database rolls it back and the lock is released at once instead of when it ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::db::Cancel;

/// A handle that stops a run: clone it, give one to [`super::Migrator::with_stop`] and
/// call [`Stop::request`] on another from anywhere.
///
/// ```no_run
/// # fn shutdown_requested() {}
/// let stop = retort::Stop::new();
/// let on_shutdown = stop.clone();
/// std::thread::spawn(move || {
///     shutdown_requested(); // the application's own signal handling
///     on_shutdown.request();
/// });
/// // ...
/// # let project = retort::Project::from_dir("migrations")?;
/// # let mut conn = retort::connect(&project)?;
/// let mut migrator = retort::Migrator::new(&project, conn.as_mut()).with_stop(stop);
/// match migrator.upgrade(&retort::Target::Head, &mut |_| {}) {
///     Err(retort::Error::Stopped(stopped)) => eprintln!("stopped: {:?}", stopped.during),
///     other => drop(other?),
/// }
/// # Ok::<(), retort::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Stop(Arc<Inner>);

#[derive(Default)]
struct Inner {
    requested: AtomicBool,
    /// How to cancel the statement of the run under way, while there is one.
    cancel: Mutex<Option<Arc<dyn Cancel>>>,
}

impl Stop {
    /// A handle no one has requested to stop yet.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the run to stop, and the server to cancel the statement it is running. Safe to
    /// call from any thread, any number of times. `false` when no run is under way (nothing
    /// was cancelled: a caller may then just exit).
    pub fn request(&self) -> bool {
        self.0.requested.store(true, Ordering::SeqCst);
        let cancel = match self.0.cancel.lock() {
            Ok(cancel) => cancel.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        match cancel {
            Some(cancel) => {
                // A failed cancel request leaves the statement to finish; the run still
                // stops before the next one.
                let _ = cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    /// Makes `cancel` what [`Stop::request`] uses until the guard is dropped.
    pub(crate) fn arm(&self, cancel: Arc<dyn Cancel>) -> Armed {
        self.set(Some(cancel));
        Armed(self.clone())
    }

    fn set(&self, cancel: Option<Arc<dyn Cancel>>) {
        match self.0.cancel.lock() {
            Ok(mut slot) => *slot = cancel,
            Err(poisoned) => *poisoned.into_inner() = cancel,
        }
    }
}

impl std::fmt::Debug for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stop")
            .field("requested", &self.requested())
            .finish()
    }
}

/// A run under way: while it lives, [`Stop::request`] cancels the run's statement.
pub(crate) struct Armed(Stop);

impl Drop for Armed {
    fn drop(&mut self) {
        self.0.set(None);
    }
}
