import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

/**
 * Request validation. Fastify's default ajv setup silently drops unknown fields and turns "5" into 5
 * in bodies; this server refuses both, so a client learns about its mistake. Path, query and header
 * values arrive as strings and are still coerced to the schema's types.
 */
const common: Options = {
  allErrors: false,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
};

export function createValidatorCompiler(sharedSchemas: () => Record<string, unknown>): FastifySchemaCompiler<unknown> {
  const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const textAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  const added = new Set<string>();
  const addShared = () => {
    for (const [id, schema] of Object.entries(sharedSchemas())) {
      if (added.has(id)) continue;
      added.add(id);
      bodyAjv.addSchema(schema as object, id);
      textAjv.addSchema(schema as object, id);
    }
  };

  return ({ schema, httpPart }) => {
    addShared();
    if (httpPart !== 'body') return textAjv.compile(schema as object) as ValidateFunction;
    const validate = bodyAjv.compile(schema as object);
    // A route with a body schema called with no body is checked as if it sent `{}`, so the answer is
    // "missing field x" rather than a crash in the handler.
    return (data: unknown) => {
      const value = data === undefined || data === null ? {} : data;
      if (validate(value)) return { value };
      return { error: validate.errors ?? [] } as unknown as { error: Error };
    };
  };
}

/** Turns ajv errors into one sentence naming the field and what is allowed. */
export function formatValidationErrors(errors: readonly ErrorObject[] | undefined, dataVar: string): string {
  const e = errors?.[0];
  if (!e) return `${dataVar} is invalid`;
  const where = dataVar + instancePathToDots(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where} has an unknown field "${String(params.additionalProperty)}"; it is not allowed`;
    case 'required':
      return `${where} is missing the required field "${String(params.missingProperty)}"`;
    case 'type':
      return `${where} must be ${String(params.type)}`;
    case 'enum':
      return `${where} must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function instancePathToDots(p: string): string {
  if (!p) return '';
  return p
    .split('/')
    .slice(1)
    .map((seg) => {
      const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
    })
    .join('');
}
