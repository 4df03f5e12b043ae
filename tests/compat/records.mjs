// Drives DatoCMS's official CMA client (@datocms/cma-client-node) against a live server and checks
// how records are managed: the schema set up with the client (site locales, a `step` block model,
// a `recipe` model with draft mode), 35 records created, then items.list (field filters, ordering,
// full-text query, published version), items.listPagedIterator, items.find with nested blocks,
// items.update (one field; blocks kept, updated, created and dropped; a stale current_version),
// items.publish / items.unpublish and the status they give, itemVersions.list / find / restore,
// items.references and items.destroy.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... node records.mjs
//
// Optional env (CMS_LOG_LEVEL, CMS_TRACE_FILE), the output (one JSON line per step, the final
// "wire_notes" line) and the exit codes: see harness.mjs. A step's requests are listed decoded,
// a long run of them summarised.
// The "left" line lists the ids of every record and block that should remain after the deletes,
// so that the caller can check the database holds exactly those.

import assert from 'node:assert/strict';

import { buildBlockRecord, generateId } from '@datocms/cma-client-node';

import {
  DATO_ID,
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  lastExchange,
  removeItemTypes,
  report,
  step,
  wireNotes,
} from './harness.mjs';

const { client, baseUrl } = connect({ decodeRequests: true, summariseRequestsOver: 12 });

// The exchanges recorded since index `from`, with their decoded query parameters.
function exchangesSince(from) {
  return exchanges.slice(from).map((e) => {
    const u = new URL(e.request.url);
    return { ...e, path: u.pathname, query: Object.fromEntries(u.searchParams.entries()) };
  });
}

// ---------------------------------------------------------------------------------------------
// Steps.

const RECIPE_COUNT = 35;
const QUERY_WORD = 'zucchini'; // in recipe 17's English intro only
const API_KEYS = ['recipe', 'step']; // destroy order: recipe holds step blocks

let stepTypeId;
let recipeTypeId;
// minutes (1..35) -> the record as created
const recipes = {};
let linkerId;
const destroyed = [];

const itemTypeRel = (id) => ({ id, type: 'item_type' });
const stepBlock = (text) => buildBlockRecord({ item_type: itemTypeRel(stepTypeId), text });
const ids = (records) => records.map((r) => r.id);
// The records that should remain: every recipe not destroyed, and the linker.
const remainingIds = () => [
  ...ids(Object.values(recipes)).filter((id) => !destroyed.includes(id)),
  linkerId,
];

await step('cleanup_previous_run', async () => ({
  removed: await removeItemTypes(client, API_KEYS),
}));

await step('site.update locales', async () => {
  const site = await client.site.update({ locales: ['en', 'it'] });
  assert.deepEqual(site.locales, ['en', 'it']);
});

await step('schema: step block model', async () => {
  const stepType = await client.itemTypes.create({ name: 'Step', api_key: 'step', modular_block: true });
  assert.equal(stepType.modular_block, true);
  stepTypeId = stepType.id;
  await client.fields.create(stepTypeId, {
    label: 'Text',
    field_type: 'string',
    api_key: 'text',
    validators: { required: {} },
  });
  return { id: stepTypeId };
});

await step('schema: recipe model (draft mode)', async () => {
  const recipeType = await client.itemTypes.create({
    name: 'Recipe',
    api_key: 'recipe',
    draft_mode_active: true,
  });
  assert.equal(recipeType.draft_mode_active, true);
  recipeTypeId = recipeType.id;
  const specs = [
    { label: 'Title', field_type: 'string', api_key: 'title', validators: { required: {} } },
    { label: 'Minutes', field_type: 'integer', api_key: 'minutes' },
    { label: 'Intro', field_type: 'text', api_key: 'intro', localized: true },
    {
      label: 'Steps',
      field_type: 'rich_text',
      api_key: 'steps',
      validators: { rich_text_blocks: { item_types: [stepTypeId] } },
    },
    {
      label: 'Related',
      field_type: 'links',
      api_key: 'related',
      validators: { items_item_type: { item_types: [recipeTypeId] } },
    },
  ];
  for (const spec of specs) {
    const field = await client.fields.create(recipeTypeId, spec);
    assert.equal(field.api_key, spec.api_key);
  }
  const related = (await client.fields.list(recipeTypeId)).find((f) => f.api_key === 'related');
  return { id: recipeTypeId, related_validators: related.validators };
});

