// npm pack / npm publish run this first: the package ships the engine
// (dist/lantern.mjs and dist/lantern.wasm) built from this checkout now, and
// the repository's LICENSE. It builds with ci/build_wasm.sh (incremental: a
// second run costs seconds) and fails loudly, so a tarball never ships
// without its wasm or with an engine older than the sources.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const root = join(web, '..');
const build = join(root, 'ci', 'build_wasm.sh');

function fail(why) {
  console.error(`lantern-llm prepack: ${why}`);
  process.exit(1);
}

if (!existsSync(build)) fail(`${build} is missing: pack from a Lantern checkout (web/ inside it)`);
try {
  execFileSync(build, { stdio: 'inherit' });
} catch (e) {
  fail(`building the engine (ci/build_wasm.sh, which needs Emscripten and CMake) failed: ${e.message}`);
}
for (const f of ['lantern.mjs', 'lantern.wasm']) {
  const p = join(web, 'dist', f);
  if (!existsSync(p) || statSync(p).size === 0) fail(`${p} is missing or empty after the build`);
}
copyFileSync(join(root, 'LICENSE'), join(web, 'LICENSE'));
