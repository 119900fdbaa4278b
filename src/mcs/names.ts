// Kubernetes name rules the core needs (RFC 1123 labels and subdomains), and the errors that name the field.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return value.length > 0 && value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDns1123Label);
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Kubernetes' qualified name (label and annotation keys): an optional DNS subdomain prefix, a slash, a name. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `the prefix "${prefix}" is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name))
    return 'is not a valid key (at most 63 letters, digits, "-", "_" or ".")';
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `is ${value.length} characters long; a label value has at most 63`;
  if (!LABEL_NAME.test(value))
    return 'may hold only letters, digits, "-", "_" and ".", beginning and ending with a letter or digit';
  return undefined;
}

/** A cluster id per KEP-1645: one label, or two labels joined by a dot. KEP-2149 allows a subdomain. */
export function clusterIdProblem(value: string): string | undefined {
  if (!isDns1123Subdomain(value)) return `"${value}" is not an RFC 1123 DNS subdomain`;
  if (value.length >= 128) return `"${value}" is longer than 127 characters`;
  return undefined;
}

/** Bad input, with the object and the field it is about, so a user can find and fix it. */
export class InputError extends Error {
  override name = 'InputError';
  readonly object: string;
  readonly field: string;
  readonly detail: string;

  constructor(object: string, field: string, detail: string) {
    super(`${object}: ${field}: ${detail}`);
    this.object = object;
    this.field = field;
    this.detail = detail;
  }
}
