//! Entry point: mounts the article into `<main id="app">`.

fn main() {
    youcpu_web::app::mount();
}
