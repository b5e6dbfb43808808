/**
 * Keys that appear more than once in one object of a JSON text. JSON.parse keeps the last value of a
 * repeated key, so a log line like {"component":"telephony","component":"ami"} parses without error and
 * hides the first one; this reads the raw text instead (issue 7 item 15).
 */
export function duplicateJsonKeys(text: string): string[] {
  let i = 0;
  const duplicates: string[] = [];
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`not JSON at ${i}: ${what} in ${text.slice(0, 200)}`);
  };
  const str = (): string => {
    if (text[i] !== '"') fail('expected a string');
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) duplicates.push(path + key);
        seen.add(key);
        ws();
        if (text[i++] !== ':') fail('expected :');
        value(`${path}${key}.`);
        ws();
        const sep = text[i++];
        if (sep === '}') return;
        if (sep !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(path);
        ws();
        const sep = text[i++];
        if (sep === ']') return;
        if (sep !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected value');
    i += m![0].length;
  };
  value('');
  ws();
  if (i !== text.length) fail('trailing text');
  return duplicates;
}
