// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// that the schema endpoints (site, item types, fields) behave as the client and its users expect.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node schema.mjs
//
// Optional env (CMS_LOG_LEVEL, CMS_TRACE_FILE), the output (one JSON line per step, the final
// "wire_notes" line) and the exit codes: see harness.mjs.

import assert from 'node:assert/strict';

import {
  DATO_ID,
  assertApiErrorCode,
  assertStatus,
  connect,
  exchanges,
  expectApiError,
  finish,
  relationship,
  removeItemTypes,
  step,
  wireNotes,
} from './harness.mjs';

const { client } = connect();

// ---------------------------------------------------------------------------------------------
// Steps.

let articleId;
let quoteId;
let titleId;
let bodyId;
let relatedId;
let contentId;

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, ['article', 'quote']),
}));

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
  assertApiErrorCode(error, 'NOT_FOUND', 404);
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
  assertApiErrorCode(error, 'NOT_FOUND', 404);
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

finish();
