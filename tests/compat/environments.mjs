// Drives DatoCMS's official CMA client against a live server holding two environments, the
// primary `main` and an empty sandbox (CMS_SANDBOX, made by the caller: forks come later):
// environments.list / find, a client per environment (buildClient({ environment })) and what each
// sees, an unknown environment, maintenanceMode.find / activate / deactivate and the writes it
// refuses, environments.promote (what a client without an environment sees) and
// environments.rename (a taken id refused).
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_SANDBOX=sandbox node environments.mjs
//
// Output and exit codes: see harness.mjs. The "left" line names the environment the sandbox ends
// as and the models each environment should hold, for the caller to check the database.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  clientFor,
  connect,
  expectApiError,
  finish,
  lastExchange,
  report,
  step,
} from './harness.mjs';

const { client: primary, baseUrl, apiToken } = connect();
const sandboxName = process.env.CMS_SANDBOX;
if (!sandboxName) {
  console.error('CMS_SANDBOX must be set');
  process.exit(2);
}
let sandbox = clientFor(baseUrl, apiToken, sandboxName);
const RENAMED = `${sandboxName}-renamed`;

async function modelKeys(client) {
  return (await client.itemTypes.list()).map((it) => it.api_key).sort();
}

async function createModel(client, apiKey) {
  const model = await client.itemTypes.create({ name: apiKey, api_key: apiKey });
  await client.fields.create(model.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  return model;
}

let articleId;

await step('environments.list', async () => {
  const environments = await primary.environments.list();
  const byId = Object.fromEntries(environments.map((e) => [e.id, e]));
  assert.deepEqual(Object.keys(byId).sort(), ['main', sandboxName].sort());
  assert.equal(byId.main.type, 'environment');
  assert.equal(byId.main.meta.primary, true);
  assert.equal(byId.main.meta.status, 'ready');
  assert.equal(byId[sandboxName].meta.primary, false);
  assert.equal(typeof byId.main.meta.created_at, 'string');
  return { environments: environments.map((e) => [e.id, e.meta.primary]) };
});

await step('environments.find', async () => {
  const found = await sandbox.environments.find(sandboxName);
  assert.equal(found.id, sandboxName);
  assert.equal(found.meta.read_only_mode, false);
});

await step('a client per environment: the sandbox', async () => {
  const article = await createModel(sandbox, 'article');
  articleId = article.id;
  const record = await sandbox.items.create({
    item_type: { id: article.id, type: 'item_type' },
    title: 'Sandboxed',
  });
  assert.equal(lastExchange('POST', '/items').response.headers['x-environment'], sandboxName);
  assert.deepEqual(await modelKeys(sandbox), ['article']);
  assert.equal((await sandbox.items.list({ filter: { type: 'article' } }))[0].id, record.id);
});

await step('a client per environment: the primary sees none of it', async () => {
  assert.deepEqual(await modelKeys(primary), []);
  const error = await expectApiError(() => primary.itemTypes.find(articleId), 'find in main');
  assertApiErrorCode(error, 'NOT_FOUND', 404);
  await createModel(primary, 'note');
  assert.deepEqual(await modelKeys(sandbox), ['article']);
  assert.deepEqual(await modelKeys(primary), ['note']);
});

await step('an unknown environment', async () => {
  const nowhere = clientFor(baseUrl, apiToken, 'nowhere');
  const error = await expectApiError(() => nowhere.itemTypes.list(), 'unknown environment');
  assertApiErrorCode(error, 'ENVIRONMENT_NOT_FOUND', 404);
  assert.equal(error.findError('ENVIRONMENT_NOT_FOUND').attributes.details.environment, 'nowhere');
});

await step('maintenanceMode.find / activate', async () => {
  assert.equal((await primary.maintenanceMode.find()).active, false);
  const mode = await primary.maintenanceMode.activate();
  assert.deepEqual(
    [mode.type, mode.id, mode.active],
    ['maintenance_mode', 'maintenance_mode', true],
  );
  assert.equal((await primary.maintenanceMode.activate({ force: true })).active, true);
});

await step('maintenance mode: the primary refuses writes, reads and the sandbox go on', async () => {
  const error = await expectApiError(() => createModel(primary, 'refused'), 'write in maintenance');
  assertApiErrorCode(error, 'MAINTENANCE_MODE_ACTIVE', 423);
  assert.deepEqual(await modelKeys(primary), ['note']);
  await createModel(sandbox, 'draft');
  assert.deepEqual(await modelKeys(sandbox), ['article', 'draft']);
});

await step('maintenanceMode.deactivate', async () => {
  assert.equal((await primary.maintenanceMode.deactivate()).active, false);
  assert.equal((await primary.maintenanceMode.find()).active, false);
});

await step('environments.promote', async () => {
  const promoted = await primary.environments.promote(sandboxName);
  assert.equal(promoted.meta.primary, true);
  // A client naming no environment now works in the promoted one; main is a sandbox.
  assert.deepEqual(await modelKeys(primary), ['article', 'draft']);
  const main = clientFor(baseUrl, apiToken, 'main');
  assert.deepEqual(await modelKeys(main), ['note']);
  assert.equal((await primary.environments.find('main')).meta.primary, false);
  await primary.environments.promote('main');
  assert.deepEqual(await modelKeys(primary), ['note']);
});

await step('environments.rename', async () => {
  const renamed = await primary.environments.rename(sandboxName, { id: RENAMED });
  assert.equal(renamed.id, RENAMED);
  sandbox = clientFor(baseUrl, apiToken, RENAMED);
  assert.deepEqual(await modelKeys(sandbox), ['article', 'draft']);
  const old = clientFor(baseUrl, apiToken, sandboxName);
  const gone = await expectApiError(() => old.itemTypes.list(), 'the old id');
  assertApiErrorCode(gone, 'ENVIRONMENT_NOT_FOUND', 404);
  const taken = await expectApiError(
    () => primary.environments.rename(RENAMED, { id: 'main' }),
    'rename to a taken id',
  );
  assertApiErrorCode(taken, 'INVALID_FIELD', 422);
  assert.ok(taken.findError('INVALID_FIELD', { field: 'name', code: 'VALIDATION_UNIQUENESS' }));
});

report('left', { sandbox: RENAMED, main: ['note'], sandboxModels: ['article', 'draft'] });
finish();
