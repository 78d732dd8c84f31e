//! The page cache (mm/filemap.c): one frame per file page read, shared by every process that
//! maps the page, kept after they unmap it until `drop_caches`.

use super::frames::{FrameUse, FRAME_SIZE};
use super::system::System;
use super::VmError;

impl System {
    /// The page-cache frame of the file page at `offset` (page aligned) of file `file`; on a miss
    /// the page is read from the file and `Some(bytes read)` returned with it.
    pub(super) fn cache_page(
        &mut self,
        file: usize,
        offset: u64,
    ) -> Result<(u64, Option<u64>), VmError> {
        if let Some(&f) = self.cache.get(&(file, offset)) {
            return Ok((f, None));
        }
        let f = self.alloc_page(FrameUse::PageCache, &[])?;
        let n = self.fill_from_file(f, file, offset, FRAME_SIZE);
        self.cache.insert((file, offset), f);
        Ok((f, Some(n)))
    }

    /// Copies up to `n` bytes of file `file` at `offset` to the start of frame `frame` (the rest
    /// stays zero); returns the bytes copied (fewer past the end of the file).
    pub(super) fn fill_from_file(&mut self, frame: u64, file: usize, offset: u64, n: u64) -> u64 {
        let Some(img) = self.files.get(file) else {
            return 0;
        };
        let len = img.bytes.len();
        let lo = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
        let hi = usize::try_from(offset.saturating_add(n.min(FRAME_SIZE)))
            .unwrap_or(usize::MAX)
            .min(len);
        let chunk = img
            .bytes
            .get(lo..hi)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        if let Some(dst) = self
            .frames
            .bytes_mut(frame)
            .and_then(|b| b.get_mut(..chunk.len()))
        {
            dst.copy_from_slice(&chunk);
        }
        chunk.len() as u64
    }

    /// Pages in the page cache: (file index, file offset, frame).
    pub fn page_cache(&self) -> Vec<(usize, u64, u64)> {
        self.cache.iter().map(|(&(f, o), &fr)| (f, o, fr)).collect()
    }

    /// `echo 1 > /proc/sys/vm/drop_caches`: frees the cached pages no process maps; returns
    /// how many.
    pub fn drop_caches(&mut self) -> u64 {
        let unused: Vec<(usize, u64)> = self
            .cache
            .iter()
            .filter(|(_, &f)| self.frames.info(f).is_some_and(|(_, r)| r == 1))
            .map(|(&k, _)| k)
            .collect();
        for k in &unused {
            if let Some(f) = self.cache.remove(k) {
                self.frames.put(f);
            }
        }
        unused.len() as u64
    }
}
