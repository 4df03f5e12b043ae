// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// uploads.list with each GET /uploads filter of SPEC-2 §7.2 as the client serializes them
// (type, in_use, orientation, resolution, tags/smart_tags/colors as sets, sizes, alt/title,
// text matches, md5/format/path, dates, upload_collection), order_by, the metadata read from
// the files (colors, blurhash, thumbhash, exif_info, smart_tags), and a bad filter refused.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_UPLOAD_DIR=/tmp/files \
//   node upload_filters.mjs
//
// CMS_UPLOAD_DIR holds sunset.png (300x200, red), tower.jpg (100x150, blue, EXIF make
// "Canon"), invoice.pdf and data.csv. Optional env and the output: see harness.mjs.

import assert from 'node:assert/strict';
import { join } from 'node:path';

import {
  assertApiErrorCode,
  connect,
  expectApiError,
  finish,
  removeItemTypes,
  step,
} from './harness.mjs';

const { client } = connect();
const dir = process.env.CMS_UPLOAD_DIR;
if (!dir) {
  console.error('CMS_UPLOAD_DIR must be set');
  process.exit(2);
}

const ids = {};
const byId = {};
const names = (uploads) => uploads.map((u) => byId[u.id]).sort();
const list = async (fields, extra = {}) =>
  names(await client.uploads.list({ filter: { fields }, page: { limit: 100 }, ...extra }));

await step('cleanup_previous_run', async () => {
  const removed = await removeItemTypes(client, ['cover_holder']);
  for (const upload of await client.uploads.list({ page: { limit: 100 } })) {
    await client.uploads.destroy(upload.id);
  }
  return { removed };
});

await step('uploads.createFromLocalFile', async () => {
  const files = {
    sunset: ['sunset.png', { tags: ['holiday', 'sea'], author: 'Ann', default_field_metadata: { en: { alt: 'Red sky', title: 'Evening', custom_data: {} } } }],
    tower: ['tower.jpg', { tags: ['sea'] }],
    invoice: ['invoice.pdf', { notes: 'paid' }],
    sheet: ['data.csv', {}],
  };
  for (const [name, [file, attributes]] of Object.entries(files)) {
    const upload = await client.uploads.createFromLocalFile({ localPath: join(dir, file), ...attributes });
    ids[name] = upload.id;
    byId[upload.id] = name;
  }
  const tower = await client.uploads.find(ids.tower);
  assert.deepEqual(tower.smart_tags, ['image', 'photo', 'portrait', 'small', 'blue']);
  assert.equal(tower.exif_info.make, 'Canon');
  assert.equal(tower.colors[0].alpha, 255);
  assert.ok(tower.colors[0].blue > 150, JSON.stringify(tower.colors));
  assert.match(tower.blurhash, /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{28}$/);
  assert.match(tower.thumbhash, /^[A-Za-z0-9+/]+=*$/);
  const invoice = await client.uploads.find(ids.invoice);
  assert.deepEqual(invoice.smart_tags, ['pdfdocument']);
  assert.equal(invoice.blurhash, null);
  return { ids };
});

await step('a record uses the tower', async () => {
  const model = await client.itemTypes.create({ name: 'Cover holder', api_key: 'cover_holder' });
  await client.fields.create(model.id, { label: 'Cover', field_type: 'file', api_key: 'cover' });
  await client.items.create({ item_type: { id: model.id, type: 'item_type' }, cover: { upload_id: ids.tower } });
});

