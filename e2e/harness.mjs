// Browser-test harness: a real Kafka topic filled by the real simulator, a live producer,
// the real `trackside serve`, and Debian's Chromium driven by playwright-core.
//
// Environment:
//   TRACKSIDE_BIN           the built binary (default target/debug/trackside)
//   TRACKSIDE_TEST_BROKERS  a running broker (default 127.0.0.1:9092); `make test` starts it
// and on the PATH: kcat (for writing raw records; scripts/deps.sh installs it).
//
// Every run gets its own topic and consumer group (e2e-<random>), so runs never collide
// and need no clean-up on the broker. Logs go to e2e/artifacts/ (git-ignored).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = path.join(REPO, 'e2e', 'artifacts');
export const BIN = path.resolve(REPO, process.env.TRACKSIDE_BIN ?? 'target/debug/trackside');
export const BROKERS = process.env.TRACKSIDE_TEST_BROKERS ?? '127.0.0.1:9092';
export const CHROMIUM = process.env.TRACKSIDE_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium in a closed network: without these it keeps dialling out and floods refused connections. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const FILL = { partitions: 3, cars: 4, count: 600 };

export const uniqueName = (prefix = 'e2e') => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Children still running, killed if the test process exits without stopping them. */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function logStream(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return fs.createWriteStream(path.join(ARTIFACTS, name), { flags: 'a' });
}

function run(args, { log, cwd = REPO, env = {} }) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} does not exist: build it first (cargo build) or set TRACKSIDE_BIN`);
  }
  const child = spawn(BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', ...env } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  log.write(`\n=== ${new Date().toISOString()} ${path.basename(BIN)} ${args.join(' ')}\n`);
  child.stderr.pipe(log, { end: false });
  return child;
}

/** Ends a child we started: SIGTERM, then SIGKILL if it lingers. */
export async function stop(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Creates `topic` and writes records as fast as possible: FILL's shape unless told otherwise
 * (`{ partitions, cars, count }`). Big fills take a second or two per 50,000 records.
 */
export async function fillTopic(topic, { partitions = FILL.partitions, cars = FILL.cars, count = FILL.count } = {}) {
  const log = logStream('simulate.log');
  const child = run([
    'simulate', '--brokers', BROKERS, '--topic', topic, '--partitions', String(partitions),
    '--cars', String(cars), '--count', String(count), '--as-fast-as-possible', '--seed', '1',
  ], { log });
  child.stdout.pipe(log, { end: false });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulate did not finish filling ${topic} within 60 s; see e2e/artifacts/simulate.log`));
    }, 60_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`simulate exited with ${code} while filling ${topic}; see e2e/artifacts/simulate.log`);
}

/**
 * Writes one raw record (any bytes, JSON or not) to `topic`/`partition` with kcat, the way an
 * outside producer would. kcat is a Debian package that scripts/deps.sh installs.
 */
export function produceRaw({ topic, partition, key, value }) {
  return produceLines({ topic, partition, key, values: [value] });
}

