// Drives DatoCMS's official CMA client through forks and destroys against a live server with a job
// worker (`manage.py serve`): environments.fork without immediate_return (a 202 the client's own
// poller follows to the job's result: the environment, ready), a client on the fork
// (buildClient({ environment })) seeing main's content with every id kept, the two apart from
// then on, a fork to a taken id, fork with immediate_return (creating, then ready), a fork of a
// sandbox, promote and rename of a fork, environments.destroy (a 202 job too) and what is left.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_UPLOAD_FILE=/tmp/pixel.png \
//   node forks.mjs
//
// Output and exit codes: see harness.mjs. The "left" line names the environments left and the
// upload's path, for the caller to check the storages and files on the server.

import assert from 'node:assert/strict';

import { buildBlockRecord } from '@datocms/cma-client-node';

import {
  assertApiErrorCode,
  clientFor,
  connect,
  exchanges,
  expectApiError,
  finish,
  jobPolls,
  recorded,
  relationship,
  report,
  sleep,
  step,
} from './harness.mjs';

const { client: primary, baseUrl, apiToken, localPath } = connect({ uploadFile: true });
const main = clientFor(baseUrl, apiToken, 'main');

// Everything a client sees of an environment's content, ids included: models and their
// fields, every record with its blocks (nested) and meta, each record's versions, the uploads.
async function content(client) {
  const models = await client.itemTypes.list();
  const fields = {};
  for (const model of models) fields[model.api_key] = await client.fields.list(model.id);
  const records = [];
  for await (const record of client.items.listPagedIterator({ nested: true, version: 'current' })) {
    records.push(record);
  }
  records.sort((a, b) => a.id.localeCompare(b.id));
  const versions = {};
  for (const record of records) versions[record.id] = await client.itemVersions.list(record.id);
  const uploads = (await client.uploads.list()).sort((a, b) => a.id.localeCompare(b.id));
  return { models, fields, records, versions, uploads };
}

const ids = (things) => things.map((thing) => thing.id).sort();

async function waitUntilReady(name, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  const seen = [];
  for (;;) {
    const environment = await primary.environments.find(name);
    seen.push(environment.meta.status);
    if (environment.meta.status === 'ready') return { environment, seen };
    assert.equal(environment.meta.status, 'creating', `${name}: ${seen}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms: ${seen}`);
    await sleep(100);
  }
}

let post;
let quote;
let upload;
let mainContent;

await step('content in main: models, records with blocks, versions, an upload', async () => {
  quote = await main.itemTypes.create({ name: 'Quote', api_key: 'quote', modular_block: true });
  await main.fields.create(quote.id, { label: 'Text', api_key: 'text', field_type: 'string' });
  post = await main.itemTypes.create({ name: 'Post', api_key: 'post' });
  await main.fields.create(post.id, { label: 'Title', api_key: 'title', field_type: 'string' });
  await main.fields.create(post.id, {
    label: 'Quotes',
    api_key: 'quotes',
    field_type: 'rich_text',
    validators: { rich_text_blocks: { item_types: [quote.id] } },
  });
  await main.fields.create(post.id, { label: 'Cover', api_key: 'cover', field_type: 'file' });
  upload = await main.uploads.createFromLocalFile({ localPath });
  const posts = [];
  for (let n = 0; n < 4; n += 1) {
    posts.push(
      await main.items.create({
        item_type: relationship(post.id, 'item_type'),
        title: `Post ${n}`,
        quotes: [0, 1].map((k) =>
          buildBlockRecord({ item_type: relationship(quote.id, 'item_type'), text: `${n}.${k}` }),
        ),
        cover: { upload_id: upload.id },
      }),
    );
  }
  await main.items.update(posts[0].id, { title: 'Post 0, changed' });
  await main.items.publish(posts[0].id);
  mainContent = await content(main);
  assert.equal(mainContent.records.length, 4);
  assert.equal(mainContent.versions[posts[0].id].length, 2);
  return { records: ids(mainContent.records) };
});

await step('environments.fork: the client polls the job and answers the fork, ready', async () => {
  const from = exchanges.length;
  const fork = await primary.environments.fork('main', { id: 'sandbox-x', type: 'environment' });
  assert.equal(fork.id, 'sandbox-x');
  assert.equal(fork.type, 'environment');
  assert.equal(fork.meta.status, 'ready');
  assert.equal(fork.meta.primary, false);
  assert.equal(fork.meta.forked_from, 'main');
  assert.equal(fork.meta.read_only_mode, false);
  assert.ok(!('fork_completion_percentage' in fork.meta), JSON.stringify(fork.meta));
  const [accepted] = recorded('POST', '/environments/main/fork', from);
  assert.equal(new URL(accepted.request.url).search, '', 'no query: not immediate_return');
  return jobPolls(accepted, from);
});

await step('a client on the fork sees main\'s content, every id kept', async () => {
  const sandbox = clientFor(baseUrl, apiToken, 'sandbox-x');
  const forked = await content(sandbox);
  assert.deepEqual(forked, mainContent);
  const blocks = forked.records.flatMap((record) => record.quotes.map((block) => block.id));
  assert.equal(blocks.length, 8);
  return { models: ids(forked.models), records: forked.records.length, blocks: blocks.length };
});

