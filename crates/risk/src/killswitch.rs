//! The kill switch: an out-of-band way for an operator to stop all trading.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Consulted by the gateway at every event; `true` halts trading.
pub trait KillSwitch: Send + Sync {
    fn is_engaged(&self) -> bool;
}

/// Engaged while a file exists (`touch` it to halt). This is the one piece of
/// I/O in the crate: a `stat` per event, kept out of the pure core behind the trait.
#[derive(Debug, Clone)]
pub struct FileKillSwitch {
    path: PathBuf,
}

impl FileKillSwitch {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KillSwitch for FileKillSwitch {
    fn is_engaged(&self) -> bool {
        // An unreadable parent directory reads as "not there"; `try_exists` would
        // surface it, but halting on a permissions glitch is not this switch's job.
        self.path.exists()
    }
}

/// An in-memory switch (cheap clone sharing one flag), for tests and for
/// embedding applications that wire their own control channel.
#[derive(Debug, Clone, Default)]
pub struct ManualKillSwitch {
    engaged: Arc<AtomicBool>,
}

impl ManualKillSwitch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn engage(&self) {
        self.engaged.store(true, Ordering::SeqCst);
    }

    pub fn release(&self) {
        self.engaged.store(false, Ordering::SeqCst);
    }
}

impl KillSwitch for ManualKillSwitch {
    fn is_engaged(&self) -> bool {
        self.engaged.load(Ordering::SeqCst)
    }
}

/// A switch that is never engaged (no kill-switch path configured).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKillSwitch;

impl KillSwitch for NoKillSwitch {
    fn is_engaged(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_switch_follows_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("KILL");
        let k = FileKillSwitch::new(&path);
        assert!(!k.is_engaged());
        std::fs::write(&path, b"").unwrap();
        assert!(k.is_engaged());
        std::fs::remove_file(&path).unwrap();
        assert!(!k.is_engaged());
    }

    #[test]
    fn manual_switch_clones_share_state() {
        let a = ManualKillSwitch::new();
        let b = a.clone();
        a.engage();
        assert!(b.is_engaged());
        b.release();
        assert!(!a.is_engaged());
        assert!(!NoKillSwitch.is_engaged());
    }
}
