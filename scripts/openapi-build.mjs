#!/usr/bin/env node
// Builds the HTTP contract for the server and the docs page:
//   1. lints openapi/openapi.yaml (see LINT RULES below) and exits 1, naming each JSON pointer,
//      when it breaks one;
//   2. writes build/web/openapi.json (pretty-printed, key order as in the YAML, so deterministic);
//   3. lays out build/web/docs/: index.html (from openapi/docs.html), docs-init.js, and the
//      swagger-ui-dist files the page loads. The server serves build/web/docs/<file> at
//      /api/docs/assets/<file> and index.html at /api/docs.
// Files are only rewritten when their content changes, so a second run touches nothing.
//
// Usage: node scripts/openapi-build.mjs [--lint-only] [--spec FILE] [--out DIR]
//
// LINT RULES. The server validates requests with valijson (JSON Schema drafts 4-7, not 2020-12)
// against the schemas in this document, so every schema must stay inside the subset both
// understand, and every value must be bounded so that no request can make the server do
// unbounded work:
//   - only these schema keywords: type properties required additionalProperties minLength
//     maxLength pattern enum const minimum maximum exclusiveMinimum exclusiveMaximum multipleOf
//     items minItems maxItems uniqueItems minProperties maxProperties oneOf anyOf allOf not $ref,
//     plus the annotations description title examples default format (format is documentation
//     only: valijson 1.0 does validate date, time and date-time, so those are refused in request
//     schemas);
//   - a string has maxLength, an array maxItems (and one `items` schema), a number or integer
//     minimum and maximum (exclusive ones count), unless enum or const bounds it;
//   - an object has additionalProperties: false or maxProperties; a request object (anything
//     reachable from a request body or parameter) has additionalProperties: false;
//   - a pattern is one std::regex (ECMAScript) accepts and that stays cheap on a huge string:
//     no lookbehind, named groups or \p{..}; no unbounded quantifier (* + {n,}), because
//     libstdc++'s regex recurses once per repetition and overflows the stack on long input
//     (valijson still runs `pattern` on a string that already failed maxLength); and a pattern
//     with any quantifier is anchored with ^ so it is tried at one position only;
//   - every $ref is a local JSON pointer that resolves; a schema's $ref points at
//     #/components/schemas/<Name> and has nothing beside it but description or title (valijson
//     ignores siblings of $ref);
//   - every operation has a unique camelCase operationId, a tag declared in `tags`, at least one
//     2xx response, and a JSON request body given as a $ref to #/components/schemas/<Name>;
//   - path parameters match the path template, are required and have a schema.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'array', 'object']);
const VALIDATION_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern',
  'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'items', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'oneOf',
  'anyOf', 'allOf', 'not', '$ref',
]);
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', 'format']);
// Formats valijson 1.0 actually checks (with regexes of its own); documentation-only elsewhere.
const VALIDATED_FORMATS = new Set(['date', 'time', 'date-time']);
const HINTS = {
  nullable: 'OpenAPI 3.0 only; use type: [T, "null"] or oneOf with {type: "null"}',
  prefixItems: 'not in drafts 4-7; use one `items` schema',
  unevaluatedProperties: 'not in drafts 4-7; use additionalProperties: false',
  unevaluatedItems: 'not in drafts 4-7',
  $defs: 'put shared schemas in #/components/schemas',
  definitions: 'put shared schemas in #/components/schemas',
  example: 'use `examples` (an array)',
  if: 'valijson supports it but the contract subset does not; use oneOf/anyOf',
  then: 'not in the contract subset',
  else: 'not in the contract subset',
  patternProperties: 'not in the contract subset; list properties explicitly',
  dependentRequired: 'not in drafts 4-7',
  dependentSchemas: 'not in drafts 4-7',
  dependencies: 'not in the contract subset',
  contains: 'not in the contract subset',
  propertyNames: 'not in the contract subset',
  $id: 'valijson would change the resolution scope; do not use ids',
  id: 'valijson (draft 4) would change the resolution scope; do not use ids',
  $schema: 'the server picks the draft; leave it out',
  discriminator: 'not understood by the validator',
  readOnly: 'not in the contract subset; use separate request and response schemas',
  writeOnly: 'not in the contract subset; use separate request and response schemas',
};

