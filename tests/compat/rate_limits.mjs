// Drives DatoCMS's official CMA client through a rate limit (SPEC-2 §12) against a live server
// whose limit is small (5 requests per 2 s): bursts of reads and writes, and a job the client
// polls after another script on the same token spent the limit. The client waits X-RateLimit-Reset seconds on
// a 429 and retries: every call must succeed, unchanged.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node rate_limits.mjs
//
// Output and exit codes: see harness.mjs.

import assert from 'node:assert/strict';

import { connect, exchanges, finish, step } from './harness.mjs';

const { client, baseUrl, apiToken } = connect();
const LIMIT = '5';

// The exchanges from index `from` on, and what each 429 among them said.
function limitedSince(from) {
  const recorded = exchanges.slice(from).filter((e) => e.response);
  for (const e of recorded) {
    assert.equal(e.response.headers['x-ratelimit-limit'], LIMIT, `${e.request.url}: no limit header`);
    assert.ok(/^\d+$/.test(e.response.headers['x-ratelimit-remaining']));
  }
  const limited = recorded.filter((e) => e.response.status === 429);
  for (const e of limited) {
    const reset = e.response.headers['x-ratelimit-reset'];
    assert.ok(/^\d+$/.test(reset) && Number(reset) >= 1, `X-RateLimit-Reset ${reset}`);
    assert.equal(e.response.body.data[0].attributes.code, 'RATE_LIMIT_EXCEEDED');
  }
  return { recorded, limited };
}

const models = [];

await step('a burst of reads rides out the 429s', async () => {
  const from = exchanges.length;
  const sites = await Promise.all(Array.from({ length: 16 }, () => client.site.find()));
  assert.equal(sites.length, 16);
  assert.ok(sites.every((site) => site.locales.length > 0));
  const { recorded, limited } = limitedSince(from);
  assert.ok(limited.length >= 1, 'the burst was never limited');
  return { requests: recorded.length, limited: limited.length };
});

await step('a burst of writes rides out the 429s, each written once', async () => {
  const from = exchanges.length;
  const created = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      client.itemTypes.create({ name: `Limited ${i}`, api_key: `limited_${'abcdefgh'[i]}` }),
    ),
  );
  models.push(...created);
  const { recorded, limited } = limitedSince(from);
  assert.ok(limited.length >= 1, 'the burst was never limited');
  const listed = await client.itemTypes.list();
  const apiKeys = listed.map((m) => m.api_key).filter((k) => k.startsWith('limited_'));
  assert.deepEqual(apiKeys.sort(), created.map((m) => m.api_key).sort());
  return { requests: recorded.length, limited: limited.length };
});

await step('a job (items.duplicate) is polled to its end while the limit is spent', async () => {
  const from = exchanges.length;
  // Another script on the same token spends the window just before the client's first poll
  // of the job (plain requests until one is refused), so that the poll meets a 429. The
  // refusal must leave more than a second of the 2 s window (X-RateLimit-Reset: 2), or the
  // poll, sent next, may fall in a fresh window and go through.
  const headers = { Authorization: `Bearer ${apiToken}`, 'X-Api-Version': '3' };
  const plainFetch = globalThis.fetch;
  let spent = false;
  globalThis.fetch = async (url, init) => {
    if (!spent && String(url).includes('/job-results/')) {
      spent = true;
      for (;;) {
        const answer = await plainFetch(`${baseUrl}/site`, { headers });
        await answer.text(); // read: its connection goes back to the pool
        if (answer.status !== 429) continue;
        if (Number(answer.headers.get('x-ratelimit-reset')) >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 100)); // wait for a fresh window
      }
    }
    return plainFetch(url, init);
  };
  const record = await client.items.create({
    item_type: { type: 'item_type', id: models[0].id },
  });
  const copy = await client.items.duplicate(record.id);
  globalThis.fetch = plainFetch;
  assert.notEqual(copy.id, record.id);
  const { limited } = limitedSince(from);
  const accepted = exchanges
    .slice(from)
    .find((e) => e.request.url.endsWith('/duplicate') && e.response && e.response.status === 202);
  assert.ok(accepted, 'items.duplicate was not a job');
  const jobId = accepted.response.body.data.id;
  const polls = exchanges
    .slice(from)
    .filter((e) => new URL(e.request.url).pathname.endsWith(`/job-results/${jobId}`))
    .map((e) => e.response.status);
  assert.equal(polls.at(-1), 200, `polls: ${polls}`);
  assert.ok(polls.includes(429), `the job's polls were never limited: ${polls}`);
  const copies = await client.items.list({ filter: { type: models[0].api_key } });
  assert.deepEqual(copies.map((i) => i.id).sort(), [record.id, copy.id].sort());
  return { polls, limited: limited.length };
});

finish();
