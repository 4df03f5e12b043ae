// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// sortable and tree ("hierarchical sorting") models as a migration script uses them: a tree model
// and a sortable model created with the client, records created with parent_id and position,
// items.list filtered by parent_id / parent (eq, exists=false) and position and ordered by
// position, meta.has_children, reordering and moving by items.update (no new version, status kept),
// a loop refused, items.publish / items.unpublish with and without recursive=true
// (UNPUBLISHED_PARENT, PUBLISHED_CHILDREN), and items.destroy of a parent (its children move up).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node tree.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the records that remain.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  removeItemTypes,
  report,
  step,
} from './harness.mjs';

const { client } = connect({ decodeRequests: true, summariseRequestsOver: 12 });

const API_KEYS = ['category', 'slide'];
const itemTypeRel = (id) => ({ id, type: 'item_type' });
let categoryId;
let slideId;
const records = {}; // name -> record as last answered

const names = (list) => list.map((r) => r.name);

async function children(parentId, key = 'parent_id') {
  return client.items.list({
    filter: { type: 'category', fields: { [key]: { eq: parentId } } },
    order_by: 'position_ASC',
  });
}

async function roots() {
  return client.items.list({
    filter: { type: 'category', fields: { parent_id: { exists: false } } },
    order_by: 'position_ASC',
  });
}

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, API_KEYS),
}));

await step('schema: a tree model and a sortable model', async () => {
  const category = await client.itemTypes.create({
    name: 'Category',
    api_key: 'category',
    tree: true,
    draft_mode_active: true,
  });
  assert.equal(category.tree, true);
  categoryId = category.id;
  await client.fields.create(categoryId, { label: 'Name', field_type: 'string', api_key: 'name' });
  const slide = await client.itemTypes.create({ name: 'Slide', api_key: 'slide', sortable: true });
  assert.equal(slide.sortable, true);
  slideId = slide.id;
  await client.fields.create(slideId, { label: 'Name', field_type: 'string', api_key: 'name' });
});

await step('items.create a category tree with parent_id and position', async () => {
  const plan = [
    ['fruit', null, undefined],
    ['vegetables', null, undefined],
    ['apple', 'fruit', undefined],
    ['pear', 'fruit', undefined],
    ['williams', 'pear', undefined],
    ['quince', 'fruit', 1],
  ];
  for (const [name, parent, position] of plan) {
    const body = { item_type: itemTypeRel(categoryId), name, parent_id: parent ? records[parent].id : null };
    if (position !== undefined) body.position = position;
    const record = await client.items.create(body);
    assert.equal(record.parent_id, parent ? records[parent].id : null, `${name}: parent_id`);
    assert.equal(typeof record.position, 'number', `${name}: position`);
    assert.equal(record.meta.has_children, false, `${name}: a new record has no children`);
    records[name] = record;
  }
  assert.equal(records.quince.position, 1);
  assert.equal(records.apple.position, 1, 'as created (quince came after)');
});

await step('items.list by parent_id, parent, exists=false and position', async () => {
  assert.deepEqual(names(await children(records.fruit.id)), ['quince', 'apple', 'pear']);
  assert.deepEqual(names(await children(records.fruit.id, 'parent')), ['quince', 'apple', 'pear']);
  const from = exchanges.length;
  const top = await roots();
  const request = exchanges[from];
  assert.ok(new URL(request.request.url).searchParams.get('filter[fields][parent_id][exists]') === 'false');
  assert.deepEqual(names(top), ['fruit', 'vegetables']);
  assert.deepEqual(
    top.map((r) => r.meta.has_children),
    [true, false],
  );
  const later = await client.items.list({
    filter: { type: 'category', fields: { parent_id: { eq: records.fruit.id }, position: { gte: 2 } } },
    order_by: 'position_DESC',
  });
  assert.deepEqual(names(later), ['pear', 'apple']);
  const pear = await client.items.find(records.pear.id);
  assert.equal(pear.meta.has_children, true);
  assert.equal(pear.position, 3);
});

