// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// that the schema endpoints (site, item types, fields) behave as the client and its users expect.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node schema.mjs
//
// Optional env:
//   CMS_LOG_LEVEL  NONE | BASIC | BODY | BODY_AND_HEADERS  (client's own request log, to stderr)
//   CMS_TRACE_FILE path: append every HTTP exchange (request + response) as one JSON line
//
// Output: one JSON line per step on stdout ({"step", "ok", ...}); on the first failure a line with
// "ok": false and the reason, then the last HTTP exchange on stderr, and exit code 1.
// A final "wire_notes" line lists deviations from shared/SPEC.md that do not break the client.

import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';

import { ApiError, LogLevel, TimeoutError, buildClient } from '@datocms/cma-client-node';

const baseUrl = process.env.CMS_BASE_URL;
const apiToken = process.env.CMS_API_TOKEN;
if (!baseUrl || !apiToken) {
  console.error('CMS_BASE_URL and CMS_API_TOKEN must be set');
  process.exit(2);
}

// 22-character URL-safe base64 of an RFC 4122 v4 UUID (first byte's top bit cleared).
const DATO_ID = /^[A-Za-f][A-Za-z0-9_-]{21}$/;

// ---------------------------------------------------------------------------------------------
// HTTP recorder: wraps fetch to keep the exchanges for diagnostics, fail fast on answers that
// would make the client misbehave (a non-JSON content type makes it retry a GET forever), and
// note softer deviations from the wire contract.

class WireError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WireError';
  }
}

const exchanges = [];
const wireNotes = new Set();
const traceFile = process.env.CMS_TRACE_FILE;

