// Tests of the contract lint in openapi-build.mjs: the real contract passes, and each rule
// catches a deliberately broken copy of it. Run: node --test scripts/openapi-build.test.mjs
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { ROOT, lintDocument, parseSpec, patternProblems, resolveRef } from './openapi-build.mjs';

const SPEC = path.join(ROOT, 'openapi', 'openapi.yaml');
const SCRIPT = path.join(ROOT, 'scripts', 'openapi-build.mjs');
const load = () => parseSpec(readFileSync(SPEC, 'utf8'));

/** Lints a copy of the contract after `mutate(doc)`; returns the problems as "pointer: message". */
function lintAfter(mutate) {
  const doc = load();
  mutate(doc);
  return lintDocument(doc).map((p) => `${p.pointer}: ${p.message}`);
}
function assertCaught(problems, pointer, fragment) {
  assert.ok(
    problems.some((p) => p.startsWith(`${pointer}: `) && p.includes(fragment)),
    `expected "${fragment}" at ${pointer}, got:\n  ${problems.join('\n  ')}`,
  );
}
const schemas = (doc) => doc.components.schemas;

test('the contract passes the lint', () => {
  assert.deepEqual(lintDocument(load()), []);
});

test('every operation has a camelCase operationId and the expected set is there', () => {
  const doc = load();
  const ids = [];
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item)) if (method !== 'parameters') ids.push(op.operationId);
  }
  for (const id of ['authSignup', 'authLogin', 'authMe', 'authGetInvite', 'getCompany', 'updateCompany',
    'rotateInviteToken', 'listUsers', 'updateUser', 'deleteUser', 'getHealth', 'getReady']) {
    assert.ok(ids.includes(id), `missing operationId ${id}`);
  }
});

test('a JSON request body is a $ref into #/components/schemas, so the server can wrap it as {"$ref": ..., ...document}', () => {
  const doc = load();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (schema === undefined) continue;
      assert.match(schema.$ref, /^#\/components\/schemas\/[A-Za-z]+$/);
      // The wrapped document resolves the same pointer.
      assert.ok(resolveRef({ $ref: schema.$ref, ...doc }, schema.$ref));
    }
  }
});

test('a string without maxLength is caught', () => {
  const problems = lintAfter((d) => { delete schemas(d).Email.maxLength; });
  assertCaught(problems, '/components/schemas/Email', 'string without maxLength');
});

test('an array without maxItems is caught', () => {
  const problems = lintAfter((d) => { delete schemas(d).UserListResponse.properties.data.maxItems; });
  assertCaught(problems, '/components/schemas/UserListResponse/properties/data', 'array without maxItems');
});

test('a number or integer without minimum or maximum is caught', () => {
  const problems = lintAfter((d) => { delete schemas(d).Id.maximum; delete schemas(d).Count.minimum; });
  assertCaught(problems, '/components/schemas/Id', 'integer without maximum');
  assertCaught(problems, '/components/schemas/Count', 'integer without minimum');
});

test('a query parameter without bounds is caught', () => {
  const problems = lintAfter((d) => { delete d.components.parameters.Limit.schema.maximum; });
  assertCaught(problems, '/components/parameters/Limit/schema', 'integer without maximum');
});

test('an unbounded object is caught, and a request object must forbid extra properties', () => {
  const problems = lintAfter((d) => {
    delete schemas(d).User.additionalProperties; // response
    schemas(d).LoginRequest.additionalProperties = undefined; // request
    delete schemas(d).LoginRequest.additionalProperties;
    schemas(d).LoginRequest.maxProperties = 4;
  });
  assertCaught(problems, '/components/schemas/User', 'object without additionalProperties: false or maxProperties');
  assertCaught(problems, '/components/schemas/LoginRequest', 'request object without additionalProperties: false');
});

test('keywords outside the subset are caught', () => {
  const problems = lintAfter((d) => {
    schemas(d).Email.nullable = true;
    schemas(d).UserListResponse.properties.data.prefixItems = [];
    schemas(d).User.unevaluatedProperties = false;
    schemas(d).User.$defs = {};
  });
  assertCaught(problems, '/components/schemas/Email/nullable', 'outside the supported JSON Schema subset');
  assertCaught(problems, '/components/schemas/UserListResponse/properties/data/prefixItems', 'outside');
  assertCaught(problems, '/components/schemas/User/unevaluatedProperties', 'outside');
  assertCaught(problems, '/components/schemas/User/$defs', 'outside');
});

