import type { BridgeSnapshot, ChannelSnapshot, EngineEvent } from './engine-events.ts';
import type { AmiHeader, AmiMessage } from '../shared/ami-codec.ts';

/** AMI event classes (manager.conf `read=`), used for the `Privilege:` header and the Login `Events:` filter. */
export type AmiEventClass =
  | 'system'
  | 'call'
  | 'log'
  | 'verbose'
  | 'command'
  | 'agent'
  | 'user'
  | 'config'
  | 'dtmf'
  | 'reporting'
  | 'cdr'
  | 'dialplan'
  | 'originate'
  | 'agi'
  | 'cc'
  | 'aoc'
  | 'test'
  | 'security'
  | 'message';

export interface RenderedEvent {
  readonly name: string;
  readonly eventClass: AmiEventClass;
  readonly message: AmiMessage;
}

const UNKNOWN = '<unknown>';
/** What Asterisk prints for presentation 0 (allowed, not screened), the only one the simulator uses. */
const CALLING_PRES = '0 (Presentation Allowed, Not Screened)';

/** The standard channel block of call events, optionally prefixed (`Dest`, `LocalOne`, `LocalTwo`). */
export function channelFields(c: ChannelSnapshot, prefix = ''): AmiHeader[] {
  return [
    [`${prefix}Channel`, c.name],
    [`${prefix}ChannelState`, String(c.stateCode)],
    [`${prefix}ChannelStateDesc`, c.state],
    [`${prefix}CallerIDNum`, c.caller.number || UNKNOWN],
    [`${prefix}CallerIDName`, c.caller.name || UNKNOWN],
    [`${prefix}ConnectedLineNum`, c.connected.number || UNKNOWN],
    [`${prefix}ConnectedLineName`, c.connected.name || UNKNOWN],
    [`${prefix}Language`, c.language],
    [`${prefix}AccountCode`, c.accountcode],
    [`${prefix}Context`, c.dialplan.context],
    [`${prefix}Exten`, c.dialplan.exten],
    [`${prefix}Priority`, String(c.dialplan.priority)],
    [`${prefix}Uniqueid`, c.id],
    [`${prefix}Linkedid`, c.linkedid],
  ];
}

/** The bridge block. AMI's BridgeType is the bridge's class (`stasis`), not ARI's `mixing`/`holding`. */
export function bridgeFields(b: BridgeSnapshot): AmiHeader[] {
  return [
    ['BridgeUniqueid', b.id],
    ['BridgeType', b.bridge_class],
    ['BridgeTechnology', b.technology],
    ['BridgeCreator', b.creator],
    ['BridgeName', b.name],
    ['BridgeNumChannels', String(b.channels.length)],
    ['BridgeVideoSourceMode', b.video_mode],
  ];
}

function ev(name: string, eventClass: AmiEventClass, fields: AmiHeader[]): RenderedEvent {
  return { name, eventClass, message: [['Event', name], ['Privilege', `${eventClass},all`], ...fields] };
}

/**
 * Renders one engine event as the AMI events a real Asterisk 22 sends for it (none for ARI-only events
 * such as StasisStart or playbacks). Field names and order follow the reference streams.
 */
