// Drives DatoCMS's official CMA client through the audit log (SPEC-2 §11) against a live server
// whose pages hold 2 events (CMS_AUDIT_LOG_PAGE_SIZE=2): writes of several kinds (schema, records,
// publish, a fork (its request's and its job's events) and a write in the sandbox), then
// auditLogEvents.query (the array only) and rawQuery followed page by page through
// meta.next_token, detailed_log, and a filter refused.
//
//   CMS_BASE_URL=... CMS_API_TOKEN=... node audit_log.mjs
//
// Output and exit codes: see harness.mjs.

import assert from 'node:assert/strict';

import { assertApiErrorCode, clientFor, connect, expectApiError, finish, step } from './harness.mjs';

const { client, baseUrl, apiToken } = connect();
let model;
let record;

await step('writes of several kinds', async () => {
  model = await client.itemTypes.create({ name: 'Post', api_key: 'post', draft_mode_active: true });
  await client.fields.create(model.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  record = await client.items.create({ item_type: { type: 'item_type', id: model.id }, title: 'A' });
  await client.items.update(record.id, { title: 'B' });
  await client.items.publish(record.id);
  await client.environments.fork('main', { id: 'sandbox' });
  const sandbox = clientFor(baseUrl, apiToken, 'sandbox');
  await sandbox.items.create({ item_type: { type: 'item_type', id: model.id }, title: 'S' });
  return { record: record.id };
});

await step('auditLogEvents.query answers the array only', async () => {
  const events = await client.auditLogEvents.query({ filter: "action_name = 'items.update'" });
  assert.ok(Array.isArray(events));
  assert.equal(events.length, 1);
  const [event] = events;
  assert.equal(event.type, 'audit_log_event');
  assert.equal(event.action_name, 'items.update');
  assert.equal(event.actor.type, 'access_token');
  assert.deepEqual(event.environment, { id: 'main', primary: true });
  assert.equal(event.request.path, `/items/${record.id}`);
  assert.equal(event.request.method, 'PUT');
  assert.equal(event.request.payload, undefined);
  assert.equal(event.response.status, 200);
  assert.ok(event.meta.occurred_at);
});

await step('rawQuery pages through meta.next_token', async () => {
  const seen = [];
  let token = null;
  let pages = 0;
  do {
    const attributes = token ? { next_token: token } : {};
    const answer = await client.auditLogEvents.rawQuery({
      data: { type: 'audit_log_query', attributes },
    });
    assert.ok(answer.data.length <= 2);
    seen.push(...answer.data.map((e) => e.attributes.action_name));
    token = answer.meta.next_token;
    pages += 1;
  } while (token);
  assert.deepEqual(seen, [
    'item_types.create',
    'fields.create',
    'items.create',
    'items.update',
    'items.publish',
    'environments.fork', // the request and the fork job the worker ran (either order)
    'environments.fork',
    'items.create',
  ]);
  assert.equal(pages, 4);
  const forks = await client.auditLogEvents.query({ filter: "action_name = 'environments.fork'" });
  assert.deepEqual(forks.map((e) => e.actor.type).sort(), ['access_token', 'job']);
  return { pages };
});

await step('filters: begins_with, contains, a payload path, the sandbox', async () => {
  const fields = await client.auditLogEvents.query({ filter: "begins_with(action_name,'fields')" });
  assert.deepEqual(
    fields.map((e) => e.action_name),
    ['fields.create'],
  );
  const related = await client.auditLogEvents.query({
    filter: `request.payload.data.relationships.item_type.data.id = '${model.id}'`,
    detailed_log: true,
  });
  assert.equal(related.length, 2);
  assert.equal(related[0].request.payload.data.attributes.title, 'A');
  assert.equal(related[0].response.payload.data.id, record.id);
  const sandbox = await client.auditLogEvents.query({
    filter: "environment.id = 'sandbox' AND contains(action_name, 'create')",
  });
  assert.deepEqual(sandbox[0].environment, { id: 'sandbox', primary: false });
  assert.equal(sandbox.length, 1);
});

await step('a filter it does not know is refused', async () => {
  const error = await expectApiError(
    () => client.auditLogEvents.query({ filter: 'action_name LIKE 1' }),
    'LIKE',
  );
  assertApiErrorCode(error, 'INVALID_AUDIT_LOG_FILTER', 422);
  const details = error.findError('INVALID_AUDIT_LOG_FILTER').attributes.details;
  assert.deepEqual([details.code, details.position, details.token], ['UNEXPECTED_TOKEN', 12, 'LIKE']);
});

finish();
