//! Splits the app's wasm by widget family (issue #18; README.md; docs/performance.md,
//! "Session 9"). Trunk's post-build hook runs it on the staging directory before the prerender
//! step:
//!
//! ```text
//! youcpu-split STAGING_DIR CARGO_PROFILE
//! ```
//!
//! It reads the app as the linker wrote it, with its relocations (the `split` feature links it
//! with `--emit-relocs`, crates/youcpu-web/build.rs), from Cargo's target directory:
//! `TARGET/wasm32-unknown-unknown/CARGO_PROFILE/youcpu-web.wasm`. The steps are Dioxus's
//! (dioxus-cli's web bundler): wasm-bindgen keeping the linker's sections, the splitter
//! (src/splitter.rs) on the original and wasm-bindgen's output, wasm-opt on each module. Then it
//! writes the loader the app's `#[wasm_split]` imports call (src/loader.js), names every file by
//! its contents, replaces Trunk's app files with them and renames them in `index.html`, where
//! the prerender step finds them. A build whose app has no split points is left as it is.

mod splitter;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The module the `#[wasm_split]` macro imports its loaders from.
const SPLIT_MODULE: &str = "./__wasm_split.js";
/// wasm-opt's flags: index.html's `data-wasm-opt="z"` and `data-wasm-opt-params` for the shell,
/// plus reference types (wasm-bindgen's externref table) and memory packing (it drops the data
/// the splitter zeroed in the main module).
const WASM_OPT: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--memory-packing",
];

type Result<T> = std::result::Result<T, String>;

/// FNV-1a, 64-bit, as `src/bin/prerender.rs` names the shell: a file's name changes with its
/// contents, so hashed files can be cached for good.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn read(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn write(p: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display()))
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Trunk's app files in the staging directory: `(glue, wasm)` file names.
fn trunk_app(dir: &Path) -> Result<(String, String)> {
    let mut js = None;
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let name = e.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("youcpu-web-") && name.ends_with(".js") {
            if js.is_some() {
                return Err(format!("two app scripts in {}", dir.display()));
            }
            js = Some(name.to_string());
        }
    }
    let js = js.ok_or_else(|| format!("no youcpu-web-*.js in {}", dir.display()))?;
    let wasm = format!("{}_bg.wasm", js.trim_end_matches(".js"));
    if !dir.join(&wasm).exists() {
        return Err(format!("no {wasm} beside {js}"));
    }
    Ok((js, wasm))
}

