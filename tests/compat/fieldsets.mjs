// Drives DatoCMS's official CMA client (@datocms/cma-client-node) through fieldsets and the schema
// operations beyond CRUD (SPEC-2 §2): fieldsets create/list/find/update/destroy, a field's
// fieldset, itemTypes.duplicate and referencing, fields.referencing and related, and the two
// job-backed calls, fields.duplicate and rawReorderFieldsAndFieldsets, through the client's own
// poller (the server must run a job worker: `manage.py serve`).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node fieldsets.mjs
//
// Output and exit codes: see harness.mjs. The last step's line ("left") lists what is left.

import assert from 'node:assert/strict';

import {
  DATO_ID,
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  lastExchange,
  relationship,
  removeItemTypes,
  step,
} from './harness.mjs';

const { client } = connect();

let post;
let page;
let title;
let body;
let seo;
let extra;
let copyOfTitle;
let postCopy;

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, ['page', 'post_copy', 'post']),
}));

await step('a model with fields', async () => {
  post = await client.itemTypes.create({ name: 'Post', api_key: 'post' });
  title = await client.fields.create(post.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  body = await client.fields.create(post.id, { label: 'Body', api_key: 'body', field_type: 'text' });
  page = await client.itemTypes.create({ name: 'Page', api_key: 'page' });
  await client.fields.create(page.id, {
    label: 'Featured',
    api_key: 'featured',
    field_type: 'link',
    validators: { item_item_type: { item_types: [post.id] } },
  });
  assert.equal(title.fieldset, null);
});

await step('fieldsets.create', async () => {
  seo = await client.fieldsets.create(post.id, { title: 'SEO', hint: 'For search engines' });
  assert.match(seo.id, DATO_ID);
  assert.equal(seo.type, 'fieldset');
  assert.equal(seo.title, 'SEO');
  assert.equal(seo.hint, 'For search engines');
  assert.equal(seo.collapsible, false);
  assert.equal(seo.start_collapsed, false);
  assert.equal(seo.position, 3); // after title and body
  assert.deepEqual(seo.item_type, relationship(post.id, 'item_type'));
  return { id: seo.id };
});

await step('fieldsets.list and find', async () => {
  const listed = await client.fieldsets.list(post.id);
  assert.deepEqual(
    listed.map((f) => f.id),
    [seo.id],
  );
  const found = await client.fieldsets.find(seo.id);
  assert.deepEqual(found, seo);
  const model = await client.itemTypes.find(post.id);
  assert.deepEqual(model.fieldsets, [relationship(seo.id, 'fieldset')]);
});

await step('fieldsets.update', async () => {
  const updated = await client.fieldsets.update(seo.id, { collapsible: true, start_collapsed: true });
  assert.equal(updated.collapsible, true);
  assert.equal(updated.start_collapsed, true);
  assert.equal(updated.title, 'SEO');
  seo = updated;
});

await step('fields.create in a fieldset, fields.update out of and into it', async () => {
  extra = await client.fields.create(post.id, {
    label: 'Meta title',
    api_key: 'meta_title',
    field_type: 'string',
    fieldset: relationship(seo.id, 'fieldset'),
  });
  assert.deepEqual(extra.fieldset, relationship(seo.id, 'fieldset'));
  assert.equal(extra.position, 1);
  // The client sends {"data": null} for null: back to the top level.
  const out = await client.fields.update(extra.id, { fieldset: null });
  assert.equal(out.fieldset, null);
  const back = await client.fields.update(extra.id, { fieldset: relationship(seo.id, 'fieldset') });
  assert.deepEqual(back.fieldset, relationship(seo.id, 'fieldset'));
});

await step('a fieldset of another model is refused', async () => {
  const other = await client.fieldsets.create(page.id, { title: 'Page stuff' });
  const error = await expectApiError(
    () => client.fields.update(title.id, { fieldset: relationship(other.id, 'fieldset') }),
    'a fieldset of another model',
  );
  assertApiErrorCode(error, 'INVALID_RELATIONSHIP', 422);
  assert.ok(error.findError('INVALID_RELATIONSHIP', { field: 'fieldset' }));
  assert.equal((await client.fields.find(title.id)).fieldset, null);
  await client.fieldsets.destroy(other.id);
});

await step('rawReorderFieldsAndFieldsets (a job, polled by the client)', async () => {
  const from = exchanges.length;
  const result = await client.itemTypes.rawReorderFieldsAndFieldsets(post.id, {
    data: [
      { type: 'fieldset', id: seo.id, attributes: { position: 1 } },
      {
        type: 'field',
        id: title.id,
        attributes: { position: 1 },
        relationships: { fieldset: { data: { type: 'fieldset', id: seo.id } } },
      },
      {
        type: 'field',
        id: extra.id,
        attributes: { position: 2 },
        relationships: { fieldset: { data: { type: 'fieldset', id: seo.id } } },
      },
      { type: 'field', id: body.id, attributes: { position: 2 }, relationships: { fieldset: { data: null } } },
    ],
  });
  const accepted = exchanges.slice(from).find((e) => e.request.url.endsWith('/reorder-fields-and-fieldsets'));
  assert.equal(accepted.response.status, 202);
  assert.deepEqual(
    result.data.map((e) => [e.type, e.id]),
    [
      ['fieldset', seo.id],
      ['field', title.id],
      ['field', extra.id],
      ['field', body.id],
    ],
  );
  const inSeo = (await client.fields.list(post.id)).filter((f) => f.fieldset?.id === seo.id);
  assert.deepEqual(
    inSeo.map((f) => [f.api_key, f.position]),
    [
      ['title', 1],
      ['meta_title', 2],
    ],
  );
  return { polls: exchanges.slice(from).filter((e) => e.request.url.includes('/job-results/')).length };
});

await step('a bad reorder is refused before a job is queued', async () => {
  const error = await expectApiError(
    () =>
      client.itemTypes.rawReorderFieldsAndFieldsets(post.id, {
        data: [{ type: 'field', id: title.id, attributes: { position: 0 } }],
      }),
    'a position below 1',
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'position' }));
  assert.equal(lastExchange('POST', '/reorder-fields-and-fieldsets').response.status, 422);
});

