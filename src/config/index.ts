export { loadConfig, type Config, type LoadConfigInput, type TelephonyMode } from './load-config.ts';
export { ConfigError, type ConfigIssue } from './config-error.ts';
export { configSchema } from './schema.ts';
