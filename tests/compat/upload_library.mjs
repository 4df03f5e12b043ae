// Drives DatoCMS's official CMA client through the media library (SPEC-2 §7.1, §7.3, §7.4) against
// a live server with a job worker (`manage.py serve`): uploadCollections create, list
// (filter[ids]), find, update (parent, position, children), a refused cycle, reorder and destroy
// through the client's own job poller; uploadTags list and create, uploadSmartTags list; an
// upload's upload_collection; uploads.bulkTag and uploads.bulkSetUploadCollection (202 jobs).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_UPLOAD_FILE=/tmp/pixel.png \
//   node upload_library.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the collections left and each
// upload's tags and collection, for the caller to check the database.

import assert from 'node:assert/strict';

import { generateId } from '@datocms/cma-client-node';

import {
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  jobPayload,
  postedJobPolls,
  relationship,
  report,
  step,
} from './harness.mjs';

const { client, localPath } = connect({ uploadFile: true });

// (label, parent label, position) in the order the list answers.
function shape(collections) {
  const labels = new Map(collections.map((c) => [c.id, c.label]));
  return collections.map((c) => [c.label, c.parent ? labels.get(c.parent.id) : null, c.position]);
}

const rel = (id) => relationship(id, 'upload_collection');
let photos;
let docs;
let summer;
let uploads;

await step('uploadCollections.create, with a chosen id and a parent', async () => {
  photos = await client.uploadCollections.create({ label: 'Photos' });
  assert.equal(photos.type, 'upload_collection');
  assert.equal(photos.position, 1);
  assert.equal(photos.parent, null);
  assert.deepEqual(photos.children, []);
  const chosen = generateId();
  docs = await client.uploadCollections.create({ id: chosen, label: 'Docs', position: 1 });
  assert.equal(docs.id, chosen);
  summer = await client.uploadCollections.create({ label: 'Summer', parent: rel(photos.id) });
  assert.deepEqual(summer.parent, rel(photos.id));
  return { photos: photos.id, docs: docs.id, summer: summer.id };
});

await step('uploadCollections.list and find', async () => {
  assert.deepEqual(shape(await client.uploadCollections.list()), [
    ['Docs', null, 1],
    ['Photos', null, 2],
    ['Summer', 'Photos', 1],
  ]);
  const some = await client.uploadCollections.list({ filter: { ids: `${summer.id},${docs.id}` } });
  assert.deepEqual(
    some.map((c) => c.id),
    [docs.id, summer.id],
  );
  const found = await client.uploadCollections.find(photos.id);
  assert.deepEqual(found.children, [rel(summer.id)]);
});

await step('uploadCollections.update: parent, position, children', async () => {
  const moved = await client.uploadCollections.update(docs.id, { parent: rel(photos.id), position: 1 });
  assert.equal(moved.position, 1);
  assert.deepEqual(shape(await client.uploadCollections.list()), [
    ['Photos', null, 1],
    ['Docs', 'Photos', 1],
    ['Summer', 'Photos', 2],
  ]);
  const parent = await client.uploadCollections.update(photos.id, {
    label: 'Pictures',
    children: [rel(summer.id)],
  });
  assert.equal(parent.label, 'Pictures');
  assert.deepEqual(parent.children, [rel(summer.id)]);
  assert.deepEqual(shape(await client.uploadCollections.list()), [
    ['Pictures', null, 1],
    ['Summer', 'Pictures', 1],
    ['Docs', null, 2],
  ]);
});

await step('uploadCollections refusals: under itself, no label', async () => {
  const loop = await expectApiError(
    () => client.uploadCollections.update(photos.id, { parent: rel(summer.id) }),
    'a collection under its child',
  );
  assertApiErrorCode(loop, 'INVALID_RELATIONSHIP', 422);
  assert.ok(loop.findError('INVALID_RELATIONSHIP', { code: 'VALIDATION_CYCLE', id: photos.id }));
  const unlabelled = await expectApiError(() => client.uploadCollections.create({}), 'no label');
  assert.ok(unlabelled.findError('INVALID_FIELD', { field: 'label' }));
});

await step('uploadCollections.reorder through the job poller', async () => {
  const from = exchanges.length;
  const reordered = await client.uploadCollections.reorder([
    { id: docs.id, type: 'upload_collection', position: 1, parent: null },
    { id: summer.id, type: 'upload_collection', position: 2, parent: null },
  ]);
  assert.deepEqual(
    reordered.map((c) => c.id),
    [docs.id, summer.id],
  );
  const { polls } = postedJobPolls('/upload-collections/reorder', from);
  assert.deepEqual(shape(await client.uploadCollections.list()), [
    ['Docs', null, 1],
    ['Summer', null, 2],
    ['Pictures', null, 3],
  ]);
  return { polls };
});

