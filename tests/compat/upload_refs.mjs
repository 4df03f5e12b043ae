// Drives DatoCMS's official CMA client (@datocms/cma-client-node) through the uploads' references,
// the replacement of an upload's file and the bulk destroy, against a live server and a live job
// worker: uploads.references (nested, version; refusals), uploads.updateFromLocalFile (a new
// path: create_new_url), uploads.update with replace_strategy keep_url, uploads.bulkDestroy and
// rawBulkDestroy through the client's own job poller (uploads in use refused and reported).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... \
//   CMS_UPLOAD_FILE=/tmp/a.png CMS_UPLOAD_FILE_2=/tmp/b.png node upload_refs.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the uploads left.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  removeItemTypes,
  report,
  step,
} from './harness.mjs';

const { client, localPath, fileBytes } = connect({ uploadFile: true, decodeRequests: true });
const secondPath = process.env.CMS_UPLOAD_FILE_2;
const secondBytes = readFileSync(secondPath);
const md5Of = (bytes) => createHash('md5').update(bytes).digest('hex');
const itemTypeRel = (id) => ({ id, type: 'item_type' });
const ids = (records) => records.map((r) => r.id).sort();

const uploads = {};
let albumTypeId;
let slideTypeId;
let byCover;
let byBlock;

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, ['refs_album', 'refs_slide']),
}));

await step('schema: a draft-mode model with a file field and blocks holding files', async () => {
  const slide = await client.itemTypes.create({
    name: 'Slide',
    api_key: 'refs_slide',
    modular_block: true,
  });
  slideTypeId = slide.id;
  await client.fields.create(slideTypeId, { label: 'Picture', api_key: 'picture', field_type: 'file' });
  const album = await client.itemTypes.create({
    name: 'Album',
    api_key: 'refs_album',
    draft_mode_active: true,
  });
  albumTypeId = album.id;
  await client.fields.create(albumTypeId, { label: 'Cover', api_key: 'cover', field_type: 'file' });
  await client.fields.create(albumTypeId, {
    label: 'Slides',
    api_key: 'slides',
    field_type: 'rich_text',
    validators: { rich_text_blocks: { item_types: [slideTypeId] } },
  });
});

await step('uploads and the records using them', async () => {
  for (const name of ['cover', 'inBlock', 'later', 'spare']) {
    uploads[name] = (await client.uploads.createFromLocalFile({ localPath, tags: ['refs'] })).id;
  }
  byCover = await client.items.create({
    item_type: itemTypeRel(albumTypeId),
    cover: { upload_id: uploads.cover },
  });
  byBlock = await client.items.create({
    item_type: itemTypeRel(albumTypeId),
    slides: [
      {
        type: 'item',
        attributes: { picture: { upload_id: uploads.inBlock } },
        relationships: { item_type: { data: { id: slideTypeId, type: 'item_type' } } },
      },
    ],
  });
  return { uploads };
});

await step('uploads.references', async () => {
  assert.deepEqual(ids(await client.uploads.references(uploads.cover)), [byCover.id]);
  assert.deepEqual(ids(await client.uploads.references(uploads.inBlock)), [byBlock.id]);
  assert.deepEqual(await client.uploads.references(uploads.spare), []);
  const [nested] = await client.uploads.references(uploads.inBlock, { nested: true });
  assert.equal(nested.id, byBlock.id);
  const [slide] = nested.slides;
  assert.equal(typeof slide, 'object', 'nested: the block inline');
  assert.equal(slide.attributes.picture.upload_id, uploads.inBlock);
  const [flat] = await client.uploads.references(uploads.inBlock);
  assert.equal(typeof flat.slides[0], 'string', 'not nested: the block id');
});

await step('uploads.references by version', async () => {
  await client.items.publish(byCover.id);
  await client.items.update(byCover.id, { cover: { upload_id: uploads.later } });
  const of = async (upload, version) => ids(await client.uploads.references(upload, { version }));
  assert.deepEqual(await of(uploads.cover, 'current'), []);
  assert.deepEqual(await of(uploads.cover, 'published'), [byCover.id]);
  assert.deepEqual(await of(uploads.cover, 'published-or-current'), [byCover.id]);
  assert.deepEqual(await of(uploads.later, 'current'), [byCover.id]);
  assert.deepEqual(await of(uploads.later, 'published'), []);
});

