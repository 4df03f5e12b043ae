// Drives DatoCMS's official CMA client (@datocms/cma-client-node) through the bulk record calls
// against a live server and a live job worker: items.bulkPublish, bulkUnpublish and bulkDestroy
// (each a 202 job, through the client's own poller: the client answers [] as it drops meta), the
// raw calls' payload with meta.successful/failed and the per-record failures (an unknown id, a
// record a "fail" link holds back), and the refusals made in the request (move-to-stage: no
// workflows; over 200 records).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node bulk_items.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the records left.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  removeItemTypes,
  report,
  step,
} from './harness.mjs';

const { client } = connect();

const UNKNOWN = 'AAAAAAAAAAAAAAAAAAAAAA';
const refs = (records) => records.map((r) => ({ type: 'item', id: r.id }));
const statuses = async (records) => {
  const found = await client.items.list({
    filter: { ids: records.map((r) => r.id).join(',') },
    version: 'current',
  });
  const byId = Object.fromEntries(found.map((r) => [r.id, r.meta.status]));
  return records.map((r) => byId[r.id] ?? null);
};

let pages;
let maker;
let holder;

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, ['bulk_holder', 'bulk_page']),
}));

await step('schema and records: pages, and a holder whose link holds a page back', async () => {
  const page = await client.itemTypes.create({
    name: 'Bulk page',
    api_key: 'bulk_page',
    draft_mode_active: true,
  });
  await client.fields.create(page.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  const holderType = await client.itemTypes.create({ name: 'Bulk holder', api_key: 'bulk_holder' });
  await client.fields.create(holderType.id, {
    label: 'Page',
    api_key: 'page',
    field_type: 'link',
    validators: {
      item_item_type: { item_types: [page.id], on_reference_delete_strategy: 'fail' },
    },
  });
  pages = [];
  for (const title of ['one', 'two', 'three']) {
    pages.push(await client.items.create({ item_type: { type: 'item_type', id: page.id }, title }));
  }
  maker = pages[2];
  holder = await client.items.create({
    item_type: { type: 'item_type', id: holderType.id },
    page: maker.id,
  });
  return { pages: pages.map((p) => p.id) };
});

await step('items.bulkPublish publishes every record (job, polled by the client)', async () => {
  const answer = await client.items.bulkPublish({ items: refs(pages) });
  assert.deepEqual(answer, []);
  assert.deepEqual(await statuses(pages), ['published', 'published', 'published']);
});

await step('items.rawBulkPublish: an unknown id fails alone, named in the result', async () => {
  const payload = await client.items.rawBulkPublish({
    data: {
      type: 'item_bulk_publish_operation',
      relationships: { items: { data: [{ type: 'item', id: UNKNOWN }, ...refs(pages.slice(0, 1))] } },
    },
  });
  assert.deepEqual(payload.data, []);
  assert.equal(payload.meta.successful, 1);
  assert.equal(payload.meta.failed, 1);
  assert.equal(payload.meta.failures[0].item, UNKNOWN);
  assert.equal(payload.meta.failures[0].code, 'NOT_FOUND');
  return { meta: payload.meta };
});

await step('items.bulkUnpublish unpublishes the records named', async () => {
  const answer = await client.items.bulkUnpublish({ items: refs(pages.slice(0, 2)) });
  assert.deepEqual(answer, []);
  assert.deepEqual(await statuses(pages), ['draft', 'draft', 'published']);
});

await step('items.bulkDestroy deletes, except a record a "fail" link holds back', async () => {
  const payload = await client.items.rawBulkDestroy({
    data: {
      type: 'item_bulk_destroy_operation',
      relationships: { items: { data: refs([pages[0], maker]) } },
    },
  });
  assert.deepEqual(payload.meta.failures.map((f) => [f.item, f.code]), [
    [maker.id, 'DELETE_RESTRICTION'],
  ]);
  assert.deepEqual(payload.meta.failures[0].errors[0].details.linked_from, [holder.id]);
  const answer = await client.items.bulkDestroy({ items: refs([pages[1]]) });
  assert.deepEqual(answer, []);
  assert.deepEqual(await statuses(pages), [null, null, 'published']);
});

await step('items.bulkMoveToStage is refused: no workflows', async () => {
  const error = await expectApiError(
    () => client.items.bulkMoveToStage({ stage: 'review', items: refs([maker]) }),
    'a move to a stage',
  );
  assertApiErrorCode(error, 'WORKFLOWS_NOT_SUPPORTED', 422);
});

await step('items.bulkPublish of 201 records is refused in the request', async () => {
  const many = Array.from({ length: 201 }, () => ({ type: 'item', id: UNKNOWN }));
  const error = await expectApiError(() => client.items.bulkPublish({ items: many }), '201 ids');
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.equal(error.findError('INVALID_FIELD').attributes.details.field, 'items');
});

report('left', { records: [maker.id, holder.id] });
finish();
