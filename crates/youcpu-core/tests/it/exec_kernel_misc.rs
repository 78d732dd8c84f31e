//! binfmt_misc against the real kernel: registration strings accepted or refused exactly as
//! `create_entry` does (and the status text it shows), then matching and argv rewriting with
//! the flags. The tests run in a private user and mount namespace with their own instance of
//! binfmt_misc (namespaced since Linux 6.7), so the host's table is never touched: the
//! `#[ignore]`d tests below are run there by `in_a_private_namespace`, and refuse to run
//! anywhere else. Every entry is removed again (also on failure), and every magic carries a
//! token unique to this test run.

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{kernel, model_req, request, tools, Case, Scratch, Seen};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use youcpu_core::exec::misc::{parse_registration, MiscRegistry};
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::register;
use youcpu_core::linux::fs::vfs::ExecView;
use youcpu_testkit::process::Run;

const DIR: &str = "/proc/sys/fs/binfmt_misc";

/// Registrations are global: the tests of this file take turns.
static LOCK: Mutex<()> = Mutex::new(());

/// Mounts this namespace's own binfmt_misc over `DIR` (the host's instance, visible in the
/// copied mount tree, belongs to the host's user namespace and refuses our writes).
fn available() -> bool {
    assert!(
        youcpu_testkit::oracle::inside_private_namespace(),
        "this test registers binfmt_misc entries: it runs only inside the private namespace \
         that `in_a_private_namespace` makes"
    );
    // Once per process: the tests share the namespace and its one instance.
    static MOUNTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let mounted = *MOUNTED.get_or_init(|| {
        std::process::Command::new("mount")
            .args(["-t", "binfmt_misc", "binfmt_misc", DIR])
            .run_status()
            .is_ok_and(|s| s.success())
    });
    if !mounted {
        youcpu_testkit::oracle::missing(&format!(
            "binfmt_misc cannot be mounted in a user namespace here (Linux 6.7 or later needed; \
             this is {})",
            std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
        ));
        return false;
    }
    match std::fs::read_to_string(Path::new(DIR).join("status")) {
        Ok(s) if s.trim() == "enabled" => true,
        other => panic!("a fresh binfmt_misc instance should be enabled: {other:?}"),
    }
}

/// Runs the two tests below in a private namespace.
#[test]
fn in_a_private_namespace() {
    youcpu_testkit::oracle::in_private_namespace("exec_kernel_misc::namespaced_");
}

/// Entries registered by this test; removed on drop.
struct Registered {
    names: Vec<Vec<u8>>,
}

impl Registered {
    fn new() -> Self {
        Registered { names: Vec::new() }
    }

    /// Writes a registration; Ok or the errno number.
    fn write(&mut self, bytes: &[u8]) -> Result<(), i32> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(Path::new(DIR).join("register"))
            .unwrap();
        match f.write(bytes) {
            Ok(n) => {
                assert_eq!(n, bytes.len(), "a registration is taken whole");
                if let Ok(e) = parse_registration(bytes) {
                    self.names.push(e.name);
                } else {
                    // The kernel took a string the model refuses: find its name to remove it.
                    let del = bytes[0];
                    let name: Vec<u8> = bytes[1..]
                        .iter()
                        .take_while(|&&c| c != del)
                        .copied()
                        .collect();
                    self.names.push(name);
                }
                Ok(())
            }
            Err(e) => Err(e.raw_os_error().unwrap_or(-1)),
        }
    }

    fn entry_path(name: &[u8]) -> PathBuf {
        Path::new(DIR).join(std::ffi::OsStr::from_bytes(name))
    }

    fn status(&self, name: &[u8]) -> String {
        std::fs::read_to_string(Self::entry_path(name)).unwrap()
    }

    fn set(&self, name: &[u8], what: &str) {
        std::fs::write(Self::entry_path(name), what).unwrap();
    }

    fn remove(&mut self, name: &[u8]) {
        let _ = std::fs::write(Self::entry_path(name), "-1");
        self.names.retain(|n| n != name);
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        for n in std::mem::take(&mut self.names) {
            let _ = std::fs::write(Self::entry_path(&n), "-1");
        }
    }
}

fn token(tag: &str) -> String {
    format!("Yc{tag}{:x}", std::process::id())
}

