#!/usr/bin/env node
// The first step of every npm script on a fresh clone. Plain CommonJS on purpose: it runs on
// whatever Node the machine has (>= 18), installs the project's pinned dependencies, Node 24
// among them, and then hands over to the real script running on that pinned Node.
//
//   node scripts/bootstrap.cjs <script.ts> [args...]
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockFile = path.join(root, 'package-lock.json');
const stampFile = path.join(root, 'node_modules', '.kit-install-stamp');
const pinnedNode = path.join(root, 'node_modules', '.bin', 'node');

function lockHash() {
  return createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex');
}

function installDependencies() {
  const wanted = lockHash();
  const have = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (have === wanted && fs.existsSync(pinnedNode)) return;
  console.error(`[bootstrap] first run: installing the locked dependencies (npm ci, a minute or two); every script then runs on the pinned Node 24, not this machine's ${process.version}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Only errors: on an older system Node, npm warns (EBADENGINE, ~30 lines) about every package
  // that needs a newer one, which a newcomer reads as a failure; none of them runs on that Node.
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[bootstrap] npm ci failed; fix the error above and run the command again.');
    process.exit(result.status || 1);
  }
  fs.writeFileSync(stampFile, wanted + '\n');
}

function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    console.error('usage: node scripts/bootstrap.cjs <script.ts> [args...]');
    process.exit(2);
  }
  installDependencies();
  const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
  const child = spawn(pinnedNode, [path.resolve(root, script), ...args], { cwd: root, env, stdio: 'inherit' });
  // Forward what a supervisor sends (`kill PID`), so the real script, which owns the graceful
  // shutdown, is never orphaned. Ctrl-C on a terminal already reaches the whole foreground
  // process group, so SIGINT is forwarded only when there is no terminal.
  const forwarded = process.stdin.isTTY ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  if (process.stdin.isTTY) process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] || 0) : 1)));
}

main();
