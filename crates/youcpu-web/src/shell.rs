//! The shell: the small wasm module the page starts first. It brings the table of contents to
//! life (the part being read, the reading progress) while the app, with the simulator and every
//! widget, is fetched as the reader approaches a widget (see [`youcpu_web::mount`]). It links
//! no widget and no simulator code, so it stays a few KiB.

fn main() {
    youcpu_web::mount::mount_shell();
}
