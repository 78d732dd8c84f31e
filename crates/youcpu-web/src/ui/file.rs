//! Opening a file from the reader's computer: it is read in the page and never leaves it.

use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use youcpu_core::elf::MAX_FILE_SIZE;

/// Fetches a file of the site (an example program) as bytes; the error says which step failed.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    use wasm_bindgen_futures::JsFuture;
    let w = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url}: the network request failed"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| format!("{url}: no response"))?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let buf = JsFuture::from(
        resp.array_buffer()
            .map_err(|_| format!("{url}: unreadable"))?,
    )
    .await
    .map_err(|_| format!("{url}: unreadable"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// A file's name and bytes, or why it could not be read.
pub type FileRead = Result<(String, Rc<Vec<u8>>), String>;

/// The message for a file over the size limit ([`MAX_FILE_SIZE`]).
pub fn too_large(name: &str, size: u64) -> String {
    format!(
        "{} is {} MiB; the inspector reads files up to {} MiB",
        youcpu_core::units::quote(name),
        size >> 20,
        MAX_FILE_SIZE >> 20
    )
}

/// Reads the first file of a list (up to [`MAX_FILE_SIZE`]) and hands over its name and bytes,
/// or why it could not be read.
pub fn read_first_file(files: Option<web_sys::FileList>, done: Callback<FileRead>) {
    let Some(file) = files.and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    let size = file.size() as u64;
    if size > MAX_FILE_SIZE {
        done.emit(Err(too_large(&name, size)));
        return;
    }
    yew::platform::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => {
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                done.emit(Ok((name, Rc::new(bytes))));
            }
            Err(_) => done.emit(Err(format!("{name} could not be read"))),
        }
    });
}

/// Reads the first file dropped on an element (see [`read_first_file`]): its `ondrop` (its
/// `ondragover` must prevent the default for a drop to happen).
pub fn on_drop_file(done: Callback<FileRead>) -> Callback<DragEvent> {
    Callback::from(move |e: DragEvent| {
        e.prevent_default();
        read_first_file(e.data_transfer().and_then(|t| t.files()), done.clone());
    })
}

/// Properties of [`FilePicker`].
#[derive(Properties, PartialEq)]
pub struct FilePickerProps {
    /// The input's test id.
    pub testid: AttrValue,
    /// Called with the file read (or why it could not be).
    pub on_read: Callback<FileRead>,
}

/// An "Open a file…" button.
#[component]
pub fn FilePicker(p: &FilePickerProps) -> Html {
    let onchange = {
        let done = p.on_read.clone();
        Callback::from(move |e: Event| {
            let files = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files());
            read_first_file(files, done.clone());
        })
    };
    html! {
        <label class="btn file-btn">{ "Open a file…" }
            <input type="file" class="sr-only" data-testid={p.testid.clone()} {onchange} />
        </label>
    }
}