await step('the fork and main are apart from then on', async () => {
  const sandbox = clientFor(baseUrl, apiToken, 'sandbox-x');
  const [first] = mainContent.records;
  await sandbox.items.update(first.id, { title: 'Only in sandbox-x' });
  const extra = await sandbox.items.create({
    item_type: relationship(post.id, 'item_type'),
    title: 'Sandboxed',
    quotes: [],
  });
  await main.items.destroy(mainContent.records[3].id);
  assert.equal((await sandbox.items.find(first.id)).title, 'Only in sandbox-x');
  assert.equal((await main.items.find(first.id)).title, first.title);
  const missing = await expectApiError(() => main.items.find(extra.id), 'the sandbox record');
  assertApiErrorCode(missing, 'NOT_FOUND', 404);
  assert.equal((await sandbox.items.find(mainContent.records[3].id)).id, mainContent.records[3].id);
  mainContent = await content(main);
  assert.equal(mainContent.records.length, 3);
});

await step('a fork to a taken id, or of an unknown environment, is refused', async () => {
  const before = ids(await primary.environments.list());
  for (const taken of ['sandbox-x', 'main']) {
    const error = await expectApiError(
      () => primary.environments.fork('main', { id: taken, type: 'environment' }),
      `a fork to ${taken}`,
    );
    assertApiErrorCode(error, 'INVALID_FIELD', 422);
    assert.ok(error.findError('INVALID_FIELD', { field: 'name', code: 'VALIDATION_UNIQUENESS' }));
  }
  const unknown = await expectApiError(
    () => primary.environments.fork('nowhere', { id: 'from-nowhere', type: 'environment' }),
    'a fork of an unknown environment',
  );
  assertApiErrorCode(unknown, 'NOT_FOUND', 404);
  assert.deepEqual(ids(await primary.environments.list()), before);
  return { environments: before };
});

await step('environments.fork with immediate_return: creating, then ready', async () => {
  const from = exchanges.length;
  const fork = await primary.environments.fork(
    'main',
    { id: 'sandbox-y', type: 'environment' },
    { immediate_return: true },
  );
  assert.equal(fork.id, 'sandbox-y');
  assert.equal(fork.meta.status, 'creating');
  assert.equal(typeof fork.meta.fork_completion_percentage, 'number');
  assert.equal(fork.meta.forked_from, 'main');
  const [answered] = recorded('POST', '/environments/main/fork', from);
  assert.equal(new URL(answered.request.url).search, '?immediate_return=true');
  assert.equal(answered.response.status, 201);
  assert.equal(recorded('GET', '/job-results/', from).length, 0, 'nothing to poll');
  const { environment, seen } = await waitUntilReady('sandbox-y');
  assert.ok(!('fork_completion_percentage' in environment.meta));
  assert.deepEqual(await content(clientFor(baseUrl, apiToken, 'sandbox-y')), mainContent);
  return { seen };
});

await step('a fork of a sandbox holds the sandbox\'s content', async () => {
  const sandbox = clientFor(baseUrl, apiToken, 'sandbox-x');
  const fork = await primary.environments.fork('sandbox-x', { id: 'sandbox-z', type: 'environment' });
  assert.equal(fork.meta.forked_from, 'sandbox-x');
  const forked = await content(clientFor(baseUrl, apiToken, 'sandbox-z'));
  assert.deepEqual(forked, await content(sandbox));
  assert.equal(forked.records.length, 5);
});

await step('environments.promote and rename of a fork', async () => {
  const promoted = await primary.environments.promote('sandbox-y');
  assert.equal(promoted.meta.primary, true);
  assert.deepEqual(await content(primary), mainContent); // header-less: the fork now
  const renamed = await primary.environments.rename('sandbox-y', { id: 'production' });
  assert.equal(renamed.id, 'production');
  assert.equal(renamed.meta.primary, true);
  assert.deepEqual(await content(clientFor(baseUrl, apiToken, 'production')), mainContent);
  await primary.items.destroy(mainContent.records[0].id); // in production, not in main
  assert.equal((await main.items.list()).length, 3);
  const listed = await primary.environments.list();
  assert.deepEqual(
    listed.map((e) => [e.id, e.meta.primary]).sort(),
    [
      ['main', false],
      ['production', true],
      ['sandbox-x', false],
      ['sandbox-z', false],
    ],
  );
  await primary.environments.promote('main');
  assert.equal((await primary.items.list()).length, 3);
});

await step('environments.destroy: a job the client polls; the environment is gone', async () => {
  const from = exchanges.length;
  const destroyed = await primary.environments.destroy('sandbox-x');
  assert.equal(destroyed.id, 'sandbox-x');
  assert.equal(destroyed.type, 'environment');
  const [accepted] = recorded('DELETE', '/environments/sandbox-x', from);
  const polls = jobPolls(accepted, from);
  const missing = await expectApiError(() => primary.environments.find('sandbox-x'), 'find');
  assertApiErrorCode(missing, 'NOT_FOUND', 404);
  const gone = clientFor(baseUrl, apiToken, 'sandbox-x');
  const refused = await expectApiError(() => gone.itemTypes.list(), 'a client on it');
  assertApiErrorCode(refused, 'ENVIRONMENT_NOT_FOUND', 404);
  // Its fork stays, with all it held; the upload file main and the fork share stays too.
  const fork = await primary.environments.find('sandbox-z');
  assert.equal(fork.meta.status, 'ready');
  assert.equal((await clientFor(baseUrl, apiToken, 'sandbox-z').items.list()).length, 5);
  const file = await fetch((await main.uploads.find(upload.id)).url);
  assert.equal(file.status, 200);
  return polls;
});

await step('the primary environment can\'t be destroyed', async () => {
  const error = await expectApiError(() => primary.environments.destroy('main'), 'destroy main');
  assertApiErrorCode(error, 'PRIMARY_ENVIRONMENT', 422);
  assert.equal((await primary.environments.find('main')).meta.status, 'ready');
  assert.equal((await main.items.list()).length, 3);
});

report('left', {
  environments: ids(await primary.environments.list()),
  uploadPath: upload.path,
});
finish();
