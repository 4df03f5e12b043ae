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
// Optional env:
//   CMS_LOG_LEVEL  NONE | BASIC | BODY | BODY_AND_HEADERS  (client's own request log, to stderr)
//   CMS_TRACE_FILE path: append every HTTP exchange (request + response) as one JSON line
//
// Output: one JSON line per step on stdout ({"step", "ok", ...}); on the first failure a line with
// "ok": false and the reason, then the last HTTP exchange on stderr, and exit code 1.
// A final "wire_notes" line lists deviations from shared/SPEC.md that do not break the client.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { ApiError, LogLevel, TimeoutError, buildClient } from '@datocms/cma-client-node';

const baseUrl = process.env.CMS_BASE_URL;
const apiToken = process.env.CMS_API_TOKEN;
const localPath = process.env.CMS_UPLOAD_FILE;
if (!baseUrl || !apiToken || !localPath) {
  console.error('CMS_BASE_URL, CMS_API_TOKEN and CMS_UPLOAD_FILE must be set');
  process.exit(2);
}
let fileBytes;
try {
  fileBytes = readFileSync(localPath);
} catch (error) {
  console.error(`CMS_UPLOAD_FILE ${localPath} cannot be read: ${error.message}`);
  process.exit(2);
}
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

// 22-character URL-safe base64 of an RFC 4122 v4 UUID (first byte's top bit cleared).
const DATO_ID = /^[A-Za-f][A-Za-z0-9_-]{21}$/;

// ---------------------------------------------------------------------------------------------
// HTTP recorder: wraps fetch to keep the exchanges for diagnostics, fail fast on answers from our
// API that would make the client misbehave (a non-JSON content type makes it retry a GET forever),
// and note softer deviations from the wire contract.
//
// The client also sends the file's PUT through this fetch. That request goes to the signed URL
// answered by POST /upload-requests, which may be storage (S3) rather than our API: it is only
// recorded, never held to the API's wire rules (the client wants any 2xx).

class WireError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WireError';
  }
}

const exchanges = [];
const wireNotes = new Set();
const signedUrls = new Set();
const traceFile = process.env.CMS_TRACE_FILE;

function describeBody(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'string') return `<${body.constructor ? body.constructor.name : typeof body}>`;
  try {
    return JSON.parse(body);
  } catch {
    return body.slice(0, 2000);
  }
}

async function recordingFetch(url, init = {}) {
  const isSignedPut = signedUrls.has(String(url));
  const exchange = {
    request: {
      method: init.method,
      url: String(url),
      headers: { ...(init.headers || {}) },
      body: describeBody(init.body),
    },
  };
  // Never keep the token in logs.
  for (const name of Object.keys(exchange.request.headers)) {
    if (name.toLowerCase() === 'authorization') {
      exchange.request.headers[name] = 'Bearer <redacted>';
    }
  }
  exchanges.push(exchange);

  const response = await fetch(url, init);
  const text = await response.clone().text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  exchange.response = {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: json !== undefined ? json : text.slice(0, 2000),
  };
  if (traceFile) appendFileSync(traceFile, `${JSON.stringify(exchange)}\n`);
  if (isSignedPut) return response;

  const where = `${init.method} ${new URL(String(url)).pathname}`;
  const contentType = response.headers.get('content-type');
  if (response.status !== 204) {
    if (!contentType || !contentType.includes('application/json')) {
      throw new WireError(
        `${where} answered ${response.status} with Content-Type ${JSON.stringify(contentType)}: ` +
          'the client needs a content type containing "application/json" (it retries a GET ' +
          'forever and fails any other method otherwise)',
      );
    }
    if (json === undefined) {
      throw new WireError(`${where} answered ${response.status} with a body that is not JSON`);
    }
    if (response.status >= 200 && response.status < 300 && !(json && 'data' in json)) {
      throw new WireError(`${where} answered ${response.status} without a top-level "data"`);
    }
    if (contentType.replace(/\s+/g, '').toLowerCase() !== 'application/json;charset=utf-8') {
      wireNotes.add(`Content-Type is ${JSON.stringify(contentType)}, SPEC says "application/json; charset=utf-8" (${where})`);
    }
  } else {
    wireNotes.add(`${where} answered 204: SPEC wants a body with top-level "data"`);
  }
  if (response.status === 202) {
    wireNotes.add(`${where} answered 202 (job): the client polls /job-results/:id, sleeping 1s, 2s, ...`);
  }
  if (response.headers.get('x-api-version') !== '3') {
    wireNotes.add('responses do not echo X-Api-Version: 3');
  }
  // Remember the signed URL the client is about to PUT the file to.
  if (
    init.method === 'POST' &&
    new URL(String(url)).pathname.endsWith('/upload-requests') &&
    response.ok &&
    json &&
    json.data &&
    json.data.attributes &&
    typeof json.data.attributes.url === 'string'
  ) {
    signedUrls.add(json.data.attributes.url);
  }
  return response;
}