await step('items.update reorders and moves (no new version, status kept)', async () => {
  await client.items.publish(records.fruit.id);
  await client.items.publish(records.apple.id);
  const before = await client.items.find(records.apple.id);
  const moved = await client.items.update(records.apple.id, { position: 1 });
  assert.equal(moved.position, 1);
  assert.equal(moved.meta.status, 'published', 'a move does not make a published record updated');
  assert.equal(moved.meta.current_version, before.meta.current_version, 'no new version');
  assert.deepEqual(names(await children(records.fruit.id)), ['apple', 'quince', 'pear']);

  const pear = await client.items.update(records.pear.id, { parent_id: records.vegetables.id, position: 1 });
  assert.equal(pear.parent_id, records.vegetables.id);
  assert.deepEqual(names(await children(records.fruit.id)), ['apple', 'quince']);
  assert.deepEqual(names(await children(records.vegetables.id)), ['pear']);
  const promoted = await client.items.update(records.quince.id, { parent_id: null });
  assert.equal(promoted.parent_id, null);
  assert.deepEqual(names(await roots()), ['fruit', 'vegetables', 'quince']);
});

await step('items.update refuses a loop and writes nothing', async () => {
  const error = await expectApiError(
    () => client.items.update(records.vegetables.id, { parent_id: records.williams.id }),
    'a record under its own grandchild',
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'parent_id', code: 'VALIDATION_TREE_CYCLE' }));
  const bad = await expectApiError(
    () => client.items.update(records.vegetables.id, { position: 0 }),
    'position 0',
  );
  assert.ok(bad.findError('INVALID_FIELD', { field: 'position' }));
  const vegetables = await client.items.find(records.vegetables.id);
  assert.equal(vegetables.parent_id, null);
  assert.equal(vegetables.position, 2);
});

await step('items.publish with and without recursive', async () => {
  const error = await expectApiError(() => client.items.publish(records.williams.id), 'parent unpublished');
  assertApiErrorCode(error, 'UNPUBLISHED_PARENT', 422);
  const from = exchanges.length;
  const williams = await client.items.publish(records.williams.id, undefined, { recursive: true });
  assert.equal(new URL(exchanges[from].request.url).searchParams.get('recursive'), 'true');
  assert.equal(williams.meta.status, 'published');
  for (const name of ['pear', 'vegetables']) {
    assert.equal((await client.items.find(records[name].id)).meta.status, 'published', name);
  }
});

await step('items.unpublish with and without recursive', async () => {
  const error = await expectApiError(() => client.items.unpublish(records.vegetables.id), 'published children');
  assertApiErrorCode(error, 'PUBLISHED_CHILDREN', 422);
  const vegetables = await client.items.unpublish(records.vegetables.id, undefined, { recursive: true });
  assert.equal(vegetables.meta.status, 'draft');
  for (const name of ['pear', 'williams']) {
    assert.equal((await client.items.find(records[name].id)).meta.status, 'draft', name);
  }
});

await step('sortable model: positions, reorder, order_by and filter', async () => {
  const slides = {};
  for (const name of ['one', 'two', 'three']) {
    slides[name] = await client.items.create({ item_type: itemTypeRel(slideId), name });
  }
  assert.deepEqual(Object.values(slides).map((s) => s.position), [1, 2, 3]);
  assert.equal('parent_id' in slides.one, false);
  await client.items.update(slides.three.id, { position: 1 });
  const ordered = await client.items.list({ filter: { type: 'slide' }, order_by: 'position_ASC' });
  assert.deepEqual(names(ordered), ['three', 'one', 'two']);
  const after = await client.items.list({
    filter: { type: 'slide', fields: { position: { gt: 1 } } },
    order_by: 'position_ASC',
  });
  assert.deepEqual(names(after), ['one', 'two']);
});

await step('items.destroy a parent: its children move up into its place', async () => {
  await client.items.destroy(records.vegetables.id);
  assert.deepEqual(names(await roots()), ['fruit', 'pear', 'quince']);
  assert.deepEqual(names(await children(records.pear.id)), ['williams']);
});

report('left', { records: Object.values(records).map((r) => r.id).filter((id) => id !== records.vegetables.id) });
finish();
