//! The cores start-up work may keep busy, shared between the file checks and the SQLite read
//! that runs beside them.
//!
//! On `open`, the project is loaded on one thread while SQLite parses the schema and reads
//! the version table on another. With 10,000 revisions both take about as long, and the file
//! work splits across threads: started with one thread per core, it left three threads on
//! two cores, and the database read (often the longer of the two) waited for its turn. So
//! the database read lends its core while it runs.
//!
//! Each thread started for this work is placed on a core of its own, in turn from the one
//! after the starting thread's (see [`Placement`]), and the helper for a lent core is
//! started with the others, on that core, to wait there until the core is given back: some
//! kernels (seen on a 2-vCPU VM) put a new or woken thread on its waker's core and leave the
//! other one idle for milliseconds, which turned two threads into one core shared by turns
//! (stamped `current` at 10,000 revisions: 32.3 -> 25.7 ms, `compare_builds.py`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The machine's cores, some of which may be lent to work running beside the file checks.
#[derive(Debug)]
pub(crate) struct Cores {
    total: usize,
    lent: AtomicUsize,
    placement: Placement,
    /// Signalled when a lent core comes back or a run ends, for helpers waiting for a core.
    changed: (Mutex<()>, Condvar),
}

/// A core lent by [`Cores::lend`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Lent<'a>(&'a Cores);

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.0.lent.fetch_sub(1, Ordering::Release);
        self.0.signal();
    }
}

impl Cores {
    /// Every core of the machine (at most 8: past that, threads cost more than the few
    /// milliseconds they could save), none lent.
    pub(crate) fn of_machine() -> Cores {
        let total = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        Cores::with_total(total)
    }

    pub(crate) fn with_total(total: usize) -> Cores {
        Cores {
            total: total.max(1),
            lent: AtomicUsize::new(0),
            placement: Placement::from_here(),
            changed: (Mutex::new(()), Condvar::new()),
        }
    }

    /// The place of the next thread started for this work; the thread takes it with
    /// [`Place::enter`] first thing.
    pub(crate) fn next_place(&self) -> Place {
        self.placement.next()
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Holds one core for work outside the file checks until the guard drops.
    pub(crate) fn lend(&self) -> Lent<'_> {
        self.lent.fetch_add(1, Ordering::Acquire);
        Lent(self)
    }

    /// Cores nobody holds; at least one, the calling thread's own.
    pub(crate) fn free(&self) -> usize {
        self.total
            .saturating_sub(self.lent.load(Ordering::Acquire))
            .max(1)
    }

