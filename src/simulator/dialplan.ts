/**
 * The simulator's dialplan: a small table of contexts, the ones the reference Asterisk used plus the ones
 * scripted participants need. A context maps an extension to a list of steps (priority = index + 1).
 * `${EXTEN}`, `${STASIS_APP}` and global variables such as `${AGENT_DELAY}` are substituted at run time.
 */
import type { PhoneBehaviour } from './types.ts';

export interface DialplanStep {
  app: string;
  data: string;
}

export interface DialplanEnv {
  globals: Map<string, string>;
  phones: Map<string, PhoneBehaviour>;
  externals: Map<string, PhoneBehaviour>;
}

export type ContextFn = (exten: string, env: DialplanEnv) => DialplanStep[] | undefined;

const s = (app: string, data = ''): DialplanStep => ({ app, data });

/** A phone that rings, then behaves as its behaviour says (used by `agents` and `external`). */
function phoneSteps(exten: string, b: PhoneBehaviour | undefined, defaultDelaySec: string): DialplanStep[] {
  if (!b) {
    return [
      s('NoOp', `Agent ${exten} ringing, delay ${defaultDelaySec}`),
      s('Ringing'),
      s('Wait', defaultDelaySec),
      s('Answer'),
      s('Wait', '3600'),
    ];
  }
  if (b.busy) return [s('Busy')];
  if (b.rejectCause !== undefined) return [s('Hangup', String(b.rejectCause))];
  if (b.answerAfterMs === undefined) return [s('Ringing'), s('Wait', '3600')];
  const delay = String(b.answerAfterMs / 1000);
  const steps = [s('NoOp', `Agent ${exten} ringing, delay ${delay}`), s('Ringing'), s('Wait', delay), s('Answer')];
  if (b.hangupAfterMs !== undefined) steps.push(s('Wait', String(b.hangupAfterMs / 1000)), s('Hangup'));
  else steps.push(s('Wait', '3600'));
  return steps;
}

export const DEFAULT_CONTEXTS: Record<string, ContextFn> = {
  /** Inbound calls enter the CTI application; if it is not registered the dialplan continues. */
  'cti-inbound': () => [
    s('NoOp', 'Inbound call to ${EXTEN}'),
    s('Stasis', '${STASIS_APP},inbound,${EXTEN}'),
    s('Hangup'),
  ],
  /** The far end of test calls: answers and stays; `hello` plays hello-world and hangs up; `talk` talks. */
  test: (exten) => {
    if (exten === 'hello') return [s('Answer'), s('Playback', 'hello-world'), s('Hangup')];
    if (exten === 'talk') return [s('Answer'), s('Playback', 'hello-world&tt-monkeys'), s('Wait', '3600')];
    return [s('Answer'), s('Wait', '3600')];
  },
  /** Agents' phones: ring, answer after AGENT_DELAY seconds (or as registered over the control API). */
  agents: (exten, env) => phoneSteps(exten, env.phones.get(exten), env.globals.get('AGENT_DELAY') ?? '2'),
  'agents-noanswer': () => [s('Ringing'), s('Wait', '3600')],
  'agents-echo': () => [s('Ringing'), s('Wait', '2'), s('Answer'), s('Echo')],
  'dtmf-sender': () => [s('Answer'), s('Wait', '1'), s('SendDTMF', '12#*9,250'), s('Wait', '3600')],
  'cti-test-stasis': () => [s('Stasis', '${STASIS_APP}')],
  /** External parties (110, handling units): answer after 1 s unless registered otherwise. */
  external: (exten, env) => {
    const b = env.externals.get(exten) ?? { answerAfterMs: 1000 };
    return phoneSteps(exten, b, '1');
  },
  /**
   * dialplan/extensions-hotline.conf's [hotline-inbound] and [hotline-fallback] in short: Stasis first; if
   * the CTI application is not registered, the fallback answers and records with MixMonitor into the
   * recording folder (so ARI's /recordings/stored lists it), named by time, caller number and unique id.
   * The fallback queue itself (Queue()) is not simulated: the caller hears the prompts and waits, recorded.
   */
  'hotline-inbound': () => [
    s('NoOp', '12345 hotline: inbound call to ${EXTEN}'),
    s('Stasis', '${STASIS_APP},inbound,${EXTEN}'),
    s('NoOp', 'Stasis returned: fallback queue'),
    s('Set', '__HOTLINE_FALLBACK=1'),
    s('Answer'),
    s('MixMonitor', 'hotline-fallback-${EPOCH}-${CALLERID_DIGITS}-${UNIQUEID}.wav'),
    s('Playback', 'hotline/welcome&hotline/transferring'),
    s('Wait', '3600'),
  ],
  /** The customer's phone of a call placed over the control API: a scripted participant drives it. */
  'caller-script': () => [s('Script'), s('Wait', '3600')],
};

export function substitute(data: string, vars: (name: string) => string | undefined): string {
  return data.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => vars(name) ?? '');
}
