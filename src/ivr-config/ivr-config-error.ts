/** The call-flow file cannot be used; `problems` lists every fault, each naming its node, key or file. */
export class IvrConfigError extends Error {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[]) {
    super(`Invalid call-flow config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'IvrConfigError';
    this.file = file;
    this.problems = problems;
  }
}
