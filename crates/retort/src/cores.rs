//! The cores start-up work may keep busy, shared between the file checks and the SQLite read
//! that runs beside them.
//!
//! On `open`, the project is loaded on one thread while SQLite parses the schema and reads
//! the version table on another. With 10,000 revisions both take about as long, and the file
//! work splits across threads: started with one thread per core, it left three threads on
//! two cores, and the database read (often the longer of the two) waited for its turn. So
//! the database read lends its core while it runs, and the file work starts a helper
//! thread only on a core that nobody holds, asking again between jobs so that a core given
//! back is put to work at once.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The machine's cores, some of which may be lent to work running beside the file checks.
#[derive(Debug)]
pub(crate) struct Cores {
    total: usize,
    lent: AtomicUsize,
}

/// A core lent by [`Cores::lend`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Lent<'a>(&'a Cores);

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.0.lent.fetch_sub(1, Ordering::Release);
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
        }
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
    /// thread and by helpers, which are started, as long as at least two jobs are left,
    /// whenever a core is free: before `alongside`, and again before each job this thread
    /// takes.
    pub(crate) fn run<T: Send, V>(
        &self,
        count: usize,
        job: impl Fn(usize) -> T + Sync,
        alongside: impl FnOnce() -> V,
    ) -> (Vec<T>, V) {
        let next = AtomicUsize::new(0);
        let take = || {
            let k = next.fetch_add(1, Ordering::Relaxed);
            (k < count).then_some(k)
        };
        let drain = || {
            let mut done = Vec::new();
            while let Some(k) = take() {
                done.push((k, job(k)));
            }
            done
        };
        std::thread::scope(|scope| {
            let mut helpers = Vec::new();
            let start_helpers = |helpers: &mut Vec<_>| {
                while helpers.len() + 1 < self.free()
                    && count.saturating_sub(next.load(Ordering::Relaxed)) >= 2
                {
                    helpers.push(scope.spawn(drain));
                }
            };
            start_helpers(&mut helpers);
            let value = alongside();
            let mut done = Vec::with_capacity(count);
            loop {
                start_helpers(&mut helpers);
                let Some(k) = take() else { break };
                done.push((k, job(k)));
            }
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
