//! Unit tests of the host file system: confinement, the execve model's view, limits.
#![allow(clippy::unwrap_used)] // tests may unwrap

use super::*;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("youcpu-hostfs-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("root/dir")).unwrap();
    std::fs::write(d.join("root/dir/f"), "inside").unwrap();
    std::fs::write(d.join("secret"), "outside").unwrap();
    d
}

#[test]
fn paths_resolve_inside_the_root() {
    let d = scratch("walk");
    let root = d.join("root");
    std::os::unix::fs::symlink("../../../secret", root.join("up")).unwrap();
    std::os::unix::fs::symlink(d.join("secret"), root.join("abs")).unwrap();
    std::os::unix::fs::symlink("dir", root.join("d")).unwrap();
    std::os::unix::fs::symlink("self", root.join("self")).unwrap();
    let mut fs = HostFs::new(&root).unwrap();
    let walked = |fs: &HostFs, p: &[u8]| fs.walk(0, p, true).map(|w| join(&w.parts));
    assert_eq!(walked(&fs, b"/../../dir/./f"), Ok(b"/dir/f".to_vec()));
    assert_eq!(walked(&fs, b"d/f"), Ok(b"/dir/f".to_vec()));
    // Links out land inside the root, where nothing of that name exists.
    assert_eq!(walked(&fs, b"up"), Ok(b"/secret".to_vec()));
    assert!(fs.walk(0, b"up", true).unwrap().last.is_none());
    assert_eq!(fs.open(0, b"abs", 0, 0).err(), Some(Errno::Enoent));
    assert_eq!(fs.open(0, b"self", 0, 0).err(), Some(Errno::Eloop));
    assert_eq!(fs.open(0, b"dir/f/", 0, 0).err(), Some(Errno::Enotdir));
    assert_eq!(fs.open(0, b"", 0, 0).err(), Some(Errno::Enoent));
    assert_eq!(
        fs.open(0, &[b'a'; 300], 0, 0).err(),
        Some(Errno::Enametoolong)
    );
    // O_NOFOLLOW on a link: ELOOP; readlink shows the host's text.
    assert_eq!(
        fs.open(0, b"d", oflags::O_NOFOLLOW, 0).err(),
        Some(Errno::Eloop)
    );
    assert_eq!(fs.readlink(0, b"d"), Ok(b"dir".to_vec()));
    let n = fs.dir_node(0, b"d/..").unwrap();
    assert_eq!(fs.path_of(n), Some(b"/".to_vec()));
    let n = fs.dir_node(0, b"d").unwrap();
    assert_eq!(fs.path_of(n), Some(b"/dir".to_vec()));
    let o = fs.open(n, b"f", 0, 0).unwrap();
    assert_eq!(fs.read(o.node, 0, 100), Ok(b"inside".to_vec()));
    fs.close(o.node);
    assert_eq!(std::fs::read(d.join("secret")).unwrap(), b"outside");
}

#[test]
fn the_execve_model_sees_the_confined_tree() {
    use crate::exec::fs::{FileKind, FileSystem, FsError};
    let d = scratch("exec");
    let root = d.join("root");
    std::os::unix::fs::symlink("dir/f", root.join("link")).unwrap();
    std::os::unix::fs::symlink(d.join("secret"), root.join("out")).unwrap();
    let mut fs = HostFs::new(&root).unwrap();
    {
        let view = super::super::vfs::ExecView::new(&mut fs, (0, 0));
        assert_eq!(
            view.lstat(b"/dir/f").map(|m| (m.kind, m.size)),
            Ok((FileKind::Regular, 6))
        );
        assert_eq!(view.lstat(b"/link").map(|m| m.kind), Ok(FileKind::Symlink));
        assert_eq!(view.read_link(b"/link"), Ok(b"dir/f".to_vec()));
        assert_eq!(view.read_at(b"/link", 2, 10), Ok(b"side".to_vec()));
        assert_eq!(view.read_at(b"/out", 0, 10), Err(FsError::NotFound));
        assert_eq!(view.lstat(b"/../../secret"), Err(FsError::NotFound));
    }
    assert_eq!(fs.open_files(), 0);
    let o = fs.open(0, b"/dir/f", 0, 0).unwrap();
    assert_eq!(Vfs::node_path(&fs, o.node), Some(b"/dir/f".to_vec()));
}

#[test]
fn host_files_are_bounded_and_closed() {
    let d = scratch("limit");
    let mut fs = HostFs::new(&d.join("root")).unwrap();
    let mut nodes = Vec::new();
    loop {
        match fs.open(0, b"/dir/f", 0, 0) {
            Ok(o) => nodes.push(o.node),
            Err(e) => {
                assert_eq!(e, Errno::Enfile);
                break;
            }
        }
    }
    assert_eq!(nodes.len(), MAX_HOST_FILES);
    assert_eq!(fs.open_files(), MAX_HOST_FILES);
    for n in nodes {
        fs.close(n);
    }
    assert_eq!(fs.open_files(), 0);
    assert!(fs
        .nodes
        .iter()
        .flatten()
        .all(|n| matches!(n, Node::Dir { .. })));
    assert!(fs.open(0, b"/dir/f", 0, 0).is_ok());
}
