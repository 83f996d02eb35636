// Builds the console into the directory given (the Maven build passes target/classes/console, so the
// assets end up in the jar): npm ci when node_modules is missing or older than the lock file, then one
// esbuild bundle of src/main.js plus the page and its style sheet. Uses the machine's Node.js and npm.
// usage: node console/build.mjs <output directory>
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', 'target', 'classes', 'console'));
const installed = join(here, 'node_modules', '.package-lock.json');

if (!existsSync(installed) || statSync(join(here, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  console.log('console: npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
}

const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(out, 'console.js'),
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'linked',
  // sockjs-client was written for browserify, which provided Node's `global`
  define: { global: 'globalThis' },
  logLevel: 'warning',
});
for (const file of ['index.html', 'console.css', 'favicon.svg']) {
  copyFileSync(join(here, 'src', file), join(out, file));
}
console.log(`console: built into ${out}`);
