/**
 * Python's `shlex.split(text)` (POSIX mode, no comments), which botocore applies to a section
 * header to find the profile name in it: `[profile "my name"]` names `my name`, `[profile a\ b]`
 * names `a b`. Returns undefined where Python raises ValueError (an unclosed quote, a trailing
 * backslash); botocore then skips the section.
 */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    const word = readWord();
    if (word === null) return words;
    if (word === undefined) return undefined;
    words.push(word);
  }

  /** One token as shlex.read_token gives it: a string, null at the end, undefined on error. */
  function readWord(): string | null | undefined {
    let token = '';
    let quoted = false;
    let state: 'space' | 'word' | "'" | '"' = 'space';
    while (i < text.length) {
      const c = text[i++];
      if (state === 'space' || state === 'word') {
        if (WHITESPACE.includes(c)) {
          if (state === 'word') return token;
          continue;
        }
        if (c === '\\') {
          if (i >= text.length) return undefined; // "No escaped character"
          token += text[i++];
        } else if (c === "'" || c === '"') {
          state = c;
          quoted = true;
          continue;
        } else {
          token += c;
        }
        state = 'word';
        continue;
      }
      // Inside quotes: a backslash escapes only the double quote and itself, and only inside "...".
      if (c === state) {
        state = 'word';
      } else if (c === '\\' && state === '"') {
        if (i >= text.length) return undefined;
        const next = text[i++];
        token += next === '"' || next === '\\' ? next : `\\${next}`;
      } else {
        token += c;
      }
    }
    if (state === "'" || state === '"') return undefined; // "No closing quotation"
    return state === 'word' || quoted ? token : null;
  }
}

/** shlex's whitespace: only these four, not Unicode spaces. */
const WHITESPACE = ' \t\r\n';
