/**
 * Generates `/ari/api-docs/resources.json` and `/ari/api-docs/{resource}.json` (Swagger 1.1, as ARI
 * serves them) from the simulator's own route table and model list, so clients that load the API
 * description (ari-client) see exactly the operations the simulator implements.
 */
import { RESOURCE_DESCRIPTIONS, ROUTES, type RouteSpec } from './ari-routes.ts';

type Prop = { type: string; required?: boolean; description?: string };
type Model = {
  id: string;
  description: string;
  properties: Record<string, Prop>;
  subTypes?: string[];
  discriminator?: string;
  extends?: string;
};

const r = (type: string, description?: string): Prop => ({
  type,
  required: true,
  ...(description ? { description } : {}),
});
const o = (type: string, description?: string): Prop => ({
  type,
  required: false,
  ...(description ? { description } : {}),
});

const OBJECT_MODELS: Record<string, Model[]> = {
  asterisk: [
    {
      id: 'AsteriskInfo',
      description: 'Asterisk system information',
      properties: { build: o('BuildInfo'), system: o('SystemInfo'), config: o('ConfigInfo'), status: o('StatusInfo') },
    },
    {
      id: 'AsteriskPing',
      description: 'Asterisk ping information',
      properties: { asterisk_id: r('string'), ping: r('string'), timestamp: r('string') },
    },
    { id: 'Variable', description: 'The value of a channel variable', properties: { value: r('string') } },
    {
      id: 'Module',
      description: 'Details of an Asterisk module',
      properties: {
        name: r('string'),
        description: r('string'),
        use_count: r('int'),
        status: r('string'),
        support_level: r('string'),
      },
    },
  ],
  channels: [
    { id: 'CallerID', description: 'Caller identification', properties: { name: r('string'), number: r('string') } },
    {
      id: 'DialplanCEP',
      description: 'Dialplan location (context/extension/priority)',
      properties: {
        context: r('string'),
        exten: r('string'),
        priority: r('long'),
        app_name: r('string'),
        app_data: r('string'),
      },
    },
    {
      id: 'Channel',
      description: 'A specific communication connection between Asterisk and an Endpoint.',
      properties: {
        id: r('string'),
        protocol_id: r('string'),
        name: r('string'),
        state: r('string'),
        caller: r('CallerID'),
        connected: r('CallerID'),
        accountcode: r('string'),
        dialplan: r('DialplanCEP'),
        creationtime: r('Date'),
        language: r('string'),
      },
    },
  ],
  bridges: [
    {
      id: 'Bridge',
      description: 'The merging of media from one or more channels.',
      properties: {
        id: r('string'),
        technology: r('string'),
        bridge_type: r('string'),
        bridge_class: r('string'),
        creator: r('string'),
        name: r('string'),
        channels: r('List[string]'),
        creationtime: r('Date'),
        video_mode: o('string'),
      },
    },
  ],
  playbacks: [
    {
      id: 'Playback',
      description: 'Object representing the playback of media to a channel',
      properties: {
        id: r('string'),
        media_uri: r('string'),
        next_media_uri: o('string'),
        target_uri: r('string'),
        language: o('string'),
        state: r('string'),
      },
    },
  ],
  recordings: [
    {
      id: 'StoredRecording',
      description: 'A past recording that may be played back.',
      properties: { name: r('string'), format: r('string') },
    },
    {
      id: 'LiveRecording',
      description: 'A recording that is in progress',
      properties: {
        name: r('string'),
        format: r('string'),
        target_uri: r('string'),
        state: r('string'),
        duration: o('int'),
        cause: o('string'),
      },
    },
  ],
  applications: [
    {
      id: 'Application',
      description: 'Details of a Stasis application',
      properties: {
        name: r('string'),
        channel_ids: r('List[string]'),
        bridge_ids: r('List[string]'),
        endpoint_ids: r('List[string]'),
        device_names: r('List[string]'),
        events_allowed: r('List[object]'),
        events_disallowed: r('List[object]'),
      },
    },
  ],
  deviceStates: [
    {
      id: 'DeviceState',
      description: 'Represents the state of a device.',
      properties: { name: r('string'), state: r('string') },
    },
  ],
  endpoints: [
    {
      id: 'Endpoint',
      description: 'An external device that may offer/accept calls to/from Asterisk.',
      properties: {
        technology: r('string'),
        resource: r('string'),
        state: o('string'),
        channel_ids: r('List[string]'),
      },
    },
  ],
  sounds: [
    {
      id: 'FormatLangPair',
      description: 'Identifies the format and language of a sound file',
      properties: { language: r('string'), format: r('string') },
    },
    {
      id: 'Sound',
      description: 'A media file that may be played back.',
      properties: { id: r('string'), text: o('string'), formats: r('List[FormatLangPair]') },
    },
  ],
  mailboxes: [
    {
      id: 'Mailbox',
      description: 'Represents the state of a mailbox.',
      properties: { name: r('string'), old_messages: r('int'), new_messages: r('int') },
    },
  ],
};

