//! Prerenders the article: renders the whole app (every part's prose and every widget in its
//! default state) to HTML with Yew's server renderer and puts it inside `<main id="app">` of the
//! built `index.html`, so the text is there before the wasm arrives, without scripts, and for
//! indexing. The wasm then re-renders the same markup in place.
//!
//! It also replaces Trunk's inline boot scripts (`<script type="module">import init … </script>`,
//! one per wasm module: the shell and the app) with one boot script in its own file next to
//! `index.html`, named by a hash of its text, loaded by `src`:
//! the page runs under `Content-Security-Policy: default-src 'self'; script-src 'self'
//! 'wasm-unsafe-eval'`, which blocks inline scripts.
//!
//! Last, it drops Trunk's preload links for the wasm; the boot script waits for the first
//! painted frame, so the article's text is fetched and painted before any wasm download starts,
//! then starts the shell and fetches the app only as the reader approaches a widget.
//!
//! Usage: `prerender DIST/index.html` (Trunk runs it as a post-build hook).

use std::path::Path;
use std::process::ExitCode;

const OPEN: &str = "<main id=\"app\">";

fn inject(page: &str, body: &str) -> Result<String, String> {
    let start = page
        .find(OPEN)
        .ok_or_else(|| format!("index.html has no {OPEN}"))?;
    let inner = start + OPEN.len();
    let end = page[inner..]
        .find("</main>")
        .map(|e| inner + e)
        .ok_or("index.html has no </main> after <main id=\"app\">")?;
    Ok(format!(
        "{}<main id=\"app\" data-prerendered=\"true\">{}{}",
        &page[..start],
        body,
        &page[end..]
    ))
}

/// FNV-1a, 64-bit: names the boot script by its contents so a changed build gets a new URL.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What Trunk's inline boot script for one wasm module loads: its JavaScript glue and its wasm.
#[derive(Debug, PartialEq, Eq)]
struct Module {
    js: String,
    wasm: String,
}

/// Reads the glue and wasm paths out of one of Trunk's inline boot scripts
/// (`import init, * as bindings from '/x.js'; ... init({ module_or_path: '/x_bg.wasm' })`).
fn parse_module(script: &str) -> Result<Module, String> {
    let quoted_after = |key: &str| -> Option<String> {
        let at = script.find(key)? + key.len();
        let rest = script.get(at..)?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let body = rest.get(1..)?;
        Some(body.get(..body.find(quote)?)?.to_string())
    };
    match (quoted_after(" from "), quoted_after("module_or_path:")) {
        (Some(js), Some(wasm)) => Ok(Module { js, wasm }),
        _ => Err(format!(
            "an inline module script is not one of Trunk's wasm boot scripts: {script}"
        )),
    }
}

/// The bin whose module the page starts at once (src/shell.rs); every other module is the app.
const SHELL: &str = "youcpu-shell-";

