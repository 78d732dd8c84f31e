//! Pipes (fs/pipe.c): a bounded byte queue with counts of open read and write ends.

use serde::Serialize;
use std::collections::VecDeque;

/// A pipe's capacity: 16 pages, Linux's default (`PIPE_DEF_BUFFERS`).
pub const PIPE_SIZE: usize = 16 * 4096;

/// One pipe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pipe {
    /// Bytes written and not yet read.
    #[serde(skip)]
    pub buf: VecDeque<u8>,
    /// Open read ends.
    pub readers: u32,
    /// Open write ends.
    pub writers: u32,
}

/// Every pipe, by number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pipes {
    pipes: Vec<Option<Pipe>>,
}

impl Pipes {
    /// A new pipe with one read end and one write end open.
    pub fn create(&mut self) -> usize {
        let p = Pipe {
            buf: VecDeque::new(),
            readers: 1,
            writers: 1,
        };
        super::insert_slot(&mut self.pipes, p)
    }

    /// Pipe `i`.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Pipe> {
        self.pipes.get_mut(i).and_then(Option::as_mut)
    }

    /// Pipe `i`.
    pub fn get(&self, i: usize) -> Option<&Pipe> {
        self.pipes.get(i).and_then(Option::as_ref)
    }

    /// One end closed (`pipe_release`); the pipe goes when both are.
    pub fn close_end(&mut self, i: usize, writer: bool) {
        let Some(slot) = self.pipes.get_mut(i) else {
            return;
        };
        if let Some(p) = slot {
            if writer {
                p.writers = p.writers.saturating_sub(1);
            } else {
                p.readers = p.readers.saturating_sub(1);
            }
            if p.readers == 0 && p.writers == 0 {
                *slot = None;
            }
        }
    }
}
