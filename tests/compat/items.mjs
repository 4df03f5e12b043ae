// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// records: the schema set up with the client (site locales, a block model, two models with every
// kind of reference), a real upload, items.create with blocks (modular content and structured
// text), items.find, a refused create reporting every problem at once, and items.validateNew.
// Listing, update, publish and delete of records are not called.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_UPLOAD_FILE=/tmp/pixel.png \
//   node items.mjs
//
// CMS_UPLOAD_FILE must be a PNG (it goes into the post's image field).
//
// Optional env (CMS_LOG_LEVEL, CMS_TRACE_FILE), the output (one JSON line per step, the final
// "wire_notes" line) and the exit codes: see harness.mjs.
// The "created" line lists the ids of every record and block this script wrote, so that the caller
// can check the database holds exactly those (the refused and validate-only calls write nothing).

import assert from 'node:assert/strict';

import { buildBlockRecord, generateId } from '@datocms/cma-client-node';

import {
  DATO_ID,
  assertApiErrorCode,
  assertStatus,
  connect,
  expectApiError,
  finish,
  lastExchange,
  relationship,
  removeItemTypes,
  report,
  step,
  wireNotes,
} from './harness.mjs';

const { client, localPath } = connect({ uploadFile: true });

// A file field's value as answered: every key present.
function fileValue(uploadId, alt) {
  return { upload_id: uploadId, alt, title: null, custom_data: {}, focal_point: null };
}

// ---------------------------------------------------------------------------------------------
// Steps.

const API_KEYS = ['post', 'category', 'quote']; // destroy order: post refers to the other two
let quoteId;
let categoryTypeId;
let postTypeId;
let uploadId;
let categoryId;
let postId;
let post;
let blockIds = [];

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, API_KEYS),
}));

await step('site.update locales', async () => {
  const site = await client.site.update({ locales: ['en', 'it'] });
  assert.deepEqual(site.locales, ['en', 'it']);
});

await step('schema: quote block model', async () => {
  const quote = await client.itemTypes.create({ name: 'Quote', api_key: 'quote', modular_block: true });
  assert.equal(quote.modular_block, true);
  quoteId = quote.id;
  await client.fields.create(quoteId, {
    label: 'Text',
    field_type: 'string',
    api_key: 'text',
    validators: { required: {} },
  });
  return { id: quoteId };
});

await step('schema: category model', async () => {
  const category = await client.itemTypes.create({ name: 'Category', api_key: 'category' });
  categoryTypeId = category.id;
  await client.fields.create(categoryTypeId, { label: 'Name', field_type: 'string', api_key: 'name' });
  return { id: categoryTypeId };
});

await step('schema: post model', async () => {
  const postType = await client.itemTypes.create({ name: 'Post', api_key: 'post' });
  postTypeId = postType.id;
  const specs = [
    { label: 'Title', field_type: 'string', api_key: 'title', validators: { required: {} } },
    { label: 'Content', field_type: 'text', api_key: 'content', localized: true },
    { label: 'Image', field_type: 'file', api_key: 'image' },
    {
      label: 'Category',
      field_type: 'link',
      api_key: 'category',
      validators: { item_item_type: { item_types: [categoryTypeId] } },
    },
    {
      label: 'Blocks',
      field_type: 'rich_text',
      api_key: 'blocks',
      validators: { rich_text_blocks: { item_types: [quoteId] } },
    },
    {
      label: 'Body',
      field_type: 'structured_text',
      api_key: 'body',
      validators: {
        structured_text_blocks: { item_types: [quoteId] },
        structured_text_links: { item_types: [categoryTypeId] },
      },
    },
  ];
  for (const spec of specs) {
    const field = await client.fields.create(postTypeId, spec);
    assert.equal(field.api_key, spec.api_key);
  }
  const fields = await client.fields.list(postTypeId);
  assert.deepEqual(
    fields.map((f) => f.api_key),
    specs.map((s) => s.api_key),
  );
  return { id: postTypeId };
});

await step('uploads.createFromLocalFile', async () => {
  const upload = await client.uploads.createFromLocalFile({ localPath });
  assert.match(upload.id, DATO_ID);
  assert.equal(upload.is_image, true);
  uploadId = upload.id;
  return { id: uploadId };
});

