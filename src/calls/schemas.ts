/**
 * JSON schemas of the agent's call commands (HTTP bodies; the /agent namespace checks the same
 * fields by hand). Numbers are outside numbers (3 to 20 digits); reasons are shown to the
 * receiving agent.
 */
const number = { type: 'string', pattern: '^[0-9]{3,20}$' } as const;
const agentId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const reason = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const;

export const numberBody = {
  type: 'object',
  additionalProperties: false,
  required: ['number'],
  properties: { number },
} as const;

/** A consultation: an outside number or a colleague, exactly one. */
export const consultBody = {
  type: 'object',
  additionalProperties: false,
  properties: { number, agentId },
  oneOf: [{ required: ['number'] }, { required: ['agentId'] }],
} as const;

export const transferToAgentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId'],
  properties: { agentId, reason },
} as const;

export const transferToDeskBody = {
  type: 'object',
  additionalProperties: false,
  required: ['skill'],
  properties: { skill: { type: 'string', minLength: 1, maxLength: 32 }, reason },
} as const;
