// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// the uploads flow: createFromLocalFile (upload request, signed PUT, POST /uploads), duplicate
// skipping by md5, list, update, a refused update, destroy.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... \
//   CMS_UPLOAD_FILE=/tmp/pixel.png CMS_UPLOAD_WIDTH=3 CMS_UPLOAD_HEIGHT=2 CMS_UPLOAD_MD5=<hex> \
//   node uploads.mjs
//
// CMS_UPLOAD_FILE must be a PNG; CMS_UPLOAD_WIDTH / _HEIGHT / _MD5 are its expected facts (md5 is
// computed here when not given, width and height are then not checked).
//
// Optional env (CMS_LOG_LEVEL, CMS_TRACE_FILE), the output (one JSON line per step, the final
// "wire_notes" line) and the exit codes: see harness.mjs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

import {
  DATO_ID,
  assertApiErrorCode,
  assertStatus,
  connect,
  exchanges,
  expectApiError,
  finish,
  signedUrls,
  step,
} from './harness.mjs';

const { client, localPath, fileBytes } = connect({ uploadFile: true });
const md5Of = (bytes) => createHash('md5').update(bytes).digest('hex');
const filename = basename(localPath);
const expected = {
  md5: process.env.CMS_UPLOAD_MD5 || md5Of(fileBytes),
  width: process.env.CMS_UPLOAD_WIDTH ? Number(process.env.CMS_UPLOAD_WIDTH) : undefined,
  height: process.env.CMS_UPLOAD_HEIGHT ? Number(process.env.CMS_UPLOAD_HEIGHT) : undefined,
  size: fileBytes.length,
};
if (md5Of(fileBytes) !== expected.md5) {
  console.error(`CMS_UPLOAD_MD5 ${expected.md5} is not the md5 of ${localPath} (${md5Of(fileBytes)})`);
  process.exit(2);
}

// Downloads a URL with plain fetch (no token), as a browser or CDN would.
async function download(url) {
  const response = await fetch(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get('content-type'), bytes };
}

async function uploadsWithMd5(md5) {
  return client.uploads.list({ filter: { fields: { md5: { eq: md5 } } } });
}

// ---------------------------------------------------------------------------------------------
// Steps.

const METADATA = { en: { alt: 'A pixel', title: 'Pixel', custom_data: {} } };
let uploadId;
let uploadUrl;

await step('cleanup_previous_run', async () => {
  // Only matters when pointed at a long-lived server; the pytest run starts from an empty DB.
  const removed = [];
  for (const upload of await uploadsWithMd5(expected.md5)) {
    await client.uploads.destroy(upload.id);
    removed.push(upload.id);
  }
  return { removed };
});

