//! Prerenders the article: renders the whole app (every part's prose and every widget in its
//! default state) to HTML with Yew's server renderer and puts it inside `<main id="app">` of the
//! built `index.html`, so the text is there before the wasm arrives, without scripts, and for
//! indexing. The wasm then re-renders the same markup in place.
//!
//! Usage: `prerender DIST/index.html` (Trunk runs it as a post-build hook).

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
    match inject(&page, &body).and_then(|out| std::fs::write(&path, out).map_err(|e| e.to_string()))
    {
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
}
