import { ORDER_TYPES } from '../domain/work-orders/types.ts';

/** The body of a citizen submission, shared by the signed channel API and the public form. */
export const submissionProperties = {
  type: { type: 'string', enum: [...ORDER_TYPES] },
  category: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9.-]+$' },
  content: { type: 'string', minLength: 5, maxLength: 2000 },
  phone: { type: 'string', minLength: 5, maxLength: 32, pattern: '^[0-9+() -]+$' },
  name: { type: 'string', minLength: 1, maxLength: 50 },
  contactPhone: { type: 'string', minLength: 5, maxLength: 32, pattern: '^[0-9+() -]+$' },
  location: { type: 'string', minLength: 1, maxLength: 200 },
  attachments: {
    type: 'array',
    maxItems: 10,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['fileName', 'mimeType', 'contentBase64'],
      properties: {
        fileName: { type: 'string', minLength: 1, maxLength: 120 },
        mimeType: { type: 'string', minLength: 3, maxLength: 100 },
        contentBase64: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

export const submissionRequired = ['type', 'category', 'content', 'phone'] as const;

export const receiptSchema = {
  type: 'object',
  required: ['trackingCode', 'status', 'receivedAt', 'dispatchDueAt'],
  properties: {
    trackingCode: { type: 'string' },
    status: { type: 'string' },
    receivedAt: { type: 'string' },
    dispatchDueAt: { type: 'string' },
  },
} as const;

export const statusSchema = {
  type: 'object',
  properties: {
    trackingCode: { type: 'string' },
    status: { type: 'string' },
    statusText: { type: 'string' },
    receivedAt: { type: 'string' },
    closedAt: { type: ['string', 'null'] },
    answer: { type: ['string', 'null'] },
  },
} as const;
