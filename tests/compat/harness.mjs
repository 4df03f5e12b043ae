// Shared harness of the compat scripts (schema.mjs, uploads.mjs, items.mjs, records.mjs,
// environments.mjs): each drives DatoCMS's official CMA client (@datocms/cma-client-node) against
// a live server, one step at a time, through a recording fetch.
//
// Required env: CMS_BASE_URL, CMS_API_TOKEN (and CMS_UPLOAD_FILE for the scripts that upload);
// when missing, or when the file cannot be read, the script exits with code 2.
//
// Optional env:
//   CMS_LOG_LEVEL  NONE | BASIC | BODY | BODY_AND_HEADERS  (client's own request log, to stderr)
//   CMS_TRACE_FILE path: append every HTTP exchange (request + response) as one JSON line
//
// Output: one JSON line per step on stdout ({"step", "ok", ...}); on the first failure a line with
// "ok": false and the reason, then the last HTTP exchange on stderr, and exit code 1.
// A final "wire_notes" line lists deviations from shared/SPEC.md that do not break the client.

import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';

import { ApiError, LogLevel, TimeoutError, buildClient } from '@datocms/cma-client-node';

// 22-character URL-safe base64 of an RFC 4122 v4 UUID (first byte's top bit cleared).
export const DATO_ID = /^[A-Za-f][A-Za-z0-9_-]{21}$/;

// ---------------------------------------------------------------------------------------------
// HTTP recorder: wraps fetch to keep the exchanges for diagnostics, fail fast on answers from our
// API that would make the client misbehave (a non-JSON content type makes it retry a GET forever),
// and note softer deviations from the wire contract.
//
// The client also sends an upload's PUT through this fetch. That request goes to the signed URL
// answered by POST /upload-requests, which may be storage (S3) rather than our API: it is only
// recorded, never held to the API's wire rules (the client wants any 2xx).

export class WireError extends Error {
  constructor(message) {
    super(message);
    this.name = 'WireError';
  }
}

// Every HTTP exchange so far, oldest first: { request: {method, url, headers, body}, response }.
export const exchanges = [];
// Deviations from the wire contract that do not break the client (the "wire_notes" line).
export const wireNotes = new Set();
// Signed URLs answered by POST /upload-requests (the client PUTs the file there).
export const signedUrls = new Set();
const traceFile = process.env.CMS_TRACE_FILE;

function describeBody(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'string') return `<${body.constructor ? body.constructor.name : typeof body}>`;
  try {
    return JSON.parse(body);
  } catch {
    return body.slice(0, 2000);
  }
}