function recipeBody(minutes) {
  const body = {
    item_type: itemTypeRel(recipeTypeId),
    title: `Recipe ${minutes}`,
    minutes,
    intro: { en: `Intro of recipe ${minutes}`, it: `Introduzione della ricetta ${minutes}` },
  };
  if (minutes === 17) {
    body.intro = { en: `A creamy ${QUERY_WORD} risotto`, it: 'Un risotto alle zucchine' };
  }
  if (minutes === 1) body.steps = [stepBlock('Chop'), stepBlock('Boil'), stepBlock('Serve')];
  if (minutes === 2) body.steps = [stepBlock('Mix'), stepBlock('Bake')];
  return body;
}

await step(`items.create ${RECIPE_COUNT} recipes`, async () => {
  for (let minutes = 1; minutes <= RECIPE_COUNT; minutes += 1) {
    const record = await client.items.create(recipeBody(minutes));
    assert.match(record.id, DATO_ID, `recipe ${minutes}: id`);
    assert.deepEqual(record.item_type, itemTypeRel(recipeTypeId), `recipe ${minutes}: item_type`);
    assert.equal(record.minutes, minutes);
    assert.equal(record.meta.status, 'draft', `recipe ${minutes}: a new record of a draft-mode model is a draft`);
    assert.equal(record.meta.published_at, null, `recipe ${minutes}: meta.published_at`);
    assert.equal(typeof record.meta.current_version, 'string', `recipe ${minutes}: meta.current_version`);
    recipes[minutes] = record;
  }
  assert.equal(new Set(Object.values(recipes).map((r) => r.id)).size, RECIPE_COUNT, 'distinct ids');
  assert.equal(recipes[1].steps.length, 3);
  assert.equal(recipes[2].steps.length, 2);
  for (const blockId of [...recipes[1].steps, ...recipes[2].steps]) {
    assert.match(blockId, DATO_ID, 'blocks are answered as ids');
  }
  assert.deepEqual(recipes[3].steps, [], 'an unset rich_text field is []');
  assert.deepEqual(recipes[3].related, [], 'an unset links field is []');
  return { blocks: { 1: recipes[1].steps, 2: recipes[2].steps } };
});

await step('items.list filter fields minutes gt 30, order_by minutes_ASC', async () => {
  const from = exchanges.length;
  const found = await client.items.list({
    filter: { type: 'recipe', fields: { minutes: { gt: 30 } } },
    order_by: 'minutes_ASC',
  });
  const [request] = exchangesSince(from);
  assert.equal(request.query['filter[type]'], 'recipe');
  assert.equal(request.query['filter[fields][minutes][gt]'], '30');
  assert.equal(request.query.order_by, 'minutes_ASC');
  assert.deepEqual(
    found.map((r) => r.minutes),
    [31, 32, 33, 34, 35],
  );
  assert.deepEqual(ids(found), [31, 32, 33, 34, 35].map((m) => recipes[m].id));
  for (const record of found) {
    assert.equal(record.type, 'item');
    assert.deepEqual(record.item_type, itemTypeRel(recipeTypeId));
    assert.equal(record.meta.status, 'draft');
  }
  assert.equal(request.response.body.meta.total_count, 5, 'meta.total_count counts the filtered records');
  if ('included' in request.response.body) wireNotes.add('GET /items answered included (SPEC: list has none)');
});

await step('items.list order_by minutes_DESC, page limit 3', async () => {
  const from = exchanges.length;
  const found = await client.items.list({
    filter: { type: 'recipe' },
    order_by: 'minutes_DESC',
    page: { offset: 1, limit: 3 },
  });
  const [request] = exchangesSince(from);
  assert.equal(request.query['page[offset]'], '1');
  assert.equal(request.query['page[limit]'], '3');
  assert.deepEqual(
    found.map((r) => r.minutes),
    [34, 33, 32],
  );
  assert.equal(request.response.body.meta.total_count, RECIPE_COUNT);
});