    /// `job(k)` for every `k` in `0..count`, in that order, and `alongside()` on this thread
    /// before it takes jobs too. Jobs are taken one at a time from a shared counter by this
    /// thread and by a helper per other core (when there are at least two jobs), each on
    /// its core; helper `h` (from 1) takes a job only while more than `h` cores are free,
    /// and waits for a lent core to come back otherwise.
    pub(crate) fn run<T: Send, V>(
        &self,
        count: usize,
        job: impl Fn(usize) -> T + Sync,
        alongside: impl FnOnce() -> V,
    ) -> (Vec<T>, V) {
        let next = AtomicUsize::new(0);
        let finished = AtomicBool::new(false);
        let take = || {
            let k = next.fetch_add(1, Ordering::Relaxed);
            (k < count).then_some(k)
        };
        let helpers = if count >= 2 { self.total - 1 } else { 0 };
        std::thread::scope(|scope| {
            let (take, job, finished) = (&take, &job, &finished);
            let helpers: Vec<_> = (1..=helpers)
                .map(|h| {
                    let place = self.next_place();
                    scope.spawn(move || {
                        place.enter();
                        let mut done = Vec::new();
                        while self.wait_for_core(h, finished) {
                            let Some(k) = take() else { break };
                            done.push((k, job(k)));
                        }
                        done
                    })
                })
                .collect();
            let value = alongside();
            let mut done = Vec::with_capacity(count);
            while let Some(k) = take() {
                done.push((k, job(k)));
            }
            finished.store(true, Ordering::Release);
            self.signal();
            for helper in helpers {
                match helper.join() {
                    Ok(theirs) => done.extend(theirs),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            done.sort_unstable_by_key(|(k, _)| *k);
            (done.into_iter().map(|(_, t)| t).collect(), value)
        })
    }

    /// Whether helper `h` may take a job: once more than `h` cores are free (waiting for
    /// that), and not after its run has finished.
    fn wait_for_core(&self, h: usize, finished: &AtomicBool) -> bool {
        if self.free() > h {
            return true;
        }
        let mut guard = self.lock_changed();
        loop {
            if finished.load(Ordering::Acquire) {
                return false;
            }
            if self.free() > h {
                return true;
            }
            guard = self
                .changed
                .1
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Wakes the helpers waiting for a core. The lock makes a helper that has just found
    /// no core free be waiting already, so that it cannot miss this.
    fn signal(&self) {
        let _guard = self.lock_changed();
        self.changed.1.notify_all();
    }

    fn lock_changed(&self) -> MutexGuard<'_, ()> {
        self.changed
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The cores this process may run on, in the order threads started for start-up work are
/// placed on them: from the core after the one the [`Cores`] were made on (the calling
/// thread's, which keeps working), round and round.
#[derive(Debug)]
struct Placement {
    #[cfg(target_os = "linux")]
    order: Vec<usize>,
    #[cfg(target_os = "linux")]
    next: AtomicUsize,
}

/// The cores in `set`, in ascending order.
#[cfg(target_os = "linux")]
fn cpus_of(set: &rustix::thread::CpuSet) -> Vec<usize> {
    (0..rustix::thread::CpuSet::MAX_CPU)
        .filter(|&c| set.is_set(c))
        .collect()
}

/// Where a thread started for start-up work runs: one core, or wherever the kernel puts it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place(Option<usize>);

impl Place {
    /// Allows the calling thread only its core. A thread is placed only for the work it
    /// was started for and ends with it, so nothing else is pinned; failure leaves it
    /// where the kernel put it.
    pub(crate) fn enter(self) {
        #[cfg(target_os = "linux")]
        if let Some(core) = self.0 {
            let mut one = rustix::thread::CpuSet::new();
            one.set(core);
            let _ = rustix::thread::sched_setaffinity(None, &one);
        }
    }
}

impl Placement {
    #[cfg(target_os = "linux")]
    fn from_here() -> Placement {
        use rustix::thread::{sched_getaffinity, sched_getcpu};
        let mut order = sched_getaffinity(None)
            .map(|set| cpus_of(&set))
            .unwrap_or_default();
        let here = sched_getcpu();
        if let Some(at) = order.iter().position(|&c| c == here) {
            order.rotate_left(at + 1);
        }
        Placement {
            order,
            next: AtomicUsize::new(0),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn from_here() -> Placement {
        Placement {}
    }

    #[cfg(target_os = "linux")]
    fn next(&self) -> Place {
        if self.order.len() < 2 {
            return Place(None);
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed);
        Place(Some(self.order[turn % self.order.len()]))
    }

    #[cfg(not(target_os = "linux"))]
    fn next(&self) -> Place {
        Place(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Mutex;
    use std::thread::ThreadId;
    use std::time::{Duration, Instant};

    /// Notes which threads run jobs; `wait` makes a job wait (up to a second) until a
    /// second thread has run one, so a helper that is started is sure to take some.
    struct Seen(Mutex<HashSet<ThreadId>>);

    impl Seen {
        fn new() -> Seen {
            Seen(Mutex::new(HashSet::new()))
        }

        fn count(&self) -> usize {
            self.0.lock().map(|s| s.len()).unwrap_or(0)
        }

        fn note(&self, wait: bool) {
            if let Ok(mut seen) = self.0.lock() {
                seen.insert(std::thread::current().id());
            }
            let until = Instant::now() + Duration::from_secs(1);
            while wait && self.count() < 2 && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    #[test]
    fn every_job_runs_once_and_results_keep_job_order() {
        for total in [1, 2, 4] {
            let cores = Cores::with_total(total);
            let seen = Seen::new();
            let (out, ()) = cores.run(
                37,
                |k| {
                    seen.note(total > 1);
                    k * 10
                },
                || (),
            );
            assert_eq!(out, (0..37).map(|k| k * 10).collect::<Vec<_>>());
            assert!((1..=total).contains(&seen.count()), "{total} cores");
        }
    }

    #[test]
    fn a_lent_core_is_not_used_and_a_returned_one_is() {
        let cores = Cores::with_total(2);
        let lent = cores.lend();
        assert_eq!(cores.free(), 1);
        let seen = Seen::new();
        cores.run(20, |_| seen.note(false), || ());
        assert_eq!(seen.count(), 1);
        drop(lent);
        assert_eq!(cores.free(), 2);
        let seen = Seen::new();
        cores.run(20, |_| seen.note(true), || ());
        assert_eq!(seen.count(), 2);
    }

    #[test]
    fn a_core_given_back_mid_run_starts_a_helper() {
        let cores = Cores::with_total(2);
        let lent = Mutex::new(Some(cores.lend()));
        let seen = Seen::new();
        let (out, ()) = cores.run(
            40,
            |k| {
                // The core comes back while this thread still has jobs to take; no helper
                // can have started before.
                if k == 5 {
                    if let Ok(mut lent) = lent.lock() {
                        lent.take();
                    }
                }
                seen.note(k > 5);
                k
            },
            || (),
        );
        assert_eq!(out, (0..40).collect::<Vec<_>>());
        assert_eq!(seen.count(), 2);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn threads_are_placed_in_turn_each_on_one_allowed_core() {
        use rustix::thread::sched_getaffinity;
        let Ok(allowed) = sched_getaffinity(None) else {
            return;
        };
        let cores = Cores::with_total(2);
        let order = &cores.placement.order;
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, cpus_of(&allowed));
        if order.len() < 2 {
            assert!(cores.next_place().0.is_none());
            return;
        }
        let turns: Vec<Place> = (0..order.len() + 1).map(|_| cores.next_place()).collect();
        let cores_of_turns: Vec<Option<usize>> = turns.iter().map(|p| p.0).collect();
        let mut expected: Vec<Option<usize>> = order.iter().copied().map(Some).collect();
        expected.push(Some(order[0]));
        assert_eq!(cores_of_turns, expected);
        let place = turns[0];
        let pinned = std::thread::spawn(move || {
            place.enter();
            sched_getaffinity(None).map(|set| cpus_of(&set))
        })
        .join()
        .unwrap()
        .unwrap();
        assert_eq!(pinned, vec![order[0]]);
        // The thread that made the placement is not pinned by it.
        assert_eq!(sched_getaffinity(None).unwrap().count(), allowed.count());
    }

    #[test]
    fn alongside_runs_on_the_calling_thread_and_no_helper_starts_for_one_job() {
        let cores = Cores::with_total(4);
        let me = std::thread::current().id();
        let seen = Seen::new();
        let (out, there) = cores.run(
            1,
            |k| {
                seen.note(false);
                k
            },
            || std::thread::current().id(),
        );
        assert_eq!(out, vec![0]);
        assert_eq!(there, me);
        assert_eq!(seen.count(), 1);
    }
}