/** Every event the simulator sends, with its payload properties (ari-client needs a model per type). */
const EVENTS: Record<string, Record<string, Prop>> = {
  ApplicationReplaced: {},
  BridgeCreated: { bridge: r('Bridge') },
  BridgeDestroyed: { bridge: r('Bridge') },
  ChannelCreated: { channel: r('Channel') },
  ChannelDestroyed: { cause: r('int'), cause_txt: r('string'), channel: r('Channel') },
  ChannelEnteredBridge: { bridge: r('Bridge'), channel: o('Channel') },
  ChannelLeftBridge: { bridge: r('Bridge'), channel: r('Channel') },
  ChannelStateChange: { channel: r('Channel') },
  ChannelDtmfReceived: { digit: r('string'), duration_ms: r('int'), channel: r('Channel') },
  ChannelDialplan: { channel: r('Channel'), dialplan_app: r('string'), dialplan_app_data: r('string') },
  ChannelCallerId: { caller_presentation: r('int'), caller_presentation_txt: r('string'), channel: r('Channel') },
  ChannelConnectedLine: { channel: r('Channel') },
  ChannelVarset: { variable: r('string'), value: r('string'), channel: o('Channel') },
  ChannelHangupRequest: { cause: o('int'), soft: o('boolean'), channel: r('Channel') },
  ChannelHold: { channel: r('Channel'), musicclass: o('string') },
  ChannelUnhold: { channel: r('Channel') },
  Dial: {
    caller: o('Channel'),
    peer: r('Channel'),
    forward: o('string'),
    forwarded: o('Channel'),
    dialstring: o('string'),
    dialstatus: r('string'),
  },
  PlaybackStarted: { playback: r('Playback') },
  PlaybackContinuing: { playback: r('Playback') },
  PlaybackFinished: { playback: r('Playback') },
  RecordingStarted: { recording: r('LiveRecording') },
  RecordingFinished: { recording: r('LiveRecording') },
  RecordingFailed: { recording: r('LiveRecording') },
  StasisStart: { args: r('List[string]'), channel: r('Channel'), replace_channel: o('Channel') },
  StasisEnd: { channel: r('Channel') },
  DeviceStateChanged: { device_state: r('DeviceState') },
};

function eventModels(): Record<string, Model> {
  const models: Record<string, Model> = {
    Message: {
      id: 'Message',
      description: 'Base type for errors and events',
      discriminator: 'type',
      properties: { type: r('string'), asterisk_id: o('string') },
      subTypes: ['MissingParams', 'Event'],
    },
    MissingParams: {
      id: 'MissingParams',
      description: 'Error event sent when required params are missing.',
      properties: { params: r('List[string]') },
    },
    Event: {
      id: 'Event',
      description: 'Base type for asynchronous events from Asterisk.',
      properties: { application: r('string'), timestamp: r('Date') },
      subTypes: Object.keys(EVENTS),
    },
  };
  for (const [type, props] of Object.entries(EVENTS))
    models[type] = { id: type, description: `${type} event`, properties: props };
  return models;
}

function operation(route: RouteSpec) {
  return {
    httpMethod: route.method,
    summary: route.summary,
    nickname: route.nickname,
    responseClass: route.responseClass,
    ...(route.params.length
      ? {
          parameters: route.params.map((p) => ({
            name: p.name,
            description: p.description,
            paramType: p.paramType,
            required: p.required ?? false,
            allowMultiple: p.allowMultiple ?? false,
            dataType: p.dataType,
            ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
            ...(p.allowableValues ? { allowableValues: { valueType: 'LIST', values: p.allowableValues } } : {}),
          })),
        }
      : {}),
    ...(route.errors?.length ? { errorResponses: route.errors } : {}),
  };
}

export function resourceNames(): string[] {
  return Object.keys(RESOURCE_DESCRIPTIONS);
}

export function resourcesJson(basePath: string) {
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath,
    apis: resourceNames().map((name) => ({
      path: `/api-docs/${name}.{format}`,
      description: RESOURCE_DESCRIPTIONS[name],
    })),
  };
}

export function resourceJson(name: string, basePath: string): unknown | undefined {
  if (!RESOURCE_DESCRIPTIONS[name]) return undefined;
  const byPath = new Map<string, RouteSpec[]>();
  for (const route of ROUTES.filter((x) => x.resource === name)) {
    const list = byPath.get(route.path) ?? [];
    list.push(route);
    byPath.set(route.path, list);
  }
  const apis = [...byPath].map(([path, routes]) => ({
    path,
    description: routes[0]?.summary ?? '',
    operations: routes.map(operation),
  }));
  let models: Record<string, Model> = Object.fromEntries((OBJECT_MODELS[name] ?? []).map((m) => [m.id, m]));
  if (name === 'events') {
    apis.push({
      path: '/events',
      description: 'Events from Asterisk to applications',
      operations: [
        {
          httpMethod: 'GET',
          summary: 'WebSocket connection for events.',
          nickname: 'eventWebsocket',
          responseClass: 'Message',
          parameters: [
            {
              name: 'app',
              description: 'Applications to subscribe to.',
              paramType: 'query',
              required: true,
              allowMultiple: true,
              dataType: 'string',
            },
            {
              name: 'subscribeAll',
              description: 'Subscribe to all Asterisk events.',
              paramType: 'query',
              required: false,
              allowMultiple: false,
              dataType: 'boolean',
            },
          ],
          upgrade: 'websocket',
          websocketProtocol: 'ari',
        } as ReturnType<typeof operation> & { upgrade: string; websocketProtocol: string },
      ],
    });
    models = eventModels();
  }
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath,
    resourcePath: `/api-docs/${name}.{format}`,
    apis,
    models,
  };
}
