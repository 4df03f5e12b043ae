// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// the GET /items filters of SPEC-2 §4.3 as the client serializes them: arrays as `key[]=v`
// (any_in, all_in, eq as a set, notIn), `matches` as a sub-object (pattern, case_sensitive,
// regexp), `near` as one too, is_blank, filter[query] with order_by=_rank_DESC, and a bad
// filter refused with INVALID_FILTER_FIELDS_PARAM.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node filters.mjs
//
// Optional env and the output: see harness.mjs.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  lastExchange,
  removeItemTypes,
  step,
} from './harness.mjs';

const { client } = connect();

const API_KEYS = ['gizmo', 'tag'];
let gizmoTypeId;
const tags = [];
const gizmos = {};

const names = (records) => records.map((r) => r.name).sort();
const list = (fields, extra = {}) => client.items.list({ filter: { type: 'gizmo', fields }, ...extra });

// The query string of the last GET /items, decoded, as the server received it.
function lastQuery() {
  return decodeURIComponent(new URL(lastExchange('GET', '/items').request.url).search);
}

await step('cleanup_previous_run', async () => ({ removed: await removeItemTypes(client, API_KEYS) }));

await step('schema: tag and gizmo models', async () => {
  const tagType = await client.itemTypes.create({ name: 'Tag', api_key: 'tag' });
  await client.fields.create(tagType.id, { label: 'Name', field_type: 'string', api_key: 'name' });
  for (const name of ['red', 'green', 'blue']) {
    tags.push((await client.items.create({ item_type: { id: tagType.id, type: 'item_type' }, name })).id);
  }
  const gizmoType = await client.itemTypes.create({ name: 'Gizmo', api_key: 'gizmo' });
  gizmoTypeId = gizmoType.id;
  for (const [api_key, field_type, validators] of [
    ['name', 'string', {}],
    ['body', 'text', {}],
    ['tags', 'links', { items_item_type: { item_types: [tagType.id] } }],
    ['spot', 'lat_lon', {}],
  ]) {
    await client.fields.create(gizmoTypeId, { label: api_key, field_type, api_key, validators });
  }
});

await step('items.create gizmos', async () => {
  const [red, green, blue] = tags;
  for (const [name, body, linked, spot] of [
    ['Gizmo A', 'a sprocket and a sprocket', [red, green], { latitude: 48.8566, longitude: 2.3522 }],
    ['gizmo.b', '', [green], { latitude: 51.5074, longitude: -0.1278 }],
    ['Bolt', 'one sprocket', [red, green, blue], null],
  ]) {
    const record = await client.items.create({
      item_type: { id: gizmoTypeId, type: 'item_type' },
      name,
      body,
      tags: linked,
      spot,
    });
    gizmos[name] = record.id;
  }
});

await step('items.list: links as sets (any_in, all_in, eq, not_in)', async () => {
  const [red, green, blue] = tags;
  assert.deepEqual(names(await list({ tags: { any_in: [blue] } })), ['Bolt']);
  assert.ok(lastQuery().includes(`filter[fields][tags][any_in][]=${blue}`), lastQuery());
  assert.deepEqual(names(await list({ tags: { all_in: [red, green] } })), ['Bolt', 'Gizmo A']);
  assert.deepEqual(names(await list({ tags: { eq: [green, red] } })), ['Gizmo A']);
  assert.deepEqual(names(await list({ tags: { not_in: [red] } })), ['gizmo.b']);
});

await step('items.list: matches sub-objects, not_matches, is_blank', async () => {
  const literal = { pattern: 'gizmo.', case_sensitive: false, regexp: false };
  assert.deepEqual(names(await list({ name: { matches: literal } })), ['gizmo.b']);
  assert.ok(lastQuery().includes('filter[fields][name][matches][regexp]=false'), lastQuery());
  const pattern = { pattern: 'gizmo.', case_sensitive: false, regexp: true };
  assert.deepEqual(names(await list({ name: { matches: pattern } })), ['Gizmo A', 'gizmo.b']);
  const sensitive = { pattern: '^Giz', case_sensitive: true };
  assert.deepEqual(names(await list({ name: { matches: sensitive } })), ['Gizmo A']);
  assert.deepEqual(names(await list({ name: { not_matches: { pattern: '^giz' } } })), ['Bolt']);
  assert.deepEqual(names(await list({ body: { is_blank: true } })), ['gizmo.b']);
});

await step('items.list: near, and meta keys with notIn', async () => {
  const near = { latitude: 48.85, longitude: 2.35, radius: 400000 };
  assert.deepEqual(names(await list({ spot: { near } })), ['Gizmo A', 'gizmo.b']);
  assert.ok(lastQuery().includes('filter[fields][spot][near][radius]=400000'), lastQuery());
  const close = { latitude: 48.85, longitude: 2.35, radius: 1000 };
  assert.deepEqual(names(await list({ spot: { near: close } })), ['Gizmo A']);
  const notIn = { id: { notIn: [gizmos.Bolt] }, _status: { notIn: ['draft'] } };
  assert.deepEqual(names(await list(notIn)), ['Gizmo A', 'gizmo.b']);
  assert.ok(lastQuery().includes('filter[fields][id][notIn][]='), lastQuery());
});

await step('items.list: filter[query] by relevance', async () => {
  const ranked = await client.items.list({
    filter: { type: 'gizmo', query: 'sprocket' },
    order_by: '_rank_DESC',
  });
  assert.deepEqual(ranked.map((r) => r.name), ['Gizmo A', 'Bolt']);
});

await step('items.list: a bad filter is refused', async () => {
  const error = await expectApiError(
    () => list({ spot: { near: { latitude: 91, longitude: 0, radius: 1 } } }),
    'near with latitude 91',
  );
  assertApiErrorCode(error, 'INVALID_FILTER_FIELDS_PARAM', 422);
  assert.equal(error.findError('INVALID_FILTER_FIELDS_PARAM').attributes.details.field, 'spot');
});

finish();
