/**
 * The ARI route table: one entry per operation with its Swagger 1.1 description (used to generate
 * `/ari/api-docs/*.json`) and its handler. Parameters arrive merged from the query string and a JSON body,
 * as Asterisk accepts both. Messages and status codes follow the reference (error-status-codes.md).
 */
import { AriError } from './ari-error.ts';
import { ariTimestamp } from './ari-time.ts';
import type { AriJson, SimEngine } from './engine.ts';
import type { SoundCatalog } from './sounds.ts';

export interface ParamSpec {
  name: string;
  paramType: 'query' | 'path' | 'body';
  dataType: string;
  required?: boolean;
  allowMultiple?: boolean;
  allowableValues?: string[];
  defaultValue?: string | number | boolean;
  description: string;
}

export type Params = Record<string, unknown>;

export interface RouteContext {
  params: Params;
  engine: SimEngine;
  sounds: SoundCatalog;
}

export interface RouteResult {
  status: number;
  reason?: string;
  body?: unknown;
  raw?: { data: Buffer; contentType: string };
}

export interface RouteSpec {
  resource: string;
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  nickname: string;
  summary: string;
  responseClass: string;
  params: ParamSpec[];
  errors?: Array<{ code: number; reason: string }>;
  handler: (ctx: RouteContext) => RouteResult;
}

// ---------------------------------------------------------------- parameter readers

export function str(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  if (typeof v === 'object') return undefined;
  return String(v);
}

function num(p: Params, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  // Asterisk parses integers with atoi(): garbage reads as 0.
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function bool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (typeof v === 'boolean') return v;
  const s = str(p, name);
  if (s === undefined) return undefined;
  return ['true', 'yes', '1', 'on'].includes(s.toLowerCase());
}

