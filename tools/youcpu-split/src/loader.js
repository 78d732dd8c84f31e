// The app's widget families (crates/youcpu-web/src/split.rs), written by tools/youcpu-split.
// Each #[wasm_split] entry point imports one `__wasm_split_load_*` function from here and calls
// it the first time it runs: it fetches the family's part, instantiates it against the app's
// own memory, tables and globals (the part installs its functions into the app's function
// table), then calls back into the app with whether it worked.
import { initSync } from './@GLUE@';

const parts = new Map();

async function instantiate(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  // initSync returns the running instance's exports (the app is initialised by now).
  return WebAssembly.instantiateStreaming(response, { __wasm_split: initSync() });
}

function load(name) {
  const url = new URL(name, import.meta.url);
  return async (callback, data) => {
    let ok = false;
    try {
      if (!parts.has(name)) parts.set(name, instantiate(url));
      await parts.get(name);
      ok = true;
    } catch (e) {
      parts.delete(name);
      console.error(`You in CPU: could not load ${name}:`, e);
    }
    initSync().__indirect_function_table.get(callback)(data, ok);
  };
}

