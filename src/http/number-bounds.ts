/**
 * Bounds for numbers that arrive in a URL (issue 7 item 5). Query and path values are strings coerced
 * by ajv, which turns "Infinity", "1e400" and "99999999999999999999" into numbers that pass `integer`
 * but that SQLite refuses as a LIMIT/OFFSET (a 500) or that no row can have. Every numeric query and
 * path parameter therefore declares a maximum, so such values are a 400 naming the parameter.
 */

/** Row ids: SQLite's rowids are 64-bit, but a JS number holds integers exactly only up to 2^53 - 1. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Paging offsets: far beyond any table this server keeps, far below what SQLite would refuse. */
export const MAX_OFFSET = 1_000_000_000;

/** Epoch milliseconds: the last instant a JavaScript Date can represent. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

export const idSchema = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
export const offsetSchema = { type: 'integer', minimum: 0, maximum: MAX_OFFSET } as const;
export const epochMsSchema = { type: 'integer', minimum: 0, maximum: MAX_EPOCH_MS } as const;