await step('uploads.createFromLocalFile', async () => {
  const upload = await client.uploads.createFromLocalFile({
    localPath,
    default_field_metadata: METADATA,
    tags: ['compat'],
  });
  assert.equal(upload.type, 'upload');
  assert.match(upload.id, DATO_ID, `upload id ${upload.id} is not a DatoCMS-style id`);
  assert.equal(upload.mime_type, 'image/png');
  assert.equal(upload.format, 'png');
  assert.equal(upload.is_image, true);
  if (expected.width !== undefined) assert.equal(upload.width, expected.width, 'width');
  if (expected.height !== undefined) assert.equal(upload.height, expected.height, 'height');
  assert.equal(upload.md5, expected.md5, 'md5');
  assert.equal(upload.size, expected.size, 'size');
  assert.equal(upload.filename, filename);
  assert.ok(
    upload.path.startsWith('/') && upload.path.endsWith(`/${filename}`),
    `path ${JSON.stringify(upload.path)} must start with "/" and end with "/${filename}"`,
  );
  assert.deepEqual(upload.tags, ['compat']);
  assert.equal(upload.default_field_metadata.en.alt, 'A pixel');
  assert.equal(upload.default_field_metadata.en.title, 'Pixel');
  assert.deepEqual(upload.default_field_metadata.en.custom_data, {});

  const put = exchanges.find((e) => signedUrls.has(e.request.url) && e.request.method === 'PUT');
  assert.ok(put, 'the client did not PUT the file to the signed URL answered by /upload-requests');
  assert.ok(
    !Object.keys(put.request.headers).some((h) => h.toLowerCase() === 'authorization'),
    'the PUT to the signed URL must carry no Authorization header',
  );
  assert.ok(put.response.status >= 200 && put.response.status < 300, `PUT answered ${put.response.status}`);

  assert.match(upload.url, /^https?:\/\//, `url ${upload.url} is not absolute`);
  const got = await download(upload.url);
  assert.equal(got.status, 200, `GET ${upload.url} answered ${got.status}`);
  assert.equal(md5Of(got.bytes), expected.md5, 'the downloaded bytes differ from the file');

  uploadId = upload.id;
  uploadUrl = upload.url;
  return { id: upload.id, path: upload.path, downloaded_content_type: got.contentType };
});

await step('uploads.createFromLocalFile skipCreationIfAlreadyExists', async () => {
  const again = await client.uploads.createFromLocalFile({
    localPath,
    skipCreationIfAlreadyExists: true,
    default_field_metadata: METADATA,
    tags: ['compat'],
  });
  assert.equal(again.id, uploadId, 'the existing upload must be answered, not a new one');
  const sameMd5 = await uploadsWithMd5(expected.md5);
  assert.deepEqual(
    sameMd5.map((u) => u.id),
    [uploadId],
  );
  const all = await client.uploads.list();
  assert.equal(all.filter((u) => u.md5 === expected.md5).length, 1, 'exactly one upload with the md5');
  return { count: all.length };
});

await step('uploads.update', async () => {
  const updated = await client.uploads.update(uploadId, { author: 'Ann', tags: ['a', 'b'] });
  assert.equal(updated.id, uploadId);
  assert.equal(updated.author, 'Ann');
  assert.deepEqual(updated.tags, ['a', 'b']);
  assert.equal(updated.md5, expected.md5, 'the file must be unchanged');
  assert.equal(updated.default_field_metadata.en.alt, 'A pixel', 'metadata must be unchanged');
});

await step('uploads.find', async () => {
  const found = await client.uploads.find(uploadId);
  assert.equal(found.id, uploadId);
  assert.equal(found.author, 'Ann');
  assert.deepEqual(found.tags, ['a', 'b']);
  assert.equal(found.width, expected.width ?? found.width);
  assert.equal(found.default_field_metadata.en.title, 'Pixel');
});

await step('uploads.update refused: unknown locale', async () => {
  const error = await expectApiError(
    () =>
      client.uploads.update(uploadId, {
        default_field_metadata: { ...METADATA, xx: { alt: 'Nope', title: null, custom_data: {} } },
      }),
    'default_field_metadata with locale xx',
  );
  assertStatus(error, 422);
  const found = error.findError('INVALID_FIELD');
  assert.ok(found, `expected INVALID_FIELD, got ${JSON.stringify(error.errors)}`);
  assert.equal(found.type, 'api_error');
  assert.equal(found.attributes.details.field, 'default_field_metadata');
  const unchanged = await client.uploads.find(uploadId);
  assert.deepEqual(Object.keys(unchanged.default_field_metadata), ['en'], 'nothing may be saved');
  return { errors: error.errors.map((e) => e.attributes) };
});

await step('uploads.destroy', async () => {
  const deleted = await client.uploads.destroy(uploadId);
  assert.equal(deleted.id, uploadId);
  assert.equal(deleted.type, 'upload');
  assert.equal(deleted.md5, expected.md5);
  const error = await expectApiError(() => client.uploads.find(uploadId), 'find deleted upload');
  assertApiErrorCode(error, 'NOT_FOUND', 404);
  assert.equal((await uploadsWithMd5(expected.md5)).length, 0, 'still listed');
  const got = await download(uploadUrl);
  assert.notEqual(got.status, 200, 'the file is still downloadable after destroy');
  return { download_status: got.status };
});

finish();
