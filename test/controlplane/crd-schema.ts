// Pure comparison of CustomResourceDefinitions as parsed from YAML: no I/O here, so the unit test and any
// future tool can feed it whatever documents they read.

/** A JSON value as the yaml package returns it. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

/** One difference between an official CRD and ours, with a path a person can find in both files. */
export interface CrdDifference {
  readonly where: string;
  readonly official: string;
  readonly ours: string;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: Json | undefined, key: string): Json | undefined {
  return isObject(value) ? value[key] : undefined;
}

/** Stable text of a value: object keys sorted, so that key order in the YAML never counts as a difference. */
function canonical(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (isObject(v)) {
      const out: Record<string, Json> = {};
      for (const key of Object.keys(v).sort()) out[key] = sort(v[key] as Json);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

// Walked into rather than compared; descriptions are prose and may differ freely.
const STRUCTURE_KEYS = new Set(['properties', 'items', 'additionalProperties', 'description']);

/**
 * Every field path of an openAPIV3Schema with its validation facts (type, enum, required, format, maxItems,
 * patterns, list types, ... : every keyword except prose and nesting). Paths read like `.spec.ports[].port`,
 * with `{}` for the values of a map (additionalProperties).
 */
export function schemaFieldPaths(schema: Json | undefined): Map<string, JsonObject> {
  const paths = new Map<string, JsonObject>();
  const walk = (node: Json | undefined, at: string): void => {
    if (!isObject(node)) return;
    const facts: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      if (!STRUCTURE_KEYS.has(key)) facts[key] = value;
    }
    // additionalProperties: false/true is a validation fact; an object is a nested schema.
    const extra = node.additionalProperties;
    if (typeof extra === 'boolean') facts.additionalProperties = extra;
    paths.set(at === '' ? '.' : at, facts);
    const properties = node.properties;
    if (isObject(properties)) {
      for (const [name, child] of Object.entries(properties)) walk(child, `${at}.${name}`);
    }
    if (node.items !== undefined) walk(node.items, `${at}[]`);
    if (isObject(extra)) walk(extra, `${at}{}`);
  };
  walk(schema, '');
  return paths;
}

function compareSchemas(official: Json | undefined, ours: Json | undefined, where: string): CrdDifference[] {
  const theirs = schemaFieldPaths(official);
  const mine = schemaFieldPaths(ours);
  const differences: CrdDifference[] = [];
  for (const [at, facts] of theirs) {
    const ourFacts = mine.get(at);
    if (ourFacts === undefined) {
      differences.push({ where: `${where} ${at}`, official: canonical(facts), ours: '(field missing)' });
      continue;
    }
    const keys = new Set([...Object.keys(facts), ...Object.keys(ourFacts)]);
    for (const key of [...keys].sort()) {
      const a = canonical(facts[key]);
      const b = canonical(ourFacts[key]);
      if (a !== b) differences.push({ where: `${where} ${at} ${key}`, official: a, ours: b });
    }
  }
  for (const at of mine.keys()) {
    if (!theirs.has(at)) {
      differences.push({ where: `${where} ${at}`, official: '(no such field)', ours: canonical(mine.get(at)) });
    }
  }
  return differences;
}

function namesOf(crd: Json): Record<string, Json> {
  const names = field(field(crd, 'spec'), 'names');
  const kind = field(names, 'kind');
  // listKind defaults to <kind>List; shortNames and categories to none. Compare what the API server would store.
  return {
    kind: kind ?? null,
    listKind: field(names, 'listKind') ?? (typeof kind === 'string' ? `${kind}List` : null),
    plural: field(names, 'plural') ?? null,
    singular: field(names, 'singular') ?? null,
    shortNames: field(names, 'shortNames') ?? [],
    categories: field(names, 'categories') ?? [],
  };
}

function printerColumns(version: Json | undefined): Json {
  const columns = field(version, 'additionalPrinterColumns');
  if (!Array.isArray(columns)) return [];
  // Column descriptions are prose; name, type, jsonPath, format and priority are what kubectl shows.
  return columns.map((c: Json) => ({
    name: field(c, 'name') ?? null,
    type: field(c, 'type') ?? null,
    jsonPath: field(c, 'jsonPath') ?? null,
    format: field(c, 'format') ?? null,
    priority: field(c, 'priority') ?? 0,
  }));
}

function versionsOf(crd: Json): Map<string, Json> {
  const versions = field(field(crd, 'spec'), 'versions');
  const byName = new Map<string, Json>();
  if (Array.isArray(versions)) {
    for (const v of versions as Json[]) {
      const name = field(v, 'name');
      if (typeof name === 'string') byName.set(name, v);
    }
  }
  return byName;
}

/**
 * Everything a client can observe of a CRD that is not prose: group, scope, names, versions (served, storage,
 * subresources, printer columns) and every schema field path with its validation. Empty when compatible.
 */
export function compareCrds(official: Json, ours: Json): CrdDifference[] {
  const differences: CrdDifference[] = [];
  const same = (where: string, a: Json | undefined, b: Json | undefined): void => {
    const x = canonical(a);
    const y = canonical(b);
    if (x !== y) differences.push({ where, official: x, ours: y });
  };
  same('metadata.name', field(field(official, 'metadata'), 'name'), field(field(ours, 'metadata'), 'name'));
  same('spec.group', field(field(official, 'spec'), 'group'), field(field(ours, 'spec'), 'group'));
  same('spec.scope', field(field(official, 'spec'), 'scope'), field(field(ours, 'spec'), 'scope'));
  same('spec.names', namesOf(official), namesOf(ours));
  const theirs = versionsOf(official);
  const mine = versionsOf(ours);
  same('spec.versions[*].name', [...theirs.keys()].sort(), [...mine.keys()].sort());
  for (const [name, version] of theirs) {
    const our = mine.get(name);
    if (our === undefined) continue;
    const at = `spec.versions[${name}]`;
    same(`${at}.served`, field(version, 'served'), field(our, 'served'));
    same(`${at}.storage`, field(version, 'storage'), field(our, 'storage'));
    same(`${at}.subresources`, field(version, 'subresources') ?? {}, field(our, 'subresources') ?? {});
    same(`${at}.additionalPrinterColumns`, printerColumns(version), printerColumns(our));
    differences.push(
      ...compareSchemas(
        field(field(version, 'schema'), 'openAPIV3Schema'),
        field(field(our, 'schema'), 'openAPIV3Schema'),
        `${at} schema`,
      ),
    );
  }
  return differences;
}