const CASES = [
  [{ type: { eq: 'image' } }, ['sunset', 'tower']],
  [{ type: { in: ['pdfdocument', 'spreadsheet'] } }, ['invoice', 'sheet']],
  [{ type: { not_in: ['image'] } }, ['invoice', 'sheet']],
  [{ type: { neq: 'pdfdocument' } }, ['sheet', 'sunset', 'tower']],
  [{ in_use: { eq: true } }, ['tower']],
  [{ in_use: { eq: false } }, ['invoice', 'sheet', 'sunset']],
  [{ orientation: { eq: 'landscape' } }, ['sunset']],
  [{ orientation: { neq: 'landscape' } }, ['invoice', 'sheet', 'tower']],
  [{ resolution: { eq: 'small' } }, ['sunset', 'tower']],
  [{ resolution: { in: ['icon', 'large'] } }, []],
  [{ tags: { contains: 'sea' } }, ['sunset', 'tower']],
  [{ tags: { any_in: ['holiday', 'x'] } }, ['sunset']],
  [{ tags: { all_in: ['sea', 'holiday'] } }, ['sunset']],
  [{ tags: { not_in: ['holiday'] } }, ['invoice', 'sheet', 'tower']],
  [{ tags: { eq: ['sea'] } }, ['tower']],
  [{ smart_tags: { contains: 'photo' } }, ['tower']],
  [{ smart_tags: { any_in: ['spreadsheet', 'pdfdocument'] } }, ['invoice', 'sheet']],
  [{ colors: { contains: 'red' } }, ['sunset']],
  [{ colors: { any_in: ['red', 'blue'] } }, ['sunset', 'tower']],
  [{ colors: { eq: ['blue'] } }, ['tower']],
  [{ size: { gt: 100 } }, ['sunset', 'tower']],
  [{ width: { lte: 100 } }, ['tower']],
  [{ height: { eq: 200 } }, ['sunset']],
  [{ alt: { matches: { pattern: 'red', case_sensitive: false } } }, ['sunset']],
  [{ title: { eq: 'Evening' } }, ['sunset']],
  [{ alt: { exists: false } }, ['invoice', 'sheet', 'tower']],
  [{ mime_type: { matches: { pattern: '^image/' } } }, ['sunset', 'tower']],
  [{ mime_type: { in: ['application/pdf', 'text/csv'] } }, ['invoice', 'sheet']],
  [{ author: { matches: { pattern: 'ANN' } } }, ['sunset']],
  [{ notes: { not_matches: { pattern: 'paid' } } }, ['sheet', 'sunset', 'tower']],
  [{ copyright: { exists: true } }, []],
  [{ basename: { matches: { pattern: 'sun', regexp: false } } }, ['sunset']],
  [{ filename: { not_matches: { pattern: '.p', regexp: false } } }, ['sheet', 'tower']],
  [{ format: { in: ['png', 'jpg'] } }, ['sunset', 'tower']],
  [{ _created_at: { gt: '2000-01-01T00:00:00Z' } }, ['invoice', 'sheet', 'sunset', 'tower']],
  [{ _updated_at: { lt: '2000-01-01T00:00:00Z' } }, []],
  [{ upload_collection: { exists: false } }, ['invoice', 'sheet', 'sunset', 'tower']],
  [{ type: { eq: 'image' }, tags: { contains: 'sea' }, orientation: { eq: 'portrait' } }, ['tower']],
];

await step('uploads.list with each filter', async () => {
  for (const [fields, expected] of CASES) {
    assert.deepEqual(await list(fields), expected, JSON.stringify(fields));
  }
  return { cases: CASES.length };
});

await step('uploads.list by id, md5 and path (any case)', async () => {
  const tower = await client.uploads.find(ids.tower);
  assert.deepEqual(await list({ id: { eq: ids.tower } }), ['tower']);
  assert.deepEqual(await list({ md5: { in: [tower.md5] } }), ['tower']);
  assert.deepEqual(await list({ path: { eq: tower.path.toUpperCase() } }), ['tower']);
  assert.deepEqual(await list({ path: { notIn: [tower.path] } }), ['invoice', 'sheet', 'sunset']);
});

await step('uploads.list order_by', async () => {
  const ordered = async (order_by) =>
    (await client.uploads.list({ order_by, page: { limit: 100 } })).map((u) => byId[u.id]);
  assert.deepEqual((await ordered('width_ASC')).slice(0, 2), ['tower', 'sunset']);
  assert.deepEqual((await ordered('resolution_DESC,size_ASC')).slice(2), ['sunset', 'tower']);
  const sizes = (await client.uploads.list({ order_by: 'size_DESC' })).map((u) => u.size);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  assert.deepEqual((await ordered('_created_at_ASC'))[0], 'sunset');
});

await step('uploads.listPagedIterator with a filter', async () => {
  const found = [];
  for await (const upload of client.uploads.listPagedIterator({ filter: { fields: { type: { eq: 'image' } } } })) {
    found.push(byId[upload.id]);
  }
  assert.deepEqual(found.sort(), ['sunset', 'tower']);
});

await step('uploads.list refused: bad filters', async () => {
  for (const fields of [{ colors: { contains: 'mauve' } }, { orientation: { eq: 'diagonal' } }, { size: { matches: { pattern: '1' } } }]) {
    const error = await expectApiError(() => client.uploads.list({ filter: { fields } }), JSON.stringify(fields));
    assertApiErrorCode(error, 'INVALID_FILTER_FIELDS_PARAM', 422);
    assert.equal(error.findError('INVALID_FILTER_FIELDS_PARAM').attributes.details.field, Object.keys(fields)[0]);
  }
  const error = await expectApiError(() => client.uploads.list({ order_by: 'colors_ASC' }), 'order_by colors');
  assertApiErrorCode(error, 'INVALID_ORDERING', 422);
});

finish();
