//! Worker threads: how many spare cores a build may still use, and splitting
//! one step's work over them.
//!
//! A build claims a [`WorkerSlot`] per thread it starts beyond the calling
//! one, so nested work (a base built on a worker that splits its own
//! transformers) never runs more threads than there are cores. `AIW_THREADS`
//! caps the total (1: everything on the calling thread).
//!
//! Work is split into contiguous parts taken back in order, so results are
//! the same, in the same order, however many threads ran.

use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Stack size of worker threads (as deep as the main thread's).
pub(crate) const WORKER_STACK: usize = 16 << 20;

/// Worker threads the process may still start: one per spare core, or
/// `AIW_THREADS` threads in all when that is set (1: no worker threads).
/// Below zero while a thread that lent its core (see [`LentCore`]) is busy
/// again before the borrower is done, or while builds side by side share
/// the cores ([`WorkerSlot::take_extra`]).
fn spare_workers() -> &'static AtomicIsize {
    static SPARE: std::sync::OnceLock<AtomicIsize> = std::sync::OnceLock::new();
    SPARE.get_or_init(|| AtomicIsize::new(isize::try_from(cores()).unwrap_or(isize::MAX) - 1))
}

/// The cores a build may use: `AIW_THREADS` when set, else the cores this
/// process may run on.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::env::var("AIW_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// A claim on one spare worker, given back when dropped.
pub(crate) struct WorkerSlot;

impl WorkerSlot {
    /// Claims a spare worker, if one is left.
    pub(crate) fn take() -> Option<WorkerSlot> {
        spare_workers()
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n > 0).then_some(n - 1)
            })
            .ok()
            .map(|_| WorkerSlot)
    }

    /// Claims a worker beyond the spare cores (several builds side by side
    /// share the cores; none of them then splits its own work further).
    pub(crate) fn take_extra() -> WorkerSlot {
        spare_workers().fetch_sub(1, Ordering::AcqRel);
        WorkerSlot
    }
}

impl Drop for WorkerSlot {
    fn drop(&mut self) {
        spare_workers().fetch_add(1, Ordering::AcqRel);
    }
}

/// This thread's core, lent to the workers while the thread waits for one
/// of them (so the one it waits for can split its own work); taken back
/// when dropped.
pub(crate) struct LentCore;

impl LentCore {
    /// Lends this thread's core until the value is dropped.
    pub(crate) fn lend() -> LentCore {
        spare_workers().fetch_add(1, Ordering::AcqRel);
        LentCore
    }
}

impl Drop for LentCore {
    fn drop(&mut self) {
        spare_workers().fetch_sub(1, Ordering::AcqRel);
    }
}

/// A part of the items not taken yet: its offset and its items.
type Part<'a, T> = Mutex<Option<(usize, &'a mut [T])>>;

/// Parts per thread: small enough parts that a slow one does not leave the
/// other threads idle at the end.
const PARTS_PER_THREAD: usize = 4;

