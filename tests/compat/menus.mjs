// Drives DatoCMS's official CMA client through the menus (SPEC-2 §3) against a live server with a
// job worker (`manage.py serve`): a model's own menu item and schema menu item (and
// skip_menu_item_creation, menu_item_id), menuItems and schemaMenuItems create, list (filter[ids]),
// find, update (parent, position; a schema menu item's children), destroy, refusals, rawReorder
// through the client's own job poller (a 202, then /job-results until the job is done), and a
// model's destroy with and without skip_menu_items_deletion.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node menus.mjs
//
// Output and exit codes: see harness.mjs. The "left" line lists the menu items and schema menu
// items left, in menu order, for the caller to check the database.

import assert from 'node:assert/strict';

import { generateId } from '@datocms/cma-client-node';

import {
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  postedJobPolls,
  relationship,
  step,
} from './harness.mjs';

const { client } = connect();

const linkedTo = (items, model) => items.filter((i) => i.item_type && i.item_type.id === model.id);
// (label, parent label, position) in the order the list answers: menu order.
function shape(items) {
  const labels = new Map(items.map((i) => [i.id, i.label]));
  return items.map((i) => [i.label, i.parent ? labels.get(i.parent.id) : null, i.position]);
}

let post;
let page;
let group;
let child;
let postItem;

await step('itemTypes.create makes the model its menu items', async () => {
  post = await client.itemTypes.create({ name: 'Post', api_key: 'post' });
  const [item] = linkedTo(await client.menuItems.list(), post);
  assert.equal(item.type, 'menu_item');
  assert.equal(item.label, 'Post');
  assert.equal(item.position, 1);
  assert.equal(item.parent, null);
  assert.deepEqual(item.children, []);
  assert.equal(item.item_type_filter, null);
  const [schemaItem] = linkedTo(await client.schemaMenuItems.list(), post);
  assert.equal(schemaItem.kind, 'item_type');
  assert.equal(schemaItem.label, null);
  postItem = item;
  return { menuItem: item.id, schemaMenuItem: schemaItem.id };
});

await step('itemTypes.create with skip_menu_item_creation and menu_item_id', async () => {
  const skipped = await client.itemTypes.create(
    { name: 'Skipped', api_key: 'skipped' },
    { skip_menu_item_creation: true },
  );
  assert.deepEqual(linkedTo(await client.menuItems.list(), skipped), []);
  assert.deepEqual(linkedTo(await client.schemaMenuItems.list(), skipped), []);
  const chosen = generateId();
  page = await client.itemTypes.create({ name: 'Page', api_key: 'page' }, { menu_item_id: chosen });
  const found = await client.menuItems.find(chosen);
  assert.deepEqual(found.item_type, relationship(page.id, 'item_type'));
  return { chosen };
});

await step('menuItems.create, a group and an item in it', async () => {
  group = await client.menuItems.create({ label: 'Blog', position: 1 });
  assert.equal(group.position, 1);
  assert.equal(group.external_url, null);
  assert.equal(group.open_in_new_tab, false);
  child = await client.menuItems.create({
    id: generateId(),
    label: 'Website',
    external_url: 'https://example.com',
    open_in_new_tab: true,
    parent: relationship(group.id, 'menu_item'),
  });
  assert.deepEqual(child.parent, relationship(group.id, 'menu_item'));
  assert.equal(child.position, 1);
  const shown = await client.menuItems.find(group.id);
  assert.deepEqual(shown.children, [relationship(child.id, 'menu_item')]);
  return { group: group.id, child: child.id };
});

await step('menuItems.list, all and filter[ids]', async () => {
  const all = await client.menuItems.list();
  assert.deepEqual(shape(all), [
    ['Blog', null, 1],
    ['Website', 'Blog', 1],
    ['Post', null, 2],
    ['Page', null, 3],
  ]);
  const some = await client.menuItems.list({ filter: { ids: `${postItem.id},${child.id}` } });
  assert.deepEqual(
    some.map((i) => i.id),
    [child.id, postItem.id],
  );
});

await step('menuItems.update moves an item and its siblings follow', async () => {
  const moved = await client.menuItems.update(postItem.id, {
    parent: relationship(group.id, 'menu_item'),
    position: 1,
  });
  assert.equal(moved.position, 1);
  assert.deepEqual(shape(await client.menuItems.list()), [
    ['Blog', null, 1],
    ['Post', 'Blog', 1],
    ['Website', 'Blog', 2],
    ['Page', null, 2],
  ]);
  const renamed = await client.menuItems.update(child.id, { label: 'Site' });
  assert.equal(renamed.label, 'Site');
  assert.equal(renamed.position, 2);
});