/** Writes records with the same key to `topic`/`partition` with one kcat, one record per value, in order. */
export async function produceLines({ topic, partition, key, values }) {
  const args = ['-P', '-b', BROKERS, '-t', topic, '-p', String(partition), '-k', String(key)];
  const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat did not deliver to ${topic}/${partition} within 15 s: ${stderr.trim()}`));
    }, 15_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT'
        ? new Error('kcat is not installed: run scripts/deps.sh (or apt-get install kcat); this test needs it to write a raw record')
        : err);
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
    // kcat reads one record per line; a value is one line. A kcat that never started
    // reports through 'error' above, not through its stdin.
    child.stdin.on('error', () => {});
    child.stdin.end(values.map((v) => `${v}\n`).join(''));
  });
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
}

/** A producer writing live telemetry to `topic` until stopped. */
export function startProducer(topic) {
  const log = logStream('producer.log');
  const child = run(['simulate', '--brokers', BROKERS, '--topic', topic, '--cars', String(FILL.cars), '--hz', '20'], { log });
  child.stdout.pipe(log, { end: false });
  return child;
}

/**
 * Starts `trackside serve` on a free port; resolves once it prints its address. `brokers`
 * defaults to the test broker; `logName` is its log file under e2e/artifacts/; `cwd` is its
 * working directory (the repository unless told).
 */
export async function startServer({
  topic, groupId, brokers = BROKERS, logName = 'server.log', extraArgs = [], env = {}, cwd = REPO,
}) {
  const log = logStream(logName);
  const child = run([
    'serve', '--brokers', brokers, '--listen', '127.0.0.1:0', '--group-id', groupId, '--topics', topic, ...extraArgs,
  ], { log, env, cwd });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error('the server printed no http://127.0.0.1:PORT line within 30 s')), 30_000);
    const onExit = (code) => fail(new Error(`the server exited (${code}) before it was ready`));
    function fail(err) {
      clearTimeout(timer);
      child.off('exit', onExit);
      reject(new Error(`${err.message}; see e2e/artifacts/${logName}`));
    }
    child.once('exit', onExit);
    child.stdout.on('data', (chunk) => {
      log.write(chunk);
      seen = (seen + chunk).slice(-4096);
      const m = seen.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
  });
  // Keep draining stdout after the address line, so the server never blocks on a full pipe.
  child.stdout.on('data', (chunk) => log.write(chunk));
  return { url, child };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Everything a browser test needs: a topic made ready by `prepare(topic, started)` (by
 * default a filled topic and a live producer; whatever it starts goes into `started` to be
 * stopped), a server and a browser. Call `stop()` in `after`. `serverCwd`: the server's
 * working directory (the repository); `serverArgs`: more flags for `serve` (`--channels FILE`).
 */
export async function startStack({ serverCwd = REPO, topic = uniqueName('e2e'), prepare = liveRace, serverArgs = [] } = {}) {
  const groupId = uniqueName('e2e');
  const started = [];
  try {
    await prepare(topic, started);
    const server = await startServer({ topic, groupId, cwd: serverCwd, extraArgs: serverArgs });
    started.push(() => stop(server.child));
    const browser = await launchBrowser();
    started.push(() => browser.close());
    return {
      topic, groupId, url: server.url, browser,
      async stop() {
        for (const s of started.reverse()) await s();
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s();
    throw err;
  }
}

/** The default `prepare` of `startStack`: a filled topic and a producer writing to it live. */
export async function liveRace(topic, started, fill = FILL) {
  await fillTopic(topic, fill);
  const producer = startProducer(topic);
  started.push(() => stop(producer));
}

/**
 * A fresh 1440×900 page that fails the test on any uncaught page error or console error.
 * Returns the page and the errors seen so far (checked by `assertNoPageErrors`).
 */
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.goto(url);
  return { page, errors, close: () => context.close() };
}

/** Counts the saturated (coloured) pixels of a canvas: grid, axes and text are grey, series are not. */
export function colouredPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
      if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  });
}

/** Polls `check` until it returns true, or fails with `what` after `timeout` ms. */
export async function waitUntil(check, what, { timeout = 30_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting until ${what}${last ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until `locator`'s visible text is exactly `expected`. */
export async function assertText(locator, expected) {
  await waitUntil(async () => (await locator.innerText()) === expected, `the text is “${expected}”`);
}

/**
 * Waits for the page to receive `n` more `stats` messages (the server sends one a second):
 * a clock that runs on the server's messages rather than on a fixed sleep.
 */
export async function waitForStats(page, n = 1, { timeout = 10_000 } = {}) {
  for (let i = 0; i < n; i++) {
    const seen = await page.evaluateHandle(() => window.trackside.stats);
    await page.waitForFunction((prev) => window.trackside.stats !== prev, seen, { timeout });
    await seen.dispose();
  }
}