#[test]
#[ignore = "registers binfmt_misc entries: run by in_a_private_namespace"]
fn namespaced_registration_strings_accepted_and_refused_as_the_kernel_does() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !available() {
        return;
    }
    let rec = tools().recorder.to_str().unwrap().to_string();
    let tok = token("R");
    let tl = tok.len();
    let ff = "\\xff".repeat(tl);
    let pid = std::process::id();
    let ext = format!("ycxe{pid:x}");
    let mut templates: Vec<String> = vec![
        ":N:M::T::I:".into(),
        ":N:M::T::I:\n".into(),
        ":N:M::T::I:\n\n".into(),
        ":N:M:0:T::I:".into(),
        ":N:M:5:T::I:".into(),
        ":N:M:+5:T::I:".into(),
        ":N:M:-0:T::I:".into(),
        ":N:M:-1:T::I:".into(),
        ":N:M:5\n:T::I:".into(),
        ":N:M:0x5:T::I:".into(),
        ":N:M: 5:T::I:".into(),
        ":N:M:5 :T::I:".into(),
        ":N:M:2147483647:T::I:".into(),
        ":N:M:2147483648:T::I:".into(),
        ":N:M:-2147483648:T::I:".into(),
        format!(":N:M:{}:T::I:", 256 - tl),
        format!(":N:M:{}:T::I:", 257 - tl),
        ":N:M::\\x59T::I:".into(),
        ":N:M::T\\x5::I:".into(),
        ":N:M::T\\x::I:".into(),
        ":N:M::T\\xZZ::I:".into(),
        ":N:M::T\\xg0::I:".into(),
        ":N:M::T\\\\x41::I:".into(),
        ":N:M::T\\q::I:".into(),
        ":N:M::T\\::I:".into(),
        format!(":N:M::T:{ff}:I:"),
        format!(":N:M::T:{}:I:", "\\xff".repeat(tl - 1)),
        format!(":N:M::T:{}:I:", "\\xff".repeat(tl + 1)),
        format!(":N:M::T:{}:I:", "A".repeat(tl)),
        format!(":N:M::T:{}\\x00:I:", "\\xff".repeat(tl - 1)),
        format!(":N:M::T:{}\\xZ0:I:", "\\xff".repeat(tl - 1)),
        format!(":N:M::T{}::I:", "\\x41".repeat(256 - tl)),
        format!(":N:M::T{}::I:", "\\x41".repeat(257 - tl)),
        format!(":N:E::{ext}::I:"),
        format!(":N:E:5:{ext}::I:"),
        format!(":N:E:junk:{ext}:mask:I:"),
        format!(":N:E::{ext}/x::I:"),
        ":N:E::::I:".into(),
        format!(":N:E::a.{ext}::I:"),
        format!(":N:E::{ext}::I"),
        format!(":N:E::{ext}:I:"),
        "::M::T::I:".into(),
        ":.:M::T::I:".into(),
        ":..:M::T::I:".into(),
        ":a/N:M::T::I:".into(),
        ":status:M::T::I:".into(),
        ":register:M::T::I:".into(),
        ":N with space:M::T::I:".into(),
        ":N:X::T::I:".into(),
        ":N:m::T::I:".into(),
        ":N:MM::T::I:".into(),
        ":N:M::::I:".into(),
        ":N:M::T:::".into(),
        ":N:M::T::I".into(),
        ":N:M::T::I::".into(),
        ":N:M::T::I:P".into(),
        ":N:M::T::I:O".into(),
        ":N:M::T::I:C".into(),
        ":N:M::T::I:F".into(),
        ":N:M::T::I:POCF".into(),
        ":N:M::T::I:PP\n".into(),
        ":N:M::T::I:CP".into(),
        ":N:M::T::I:Q".into(),
        ":N:M::T::I:p".into(),
        ":N:M::T::I: P".into(),
        ":N:M::T::I:P\nX".into(),
        ":N:M::T::/nonexistent-interpreter:F".into(),
        ":N:M::T::/:F".into(),
        ":N:M::T::/nonexistent-interpreter:".into(),
        "|N|M||T||I|".into(),
        ",N,M,,T,,I,P".into(),
        "xNxMxxTxxIx".into(),
        ":N:M::T::relative/interp:".into(),
        ":a:E::b::c".into(),
    ];
    // Lengths around MAX_REGISTER_LENGTH, padded in the ignored offset field of an 'E' entry.
    let base = format!(":N:E::{ext}::I:").replace('I', &rec);
    let name_len = format!("ycx{pid:x}r{}", templates.len()).len();
    for total in [1919usize, 1920, 1921] {
        // ":N:E:" + pad + ":" + ext + "::" + rec + ":"
        let fixed = base.len() - 1 + name_len;
        templates.push(format!(":N:E:{}:{ext}::{rec}:", "9".repeat(total - fixed)));
        assert_eq!(templates.last().unwrap().len() - 1 + name_len, total);
    }
    let mut reg = Registered::new();
    let fs = ExecView::host(std::path::Path::new("/")).expect("the host's files");
    let cwd = tools().dir.as_os_str().as_bytes().to_vec();
    let mut failures = Vec::new();
    let mut accepted = 0;
    let mut refused = std::collections::BTreeMap::new();
    for (i, t) in templates.iter().enumerate() {
        let name = format!("ycx{pid:x}r{i}");
        let s = t.replace('N', &name).replace('T', &tok).replace('I', &rec);
        // 'N', 'T', 'I' in the delimiter-'x' template are replaced too; that is fine.
        let bytes = s.as_bytes();
        let mut model_reg = MiscRegistry::default();
        let model = register(&mut model_reg, &fs, &cwd, &Cred::root(), bytes);
        let kernel = reg.write(bytes);
        match &kernel {
            Ok(()) => accepted += 1,
            Err(e) => *refused.entry(*e).or_insert(0) += 1,
        }
        if t.contains("99999") {
            // 1919 and 1920 bytes are taken, 1921 refused (MAX_REGISTER_LENGTH).
            assert_eq!(kernel.is_ok(), bytes.len() <= 1920, "{} bytes", bytes.len());
        }
        match (&model, &kernel) {
            (Ok(()), Ok(())) => {
                let e = &model_reg.entries[0];
                let text = reg.status(&e.name);
                if text != e.status_text() {
                    failures.push(format!(
                        "{s:?}: status text kernel {text:?} model {:?}",
                        e.status_text()
                    ));
                }
                let n = e.name.clone();
                reg.remove(&n);
            }
            (Err(m), Err(k)) if m.errno.number() == *k => {}
            _ => {
                failures.push(format!(
                    "{s:?} ({} bytes): kernel {kernel:?}, model {:?}",
                    bytes.len(),
                    model
                        .as_ref()
                        .map_err(|e| (e.errno.name(), e.reason.clone()))
                ));
                if kernel.is_ok() {
                    let n = reg.names.last().cloned().unwrap();
                    reg.remove(&n);
                }
            }
        }
    }
    eprintln!("{accepted} accepted, refused by errno: {refused:?}");
    assert!(
        failures.is_empty(),
        "{} of {} registrations differ:\n{}",
        failures.len(),
        templates.len(),
        failures.join("\n")
    );
    assert!(
        accepted > 20 && refused.get(&22).copied().unwrap_or(0) > 20,
        "both outcomes covered"
    );
}