await step('fields.duplicate (a job, polled by the client)', async () => {
  copyOfTitle = await client.fields.duplicate(title.id);
  assert.match(copyOfTitle.id, DATO_ID);
  assert.notEqual(copyOfTitle.id, title.id);
  assert.equal(copyOfTitle.api_key, 'title_copy');
  assert.equal(copyOfTitle.field_type, 'string');
  assert.deepEqual(copyOfTitle.fieldset, relationship(seo.id, 'fieldset'));
  assert.equal(copyOfTitle.position, 2);
  assert.equal(lastExchange('POST', `/fields/${title.id}/duplicate`).response.status, 202);
  return { id: copyOfTitle.id };
});

await step('itemTypes.duplicate', async () => {
  postCopy = await client.itemTypes.duplicate(post.id);
  assert.notEqual(postCopy.id, post.id);
  assert.equal(postCopy.api_key, 'post_copy');
  assert.equal(postCopy.name, 'Post (copy)');
  const fields = await client.fields.list(postCopy.id);
  assert.deepEqual(fields.map((f) => f.api_key).sort(), ['body', 'meta_title', 'title', 'title_copy']);
  const [fieldset] = await client.fieldsets.list(postCopy.id);
  assert.notEqual(fieldset.id, seo.id);
  assert.equal(fieldset.title, 'SEO');
  assert.ok(fields.filter((f) => f.fieldset).every((f) => f.fieldset.id === fieldset.id));
  return { id: postCopy.id };
});

await step('itemTypes.referencing, fields.referencing and fields.related', async () => {
  const models = await client.itemTypes.referencing(post.id);
  assert.deepEqual(
    models.map((m) => m.api_key),
    ['page'],
  );
  const fields = await client.fields.referencing(post.id);
  assert.deepEqual(
    fields.map((f) => f.api_key),
    ['featured'],
  );
  const related = await client.fields.related(post.id);
  assert.deepEqual(
    related.map((f) => f.api_key),
    ['featured'],
  );
  assert.deepEqual(await client.itemTypes.referencing(page.id), []);
});

await step('fieldsets.destroy moves its fields to the top level', async () => {
  const destroyed = await client.fieldsets.destroy(seo.id);
  assert.equal(destroyed.id, seo.id);
  const fields = await client.fields.list(post.id);
  assert.ok(fields.every((f) => f.fieldset === null));
  assert.deepEqual(
    fields.map((f) => [f.api_key, f.position]),
    [
      ['title', 1],
      ['title_copy', 2],
      ['meta_title', 3],
      ['body', 4],
    ],
  );
  const error = await expectApiError(() => client.fieldsets.find(seo.id), 'a destroyed fieldset');
  assertApiErrorCode(error, 'NOT_FOUND', 404);
});

await step('left', async () => {
  const models = await client.itemTypes.list();
  return {
    models: models.map((m) => m.api_key).sort(),
    fieldsets: (await client.fieldsets.list(postCopy.id)).map((f) => f.id),
    fields: (await client.fields.list(post.id)).map((f) => f.id),
  };
});

finish();