/// Names the shell's files by their contents. Trunk builds the shell as a "worker" asset (it
/// allows one "main" one, the app), which it neither hashes nor loads: this renames
/// `youcpu-shell.js` and `youcpu-shell_bg.wasm` in `dir` to `youcpu-shell-HASH.js` and
/// `youcpu-shell-HASH_bg.wasm`, so they can be cached for good like Trunk's hashed files, and
/// returns the module for the boot script. None when the build has no shell.
fn hash_shell(dir: &Path) -> Result<Option<Module>, String> {
    let (js, wasm) = (
        dir.join("youcpu-shell.js"),
        dir.join("youcpu-shell_bg.wasm"),
    );
    if !js.exists() && !wasm.exists() {
        return Ok(None);
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut both = read(&js)?;
    both.extend(read(&wasm)?);
    let base = format!("{SHELL}{:016x}", fnv1a(&both));
    let (js_name, wasm_name) = (format!("{base}.js"), format!("{base}_bg.wasm"));
    for (from, to) in [(&js, &js_name), (&wasm, &wasm_name)] {
        std::fs::rename(from, dir.join(to)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    Ok(Some(Module {
        js: format!("/{js_name}"),
        wasm: format!("/{wasm_name}"),
    }))
}

/// The boot script for the page's modules: after the first painted frame ([`FIRST_PAINT`]),
/// start the shell (the table of contents) at once and fetch the app (the simulator and every
/// widget) when the reader approaches a widget or opens a link into the article
/// ([`APP_POLICY`]), and with the parts' loader (`loader`, the release build's), fetch each widget
/// family's part as one of its widgets comes near ([`prefetch_policy`]). Without a shell module,
/// the app starts at once.
fn boot_text(modules: &[Module], loader: Option<&str>) -> Result<String, String> {
    let start = |m: &Module| format!("start('{}', '{}')", m.js, m.wasm);
    let (shell, app): (Vec<&Module>, Vec<&Module>) =
        modules.iter().partition(|m| m.js.contains(SHELL));
    if app.is_empty() {
        return Err("no app module among Trunk's boot scripts".into());
    }
    let app_start: Vec<String> = app.iter().map(|m| start(m)).collect();
    let mut out = String::new();
    out.push_str(FIRST_PAINT);
    out.push_str(
        "const start = (js, wasm) => import(js).then((m) => m.default({ module_or_path: wasm }));\n",
    );
    out.push_str(&format!(
        "let app = null;\nconst go = () => {{ app ??= Promise.all([{}]); }};\n",
        app_start.join(", ")
    ));
    if shell.is_empty() {
        out.push_str("go();\n");
        return Ok(out);
    }
    let shell_start: Vec<String> = shell.iter().map(|m| start(m)).collect();
    out.push_str(&format!(
        "const shell = Promise.all([{}]);\n",
        shell_start.join(", ")
    ));
    match loader {
        Some(loader) => out.push_str(&prefetch_policy(loader)),
        None => out.push_str(APP_POLICY),
    }
    Ok(out)
}

/// [`APP_POLICY`] with each widget family's part fetched and compiled ahead of its first widget
/// (`prefetch` in tools/youcpu-split/src/loader.js): a link's target's part at once, beside the
/// app's main module, and each other family's when one of its widgets comes within the same three
/// viewport heights, twice the distance at which the widget mounts. The app then only
/// instantiates the part when it mounts the widget; before, a reader arriving at a new family
/// waited for its part's fetch and compile (250 to 270 ms at 4x, docs/performance.md,
/// session 10).
fn prefetch_policy(loader: &str) -> String {
    use youcpu_web::widgets::WidgetKind;
    let families: Vec<String> = WidgetKind::ALL
        .iter()
        .map(|k| format!("'{}': '{}'", k.id(), family_name(*k)))
        .collect();
    format!(
        "const family = {{ {} }};
let parts = null;
const prefetch = (id) => {{
  if (!family[id]) return;
  parts ??= import('/{loader}');
  parts.then((m) => m.prefetch(family[id]), () => {{}});
}};
if (location.hash.length > 1) {{
  go();
  const slot = document.getElementById(location.hash.slice(1))?.closest('[data-slot]');
  if (slot) prefetch(slot.dataset.slot);
}}
const near = new IntersectionObserver((seen) => {{
  for (const e of seen) if (e.isIntersecting) {{ near.unobserve(e.target); go(); prefetch(e.target.parentElement.dataset.slot); }}
}}, {{ rootMargin: '300% 0px' }});
for (const s of document.querySelectorAll('.slot[data-slot]:not([data-slot=\"toc\"]) > *')) near.observe(s);
",
        families.join(", ")
    )
}

/// The name of `kind`'s family part, as `crates/youcpu-web/src/split.rs` names its entry points
/// and tools/youcpu-split its files (`youcpu-part-NAME-HASH.wasm`).
fn family_name(kind: youcpu_web::widgets::WidgetKind) -> String {
    format!("{:?}", kind.family()).to_lowercase()
}

/// The parts' loader the release build's splitter wrote into `dir` (`youcpu-split-HASH.js`), if
/// any.
fn find_loader(dir: &Path) -> Option<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("youcpu-split-") && n.ends_with(".js"))
        .collect();
    found.sort();
    found.pop()
}

/// When to fetch the app, once the shell has started (see [`boot_text`]): when a widget comes
/// within three viewport heights of the viewport (twice the distance at which the app mounts a
/// widget, `youcpu_web::mount::NEAR_VIEWPORTS`, so the main module is in when the first widget
/// needs it), or at once for a link into the article. A reader who stays where no widget is near
/// fetches no app at all.
const APP_POLICY: &str = "if (location.hash.length > 1) go();
const near = new IntersectionObserver((seen) => {
  if (seen.some((e) => e.isIntersecting)) { near.disconnect(); go(); }
}, { rootMargin: '300% 0px' });
for (const s of document.querySelectorAll('.slot[data-slot]:not([data-slot=\"toc\"]) > *')) near.observe(s);
";

/// Replaces Trunk's inline `<script type="module">` boot scripts (one per wasm module) with one
/// `<script type="module" src="/boot-HASH.js"></script>` where the first was, and returns the
/// page with the file to write (name, text): see [`boot_text`]. Other inline scripts (Trunk's
/// live-reload client under `trunk serve`, whose placeholders the dev server fills in) are left
/// alone.
fn externalize_module_scripts(
    page: &str,
    extra: Vec<Module>,
    loader: Option<&str>,
) -> Result<(String, Vec<(String, String)>), String> {
    const TAG: &str = "<script type=\"module\">";
    const END: &str = "</script>";
    const MARK: &str = "\u{0}boot\u{0}";
    let mut out = String::with_capacity(page.len());
    let mut modules = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(TAG) {
        let body_start = at + TAG.len();
        let len = rest
            .get(body_start..)
            .and_then(|r| r.find(END))
            .ok_or("an inline module script has no </script>")?;
        let body = rest.get(body_start..body_start + len).unwrap_or_default();
        modules.push(parse_module(body)?);
        out.push_str(rest.get(..at).unwrap_or_default());
        if modules.len() == 1 {
            out.push_str(MARK);
        }
        rest = rest.get(body_start + len + END.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    if modules.is_empty() {
        return Ok((out, Vec::new()));
    }
    modules.extend(extra);
    let text = boot_text(&modules, loader)?;
    let name = format!("boot-{:016x}.js", fnv1a(text.as_bytes()));
    let out = out.replacen(
        MARK,
        &format!("<script type=\"module\" src=\"/{name}\"></script>"),
        1,
    );
    Ok((out, vec![(name, text)]))
}

/// Drops the `<link rel="preload">` and `<link rel="modulepreload">` tags Trunk puts in `<head>`
/// (the wasm modules and their JavaScript glue). They would start the downloads before the
/// browser has painted the article's text, and on a slow connection they share the bandwidth.
/// The boot script asks for each module when it is wanted ([`boot_text`]).
fn drop_preloads(page: &str) -> Result<String, String> {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(at) = rest.find("<link ") {
        let len = rest
            .get(at..)
            .and_then(|r| r.find('>'))
            .ok_or("a <link> tag has no '>'")?;
        let tag = rest.get(at..=at + len).unwrap_or_default();
        out.push_str(rest.get(..at).unwrap_or_default());
        if !(tag.contains("rel=\"preload\"") || tag.contains("rel=\"modulepreload\"")) {
            out.push_str(tag);
        }
        rest = rest.get(at + len + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// The boot script's first line: wait until the browser has painted a frame (the prerendered
/// article), or a second at most (a tab opened in the background paints none), before fetching
/// and starting any wasm.
const FIRST_PAINT: &str = "await new Promise((go) => { requestAnimationFrame(() => setTimeout(go, 0)); setTimeout(go, 1000); });\n";

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: prerender DIST/index.html");
        return ExitCode::from(2);
    };
    let page = match std::fs::read_to_string(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("prerender: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let body = futures::executor::block_on(
        yew::ServerRenderer::<youcpu_web::app::App>::new()
            .hydratable(false)
            .render(),
    );
    let dir = Path::new(&path).parent().unwrap_or(Path::new("."));
    let result = inject(&page, &body)
        .and_then(|out| drop_preloads(&out))
        .and_then(|out| Ok((out, hash_shell(dir)?)))
        .and_then(|(out, shell)| {
            externalize_module_scripts(
                &out,
                shell.into_iter().collect(),
                find_loader(dir).as_deref(),
            )
        })
        .and_then(|(out, files)| {
            for (name, text) in files {
                let file = dir.join(&name);
                std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
                eprintln!("prerender: the boot script is now {name}");
            }
            std::fs::write(&path, out).map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => {
            eprintln!(
                "prerender: {} bytes of article HTML into {path}",
                body.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("prerender: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_inside_main() {
        let page = "<body><main id=\"app\"><p>Loading</p></main><script></script></body>";
        let out = inject(page, "<h1>x</h1>").expect("injects");
        assert_eq!(
            out,
            "<body><main id=\"app\" data-prerendered=\"true\"><h1>x</h1></main><script></script></body>"
        );
        assert!(inject("<body></body>", "x").is_err());
    }

    #[test]
    fn preloads_are_dropped_and_other_links_kept() {
        let page = "<head><link rel=\"stylesheet\" href=\"/s.css\"/><link rel=\"modulepreload\" href=\"/a.js\"><link rel=\"preload\" href=\"/a.wasm\" as=\"fetch\"></head><body><main>text</main></body>";
        assert_eq!(
            drop_preloads(page).expect("drops"),
            "<head><link rel=\"stylesheet\" href=\"/s.css\"/></head><body><main>text</main></body>"
        );
        let plain = "<head><link rel=\"icon\" href=\"/f.svg\"></head>";
        assert_eq!(drop_preloads(plain).expect("unchanged"), plain);
        assert!(drop_preloads("<head><link rel=\"preload\"").is_err());
    }

    const SHELL_SCRIPT: &str = "\nimport init, * as bindings from '/youcpu-shell-1a.js';\nconst wasm = await init({ module_or_path: '/youcpu-shell-1a_bg.wasm' });\nwindow.wasmBindings = bindings;\n";
    const APP_SCRIPT: &str = "\nimport init, * as bindings from \"/youcpu-web-2b.js\";\nconst wasm = await init({ module_or_path: \"/youcpu-web-2b_bg.wasm\" });\n";

    #[test]
    fn names_the_shell_by_its_contents() {
        let dir = std::env::temp_dir().join(format!("youcpu-prerender-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        assert_eq!(hash_shell(&dir), Ok(None));
        std::fs::write(dir.join("youcpu-shell.js"), "glue").expect("writes");
        assert!(hash_shell(&dir).is_err(), "the wasm is missing");
        std::fs::write(dir.join("youcpu-shell_bg.wasm"), "\0asm").expect("writes");
        let m = hash_shell(&dir).expect("renames").expect("a shell");
        let base = format!("youcpu-shell-{:016x}", fnv1a(b"glue\0asm"));
        assert_eq!(m.js, format!("/{base}.js"));
        assert_eq!(m.wasm, format!("/{base}_bg.wasm"));
        assert_eq!(
            std::fs::read(dir.join(format!("{base}_bg.wasm"))).ok(),
            Some(b"\0asm".to_vec())
        );
        assert!(!dir.join("youcpu-shell.js").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_each_family_as_its_part() {
        use youcpu_web::widgets::{Family, WidgetKind};
        let mut names: Vec<String> = WidgetKind::ALL.iter().map(|k| family_name(*k)).collect();
        names.sort();
        names.dedup();
        // split.rs's entry points, one per family: the splitter names the parts by them.
        assert_eq!(names, ["cpu", "exec", "paging", "programs", "sched"]);
        assert_eq!(names.len(), Family::ALL.len());
        let dir = std::env::temp_dir().join(format!("youcpu-loader-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        assert_eq!(find_loader(&dir), None);
        std::fs::write(dir.join("youcpu-split-0123.js"), "").expect("writes");
        std::fs::write(dir.join("youcpu-split-0123.js.br"), "").expect("writes");
        assert_eq!(find_loader(&dir).as_deref(), Some("youcpu-split-0123.js"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reads_trunks_boot_scripts() {
        assert_eq!(
            parse_module(SHELL_SCRIPT),
            Ok(Module {
                js: "/youcpu-shell-1a.js".into(),
                wasm: "/youcpu-shell-1a_bg.wasm".into()
            })
        );
        assert_eq!(
            parse_module(APP_SCRIPT).map(|m| m.wasm),
            Ok("/youcpu-web-2b_bg.wasm".into())
        );
        assert!(parse_module("console.log('x')").is_err());
        assert!(parse_module("import x from '/a.js'; init({ module_or_path: '/a").is_err());
    }

    #[test]
    fn one_boot_script_starts_the_shell_and_fetches_the_app_later() {
        let page = format!("<head><script type=\"module\">{SHELL_SCRIPT}</script><script type=\"module\">{APP_SCRIPT}</script></head><body><script>live()</script></body>");
        let (out, files) = externalize_module_scripts(&page, vec![], None).expect("moves");
        assert_eq!(files.len(), 1);
        let (name, text) = &files[0];
        assert!(name.starts_with("boot-") && name.ends_with(".js"), "{name}");
        assert_eq!(
            out,
            format!("<head><script type=\"module\" src=\"/{name}\"></script></head><body><script>live()</script></body>")
        );
        assert!(text.starts_with(FIRST_PAINT));
        assert!(text.contains(
            "const shell = Promise.all([start('/youcpu-shell-1a.js', '/youcpu-shell-1a_bg.wasm')]);"
        ));
        assert!(text.contains(
            "app ??= Promise.all([start('/youcpu-web-2b.js', '/youcpu-web-2b_bg.wasm')]);"
        ));
        assert!(text.ends_with(APP_POLICY));
        // The app alone starts at once.
        let app_only = format!("<script type=\"module\">{APP_SCRIPT}</script>");
        let (_, alone) = externalize_module_scripts(&app_only, vec![], None).expect("moves");
        assert!(alone[0].1.ends_with("go();\n"), "{}", alone[0].1);
        // Same text, same name; different text, different name.
        let again = externalize_module_scripts(&page, vec![], None)
            .expect("moves")
            .1;
        assert_eq!(again[0].0, *name);
        assert_ne!(alone[0].0, *name);
        // The shell can come from outside the page (Trunk's worker asset, see hash_shell).
        let shell = parse_module(SHELL_SCRIPT).expect("parses");
        let (_, given) = externalize_module_scripts(&app_only, vec![shell], None).expect("moves");
        assert_eq!(given[0].1, *text);
        // A shell without an app, a script that is not Trunk's, a script not closed: errors.
        let shell_only = format!("<script type=\"module\">{SHELL_SCRIPT}</script>");
        assert!(externalize_module_scripts(&shell_only, vec![], None).is_err());
        assert!(
            externalize_module_scripts("<script type=\"module\">x</script>", vec![], None).is_err()
        );
        assert!(externalize_module_scripts("<script type=\"module\">x", vec![], None).is_err());
        // With the parts' loader: each family's part is fetched as its widgets come near.
        let (_, split) =
            externalize_module_scripts(&page, vec![], Some("youcpu-split-3c.js")).expect("moves");
        let split = &split[0].1;
        assert!(
            split.contains("parts ??= import('/youcpu-split-3c.js');"),
            "{split}"
        );
        assert!(
            split.contains("'asm': 'cpu'") && split.contains("'page-walk': 'paging'"),
            "{split}"
        );
        assert!(!split.contains(APP_POLICY));
        assert_eq!(
            externalize_module_scripts("<p>no scripts</p>", vec![], None).expect("nothing to do"),
            ("<p>no scripts</p>".to_string(), vec![])
        );
    }
}
