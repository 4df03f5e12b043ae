// Drives DatoCMS's official CMA client through roles and API tokens (SPEC-2 §10) against a live
// server: roles.create/list/find/update/duplicate/destroy, roles.updateCurrentEnvironmentPermissions
// (add, then remove an entry of the primary environment), a bad entry refused naming its index,
// accessTokens.create/list/find/update/regenerateToken/destroy, the old secret refused at once, a
// token without can_access_cma refused, a read-only role's token refused a write.
//
//   CMS_BASE_URL=... CMS_API_TOKEN=... node access.mjs
//
// Output and exit codes: see harness.mjs.

import assert from 'node:assert/strict';

import {
  assertApiErrorCode,
  assertStatus,
  clientFor,
  connect,
  expectApiError,
  finish,
  step,
} from './harness.mjs';

const { client, baseUrl } = connect();

let role;
let model;

await step('roles.create, list, find, update', async () => {
  model = await client.itemTypes.create({ name: 'Article', api_key: 'article' });
  role = await client.roles.create({
    name: 'Translators',
    can_edit_schema: false,
    positive_item_type_permissions: [
      { environment: 'main', item_type: model.id, action: 'read', on_creator: 'anyone' },
    ],
    negative_item_type_permissions: [],
  });
  assert.equal(role.type, 'role');
  assert.equal(role.name, 'Translators');
  assert.equal(role.can_manage_webhooks, false);
  assert.deepEqual(role.inherits_permissions_from, []);
  assert.equal(role.meta.final_permissions.positive_item_type_permissions.length, 1);
  const listed = await client.roles.list();
  assert.ok(listed.some((r) => r.name === 'Admin'));
  assert.ok(listed.some((r) => r.id === role.id));
  const found = await client.roles.find(role.id);
  assert.equal(found.name, 'Translators');
  const editor = listed.find((r) => r.name === 'Editor');
  const updated = await client.roles.update(role.id, {
    name: 'Italian translators',
    inherits_permissions_from: [{ type: 'role', id: editor.id }],
  });
  assert.equal(updated.name, 'Italian translators');
  assert.deepEqual(updated.inherits_permissions_from, [{ type: 'role', id: editor.id }]);
  assert.equal(updated.meta.final_permissions.can_manage_upload_collections, true);
  await client.roles.update(role.id, { inherits_permissions_from: [] });
  return { role: role.id };
});

await step('roles.updateCurrentEnvironmentPermissions adds and removes entries', async () => {
  const rule = {
    item_type: model.id,
    action: 'update',
    on_creator: 'anyone',
    localization_scope: 'localized',
    locale: 'en',
  };
  let updated = await client.roles.updateCurrentEnvironmentPermissions(role.id, {
    positive_item_type_permissions: { add: [rule] },
  });
  assert.equal(updated.positive_item_type_permissions.length, 2);
  assert.ok(
    updated.positive_item_type_permissions.some((e) => e.action === 'update' && e.environment === 'main'),
  );
  updated = await client.roles.updateCurrentEnvironmentPermissions(role.id, {
    positive_item_type_permissions: { remove: [rule] },
    negative_item_type_permissions: {
      add: [{ item_type: model.id, action: 'delete', on_creator: 'anyone' }],
    },
  });
  assert.deepEqual(
    updated.positive_item_type_permissions.map((e) => e.action),
    ['read'],
  );
  assert.deepEqual(
    updated.negative_item_type_permissions.map((e) => e.action),
    ['delete'],
  );
});

await step('a bad entry is refused, naming its index', async () => {
  const error = await expectApiError(() =>
    client.roles.update(role.id, {
      positive_item_type_permissions: [
        { environment: 'main', action: 'create', localization_scope: 'all', on_creator: 'self' },
      ],
      negative_item_type_permissions: [],
    }),
  );
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(
    error.findError('INVALID_FIELD', { field: 'positive_item_type_permissions[0].on_creator' }),
  );
});

await step('roles.duplicate', async () => {
  const copy = await client.roles.duplicate(role.id);
  assert.equal(copy.name, 'Italian translators (duplicate #1)');
  assert.deepEqual(copy.negative_item_type_permissions, (await client.roles.find(role.id)).negative_item_type_permissions);
  await client.roles.destroy(copy.id);
});

let token;

await step('accessTokens.create, list, find, update', async () => {
  token = await client.accessTokens.create({
    name: 'Translator',
    can_access_cda: true,
    can_access_cda_preview: false,
    can_access_cma: true,
    role: { type: 'role', id: role.id },
  });
  assert.equal(token.type, 'access_token');
  assert.equal(typeof token.token, 'string');
  assert.equal(token.hardcoded_type, null);
  assert.equal(token.last_cma_access, 'never');
  assert.deepEqual(token.role, { type: 'role', id: role.id });
  const listed = await client.accessTokens.list();
  assert.ok(listed.some((t) => t.id === token.id && t.token === token.token));
  const found = await client.accessTokens.find(token.id);
  assert.equal(found.token, token.token);
  const updated = await client.accessTokens.update(token.id, {
    name: 'Italian translator',
    can_access_cda: false,
    can_access_cda_preview: false,
    can_access_cma: true,
  });
  assert.equal(updated.name, 'Italian translator');
  assert.equal(updated.can_access_cda, false);
  return { token: token.id };
});

await step("the role's token reads its model, may not write the schema", async () => {
  const translator = clientFor(baseUrl, token.token);
  const items = await translator.items.list({ filter: { type: 'article' } });
  assert.deepEqual(items, []);
  const refused = await expectApiError(() =>
    translator.itemTypes.create({ name: 'Nope', api_key: 'nope' }),
  );
  assertApiErrorCode(refused, 'INSUFFICIENT_PERMISSIONS', 403);
  const used = await expectApiError(() => client.roles.destroy(role.id));
  assertApiErrorCode(used, 'ROLE_IN_USE', 422);
});

await step('accessTokens.regenerateToken: the old secret is refused at once', async () => {
  const regenerated = await client.accessTokens.regenerateToken(token.id);
  assert.notEqual(regenerated.token, token.token);
  const old = clientFor(baseUrl, token.token);
  const refused = await expectApiError(() => old.site.find());
  assertStatus(refused, 401);
  await clientFor(baseUrl, regenerated.token).site.find();
  token = regenerated;
});

await step('a token without CMA access is refused', async () => {
  await client.accessTokens.update(token.id, {
    name: 'Italian translator',
    can_access_cda: true,
    can_access_cda_preview: false,
    can_access_cma: false,
  });
  const refused = await expectApiError(() => clientFor(baseUrl, token.token).site.find());
  assertStatus(refused, 401);
});

await step('accessTokens.destroy, roles.destroy', async () => {
  const destroyed = await client.accessTokens.destroy(token.id);
  assert.equal(destroyed.id, token.id);
  const gone = await client.roles.destroy(role.id);
  assert.equal(gone.id, role.id);
  const listed = await client.roles.list();
  assert.ok(!listed.some((r) => r.id === role.id));
});

finish();
