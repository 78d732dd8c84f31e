// Times the wasm build of benches/cpu.rs in Node: instantiates the module (no imports are
// needed), runs its `main` (a fixed 35,000,003-instruction workload) a few times, prints
// guest instructions per second. Usage: node cpu_wasm.js path/to/cpu-*.wasm
const fs = require('fs');
const bytes = fs.readFileSync(process.argv[2]);
const instructions = 5_000_000 * 7 + 3;
WebAssembly.instantiate(bytes, {}).then(({ instance }) => {
  const main = instance.exports.main || instance.exports.__main_void || instance.exports._start;
  if (!main) throw new Error('no main export: ' + Object.keys(instance.exports).join(', '));
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    main(0, 0);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  console.log(`simulator (wasm, Node ${process.version}): ${instructions} guest instructions in ${best.toFixed(3)} s = ${(instructions / best / 1e6).toFixed(1)} M instructions/s`);
});
