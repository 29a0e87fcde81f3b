import fc from 'fast-check';

/**
 * fast-check generators of AWS config files as people and tools really write them: odd spacing in
 * headers, `#` and `;` comments (also after values, where botocore keeps them), nested `s3 =`
 * blocks, continuation lines, `[default]` next to `[profile default]`, `[sso-session …]` and
 * `[services …]` sections, CRLF and lone CR, tabs, unicode, Python's rarer whitespace, and now and
 * then a line botocore refuses. Shared by the botocore differential and the property tests.
 */

/** Characters Python's str.strip() removes but JavaScript's trim() does not, and the reverse. */
const ODD_SPACE = ['\u000b', '\u000c', '\u001c', '\u001f', '\u0085', '\u00a0', '\u2003', '\u3000', '\ufeff'];

const space = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.constantFrom(' ', '  ', '\t', ' \t') },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_SPACE) },
);

const nameChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'x', 'dev', 'prod', '1', '-', '_', '.') },
  { weight: 1, arbitrary: fc.constantFrom('é', '日本', '🔑', 'Ä') },
);
const plainName = fc.array(nameChar, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));

/** What goes between `[` and `]`: profile headers in every spelling, and the other section kinds. */
const sectionName = fc.oneof(
  { weight: 3, arbitrary: fc.constant('default') },
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(' ', '  ', '\t'), plainName, space).map(([gap, n, tail]) => `profile${gap}${n}${tail}`) },
  { weight: 2, arbitrary: fc.tuple(plainName, plainName).map(([a, b]) => `profile "${a} ${b}"`) },
  { weight: 1, arbitrary: fc.tuple(plainName, plainName).map(([a, b]) => `profile '${a}' ${b}`) },
  { weight: 1, arbitrary: fc.constant('profile default') },
  { weight: 1, arbitrary: fc.constantFrom('profile', 'profile ', 'profilex y', 'profile a b', 'profile "open', 'profile a\\ b', 'profile ""') },
  { weight: 2, arbitrary: plainName.map((n) => `sso-session ${n}`) },
  { weight: 1, arbitrary: plainName.map((n) => `services ${n}`) },
  { weight: 1, arbitrary: fc.constantFrom(' profile x', 'preview', 'Default', 'plugins', 'DEFAULT') },
);

const header = fc
  .tuple(space, sectionName, space, fc.constantFrom('', '', '', ' # about it', ' ; note', ' trailing words', ']'))
  .map(([before, name, inner, after]) => `${before}[${name}${inner}]${after}`);

const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('region', 'output', 'mfa_serial', 'role_arn', 'source_profile', 'sso_session', 'sso_start_url', 'keytray_role_arn', 'duration_seconds') },
  { weight: 2, arbitrary: fc.constantFrom('Region', 'MFA_SERIAL', 'x-y', 'ключ', 'a.b') },
);

const valueText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('eu-west-1', 'json', 'arn:aws:iam::111111111111:role/R', 'a b', '3600', 'x=y', 'http://h:1/p') },
  { weight: 2, arbitrary: fc.constantFrom('us-east-1 # prod', 'v ; note', '#hash', 'ünï', '🔑', '"quoted"') },
  { weight: 1, arbitrary: fc.constant('') },
);

const keyLine = fc
  .tuple(fc.constantFrom('', '', '', ' ', '\t'), key, fc.constantFrom(' = ', '=', ' =', ': ', ' : ', '\t=\t', ' = '), valueText, space)
  .map(([indent, k, sep, v, tail]) => `${indent}${k}${sep}${v}${tail}`);

/** `s3 =` followed by indented `name = value` lines, botocore's one level of nesting. */
const nestedBlock = fc
  .tuple(
    fc.constantFrom('s3', 'sts', 'Ec2'),
    fc.array(
      fc.tuple(fc.constantFrom('  ', '    ', '\t', ' '), fc.constantFrom('max_concurrent_requests', 'addressing_style', 'endpoint_url', 'a'), fc.constantFrom(' = ', '=', ' =  '), valueText),
      { minLength: 1, maxLength: 3 },
    ),
    fc.boolean(),
  )
  .map(([k, subs, blankInside]) => {
    const lines = subs.map(([indent, sub, sep, v]) => `${indent}${sub}${sep}${v}`);
    if (blankInside && lines.length > 1) lines.splice(1, 0, '');
    return [`${k} =`, ...lines];
  });

/** A value that continues on indented lines (configparser joins them with newlines). */
const continued = fc
  .tuple(key, valueText, fc.array(fc.constantFrom('  more text', '\tsecond line', '   # indented comment', '  [looks like a header]', '  k = v'), { minLength: 1, maxLength: 2 }))
  .map(([k, v, more]) => [`${k} = ${v === '' ? 'start' : v}`, ...more]);

const comment = fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('#', ';'), fc.constantFrom('', ' a comment', ' [profile commented]', ' key = value')).map(([i, c, t]) => `${i}${c}${t}`);
const blank = fc.constantFrom('', ' ', '\t', '  ');
/** Lines botocore refuses: no delimiter, a name-less setting, an unclosed header with no "=". */
const broken = fc.constantFrom('just words', '= value', '[unclosed', ':x');
const unclosedKey = fc.constantFrom('[x = 1', '[weird: value');

const bodyItem: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 10, arbitrary: keyLine.map((l) => [l]) },
  { weight: 2, arbitrary: nestedBlock },
  { weight: 2, arbitrary: continued },
  { weight: 3, arbitrary: comment.map((l) => [l]) },
  { weight: 3, arbitrary: blank.map((l) => [l]) },
  { weight: 1, arbitrary: unclosedKey.map((l) => [l]) },
);

const section = fc.tuple(fc.array(comment, { maxLength: 1 }), header, fc.array(bodyItem, { maxLength: 5 })).map(([lead, h, body]) => [...lead, h, ...body.flat()]);

export interface GeneratedFile {
  text: string;
}

/** Joins lines with one line-ending style per file, or (rarely) a mix of all three. */
function joinLines(lines: string[], style: 'lf' | 'crlf' | 'mixed', finalNewline: boolean, mix: number[]): string {
  const ends = { lf: ['\n'], crlf: ['\r\n'], mixed: ['\n', '\r\n', '\r'] }[style];
  let out = '';
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    out += line + (last && !finalNewline ? '' : ends[(mix[i % mix.length] ?? 0) % ends.length]);
  });
  return out;
}

/** A whole config file; `validOnly` leaves out the lines botocore refuses. */
export function configFile(options: { validOnly?: boolean } = {}): fc.Arbitrary<string> {
  const item = options.validOnly ? section : fc.oneof({ weight: 12, arbitrary: section }, { weight: 1, arbitrary: broken.map((l) => [l]) });
  return fc
    .tuple(
      fc.array(comment, { maxLength: 2 }),
      fc.array(item, { minLength: 0, maxLength: 6 }),
      fc.constantFrom<'lf' | 'crlf' | 'mixed'>('lf', 'lf', 'lf', 'crlf', 'mixed'),
      fc.boolean(),
      fc.array(fc.nat(2), { minLength: 1, maxLength: 5 }),
    )
    .map(([lead, sections, style, finalNewline, mix]) => joinLines([...lead, ...sections.flat()], style, finalNewline, mix))
    // A leading U+FEFF is a byte order mark: botocore refuses the file, Keytray reads past it (see IniDocument).
    .map((text) => (text.startsWith('\ufeff') ? `#${text}` : text));
}
