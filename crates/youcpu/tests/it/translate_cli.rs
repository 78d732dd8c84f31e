//! `youcpu translate` end to end: x86-64 tables built by the CPU's MMU code and walked by its
//! walker, random formats against a reference walker written here, the teaching format, and
//! bad input (exit 1, one line, `{"error"}` with `--json`, never a panic).

#![allow(clippy::unwrap_used)] // tests may unwrap

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use youcpu_core::cpu::bus::{Access, PagingConfig};
use youcpu_core::mmu::paging::{map_page, walk, PageFlags};
use youcpu_core::mmu::phys::PhysMem;
use youcpu_testkit::process::Run;
use youcpu_testkit::rng::{Rng, XorShift64};

fn run(args: &[String]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .arg("translate")
        .args(args)
        .arg("--json")
        .run_output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("youcpu-translate-{}-{name}", std::process::id()));
    youcpu_testkit::process::write(&p, bytes).unwrap();
    p
}

#[test]
fn x86_tables_built_and_walked_by_the_mmu() {
    let mut mem = PhysMem::new(2 << 20);
    let root = mem.alloc_frame().unwrap();
    let mut rng = XorShift64(0x9e37_79b9_7f4a_7c15);
    let mut vas = Vec::new();
    for _ in 0..60 {
        let va = (rng.next() & 0x0000_7fff_ffff_f000) | rng.below(4096);
        let va = if rng.below(4) == 0 {
            va | 0xffff_8000_0000_0000
        } else {
            va
        };
        let frame = 1 + rng.below(0xf_ffff);
        let flags = PageFlags {
            write: rng.below(2) == 0,
            user: true,
            exec: rng.below(2) == 0,
        };
        map_page(&mut mem, root * 4096, false, va, frame, flags).unwrap();
        vas.push(va);
        // Neighbours that may or may not be mapped.
        vas.push(va ^ (1 << (12 + rng.below(36))));
    }
    vas.push(0x0000_8000_0000_0000); // non-canonical
    vas.push(0xffff_7fff_ffff_ffff); // non-canonical
    let mut bytes = vec![0u8; mem.limit() as usize];
    mem.read(0, &mut bytes);
    let file = temp("x86", &bytes);
    let mut a = args(&[
        "--memory",
        file.to_str().unwrap(),
        "--root-pfn",
        &root.to_string(),
    ]);
    a.extend(vas.iter().map(|v| format!("{v:#x}")));
    let (code, json, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    let out = json.as_array().unwrap();
    assert_eq!(out.len(), vas.len());
    let cfg = PagingConfig {
        enabled: true,
        cr3: root * 4096,
        la57: false,
        wp: false,
        nxe: true,
    };
    for (item, &va) in out.iter().zip(&vas) {
        assert_eq!(item["va"].as_u64(), Some(va));
        let mut steps = Vec::new();
        let t = walk(
            &mut mem.clone(),
            &cfg,
            va,
            Access::Read,
            false,
            Some(&mut steps),
        );
        match t {
            Ok(t) => assert_eq!(item["pa"].as_u64(), Some(t.paddr), "{va:#x}"),
            Err(youcpu_core::cpu::fault::Fault::PageFault { .. }) => {
                assert_eq!(item["fault"], "not-present", "{va:#x}");
                assert!(item.get("pa").is_none());
            }
            Err(_) => assert_eq!(item["fault"], "non-canonical", "{va:#x}"),
        }
        let walk = item["walk"].as_array().unwrap();
        assert_eq!(walk.len(), steps.len(), "{va:#x}");
        for (i, (j, s)) in walk.iter().zip(&steps).enumerate() {
            assert_eq!(j["level"].as_u64(), Some(i as u64));
            assert_eq!(j["index"].as_u64(), Some(u64::from(s.index)));
            assert_eq!(
                j["entry_addr"].as_u64(),
                Some(s.table + u64::from(s.index) * 8)
            );
            assert_eq!(j["entry"].as_u64(), Some(s.entry));
            assert_eq!(j["present"].as_bool(), Some(s.entry & 1 == 1));
            assert_eq!(j["pfn"].as_u64(), Some((s.entry >> 12) & ((1 << 40) - 1)));
        }
    }
    std::fs::remove_file(file).ok();
}

/// (index, entry_addr, entry, present, pfn) of one level.
type RefStep = (u64, u64, u64, bool, u64);

/// The reference: the contract's formulas, written out once more.
struct Fmt {
    levels: Vec<u32>,
    off: u32,
    pte: u64,
    present: u32,
    shift: u32,
    bits: u32,
}

fn reference(f: &Fmt, mem: &[u8], root: u64, va: u64) -> (Vec<RefStep>, Option<u64>) {
    let total: u32 = f.levels.iter().sum();
    let mut base = root << f.off;
    let mut used = 0;
    let mut out = Vec::new();
    for &b in &f.levels {
        used += b;
        let index = (va >> (f.off + total - used)) & ((1 << b) - 1);
        let ea = base + index * f.pte;
        let mut e = 0u64;
        for k in 0..f.pte {
            e |= u64::from(mem[(ea + k) as usize]) << (8 * k);
        }
        let present = e >> f.present & 1 == 1;
        let pfn = (e >> f.shift)
            & if f.bits == 64 {
                u64::MAX
            } else {
                (1 << f.bits) - 1
            };
        out.push((index, ea, e, present, pfn));
        if !present {
            return (out, None);
        }
        base = pfn << f.off;
    }
    (out, Some(base | (va & ((1 << f.off) - 1))))
}

#[test]
fn random_formats_agree_with_the_reference() {
    let mut rng = XorShift64(12345);
    for case in 0..40 {
        let n = 1 + rng.below(4) as usize;
        let levels: Vec<u32> = (0..n).map(|_| 1 + rng.below(6) as u32).collect();
        let pte = [1u64, 2, 4, 8][rng.below(4) as usize];
        let off = 3 + rng.below(6) as u32;
        let width = 8 * pte as u32;
        let present = rng.below(u64::from(width)) as u32;
        let shift = rng.below(u64::from(width)) as u32;
        let bits = 1 + rng.below(u64::from(width - shift).min(8)) as u32;
        let f = Fmt {
            levels,
            off,
            pte,
            present,
            shift,
            bits,
        };
        // Memory large enough for every table and entry the format can reach.
        let size = ((1u64 << bits) << off) as usize + (1 << 16) * pte as usize;
        let mut mem = vec![0u8; size];
        for b in mem.iter_mut() {
            *b = rng.below(256) as u8;
        }
        let root = rng.below(1 << bits);
        let file = temp(&format!("rand{case}"), &mem);
        let total: u32 = f.levels.iter().sum::<u32>() + off;
        let vas: Vec<u64> = (0..20).map(|_| rng.next() & ((1 << total) - 1)).collect();
        let lv: Vec<String> = f.levels.iter().map(|b| b.to_string()).collect();
        let mut a = args(&["--memory", file.to_str().unwrap()]);
        for (k, v) in [
            ("--levels", lv.join(",")),
            ("--offset-bits", off.to_string()),
            ("--pte-bytes", pte.to_string()),
            ("--present-bit", present.to_string()),
            ("--pfn-shift", shift.to_string()),
            ("--pfn-bits", bits.to_string()),
            ("--root-pfn", root.to_string()),
        ] {
            a.push(k.into());
            a.push(v);
        }
        a.extend(vas.iter().map(|v| v.to_string()));
        let (code, json, err) = run(&a);
        assert_eq!(code, 0, "{a:?}: {err}");
        for (item, &va) in json.as_array().unwrap().iter().zip(&vas) {
            let (steps, pa) = reference(&f, &mem, root, va);
            let walk = item["walk"].as_array().unwrap();
            assert_eq!(walk.len(), steps.len());
            for (j, s) in walk.iter().zip(&steps) {
                assert_eq!(
                    (
                        j["index"].as_u64(),
                        j["entry_addr"].as_u64(),
                        j["entry"].as_u64()
                    ),
                    (Some(s.0), Some(s.1), Some(s.2))
                );
                assert_eq!(
                    (j["present"].as_bool(), j["pfn"].as_u64()),
                    (Some(s.3), Some(s.4))
                );
            }
            match pa {
                Some(p) => assert_eq!(item["pa"].as_u64(), Some(p), "{a:?} {va}"),
                None => assert_eq!(item["fault"], "not-present"),
            }
        }
        std::fs::remove_file(file).ok();
    }
}

fn teaching_memory() -> Vec<u8> {
    // 15-bit VAs, 32-byte pages, levels 5,5, 1-byte entries (valid bit 7, frame in bits 0-6).
    let mut mem = vec![0u8; 128 * 32];
    mem[3 * 32 + 0b10110] = 0x80 | 9;
    mem[9 * 32 + 0b00011] = 0x80 | 0x55;
    mem[9 * 32 + 0b00100] = 0x55; // not valid
    mem[3 * 32 + 0b00001] = 0x80 | 0x7f; // a table at frame 127, the last one
    mem
}

fn teaching(vas: &[&str], mem: &[u8]) -> (i32, Value, String) {
    let file = temp(&format!("teach{}", mem.len()), mem);
    let mut a = args(&[
        "--levels",
        "5,5",
        "--offset-bits",
        "5",
        "--pte-bytes",
        "1",
        "--present-bit",
        "7",
        "--pfn-shift",
        "0",
        "--pfn-bits",
        "7",
        "--memory",
        file.to_str().unwrap(),
        "--root-pfn",
        "3",
    ]);
    a.extend(vas.iter().map(|s| s.to_string()));
    let r = run(&a);
    std::fs::remove_file(file).ok();
    r
}

#[test]
fn the_teaching_format() {
    let mem = teaching_memory();
    let (code, json, err) = teaching(&["0b0", "0x58075"], &mem);
    assert_eq!(code, 1, "binary literals and wide VAs are rejected");
    assert!(
        err.starts_with("youcpu: VA") && err.lines().count() == 1,
        "{err}"
    );
    assert!(json["error"].is_string());
    let va = 0b10110_00011_10101u64;
    let (code, json, err) = teaching(
        &[
            &va.to_string(),
            &format!("{:#x}", va + 32),
            "0x7fff",
            "0x7ff",
        ],
        &mem,
    );
    assert_eq!(code, 0, "{err}");
    let out = json.as_array().unwrap();
    assert_eq!(out[0]["pa"], 0x55 * 32 + 0b10101);
    assert_eq!(out[0]["walk"][1]["entry_addr"], 9 * 32 + 3);
    assert_eq!(out[0]["walk"][1]["entry"], 0x80 | 0x55);
    assert_eq!(out[1]["fault"], "not-present");
    assert_eq!(out[1]["walk"][1]["pfn"], 0x55);
    assert_eq!(out[2]["walk"].as_array().unwrap().len(), 1);
    assert_eq!(out[3]["walk"][1]["entry_addr"], 127 * 32 + 31);
    // The same table in a file that ends before frame 127: an error naming the address.
    let (code, _, err) = teaching(&["0x7ff"], &mem[..127 * 32 + 31]);
    assert_eq!(code, 1);
    assert!(
        err.contains("0xfff") && err.contains("past the end"),
        "{err}"
    );
    assert_eq!(teaching(&["32767"], &mem).0, 0);
    assert_eq!(teaching(&["32768"], &mem).0, 1);
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    let file = temp("bad", &[0u8; 4096]);
    let f = file.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--memory", f, "1"],
        vec!["--root-pfn", "0", "1"],
        vec!["--memory", f, "--root-pfn", "0"],
        vec!["--memory", "/nonexistent/x", "--root-pfn", "0", "1"],
        vec!["--memory", "/tmp", "--root-pfn", "0", "1"],
        vec!["--memory", f, "--root-pfn", "x", "1"],
        vec!["--memory", f, "--root-pfn", "0", "-1"],
        vec!["--memory", f, "--root-pfn", "0", "0x1ffffffffffffffff"],
        vec!["--memory", f, "--root-pfn", "0", "--pte-bytes", "3", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--pte-bytes", "1", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--levels", "", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--levels", "9,0", "1"],
        vec![
            "--memory",
            f,
            "--root-pfn",
            "0",
            "--levels",
            "16,16,16,16,16",
            "1",
        ],
        vec!["--memory", f, "--root-pfn", "0", "--offset-bits", "0", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--present-bit", "64", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--pfn-bits", "60", "1"],
        vec!["--memory", f, "--root-pfn", "0xffffffffffffffff", "1"],
        vec!["--memory", f, "--root-pfn", "1", "1"],
        vec!["--memory", f, "--root-pfn", "0", "--bogus", "1"],
    ];
    for c in cases {
        let (code, json, err) = run(&args(&c));
        assert_eq!(code, 1, "{c:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{c:?}: {err}");
        assert!(
            json["error"].as_str().is_some_and(|s| !s.is_empty()),
            "{c:?}"
        );
    }
    std::fs::remove_file(file).ok();
}

#[test]
fn five_levels_and_32_bit_x86() {
    // 5-level x86-64 (--levels 9,9,9,9,9): 57-bit canonical addresses.
    let mut mem = vec![0u8; 8 * 4096];
    let va: u64 = 0xff12_3456_789a_bcde; // canonical with LA57 (bit 56 set, 63:57 ones)
    for l in 0..5u64 {
        let table = l + 1;
        let idx = (va >> (48 - 9 * l)) & 511;
        let next = if l == 4 { 0x7777 } else { table + 1 };
        let e = (next << 12) | 0x67;
        mem[(table * 4096 + idx * 8) as usize..][..8].copy_from_slice(&e.to_le_bytes());
    }
    let file = temp("la57", &mem);
    let f = file.to_str().unwrap();
    let a = args(&[
        "--levels",
        "9,9,9,9,9",
        "--memory",
        f,
        "--root-pfn",
        "1",
        "0xff123456789abcde",
        "0x0100000000000000",
        "0xff00000000000000",
    ]);
    let (code, json, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json[0]["pa"].as_u64(), Some(0x7777 << 12 | (va & 0xfff)));
    assert_eq!(json[0]["walk"].as_array().unwrap().len(), 5);
    assert_eq!(json[1]["fault"], "non-canonical");
    assert_eq!(json[1]["walk"].as_array().unwrap().len(), 0);
    assert_eq!(json[2]["fault"], "not-present");
    std::fs::remove_file(file).ok();
    // 32-bit x86 without PAE: two levels of 10 bits, 4-byte entries, frame in bits 12..31.
    let mut mem = vec![0u8; 4 * 4096];
    let va: u64 = 0xc012_3456;
    let pde = (2u32 << 12) | 0x7;
    let pte = (0xabcdeu32 << 12) | 0x7;
    mem[(4096 + (va >> 22) * 4) as usize..][..4].copy_from_slice(&pde.to_le_bytes());
    mem[(2 * 4096 + ((va >> 12) & 1023) * 4) as usize..][..4].copy_from_slice(&pte.to_le_bytes());
    let file = temp("ia32", &mem);
    let a = args(&[
        "--levels",
        "10,10",
        "--pte-bytes",
        "4",
        "--pfn-bits",
        "20",
        "--memory",
        file.to_str().unwrap(),
        "--root-pfn",
        "1",
        "0xc0123456",
        "0x100000000",
    ]);
    let (code, _, err) = run(&a);
    assert_eq!(code, 1, "a 33-bit VA does not fit in 32 bits");
    assert!(err.contains("32-bit"), "{err}");
    let (code, json, err) = run(&a[..a.len() - 1]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json[0]["pa"].as_u64(), Some(0xabcd_e456));
    std::fs::remove_file(file).ok();
    // One level of 20 bits (a linear page table).
    let mut mem = vec![0u8; (1 << 20) * 2 + 4096];
    mem[(4096 + 0x12345 * 2)..][..2].copy_from_slice(&(0x8000u16 | 0x42).to_le_bytes());
    let file = temp("linear", &mem);
    let a = args(&[
        "--levels",
        "20",
        "--offset-bits",
        "12",
        "--pte-bytes",
        "2",
        "--present-bit",
        "15",
        "--pfn-shift",
        "0",
        "--pfn-bits",
        "15",
        "--memory",
        file.to_str().unwrap(),
        "--root-pfn",
        "1",
        "0x12345678",
    ]);
    let (code, json, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json[0]["pa"].as_u64(), Some(0x42678));
    std::fs::remove_file(file).ok();
}

#[test]
fn random_arguments_never_panic() {
    let mut mem = vec![0u8; 3 * 4096];
    let mut rng = XorShift64(777);
    for b in mem.iter_mut() {
        *b = rng.below(256) as u8;
    }
    let file = temp("fuzz", &mem);
    let f = file.to_str().unwrap().to_string();
    let values = [
        "0",
        "1",
        "7",
        "8",
        "9",
        "12",
        "31",
        "32",
        "33",
        "63",
        "64",
        "65",
        "-1",
        "0x10",
        "",
        "x",
        "99999999999999999999",
    ];
    let flags = [
        "--levels",
        "--offset-bits",
        "--pte-bytes",
        "--present-bit",
        "--pfn-shift",
        "--pfn-bits",
        "--root-pfn",
    ];
    for _ in 0..150 {
        let mut a = vec!["--memory".to_string(), f.clone()];
        for _ in 0..rng.below(6) {
            a.push(rng.pick(&flags).to_string());
            let v = if rng.below(3) == 0 {
                (0..1 + rng.below(6))
                    .map(|_| values[rng.below(10) as usize])
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                rng.pick(&values).to_string()
            };
            a.push(v);
        }
        if rng.below(5) != 0 {
            a.extend(["--root-pfn".to_string(), rng.below(4).to_string()]);
        }
        for _ in 0..rng.below(4) {
            a.push(format!("{:#x}", rng.next() >> rng.below(64)));
        }
        let (code, json, err) = run(&a);
        assert!(code == 0 || code == 1, "{a:?}: status {code}: {err}");
        if code == 1 {
            assert_eq!(err.lines().count(), 1, "{a:?}: {err}");
            assert!(json["error"].is_string());
        } else {
            assert!(json.is_array());
        }
    }
    std::fs::remove_file(file).ok();
}
