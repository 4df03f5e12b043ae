// Drives DatoCMS's official CMA client through scheduled publication and unpublishing (SPEC-2 §5)
// against a live server with its worker (`manage.py serve`): scheduledPublication.create and
// destroy, scheduledUnpublishing.create and destroy, the record's meta while scheduled, a past
// date refused, and a publication the worker runs a few seconds later.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node schedules.mjs
//
// Output and exit codes: see harness.mjs. The "left" line names the record, for the caller.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  report,
  sleep,
  step,
} from './harness.mjs';

const { client } = connect();

const inSeconds = (seconds) => new Date(Date.now() + seconds * 1000).toISOString();
const sameInstant = (a, b) => assert.equal(new Date(a).getTime(), new Date(b).getTime());

let record;
let locale;

await step('a draft-mode model and a record', async () => {
  const site = await client.site.find();
  [locale] = site.locales;
  const model = await client.itemTypes.create({
    name: 'Announcement',
    api_key: 'announcement',
    draft_mode_active: true,
  });
  await client.fields.create(model.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  record = await client.items.create({
    item_type: { type: 'item_type', id: model.id },
    title: 'Soon',
  });
  assert.equal(record.meta.status, 'draft');
  assert.equal(record.meta.publication_scheduled_at, null);
  return { record: record.id };
});

await step('scheduledPublication.create, then destroy', async () => {
  const at = inSeconds(3600);
  const scheduled = await client.scheduledPublication.create(record.id, {
    publication_scheduled_at: at,
    selective_publication: { content_in_locales: [locale], non_localized_content: true },
  });
  assert.equal(scheduled.type, 'scheduled_publication');
  assert.match(scheduled.id, /^\d+$/);
  sameInstant(scheduled.publication_scheduled_at, at);
  assert.deepEqual(scheduled.selective_publication, {
    content_in_locales: [locale],
    non_localized_content: true,
  });
  assert.deepEqual(scheduled.item, { type: 'item', id: record.id });
  const found = await client.items.find(record.id);
  sameInstant(found.meta.publication_scheduled_at, at);
  const cancelled = await client.scheduledPublication.destroy(record.id);
  assert.equal(cancelled.id, record.id);
  assert.equal(cancelled.meta.publication_scheduled_at, null);
  return { scheduled: scheduled.id };
});

await step('a past date is refused', async () => {
  const error = await expectApiError(
    () =>
      client.scheduledPublication.create(record.id, {
        publication_scheduled_at: '2001-01-01T00:00:00Z',
      }),
    'a past publication_scheduled_at',
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(
    error.findError('INVALID_FIELD', {
      field: 'publication_scheduled_at',
      code: 'VALIDATION_IN_THE_PAST',
    }),
  );
  const found = await client.items.find(record.id);
  assert.equal(found.meta.publication_scheduled_at, null);
});

await step('the worker publishes a scheduled record a few seconds later', async () => {
  const at = inSeconds(3);
  await client.scheduledPublication.create(record.id, { publication_scheduled_at: at });
  let found;
  const deadline = Date.now() + 30000;
  do {
    await sleep(250);
    found = await client.items.find(record.id);
  } while (found.meta.status !== 'published' && Date.now() < deadline);
  assert.equal(found.meta.status, 'published');
  assert.equal(found.meta.publication_scheduled_at, null);
  const late = new Date(found.meta.published_at).getTime() - new Date(at).getTime();
  assert.ok(late >= 0 && late < 5000, `published ${late} ms after its time`);
  return { lateMs: late };
});

await step('scheduledUnpublishing.create, then destroy', async () => {
  const at = inSeconds(7200);
  const scheduled = await client.scheduledUnpublishing.create(record.id, {
    unpublishing_scheduled_at: at,
  });
  assert.equal(scheduled.type, 'scheduled_unpublishing');
  sameInstant(scheduled.unpublishing_scheduled_at, at);
  assert.equal(scheduled.content_in_locales, null);
  assert.deepEqual(scheduled.item, { type: 'item', id: record.id });
  const found = await client.items.find(record.id);
  sameInstant(found.meta.unpublishing_scheduled_at, at);
  const cancelled = await client.scheduledUnpublishing.destroy(record.id);
  assert.equal(cancelled.meta.unpublishing_scheduled_at, null);
  assert.equal(cancelled.meta.status, 'published');
});

report('left', { record: record.id });
finish();
