import { maskPhone } from '../../shared/phone-mask.ts';
import { isKnownEventType, requiredRefs, type AriEvent } from './events.ts';

export type ParsedFrame = { ok: true; event: AriEvent } | { ok: false; reason: string; preview: string };

/**
 * Turns one WebSocket text frame into an event. Unknown event types pass through as generic
 * events (Asterisk adds types between releases); a frame that is not a JSON object with a string
 * `type`, or a known event missing the object it is about, is rejected with the reason.
 */
export function parseAriFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})`, preview: framePreview(text) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object', preview: framePreview(text) };
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.type !== 'string' || obj.type.length === 0) {
    return { ok: false, reason: 'missing string field "type"', preview: framePreview(text) };
  }
  if (isKnownEventType(obj.type)) {
    for (const [field, key] of requiredRefs[obj.type]) {
      const ref = obj[field];
      if (typeof ref !== 'object' || ref === null || typeof (ref as Record<string, unknown>)[key] !== 'string') {
        return { ok: false, reason: `${obj.type} without ${field}.${key}`, preview: framePreview(text) };
      }
    }
  }
  if (typeof obj.timestamp !== 'string') obj.timestamp = '';
  if (typeof obj.application !== 'string') obj.application = '';
  return { ok: true, event: obj as AriEvent };
}

/** A short, log-safe excerpt of a frame: digit runs that could be phone numbers are masked. */
export function framePreview(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/\+?\d[\d\- ]{5,}\d/g, (m) => maskPhone(m));
}
