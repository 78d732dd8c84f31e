//! Prerenders the article: renders the whole app (every part's prose and every widget in its
//! default state) to HTML with Yew's server renderer and puts it inside `<main id="app">` of the
//! built `index.html`, so the text is there before the wasm arrives, without scripts, and for
//! indexing. The wasm then re-renders the same markup in place.
//!
//! It also moves Trunk's inline boot script (`<script type="module">import init … </script>`)
//! into its own file next to `index.html`, named by a hash of its text, and loads it by `src`:
//! the page runs under `Content-Security-Policy: default-src 'self'; script-src 'self'
//! 'wasm-unsafe-eval'`, which blocks inline scripts.
//!
//! Last, it drops Trunk's preload links for the wasm and makes the boot script wait for the
//! first painted frame, so the article's text is fetched and painted before the wasm download
//! starts.
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

/// Replaces each inline `<script type="module">…</script>` with `<script type="module"
/// src="/boot-HASH.js"></script>` and returns the page with the files to write (name, text).
/// Other inline scripts (Trunk's live-reload client under `trunk serve`, whose placeholders
/// the dev server fills in) are left alone.
fn externalize_module_scripts(page: &str) -> Result<(String, Vec<(String, String)>), String> {
    const TAG: &str = "<script type=\"module\">";
    const END: &str = "</script>";
    let mut out = String::with_capacity(page.len());
    let mut files = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(TAG) {
        let body_start = at + TAG.len();
        let len = rest
            .get(body_start..)
            .and_then(|r| r.find(END))
            .ok_or("an inline module script has no </script>")?;
        let body = rest.get(body_start..body_start + len).unwrap_or_default();
        let name = format!("boot-{:016x}.js", fnv1a(body.as_bytes()));
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push_str(&format!(
            "<script type=\"module\" src=\"/{name}\"></script>"
        ));
        files.push((name, format!("{BOOT_PREFIX}{}\n", body.trim())));
        rest = rest.get(body_start + len + END.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok((out, files))
}

/// Drops the `<link rel="preload">` and `<link rel="modulepreload">` tags Trunk puts in `<head>`
/// (the wasm and its JavaScript glue). They would start the 640 KiB wasm download before the
/// browser has painted the article's text, and on a slow connection the two share the bandwidth.
/// The boot script asks for both once the text is on screen ([`BOOT_PREFIX`]).
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

/// Put before the boot script's own text: wait until the browser has painted a frame (the
/// prerendered article), or a second at most (a tab opened in the background paints none),
/// before fetching and starting the wasm.
const BOOT_PREFIX: &str = "await new Promise((go) => { requestAnimationFrame(() => setTimeout(go, 0)); setTimeout(go, 1000); });\n";

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
        .and_then(|out| externalize_module_scripts(&out))
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

    #[test]
    fn moves_module_scripts_out_and_keeps_others() {
        let page = "<head><script type=\"module\">\nimport init from '/a.js';\nawait init();\n</script></head><body><script>live()</script></body>";
        let (out, files) = externalize_module_scripts(page).expect("moves");
        assert_eq!(files.len(), 1);
        let (name, text) = &files[0];
        assert!(name.starts_with("boot-") && name.ends_with(".js"), "{name}");
        assert_eq!(
            text,
            &format!("{BOOT_PREFIX}import init from '/a.js';\nawait init();\n")
        );
        assert_eq!(
            out,
            format!("<head><script type=\"module\" src=\"/{name}\"></script></head><body><script>live()</script></body>")
        );
        // Same text, same name; different text, different name.
        let again = externalize_module_scripts(page).expect("moves").1;
        assert_eq!(again[0].0, *name);
        let other = externalize_module_scripts("<script type=\"module\">x</script>")
            .expect("moves")
            .1;
        assert_ne!(other[0].0, *name);
        assert!(externalize_module_scripts("<script type=\"module\">x").is_err());
    }
}
