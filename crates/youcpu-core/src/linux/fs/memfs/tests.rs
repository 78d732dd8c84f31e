//! Unit tests of the in-memory file system.
#![allow(clippy::unwrap_used)] // tests may unwrap

use super::*;
use crate::linux::fs::vfs::Vfs;

#[test]
fn create_lookup_write_unlink() {
    let mut fs = MemFs::new();
    let tmp = fs.resolve(ROOT, b"/tmp/").unwrap();
    let f = fs.create(tmp, b"a", 0o644).unwrap();
    assert_eq!(fs.resolve(ROOT, b"//tmp/./a").unwrap(), f);
    assert_eq!(fs.resolve(tmp, b"../tmp/a").unwrap(), f);
    assert_eq!(fs.resolve(ROOT, b"/tmp/a/"), Err(Errno::Enotdir));
    assert_eq!(fs.resolve(ROOT, b"/tmp/a/b"), Err(Errno::Enotdir));
    assert_eq!(fs.resolve(ROOT, b""), Err(Errno::Enoent));
    fs.write(f, 3, b"xy").unwrap();
    assert_eq!(fs.read(f, 0, 10).unwrap(), b"\0\0\0xy");
    fs.opened(f, true);
    fs.remove(tmp, b"a", false).unwrap();
    assert_eq!(fs.read(f, 3, 1).unwrap(), b"x");
    fs.opened(f, false);
    assert!(fs.get(f).is_none());
    assert_eq!(fs.bytes, 0);
    assert_eq!(fs.path_of(tmp).unwrap(), b"/tmp");
    assert_eq!(fs.remove(ROOT, b"tmp", false), Err(Errno::Eisdir));
    assert_eq!(fs.remove(ROOT, b"dev", true), Err(Errno::Enotempty));
}

#[test]
fn hard_links_modes_owners_and_times_are_recorded() {
    let mut fs = MemFs::new();
    let tmp = fs.resolve(ROOT, b"/tmp").unwrap();
    let f = fs.create(tmp, b"f", 0o644).unwrap();
    fs.write(f, 0, b"data").unwrap();
    Vfs::link(&mut fs, (ROOT, b"/tmp/f"), (tmp, b"g"), false).unwrap();
    assert_eq!(fs.resolve(ROOT, b"/tmp/g").unwrap(), f);
    assert_eq!(fs.stat_ino(f, (1, 1)).unwrap().nlink, 2);
    assert_eq!(
        Vfs::link(&mut fs, (ROOT, b"/tmp/f"), (ROOT, b"/tmp/g"), false),
        Err(Errno::Eexist)
    );
    assert_eq!(
        Vfs::link(&mut fs, (ROOT, b"/tmp"), (ROOT, b"/t2"), false),
        Err(Errno::Eperm)
    );
    assert_eq!(
        Vfs::link(&mut fs, (ROOT, b"/nothing"), (ROOT, b"/t3"), false),
        Err(Errno::Enoent)
    );
    Vfs::chmod(&mut fs, ROOT, b"/tmp/g", 0o4600).unwrap();
    Vfs::chown(&mut fs, ROOT, b"/tmp/f", (Some(7), None), true).unwrap();
    Vfs::utimens(
        &mut fs,
        ROOT,
        b"/tmp/f",
        [FileTime::Omit, FileTime::At(1_234_567_890, 5)],
        true,
    )
    .unwrap();
    let st = fs.stat_ino(f, (1000, 100)).unwrap();
    assert_eq!(st.mode & 0o7777, 0o4600);
    assert_eq!((st.uid, st.gid), (7, 100));
    assert_eq!((st.atime, st.mtime), ((0, 0), (1_234_567_890, 5)));
    // A symbolic link (EEXIST when the name is taken), followed by stat and open, not by
    // lstat; a loop is ELOOP.
    assert_eq!(Vfs::symlink(&mut fs, b"f", tmp, b"l"), Ok(()));
    assert_eq!(Vfs::symlink(&mut fs, b"f", tmp, b"f"), Err(Errno::Eexist));
    assert_eq!(fs.resolve(tmp, b"l"), Ok(f));
    assert_eq!(Vfs::readlink(&mut fs, tmp, b"l"), Ok(b"f".to_vec()));
    let l = fs.resolve_nofollow(tmp, b"l").unwrap();
    assert_eq!(fs.stat_ino(l, (0, 0)).unwrap().mode, 0o120777);
    Vfs::symlink(&mut fs, b"loop", tmp, b"loop").unwrap();
    assert_eq!(fs.resolve(tmp, b"loop"), Err(Errno::Eloop));
    assert_eq!(fs.resolve(tmp, b"loop/x"), Err(Errno::Eloop));
    // The data lives while a name is left.
    fs.remove(tmp, b"f", false).unwrap();
    assert_eq!(fs.read(f, 0, 4).unwrap(), b"data");
    assert_eq!(fs.stat_ino(f, (1, 1)).unwrap().nlink, 1);
    fs.remove(tmp, b"g", false).unwrap();
    assert!(fs.get(f).is_none());
}