async function recordingFetch(url, init = {}) {
  const exchange = {
    request: {
      method: init.method,
      url: String(url),
      headers: { ...(init.headers || {}) },
      body: init.body ? JSON.parse(init.body) : undefined,
    },
  };
  // Never keep the token in logs.
  if (exchange.request.headers.authorization) {
    exchange.request.headers.authorization = 'Bearer <redacted>';
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
    const requests = exchanges
      .slice(before)
      .map((e) => {
        const u = new URL(e.request.url);
        return `${e.request.method} ${u.pathname}${u.search} -> ${e.response ? e.response.status : '?'}`;
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

function relationship(id, type) {
  return { id, type };
}

// ---------------------------------------------------------------------------------------------
// Steps.

let articleId;
let quoteId;
let titleId;
let bodyId;
let relatedId;
let contentId;

await step('cleanup_previous_run', async () => {
  // Only matters when pointed at a long-lived server; the pytest run starts from an empty DB.
  const removed = [];
  for (const apiKey of ['article', 'quote']) {
    const existing = (await client.itemTypes.list()).find((it) => it.api_key === apiKey);
    if (existing) {
      await client.itemTypes.destroy(existing.id);
      removed.push(apiKey);
    }
  }
  return { removed };
});

await step('site.update', async () => {
  const site = await client.site.update({ name: 'Compat site', locales: ['en', 'it'] });
  assert.equal(site.type, 'site');
  assert.equal(site.name, 'Compat site');
  assert.deepEqual(site.locales, ['en', 'it']);
});

await step('site.find', async () => {
  const site = await client.site.find();
  assert.equal(site.type, 'site');
  assert.equal(site.name, 'Compat site');
  assert.deepEqual(site.locales, ['en', 'it']);
  return { id: site.id };
});

await step('itemTypes.create article', async () => {
  const article = await client.itemTypes.create({ name: 'Article', api_key: 'article' });
  assert.equal(typeof article.id, 'string', 'item type id must be a string');
  assert.match(article.id, DATO_ID, 'item type id must be 22-char URL-safe base64 of a UUID v4');
  assert.equal(article.type, 'item_type');
  assert.equal(article.name, 'Article');
  assert.equal(article.api_key, 'article');
  assert.equal(article.modular_block, false);
  assert.equal(article.singleton, false);
  assert.equal(article.draft_mode_active, false);
  assert.equal(article.all_locales_required, false);
  assert.equal(article.sortable, false);
  assert.equal(article.tree, false);
  assert.ok(Array.isArray(article.fields), 'relationships.fields.data must be an array');
  assert.equal(article.fields.length, 0);
  assert.equal(article.title_field, null, 'title_field must be null before any field exists');
  articleId = article.id;
  return { id: articleId };
});

await step('itemTypes.create quote (block model)', async () => {
  const quote = await client.itemTypes.create({
    name: 'Quote',
    api_key: 'quote',
    modular_block: true,
  });
  assert.match(quote.id, DATO_ID);
  assert.equal(quote.type, 'item_type');
  assert.equal(quote.api_key, 'quote');
  assert.equal(quote.modular_block, true);
  assert.notEqual(quote.id, articleId);
  quoteId = quote.id;
  return { id: quoteId };
});

await step('itemTypes.list', async () => {
  const list = await client.itemTypes.list();
  assert.ok(Array.isArray(list));
  const byId = Object.fromEntries(list.map((it) => [it.id, it]));
  assert.ok(byId[articleId], 'article missing from list');
  assert.ok(byId[quoteId], 'quote missing from list');
  assert.equal(byId[articleId].api_key, 'article');
  assert.equal(byId[quoteId].api_key, 'quote');
  assert.equal(byId[quoteId].modular_block, true);
  return { count: list.length };
});

await step('itemTypes.find by api_key', async () => {
  const found = await client.itemTypes.find('article');
  assert.equal(found.id, articleId);
  assert.equal(found.api_key, 'article');
});

await step('itemTypes.find by id', async () => {
  const found = await client.itemTypes.find(articleId);
  assert.equal(found.id, articleId);
  assert.equal(found.name, 'Article');
  assert.equal(found.api_key, 'article');
});

await step('itemTypes.update', async () => {
  const updated = await client.itemTypes.update(articleId, { name: 'Blog article', hint: 'hello' });
  assert.equal(updated.id, articleId);
  assert.equal(updated.name, 'Blog article');
  assert.equal(updated.hint, 'hello');
  assert.equal(updated.api_key, 'article', 'api_key must be unchanged');
  const found = await client.itemTypes.find(articleId);
  assert.equal(found.name, 'Blog article');
  assert.equal(found.hint, 'hello');
});

await step('fields.create title (string, required)', async () => {
  const field = await client.fields.create(articleId, {
    label: 'Title',
    field_type: 'string',
    api_key: 'title',
    validators: { required: {} },
  });
  assert.equal(typeof field.id, 'string');
  assert.ok(field.id.length > 0);
  assert.equal(field.type, 'field');
  assert.equal(field.label, 'Title');
  assert.equal(field.field_type, 'string');
  assert.equal(field.api_key, 'title');
  assert.equal(field.localized, false);
  assert.deepEqual(field.validators, { required: {} });
  assert.equal(field.position, 1);
  assert.deepEqual(field.item_type, relationship(articleId, 'item_type'));
  assert.equal(typeof field.appearance, 'object');
  assert.ok(field.appearance, 'appearance must be an object');
  assert.equal(typeof field.appearance.editor, 'string', 'appearance.editor must be a string');
  assert.ok(Array.isArray(field.appearance.addons), 'appearance.addons must be an array');
  const last = exchanges[exchanges.length - 1];
  const included = last && last.response && last.response.body && last.response.body.included;
  if (!Array.isArray(included) || !included.some((r) => r.type === 'item_type' && r.id === articleId)) {
    wireNotes.add('POST /item-types/:id/fields: answer lacks included: [item_type] (SPEC)');
  }
  titleId = field.id;
  return { id: titleId, appearance: field.appearance };
});

await step('itemTypes.find title_field', async () => {
  const article = await client.itemTypes.find(articleId);
  assert.deepEqual(
    article.title_field,
    relationship(titleId, 'field'),
    'the first string field must become title_field',
  );
  assert.deepEqual(article.fields, [relationship(titleId, 'field')]);
});

await step('fields.create body (text, localized)', async () => {
  const field = await client.fields.create(articleId, {
    label: 'Body',
    field_type: 'text',
    api_key: 'body',
    localized: true,
  });
  assert.equal(field.type, 'field');
  assert.equal(field.field_type, 'text');
  assert.equal(field.api_key, 'body');
  assert.equal(field.localized, true);
  assert.deepEqual(field.validators, {});
  assert.equal(field.position, 2);
  bodyId = field.id;
  return { id: bodyId };
});

await step('fields.create related (link)', async () => {
  const field = await client.fields.create(articleId, {
    label: 'Related',
    field_type: 'link',
    api_key: 'related',
    validators: { item_item_type: { item_types: [articleId] } },
  });
  assert.equal(field.field_type, 'link');
  assert.equal(field.api_key, 'related');
  assert.equal(field.position, 3);
  assert.deepEqual(field.validators.item_item_type, {
    item_types: [articleId],
    on_publish_with_unpublished_references_strategy: 'fail',
    on_reference_unpublish_strategy: 'fail',
    on_reference_delete_strategy: 'delete_references',
  });
  relatedId = field.id;
  return { id: relatedId, validators: field.validators };
});

await step('fields.create content (rich_text)', async () => {
  const field = await client.fields.create(articleId, {
    label: 'Content',
    field_type: 'rich_text',
    api_key: 'content',
    validators: { rich_text_blocks: { item_types: [quoteId] } },
  });
  assert.equal(field.field_type, 'rich_text');
  assert.equal(field.api_key, 'content');
  assert.equal(field.position, 4);
  assert.deepEqual(field.validators.rich_text_blocks, { item_types: [quoteId] });
  contentId = field.id;
  return { id: contentId, validators: field.validators };
});

await step('fields.list', async () => {
  const fields = await client.fields.list(articleId);
  assert.equal(fields.length, 4);
  assert.deepEqual(
    fields.map((f) => f.api_key),
    ['title', 'body', 'related', 'content'],
  );
  assert.deepEqual(
    fields.map((f) => f.position),
    [1, 2, 3, 4],
  );
  for (const f of fields) {
    assert.equal(f.type, 'field');
    assert.deepEqual(f.item_type, relationship(articleId, 'item_type'));
  }
  // The same list through the item type's api_key.
  const viaApiKey = await client.fields.list('article');
  assert.deepEqual(
    viaApiKey.map((f) => f.id),
    fields.map((f) => f.id),
  );
  // And the item type's ordered fields relationship; title_field unchanged.
  const article = await client.itemTypes.find(articleId);
  assert.deepEqual(
    article.fields,
    [titleId, bodyId, relatedId, contentId].map((id) => relationship(id, 'field')),
  );
  assert.deepEqual(article.title_field, relationship(titleId, 'field'));
});

await step('fields.find', async () => {
  const field = await client.fields.find(titleId);
  assert.equal(field.id, titleId);
  assert.equal(field.api_key, 'title');
  assert.equal(field.label, 'Title');
  assert.deepEqual(field.validators, { required: {} });
});

await step('fields.update', async () => {
  const field = await client.fields.update(titleId, { label: 'Headline', hint: 'x' });
  assert.equal(field.id, titleId);
  assert.equal(field.label, 'Headline');
  assert.equal(field.hint, 'x');
  assert.equal(field.api_key, 'title', 'api_key must be unchanged');
  assert.equal(field.field_type, 'string');
  assert.deepEqual(field.validators, { required: {} }, 'validators must be unchanged');
  const found = await client.fields.find(titleId);
  assert.equal(found.label, 'Headline');
  assert.equal(found.hint, 'x');
});

await step('fields.create refused: unknown field_type', async () => {
  const error = await expectApiError(
    () =>
      client.fields.create(articleId, { label: 'Bad', field_type: 'no_such_type', api_key: 'bad' }),
    'field_type no_such_type',
  );
  assertStatus(error, 422);
  const found = error.findError(['INVALID_FIELD', 'INVALID_ATTRIBUTES']);
  assert.ok(found, `expected INVALID_FIELD (or INVALID_ATTRIBUTES), got ${JSON.stringify(error.errors)}`);
  assert.equal(found.type, 'api_error');
  assert.equal(typeof found.id, 'string');
  const fields = await client.fields.list(articleId);
  assert.equal(fields.length, 4, 'the refused field must not have been created');
  return { errors: error.errors.map((e) => e.attributes) };
});

await step('fields.create refused: duplicate api_key', async () => {
  const error = await expectApiError(
    () => client.fields.create(articleId, { label: 'Title again', field_type: 'string', api_key: 'title' }),
    'duplicate api_key title',
  );
  assertStatus(error, 422);
  const found = error.findError('INVALID_FIELD', { code: 'VALIDATION_UNIQUENESS' });
  assert.ok(
    found,
    `expected INVALID_FIELD with details.code VALIDATION_UNIQUENESS, got ${JSON.stringify(error.errors)}`,
  );
  assert.equal(found.attributes.details.field, 'api_key');
  const fields = await client.fields.list(articleId);
  assert.equal(fields.length, 4, 'the refused field must not have been created');
  return { errors: error.errors.map((e) => e.attributes) };
});

await step('fields.destroy', async () => {
  const deleted = await client.fields.destroy(bodyId);
  assert.equal(deleted.id, bodyId);
  assert.equal(deleted.type, 'field');
  assert.equal(deleted.api_key, 'body');
  const fields = await client.fields.list(articleId);
  assert.deepEqual(
    fields.map((f) => f.api_key),
    ['title', 'related', 'content'],
  );
  const error = await expectApiError(() => client.fields.find(bodyId), 'find deleted field');
  assertStatus(error, 404);
  assert.ok(error.findError('NOT_FOUND'), `expected NOT_FOUND, got ${JSON.stringify(error.errors)}`);
});

await step('itemTypes.destroy article', async () => {
  const deleted = await client.itemTypes.destroy(articleId);
  assert.equal(deleted.id, articleId);
  assert.equal(deleted.type, 'item_type');
  assert.equal(deleted.api_key, 'article');
  let error = await expectApiError(() => client.itemTypes.find(articleId), 'find deleted item type');
  assertStatus(error, 404);
  assert.ok(
    error.findError(['ITEM_TYPE_NOT_FOUND', 'NOT_FOUND']),
    `expected ITEM_TYPE_NOT_FOUND or NOT_FOUND, got ${JSON.stringify(error.errors)}`,
  );
  error = await expectApiError(() => client.fields.find(titleId), 'find field of deleted item type');
  assertStatus(error, 404);
  assert.ok(error.findError('NOT_FOUND'), `expected NOT_FOUND, got ${JSON.stringify(error.errors)}`);
});

await step('itemTypes.destroy quote', async () => {
  const deleted = await client.itemTypes.destroy(quoteId);
  assert.equal(deleted.id, quoteId);
  assert.equal(deleted.api_key, 'quote');
});

await step('itemTypes.list after destroy', async () => {
  const list = await client.itemTypes.list();
  const ids = list.map((it) => it.id);
  assert.ok(!ids.includes(articleId), 'article still listed');
  assert.ok(!ids.includes(quoteId), 'quote still listed');
  return { count: list.length };
});

console.log(JSON.stringify({ step: 'wire_notes', ok: true, warnings: [...wireNotes] }));
console.log(JSON.stringify({ step: 'done', ok: true }));