/** Escapes one JSON Pointer reference token. */
const esc = (token) => String(token).replaceAll('~', '~0').replaceAll('/', '~1');
const at = (base, ...tokens) => base + tokens.map((t) => '/' + esc(t)).join('');
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isCount = (v) => Number.isInteger(v) && v >= 0;

/** Resolves a local reference ("#/a/b") in doc; undefined when it does not resolve. */
export function resolveRef(doc, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  if (ref === '#') return doc;
  if (!ref.startsWith('#/')) return undefined;
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined;
    node = node[token];
  }
  return node;
}

const COMPONENT_SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/**
 * Checks a quantifier-free scan of an ECMAScript pattern for constructs std::regex rejects or
 * that make it expensive on long input. Returns a list of problems (strings).
 */
export function patternProblems(pattern) {
  const problems = [];
  try {
    new RegExp(pattern); // eslint-disable-line no-new
  } catch (e) {
    return [`pattern does not compile: ${e.message}`];
  }
  if (/\(\?<[=!]/.test(pattern)) problems.push('pattern uses lookbehind, which std::regex lacks');
  if (/\(\?<[A-Za-z_]/.test(pattern)) problems.push('pattern uses a named group, which std::regex lacks');
  if (/\\[pPk][{<]/.test(pattern)) problems.push('pattern uses \\p{..}/\\k<..>, which std::regex lacks');
  let quantified = false;
  let unbounded = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '*' || c === '+') { quantified = true; unbounded = true; continue; }
    if (c === '?' && i > 0 && pattern[i - 1] !== '(') { quantified = true; continue; }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m) {
        quantified = true;
        if (m[2] !== undefined && m[3] === '') unbounded = true;
        i += m[0].length - 1;
      }
    }
  }
  if (unbounded) {
    problems.push('pattern has an unbounded quantifier (* + {n,}): libstdc++ std::regex recurses per repetition and overflows the stack on a long string; use a bounded {m,n}');
  }
  if (quantified && !pattern.startsWith('^')) {
    problems.push('pattern has a quantifier but does not start with ^: unanchored, it is retried at every position of a long string');
  }
  return problems;
}

