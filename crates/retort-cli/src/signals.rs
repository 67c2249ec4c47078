//! SIGINT (Ctrl-C) and SIGTERM (Kubernetes stopping a pod). The first one during a run
//! asks the library to stop it ([`retort::Stop`]): the statement running is cancelled on
//! the server and rolled back, what took effect is recorded, the lock is released, and the
//! command ends with 130 or 143. A second one, or one while no run is under way (loading
//! files, reading), ends the process at once, as without a handler.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// The signal received, once one was (0 before).
#[derive(Clone, Default)]
pub struct Received(Arc<AtomicI32>);

impl Received {
    /// The exit code the signal calls for (128 + its number), once one came.
    pub fn exit_code(&self) -> Option<u8> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            sig => u8::try_from(128 + sig).ok(),
        }
    }

    /// The signal's name, for the closing message.
    pub fn name(&self) -> &'static str {
        match self.0.load(Ordering::SeqCst) {
            2 => "SIGINT",
            15 => "SIGTERM",
            _ => "a stop signal",
        }
    }
}

/// Watches for the stop signals on a thread of its own, for the rest of the process.
#[cfg(unix)]
pub fn watch(stop: retort::Stop) -> Received {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let received = Received::default();
    let seen = received.0.clone();
    // Without the handler (it could not be installed) the signals keep their default:
    // the process ends at once, which every guarantee of the database still covers.
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        std::thread::spawn(move || {
            for sig in signals.forever() {
                let first = seen
                    .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok();
                if !first || !stop.request() {
                    std::process::exit(128 + sig);
                }
            }
        });
    }
    received
}

#[cfg(not(unix))]
pub fn watch(_stop: retort::Stop) -> Received {
    Received::default()
}