test('format that valijson would validate is refused in request schemas only', () => {
  const problems = lintAfter((d) => { schemas(d).InviteToken.format = 'date-time'; });
  assertCaught(problems, '/components/schemas/InviteToken/format', 'documentation only');
  assert.deepEqual(lintAfter((d) => { schemas(d).Timestamp.format = 'date-time'; }), []);
});

test('an operation without operationId, and a duplicate one, are caught', () => {
  const problems = lintAfter((d) => {
    delete d.paths['/api/auth/me'].get.operationId;
    d.paths['/api/users'].get.operationId = 'getCompany';
  });
  assertCaught(problems, '/paths/~1api~1auth~1me/get', 'operation has no operationId');
  assertCaught(problems, '/paths/~1api~1users/get/operationId', 'is also used at');
});

test('a $ref that does not resolve, or is not local, is caught', () => {
  const problems = lintAfter((d) => {
    schemas(d).User.properties.role = { $ref: '#/components/schemas/Rol' };
    schemas(d).User.properties.email = { $ref: 'other.yaml#/components/schemas/Email' };
    d.paths['/api/auth/me'].get.responses['401'] = { $ref: '#/components/responses/Nope' };
  });
  assertCaught(problems, '/components/schemas/User/properties/role/$ref', 'does not resolve');
  assertCaught(problems, '/components/schemas/User/properties/email/$ref', 'not a local JSON pointer');
  assertCaught(problems, '/paths/~1api~1auth~1me/get/responses/401/$ref', 'does not resolve');
});

test('keywords beside a schema $ref are caught (valijson ignores them)', () => {
  const problems = lintAfter((d) => { schemas(d).User.properties.role = { $ref: '#/components/schemas/Role', maxLength: 5 }; });
  assertCaught(problems, '/components/schemas/User/properties/role/maxLength', 'beside $ref');
});

test('patterns std::regex lacks, or that are costly on long strings, are caught', () => {
  assert.deepEqual(patternProblems('\\S'), []);
  assert.deepEqual(patternProblems('^https?://'), []);
  assert.deepEqual(patternProblems('^[A-Za-z0-9._-]{1,128}$'), []);
  assert.deepEqual(patternProblems('^[a+*]{1,3}\\+$'), []); // quantifier characters inside a class or escaped
  assert.match(patternProblems('^[^@]+@')[0], /unbounded quantifier/);
  assert.match(patternProblems('^a*$')[0], /unbounded quantifier/);
  assert.match(patternProblems('^a{2,}$')[0], /unbounded quantifier/);
  assert.match(patternProblems('[a-z]{1,5}')[0], /does not start with \^/);
  assert.match(patternProblems('(?<=a)b')[0], /lookbehind/);
  assert.match(patternProblems('(?<name>a)')[0], /named group/);
  assert.match(patternProblems('\\p{L}')[0], /\\p/);
  assert.match(patternProblems('(')[0], /does not compile/);
  const problems = lintAfter((d) => { schemas(d).PersonName.pattern = '^\\S+$'; });
  assertCaught(problems, '/components/schemas/PersonName/pattern', 'unbounded quantifier');
});

test('path parameters must match the template', () => {
  const problems = lintAfter((d) => { delete d.paths['/api/users/{id}'].parameters; });
  assertCaught(problems, '/paths/~1api~1users~1{id}/patch', 'path template variable {id} has no path parameter');
});

test('the CLI exits 1 naming the pointer, writes nothing, and is quiet and idempotent on success', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-build-'));
  try {
    const broken = load();
    delete broken.components.schemas.Password.maxLength;
    writeFileSync(path.join(dir, 'broken.yaml'), stringify(broken));
    const out = path.join(dir, 'web');
    const bad = spawnSync(process.execPath, [SCRIPT, '--spec', path.join(dir, 'broken.yaml'), '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /broken\.yaml#\/components\/schemas\/Password: string without maxLength/);
    assert.throws(() => statSync(out));

    execFileSync(process.execPath, [SCRIPT, '--out', out], { encoding: 'utf8' });
    const json = readFileSync(path.join(out, 'openapi.json'), 'utf8');
    assert.deepEqual(JSON.parse(json), load());
    for (const f of ['index.html', 'docs-init.js', 'swagger-ui-bundle.js', 'swagger-ui.css']) statSync(path.join(out, 'docs', f));
    const html = readFileSync(path.join(out, 'docs', 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script[^>]*>[^<\s]/, 'no inline script (CSP script-src self)');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    const mtime = statSync(path.join(out, 'openapi.json')).mtimeMs;
    const again = execFileSync(process.execPath, [SCRIPT, '--out', out], { encoding: 'utf8' });
    assert.match(again, /up to date/);
    assert.equal(statSync(path.join(out, 'openapi.json')).mtimeMs, mtime);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