await step('uploads.references refused: a bad version, an unknown upload', async () => {
  const bad = await expectApiError(
    () => client.uploads.references(uploads.cover, { version: 'draft' }),
    'version draft',
  );
  assertApiErrorCode(bad, 'INVALID_QUERY_PARAMETERS', 422);
  assert.equal(bad.findError('INVALID_QUERY_PARAMETERS').attributes.details.parameter, 'version');
  const unknown = await expectApiError(
    () => client.uploads.references('AAAAAAAAAAAAAAAAAAAAAA'),
    'unknown upload',
  );
  assertApiErrorCode(unknown, 'NOT_FOUND', 404);
});

await step('uploads.updateFromLocalFile: a new file, a new URL', async () => {
  const before = await client.uploads.find(uploads.spare);
  const after = await client.uploads.updateFromLocalFile(uploads.spare, { localPath: secondPath });
  assert.equal(after.id, uploads.spare);
  assert.notEqual(after.path, before.path);
  assert.notEqual(after.url, before.url);
  assert.equal(after.md5, md5Of(secondBytes));
  assert.equal(after.size, secondBytes.length);
  assert.notEqual(after.width, before.width, 'facts read again from the new file');
  const downloaded = Buffer.from(await (await fetch(after.url)).arrayBuffer());
  assert.equal(md5Of(downloaded), md5Of(secondBytes));
  return { path: after.path };
});

await step('uploads.update with replace_strategy keep_url', async () => {
  const before = await client.uploads.find(uploads.spare);
  const request = await client.uploadRequest.create({ filename: 'again.png' });
  const put = await fetch(request.url, { method: 'PUT', body: fileBytes });
  assert.ok(put.ok, `PUT answered ${put.status}`);
  const after = await client.uploads.update(
    uploads.spare,
    { path: request.id },
    { replace_strategy: 'keep_url' },
  );
  assert.equal(after.path, before.path);
  assert.equal(after.url, before.url);
  assert.equal(after.md5, md5Of(fileBytes));
  const downloaded = Buffer.from(await (await fetch(after.url)).arrayBuffer());
  assert.equal(md5Of(downloaded), md5Of(fileBytes), 'the same URL serves the new bytes');
});

await step('uploads.update refused: an unknown replace_strategy', async () => {
  const before = await client.uploads.find(uploads.spare);
  const request = await client.uploadRequest.create({ filename: 'never.png' });
  const error = await expectApiError(
    () =>
      client.uploads.update(uploads.spare, { path: request.id }, { replace_strategy: 'sideways' }),
    'replace_strategy sideways',
  );
  assertApiErrorCode(error, 'INVALID_QUERY_PARAMETERS', 422);
  assert.deepEqual(await client.uploads.find(uploads.spare), before, 'nothing may change');
});

await step('uploads.bulkDestroy through the job poller', async () => {
  const answer = await client.uploads.bulkDestroy({
    uploads: [{ id: uploads.spare, type: 'upload' }],
  });
  assert.deepEqual(answer, []);
  const gone = await expectApiError(() => client.uploads.find(uploads.spare), 'destroyed');
  assertApiErrorCode(gone, 'NOT_FOUND', 404);
});

await step('uploads.rawBulkDestroy: uploads in use refused and reported', async () => {
  const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
  const raw = await client.uploads.rawBulkDestroy({
    data: {
      type: 'upload_bulk_destroy_operation',
      relationships: {
        uploads: {
          data: [uploads.cover, uploads.inBlock, uploads.later, unknown].map((id) => ({
            id,
            type: 'upload',
          })),
        },
      },
    },
  });
  assert.deepEqual(raw.data, []);
  assert.equal(raw.meta.successful, 0);
  assert.equal(raw.meta.failed, 4);
  const codes = Object.fromEntries(raw.meta.failures.map((f) => [f.upload, f.code]));
  assert.deepEqual(codes, {
    [uploads.cover]: 'UPLOAD_IN_USE', // by the published version only
    [uploads.inBlock]: 'UPLOAD_IN_USE',
    [uploads.later]: 'UPLOAD_IN_USE',
    [unknown]: 'NOT_FOUND',
  });
  return { failures: raw.meta.failures };
});

await step('uploads.bulkDestroy refused: more than 200', async () => {
  const many = Array.from({ length: 201 }, (_, i) => ({
    id: `A${String(i).padStart(21, '0')}`,
    type: 'upload',
  }));
  const error = await expectApiError(
    () => client.uploads.bulkDestroy({ uploads: many }),
    '201 uploads',
  );
  assertApiErrorCode(error, 'INVALID_RELATIONSHIP', 422);
});

const left = (await client.uploads.list()).map((u) => u.id);
report('left', { uploads: left.sort() });
finish();