/// Splits `items` into contiguous parts (at least `min_len` items each) and
/// runs `f(offset, part)` on each, where `offset` is the part's first index
/// in `items`, on this thread and on a worker per spare core it can claim
/// (each thread takes the next part nobody has taken). Results come back in
/// part order. Workers start with this thread's build settings (see
/// [`crate::build::ThreadContext`]).
pub(crate) fn map_parts<T, R, F>(items: &mut [T], min_len: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, &mut [T]) -> R + Sync,
{
    let wanted = items.len() / min_len.max(1);
    let mut slots = Vec::new();
    while slots.len() + 1 < wanted {
        match WorkerSlot::take() {
            Some(slot) => slots.push(slot),
            None => break,
        }
    }
    if slots.is_empty() {
        return vec![f(0, items)];
    }
    let n_parts = wanted.min((slots.len() + 1) * PARTS_PER_THREAD);
    let per = items.len().div_ceil(n_parts);
    let parts: Vec<Part<'_, T>> = items
        .chunks_mut(per)
        .enumerate()
        .map(|(i, part)| Mutex::new(Some((i * per, part))))
        .collect();
    let results: Vec<Mutex<Option<R>>> = parts.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let run = || {
        loop {
            let i = next.fetch_add(1, Ordering::AcqRel);
            let Some(slot) = parts.get(i) else {
                break;
            };
            let taken = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some((offset, part)) = taken {
                let r = f(offset, part);
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            }
        }
    };
    let context = crate::build::ThreadContext::capture();
    let job = || {
        context.install();
        run();
    };
    Pool::get().run_with(slots, &job, &run);
    results
        .into_iter()
        .filter_map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// A job lent to the pool: a borrowed closure whose lifetime is erased.
/// [`Pool::run_with`] does not return before every thread that took it is
/// done with it.
#[derive(Clone, Copy)]
struct Job(&'static (dyn Fn() + Sync));

impl Job {
    /// `job` with its lifetime erased.
    ///
    /// # Safety
    /// The caller waits, before the borrow ends, until every thread given
    /// the job is done with it (its count on the job's [`Latch`] back to
    /// zero, see [`Pool::drain`]).
    unsafe fn erase(job: &(dyn Fn() + Sync)) -> Job {
        // SAFETY: the caller keeps the borrow alive while the job is used.
        Job(unsafe { std::mem::transmute::<&(dyn Fn() + Sync), &'static (dyn Fn() + Sync)>(job) })
    }
}

/// Threads running one batch of jobs, and what the first panic among them
/// carried.
#[derive(Default)]
struct Latch {
    state: Mutex<(usize, Option<Box<dyn std::any::Any + Send>>)>,
    done: Condvar,
}

/// The persistent worker threads [`map_parts`] hands its parts to. Starting
/// a thread per call took longer than a call's work (the new thread often
/// ran only after the calling one had done every part); a pool thread is
/// woken, or still polling from its last job, and its allocator heap is
/// warm.
struct Pool {
    state: Mutex<PoolState>,
    wake: Condvar,
    /// Jobs queued and not taken yet (read without the lock while polling).
    queued: AtomicUsize,
    /// Threads polling while a [`Warm`] lives.
    polling: AtomicUsize,
}

/// A queued job: the job, the batch it counts in, and the worker slot its
/// thread holds until it is done (none when the batch holds its slots).
type Queued = (Job, Arc<Latch>, Option<WorkerSlot>);

/// The pool's queue and how many of its threads wait for work.
#[derive(Default)]
struct PoolState {
    jobs: std::collections::VecDeque<Queued>,
    idle: usize,
}

/// How long a pool thread polls for the next job before it sleeps: the
/// serial stretch between two split steps is usually shorter.
const POLL: std::time::Duration = std::time::Duration::from_micros(300);

impl Pool {
    /// The process's pool.
    fn get() -> &'static Pool {
        static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
        POOL.get_or_init(|| Pool {
            state: Mutex::new(PoolState::default()),
            wake: Condvar::new(),
            queued: AtomicUsize::new(0),
            polling: AtomicUsize::new(0),
        })
    }

    /// Runs `job` on a pool thread per slot (holding the slots until they
    /// are done) and `here` on this thread; returns when all are done,
    /// re-raising the first panic.
    fn run_with(&'static self, slots: Vec<WorkerSlot>, job: &(dyn Fn() + Sync), here: &dyn Fn()) {
        let latch = Arc::new(Latch::default());
        // SAFETY: this function drains `latch` (also when `here` panics)
        // before `job`'s borrow ends.
        let erased = unsafe { Job::erase(job) };
        let n = slots.len();
        if let Ok(mut l) = latch.state.lock() {
            l.0 = n;
        }
        {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            for _ in 0..n {
                self.push(&mut st, (erased, latch.clone(), None));
            }
        }
        let mine = std::panic::catch_unwind(std::panic::AssertUnwindSafe(here));
        let theirs = self.drain(&latch);
        drop(slots);
        if let Err(p) = mine {
            std::panic::resume_unwind(p);
        }
        if let Some(p) = theirs {
            std::panic::resume_unwind(p);
        }
    }

    /// Waits until every job of `latch`'s batch is done, running here those
    /// no pool thread has taken yet; returns what the first panic among
    /// them carried.
    fn drain(&self, latch: &Arc<Latch>) -> Option<Box<dyn std::any::Any + Send>> {
        while let Some((job, latch, slot)) = self.take_queued(latch) {
            Self::finish(job, &latch);
            drop(slot);
        }
        let mut l = latch.state.lock().unwrap_or_else(|e| e.into_inner());
        while l.0 > 0 {
            l = latch.done.wait(l).unwrap_or_else(|e| e.into_inner());
        }
        l.1.take()
    }

    /// Queues `job` and wakes (or starts) a thread for it.
    fn push(&'static self, st: &mut PoolState, job: Queued) {
        st.jobs.push_back(job);
        self.queued.fetch_add(1, Ordering::AcqRel);
        if st.idle < st.jobs.len() {
            self.start_thread(st);
        }
        self.wake.notify_all();
    }

    /// Starts a pool thread, counted idle from the start (so the next job
    /// does not start another while this one is starting).
    fn start_thread(&'static self, st: &mut PoolState) {
        st.idle += 1;
        let spawned = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || self.serve());
        if spawned.is_err() {
            st.idle -= 1;
        }
    }

    /// A queued job of `latch`'s batch, taken off the queue.
    fn take_queued(&self, latch: &Arc<Latch>) -> Option<Queued> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let i = st.jobs.iter().position(|(_, l, _)| Arc::ptr_eq(l, latch))?;
        self.queued.fetch_sub(1, Ordering::AcqRel);
        st.jobs.remove(i)
    }

    /// Runs `job` and counts it done on `latch`.
    fn finish(job: Job, latch: &Latch) {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job.0));
        let mut l = latch.state.lock().unwrap_or_else(|e| e.into_inner());
        l.0 -= 1;
        if let Err(p) = out {
            l.1.get_or_insert(p);
        }
        latch.done.notify_all();
    }

    /// A pool thread's loop: take the next job, polling a while before
    /// sleeping (all along while a [`Warm`] lives).
    fn serve(&'static self) {
        let fresh = crate::build::ThreadContext::capture();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some((job, latch, slot)) = st.jobs.pop_front() {
                self.queued.fetch_sub(1, Ordering::AcqRel);
                st.idle -= 1;
                drop(st);
                Self::finish(job, &latch);
                drop(slot);
                drop(latch);
                fresh.install();
                st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                st.idle += 1;
                drop(st);
                self.poll(POLL);
                st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            // One poller per spare core at most: more would take cores
            // from threads with work.
            if WARM.load(Ordering::Acquire) > 0 && self.start_polling() {
                drop(st);
                self.poll(std::time::Duration::ZERO);
                self.polling.fetch_sub(1, Ordering::AcqRel);
                st = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Counts this thread among the pollers if there is room for one more:
    /// one per core no thread with work holds (see [`WorkerSlot`]).
    fn start_polling(&self) -> bool {
        let free = usize::try_from(spare_workers().load(Ordering::Acquire)).unwrap_or(0);
        let room = self
            .polling
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < free).then_some(n + 1)
            });
        room.is_ok()
    }

    /// Waits for a job to be queued, yielding the core meanwhile, for up to
    /// `at_most` or, while a [`Warm`] lives, until none does.
    fn poll(&self, at_most: std::time::Duration) {
        let start = std::time::Instant::now();
        let mut yielded = start;
        // Polling while warm stops once every core has a thread with work.
        let warm =
            || WARM.load(Ordering::Acquire) > 0 && spare_workers().load(Ordering::Acquire) > 0;
        while self.queued.load(Ordering::Acquire) == 0 && (warm() || start.elapsed() < at_most) {
            // Yielding is a system call: only every few microseconds, which
            // is how long another thread on this core waits at most.
            if yielded.elapsed() >= YIELD_EVERY {
                std::thread::yield_now();
                yielded = std::time::Instant::now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// How often a polling worker yields its core (see [`Pool::poll`]).
const YIELD_EVERY: std::time::Duration = std::time::Duration::from_micros(20);

/// How many [`Warm`]s live.
static WARM: AtomicUsize = AtomicUsize::new(0);

/// While one lives, a worker thread per spare core is started and, between
/// jobs, polls for the next one instead of sleeping: on a VM, waking a
/// sleeping thread (or starting one) can take milliseconds while its core
/// is woken, longer than much of a build's split work. For a command that
/// builds one directory and exits; the idle workers use their cores
/// meanwhile. Not for several builds side by side: a polling worker counts
/// as busy, so the scheduler leaves a thread with work waiting behind
/// another rather than move it to the poller's core (three overlays in one
/// run took 121 ms with polling workers, 88 ms without).
pub struct Warm(());

impl Warm {
    /// Starts the workers and keeps them polling until the value is dropped.
    pub fn start() -> Warm {
        WARM.fetch_add(1, Ordering::AcqRel);
        let pool = Pool::get();
        let spare = usize::try_from(spare_workers().load(Ordering::Acquire)).unwrap_or(0);
        let mut st = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        while st.idle < spare {
            let before = st.idle;
            pool.start_thread(&mut st);
            if st.idle == before {
                break;
            }
        }
        Warm(())
    }
}

impl Drop for Warm {
    fn drop(&mut self) {
        WARM.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Jobs lent to the pool one at a time ([`Lent::spawn`]), each borrowing
/// for `'a`: dropping the value waits until all are done (running here
/// those no pool thread has taken yet), so none outlives its borrow.
pub(crate) struct Lent<'a> {
    latch: Arc<Latch>,
    _borrows: std::marker::PhantomData<&'a (dyn Fn() + Sync)>,
}

impl<'a> Lent<'a> {
    /// No jobs yet.
    pub(crate) fn new() -> Self {
        Lent {
            latch: Arc::new(Latch::default()),
            _borrows: std::marker::PhantomData,
        }
    }

    /// Runs `job` on a pool thread, which holds `slot` until it is done. A
    /// panic in `job` is caught and dropped: a job reports its own failures.
    pub(crate) fn spawn(&self, slot: WorkerSlot, job: &'a (dyn Fn() + Sync)) {
        // SAFETY: `drop` drains `latch` before the borrow `'a` can end.
        let erased = unsafe { Job::erase(job) };
        if let Ok(mut l) = self.latch.state.lock() {
            l.0 += 1;
        }
        let pool = Pool::get();
        let mut st = pool.state.lock().unwrap_or_else(|e| e.into_inner());
        pool.push(&mut st, (erased, self.latch.clone(), Some(slot)));
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        // A job's panic is dropped (see `spawn`).
        let _ = Pool::get().drain(&self.latch);
    }
}

/// `f` on every item, split over spare workers as [`map_parts`] does;
/// results in item order.
pub(crate) fn map_each<T, R, F>(items: &mut [T], min_len: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(&mut T) -> R + Sync,
{
    map_parts(items, min_len, |_, part| {
        part.iter_mut().map(&f).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_in_order_with_their_offsets() {
        let mut items: Vec<usize> = (0..1000).collect();
        let parts = map_parts(&mut items, 10, |offset, part| {
            for (i, x) in part.iter_mut().enumerate() {
                assert_eq!(*x, offset + i);
                *x *= 2;
            }
            (offset, part.len())
        });
        let mut next = 0;
        for (offset, len) in parts {
            assert_eq!(offset, next);
            next += len;
        }
        assert_eq!(next, 1000);
        assert!(items.iter().enumerate().all(|(i, x)| *x == 2 * i));
    }

    #[test]
    fn small_inputs_stay_on_this_thread() {
        let here = std::thread::current().id();
        let mut items = vec![1, 2, 3];
        let ids = map_each(&mut items, 4, |_| std::thread::current().id());
        assert!(ids.iter().all(|id| *id == here));
        let mut none: Vec<u8> = Vec::new();
        assert_eq!(map_parts(&mut none, 0, |_, p| p.len()), vec![0]);
    }

    #[test]
    fn a_panic_in_a_part_reaches_the_caller_and_the_pool_goes_on() {
        for _ in 0..3 {
            let caught = std::panic::catch_unwind(|| {
                let mut items: Vec<u32> = (0..64).collect();
                map_each(&mut items, 1, |x| assert!(*x != 40, "part panicked"))
            });
            assert!(caught.is_err());
            let mut items: Vec<u32> = (0..64).collect();
            let out = map_each(&mut items, 1, |x| *x * 3);
            assert_eq!(out, (0..64).map(|x| x * 3).collect::<Vec<u32>>());
        }
    }

    #[test]
    fn every_item_is_mapped_once() {
        let mut items: Vec<u32> = (0..100).collect();
        let out = map_each(&mut items, 1, |x| *x + 1);
        assert_eq!(out, (1..101).collect::<Vec<u32>>());
    }

    #[test]
    fn lent_jobs_are_all_done_when_the_lent_value_is_dropped() {
        use std::sync::atomic::AtomicU32;
        let done = AtomicU32::new(0);
        let job = || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            done.fetch_add(1, Ordering::AcqRel);
        };
        let mut spawned = 0;
        {
            let lent = Lent::new();
            // With or without a spare core: jobs no pool thread took run on
            // this thread when `lent` is dropped.
            for _ in 0..3 {
                if let Some(slot) = WorkerSlot::take() {
                    lent.spawn(slot, &job);
                    spawned += 1;
                }
            }
            // One more than the cores: a slot claimed beyond them.
            lent.spawn(WorkerSlot::take_extra(), &job);
            spawned += 1;
        }
        assert_eq!(done.load(Ordering::Acquire), spawned);
    }

    #[test]
    fn warm_workers_take_jobs_and_sleep_again_after() {
        let warm = Warm::start();
        assert!(WARM.load(Ordering::Acquire) >= 1);
        let mut items: Vec<u32> = (0..256).collect();
        let out = map_each(&mut items, 1, |x| *x + 7);
        assert_eq!(out, (7..263).collect::<Vec<u32>>());
        drop(warm);
        let mut items: Vec<u32> = (0..256).collect();
        let out = map_each(&mut items, 1, |x| *x * 2);
        assert_eq!(out, (0..256).map(|x| x * 2).collect::<Vec<u32>>());
    }
}
