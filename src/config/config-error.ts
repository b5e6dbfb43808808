/** One problem found while loading configuration: which key, where it came from, and what is allowed. */
export interface ConfigIssue {
  /** The setting's path in the JSON files, e.g. `server.port`. */
  key: string;
  /** The environment variable for the setting, when it has one. */
  env?: string;
  /** Where the bad value came from: `env`, `config/local.json`, ... */
  source: string;
  message: string;
}

/** Thrown by loadConfig when any value is invalid; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      'Invalid configuration:\n' +
        issues
          .map(
            (i) =>
              `  - ${i.env && i.source === 'env' ? i.env : i.key}${i.env && i.source !== 'env' ? ` (env ${i.env})` : ''} [${i.source}]: ${i.message}`,
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