/** Lints an OpenAPI document (already parsed). Returns [{pointer, message}]. */
export function lintDocument(doc) {
  const errors = [];
  const err = (pointer, message) => errors.push({ pointer, message });

  if (!isObj(doc)) {
    err('', 'the document is not an object');
    return errors;
  }
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1.')) {
    err('/openapi', 'must be an OpenAPI 3.1.x document');
  }

  // Every $ref anywhere must be local and resolve.
  (function walkRefs(node, pointer) {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walkRefs(v, at(pointer, i)));
    } else if (isObj(node)) {
      if (Object.hasOwn(node, '$ref')) {
        const ref = node.$ref;
        if (typeof ref !== 'string') err(at(pointer, '$ref'), '$ref must be a string');
        else if (!ref.startsWith('#/')) err(at(pointer, '$ref'), `$ref "${ref}" is not a local JSON pointer (#/...)`);
        else if (resolveRef(doc, ref) === undefined) err(at(pointer, '$ref'), `$ref "${ref}" does not resolve`);
      }
      for (const [k, v] of Object.entries(node)) {
        // Examples and values are data, not references (a media type's `examples` map is walked).
        if (['example', 'value', 'default', 'const', 'enum'].includes(k) || (k === 'examples' && Array.isArray(v))) continue;
        walkRefs(v, at(pointer, k));
      }
    }
  })(doc, '');

  const componentSchemas = isObj(doc.components?.schemas) ? doc.components.schemas : {};
  const deref = (node) => {
    for (let i = 0; i < 8 && isObj(node) && typeof node.$ref === 'string'; i++) node = resolveRef(doc, node.$ref);
    return node;
  };

  // Schemas reachable from request bodies and parameters are "request" schemas: the server
  // validates with them, so their objects must forbid unknown properties.
  const requestRoots = []; // [schema, pointer]
  const responseRoots = [];
  const paramRoots = [];

  const collectContentSchemas = (content, pointer, into) => {
    if (!isObj(content)) return;
    for (const [mediaType, media] of Object.entries(content)) {
      if (isObj(media) && media.schema !== undefined) {
        into.push([media.schema, at(pointer, mediaType, 'schema')]);
      }
    }
  };
  const collectHeaders = (headers, pointer) => {
    if (!isObj(headers)) return;
    for (const [name, header] of Object.entries(headers)) {
      if (isObj(header) && header.$ref === undefined && header.schema !== undefined) {
        responseRoots.push([header.schema, at(pointer, name, 'schema')]);
      }
    }
  };
  const collectResponse = (response, pointer) => {
    if (!isObj(response) || response.$ref !== undefined) return;
    collectContentSchemas(response.content, at(pointer, 'content'), responseRoots);
    collectHeaders(response.headers, at(pointer, 'headers'));
  };
  const collectParameter = (param, pointer) => {
    if (!isObj(param) || param.$ref !== undefined) return;
    if (param.schema !== undefined) paramRoots.push([param.schema, at(pointer, 'schema')]);
  };

  const components = isObj(doc.components) ? doc.components : {};
  for (const [name, p] of Object.entries(components.parameters ?? {})) collectParameter(p, at('/components/parameters', name));
  for (const [name, r] of Object.entries(components.responses ?? {})) collectResponse(r, at('/components/responses', name));
  collectHeaders(components.headers, '/components/headers');
  for (const [name, rb] of Object.entries(components.requestBodies ?? {})) {
    if (isObj(rb)) collectContentSchemas(rb.content, at('/components/requestBodies', name, 'content'), requestRoots);
  }

  // Operations.
  const operationIds = new Map();
  const declaredTags = new Set((Array.isArray(doc.tags) ? doc.tags : []).map((t) => t?.name));
  const schemes = isObj(components.securitySchemes) ? components.securitySchemes : {};
  const checkSecurity = (security, pointer) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) { err(pointer, 'security must be an array'); return; }
    security.forEach((req, i) => {
      for (const scheme of Object.keys(isObj(req) ? req : {})) {
        if (!Object.hasOwn(schemes, scheme)) err(at(pointer, i, scheme), `security scheme "${scheme}" is not in components.securitySchemes`);
      }
    });
  };
  checkSecurity(doc.security, '/security');

  if (!isObj(doc.paths)) err('/paths', 'paths is missing');
  for (const [route, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    const itemAt = at('/paths', route);
    if (!isObj(item)) { err(itemAt, 'path item must be an object'); continue; }
    if (!route.startsWith('/api/')) err(itemAt, 'every path lives under /api/');
    const templateVars = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const pathLevelParams = Array.isArray(item.parameters) ? item.parameters : [];
    pathLevelParams.forEach((p, i) => collectParameter(p, at(itemAt, 'parameters', i)));

    for (const method of Object.keys(item)) {
      if (method === 'parameters' || method === 'summary' || method === 'description') continue;
      if (!HTTP_METHODS.includes(method)) { err(at(itemAt, method), `"${method}" is not an HTTP method`); continue; }
      const op = item[method];
      const opAt = at(itemAt, method);
      if (!isObj(op)) { err(opAt, 'operation must be an object'); continue; }

      if (typeof op.operationId !== 'string' || op.operationId === '') {
        err(opAt, 'operation has no operationId');
      } else if (!/^[a-z][A-Za-z0-9]*$/.test(op.operationId)) {
        err(at(opAt, 'operationId'), `operationId "${op.operationId}" is not camelCase`);
      } else if (operationIds.has(op.operationId)) {
        err(at(opAt, 'operationId'), `operationId "${op.operationId}" is also used at ${operationIds.get(op.operationId)}`);
      } else {
        operationIds.set(op.operationId, opAt);
      }
      if (!Array.isArray(op.tags) || op.tags.length === 0) err(opAt, 'operation has no tags');
      else op.tags.forEach((t, i) => { if (!declaredTags.has(t)) err(at(opAt, 'tags', i), `tag "${t}" is not declared in the top-level tags`); });
      checkSecurity(op.security, at(opAt, 'security'));

      // Parameters: operation-level override path-level by (name, in).
      const params = new Map();
      const addParams = (list, listAt) => {
        if (list === undefined) return;
        if (!Array.isArray(list)) { err(listAt, 'parameters must be an array'); return; }
        list.forEach((p, i) => {
          const resolved = deref(p);
          if (!isObj(resolved)) return; // reported by the $ref walk
          params.set(`${resolved.in}:${resolved.name}`, [resolved, at(listAt, i)]);
        });
      };
      addParams(item.parameters, at(itemAt, 'parameters'));
      addParams(op.parameters, at(opAt, 'parameters'));
      (Array.isArray(op.parameters) ? op.parameters : []).forEach((p, i) => collectParameter(p, at(opAt, 'parameters', i)));
      for (const [p, pAt] of params.values()) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in)) err(pAt, `parameter "${p.name}" has an unknown "in"`);
        if (p.schema === undefined) err(pAt, `parameter "${p.name}" has no schema`);
        if (p.content !== undefined) err(pAt, `parameter "${p.name}" uses content; use schema`);
        if (p.in === 'path') {
          if (p.required !== true) err(pAt, `path parameter "${p.name}" must be required: true`);
          if (!templateVars.includes(p.name)) err(pAt, `path parameter "${p.name}" is not in the path template ${route}`);
        }
      }
      for (const v of templateVars) {
        if (!params.has(`path:${v}`)) err(opAt, `path template variable {${v}} has no path parameter`);
      }

      if (op.requestBody !== undefined) {
        const rb = deref(op.requestBody);
        const rbAt = at(opAt, 'requestBody');
        if (isObj(rb)) {
          if (op.requestBody.$ref === undefined) collectContentSchemas(rb.content, at(rbAt, 'content'), requestRoots);
          const json = rb.content?.['application/json'];
          if (json !== undefined) {
            const ref = json?.schema?.$ref;
            if (typeof ref !== 'string' || !COMPONENT_SCHEMA_REF.test(ref)) {
              err(at(rbAt, 'content', 'application/json', 'schema'), 'a JSON request body schema must be a $ref to #/components/schemas/<Name> (the server looks it up there)');
            }
          }
        }
      }

      const responses = op.responses;
      if (!isObj(responses) || Object.keys(responses).length === 0) {
        err(opAt, 'operation has no responses');
      } else {
        if (!Object.keys(responses).some((code) => /^2(\d\d|XX)$/.test(code))) err(at(opAt, 'responses'), 'operation has no 2xx response');
        for (const [code, response] of Object.entries(responses)) {
          if (!/^([1-5](\d\d|XX)|default)$/.test(code)) err(at(opAt, 'responses', code), `"${code}" is not a status code`);
          collectResponse(response, at(opAt, 'responses', code));
        }
      }
    }
  }

  // Which component schemas do requests reach?
  const requestSchemaNames = new Set();
  const markReachable = (node) => {
    if (Array.isArray(node)) { node.forEach(markReachable); return; }
    if (!isObj(node)) return;
    if (typeof node.$ref === 'string') {
      const m = COMPONENT_SCHEMA_REF.exec(node.$ref);
      if (m && !requestSchemaNames.has(m[1]) && Object.hasOwn(componentSchemas, m[1])) {
        requestSchemaNames.add(m[1]);
        markReachable(componentSchemas[m[1]]);
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'examples' && k !== 'default' && k !== 'const' && k !== 'enum') markReachable(v);
  };
  for (const [schema] of [...requestRoots, ...paramRoots]) markReachable(schema);

  // The schema rules themselves.
  const lintSchema = (node, pointer, request, parent = null) => {
    if (!isObj(node)) { err(pointer, 'a schema must be an object (no boolean schemas)'); return; }

    if (Object.hasOwn(node, '$ref')) {
      if (typeof node.$ref === 'string' && !COMPONENT_SCHEMA_REF.test(node.$ref)) {
        err(at(pointer, '$ref'), `a schema $ref must point at #/components/schemas/<Name>, not "${node.$ref}"`);
      }
      for (const k of Object.keys(node)) {
        if (k !== '$ref' && k !== 'description' && k !== 'title') {
          err(at(pointer, k), `"${k}" beside $ref is ignored by valijson; move it into the referenced schema or wrap the $ref in allOf`);
        }
      }
      return;
    }

    for (const k of Object.keys(node)) {
      if (!VALIDATION_KEYWORDS.has(k) && !ANNOTATIONS.has(k)) {
        err(at(pointer, k), `keyword "${k}" is outside the supported JSON Schema subset${HINTS[k] ? ` (${HINTS[k]})` : ''}`);
      }
    }

    let types = [];
    if (node.type !== undefined) {
      types = Array.isArray(node.type) ? node.type : [node.type];
      if (types.length === 0 || types.some((t) => !JSON_TYPES.has(t)) || new Set(types).size !== types.length) {
        err(at(pointer, 'type'), `type must be one of ${[...JSON_TYPES].join(', ')} or an array of distinct ones`);
        types = types.filter((t) => JSON_TYPES.has(t));
      }
    }
    const composed = ['oneOf', 'anyOf', 'allOf'].some((k) => node[k] !== undefined);
    const enumerated = node.enum !== undefined || node.const !== undefined;
    if (node.type === undefined && !composed && !enumerated && parent === null) {
      err(pointer, 'schema has no type (nor enum, const, oneOf, anyOf or allOf), so nothing bounds it');
    }

    for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
      if (node[k] !== undefined && !isCount(node[k])) err(at(pointer, k), `${k} must be a non-negative integer`);
    }
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
      if (node[k] !== undefined && !isNum(node[k])) err(at(pointer, k), `${k} must be a number (draft 6+ form, not a boolean)`);
    }
    if (node.multipleOf !== undefined && !(isNum(node.multipleOf) && node.multipleOf > 0)) err(at(pointer, 'multipleOf'), 'multipleOf must be a number > 0');
    for (const [lo, hi] of [['minLength', 'maxLength'], ['minItems', 'maxItems'], ['minProperties', 'maxProperties'], ['minimum', 'maximum']]) {
      if (isNum(node[lo]) && isNum(node[hi]) && node[lo] > node[hi]) err(at(pointer, lo), `${lo} is greater than ${hi}`);
    }

    if (types.includes('string') && !enumerated && node.maxLength === undefined) err(pointer, 'string without maxLength');
    if (types.includes('array')) {
      if (node.maxItems === undefined) err(pointer, 'array without maxItems');
      if (node.items === undefined) err(pointer, 'array without items');
    }
    if ((types.includes('number') || types.includes('integer')) && !enumerated) {
      if (node.minimum === undefined && node.exclusiveMinimum === undefined) err(pointer, `${types.includes('integer') ? 'integer' : 'number'} without minimum`);
      if (node.maximum === undefined && node.exclusiveMaximum === undefined) err(pointer, `${types.includes('integer') ? 'integer' : 'number'} without maximum`);
    }
    if (types.includes('object')) {
      // A request object lists its properties (additionalProperties: false), or is a bounded map
      // whose values all follow one schema (additionalProperties: {schema} with maxProperties).
      const boundedMap = typeof node.additionalProperties === 'object' && node.maxProperties !== undefined
        && node.properties === undefined;
      if (request && node.additionalProperties !== false && !boundedMap) {
        err(pointer, 'request object without additionalProperties: false');
      } else if (node.additionalProperties !== false && node.maxProperties === undefined) {
        err(pointer, 'object without additionalProperties: false or maxProperties');
      }
    }

    if (node.pattern !== undefined) {
      if (typeof node.pattern !== 'string') err(at(pointer, 'pattern'), 'pattern must be a string');
      else for (const p of patternProblems(node.pattern)) err(at(pointer, 'pattern'), p);
    }
    if (node.format !== undefined) {
      if (typeof node.format !== 'string') err(at(pointer, 'format'), 'format must be a string');
      else if (request && VALIDATED_FORMATS.has(node.format)) {
        err(at(pointer, 'format'), `format "${node.format}" is validated by valijson; formats are documentation only here, so use a pattern`);
      }
    }
    if (node.examples !== undefined && !Array.isArray(node.examples)) err(at(pointer, 'examples'), 'examples must be an array');
    if (node.enum !== undefined && (!Array.isArray(node.enum) || node.enum.length === 0)) err(at(pointer, 'enum'), 'enum must be a non-empty array');

    const propNames = isObj(node.properties) ? Object.keys(node.properties) : (parent ?? []);
    if (node.required !== undefined) {
      if (!Array.isArray(node.required) || node.required.some((r) => typeof r !== 'string') || new Set(node.required).size !== node.required.length) {
        err(at(pointer, 'required'), 'required must be an array of distinct strings');
      } else if (node.properties !== undefined || parent !== null) {
        node.required.forEach((r, i) => {
          if (!propNames.includes(r)) err(at(pointer, 'required', i), `required property "${r}" is not in properties`);
        });
      }
    }
    if (node.properties !== undefined) {
      if (!isObj(node.properties)) err(at(pointer, 'properties'), 'properties must be an object');
      else for (const [name, sub] of Object.entries(node.properties)) lintSchema(sub, at(pointer, 'properties', name), request);
    }
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
      if (node.additionalProperties === true) err(at(pointer, 'additionalProperties'), 'additionalProperties: true is unbounded; use false, or a schema with maxProperties');
      else lintSchema(node.additionalProperties, at(pointer, 'additionalProperties'), request);
    }
    if (node.items !== undefined) {
      if (Array.isArray(node.items)) err(at(pointer, 'items'), 'items must be one schema (tuple form is not in the subset)');
      else lintSchema(node.items, at(pointer, 'items'), request);
    }
    for (const k of ['oneOf', 'anyOf', 'allOf']) {
      if (node[k] === undefined) continue;
      if (!Array.isArray(node[k]) || node[k].length === 0) { err(at(pointer, k), `${k} must be a non-empty array`); continue; }
      // Children of a typed parent may be constraint-only ({required: [...]}).
      node[k].forEach((sub, i) => lintSchema(sub, at(pointer, k, i), request, node.type !== undefined ? propNames : null));
    }
    if (node.not !== undefined) lintSchema(node.not, at(pointer, 'not'), request, propNames);
  };

  for (const [name, schema] of Object.entries(componentSchemas)) {
    lintSchema(schema, at('/components/schemas', name), requestSchemaNames.has(name));
  }
  for (const [schema, pointer] of requestRoots) lintSchema(schema, pointer, true);
  for (const [schema, pointer] of paramRoots) lintSchema(schema, pointer, true);
  for (const [schema, pointer] of responseRoots) lintSchema(schema, pointer, false);

  // Deduplicate (a component parameter is reached once per operation using it) and sort.
  const seen = new Set();
  return errors
    .filter((e) => { const key = `${e.pointer}\u0000${e.message}`; if (seen.has(key)) return false; seen.add(key); return true; })
    .sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** Parses YAML text strictly (duplicate keys and syntax errors are errors). */