await step('uploads into a collection: create and update', async () => {
  const first = await client.uploads.createFromLocalFile({ localPath, tags: ['sea'] });
  const second = await client.uploads.createFromLocalFile({ localPath, tags: ['sky'] });
  uploads = [first, second];
  assert.equal(first.upload_collection, null);
  const updated = await client.uploads.update(first.id, { upload_collection: rel(docs.id) });
  assert.deepEqual(updated.upload_collection, rel(docs.id));
  const unknown = await expectApiError(
    () => client.uploads.update(first.id, { upload_collection: rel(generateId()) }),
    'an unknown collection',
  );
  assert.ok(unknown.findError('INVALID_RELATIONSHIP', { field: 'upload_collection' }));
  return { uploads: uploads.map((u) => u.id) };
});

await step('uploadTags.list and create', async () => {
  const created = await client.uploadTags.create({ name: 'blue' });
  assert.equal(created.type, 'upload_tag');
  assert.equal(created.name, 'blue');
  const all = await client.uploadTags.list();
  assert.deepEqual(
    all.map((t) => t.name),
    ['blue', 'sea', 'sky'],
  );
  const raw = await client.uploadTags.rawList({ filter: { query: 's' }, page: { limit: 1 } });
  assert.equal(raw.meta.total_count, 2);
  assert.deepEqual(
    raw.data.map((t) => t.id),
    ['sea'],
  );
  const iterated = [];
  for await (const tag of client.uploadTags.listPagedIterator({}, { perPage: 2 })) {
    iterated.push(tag.name);
  }
  assert.deepEqual(iterated, ['blue', 'sea', 'sky']);
  const empty = await expectApiError(() => client.uploadTags.create({ name: ' ' }), 'an empty tag');
  assert.ok(empty.findError('INVALID_FIELD', { field: 'name', code: 'VALIDATION_REQUIRED' }));
});

await step('uploadSmartTags.list', async () => {
  const smart = await client.uploadSmartTags.list();
  assert.ok(Array.isArray(smart));
  assert.ok(smart.every((t) => t.type === 'upload_smart_tag' && t.name === t.id));
  const raw = await client.uploadSmartTags.rawList({ page: { limit: 500 } });
  assert.equal(raw.meta.total_count, raw.data.length);
  return { smartTags: smart.map((t) => t.name) };
});

await step('uploads.bulkTag through the job poller', async () => {
  const from = exchanges.length;
  const unknown = generateId();
  const answer = await client.uploads.bulkTag({
    tags: ['sea', 'summer'],
    uploads: [...uploads.map((u) => relationship(u.id, 'upload')), relationship(unknown, 'upload')],
  });
  assert.deepEqual(answer, []);
  const { jobId, polls } = postedJobPolls('/uploads/bulk/tag', from);
  const payload = jobPayload(jobId, from);
  assert.deepEqual(
    [payload.meta.successful, payload.meta.failed, payload.meta.failures[0].upload],
    [2, 1, unknown],
  );
  assert.deepEqual((await client.uploads.find(uploads[0].id)).tags, ['sea', 'summer']);
  assert.deepEqual((await client.uploads.find(uploads[1].id)).tags, ['sky', 'sea', 'summer']);
  const tooMany = await expectApiError(
    () =>
      client.uploads.bulkTag({
        tags: ['x'],
        uploads: Array.from({ length: 201 }, () => relationship(generateId(), 'upload')),
      }),
    'more than 200 uploads',
  );
  assert.ok(tooMany.findError('INVALID_RELATIONSHIP', { field: 'uploads', code: 'VALIDATION_LENGTH' }));
  return { polls };
});

await step('uploads.bulkSetUploadCollection, then null', async () => {
  const from = exchanges.length;
  const uploadRels = uploads.map((u) => relationship(u.id, 'upload'));
  await client.uploads.bulkSetUploadCollection({
    upload_collection: rel(summer.id),
    uploads: uploadRels,
  });
  const { polls } = postedJobPolls('/uploads/bulk/set-upload-collection', from);
  for (const upload of uploads) {
    assert.deepEqual((await client.uploads.find(upload.id)).upload_collection, rel(summer.id));
  }
  await client.uploads.bulkSetUploadCollection({ upload_collection: null, uploads: [uploadRels[1]] });
  assert.equal((await client.uploads.find(uploads[1].id)).upload_collection, null);
  return { polls };
});

await step('uploadCollections.destroy keeps the uploads', async () => {
  const destroyed = await client.uploadCollections.destroy(summer.id);
  assert.equal(destroyed.id, summer.id);
  const kept = await client.uploads.find(uploads[0].id);
  assert.equal(kept.upload_collection, null);
  assertApiErrorCode(
    await expectApiError(() => client.uploadCollections.find(summer.id), 'a destroyed collection'),
    'NOT_FOUND',
    404,
  );
});

const left = await client.uploadCollections.list();
const uploadsLeft = await Promise.all(uploads.map((u) => client.uploads.find(u.id)));
report('left', {
  collections: left.map((c) => c.id),
  uploads: uploadsLeft.map((u) => [u.id, u.tags, u.upload_collection ? u.upload_collection.id : null]),
});
finish();
