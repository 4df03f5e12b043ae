// Drives DatoCMS's official CMA client through webhooks and webhook calls (SPEC-2 §8) against a
// live server with its worker (`manage.py serve`): webhooks.create/list/find/update/destroy, a bad
// event refused naming `events`, a record create delivered by the worker to the receiver the
// caller runs (CMS_RECEIVER_URL; it answers 500 first, so the call is retried), then
// webhookCalls.list with filters and order_by, find, resendWebhook.
//
//   CMS_BASE_URL=... CMS_API_TOKEN=... CMS_RECEIVER_URL=http://127.0.0.1:9999/hook node webhooks.mjs
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

let webhook;
let record;

const attributes = {
  name: 'Site build',
  url: receiverUrl,
  custom_payload: null,
  headers: { 'X-Secret': 'abc' },
  events: [{ entity_type: 'item', event_types: ['create', 'update'] }],
  http_basic_user: 'user',
  http_basic_password: 'pass',
  auto_retry: true,
};

await step('webhooks.create, list, find, update', async () => {
  webhook = await client.webhooks.create(attributes);
  assert.equal(webhook.type, 'webhook');
  assert.equal(webhook.name, 'Site build');
  assert.equal(webhook.enabled, true);
  assert.deepEqual(webhook.headers, { 'X-Secret': 'abc' });
  const listed = await client.webhooks.list();
  assert.deepEqual(
    listed.map((w) => w.id),
    [webhook.id],
  );
  const found = await client.webhooks.find(webhook.id);
  assert.equal(found.url, receiverUrl);
  const updated = await client.webhooks.update(webhook.id, { payload_api_version: '3' });
  assert.equal(updated.auto_retry, true);
  return { webhook: webhook.id };
});

await step('a bad event is refused, naming events', async () => {
  const error = await expectApiError(() =>
    client.webhooks.create({
      ...attributes,
      name: 'bad',
      events: [{ entity_type: 'item', event_types: ['promote'] }],
    }),
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'events' }));
});

await step('a record create is delivered by the worker, retried after a 500', async () => {
  const model = await client.itemTypes.create({ name: 'Post', api_key: 'post' });
  await client.fields.create(model.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  record = await client.items.create({ item_type: { type: 'item_type', id: model.id }, title: 'Hi' });
  let calls = [];
  for (let i = 0; i < 200; i += 1) {
    calls = await client.webhookCalls.list({
      filter: { fields: { webhook_id: { eq: webhook.id }, event_type: { eq: 'create' } } },
    });
    if (calls.length && calls[0].status === 'success') break;
    await sleep(100);
  }
  assert.equal(calls.length, 1);
  assert.equal(calls[0].status, 'success');
  assert.equal(calls[0].attempted_auto_retries_count, 1);
  assert.equal(calls[0].response_status, 200);
  assert.deepEqual(calls[0].webhook, { type: 'webhook', id: webhook.id });
  const payload = JSON.parse(calls[0].request_payload);
  assert.equal(payload.entity.id, record.id);
  assert.equal(payload.entity_type, 'item');
  return { record: record.id, call: calls[0].id };
});

await step('webhookCalls.list order_by and paging, find, resendWebhook', async () => {
  const ordered = await client.webhookCalls.list({ order_by: 'created_at_desc', page: { limit: 1 } });
  assert.equal(ordered.length, 1);
  const all = [];
  for await (const call of client.webhookCalls.listPagedIterator()) all.push(call);
  assert.ok(all.length >= 1);
  const found = await client.webhookCalls.find(ordered[0].id);
  assert.equal(found.id, ordered[0].id);
  await client.webhookCalls.resendWebhook(found.id);
  let again = found;
  for (let i = 0; i < 100 && again.last_sent_at === found.last_sent_at; i += 1) {
    await sleep(100);
    again = await client.webhookCalls.find(found.id); // the worker sends it
  }
  assert.notEqual(again.last_sent_at, found.last_sent_at);
  assert.equal(again.status, 'success');
  const error = await expectApiError(() => client.webhookCalls.list({ order_by: 'created_at_DESC' }));
  assertApiErrorCode(error, 'INVALID_QUERY_PARAMETERS', 422);
  return { resent: found.id };
});

await step('webhooks.destroy', async () => {
  const destroyed = await client.webhooks.destroy(webhook.id);
  assert.equal(destroyed.id, webhook.id);
  assert.deepEqual(await client.webhooks.list(), []);
});

finish();