await step('menuItems refusals', async () => {
  const zero = await expectApiError(
    () => client.menuItems.create({ label: 'Zero', position: 0 }),
    'position 0',
  );
  assertApiErrorCode(zero, 'INVALID_FIELD', 422);
  assert.ok(zero.findError('INVALID_FIELD', { field: 'position' }));
  const loop = await expectApiError(
    () => client.menuItems.update(group.id, { parent: relationship(postItem.id, 'menu_item') }),
    'a group under its child',
  );
  assert.ok(loop.findError('INVALID_RELATIONSHIP', { field: 'parent', code: 'VALIDATION_CYCLE' }));
  const missing = await expectApiError(() => client.menuItems.find(generateId()), 'unknown id');
  assertApiErrorCode(missing, 'NOT_FOUND', 404);
});

async function menuItemOf(model) {
  const [item] = linkedTo(await client.menuItems.list(), model);
  return item;
}

const entry = (type, id, position, parent) => ({
  type,
  id,
  attributes: { position },
  relationships: { parent: { data: parent ? { type, id: parent } : null } },
});

await step('menuItems.rawReorder runs as a job the client polls', async () => {
  const pageItem = await menuItemOf(page);
  const from = exchanges.length;
  const payload = await client.menuItems.rawReorder({
    data: [entry('menu_item', pageItem.id, 1, null), entry('menu_item', child.id, 1, group.id)],
  });
  assert.deepEqual(
    payload.data.map((i) => [i.id, i.attributes.position]),
    [
      [pageItem.id, 1],
      [child.id, 1],
    ],
  );
  assert.deepEqual(shape(await client.menuItems.list()), [
    ['Page', null, 1],
    ['Blog', null, 2],
    ['Site', 'Blog', 1],
    ['Post', 'Blog', 2],
  ]);
  return postedJobPolls('/menu-items/reorder', from);
});

await step('menuItems.destroy answers the item and takes what is under it', async () => {
  const gone = await client.menuItems.destroy(group.id);
  assert.equal(gone.id, group.id);
  assert.equal(gone.label, 'Blog');
  assert.deepEqual(shape(await client.menuItems.list()), [['Page', null, 1]]);
});

let schemaGroup;

await step('schemaMenuItems create, list, find, update (children), destroy', async () => {
  schemaGroup = await client.schemaMenuItems.create({ label: 'Content', kind: 'item_type' });
  assert.equal(schemaGroup.kind, 'item_type');
  const own = linkedTo(await client.schemaMenuItems.list(), post)[0];
  const updated = await client.schemaMenuItems.update(schemaGroup.id, {
    children: [relationship(own.id, 'schema_menu_item')],
  });
  assert.deepEqual(updated.children, [relationship(own.id, 'schema_menu_item')]);
  const found = await client.schemaMenuItems.find(own.id);
  assert.deepEqual(found.parent, relationship(schemaGroup.id, 'schema_menu_item'));
  const listed = await client.schemaMenuItems.list({ filter: { ids: schemaGroup.id } });
  assert.deepEqual(
    listed.map((i) => i.id),
    [schemaGroup.id],
  );
  const extra = await client.schemaMenuItems.create({ label: 'Extra', kind: 'modular_block' });
  const gone = await client.schemaMenuItems.destroy(extra.id);
  assert.equal(gone.id, extra.id);
  const refused = await expectApiError(
    () => client.schemaMenuItems.create({ label: 'Bad', kind: 'folder' }),
    'an unknown kind',
  );
  assert.ok(refused.findError('INVALID_FIELD', { field: 'kind' }));
});

await step('schemaMenuItems.rawReorder runs as a job the client polls', async () => {
  const from = exchanges.length;
  const items = await client.schemaMenuItems.list();
  const topLevel = items.filter((i) => i.parent === null).reverse();
  const payload = await client.schemaMenuItems.rawReorder({
    data: topLevel.map((item, index) => entry('schema_menu_item', item.id, index + 1, null)),
  });
  assert.deepEqual(
    payload.data.map((i) => i.id),
    topLevel.map((i) => i.id),
  );
  const after = (await client.schemaMenuItems.list()).filter((i) => i.parent === null);
  assert.deepEqual(
    after.map((i) => i.id),
    topLevel.map((i) => i.id),
  );
  return postedJobPolls('/schema-menu-items/reorder', from);
});

await step('itemTypes.destroy removes its menu items, or keeps them when asked', async () => {
  const pageItem = await menuItemOf(page);
  await client.itemTypes.destroy(page.id, { skip_menu_items_deletion: true });
  const kept = await client.menuItems.find(pageItem.id);
  assert.equal(kept.item_type, null);
  await client.itemTypes.destroy(post.id);
  assert.deepEqual(linkedTo(await client.schemaMenuItems.list(), post), []);
});

await step('left', async () => ({
  menuItems: (await client.menuItems.list()).map((i) => i.id),
  schemaMenuItems: (await client.schemaMenuItems.list()).map((i) => i.id),
}));

finish();