await step('items.listPagedIterator perPage 10', async () => {
  const from = exchanges.length;
  const seen = [];
  for await (const record of client.items.listPagedIterator({ filter: { type: 'recipe' } }, { perPage: 10 })) {
    assert.equal(record.type, 'item');
    assert.deepEqual(record.item_type, itemTypeRel(recipeTypeId), 'iterated records are deserialized');
    assert.equal(typeof record.minutes, 'number');
    seen.push(record.id);
  }
  const pages = exchangesSince(from);
  // The iterator asks offset 0, reads meta.total_count, then asks every further page.
  assert.deepEqual(
    pages.map((e) => [e.request.method, e.path, e.query['page[offset]'], e.query['page[limit]']]),
    ['0', '10', '20', '30'].map((offset) => ['GET', new URL(`${baseUrl}/items`).pathname, offset, '10']),
  );
  for (const page of pages) {
    assert.equal(page.response.body.meta.total_count, RECIPE_COUNT, 'every page gives the whole total');
  }
  assert.equal(seen.length, RECIPE_COUNT, 'one record per created recipe');
  assert.equal(new Set(seen).size, RECIPE_COUNT, 'no record twice across pages');
  assert.deepEqual(
    [...seen].sort(),
    Object.values(recipes)
      .map((r) => r.id)
      .sort(),
  );
  return { pages: pages.length };
});

await step('items.list filter query', async () => {
  const found = await client.items.list({ filter: { query: QUERY_WORD } });
  assert.deepEqual(ids(found), [recipes[17].id], `"${QUERY_WORD}" is only in recipe 17's intro`);
  assert.deepEqual(found[0].intro, recipeBody(17).intro);
  const none = await client.items.list({ filter: { type: 'recipe', query: 'nosuchwordanywhere' } });
  assert.deepEqual(none, []);
});

await step('items.list version published: none before publishing', async () => {
  const found = await client.items.list({ version: 'published', filter: { type: 'recipe' } });
  assert.deepEqual(found, []);
  assert.equal(lastExchange('GET', '/items').response.body.meta.total_count, 0);
});

const STEP_TEXTS = ['Chop', 'Boil', 'Serve'];

function checkNestedSteps(record, expectedIds, expectedTexts, what) {
  assert.ok(Array.isArray(record.steps), `${what}: steps is an array`);
  assert.equal(record.steps.length, expectedTexts.length, `${what}: number of steps`);
  record.steps.forEach((block, index) => {
    assert.equal(typeof block, 'object', `${what}: with nested=true a block is an object, not an id`);
    assert.equal(block.type, 'item', `${what}: block type`);
    assert.deepEqual(block.relationships.item_type.data, itemTypeRel(stepTypeId), `${what}: block item_type`);
    assert.equal(block.__itemTypeId, stepTypeId, `${what}: the client marks nested blocks with __itemTypeId`);
    assert.ok(block.meta && typeof block.meta === 'object', `${what}: block meta`);
    if (expectedIds[index] !== undefined) {
      assert.equal(block.id, expectedIds[index], `${what}: block ${index} id`);
    } else {
      assert.match(block.id, DATO_ID, `${what}: block ${index} id`);
    }
  });
  assert.deepEqual(
    record.steps.map((b) => b.attributes.text),
    expectedTexts,
    `${what}: block texts in order`,
  );
}

await step('items.find nested', async () => {
  const found = await client.items.find(recipes[1].id, { nested: true });
  assert.equal(lastExchange('GET', `/items/${recipes[1].id}`).request.url.includes('nested=true'), true);
  assert.equal(found.id, recipes[1].id);
  assert.equal(found.title, 'Recipe 1');
  checkNestedSteps(found, recipes[1].steps, STEP_TEXTS, 'find nested');
  const flat = await client.items.find(recipes[1].id);
  assert.deepEqual(flat.steps, recipes[1].steps, 'without nested, blocks are ids');
});

let recipe3Before;

