/**
 * The voice menu as data. A prompt id such as `zh/welcome` names the file `sounds/zh/welcome.wav`
 * and is played as the ARI media `sound:hotline/welcome` with `lang=zh`: on Asterisk the prompts are installed in
 * `/var/lib/asterisk/sounds/zh/hotline/`, the same files the fallback dialplan plays as `hotline/welcome`.
 */
export type PromptId = string;

/** What happens when a caller picks an option, times out, or a node finishes. */
export type IvrAction =
  | { action: 'goto'; node: string; setSkill?: string }
  | { action: 'queue'; skill?: string; priority?: number }
  | { action: 'transfer'; number: string; prompt?: PromptId[] }
  | { action: 'play'; prompt: PromptId[]; next: string }
  | { action: 'callback'; prompt?: PromptId[] }
  | { action: 'hangup'; prompt?: PromptId[] };

/** A digit option; `label` is what the screen-pop shows as the caller's choice. */
export type IvrOption = IvrAction & { label?: string };

export interface MenuNode {
  type: 'menu';
  label?: string;
  prompt: PromptId[];
  options: Record<string, IvrOption>;
  /** How long to wait for a digit once the prompt has finished. */
  timeoutMs: number;
  /** Re-prompts allowed after invalid input (and after a time-out when onTimeout is absent). */
  retries: number;
  invalidPrompt: PromptId[];
  noInputPrompt: PromptId[];
  /** When set, a time-out runs this action at once (so a caller who presses nothing moves on). */
  onTimeout?: IvrAction;
  /** Runs when the retries are used up. */
  onFailure: IvrAction;
}

export interface PlayNode {
  type: 'play';
  label?: string;
  prompt: PromptId[];
  next: IvrAction;
}

/** Work-order status self-service: the caller keys a number ended by `#`; the status is read back. */
export interface TicketStatusNode {
  type: 'ticket-status';
  label?: string;
  prompt: PromptId[];
  maxDigits: number;
  /** Inter-digit time-out. */
  timeoutMs: number;
  retries: number;
  invalidPrompt: PromptId[];
  noInputPrompt: PromptId[];
  /** After the status has been read back (or "not found" was said). */
  next: IvrAction;
  onFailure: IvrAction;
  /** Look-ups a call may fail (unknown order, or not the caller's) before `onLookupFailures` runs. */
  maxLookupFailures: number;
  /** Runs after the last allowed failed look-up's "not found" prompt: by default a goodbye and hang up. */
  onLookupFailures: IvrAction;
}

export type IvrNode = MenuNode | PlayNode | TicketStatusNode;

/** Prompts used outside the menu nodes: digits, numbers, status words, queue announcements. */
export interface IvrPromptSet {
  /** Ten prompts, index = digit. */
  digits: PromptId[];
  ten: PromptId;
  hundred: PromptId;
  ticketNumberIs: PromptId;
  ticketStatusIs: PromptId;
  ticketNotFound: PromptId;
  /** Work-order status code → prompt. */
  statuses: Record<string, PromptId>;
  statusUnknown: PromptId;
  queueAheadBefore: PromptId;
  queueAheadAfter: PromptId;
  queueNext: PromptId;
  /** "预计等待约" … "分钟": the estimated wait, said after the position when both are set. */
  queueWaitBefore?: PromptId;
  queueWaitMinutes?: PromptId;
}

export interface IvrConfig {
  start: string;
  /** Skills (queues) that exist; agents sign in to these. */
  skills: string[];
  /** The queue of a caller who made no desk choice. */
  defaultSkill: string;
  nodes: Record<string, IvrNode>;
  prompts: IvrPromptSet;
  /**
   * The prompt language of each desk (skill), e.g. cantonese → yue: once the caller chooses that desk, every
   * prompt of the rest of the call plays in that language where it has the file (national guidance: dialect desks).
   */
  skillLanguages?: Record<string, string>;
  /** Per language of `skillLanguages`, the prompt names (`welcome`, …) that exist in it; filled by the loader. */
  localPrompts?: Record<string, readonly string[]>;
}

export function promptFile(id: PromptId): string {
  return `sounds/${id}.wav`;
}

/** The folder the prompts are installed in under each language's sounds directory on Asterisk. */
export const PROMPT_SOUNDS_FOLDER = 'hotline';

/** `zh/welcome` → `sound:hotline/welcome` (the language goes in the play request: promptLanguage). */
export function promptMedia(id: PromptId): string {
  const slash = id.indexOf('/');
  return `sound:${PROMPT_SOUNDS_FOLDER}/${slash >= 0 ? id.slice(slash + 1) : id}`;
}

/** `zh/welcome` → `zh`: the ARI play `lang` under which Asterisk looks the sound up (sounds/<lang>/hotline/…). */
export function promptLanguage(id: PromptId): string | undefined {
  const slash = id.indexOf('/');
  return slash > 0 ? id.slice(0, slash) : undefined;
}

/** The language a caller hears after choosing the desk of `skill`, with the prompts that exist in it. */
export interface CallerLanguage {
  lang: string;
  names: readonly string[];
}

export function callerLanguage(config: IvrConfig, skill: string | undefined): CallerLanguage | undefined {
  const lang = skill === undefined ? undefined : config.skillLanguages?.[skill];
  const names = lang === undefined ? undefined : config.localPrompts?.[lang];
  return lang !== undefined && names !== undefined && names.length > 0 ? { lang, names } : undefined;
}

const promptName = (id: PromptId) => id.slice(id.indexOf('/') + 1);

/**
 * The media list and language of one playback of these prompts (one ARI play takes one `lang`). With the
 * caller's desk language, the playback is in that language when it has every one of the files (a read-out of
 * digits never mixes two languages); otherwise in the prompts' own (Mandarin).
 */
export function promptPlayback(ids: readonly PromptId[], local?: CallerLanguage): { media: string[]; lang?: string } {
  const own = ids.length ? promptLanguage(ids[0]!) : undefined;
  const lang = local && ids.length > 0 && ids.every((id) => local.names.includes(promptName(id))) ? local.lang : own;
  return lang ? { media: ids.map(promptMedia), lang } : { media: ids.map(promptMedia) };
}
