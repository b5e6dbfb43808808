/**
 * The media model: who hears whom. Asterisk carries audio, the simulator carries none, so this works
 * out from the channel graph which people (phones) reach which ears:
 *
 * - a person is the far end of a channel half (`phoneLabel`): the customer's `;1` half of an inbound
 *   call (labelled with its channel id), the `;2` half of an agent or outside leg (labelled with the
 *   extension or number dialled); a Local pair passes audio straight through between its halves;
 * - members of a mixing bridge hear each other (helpers such as music on hold carry no person);
 * - mute `in` silences what a channel says, `out` what it is told (ARI `/mute` directions);
 * - a Snoop channel on a target (ARI `/channels/{id}/snoop`, Asterisk's audiohooks): `spy=in` reads
 *   the audio coming from the target, `spy=out` the audio going to it, `both` the two; `whisper=out`
 *   writes what the snoop channel is given into the audio going to the target (only the target's far
 *   end hears it), `whisper=in` into the audio coming from it (the target's bridge peers hear it).
 *   This is how app_chanspy and `ChanSpy(,w)` whisper work: the whisper never reaches the other party.
 */
import type { Chan } from './engine.ts';

type Dir = 'none' | 'both' | 'in' | 'out' | undefined;
const has = (d: Dir, x: 'in' | 'out') => d === 'both' || d === x;

/** The people whose voice reaches the person labelled `label`, sorted; [] when nobody carries that label. */
export function whoHears(channels: ReadonlyMap<string, Chan>, label: string): string[] {
  const heard = new Set<string>();
  for (const phone of channels.values()) {
    if (phone.destroyed || phone.phoneLabel !== label || !phone.peer || phone.peer.destroyed) continue;
    for (const who of ear(phone.peer, new Set())) heard.add(who);
  }
  heard.delete(label);
  return [...heard].sort();
}

/** What is said into Asterisk by the channel `ch` (its read stream). */
function mouth(ch: Chan, seen: Set<string>): Set<string> {
  const out = new Set<string>();
  const key = `m:${ch.id}`;
  if (seen.has(key) || ch.destroyed) return out;
  seen.add(key);
  if (ch.snoopOf) {
    if (has(ch.snoopSpy, 'in')) for (const w of mouth(ch.snoopOf, seen)) out.add(w);
    if (has(ch.snoopSpy, 'out')) for (const w of ear(ch.snoopOf, seen)) out.add(w);
  } else if (!has(ch.muted, 'in') && ch.peer?.phoneLabel && !ch.peer.destroyed) {
    out.add(ch.peer.phoneLabel);
  }
  for (const s of ch.snoops) if (has(s.snoopWhisper, 'in')) for (const w of ear(s, seen)) out.add(w);
  return out;
}

/** What Asterisk sends toward the far end of `ch` (its write stream). */
function ear(ch: Chan, seen: Set<string>): Set<string> {
  const out = new Set<string>();
  const key = `e:${ch.id}`;
  if (seen.has(key) || ch.destroyed) return out;
  seen.add(key);
  if (ch.bridge && ch.bridge.bridgeType === 'mixing' && !has(ch.muted, 'out')) {
    for (const m of ch.bridge.members) {
      if (m.kind !== 'channel' || m.ch === ch) continue;
      for (const w of mouth(m.ch, seen)) out.add(w);
    }
  }
  for (const s of ch.snoops) if (has(s.snoopWhisper, 'out')) for (const w of ear(s, seen)) out.add(w);
  return out;
}