await step('items.update one field', async () => {
  recipe3Before = await client.items.find(recipes[3].id);
  const updated = await client.items.update(recipes[3].id, { minutes: 99 });
  const sent = lastExchange('PUT', `/items/${recipes[3].id}`).request.body;
  assert.deepEqual(sent, { data: { id: recipes[3].id, type: 'item', attributes: { minutes: 99 } } });
  assert.equal(updated.minutes, 99);
  const { minutes: _m, meta: metaBefore, ...restBefore } = recipe3Before;
  const { minutes: _n, meta: metaAfter, ...restAfter } = updated;
  assert.deepEqual(restAfter, restBefore, 'every other value is unchanged');
  assert.notEqual(metaAfter.current_version, metaBefore.current_version, 'a new current_version');
  assert.equal(metaAfter.status, 'draft', 'an unpublished record stays a draft');
  assert.equal(metaAfter.created_at, metaBefore.created_at);
  const found = await client.items.find(recipes[3].id);
  assert.equal(found.minutes, 99);
  assert.equal(found.meta.current_version, metaAfter.current_version);
});

let recipe1Steps;

await step('items.update blocks: keep, update, create, drop, reorder', async () => {
  const [chopId, boilId, serveId] = recipes[1].steps;
  const updated = await client.items.update(recipes[1].id, {
    steps: [
      serveId, // kept as is, moved first
      buildBlockRecord({ id: chopId, text: 'Chop finely' }), // updated in place, no item_type
      stepBlock('Garnish'), // new
      // Boil left out: deleted
    ],
  });
  const sent = lastExchange('PUT', `/items/${recipes[1].id}`).request.body.data.attributes.steps;
  assert.deepEqual(sent[1], { id: chopId, type: 'item', attributes: { text: 'Chop finely' } });
  assert.deepEqual(sent[2].relationships.item_type.data, itemTypeRel(stepTypeId));
  assert.ok(!('id' in sent[2]), 'a new block is sent without id');

  assert.equal(updated.steps.length, 3);
  assert.deepEqual(updated.steps.slice(0, 2), [serveId, chopId], 'kept blocks keep their ids');
  const garnishId = updated.steps[2];
  assert.match(garnishId, DATO_ID);
  assert.ok(![chopId, boilId, serveId].includes(garnishId), 'the new block has a new id');

  const included = lastExchange('PUT', `/items/${recipes[1].id}`).response.body.included || [];
  for (const [blockId, text] of [
    [chopId, 'Chop finely'],
    [garnishId, 'Garnish'],
  ]) {
    const block = included.find((r) => r.type === 'item' && r.id === blockId);
    assert.ok(block, `PUT /items/:id: included lacks the written block ${blockId}`);
    assert.equal(block.attributes.text, text);
  }

  const found = await client.items.find(recipes[1].id, { nested: true });
  checkNestedSteps(found, [serveId, chopId, garnishId], ['Serve', 'Chop finely', 'Garnish'], 'after update');
  assert.equal(found.title, 'Recipe 1', 'other fields unchanged');
  recipe1Steps = [serveId, chopId, garnishId];
  return { steps: recipe1Steps, dropped: boilId };
});

await step('items.update refused: stale meta.current_version', async () => {
  const stale = recipes[1].meta.current_version; // as created, before the block update
  const current = (await client.items.find(recipes[1].id)).meta.current_version;
  assert.notEqual(stale, current);
  const error = await expectApiError(
    () => client.items.update(recipes[1].id, { title: 'Lost update', meta: { current_version: stale } }),
    'update with an old current_version',
  );
  assert.deepEqual(
    lastExchange('PUT', `/items/${recipes[1].id}`).request.body.data.meta,
    { current_version: stale },
    'the client sends meta.current_version',
  );
  assertApiErrorCode(error, 'STALE_ITEM_VERSION', 422);
  const found = await client.items.find(recipes[1].id);
  assert.equal(found.title, 'Recipe 1', 'nothing written');
  assert.equal(found.meta.current_version, current);

  // The current version is accepted.
  const updated = await client.items.update(recipes[1].id, {
    title: 'Recipe 1 (checked)',
    meta: { current_version: current },
  });
  assert.equal(updated.title, 'Recipe 1 (checked)');
  assert.deepEqual(updated.steps, recipe1Steps, 'blocks not sent are kept');
  return { code: error.errors[0].attributes.code };
});

