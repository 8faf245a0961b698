#!/usr/bin/env node
// Runs every `serverAudits` check from the official `graphql-http` package
// (GraphQL over HTTP spec conformance) against a running server.
//
// Usage: node tools/graphql-audit/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints one line per audit:   <ok|notice|warn|error> <id> <name>[ -- <reason>]
// then a summary line:         graphql-http audits: N passed, M failed
// Exit code: 0 only if every audit is ok; 1 if any audit is not ok (a failed
// MUST is `error`, SHOULD is `warn`, MAY is `notice`: all count as failures,
// since partnernet aims at full conformance); 2 on bad usage.
import { serverAudits } from 'graphql-http';

const TIMEOUT_MS = Number(process.env.GRAPHQL_AUDIT_TIMEOUT_MS || 10_000);

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node tools/graphql-audit/audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

const url = process.argv[2];
if (!url || process.argv.length > 3) usage();
try {
  new URL(url);
} catch {
  usage(`not a URL: ${url}`);
}

// Same as global fetch, but a hung server fails the audit instead of hanging
// the whole run.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });

const audits = serverAudits({ url, fetchFn });
let passed = 0;
let failed = 0;

// Sequential on purpose: deterministic output and no request burst.
for (const { id, name, fn } of audits) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    // graphql-http throws (instead of returning a result) only on fatal
    // problems such as a refused connection: count it as an error.
    result = { id, name, status: 'error', reason: `fatal: ${err?.message ?? err}` };
  }
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok     ${id} ${name}`);
  } else {
    failed += 1;
    const status = result.response ? ` (HTTP ${result.response.status})` : '';
    console.log(`${result.status.padEnd(6)} ${id} ${name} -- ${result.reason}${status}`);
  }
}

console.log(`graphql-http audits: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