await step('items.create category', async () => {
  const category = await client.items.create({
    item_type: relationship(categoryTypeId, 'item_type'),
    name: 'News',
  });
  assert.match(category.id, DATO_ID, `record id ${category.id} is not a DatoCMS-style id`);
  assert.equal(category.type, 'item');
  assert.deepEqual(category.item_type, relationship(categoryTypeId, 'item_type'));
  assert.equal(category.name, 'News');
  assert.equal(category.meta.status, 'published');
  categoryId = category.id;
  return { id: categoryId };
});

const quote = (text) => buildBlockRecord({ item_type: relationship(quoteId, 'item_type'), text });

// The post's values, as sent: fresh blocks on every call (buildBlockRecord gives new objects).
function postBody(overrides = {}) {
  return {
    item_type: relationship(postTypeId, 'item_type'),
    title: 'Hello',
    content: { en: 'Lorem', it: 'Ipsum' },
    image: { upload_id: uploadId, alt: 'A pixel' },
    category: categoryId,
    blocks: [quote('Quoted')],
    body: {
      schema: 'dast',
      document: {
        type: 'root',
        children: [
          {
            type: 'paragraph',
            children: [
              { type: 'span', value: 'Hi ', marks: ['strong'] },
              { type: 'itemLink', item: categoryId, children: [{ type: 'span', value: 'cat' }] },
            ],
          },
          { type: 'block', item: quote('In body') },
        ],
      },
    },
    ...overrides,
  };
}

// Checks a post as answered by create or find (blocks as ids).
function checkPost(record, what) {
  assert.match(record.id, DATO_ID, `${what}: record id ${record.id} is not a DatoCMS-style id`);
  assert.equal(record.type, 'item', what);
  assert.deepEqual(record.item_type, relationship(postTypeId, 'item_type'), `${what}: item_type`);
  assert.equal(record.title, 'Hello', `${what}: title`);
  assert.deepEqual(record.content, { en: 'Lorem', it: 'Ipsum' }, `${what}: content`);
  assert.deepEqual(record.image, fileValue(uploadId, 'A pixel'), `${what}: image, every key present`);
  assert.equal(record.category, categoryId, `${what}: category`);
  assert.ok(Array.isArray(record.blocks), `${what}: blocks must be an array`);
  assert.equal(record.blocks.length, 1, `${what}: one block`);
  assert.equal(typeof record.blocks[0], 'string', `${what}: blocks are answered as ids`);
  assert.match(record.blocks[0], DATO_ID, `${what}: block id`);
  assert.equal(record.body.schema, 'dast', `${what}: body.schema`);
  const [paragraph, block] = record.body.document.children;
  assert.equal(record.body.document.type, 'root');
  assert.equal(record.body.document.children.length, 2, `${what}: body has 2 nodes`);
  assert.deepEqual(
    paragraph,
    {
      type: 'paragraph',
      children: [
        { type: 'span', value: 'Hi ', marks: ['strong'] },
        { type: 'itemLink', item: categoryId, children: [{ type: 'span', value: 'cat' }] },
      ],
    },
    `${what}: body paragraph`,
  );
  assert.equal(block.type, 'block', `${what}: body block node`);
  assert.equal(typeof block.item, 'string', `${what}: a block node's item is answered as an id`);
  assert.match(block.item, DATO_ID, `${what}: body block id`);
  assert.notEqual(block.item, record.blocks[0], `${what}: the two blocks are distinct`);
  assert.equal(record.meta.status, 'published', `${what}: meta.status (draft mode is off)`);
  assert.equal(typeof record.meta.created_at, 'string', `${what}: meta.created_at`);
  assert.ok(!Number.isNaN(Date.parse(record.meta.created_at)), `${what}: meta.created_at is a date`);
  assert.ok(record.meta.published_at, `${what}: meta.published_at`);
  assert.ok(record.meta.first_published_at, `${what}: meta.first_published_at`);
}

