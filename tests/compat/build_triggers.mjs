// Drives DatoCMS's official CMA client through build triggers (SPEC-2 §9) against a live server
// with its worker (`manage.py serve`): buildTriggers.create/list/find/update, an unsupported
// adapter refused naming `adapter`, trigger (the worker POSTs to the CI the caller runs on
// CMS_RECEIVER_URL; the caller checks what arrived), the CI's report on webhook_url, abort,
// abortIndexing, reindex and destroy.
//
//   CMS_BASE_URL=... CMS_API_TOKEN=... CMS_RECEIVER_URL=http://127.0.0.1:9999/hook node build_triggers.mjs
//
// Output and exit codes: see harness.mjs.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  sleep,
  step,
} from './harness.mjs';

const { client } = connect();
const receiverUrl = process.env.CMS_RECEIVER_URL;

let trigger;

const attributes = {
  name: 'Production',
  adapter: 'custom',
  adapter_settings: {
    trigger_url: receiverUrl,
    headers: { Authorization: 'Bearer ci-token' },
    payload: { type: 'build_request' },
  },
  frontend_url: 'https://www.example.com/',
  autotrigger_on_scheduled_publications: false,
};

async function statusBecomes(id, wanted) {
  let found;
  for (let i = 0; i < 200; i += 1) {
    found = await client.buildTriggers.find(id);
    if (found.build_status === wanted) return found;
    await sleep(100);
  }
  assert.fail(`build_status stayed ${found.build_status}, not ${wanted}`);
}

await step('buildTriggers.create, list, find, update', async () => {
  trigger = await client.buildTriggers.create({ ...attributes, webhook_token: 'compat-token-0123456789' });
  assert.equal(trigger.type, 'build_trigger');
  assert.equal(trigger.name, 'Production');
  assert.equal(trigger.enabled, true);
  assert.equal(trigger.webhook_token, 'compat-token-0123456789');
  assert.ok(trigger.webhook_url.endsWith('/build-triggers/compat-token-0123456789/deploy-results'));
  assert.equal(trigger.last_build_completed_at, null);
  const listed = await client.buildTriggers.list();
  assert.deepEqual(
    listed.map((t) => t.id),
    [trigger.id],
  );
  const found = await client.buildTriggers.find(trigger.id);
  assert.deepEqual(found.adapter_settings, attributes.adapter_settings);
  const updated = await client.buildTriggers.update(trigger.id, { name: 'Live', indexing_enabled: true });
  assert.equal(updated.name, 'Live');
  assert.equal(updated.indexing_enabled, true);
  return { trigger: trigger.id };
});

await step('an unsupported adapter is refused, naming adapter', async () => {
  const error = await expectApiError(() =>
    client.buildTriggers.create({ ...attributes, adapter: 'netlify' }),
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'adapter', code: 'VALIDATION_NOT_SUPPORTED' }));
});

// The caller's receiver (the CI) answers a GET with how many build requests it got.
async function ciReceived(count) {
  for (let i = 0; i < 300; i += 1) {
    const answer = await (await fetch(receiverUrl)).json();
    if (answer.received >= count) return;
    await sleep(100);
  }
  assert.fail(`the CI got no build request ${count}`);
}

await step('trigger: the worker sends the build request, the CI reports success', async () => {
  await client.buildTriggers.trigger(trigger.id);
  await statusBecomes(trigger.id, 'pending');
  // A CI reports on a build it was asked for: only once the worker's request reached it
  // (reported earlier, the next step's abort would cancel that request, still unsent and
  // covering the next trigger too). The caller checks what the worker sent; the CI
  // reports on webhook_url with no API token.
  await ciReceived(1);
  const reported = await fetch(trigger.webhook_url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'success' }),
  });
  assert.equal(reported.status, 204);
  const done = await statusBecomes(trigger.id, 'success');
  assert.ok(done.last_build_completed_at);
});

await step('trigger then abort: the build is marked failed', async () => {
  await client.buildTriggers.trigger(trigger.id);
  await client.buildTriggers.abort(trigger.id);
  const aborted = await client.buildTriggers.find(trigger.id);
  assert.equal(aborted.build_status, 'failure');
});

await step('abortIndexing and reindex answer nothing', async () => {
  assert.equal(await client.buildTriggers.abortIndexing(trigger.id), undefined);
  assert.equal(await client.buildTriggers.reindex(trigger.id), undefined);
});

await step('buildTriggers.destroy', async () => {
  const destroyed = await client.buildTriggers.destroy(trigger.id);
  assert.equal(destroyed.id, trigger.id);
  assert.deepEqual(await client.buildTriggers.list(), []);
  const error = await expectApiError(() => client.buildTriggers.find(trigger.id));
  assertApiErrorCode(error, 'NOT_FOUND', 404);
});

finish();