/// Registers `regs` in the kernel and in a model registry, in order.
fn register_both(reg: &mut Registered, regs: &[String]) -> MiscRegistry {
    let fs = ExecView::host(std::path::Path::new("/")).expect("the host's files");
    let cwd = tools().dir.as_os_str().as_bytes().to_vec();
    let mut model = MiscRegistry::default();
    for r in regs {
        let k = reg.write(r.as_bytes());
        let m = register(&mut model, &fs, &cwd, &Cred::root(), r.as_bytes());
        assert!(
            k.is_ok() && m.is_ok(),
            "registration {r:?}: kernel {k:?} model {m:?}"
        );
    }
    model
}

fn check(what: &str, case: &Case, misc: &MiscRegistry, failures: &mut Vec<String>) -> Seen {
    let k = kernel(case);
    let mut req = request(case);
    req.misc = misc.clone();
    let m = model_req(&req);
    if k != m {
        failures.push(format!("{what}: kernel {k:?} model {m:?}"));
    }
    k
}

#[test]
#[ignore = "registers binfmt_misc entries: run by in_a_private_namespace"]
fn namespaced_matching_flags_and_argv() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !available() {
        return;
    }
    let dir = Scratch::new("misc");
    let rec = tools().recorder.to_str().unwrap().to_string();
    let pid = std::process::id();
    let mut reg = Registered::new();
    let mut failures = Vec::new();
    // One entry per flag set, each with its own magic.
    let flag_sets = ["", "P", "O", "C", "F", "PO", "POCF"];
    let mut regs = Vec::new();
    for (i, flags) in flag_sets.iter().enumerate() {
        regs.push(format!(
            ":ycx{pid:x}f{i}:M::{}::{rec}:{flags}",
            token(&format!("F{i}"))
        ));
    }
    // Offset and mask: the token at offset 3; the mask ignores bit 0x20 of its first byte.
    let mt = token("M");
    let mask = format!("\\xdf{}", "\\xff".repeat(mt.len() - 1));
    regs.push(format!(":ycx{pid:x}mask:M:3:{mt}:{mask}:{rec}:"));
    // Extension.
    let ext = format!("ycxe{pid:x}");
    regs.push(format!(":ycx{pid:x}ext:E::{ext}::{rec}:P"));
    // An entry whose interpreter is a script, and one whose interpreter is missing.
    let wrapper = dir.file("wrapper.sh", format!("#!{rec} -w\n").as_bytes(), 0o755);
    let wt = token("W");
    regs.push(format!(":ycx{pid:x}wrap:M::{wt}::{}:", wrapper.display()));
    let wo = token("WO");
    regs.push(format!(":ycx{pid:x}wrapo:M::{wo}::{}:O", wrapper.display()));
    let gone = token("G");
    regs.push(format!(
        ":ycx{pid:x}gone:M::{gone}::/nonexistent/ycx-interp:"
    ));
    let noexec = dir.file("noexec-interp", b"", 0o644);
    let ne = token("NE");
    regs.push(format!(":ycx{pid:x}noexec:M::{ne}::{}:", noexec.display()));
    // Two entries claiming the same files: the newer wins.
    let both = token("B");
    regs.push(format!(":ycx{pid:x}older:M::{both}::{rec}:"));
    regs.push(format!(":ycx{pid:x}newer:M::{both}::{rec}:P"));
    // A magic on a #! script: binfmt_misc is asked before binfmt_script.
    regs.push(format!(
        ":ycx{pid:x}bang:M:{}:{}::{rec}:P",
        2 + rec.len() + 1,
        token("S")
    ));
    // An extension entry whose interpreter matches another entry: two misc rewrites.
    let chain_ext = format!("ycxc{pid:x}");
    let chained = dir.file(
        &format!("interp.{chain_ext}"),
        token("F0").as_bytes(),
        0o755,
    );
    let _ = chained;
    // An entry whose interpreter is claimed by the same entry: rewrites until ELOOP.
    let loop_ext = format!("ycxl{pid:x}");
    let looping = dir.file(&format!("self.{loop_ext}"), b"data", 0o755);
    regs.push(format!(
        ":ycx{pid:x}loop:E::{loop_ext}::{}:",
        looping.display()
    ));
    regs.push(format!(
        ":ycx{pid:x}chain:E::{chain_ext}x::{}:",
        dir.path(&format!("interp.{chain_ext}")).display()
    ));
    let misc = register_both(&mut reg, &regs);

    let file = |name: &str, bytes: Vec<u8>| {
        dir.file(name, &bytes, 0o755)
            .as_os_str()
            .as_bytes()
            .to_vec()
    };
    let mut cases: Vec<(String, Case)> = Vec::new();
    for (i, flags) in flag_sets.iter().enumerate() {
        let p = file(
            &format!("f{i}"),
            format!("{}rest", token(&format!("F{i}"))).into_bytes(),
        );
        cases.push((format!("flags {flags:?}"), Case::new(&p, &[b"a", b"b"])));
        let mut c = Case::new(&p, &[b"a"]);
        c.argv0 = Some(b"zero".to_vec());
        cases.push((format!("flags {flags:?} custom argv0"), c));
        let mut c = Case::new(&p, &[]);
        c.empty_argv = true;
        cases.push((format!("flags {flags:?} empty argv"), c));
    }
    let mut bytes = b"abc".to_vec();
    bytes.extend_from_slice(mt.as_bytes());
    cases.push((
        "masked magic, exact".into(),
        Case::new(file("m1", bytes.clone()), &[]),
    ));
    bytes[3] ^= 0x20;
    cases.push((
        "masked magic, masked bit differs".into(),
        Case::new(file("m2", bytes.clone()), &[]),
    ));
    bytes[4] ^= 0x01;
    cases.push((
        "masked magic, unmasked bit differs".into(),
        Case::new(file("m3", bytes), &[]),
    ));
    let mut at0 = mt.as_bytes().to_vec();
    at0.extend_from_slice(b"...");
    cases.push((
        "magic at the wrong offset".into(),
        Case::new(file("m4", at0), &[]),
    ));
    let script_body = format!("#!{rec}\nbody\n").into_bytes();
    cases.push((
        "extension".into(),
        Case::new(file(&format!("prog.{ext}"), script_body.clone()), &[b"e"]),
    ));
    // A script whose interpreter is claimed by extension: binfmt_misc sees the interpreter's
    // name (bprm->interp), not the script's.
    let tool = file(&format!("tool.{ext}"), b"tool".to_vec());
    let mut via = b"#!".to_vec();
    via.extend_from_slice(&tool);
    via.extend_from_slice(b" -t\n");
    cases.push((
        "script then extension".into(),
        Case::new(file("via-tool.sh", via), &[b"v"]),
    ));
    cases.push((
        "dot file extension".into(),
        Case::new(file(&format!(".{ext}"), script_body.clone()), &[]),
    ));
    cases.push((
        "longer extension".into(),
        Case::new(file(&format!("prog.{ext}.bak"), script_body.clone()), &[]),
    ));
    let in_dotted_dir = format!("d.{ext}/prog");
    cases.push((
        "dot in a directory name".into(),
        Case::new(file(&in_dotted_dir, script_body.clone()), &[]),
    ));
    cases.push((
        "interpreter is a script".into(),
        Case::new(file("w1", wt.clone().into_bytes()), &[b"x"]),
    ));
    cases.push((
        "'O' entry, interpreter is a script".into(),
        Case::new(file("w2", wo.clone().into_bytes()), &[b"x"]),
    ));
    cases.push((
        "missing interpreter".into(),
        Case::new(file("g1", gone.clone().into_bytes()), &[]),
    ));
    cases.push((
        "interpreter not executable".into(),
        Case::new(file("ne1", ne.clone().into_bytes()), &[]),
    ));
    cases.push((
        "newest entry first".into(),
        Case::new(file("b1", both.clone().into_bytes()), &[b"n"]),
    ));
    let mut bang = format!("#!{rec}\n").into_bytes();
    bang.extend_from_slice(token("S").as_bytes());
    cases.push((
        "misc before script".into(),
        Case::new(file("bang1", bang), &[b"s"]),
    ));
    cases.push((
        "an interpreter that claims itself".into(),
        Case::new(looping.as_os_str().as_bytes(), &[b"l"]),
    ));
    cases.push((
        "two misc rewrites".into(),
        Case::new(
            file(&format!("chained.{chain_ext}x"), b"data".to_vec()),
            &[b"c"],
        ),
    ));
    let mut seen = std::collections::BTreeMap::new();
    for (what, case) in &cases {
        let k = check(what, case, &misc, &mut failures);
        seen.insert(what.clone(), k);
    }
    // The cases exercise what they say.
    assert_eq!(seen["'O' entry, interpreter is a script"], Seen::Errno(8));
    assert_eq!(seen["missing interpreter"], Seen::Errno(2));
    assert!(
        matches!(&seen["script then extension"], Seen::Ran { argv, flags: 1, .. } if argv.len() == 6)
    );
    assert_eq!(seen["an interpreter that claims itself"], Seen::Errno(40));
    assert_eq!(seen["interpreter not executable"], Seen::Errno(13));
    assert!(matches!(
        &seen["misc before script"],
        Seen::Ran { flags: 1, .. }
    ));
    assert!(matches!(
        &seen["newest entry first"],
        Seen::Ran { flags: 1, .. }
    ));
    assert!(matches!(
        &seen["flags \"O\""],
        Seen::Ran { execfd: true, .. }
    ));
    // A disabled entry claims nothing.
    let name = format!("ycx{pid:x}f1").into_bytes();
    reg.set(&name, "0");
    let mut misc_off = misc.clone();
    for e in &mut misc_off.entries {
        if e.name == name {
            e.enabled = false;
        }
    }
    let p = dir.path("f1").as_os_str().as_bytes().to_vec();
    check(
        "disabled entry",
        &Case::new(&p, &[b"d"]),
        &misc_off,
        &mut failures,
    );
    reg.set(&name, "1");
    check(
        "re-enabled entry",
        &Case::new(&p, &[b"d"]),
        &misc,
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len() + 2,
        failures.join("\n")
    );
}