await step('items.create post', async () => {
  post = await client.items.create(postBody());
  checkPost(post, 'create');
  blockIds = [post.blocks[0], post.body.document.children[1].item];

  // SPEC: create answers included: [item_type, ...new blocks], each block an item with its
  // item_type relationship and its values.
  const created = lastExchange('POST', '/items');
  assert.equal(created.response.status, 201, 'POST /items answers 201');
  const included = created.response.body.included;
  assert.ok(Array.isArray(included), 'POST /items: answer lacks included');
  assert.ok(
    included.some((r) => r.type === 'item_type' && r.id === postTypeId),
    'POST /items: included lacks the item_type',
  );
  const texts = {};
  for (const blockId of blockIds) {
    const block = included.find((r) => r.type === 'item' && r.id === blockId);
    assert.ok(block, `POST /items: included lacks the new block ${blockId}`);
    assert.deepEqual(block.relationships.item_type.data, relationship(quoteId, 'item_type'));
    texts[blockId] = block.attributes.text;
  }
  assert.deepEqual(Object.values(texts), ['Quoted', 'In body']);
  postId = post.id;
  return { id: postId, blocks: blockIds };
});

await step('items.find post', async () => {
  const found = await client.items.find(postId);
  checkPost(found, 'find');
  assert.equal(found.id, postId);
  assert.deepEqual(found.blocks, post.blocks);
  assert.deepEqual(found.body, post.body);
  assert.equal(found.meta.created_at, post.meta.created_at);
  assert.equal(found.meta.status, post.meta.status);
  const raw = lastExchange('GET', `/items/${postId}`).response.body;
  if ('included' in raw) wireNotes.add(`GET /items/:id answered included (SPEC: find has none)`);
});

await step('items.find category', async () => {
  const found = await client.items.find(categoryId);
  assert.equal(found.id, categoryId);
  assert.deepEqual(found.item_type, relationship(categoryTypeId, 'item_type'));
  assert.equal(found.name, 'News');
});

await step('items.find refused: unknown id', async () => {
  const error = await expectApiError(() => client.items.find(generateId()), 'find unknown id');
  assertApiErrorCode(error, 'NOT_FOUND', 404);
});

// A well-formed id (the client's own generator) that names no upload.
const UNKNOWN_UPLOAD = generateId();

await step('items.create refused: every problem at once', async () => {
  const body = postBody({
    content: { en: 'Lorem', fr: 'Lorem' }, // fr is no site locale
    image: { upload_id: UNKNOWN_UPLOAD, alt: 'Missing' }, // no such upload
    blocks: [quote('')], // the block's required text is empty
  });
  delete body.title; // required
  const error = await expectApiError(() => client.items.create(body), 'create an invalid post');
  assertStatus(error, 422);
  const errors = error.errors.map((e) => e.attributes);
  const expectations = [
    ['title', 'VALIDATION_REQUIRED'],
    ['blocks', 'VALIDATION_REQUIRED'],
    ['content', 'INVALID_LOCALES'],
    ['image', undefined],
  ];
  for (const [field, code] of expectations) {
    const found = error.findError('INVALID_FIELD', code ? { field, code } : { field });
    assert.ok(
      found,
      `expected INVALID_FIELD with details ${JSON.stringify({ field, code })}, got ${JSON.stringify(errors)}`,
    );
    assert.equal(found.type, 'api_error');
  }
  assert.equal(
    error.errors.length,
    expectations.length,
    `one api_error per problem: got ${JSON.stringify(errors)}`,
  );
  return { errors };
});

await step('items.validateNew valid', async () => {
  const answer = await client.items.validateNew(postBody({ title: 'Only validated' }));
  return { answered: answer === undefined ? null : Object.keys(answer) };
});

await step('items.validateNew refused', async () => {
  const body = postBody({ image: { alt: 'No upload_id' }, blocks: [quote('Not saved')] });
  delete body.title;
  const error = await expectApiError(() => client.items.validateNew(body), 'validate an invalid post');
  assertStatus(error, 422);
  const errors = error.errors.map((e) => e.attributes);
  const title = error.findError('INVALID_FIELD', { field: 'title', code: 'VALIDATION_REQUIRED' });
  assert.ok(title, `expected title VALIDATION_REQUIRED, got ${JSON.stringify(errors)}`);
  assert.ok(
    error.findError('INVALID_FIELD', { field: 'image' }),
    `expected an INVALID_FIELD error for image, got ${JSON.stringify(errors)}`,
  );
  assert.equal(error.errors.length, 2, `one api_error per problem: got ${JSON.stringify(errors)}`);
  return { errors };
});

await step('items.find post unchanged', async () => {
  const found = await client.items.find(postId);
  checkPost(found, 'find after refused and validate-only calls');
  assert.deepEqual(found.blocks, post.blocks);
});

report('created', { records: [categoryId, postId], blocks: blockIds, root: postId, upload: uploadId });
finish();
