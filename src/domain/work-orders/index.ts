export * from './types.ts';
export * from './handling-clock.ts';
export * from './decide.ts';
export * from './satisfaction-reply.ts';
export * from './repeat-detection.ts';
export * from './supervision.ts';
export * from './assessment.ts';
export * from './fast-response.ts';