/** allowMultiple parameters: `a,b`, repeated query keys, or a JSON array. */
function list(p: Params, name: string): string[] {
  const v = p[name];
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function vars(p: Params): Record<string, string> | undefined {
  const v = p.variables;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new AriError(400, 'Error parsing variables', 'Bad Request');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = String(val);
  return out;
}

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
const noContent = (): RouteResult => ({ status: 204 });

const q = (name: string, dataType: string, description: string, extra: Partial<ParamSpec> = {}): ParamSpec => ({
  name,
  paramType: 'query',
  dataType,
  description,
  ...extra,
});
const path = (name: string, description: string): ParamSpec => ({
  name,
  paramType: 'path',
  dataType: 'string',
  required: true,
  description,
});

const CH = path('channelId', "Channel's id");
const BR = path('bridgeId', "Bridge's id");
const E404C = { code: 404, reason: 'Channel not found' };
const E409S = { code: 409, reason: 'Channel not in a Stasis application' };
const MOH_CLASS = q('mohClass', 'string', 'Music on hold class to use');

const originateParams: ParamSpec[] = [
  q('endpoint', 'string', 'Endpoint to call.', { required: true }),
  q('extension', 'string', 'The extension to dial after the endpoint answers. Mutually exclusive with app.'),
  q('context', 'string', 'The context to dial after the endpoint answers.'),
  q('priority', 'long', 'The priority to dial after the endpoint answers.'),
  q('label', 'string', 'The label to dial after the endpoint answers.'),
  q('app', 'string', 'The application that is subscribed to the originated channel.'),
  q('appArgs', 'string', 'The application arguments to pass to the Stasis application.'),
  q('callerId', 'string', 'CallerID to use when dialing the endpoint or extension.'),
  q('timeout', 'int', 'Timeout (in seconds) before giving up dialing, or -1 for no timeout.', { defaultValue: 30 }),
  {
    name: 'variables',
    paramType: 'body',
    dataType: 'containers',
    description:
      'The "variables" key in the body object holds variable key/value pairs to set on the channel on creation.',
  },
  q('otherChannelId', 'string', 'The unique id to assign the second channel when using local channels.'),
  q('originator', 'string', 'The unique id of the channel which is originating this one.'),
  q('formats', 'string', 'The format name capability list to use if originator is not specified.'),
];

function originate(ctx: RouteContext, channelId: string | undefined): RouteResult {
  const p = ctx.params;
  return ok(
    ctx.engine.ariOriginate({
      endpoint: str(p, 'endpoint'),
      app: str(p, 'app') || undefined,
      appArgs: str(p, 'appArgs'),
      context: str(p, 'context'),
      extension: str(p, 'extension') || undefined,
      priority: num(p, 'priority'),
      callerId: str(p, 'callerId'),
      timeout: num(p, 'timeout'),
      channelId,
      otherChannelId: str(p, 'otherChannelId'),
      variables: vars(p),
    }),
  );
}

function playParams(withId: boolean, bridge = false): ParamSpec[] {
  const out = [
    q('media', 'string', 'Media URIs to play.', { required: true, allowMultiple: true }),
    q('lang', 'string', 'For sounds, selects language for sound.'),
    q('offsetms', 'int', 'Number of milliseconds to skip before playing.'),
    q('skipms', 'int', 'Number of milliseconds to skip for forward/reverse operations.', { defaultValue: 3000 }),
  ];
  if (withId) out.push(q('playbackId', 'string', 'Playback ID.'));
  if (bridge)
    out.push(
      q(
        'announcer_format',
        'string',
        "Format of the 'Announcer' channel attached to the bridge (accepted, no effect).",
      ),
    );
  return out;
}

const recordParams: ParamSpec[] = [
  q('name', 'string', "Recording's filename", { required: true }),
  q('format', 'string', 'Format to encode audio in', { required: true }),
  q('maxDurationSeconds', 'int', 'Maximum duration of the recording, in seconds. 0 for no limit', { defaultValue: 0 }),
  q('maxSilenceSeconds', 'int', 'Maximum duration of silence, in seconds. 0 for no limit', { defaultValue: 0 }),
  q('ifExists', 'string', 'Action to take if a recording with the same name already exists.', {
    defaultValue: 'fail',
    allowableValues: ['fail', 'overwrite', 'append'],
  }),
  q('beep', 'boolean', 'Play beep when recording begins', { defaultValue: false }),
  q('terminateOn', 'string', 'DTMF input to terminate recording', {
    defaultValue: 'none',
    allowableValues: ['none', 'any', '*', '#'],
  }),
];

function record(ctx: RouteContext, target: { channelId?: string; bridgeId?: string }): RouteResult {
  const p = ctx.params;
  return ok(
    ctx.engine.media.ariRecord(target, {
      name: str(p, 'name'),
      format: str(p, 'format'),
      maxDurationSeconds: num(p, 'maxDurationSeconds'),
      maxSilenceSeconds: num(p, 'maxSilenceSeconds'),
      ifExists: str(p, 'ifExists'),
      beep: bool(p, 'beep'),
      terminateOn: str(p, 'terminateOn'),
    }),
    201,
  );
}

function channelId(ctx: RouteContext): string {
  return str(ctx.params, 'channelId') ?? '';
}
function bridgeId(ctx: RouteContext): string {
  return str(ctx.params, 'bridgeId') ?? '';
}

const applicationJson = (engine: SimEngine, name: string): AriJson => ({
  name,
  channel_ids: [...engine.channels.values()].filter((c) => c.stasisApp === name || c.subs.has(name)).map((c) => c.id),
  bridge_ids: [...engine.bridges.values()].filter((b) => (b.subs.get(name) ?? 0) > 0).map((b) => b.id),
  endpoint_ids: [],
  device_names: [],
  events_allowed: [],
  events_disallowed: [],
});

export const ROUTES: RouteSpec[] = [
  // ------------------------------------------------------------ asterisk
  {
    resource: 'asterisk',
    path: '/asterisk/info',
    method: 'GET',
    nickname: 'getInfo',
    summary: 'Gets Asterisk system information.',
    responseClass: 'AsteriskInfo',
    params: [
      q('only', 'string', 'Filter information returned', {
        allowMultiple: true,
        allowableValues: ['build', 'system', 'config', 'status'],
      }),
    ],
    handler: ({ engine, params }) => {
      const all: AriJson = {
        build: {
          os: 'Linux',
          kernel: '6.1.0',
          machine: 'x86_64',
          options: 'OPTIONAL_API',
          date: ariTimestamp(engine.startedAt).slice(0, 19).replace('T', ' ') + ' UTC',
          user: 'root',
        },
        system: { version: '22.10.1', entity_id: engine.asteriskId },
        config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
        status: { startup_time: ariTimestamp(engine.startedAt), last_reload_time: ariTimestamp(engine.lastReloadAt) },
      };
      const only = list(params, 'only');
      return ok(only.length ? Object.fromEntries(Object.entries(all).filter(([k]) => only.includes(k))) : all);
    },
  },
  {
    resource: 'asterisk',
    path: '/asterisk/ping',
    method: 'GET',
    nickname: 'ping',
    summary: 'Response pong message.',
    responseClass: 'AsteriskPing',
    params: [],
    handler: ({ engine }) =>
      ok({ ping: 'pong', timestamp: ariTimestamp(engine.clock.now()), asterisk_id: engine.asteriskId }),
  },
  {
    resource: 'asterisk',
    path: '/asterisk/variable',
    method: 'GET',
    nickname: 'getGlobalVar',
    summary: 'Get the value of a global variable.',
    responseClass: 'Variable',
    params: [q('variable', 'string', 'The variable to get', { required: true })],
    errors: [{ code: 400, reason: 'Missing variable parameter.' }],
    handler: ({ engine, params }) => {
      const v = str(params, 'variable');
      if (!v) throw new AriError(400, 'Variable name is required', 'Bad Request');
      return ok({ value: engine.globals.get(v) ?? '' });
    },
  },
  {
    resource: 'asterisk',
    path: '/asterisk/variable',
    method: 'POST',
    nickname: 'setGlobalVar',
    summary: 'Set the value of a global variable.',
    responseClass: 'void',
    params: [
      q('variable', 'string', 'The variable to set', { required: true }),
      q('value', 'string', 'The value to set the variable to'),
    ],
    handler: ({ engine, params }) => {
      const v = str(params, 'variable');
      if (!v) throw new AriError(400, 'Variable name is required', 'Bad Request');
      engine.setGlobalVar(v, str(params, 'value') ?? '');
      return noContent();
    },
  },
  {
    resource: 'asterisk',
    path: '/asterisk/modules/{moduleName}',
    method: 'GET',
    nickname: 'getModule',
    summary: 'Get Asterisk module information.',
    responseClass: 'Module',
    params: [path('moduleName', "Module's name")],
    handler: ({ params }) => {
      const name = str(params, 'moduleName');
      const known: Record<string, string> = {
        'res_ari.so': 'Asterisk RESTful Interface',
        'res_stasis.so': 'Stasis application support',
        'app_stasis.so': 'Stasis dialplan application',
      };
      if (!name || !known[name]) throw new AriError(404, 'Module could not be found in running modules', 'Not Found');
      return ok({ name, description: known[name], use_count: 12, status: 'Running', support_level: 'core' });
    },
  },
  // ------------------------------------------------------------ applications
  {
    resource: 'applications',
    path: '/applications',
    method: 'GET',
    nickname: 'list',
    summary: 'List all applications.',
    responseClass: 'List[Application]',
    params: [],
    handler: ({ engine }) => ok(engine.appNames().map((n) => applicationJson(engine, n))),
  },
  {
    resource: 'applications',
    path: '/applications/{applicationName}',
    method: 'GET',
    nickname: 'get',
    summary: 'Get details of an application.',
    responseClass: 'Application',
    params: [path('applicationName', "Application's name")],
    errors: [{ code: 404, reason: 'Application does not exist.' }],
    handler: ({ engine, params }) => {
      const name = str(params, 'applicationName') ?? '';
      if (!engine.appRegistered(name)) throw new AriError(404, 'Application not found', 'Not Found');
      return ok(applicationJson(engine, name));
    },
  },
  // ------------------------------------------------------------ bridges
  {
    resource: 'bridges',
    path: '/bridges',
    method: 'GET',
    nickname: 'list',
    summary: 'List all active bridges in Asterisk.',
    responseClass: 'List[Bridge]',
    params: [],
    handler: ({ engine }) => ok(engine.listBridgesJson()),
  },
  {
    resource: 'bridges',
    path: '/bridges',
    method: 'POST',
    nickname: 'create',
    summary: 'Create a new bridge.',
    responseClass: 'Bridge',
    params: [
      q(
        'type',
        'string',
        'Comma separated list of bridge type attributes (mixing, holding, dtmf_events, proxy_media, video_sfu, video_single, sdp_label).',
      ),
      q('bridgeId', 'string', 'Unique ID to give to the bridge being created.'),
      q('name', 'string', 'Name to give to the bridge being created.'),
      {
        name: 'variables',
        paramType: 'body',
        dataType: 'containers',
        description: 'Bridge variables to set on creation (accepted; bridge variables are not modelled).',
      },
    ],
    errors: [{ code: 409, reason: 'Bridge with the same bridgeId already exists' }],
    handler: ({ engine, params }) =>
      ok(
        engine.ariCreateBridge({
          type: str(params, 'type'),
          bridgeId: str(params, 'bridgeId') || undefined,
          name: str(params, 'name'),
        }),
      ),
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}',
    method: 'POST',
    nickname: 'createWithId',
    summary: 'Create a new bridge or updates an existing one.',
    responseClass: 'Bridge',
    params: [
      q('type', 'string', 'Comma separated list of bridge type attributes.'),
      BR,
      q('name', 'string', 'Set the name of the bridge.'),
      {
        name: 'variables',
        paramType: 'body',
        dataType: 'containers',
        description: 'Bridge variables to set on creation (accepted; bridge variables are not modelled).',
      },
    ],
    errors: [{ code: 409, reason: 'Bridge with the same bridgeId already exists' }],
    handler: ({ engine, params }) =>
      ok(
        engine.ariCreateBridge({
          type: str(params, 'type'),
          bridgeId: str(params, 'bridgeId'),
          name: str(params, 'name'),
        }),
      ),
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}',
    method: 'GET',
    nickname: 'get',
    summary: 'Get bridge details.',
    responseClass: 'Bridge',
    params: [BR],
    errors: [{ code: 404, reason: 'Bridge not found' }],
    handler: (ctx) => ok(ctx.engine.getBridgeJson(bridgeId(ctx))),
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}',
    method: 'DELETE',
    nickname: 'destroy',
    summary: 'Shut down a bridge.',
    responseClass: 'void',
    params: [BR],
    errors: [{ code: 404, reason: 'Bridge not found' }],
    handler: (ctx) => {
      ctx.engine.ariDestroyBridge(bridgeId(ctx));
      return noContent();
    },
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/addChannel',
    method: 'POST',
    nickname: 'addChannel',
    summary: 'Add a channel to a bridge.',
    responseClass: 'void',
    params: [
      BR,
      q('channel', 'string', 'Ids of channels to add to bridge', { required: true, allowMultiple: true }),
      q('role', 'string', "Channel's role in the bridge"),
      q('absorbDTMF', 'boolean', 'Absorb DTMF coming from this channel, preventing it to pass through to the bridge'),
      q('mute', 'boolean', 'Mute audio from this channel'),
      q(
        'inhibitConnectedLineUpdates',
        'boolean',
        'Do not present the identity of the newly connected channel to other bridge members',
      ),
    ],
    errors: [
      { code: 400, reason: 'Channel not found' },
      { code: 404, reason: 'Bridge not found' },
      { code: 409, reason: 'Bridge not in Stasis application; Channel currently recording' },
      { code: 422, reason: 'Channel not in Stasis application' },
    ],
    handler: (ctx) => {
      ctx.engine.ariAddChannel(bridgeId(ctx), list(ctx.params, 'channel'));
      return noContent();
    },
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/removeChannel',
    method: 'POST',
    nickname: 'removeChannel',
    summary: 'Remove a channel from a bridge.',
    responseClass: 'void',
    params: [
      BR,
      q('channel', 'string', 'Ids of channels to remove from bridge', { required: true, allowMultiple: true }),
    ],
    errors: [
      { code: 400, reason: 'Channel not found' },
      { code: 404, reason: 'Bridge not found' },
      { code: 422, reason: 'Channel not in this bridge' },
    ],
    handler: (ctx) => {
      ctx.engine.ariRemoveChannel(bridgeId(ctx), list(ctx.params, 'channel'));
      return noContent();
    },
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/moh',
    method: 'POST',
    nickname: 'startMoh',
    summary: 'Play music on hold to a bridge or change the MOH class that is playing.',
    responseClass: 'void',
    params: [BR, MOH_CLASS],
    handler: (ctx) => {
      ctx.engine.ariBridgeMoh(bridgeId(ctx), true);
      return noContent();
    },
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/moh',
    method: 'DELETE',
    nickname: 'stopMoh',
    summary: 'Stop playing music on hold to a bridge.',
    responseClass: 'void',
    params: [BR],
    handler: (ctx) => {
      ctx.engine.ariBridgeMoh(bridgeId(ctx), false);
      return noContent();
    },
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/play',
    method: 'POST',
    nickname: 'play',
    summary: 'Start playback of media on a bridge.',
    responseClass: 'Playback',
    params: [BR, ...playParams(true, true)],
    handler: (ctx) =>
      ok(
        ctx.engine.media.ariPlay(
          { bridgeId: bridgeId(ctx) },
          {
            media: list(ctx.params, 'media'),
            lang: str(ctx.params, 'lang'),
            playbackId: str(ctx.params, 'playbackId') || undefined,
          },
        ),
        201,
      ),
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/play/{playbackId}',
    method: 'POST',
    nickname: 'playWithId',
    summary: 'Start playback of media on a bridge.',
    responseClass: 'Playback',
    params: [BR, path('playbackId', 'Playback ID.'), ...playParams(false, true)],
    handler: (ctx) =>
      ok(
        ctx.engine.media.ariPlay(
          { bridgeId: bridgeId(ctx) },
          {
            media: list(ctx.params, 'media'),
            lang: str(ctx.params, 'lang'),
            playbackId: str(ctx.params, 'playbackId'),
          },
        ),
        201,
      ),
  },
  {
    resource: 'bridges',
    path: '/bridges/{bridgeId}/record',
    method: 'POST',
    nickname: 'record',
    summary: 'Start a recording.',
    responseClass: 'LiveRecording',
    params: [
      BR,
      ...recordParams,
      q('recorder_format', 'string', "Format of the 'Recorder' channel attached to the bridge (accepted, no effect)."),
    ],
    handler: (ctx) => record(ctx, { bridgeId: bridgeId(ctx) }),
  },
  // ------------------------------------------------------------ channels
  {
    resource: 'channels',
    path: '/channels',
    method: 'GET',
    nickname: 'list',
    summary: 'List all active channels in Asterisk.',
    responseClass: 'List[Channel]',
    params: [],
    handler: ({ engine }) => ok(engine.listChannelsJson()),
  },
  {
    resource: 'channels',
    path: '/channels',
    method: 'POST',
    nickname: 'originate',
    summary: 'Create a new channel (originate).',
    responseClass: 'Channel',
    params: [...originateParams, q('channelId', 'string', 'The unique id to assign the channel on creation.')],
    errors: [
      { code: 400, reason: 'Invalid parameters for originating a channel.' },
      { code: 409, reason: 'Channel with given unique ID already exists.' },
    ],
    handler: (ctx) => originate(ctx, str(ctx.params, 'channelId') || undefined),
  },
  {
    resource: 'channels',
    path: '/channels/create',
    method: 'POST',
    nickname: 'create',
    summary: 'Create channel.',
    responseClass: 'Channel',
    params: [
      q('endpoint', 'string', 'Endpoint for channel communication', { required: true }),
      q('app', 'string', 'Stasis Application to place channel into', { required: true }),
      q('appArgs', 'string', 'The application arguments to pass to the Stasis application'),
      q('channelId', 'string', 'The unique id to assign the channel on creation.'),
      q('otherChannelId', 'string', 'The unique id to assign the second channel when using local channels.'),
      q('originator', 'string', 'Unique ID of the calling channel'),
      q('formats', 'string', 'The format name capability list to use if originator is not specified.'),
      {
        name: 'variables',
        paramType: 'body',
        dataType: 'containers',
        description: 'Variables to set on the channel on creation.',
      },
    ],
    errors: [{ code: 409, reason: 'Channel with given unique ID already exists.' }],
    handler: ({ engine, params }) =>
      ok(
        engine.ariCreate({
          endpoint: str(params, 'endpoint'),
          app: str(params, 'app') || undefined,
          appArgs: str(params, 'appArgs'),
          channelId: str(params, 'channelId') || undefined,
          otherChannelId: str(params, 'otherChannelId') || undefined,
          variables: vars(params),
        }),
      ),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}',
    method: 'GET',
    nickname: 'get',
    summary: 'Channel details.',
    responseClass: 'Channel',
    params: [CH],
    errors: [E404C],
    handler: (ctx) => ok(ctx.engine.getChannelJson(channelId(ctx))),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}',
    method: 'POST',
    nickname: 'originateWithId',
    summary: 'Create a new channel (originate with id).',
    responseClass: 'Channel',
    params: [path('channelId', 'The unique id to assign the channel on creation.'), ...originateParams],
    errors: [
      { code: 400, reason: 'Invalid parameters for originating a channel.' },
      { code: 409, reason: 'Channel with given unique ID already exists.' },
    ],
    handler: (ctx) => originate(ctx, channelId(ctx)),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}',
    method: 'DELETE',
    nickname: 'hangup',
    summary: 'Delete (i.e. hangup) a channel.',
    responseClass: 'void',
    params: [
      CH,
      q(
        'reason_code',
        'string',
        "The reason code for hanging up the channel for detail use. Mutually exclusive with 'reason'.",
      ),
      q('reason', 'string', 'Reason for hanging up the channel for simple use.', {
        allowableValues: [
          'normal',
          'busy',
          'congestion',
          'no_answer',
          'timeout',
          'rejected',
          'unallocated',
          'normal_unspecified',
          'number_incomplete',
          'codec_mismatch',
          'interworking',
          'failure',
          'answered_elsewhere',
        ],
      }),
    ],
    errors: [{ code: 400, reason: 'Invalid reason for hangup provided' }, E404C],
    handler: (ctx) => {
      ctx.engine.ariHangup(channelId(ctx), {
        reason_code: str(ctx.params, 'reason_code'),
        reason: str(ctx.params, 'reason'),
      });
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/continue',
    method: 'POST',
    nickname: 'continueInDialplan',
    summary: 'Exit application; continue execution in the dialplan.',
    responseClass: 'void',
    params: [
      CH,
      q('context', 'string', 'The context to continue to.'),
      q('extension', 'string', 'The extension to continue to.'),
      q('priority', 'int', 'The priority to continue to.'),
      q('label', 'string', "The label to continue to - will supersede 'priority' if both are provided."),
    ],
    errors: [E404C, E409S],
    handler: (ctx) => {
      ctx.engine.ariContinue(channelId(ctx), {
        context: str(ctx.params, 'context'),
        extension: str(ctx.params, 'extension'),
        priority: num(ctx.params, 'priority'),
        label: str(ctx.params, 'label'),
      });
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/answer',
    method: 'POST',
    nickname: 'answer',
    summary: 'Answer a channel.',
    responseClass: 'void',
    params: [CH],
    errors: [E404C, E409S],
    handler: (ctx) => {
      ctx.engine.ariAnswer(channelId(ctx));
      return noContent();
    },
  },
  ...(['ring', 'hold', 'moh', 'silence'] as const).flatMap((op): RouteSpec[] => {
    const start = { ring: 'ring', hold: 'hold', moh: 'startMoh', silence: 'startSilence' }[op];
    const stop = { ring: 'ringStop', hold: 'unhold', moh: 'stopMoh', silence: 'stopSilence' }[op];
    const apply = (ctx: RouteContext, on: boolean) => {
      const id = channelId(ctx);
      if (op === 'ring') ctx.engine.ariRing(id);
      else if (op === 'hold') ctx.engine.ariHold(id, on);
      else if (op === 'moh') ctx.engine.ariMoh(id, on, str(ctx.params, 'mohClass'));
      else ctx.engine.ariSilence(id);
      return noContent();
    };
    return [
      {
        resource: 'channels',
        path: `/channels/{channelId}/${op}`,
        method: 'POST',
        nickname: start,
        summary: `Start ${op} on a channel.`,
        responseClass: 'void',
        params: op === 'moh' ? [CH, MOH_CLASS] : [CH],
        errors: [E404C, E409S],
        handler: (ctx) => apply(ctx, true),
      },
      {
        resource: 'channels',
        path: `/channels/{channelId}/${op}`,
        method: 'DELETE',
        nickname: stop,
        summary: `Stop ${op} on a channel.`,
        responseClass: 'void',
        params: [CH],
        errors: [E404C, E409S],
        handler: (ctx) => apply(ctx, false),
      },
    ];
  }),
  {
    resource: 'channels',
    path: '/channels/{channelId}/mute',
    method: 'POST',
    nickname: 'mute',
    summary: 'Mute a channel.',
    responseClass: 'void',
    params: [
      CH,
      q('direction', 'string', 'Direction in which to mute audio', {
        defaultValue: 'both',
        allowableValues: ['both', 'in', 'out'],
      }),
    ],
    errors: [E404C, E409S],
    handler: (ctx) => {
      ctx.engine.ariMute(channelId(ctx), str(ctx.params, 'direction'), true);
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/mute',
    method: 'DELETE',
    nickname: 'unmute',
    summary: 'Unmute a channel.',
    responseClass: 'void',
    params: [
      CH,
      q('direction', 'string', 'Direction in which to unmute audio', {
        defaultValue: 'both',
        allowableValues: ['both', 'in', 'out'],
      }),
    ],
    errors: [E404C, E409S],
    handler: (ctx) => {
      ctx.engine.ariMute(channelId(ctx), str(ctx.params, 'direction'), false);
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/dtmf',
    method: 'POST',
    nickname: 'sendDTMF',
    summary: 'Send provided DTMF to a given channel.',
    responseClass: 'void',
    params: [
      CH,
      q('dtmf', 'string', 'DTMF To send.'),
      q('before', 'int', 'Amount of time to wait before DTMF digits (specified in milliseconds) start.'),
      q('between', 'int', 'Amount of time in between DTMF digits (specified in milliseconds).', { defaultValue: 100 }),
      q('duration', 'int', 'Length of each DTMF digit (specified in milliseconds).', { defaultValue: 100 }),
      q('after', 'int', 'Amount of time to wait after DTMF digits (specified in milliseconds) end.'),
    ],
    errors: [{ code: 400, reason: 'DTMF is required' }, E404C, E409S],
    handler: (ctx) => {
      const p = ctx.params;
      ctx.engine.ariSendDtmf(channelId(ctx), {
        dtmf: str(p, 'dtmf'),
        before: num(p, 'before'),
        between: num(p, 'between'),
        duration: num(p, 'duration'),
        after: num(p, 'after'),
      });
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/play',
    method: 'POST',
    nickname: 'play',
    summary: 'Start playback of media.',
    responseClass: 'Playback',
    params: [CH, ...playParams(true)],
    errors: [E404C, E409S],
    handler: (ctx) =>
      ok(
        ctx.engine.media.ariPlay(
          { channelId: channelId(ctx) },
          {
            media: list(ctx.params, 'media'),
            lang: str(ctx.params, 'lang'),
            playbackId: str(ctx.params, 'playbackId') || undefined,
          },
        ),
        201,
      ),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/play/{playbackId}',
    method: 'POST',
    nickname: 'playWithId',
    summary: 'Start playback of media and specify the playbackId.',
    responseClass: 'Playback',
    params: [CH, path('playbackId', 'Playback ID.'), ...playParams(false)],
    errors: [E404C, E409S],
    handler: (ctx) =>
      ok(
        ctx.engine.media.ariPlay(
          { channelId: channelId(ctx) },
          {
            media: list(ctx.params, 'media'),
            lang: str(ctx.params, 'lang'),
            playbackId: str(ctx.params, 'playbackId'),
          },
        ),
        201,
      ),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/record',
    method: 'POST',
    nickname: 'record',
    summary: 'Start a recording.',
    responseClass: 'LiveRecording',
    params: [CH, ...recordParams],
    errors: [
      { code: 400, reason: 'Invalid parameters' },
      E404C,
      {
        code: 409,
        reason:
          'Channel is not in a Stasis application; the channel is currently bridged with other hcannels; A recording with the same name already exists on the system and can not be overwritten because it is in progress or ifExists=fail',
      },
      { code: 422, reason: 'The format specified is unknown on this system' },
    ],
    handler: (ctx) => record(ctx, { channelId: channelId(ctx) }),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/variable',
    method: 'GET',
    nickname: 'getChannelVar',
    summary: 'Get the value of a channel variable or function.',
    responseClass: 'Variable',
    params: [CH, q('variable', 'string', 'The channel variable or function to get', { required: true })],
    errors: [
      { code: 400, reason: 'Missing variable parameter.' },
      { code: 404, reason: 'Channel or variable not found' },
    ],
    handler: (ctx) => ok(ctx.engine.ariGetVar(channelId(ctx), str(ctx.params, 'variable'))),
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/variable',
    method: 'POST',
    nickname: 'setChannelVar',
    summary: 'Set the value of a channel variable or function.',
    responseClass: 'void',
    params: [
      CH,
      q('variable', 'string', 'The channel variable or function to set', { required: true }),
      q('value', 'string', 'The value to set the variable to'),
      q(
        'report_events',
        'boolean',
        'Whether this variable should be included in channel events (accepted; channelvars are not modelled).',
        { defaultValue: false },
      ),
    ],
    errors: [{ code: 400, reason: 'Missing variable parameter.' }, E404C],
    handler: (ctx) => {
      ctx.engine.ariSetVar(channelId(ctx), str(ctx.params, 'variable'), str(ctx.params, 'value'));
      return noContent();
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/snoop',
    method: 'POST',
    nickname: 'snoopChannel',
    summary: 'Start snooping.',
    responseClass: 'Channel',
    params: [
      CH,
      q('spy', 'string', 'Direction of audio to spy on', {
        defaultValue: 'none',
        allowableValues: ['none', 'both', 'out', 'in'],
      }),
      q('whisper', 'string', 'Direction of audio to whisper into', {
        defaultValue: 'none',
        allowableValues: ['none', 'both', 'out', 'in'],
      }),
      q('app', 'string', 'Application the snooping channel is placed into', { required: true }),
      q('appArgs', 'string', 'The application arguments to pass to the Stasis application'),
      q('snoopId', 'string', 'Unique ID to assign to snooping channel'),
    ],
    errors: [{ code: 400, reason: 'Invalid parameters' }, E404C],
    handler: (ctx) => {
      const p = ctx.params;
      return ok(
        ctx.engine.ariSnoop(channelId(ctx), {
          app: str(p, 'app'),
          appArgs: str(p, 'appArgs'),
          spy: str(p, 'spy'),
          whisper: str(p, 'whisper'),
          snoopId: str(p, 'snoopId') || undefined,
        }),
      );
    },
  },
  {
    resource: 'channels',
    path: '/channels/{channelId}/dial',
    method: 'POST',
    nickname: 'dial',
    summary: 'Dial a created channel.',
    responseClass: 'void',
    params: [
      CH,
      q('caller', 'string', 'Channel ID of caller'),
      q('timeout', 'int', 'Dial timeout', { defaultValue: 0 }),
    ],
    errors: [E404C, { code: 409, reason: 'Channel cannot be found in a Stasis application or is already dialing' }],
    handler: (ctx) => {
      ctx.engine.ariDial(channelId(ctx), {
        caller: str(ctx.params, 'caller') || undefined,
        timeout: num(ctx.params, 'timeout'),
      });
      return noContent();
    },
  },
  // ------------------------------------------------------------ deviceStates
  {
    resource: 'deviceStates',
    path: '/deviceStates',
    method: 'GET',
    nickname: 'list',
    summary: 'List all ARI controlled device states.',
    responseClass: 'List[DeviceState]',
    params: [],
    handler: ({ engine }) => ok([...engine.deviceStates].map(([name, state]) => ({ name, state }))),
  },
  {
    resource: 'deviceStates',
    path: '/deviceStates/{deviceName}',
    method: 'GET',
    nickname: 'get',
    summary: 'Retrieve the current state of a device.',
    responseClass: 'DeviceState',
    params: [path('deviceName', 'Name of the device')],
    handler: ({ engine, params }) => {
      const name = str(params, 'deviceName') ?? '';
      return ok({ name, state: engine.deviceStates.get(name) ?? 'UNKNOWN' });
    },
  },
  {
    resource: 'deviceStates',
    path: '/deviceStates/{deviceName}',
    method: 'PUT',
    nickname: 'update',
    summary: 'Change the state of a device controlled by ARI.',
    responseClass: 'void',
    params: [
      path('deviceName', 'Name of the device'),
      q('deviceState', 'string', 'Device state value', {
        required: true,
        allowableValues: ['NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'],
      }),
    ],
    errors: [
      { code: 404, reason: 'Device name is missing' },
      { code: 409, reason: 'Uncontrolled device specified' },
    ],
    handler: ({ engine, params }) => {
      const name = str(params, 'deviceName') ?? '';
      if (!name.startsWith('Stasis:')) throw new AriError(409, 'Uncontrolled device specified', 'Conflict');
      const state = str(params, 'deviceState');
      const allowed = ['NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'];
      if (!state || !allowed.includes(state)) throw new AriError(400, 'Invalid device state', 'Bad Request');
      engine.deviceStates.set(name, state);
      return noContent();
    },
  },
  {
    resource: 'deviceStates',
    path: '/deviceStates/{deviceName}',
    method: 'DELETE',
    nickname: 'delete',
    summary: 'Destroy a device-state controlled by ARI.',
    responseClass: 'void',
    params: [path('deviceName', 'Name of the device')],
    handler: ({ engine, params }) => {
      const name = str(params, 'deviceName') ?? '';
      if (!engine.deviceStates.delete(name)) throw new AriError(404, 'Device name is missing', 'Not Found');
      return noContent();
    },
  },
  // ------------------------------------------------------------ endpoints
  {
    resource: 'endpoints',
    path: '/endpoints',
    method: 'GET',
    nickname: 'list',
    summary: 'List all endpoints.',
    responseClass: 'List[Endpoint]',
    params: [],
    handler: ({ engine }) =>
      ok(
        [...engine.phones.keys()].map((r) => ({ technology: 'PJSIP', resource: r, state: 'online', channel_ids: [] })),
      ),
  },
  {
    resource: 'endpoints',
    path: '/endpoints/{tech}',
    method: 'GET',
    nickname: 'listByTech',
    summary: 'List available endoints for a given endpoint technology.',
    responseClass: 'List[Endpoint]',
    params: [path('tech', 'Technology of the endpoints (pjsip,iax2,...)')],
    handler: ({ engine, params }) => {
      const tech = str(params, 'tech') ?? '';
      if (tech.toUpperCase() !== 'PJSIP' || !engine.phones.size)
        throw new AriError(404, `No Endpoints found - invalid tech ${tech}`, 'Not Found');
      return ok(
        [...engine.phones.keys()].map((r) => ({ technology: 'PJSIP', resource: r, state: 'online', channel_ids: [] })),
      );
    },
  },
  // ------------------------------------------------------------ playbacks
  {
    resource: 'playbacks',
    path: '/playbacks/{playbackId}',
    method: 'GET',
    nickname: 'get',
    summary: "Get a playback's details.",
    responseClass: 'Playback',
    params: [path('playbackId', "Playback's id")],
    errors: [{ code: 404, reason: 'The playback cannot be found' }],
    handler: ({ engine, params }) => ok(engine.media.getPlaybackJson(str(params, 'playbackId') ?? '')),
  },
  {
    resource: 'playbacks',
    path: '/playbacks/{playbackId}',
    method: 'DELETE',
    nickname: 'stop',
    summary: 'Stop a playback.',
    responseClass: 'void',
    params: [path('playbackId', "Playback's id")],
    errors: [{ code: 404, reason: 'The playback cannot be found' }],
    handler: ({ engine, params }) => {
      engine.media.ariStopPlayback(str(params, 'playbackId') ?? '');
      return noContent();
    },
  },
  {
    resource: 'playbacks',
    path: '/playbacks/{playbackId}/control',
    method: 'POST',
    nickname: 'control',
    summary: 'Control a playback.',
    responseClass: 'void',
    params: [
      path('playbackId', "Playback's id"),
      q('operation', 'string', 'Operation to perform on the playback.', {
        required: true,
        allowableValues: ['restart', 'pause', 'unpause', 'reverse', 'forward'],
      }),
    ],
    handler: ({ engine, params }) => {
      engine.media.ariControlPlayback(str(params, 'playbackId') ?? '', str(params, 'operation'));
      return noContent();
    },
  },
  // ------------------------------------------------------------ recordings
  {
    resource: 'recordings',
    path: '/recordings/stored',
    method: 'GET',
    nickname: 'listStored',
    summary: 'List recordings that are complete.',
    responseClass: 'List[StoredRecording]',
    params: [],
    handler: ({ engine }) => ok(engine.stored.list()),
  },
  {
    resource: 'recordings',
    path: '/recordings/stored/{recordingName}',
    method: 'GET',
    nickname: 'getStored',
    summary: "Get a stored recording's details.",
    responseClass: 'StoredRecording',
    params: [path('recordingName', 'The name of the recording')],
    handler: ({ engine, params }) => ok(engine.stored.get(str(params, 'recordingName') ?? '')),
  },
  {
    resource: 'recordings',
    path: '/recordings/stored/{recordingName}',
    method: 'DELETE',
    nickname: 'deleteStored',
    summary: 'Delete a stored recording.',
    responseClass: 'void',
    params: [path('recordingName', 'The name of the recording')],
    handler: ({ engine, params }) => {
      engine.stored.delete(str(params, 'recordingName') ?? '');
      return noContent();
    },
  },
  {
    resource: 'recordings',
    path: '/recordings/stored/{recordingName}/file',
    method: 'GET',
    nickname: 'getStoredFile',
    summary: 'Get the file associated with the stored recording.',
    responseClass: 'binary',
    params: [path('recordingName', 'The name of the recording')],
    handler: ({ engine, params }) => ({
      status: 200,
      raw: { data: engine.stored.file(str(params, 'recordingName') ?? ''), contentType: 'audio/wav' },
    }),
  },
  {
    resource: 'recordings',
    path: '/recordings/stored/{recordingName}/copy',
    method: 'POST',
    nickname: 'copyStored',
    summary: 'Copy a stored recording.',
    responseClass: 'StoredRecording',
    params: [
      path('recordingName', 'The name of the recording to copy'),
      q('destinationRecordingName', 'string', 'The destination name of the recording', { required: true }),
    ],
    handler: ({ engine, params }) =>
      ok(engine.stored.copy(str(params, 'recordingName') ?? '', str(params, 'destinationRecordingName'))),
  },
  {
    resource: 'recordings',
    path: '/recordings/live/{recordingName}',
    method: 'GET',
    nickname: 'getLive',
    summary: 'List live recordings.',
    responseClass: 'LiveRecording',
    params: [path('recordingName', 'The name of the recording')],
    handler: ({ engine, params }) => ok(engine.media.getLiveRecordingJson(str(params, 'recordingName') ?? '')),
  },
  {
    resource: 'recordings',
    path: '/recordings/live/{recordingName}',
    method: 'DELETE',
    nickname: 'cancel',
    summary: 'Stop a live recording and discard it.',
    responseClass: 'void',
    params: [path('recordingName', 'The name of the recording')],
    handler: ({ engine, params }) => {
      engine.media.ariCancelRecording(str(params, 'recordingName') ?? '');
      return noContent();
    },
  },
  ...(
    [
      ['stop', 'POST', 'stop', 'Stop a live recording and store it.'],
      ['pause', 'POST', 'pause', 'Pause a live recording.'],
      ['pause', 'DELETE', 'unpause', 'Unpause a live recording.'],
      ['mute', 'POST', 'mute', 'Mute a live recording.'],
      ['mute', 'DELETE', 'unmute', 'Unmute a live recording.'],
    ] as const
  ).map(
    ([seg, method, nickname, summary]): RouteSpec => ({
      resource: 'recordings',
      path: `/recordings/live/{recordingName}/${seg}`,
      method,
      nickname,
      summary,
      responseClass: 'void',
      params: [path('recordingName', 'The name of the recording')],
      handler: ({ engine, params }) => {
        const name = str(params, 'recordingName') ?? '';
        if (nickname === 'stop') engine.media.ariStopRecording(name);
        else if (nickname === 'pause' || nickname === 'unpause')
          engine.media.ariPauseRecording(name, nickname === 'pause');
        else engine.media.ariMuteRecording(name, nickname === 'mute');
        return noContent();
      },
    }),
  ),
  // ------------------------------------------------------------ sounds
  {
    resource: 'sounds',
    path: '/sounds',
    method: 'GET',
    nickname: 'list',
    summary: 'List all sounds.',
    responseClass: 'List[Sound]',
    params: [
      q('lang', 'string', 'Lookup sound for a specific language.'),
      q('format', 'string', 'Lookup sound in a specific format.'),
    ],
    handler: ({ sounds }) => ok(sounds.list().map((s) => ({ id: s.id, formats: s.formats }))),
  },
  {
    resource: 'sounds',
    path: '/sounds/{soundId}',
    method: 'GET',
    nickname: 'get',
    summary: "Get a sound's details.",
    responseClass: 'Sound',
    params: [path('soundId', "Sound's id")],
    handler: ({ sounds, params }) => {
      const s = sounds.lookup(str(params, 'soundId') ?? '');
      if (!s) throw new AriError(404, 'Sound not found', 'Not Found');
      return ok({ id: s.id, formats: s.formats });
    },
  },
];

export const RESOURCE_DESCRIPTIONS: Record<string, string> = {
  asterisk: 'Asterisk resources',
  endpoints: 'Endpoint resources',
  channels: 'Channel resources',
  bridges: 'Bridge resources',
  recordings: 'Recording resources',
  sounds: 'Sound resources',
  playbacks: 'Playback control resources',
  deviceStates: 'Device state resources',
  mailboxes: 'Mailboxes resources',
  events: 'WebSocket resource',
  applications: 'Stasis application resources',
};

export interface MatchedRoute {
  route: RouteSpec;
  pathParams: Record<string, string>;
}

/** Finds the route for a path; `allowed` lists the methods the path has (for 405 and OPTIONS). */
export function matchRoute(method: string, urlPath: string): { match?: MatchedRoute; allowed: string[] } {
  const segs = urlPath.split('/').filter(Boolean);
  const allowed = new Set<string>();
  let exact: MatchedRoute | undefined;
  let best = -1;
  for (const route of ROUTES) {
    const rsegs = route.path.split('/').filter(Boolean);
    if (rsegs.length !== segs.length) continue;
    const pathParams: Record<string, string> = {};
    let literal = 0;
    let okMatch = true;
    for (let i = 0; i < rsegs.length; i++) {
      const r = rsegs[i] ?? '';
      const s = segs[i] ?? '';
      if (r.startsWith('{')) pathParams[r.slice(1, -1)] = safeDecode(s);
      else if (r === s) literal++;
      else {
        okMatch = false;
        break;
      }
    }
    if (!okMatch) continue;
    // The most literal route wins (`/channels/create` beats `/channels/{channelId}`).
    if (literal < best) continue;
    if (literal > best) {
      best = literal;
      allowed.clear();
      exact = undefined;
    }
    allowed.add(route.method);
    if (route.method === method) exact = { route, pathParams };
  }
  return { match: exact, allowed: [...allowed] };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