/// The `__wbg_*` names a wasm-bindgen glue file defines: two glues made from the same build
/// have the same (each name carries a hash of its import).
fn bindgen_names(glue: &str) -> std::collections::BTreeSet<&str> {
    glue.match_indices("__wbg_")
        .map(|(i, _)| {
            let rest = &glue[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// One family's part: the loader function the app imports, and the part's bytes.
struct Part {
    name: String,
    loader_fn: String,
    bytes: Vec<u8>,
}

fn split(dir: &Path, original: &Path) -> Result<()> {
    let (trunk_js, trunk_wasm) = trunk_app(dir)?;
    let trunk_glue = String::from_utf8(read(&dir.join(&trunk_js))?).map_err(|e| e.to_string())?;
    if !trunk_glue.contains(SPLIT_MODULE) {
        eprintln!("youcpu-split: {trunk_js} has no split points; left as it is");
        return Ok(());
    }
    let work = dir.join(".youcpu-split");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;

    // 1. wasm-bindgen again, keeping what the splitter reads: the linking and relocation
    //    sections and the names (Trunk's run drops them).
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--keep-lld-exports",
            "--keep-debug",
            "--no-demangle",
            "--out-name",
            "youcpu-web",
            "--out-dir",
        ])
        .arg(&work)
        .arg(original))?;
    let glue = String::from_utf8(read(&work.join("youcpu-web.js"))?).map_err(|e| e.to_string())?;
    if bindgen_names(&glue) != bindgen_names(&trunk_glue) {
        return Err(format!(
            "{} is not the build Trunk just made ({trunk_js} binds other imports)",
            original.display()
        ));
    }

    // 2. Split.
    let original_bytes = read(original)?;
    let bindgened = read(&work.join("youcpu-web_bg.wasm"))?;
    let out = splitter::Splitter::new(&original_bytes, &bindgened)
        .and_then(|s| s.emit())
        .map_err(|e| format!("wasm-split: {e:#}"))?;
    if out.modules.iter().any(|m| !m.relies_on_chunks.is_empty()) {
        return Err("wasm-split made shared chunks, which this build does not load".into());
    }

    // 3. wasm-opt each module (two at a time: the machine's cores are shared).
    let mut jobs: Vec<(PathBuf, Vec<u8>)> = vec![(work.join("main.wasm"), out.main.bytes)];
    let mut parts = Vec::new();
    for m in out.modules {
        let name = m.module_name.clone();
        let hash = m.hash_id.clone().unwrap_or_default();
        let component = m.component_name.clone().unwrap_or_default();
        parts.push(Part {
            loader_fn: format!("__wasm_split_load_{name}_{hash}_{component}"),
            name: name.clone(),
            bytes: Vec::new(),
        });
        jobs.push((work.join(format!("{name}.wasm")), m.bytes));
    }
    for (path, bytes) in &jobs {
        write(path, bytes)?;
    }
    for pair in jobs.chunks(2) {
        let children: Vec<_> = pair
            .iter()
            .map(|(path, _)| {
                Command::new("wasm-opt")
                    .args(WASM_OPT)
                    .arg(path)
                    .arg("-o")
                    .arg(path)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .map_err(|e| format!("wasm-opt: {e}"))
            })
            .collect::<Result<_>>()?;
        for mut c in children {
            let status = c.wait().map_err(|e| format!("wasm-opt: {e}"))?;
            if !status.success() {
                return Err(format!("wasm-opt failed on a split module: {status}"));
            }
        }
    }
    let main = read(&work.join("main.wasm"))?;
    for p in &mut parts {
        p.bytes = read(&work.join(format!("{}.wasm", p.name)))?;
    }

    // 4. Name the files by their contents and write them. The glue imports the loader and the
    //    loader imports the glue, so the loader is named by everything its text derives from.
    let mut names = String::new();
    let mut part_files = Vec::new();
    for p in &parts {
        let file = format!("youcpu-part-{}-{:016x}.wasm", p.name, fnv1a(&p.bytes));
        let _ = writeln!(names, "{file} {}", p.loader_fn);
        part_files.push(file);
    }
    let mut seed = names.clone().into_bytes();
    seed.extend(glue.as_bytes());
    seed.extend(&main);
    seed.extend(include_str!("loader.js").as_bytes());
    let loader_file = format!("youcpu-split-{:016x}.js", fnv1a(&seed));
    let glue = glue.replace(
        &format!("from \"{SPLIT_MODULE}\""),
        &format!("from \"./{loader_file}\""),
    );
    if glue.contains(&format!("from \"{SPLIT_MODULE}\"")) || !glue.contains(&loader_file) {
        return Err("could not point the app's glue at the loader".into());
    }
    let mut both = glue.clone().into_bytes();
    both.extend(&main);
    let base = format!("youcpu-web-{:016x}", fnv1a(&both));
    let mut loader = include_str!("loader.js").replace("@GLUE@", &format!("{base}.js"));
    for (p, file) in parts.iter().zip(&part_files) {
        let _ = writeln!(loader, "export const {} = load('./{file}');", p.loader_fn);
    }
    // The parts by family name, for `prefetch` (the boot script's).
    let table: Vec<String> = parts
        .iter()
        .zip(&part_files)
        .map(|(p, file)| format!("  '{}': './{file}',", p.name))
        .collect();
    let _ = writeln!(loader, "const PARTS = {{\n{}\n}};", table.join("\n"));
    for (p, file) in parts.iter().zip(&part_files) {
        write(&dir.join(file), &p.bytes)?;
    }
    write(&dir.join(&loader_file), loader.as_bytes())?;
    write(&dir.join(format!("{base}.js")), glue.as_bytes())?;
    write(&dir.join(format!("{base}_bg.wasm")), &main)?;

    // 5. Trunk's app files out, the new ones into index.html.
    for f in [&trunk_js, &trunk_wasm] {
        std::fs::remove_file(dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    let index = dir.join("index.html");
    let page = String::from_utf8(read(&index)?).map_err(|e| e.to_string())?;
    let trunk_base = trunk_js.trim_end_matches(".js");
    if !page.contains(trunk_base) {
        return Err(format!("index.html does not name {trunk_js}"));
    }
    write(&index, page.replace(trunk_base, &base).as_bytes())?;
    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "youcpu-split: {base}_bg.wasm ({} KiB) and {}",
        main.len() / 1024,
        parts
            .iter()
            .zip(&part_files)
            .map(|(p, f)| format!("{f} ({} KiB)", p.bytes.len() / 1024))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Cargo's target directory for the workspace in the current directory (`cargo metadata`,
/// which honours `CARGO_TARGET_DIR` and the configuration files as the build did).
fn target_dir() -> Result<PathBuf> {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    const KEY: &str = "\"target_directory\":\"";
    let at = text
        .find(KEY)
        .ok_or("cargo metadata names no target directory")?
        + KEY.len();
    let rest = &text[at..];
    let end = rest
        .find('"')
        .ok_or("cargo metadata: unterminated target directory")?;
    // A path with a quote or backslash would be escaped in JSON; such a path is refused.
    let dir = &rest[..end];
    if dir.contains('\\') {
        return Err(format!("target directory with an escaped character: {dir}"));
    }
    Ok(PathBuf::from(dir))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, profile] = args.as_slice() else {
        eprintln!("usage: youcpu-split STAGING_DIR CARGO_PROFILE");
        return ExitCode::from(2);
    };
    let original = target_dir().map(|t| {
        t.join("wasm32-unknown-unknown")
            .join(profile)
            .join("youcpu-web.wasm")
    });
    match original.and_then(|o| split(Path::new(dir), &o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("youcpu-split: {e}");
            ExitCode::FAILURE
        }
    }
}