export function parseSpec(text) {
  const yamlDoc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (yamlDoc.errors.length > 0) {
    throw new Error(yamlDoc.errors.map((e) => e.message).join('\n'));
  }
  return yamlDoc.toJS({ maxAliasCount: 100 });
}

/** Writes a file only when its content differs; returns true when it wrote. */
function writeIfChanged(file, content) {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  if (existsSync(file)) {
    const old = readFileSync(file);
    if (old.equals(buf)) return false;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buf);
  return true;
}

// swagger-ui-dist files the docs page loads: its bundle, its stylesheet (and the source map the
// stylesheet names, so a browser's devtools find it), and the favicons.
const SWAGGER_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui.css.map', 'favicon-32x32.png', 'favicon-16x16.png'];

function main(argv) {
  const args = argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const specFile = path.resolve(opt('--spec') ?? path.join(ROOT, 'openapi', 'openapi.yaml'));
  const outDir = path.resolve(opt('--out') ?? path.join(ROOT, 'build', 'web'));
  const lintOnly = args.includes('--lint-only');
  const rel = path.relative(process.cwd(), specFile) || specFile;

  let doc;
  try {
    doc = parseSpec(readFileSync(specFile, 'utf8'));
  } catch (e) {
    console.error(`openapi: ${rel}: ${e.message}`);
    return 1;
  }
  const problems = lintDocument(doc);
  if (problems.length > 0) {
    for (const p of problems) console.error(`openapi: ${rel}#${p.pointer}: ${p.message}`);
    console.error(`openapi: ${problems.length} problem(s); nothing written`);
    return 1;
  }
  if (lintOnly) {
    console.log(`openapi: ${rel} ok`);
    return 0;
  }

  const written = [];
  const put = (file, content) => { if (writeIfChanged(file, content)) written.push(path.relative(ROOT, file)); };
  put(path.join(outDir, 'openapi.json'), JSON.stringify(doc, null, 2) + '\n');

  const docsDir = path.join(outDir, 'docs');
  put(path.join(docsDir, 'index.html'), readFileSync(path.join(ROOT, 'openapi', 'docs.html')));
  put(path.join(docsDir, 'docs-init.js'), readFileSync(path.join(ROOT, 'openapi', 'docs-init.js')));
  const require = createRequire(import.meta.url);
  const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const f of SWAGGER_FILES) put(path.join(docsDir, f), readFileSync(path.join(swaggerDir, f)));

  const ops = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((k) => HTTP_METHODS.includes(k)).length, 0);
  console.log(`openapi: ${rel} ok (${ops} operations, ${Object.keys(doc.components?.schemas ?? {}).length} schemas); ${written.length ? `wrote ${written.join(', ')}` : 'build/web up to date'}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv);
}