async function recordingFetch(url, init = {}) {
  const isSignedPut = signedUrls.has(String(url));
  const exchange = {
    request: {
      method: init.method,
      url: String(url),
      headers: { ...(init.headers || {}) },
      body: describeBody(init.body),
    },
  };
  // Never keep the token in logs.
  for (const name of Object.keys(exchange.request.headers)) {
    if (name.toLowerCase() === 'authorization') {
      exchange.request.headers[name] = 'Bearer <redacted>';
    }
  }
  exchanges.push(exchange);

  const response = await fetch(url, init);
  const text = await response.clone().text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  exchange.response = {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: json !== undefined ? json : text.slice(0, 2000),
  };
  if (traceFile) appendFileSync(traceFile, `${JSON.stringify(exchange)}\n`);
  if (isSignedPut) return response;

  const where = `${init.method} ${new URL(String(url)).pathname}`;
  const contentType = response.headers.get('content-type');
  if (response.status !== 204) {
    if (!contentType || !contentType.includes('application/json')) {
      throw new WireError(
        `${where} answered ${response.status} with Content-Type ${JSON.stringify(contentType)}: ` +
          'the client needs a content type containing "application/json" (it retries a GET ' +
          'forever and fails any other method otherwise)',
      );
    }
    if (json === undefined) {
      throw new WireError(`${where} answered ${response.status} with a body that is not JSON`);
    }
    if (response.status >= 200 && response.status < 300 && !(json && 'data' in json)) {
      throw new WireError(`${where} answered ${response.status} without a top-level "data"`);
    }
    if (contentType.replace(/\s+/g, '').toLowerCase() !== 'application/json;charset=utf-8') {
      wireNotes.add(`Content-Type is ${JSON.stringify(contentType)}, SPEC says "application/json; charset=utf-8" (${where})`);
    }
  } else {
    wireNotes.add(`${where} answered 204: SPEC wants a body with top-level "data"`);
  }
  if (response.status === 202) {
    wireNotes.add(`${where} answered 202 (job): the client polls /job-results/:id, sleeping 1s, 2s, ...`);
  }
  if (response.headers.get('x-api-version') !== '3') {
    wireNotes.add('responses do not echo X-Api-Version: 3');
  }
  // Remember the signed URL the client is about to PUT the file to.
  if (
    init.method === 'POST' &&
    new URL(String(url)).pathname.endsWith('/upload-requests') &&
    response.ok &&
    json &&
    json.data &&
    json.data.attributes &&
    typeof json.data.attributes.url === 'string'
  ) {
    signedUrls.add(json.data.attributes.url);
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// Set-up.

// How a step's line lists its requests: `decode` shows paths and queries URI-decoded;
// more than `summariseOver` requests are summarised (the first 5, a count, the last 2).
const requestLog = { decode: false, summariseOver: Infinity };

// Reads the env (exit code 2 when something is missing) and builds the client on the recording
// fetch. With `uploadFile`, CMS_UPLOAD_FILE is required too and its bytes are read.
// Answers { client, baseUrl, apiToken, localPath, fileBytes }.
export function connect({ uploadFile = false, decodeRequests = false, summariseRequestsOver } = {}) {
  const baseUrl = process.env.CMS_BASE_URL;
  const apiToken = process.env.CMS_API_TOKEN;
  const localPath = uploadFile ? process.env.CMS_UPLOAD_FILE : undefined;
  if (!baseUrl || !apiToken || (uploadFile && !localPath)) {
    console.error(
      uploadFile
        ? 'CMS_BASE_URL, CMS_API_TOKEN and CMS_UPLOAD_FILE must be set'
        : 'CMS_BASE_URL and CMS_API_TOKEN must be set',
    );
    process.exit(2);
  }
  let fileBytes;
  if (uploadFile) {
    try {
      fileBytes = readFileSync(localPath);
    } catch (error) {
      console.error(`CMS_UPLOAD_FILE ${localPath} cannot be read: ${error.message}`);
      process.exit(2);
    }
  }
  requestLog.decode = decodeRequests;
  if (summariseRequestsOver !== undefined) requestLog.summariseOver = summariseRequestsOver;

  const client = clientFor(baseUrl, apiToken);
  return { client, baseUrl, apiToken, localPath, fileBytes };
}

// A client on the recording fetch; with `environment`, every request names it (the client's
// X-Environment header), else none does (the primary environment).
export function clientFor(baseUrl, apiToken, environment) {
  const logLevelName = (process.env.CMS_LOG_LEVEL || 'NONE').toUpperCase();
  return buildClient({
    apiToken,
    baseUrl,
    ...(environment ? { environment } : {}),
    requestTimeout: 15000,
    fetchFn: recordingFetch,
    logLevel: LogLevel[logLevelName] ?? LogLevel.NONE,
    logFn: (message) => console.error(message),
  });
}

// ---------------------------------------------------------------------------------------------
// Step runner and report lines.

export function describe(error) {
  if (error instanceof ApiError) {
    return `ApiError: ${error.message}`;
  }
  if (error instanceof TimeoutError) {
    return `TimeoutError: ${error.message}`;
  }
  if (error && error.code === 'ERR_ASSERTION') {
    let text = `AssertionError: ${error.message}`;
    if (!error.generatedMessage && 'actual' in error) {
      text += `\n  actual:   ${JSON.stringify(error.actual)}\n  expected: ${JSON.stringify(error.expected)}`;
    }
    return text;
  }
  return `${error && error.name ? error.name : 'Error'}: ${error && error.message ? error.message : error}`;
}

function describeRequests(recorded) {
  const all = recorded.map((e) => {
    const u = new URL(e.request.url);
    // A signed URL's query string is a credential: keep it out of the log.
    const search = signedUrls.has(e.request.url) && u.search ? '?<signature>' : u.search;
    const target = requestLog.decode ? decodeURIComponent(u.pathname + search) : u.pathname + search;
    return `${e.request.method} ${target} -> ${e.response ? e.response.status : '?'}`;
  });
  // Long runs of requests (e.g. 35 creates) are summarised.
  return all.length > requestLog.summariseOver
    ? [...all.slice(0, 5), `... ${all.length - 7} more ...`, ...all.slice(-2)]
    : all;
}

// Prints one "ok" line: { step, ok: true, ...info }.
export function report(name, info = {}) {
  console.log(JSON.stringify({ step: name, ok: true, ...info }));
}

// Runs one step: prints its line (with the requests it made and whatever `fn` answers), or on
// failure the "ok": false line, the reason and the last HTTP exchange, then exits with code 1.
export async function step(name, fn) {
  const started = Date.now();
  const before = exchanges.length;
  try {
    const info = (await fn()) || {};
    const requests = describeRequests(exchanges.slice(before));
    report(name, { ms: Date.now() - started, requests, ...info });
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error: describe(error) }));
    console.error(`\nFAILED step "${name}"\n${describe(error)}`);
    if (error && error.stack && !(error instanceof ApiError) && !(error instanceof WireError)) {
      console.error(
        error.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .join('\n'),
      );
    }
    const last = exchanges[exchanges.length - 1];
    if (last) {
      console.error(`\nLast HTTP exchange:\n${JSON.stringify(last, null, 2)}`);
    }
    process.exit(1);
  }
}