export function renderEngineEvent(e: EngineEvent): RenderedEvent[] {
  switch (e.type) {
    case 'channelCreated':
      return [ev('Newchannel', 'call', channelFields(e.channel))];
    case 'channelStateChanged':
      return [ev('Newstate', 'call', channelFields(e.channel))];
    case 'channelCallerIdChanged':
      return [ev('NewCallerid', 'call', [...channelFields(e.channel), ['CID-CallingPres', CALLING_PRES]])];
    case 'channelConnectedLineChanged':
      return [ev('NewConnectedLine', 'call', channelFields(e.channel))];
    case 'channelDialplan':
      return [
        ev('Newexten', 'dialplan', [
          ...channelFields(e.channel),
          ['Extension', e.channel.dialplan.exten],
          ['Application', e.app],
          ['AppData', e.appData],
        ]),
      ];
    case 'varSet':
      return [
        ev('VarSet', 'dialplan', [
          // A global variable has no channel; Asterisk then prints `none` for both.
          ...(e.channel
            ? channelFields(e.channel)
            : ([
                ['Channel', 'none'],
                ['Uniqueid', 'none'],
              ] as AmiHeader[])),
          ['Variable', e.variable],
          ['Value', escapeC(e.value)],
        ]),
      ];
    case 'channelHangupRequest':
      return [
        ev(e.soft ? 'SoftHangupRequest' : 'HangupRequest', 'call', [
          ...channelFields(e.channel),
          ['Cause', String(e.cause)],
        ]),
      ];
    case 'channelDestroyed':
      return [
        ev('Hangup', 'call', [...channelFields(e.channel), ['Cause', String(e.cause)], ['Cause-txt', e.causeTxt]]),
      ];
    case 'localBridge':
      return [
        ev('LocalBridge', 'call', [
          ...channelFields(e.local1, 'LocalOne'),
          ...channelFields(e.local2, 'LocalTwo'),
          ['Context', e.context],
          ['Exten', e.exten],
          ['LocalOptimization', 'Yes'],
        ]),
      ];
    case 'dialBegin':
      return [ev('DialBegin', 'call', [...dialParties(e.caller, e.peer), ['DialString', e.dialstring]])];
    case 'dialState':
      return [ev('DialState', 'call', [...dialParties(e.caller, e.peer), ['DialStatus', e.dialstatus]])];
    case 'dialEnd':
      return [ev('DialEnd', 'call', [...dialParties(e.caller, e.peer), ['DialStatus', e.dialstatus]])];
    case 'bridgeCreated':
      return [ev('BridgeCreate', 'call', bridgeFields(e.bridge))];
    case 'bridgeDestroyed':
      return [ev('BridgeDestroy', 'call', bridgeFields(e.bridge))];
    case 'bridgeEnter':
      return [ev('BridgeEnter', 'call', [...bridgeFields(e.bridge), ...channelFields(e.channel)])];
    case 'bridgeLeave':
      return [ev('BridgeLeave', 'call', [...bridgeFields(e.bridge), ...channelFields(e.channel)])];
    case 'dtmfBegin':
      return [ev('DTMFBegin', 'dtmf', [...channelFields(e.channel), ['Digit', e.digit], ['Direction', e.direction]])];
    case 'dtmfEnd':
      return [
        ev('DTMFEnd', 'dtmf', [
          ...channelFields(e.channel),
          ['Digit', e.digit],
          ['DurationMs', String(e.durationMs)],
          ['Direction', e.direction],
        ]),
      ];
    case 'hold':
      return [ev('Hold', 'call', [...channelFields(e.channel), ['MusicClass', e.musicClass]])];
    case 'unhold':
      return [ev('Unhold', 'call', channelFields(e.channel))];
    case 'mohStart':
      return [ev('MusicOnHoldStart', 'call', [...channelFields(e.channel), ['Class', e.musicClass]])];
    case 'mohStop':
      return [ev('MusicOnHoldStop', 'call', channelFields(e.channel))];
    case 'deviceStateChanged':
      return [
        ev('DeviceStateChange', 'call', [
          ['Device', e.device],
          ['State', e.state],
        ]),
      ];
    case 'playbackStarted':
    case 'playbackContinuing':
    case 'playbackFinished':
    case 'recordingStarted':
    case 'recordingFinished':
    case 'recordingFailed':
    case 'stasisStart':
    case 'stasisEnd':
    case 'pbxRestarted':
      return [];
  }
}

/** Asterisk C-escapes VarSet values (ast_escape_c_alloc), so a value can never break the framing. */
const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '?': '\\?',
};
function escapeC(v: string): string {
  return v.replace(/[\x07\b\f\n\r\t\v\\'"?]/g, (c) => C_ESCAPES[c] ?? c);
}

/** Dial events carry the calling channel unprefixed (absent for an originate) and the callee as `Dest*`. */
function dialParties(caller: ChannelSnapshot | undefined, peer: ChannelSnapshot): AmiHeader[] {
  return [...(caller ? channelFields(caller) : []), ...channelFields(peer, 'Dest')];
}