const logLevelName = (process.env.CMS_LOG_LEVEL || 'NONE').toUpperCase();
const client = buildClient({
  apiToken,
  baseUrl,
  requestTimeout: 15000,
  fetchFn: recordingFetch,
  logLevel: LogLevel[logLevelName] ?? LogLevel.NONE,
  logFn: (message) => console.error(message),
});

// ---------------------------------------------------------------------------------------------
// Step runner.

function describe(error) {
  if (error instanceof ApiError) {
    return `ApiError: ${error.message}`;
  }
  if (error instanceof TimeoutError) {
    return `TimeoutError: ${error.message}`;
  }
  if (error && error.code === 'ERR_ASSERTION') {
    let text = `AssertionError: ${error.message}`;
    if (!error.generatedMessage && 'actual' in error) {
      text += `\n  actual:   ${JSON.stringify(error.actual)}\n  expected: ${JSON.stringify(error.expected)}`;
    }
    return text;
  }
  return `${error && error.name ? error.name : 'Error'}: ${error && error.message ? error.message : error}`;
}

async function step(name, fn) {
  const started = Date.now();
  const before = exchanges.length;
  try {
    const info = (await fn()) || {};
    const requests = exchanges.slice(before).map((e) => {
      const u = new URL(e.request.url);
      // A signed URL's query string is a credential: keep it out of the log.
      const search = signedUrls.has(e.request.url) && u.search ? '?<signature>' : u.search;
      return `${e.request.method} ${u.pathname}${search} -> ${e.response ? e.response.status : '?'}`;
    });
    console.log(JSON.stringify({ step: name, ok: true, ms: Date.now() - started, requests, ...info }));
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error: describe(error) }));
    console.error(`\nFAILED step "${name}"\n${describe(error)}`);
    if (error && error.stack && !(error instanceof ApiError) && !(error instanceof WireError)) {
      console.error(
        error.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .join('\n'),
      );
    }
    const last = exchanges[exchanges.length - 1];
    if (last) {
      console.error(`\nLast HTTP exchange:\n${JSON.stringify(last, null, 2)}`);
    }
    process.exit(1);
  }
}

// Runs `fn`, which must be refused by the server; returns the ApiError.
async function expectApiError(fn, what) {
  let caught;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `${what}: expected the call to be refused, it succeeded`);
  assert.ok(
    caught instanceof ApiError,
    `${what}: expected the client to throw ApiError, got ${describe(caught)}`,
  );
  return caught;
}

function assertStatus(error, status) {
  assert.equal(
    error.response.status,
    status,
    `expected HTTP ${status}, got ${error.response.status}: ${JSON.stringify(error.errors)}`,
  );
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
  assertStatus(error, 404);
  assert.ok(error.findError('NOT_FOUND'), `expected NOT_FOUND, got ${JSON.stringify(error.errors)}`);
  assert.equal((await uploadsWithMd5(expected.md5)).length, 0, 'still listed');
  const got = await download(uploadUrl);
  assert.notEqual(got.status, 200, 'the file is still downloadable after destroy');
  return { download_status: got.status };
});

console.log(JSON.stringify({ step: 'wire_notes', ok: true, warnings: [...wireNotes] }));
console.log(JSON.stringify({ step: 'done', ok: true }));
