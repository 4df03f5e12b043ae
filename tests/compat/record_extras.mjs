// Drives DatoCMS's official CMA client (@datocms/cma-client-node) through the record extras
// against a live server and a live job worker: items.duplicate (a 202 job, through the client's
// own poller: blocks copied with new ids; a unique field refusing the copy), record validity
// after a validator change (re-checked by the worker: meta.is_valid, items.list with
// filter.only_valid and filter.fields._is_valid, order_by _is_valid), items.publish refused
// with the validation errors, and items.currentVsPublishedState / rawCurrentVsPublishedState.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node record_extras.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the records left.

import assert from 'node:assert/strict';

import { buildBlockRecord } from '@datocms/cma-client-node';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  removeItemTypes,
  report,
  sleep,
  step,
} from './harness.mjs';

const { client } = connect({ decodeRequests: true });

const itemTypeRel = (id) => ({ id, type: 'item_type' });

async function eventually(check, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

let noteTypeId;
let articleTypeId;
let titleFieldId;
let source;
let copy;
let short;
let long;

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, ['extra_article', 'extra_note']),
}));

await step('schema: a block model and a draft-mode model', async () => {
  const note = await client.itemTypes.create({
    name: 'Note',
    api_key: 'extra_note',
    modular_block: true,
  });
  noteTypeId = note.id;
  await client.fields.create(noteTypeId, { label: 'Text', api_key: 'text', field_type: 'string' });
  const article = await client.itemTypes.create({
    name: 'Article',
    api_key: 'extra_article',
    draft_mode_active: true,
  });
  articleTypeId = article.id;
  const title = await client.fields.create(articleTypeId, {
    label: 'Title',
    api_key: 'title',
    field_type: 'string',
  });
  titleFieldId = title.id;
  await client.fields.create(articleTypeId, {
    label: 'Code',
    api_key: 'code',
    field_type: 'string',
    validators: { unique: {} },
  });
  await client.fields.create(articleTypeId, {
    label: 'Notes',
    api_key: 'notes',
    field_type: 'rich_text',
    validators: { rich_text_blocks: { item_types: [noteTypeId] } },
  });
});

await step('items.duplicate copies values and blocks (job, polled by the client)', async () => {
  source = await client.items.create({
    item_type: itemTypeRel(articleTypeId),
    title: 'Original',
    notes: [
      buildBlockRecord({ item_type: itemTypeRel(noteTypeId), text: 'one' }),
      buildBlockRecord({ item_type: itemTypeRel(noteTypeId), text: 'two' }),
    ],
  });
  copy = await client.items.duplicate(source.id);
  assert.notEqual(copy.id, source.id);
  assert.equal(copy.title, 'Original');
  assert.equal(copy.item_type.id, articleTypeId);
  assert.equal(copy.meta.status, 'draft');
  assert.equal(copy.notes.length, 2);
  assert.deepEqual(
    copy.notes.filter((id) => source.notes.includes(id)),
    [],
    'the copy has blocks of its own',
  );
  const nested = await client.items.find(copy.id, { nested: true });
  assert.deepEqual(
    nested.notes.map((b) => b.attributes.text),
    ['one', 'two'],
  );
  return { source: source.id, copy: copy.id };
});

await step('items.duplicate of a record with a unique value is the uniqueness error', async () => {
  const unique = await client.items.create({
    item_type: itemTypeRel(articleTypeId),
    title: 'Unique',
    code: 'only-one',
  });
  const error = await expectApiError(() => client.items.duplicate(unique.id), 'a unique copy');
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'code', code: 'VALIDATION_UNIQUENESS' }));
  await client.items.destroy(unique.id);
});

await step('a validator change: the worker marks the records that break it', async () => {
  short = await client.items.create({ item_type: itemTypeRel(articleTypeId), title: 'Hi' });
  long = await client.items.create({ item_type: itemTypeRel(articleTypeId), title: 'Long enough' });
  assert.equal(short.meta.is_valid, true);
  assert.equal(short.meta.is_published_version_valid, null);
  await client.fields.update(titleFieldId, { validators: { length: { min: 5 } } });
  await eventually(
    async () => (await client.items.find(short.id)).meta.is_valid === false,
    'the short title marked invalid',
  );
  const found = await client.items.find(short.id);
  assert.equal(found.meta.is_current_version_valid, false);
  assert.equal((await client.items.find(long.id)).meta.is_valid, true);
});

await step('items.list with filter.only_valid, filter.fields._is_valid and order_by', async () => {
  const valid = await client.items.list({
    filter: { type: 'extra_article', only_valid: 'true' },
    order_by: '_created_at_ASC',
  });
  assert.deepEqual(
    valid.map((r) => r.id),
    [source.id, copy.id, long.id],
  );
  const invalid = await client.items.list({
    filter: { type: 'extra_article', fields: { _is_valid: { eq: false } } },
  });
  assert.deepEqual(
    invalid.map((r) => r.id),
    [short.id],
  );
  const ordered = await client.items.list({
    filter: { type: 'extra_article' },
    order_by: '_is_valid_ASC,_created_at_ASC',
  });
  assert.equal(ordered[0].id, short.id);
  return { valid: valid.length };
});

await step('items.publish of an invalid record is refused with its errors', async () => {
  const error = await expectApiError(() => client.items.publish(short.id), 'an invalid publish');
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'title', code: 'VALIDATION_LENGTH' }));
  assert.equal((await client.items.find(short.id)).meta.status, 'draft');
});

await step('items.currentVsPublishedState of a draft and a published record', async () => {
  const draft = await client.items.currentVsPublishedState(short.id);
  assert.equal(draft.type, 'item_current_vs_published_state');
  assert.equal(draft.current_version_non_localized_fields_invalid, true);
  assert.equal(draft.non_localized_fields_changed, true);
  assert.equal(draft.published_version, null);
  await client.items.publish(long.id);
  const raw = await client.items.rawCurrentVsPublishedState(long.id);
  assert.equal(raw.data.id, long.id);
  assert.equal(raw.data.attributes.non_localized_fields_changed, false);
  assert.equal(raw.data.attributes.current_version_non_localized_fields_invalid, false);
  const version = raw.data.relationships.published_version.data;
  assert.equal(version.type, 'item_version');
  assert.deepEqual(
    raw.included.map((i) => [i.type, i.id]),
    [['item_version', version.id]],
  );
  assert.equal(raw.data.relationships.scheduled_publication.data, null);
});

report('left', { records: [source.id, copy.id, short.id, long.id] });
finish();
