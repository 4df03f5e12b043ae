// Drives DatoCMS's official CMA client (@datocms/cma-client-node) through the async job protocol
// (SPEC-2 §6) against a live server and a live worker: an endpoint answering 202 makes the client
// poll GET /job-results/:id with its own default poller (no jobResultsFetcher is given), which must
// keep going on the 404s of a running job and stop at the 200 once it is done; a failed job
// becomes the client's ApiError; jobResults.find reads a finished job.
//
// The server must carry the test-only route POST /test-jobs (tests/jobs/urls.py) and run the
// test handlers (tests/jobs/tasks.py): `tests.wait` runs until the file
// $CMS_JOB_TRACES/<job id>.release exists, which this script writes once the client has seen
// the job running.
//
//   CMS_BASE_URL=http://127.0.0.1:8000 CMS_API_TOKEN=... CMS_JOB_TRACES=... node jobs.mjs
//
// Output and exit codes: see harness.mjs.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ApiError } from '@datocms/cma-client-node';

import {
  assertApiErrorCode,
  connect,
  exchanges,
  expectApiError,
  finish,
  recorded,
  sleep,
  step,
} from './harness.mjs';

const { client } = connect();
const traces = process.env.CMS_JOB_TRACES;
if (!traces) {
  console.error('CMS_JOB_TRACES must be set');
  process.exit(2);
}

async function until(condition, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = condition();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const submit = (kind) => client.request({ method: 'POST', url: '/test-jobs', body: { kind } });

let finishedJob;

await step('a 202 is polled by the client until the job is done', async () => {
  const from = exchanges.length;
  const pending = submit('tests.wait');
  const accepted = await until(() => recorded('POST', '/test-jobs', from)[0]?.response, 'accepted');
  assert.equal(accepted.status, 202);
  const jobId = accepted.body.data.id;
  // The client's poller asks (after 1 s) while the job runs: a 404, and it goes on.
  await until(() => recorded('GET', `/job-results/${jobId}`, from)[0]?.response, 'polled');
  mkdirSync(traces, { recursive: true });
  writeFileSync(join(traces, `${jobId}.release`), '');

  const payload = await pending; // the job's payload replaces the 202's body
  assert.equal(payload.data.type, 'echo');
  assert.equal(payload.data.id, jobId);
  const polls = recorded('GET', `/job-results/${jobId}`, from).map((e) => e.response.status);
  assert.equal(polls.at(-1), 200);
  assert.ok(polls.slice(0, -1).length >= 1 && polls.slice(0, -1).every((s) => s === 404), `${polls}`);
  finishedJob = jobId;
  return { jobId, polls };
});

await step('a failed job is the ApiError of its status and errors', async () => {
  const error = await expectApiError(() => submit('tests.fail'), 'a failing job');
  assertApiErrorCode(error, 'INVALID_FIELD', 422);
  assert.ok(error.findError('INVALID_FIELD', { field: 'name', code: 'VALIDATION_UNIQUENESS' }));
  return { status: error.response.status };
});

await step('jobResults.find reads a finished job', async () => {
  const result = await client.jobResults.find(finishedJob);
  assert.equal(result.id, finishedJob);
  assert.equal(result.type, 'job_result');
  assert.equal(result.status, 200);
  assert.equal(result.payload.data.id, finishedJob);
  return { status: result.status };
});

await step('jobResults.find of an unknown job is a 404', async () => {
  const error = await expectApiError(
    () => client.jobResults.find('AAAAAAAAAAAAAAAAAAAAAA'),
    'an unknown job',
  );
  assert.ok(error instanceof ApiError);
  assertApiErrorCode(error, 'NOT_FOUND', 404);
});

finish();
