// One pass of DatoCMS CLI's migration log against a live server, with the CLI's own code:
// `migrations:run`'s methods that find or create the `schema_migration` model, list the scripts
// already logged in it, and run and log the others. The command itself first lists and forks
// environments; this calls its methods in the primary environment instead, so the migration log
// is tested on a server without environment endpoints.
//
// Required env: CMS_BASE_URL, CMS_API_TOKEN, CMS_MIGRATIONS_DIR (else exit 2).
// Output: one JSON line {"model": {id, api_key, draft_mode_active}, "ran": [file names]};
// on failure the error on stderr and exit 1.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const { CMS_BASE_URL: baseUrl, CMS_API_TOKEN: apiToken, CMS_MIGRATIONS_DIR: dir } = process.env;
if (!baseUrl || !apiToken || !dir) {
  console.error('CMS_BASE_URL, CMS_API_TOKEN and CMS_MIGRATIONS_DIR are required');
  process.exit(2);
}

// The CLI's own client and command, as `datocms migrations:run` loads them.
const { buildClient } = require('datocms/lib/cma-client-node');
const RunCommand = require('datocms/lib/commands/migrations/run.js').default;
// oclif as the CLI resolves it.
const { Config } = createRequire(require.resolve('datocms/package.json'))('@oclif/core');
for (const method of ['upsertMigrationModel', 'migrationScriptsToRun', 'runMigrationScript']) {
  if (typeof RunCommand.prototype[method] !== 'function') {
    console.error(`the CLI's migrations:run has no ${method}() any more: update this harness`);
    process.exit(1);
  }
}

try {
  const config = await Config.load(require.resolve('datocms/package.json'));
  const command = new RunCommand(['--json'], config); // --json: no spinner on the output
  const client = buildClient({ apiToken, baseUrl });
  const model = await command.upsertMigrationModel(client, 'schema_migration', false);
  if (!model) {
    // The CLI swallows a failed creation and goes on without a log (every script re-runs).
    throw new Error('the CLI could not create its schema_migration model (it hides why)');
  }
  const scripts = await command.migrationScriptsToRun(model, client, dir);
  for (const script of scripts) {
    await command.runMigrationScript(script, client, null, false, model, dir);
  }
  const line = {
    model: { id: model.id, api_key: model.api_key, draft_mode_active: model.draft_mode_active },
    ran: scripts.map((script) => script.filename),
  };
  console.log(JSON.stringify(line));
} catch (error) {
  console.error(error);
  process.exit(1);
}