// The closing lines: the wire notes, then "done".
export function finish() {
  report('wire_notes', { warnings: [...wireNotes] });
  report('done');
}

// ---------------------------------------------------------------------------------------------
// Helpers for the steps.

// Runs `fn`, which must be refused by the server; returns the ApiError.
export async function expectApiError(fn, what) {
  let caught;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `${what}: expected the call to be refused, it succeeded`);
  assert.ok(
    caught instanceof ApiError,
    `${what}: expected the client to throw ApiError, got ${describe(caught)}`,
  );
  return caught;
}

export function assertStatus(error, status) {
  assert.equal(
    error.response.status,
    status,
    `expected HTTP ${status}, got ${error.response.status}: ${JSON.stringify(error.errors)}`,
  );
}

export function assertApiErrorCode(error, code, status) {
  assertStatus(error, status);
  assert.ok(error.findError(code), `expected ${code}, got ${JSON.stringify(error.errors)}`);
}

export function relationship(id, type) {
  return { id, type };
}

// The last recorded exchange with this method whose path ends with `suffix`.
export function lastExchange(method, suffix) {
  for (let i = exchanges.length - 1; i >= 0; i -= 1) {
    const e = exchanges[i];
    if (e.request.method === method && new URL(e.request.url).pathname.endsWith(suffix)) return e;
  }
  return undefined;
}

// Destroys the item types with these api_keys left by an earlier run (in this order); answers
// the api_keys removed. Only matters when pointed at a long-lived server: the pytest run starts
// from an empty DB.
export async function removeItemTypes(client, apiKeys) {
  const removed = [];
  for (const apiKey of apiKeys) {
    const existing = (await client.itemTypes.list()).find((it) => it.api_key === apiKey);
    if (existing) {
      await client.itemTypes.destroy(existing.id);
      removed.push(apiKey);
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// What the scripts ask of the recorded exchanges.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The exchanges of `method` to a path ending with `suffix`, from index `from` on.
export function recorded(method, suffix, from = 0) {
  return exchanges
    .slice(from)
    .filter((e) => e.request.method === method && new URL(e.request.url).pathname.endsWith(suffix));
}

// The answers the client's poller got for the job a 202 named (from index `from` on): every
// one but the last a 404, the last a 200 (the client stops at the first 2xx).
export function jobPolls(accepted, from) {
  assert.equal(accepted.response.status, 202, JSON.stringify(accepted.response.body));
  assert.equal(accepted.response.body.data.type, 'job');
  const jobId = accepted.response.body.data.id;
  const polls = recorded('GET', `/job-results/${jobId}`, from).map((e) => e.response.status);
  assert.equal(polls.at(-1), 200, `polls of ${jobId}: ${polls}`);
  assert.ok(polls.slice(0, -1).every((status) => status === 404), `polls of ${jobId}: ${polls}`);
  return { jobId, polls };
}

// The same for the job a POST to a path ending with `path` started.
export function postedJobPolls(path, from) {
  return jobPolls(recorded('POST', path, from)[0], from);
}

// The payload of the job's result (the answer the call would have had).
export function jobPayload(jobId, from) {
  const result = recorded('GET', `/job-results/${jobId}`, from).at(-1).response.body;
  return result.data.attributes.payload;
}
