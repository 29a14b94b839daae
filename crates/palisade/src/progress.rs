//! A progress line on standard error for slow steps (rendering charts and overlays): silent
//! for the first second, so quick runs print nothing, and only on a terminal, so logs and pipes
//! stay clean.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a step runs before its progress is shown.
const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(200);

/// Counts finished items of a step and redraws `label done/total` until dropped.
pub struct Progress {
    done: Arc<AtomicUsize>,
    stop: Option<Sender<()>>,
    drawer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Progress of `total` items on standard error, when it is a terminal.
    pub fn stderr(label: &'static str, total: usize) -> Progress {
        if total == 0 || !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        Progress::to(label, total, DELAY, Box::new(std::io::stderr()))
    }

    /// A progress that shows nothing.
    pub fn hidden() -> Progress {
        Progress {
            done: Arc::default(),
            stop: None,
            drawer: None,
        }
    }

    /// Progress drawn to `out` after `delay`.
    fn to(
        label: &'static str,
        total: usize,
        delay: Duration,
        out: Box<dyn Write + Send>,
    ) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&done);
        let line = move || format!("{label} {}/{total}", counter.load(Ordering::Relaxed));
        Progress::drawn(done, Box::new(line), delay, out)
    }

    /// A line that `line` writes afresh at every redraw, on standard error when it is a
    /// terminal (a live scan's resources and objects listed).
    pub fn line_stderr(line: impl Fn() -> String + Send + 'static) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        Progress::drawn(
            Arc::default(),
            Box::new(line),
            DELAY,
            Box::new(std::io::stderr()),
        )
    }

    fn drawn(
        done: Arc<AtomicUsize>,
        line: Box<dyn Fn() -> String + Send>,
        delay: Duration,
        mut out: Box<dyn Write + Send>,
    ) -> Progress {
        let (stop, stopped) = mpsc::channel::<()>();
        let drawer = std::thread::spawn(move || {
            if !matches!(stopped.recv_timeout(delay), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            loop {
                // `\r` and erase-line: the line is redrawn in place, then erased at the end.
                let _ = write!(out, "\r\x1b[2K{}", line());
                let _ = out.flush();
                if !matches!(stopped.recv_timeout(TICK), Err(RecvTimeoutError::Timeout)) {
                    let _ = write!(out, "\r\x1b[2K");
                    let _ = out.flush();
                    return;
                }
            }
        });
        Progress {
            done,
            stop: Some(stop),
            drawer: Some(drawer),
        }
    }

    /// One more item finished.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The scan pipeline's progress, drawn on standard error.
    pub fn for_stderr() -> palisade_scan::Progress {
        palisade_scan::Progress::new(|label, total| Box::new(Progress::stderr(label, total)))
    }
}

impl palisade_scan::Tick for Progress {
    fn tick(&self) {
        Progress::tick(self);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Closing the channel wakes the drawer, which erases its line and ends.
        drop(self.stop.take());
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn text(out: &Shared) -> String {
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn draws_counts_then_erases_its_line() {
        let out = Shared::default();
        let p = Progress::to("rendering", 3, Duration::ZERO, Box::new(out.clone()));
        p.tick();
        p.tick();
        // Wait for a redraw that shows both ticks (the drawer redraws every TICK).
        for _ in 0..50 {
            if text(&out).contains("rendering 2/3") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(p);
        let shown = text(&out);
        assert!(shown.contains("\r\x1b[2Krendering 2/3"), "{shown:?}");
        assert!(shown.ends_with("\r\x1b[2K"), "{shown:?}");
    }

    #[test]
    fn quick_steps_print_nothing() {
        let out = Shared::default();
        let p = Progress::to(
            "rendering",
            3,
            Duration::from_secs(3600),
            Box::new(out.clone()),
        );
        p.tick();
        drop(p);
        assert_eq!(text(&out), "");
    }
}
