import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallCenterConfig } from '../domain/calls/call-center-state.ts';
import { promptFile } from '../domain/ivr/ivr-config.ts';
import { validateCallCenterConfig } from '../domain/ivr/validate-call-center-config.ts';
import { IvrConfigError } from './ivr-config-error.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const defaultIvrConfigPath = join(projectRoot, 'config', 'ivr.json');

export interface LoadIvrConfigOptions {
  /** The call-flow file; default `config/ivr.json`. */
  file?: string;
  /** The folder that holds `sounds/<id>.wav`; default the project root. */
  root?: string;
}

/**
 * Reads and validates the call-flow file at start. Throws IvrConfigError naming every problem:
 * unreadable file, bad JSON, unknown or unreachable node, missing prompt file, bad threshold.
 */
export function loadIvrConfig(opts: LoadIvrConfigOptions = {}): CallCenterConfig {
  const file = opts.file ?? defaultIvrConfigPath;
  const root = opts.root ?? projectRoot;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new IvrConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IvrConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  const check = validateCallCenterConfig(raw, {
    promptExists: (id) => {
      const path = join(root, promptFile(id));
      return existsSync(path) && statSync(path).isFile();
    },
  });
  if (!check.ok) throw new IvrConfigError(file, check.errors);
  return check.config;
}
