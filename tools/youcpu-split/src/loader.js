// The app's widget families (crates/youcpu-web/src/split.rs), written by tools/youcpu-split.
// Each family's entry point imports one `__wasm_split_load_*` function from here and calls it
// the first time it runs: it fetches and compiles the family's part, instantiates it against the
// app's own memory, tables and globals (the part installs its functions into the app's function
// table), then calls back into the app with whether it worked. A part is fetched only when the
// app asks for it: the app mounts a widget when the reader comes near it
// (crates/youcpu-web/src/mount.rs), so a reader who never comes near a family never fetches it;
// or, a little earlier, when the boot script sees one of the family's widgets within three
// viewport heights (`prefetch`), so the part is compiled by the time its first widget mounts.
import { initSync } from './@GLUE@';

const compiled = new Map();
const instances = new Map();

function compile(name) {
  if (!compiled.has(name)) {
    const module = fetch(new URL(name, import.meta.url)).then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      return WebAssembly.compileStreaming(response);
    });
    // A failed fetch is tried again when the part is asked for.
    module.catch(() => compiled.delete(name));
    compiled.set(name, module);
  }
  return compiled.get(name);
}

function load(name) {
  return async (callback, data) => {
    let ok = false;
    try {
      if (!instances.has(name)) {
        // initSync returns the running instance's exports (the app is initialised by now).
        instances.set(name, compile(name).then((m) => WebAssembly.instantiate(m, { __wasm_split: initSync() })));
      }
      await instances.get(name);
      ok = true;
    } catch (e) {
      instances.delete(name);
      console.error(`You in CPU: could not load ${name}:`, e);
    }
    initSync().__indirect_function_table.get(callback)(data, ok);
  };
}


/**
 * Starts fetching and compiling family `family`'s part (one of `PARTS`, written below by
 * tools/youcpu-split) ahead of its first widget: its mount then only instantiates it. A failed
 * fetch is tried again, and reported, when the part is asked for.
 */
export function prefetch(family) {
  const name = PARTS[family];
  if (name) compile(name).catch(() => {});
}
