// Start the real Bluesky reference server (@atproto/dev-env) on loopback for Hearth's e2e tests.
//
// Starts a full TestNetwork: PLC directory, PDS, AppView (bsky), bsync and Ozone, each on a free
// loopback port, all in this process. The AppView is needed because reading a post back as
// Bluesky clients see it (app.bsky.feed.getPosts, like/reply counts) is answered by the AppView,
// which the PDS proxies to. The AppView, bsync and Ozone keep their data in PostgreSQL (one
// dedicated database, a fresh set of schemas per run, dropped on exit) and the AppView uses Redis.
//
// With `--pds-only` only PLC + PDS start (no PostgreSQL or Redis); the AppView and moderation
// URLs then point at a closed loopback port so nothing is ever called outside this machine.
//
// When ready it creates one test account and an app password and prints ONE JSON line on stdout:
//   {"ready":true,"pds_url":...,"handle":...,"did":...,"app_password":...,"appview":true|false}
// Everything else goes to stderr. It stays up until SIGTERM/SIGINT (or stdin closes), then stops
// the servers and drops its schemas.
//
// Environment: HEARTH_BSKY_PG_URL (default postgresql://postgres@127.0.0.1:5432),
// HEARTH_BSKY_PG_DB (default hearth_bsky_e2e), REDIS_HOST (default 127.0.0.1:6379).

import net from 'node:net';
import process from 'node:process';

import pg from 'pg';
import { TestNetwork, TestNetworkNoAppView } from '@atproto/dev-env';

const pdsOnly = process.argv.includes('--pds-only');
const pgBase = (process.env.HEARTH_BSKY_PG_URL || 'postgresql://postgres@127.0.0.1:5432').replace(/\/$/, '');
const pgDatabase = process.env.HEARTH_BSKY_PG_DB || 'hearth_bsky_e2e';
// Schema names may hold only [A-Za-z_]: a random run tag in letters keeps parallel runs apart.
const runTag = Array.from({ length: 10 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const runSchema = `hearth_${runTag}`;
const schemas = [`appview_${runSchema}`, `bsync_${runSchema}`, `ozone_${runSchema}`];

// dev-env and its servers log freely to stdout; only our JSON line may go there.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => process.stderr.write(chunk, ...rest);
console.log = console.error;
console.info = console.error;
console.debug = console.error;
process.env.LOG_ENABLED ??= 'false';

const log = (message) => process.stderr.write(`[start-devenv] ${message}\n`);

async function withPostgres(database, work) {
  const client = new pg.Client({ connectionString: `${pgBase}/${database}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureDatabase() {
  await withPostgres('postgres', async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [pgDatabase]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${pgDatabase}"`);
      } catch (error) {
        if (error.code !== '42P04') throw error; // created meanwhile by a concurrent run
      }
    }
  });
}

async function dropSchemas() {
  await withPostgres(pgDatabase, async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

// A loopback port that was free a moment ago and is now closed: calls to it fail at once.
async function closedLoopbackUrl() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function startNetwork() {
  if (pdsOnly) {
    const closed = await closedLoopbackUrl();
    return TestNetworkNoAppView.create({
      pds: {
        hostname: 'localhost',
        enableDidDocWithSession: true,
        bskyAppViewUrl: closed,
        bskyAppViewDid: 'did:example:closed-appview',
        modServiceUrl: closed,
        modServiceDid: 'did:example:closed-moderation',
      },
    });
  }
  await ensureDatabase();
  process.env.REDIS_HOST ??= '127.0.0.1:6379';
  return TestNetwork.create({
    dbPostgresUrl: `${pgBase}/${pgDatabase}`,
    dbPostgresSchema: runSchema,
    pds: { hostname: 'localhost', enableDidDocWithSession: true },
  });
}

async function createAccount(network) {
  const agent = network.pds.getAgent();
  const handle = 'hearth-e2e.test';
  const password = 'main-account-password';
  await agent.createAccount({ handle, email: 'hearth-e2e@example.test', password });
  const appPassword = await agent.com.atproto.server.createAppPassword({ name: 'hearth-e2e' });
  if (!pdsOnly) await network.processAll(); // the AppView indexes the new account
  return { handle, did: agent.session.did, app_password: appPassword.data.password };
}

let network;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    if (network) await network.close();
  } catch (error) {
    log(`close failed: ${error.message}`);
  }
  if (!pdsOnly) {
    try {
      await dropSchemas();
    } catch (error) {
      log(`could not drop schemas: ${error.message}`);
    }
  }
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0)); // the parent went away without signalling
process.stdin.resume();

try {
  const started = Date.now();
  network = await startNetwork();
  const account = await createAccount(network);
  writeStdout(
    `${JSON.stringify({
      ready: true,
      pds_url: network.pds.url,
      appview_url: pdsOnly ? null : network.bsky.url,
      appview: !pdsOnly,
      ...account,
      startup_ms: Date.now() - started,
    })}\n`,
  );
  log(`ready in ${Date.now() - started} ms: PDS ${network.pds.url}`);
} catch (error) {
  log(`failed to start: ${error.stack || error}`);
  writeStdout(`${JSON.stringify({ ready: false, error: String(error.message || error) })}\n`);
  await stop(1);
}