async function publishedRecipes() {
  return client.items.list({ version: 'published', filter: { type: 'recipe' } });
}

await step('items.publish / update / unpublish: meta.status', async () => {
  const id = recipes[5].id;
  assert.equal((await client.items.find(id)).meta.status, 'draft');

  const published = await client.items.publish(id);
  const publishCall = lastExchange('PUT', `/items/${id}/publish`);
  assert.ok(publishCall, 'the client publishes with PUT /items/:id/publish');
  assert.equal(publishCall.request.body, undefined, 'the client sends no body');
  const contentType = Object.entries(publishCall.request.headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  assert.ok(contentType && contentType[1].includes('application/json'), 'and Content-Type: application/json');
  assert.equal(published.id, id);
  assert.equal(published.meta.status, 'published');
  assert.ok(published.meta.published_at, 'meta.published_at');
  assert.ok(published.meta.first_published_at, 'meta.first_published_at');
  assert.equal(published.title, 'Recipe 5');

  let listed = await publishedRecipes();
  assert.deepEqual(ids(listed), [id], 'version=published lists the published record');
  assert.equal(listed[0].meta.status, 'published');

  const updated = await client.items.update(id, { title: 'Recipe 5 (edited)' });
  assert.equal(updated.meta.status, 'updated', 'an edit after publishing');
  listed = await publishedRecipes();
  assert.deepEqual(ids(listed), [id]);
  assert.equal(listed[0].title, 'Recipe 5', 'version=published answers the published values');
  const publishedView = await client.items.find(id, { version: 'published' });
  assert.equal(publishedView.title, 'Recipe 5', 'find version=published');
  const currentView = await client.items.find(id);
  assert.equal(currentView.title, 'Recipe 5 (edited)', 'find answers the current values');

  const republished = await client.items.publish(id);
  assert.equal(republished.meta.status, 'published');
  listed = await publishedRecipes();
  assert.equal(listed[0].title, 'Recipe 5 (edited)', 'republishing publishes the edit');

  const unpublished = await client.items.unpublish(id);
  const unpublishCall = lastExchange('PUT', `/items/${id}/unpublish`);
  assert.equal(unpublishCall.request.body, undefined, 'unpublish sends no body');
  assert.equal(unpublished.meta.status, 'draft');
  assert.equal(unpublished.meta.published_at, null);
  assert.deepEqual(await publishedRecipes(), [], 'nothing published any more');
  const error = await expectApiError(
    () => client.items.find(id, { version: 'published' }),
    'find version=published of an unpublished record',
  );
  assertApiErrorCode(error, 'NOT_FOUND', 404);
});

await step('itemVersions.list / find', async () => {
  const versions = await client.itemVersions.list(recipes[3].id);
  assert.equal(versions.length, 2, 'create and one update');
  const [newest, oldest] = versions;
  for (const version of versions) {
    assert.equal(version.type, 'item_version');
    assert.match(version.id, DATO_ID);
    assert.deepEqual(version.item, { id: recipes[3].id, type: 'item' });
    assert.deepEqual(version.item_type, itemTypeRel(recipeTypeId));
    assert.equal(typeof version.meta.created_at, 'string');
  }
  assert.equal(newest.minutes, 99, 'newest first');
  assert.equal(newest.meta.is_current, true);
  assert.equal(oldest.minutes, 3);
  assert.equal(oldest.meta.is_current, false);
  assert.equal(oldest.title, 'Recipe 3');
  assert.deepEqual(oldest.intro, recipe3Before.intro);
  assert.ok(Date.parse(newest.meta.created_at) >= Date.parse(oldest.meta.created_at));
  assert.equal(lastExchange('GET', `/items/${recipes[3].id}/versions`).response.body.meta.total_count, 2);

  const found = await client.itemVersions.find(oldest.id);
  assert.equal(found.id, oldest.id);
  assert.equal(found.minutes, 3);
  assert.deepEqual(found.item, { id: recipes[3].id, type: 'item' });
  return { versions: ids(versions) };
});

await step('itemVersions.restore', async () => {
  const [, oldest] = await client.itemVersions.list(recipes[3].id);
  const answer = await client.itemVersions.restore(oldest.id);
  const call = exchanges[exchanges.length - 1];
  // The client deserializes {data: [item, item_version]} into an array of the two.
  assert.ok(Array.isArray(answer), `restore answers an array, got ${JSON.stringify(answer)}`);
  const [record, version] = answer;
  assert.equal(record.type, 'item');
  assert.equal(record.id, recipes[3].id);
  assert.equal(record.minutes, 3, 'the old minutes are back');
  assert.equal(record.title, 'Recipe 3');
  assert.equal(version.type, 'item_version');
  assert.notEqual(version.id, oldest.id, 'a restore writes a new version');
  assert.equal(version.minutes, 3);
  assert.equal(version.meta.is_current, true);

  const found = await client.items.find(recipes[3].id);
  assert.equal(found.minutes, 3);
  assert.equal(found.meta.current_version, version.id);
  const versions = await client.itemVersions.list(recipes[3].id);
  assert.deepEqual(
    versions.map((v) => [v.minutes, v.meta.is_current]),
    [
      [3, true],
      [99, false],
      [3, false],
    ],
  );
  return { method: call.request.method };
});

await step('items.references', async () => {
  const linker = await client.items.create({
    item_type: itemTypeRel(recipeTypeId),
    title: 'Menu',
    minutes: 60,
    intro: { en: 'Two recipes', it: 'Due ricette' },
    related: [recipes[6].id, recipes[7].id],
  });
  linkerId = linker.id;
  assert.deepEqual(linker.related, [recipes[6].id, recipes[7].id]);

  for (const minutes of [6, 7]) {
    const linking = await client.items.references(recipes[minutes].id);
    assert.deepEqual(ids(linking), [linkerId], `records linking to recipe ${minutes}`);
    assert.equal(linking[0].type, 'item');
    assert.deepEqual(linking[0].item_type, itemTypeRel(recipeTypeId));
    assert.deepEqual(linking[0].related, [recipes[6].id, recipes[7].id]);
  }
  assert.deepEqual(await client.items.references(recipes[8].id), [], 'nothing links to recipe 8');
  assert.deepEqual(await client.items.references(linkerId), [], 'nothing links to the linker');
  return { id: linkerId };
});

await step('items.destroy', async () => {
  for (const minutes of [10, 1, 6]) {
    const id = recipes[minutes].id;
    const deleted = await client.items.destroy(id);
    assert.equal(deleted.id, id, 'destroy answers the deleted record');
    assert.equal(deleted.type, 'item');
    assert.deepEqual(deleted.item_type, itemTypeRel(recipeTypeId));
    if (minutes === 10) assert.equal(deleted.minutes, 10);
    if (minutes === 1) assert.deepEqual(deleted.steps, recipe1Steps);
    const error = await expectApiError(() => client.items.find(id), `find deleted recipe ${minutes}`);
    assertApiErrorCode(error, 'NOT_FOUND', 404);
    destroyed.push(id);
  }
  // recipe 6 was linked from the menu: the default on_reference_delete_strategy takes the link out.
  const menu = await client.items.find(linkerId);
  assert.deepEqual(menu.related, [recipes[7].id], 'the link to the deleted record is gone');
  assert.deepEqual(ids(await client.items.references(recipes[7].id)), [linkerId]);

  const again = await expectApiError(() => client.items.destroy(recipes[10].id), 'destroy twice');
  assertApiErrorCode(again, 'NOT_FOUND', 404);
  const unknown = await expectApiError(() => client.items.find(generateId()), 'find unknown id');
  assertApiErrorCode(unknown, 'NOT_FOUND', 404);
  return { destroyed };
});

await step('items.list after deletes', async () => {
  const left = [];
  for await (const record of client.items.listPagedIterator({ filter: { type: 'recipe' } }, { perPage: 500 })) {
    left.push(record.id);
  }
  assert.equal(left.length, RECIPE_COUNT + 1 - destroyed.length);
  assert.deepEqual([...left].sort(), [...remainingIds()].sort());
});

report('left', { records: remainingIds(), blocks: recipes[2].steps, destroyed });
finish();
