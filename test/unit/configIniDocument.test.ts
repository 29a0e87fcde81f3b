import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeytrayError } from '../../electron/core/errors';
import { IniDocument } from '../../electron/core/config/iniDocument';

const FILE = '/home/u/.aws/config';
const parse = (text: string): IniDocument => IniDocument.parse(text, FILE);

/** Applies an edit and returns the resulting text. */
function edited(text: string, edit: (doc: IniDocument) => void): string {
  const doc = parse(text);
  edit(doc);
  return doc.toString();
}

function malformedMessage(text: string): string {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof KeytrayError);
    assert.equal(err.code, 'config-malformed');
    return err.toLine();
  }
  assert.fail('expected a config-malformed error');
}

describe('IniDocument round trip', () => {
  const tricky: Record<string, string> = {
    empty: '',
    'only a newline': '\n',
    'CRLF endings': '[default]\r\nregion = eu-west-1\r\n\r\n[profile admin]\r\nrole_arn = arn:aws:iam::123456789012:role/Admin\r\n',
    'no trailing newline': '[default]\nregion = eu-west-1',
    'mixed endings and a lone CR': '[default]\r\nregion = a\noutput = json\r[profile x]\nregion = b\r\n',
    'comments in odd places':
      '# file header\n; semicolon comment\n\n   # indented comment\n[default] # trailing comment on header\n' +
      'region=us-east-1\n  ; indented comment in body\noutput :  json   \n#last\n',
    'nested s3 values':
      '[default]\ns3 =\n  max_concurrent_requests = 10\n\n  # comment inside the block\n  addressing_style = path\nregion = eu-west-1\n',
    unicode: '# Zürich ☃ 東京\n[profile café]\nrole_session_name = ñandú-🚀\n',
    'byte order mark': '\uFEFF[default]\nregion = eu-west-1\n',
    'whitespace-only lines and tabs': '[default]\n\t\n   \nregion\t=\tus-east-1   \n\t\t\n',
    'key: value and inline #': '[default]\nregion: us-east-1 # not a comment to botocore\n',
  };
  for (const [name, text] of Object.entries(tricky)) {
    it(`gives back the exact bytes: ${name}`, () => {
      assert.equal(parse(text).toString(), text);
    });
  }
});

describe('IniDocument reading', () => {
  const text =
    '# header\n[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\n' +
    'note = first\n  second\n\n  third\noutput: json # kept\n\n[profile admin]\nRole_Arn = arn\n';
  const doc = parse(text);

  it('lists sections in file order with their raw header text', () => {
    assert.deepEqual(doc.sectionNames(), ['default', 'profile admin']);
    assert.ok(doc.hasSection('profile admin'));
    assert.ok(!doc.hasSection('admin'));
  });

  it('reads values trimmed, without stripping inline comments (botocore keeps them)', () => {
    assert.equal(doc.get('default', 'region'), 'eu-west-1');
    assert.equal(doc.get('default', 'output'), 'json # kept');
  });

  it('finds keys without regard to case, as botocore (configparser) does, and lists them as written', () => {
    assert.equal(doc.get('profile admin', 'Role_Arn'), 'arn');
    assert.equal(doc.get('profile admin', 'role_arn'), 'arn');
    assert.deepEqual(doc.keys('profile admin').filter((k) => k.toLowerCase() === 'role_arn'), ['Role_Arn']);
  });

  it('lets every section inherit the keys of [DEFAULT], as configparser does', () => {
    const d = parse('[DEFAULT]\nregion = eu-west-1\n[profile a]\noutput = json\n[profile b]\nREGION = us-east-1\n[DEFAULT]\noutput = text\n');
    assert.equal(d.get('profile a', 'region'), 'eu-west-1');
    assert.equal(d.get('profile a', 'output'), 'json', 'its own key wins');
    assert.equal(d.get('profile b', 'region'), 'us-east-1');
    assert.deepEqual(d.entries('profile b'), [['REGION', 'us-east-1'], ['output', 'text']]);
    assert.deepEqual(d.keys('profile b'), ['REGION'], 'keys() lists only the lines an edit can change');
    assert.deepEqual(d.sectionNames(), ['DEFAULT', 'profile a', 'profile b']);
    assert.throws(() => parse('[DEFAULT]\nregion = a\n[x]\n[DEFAULT]\nRegion = b\n'), /line 5: Region is already set in \[DEFAULT\] at line 2/);
  });

  it('reads nested and continued values as configparser does', () => {
    assert.equal(doc.get('default', 's3'), '\nmax_concurrent_requests = 10\naddressing_style = path');
    assert.deepEqual(doc.nested('default', 's3'), { max_concurrent_requests: '10', addressing_style: 'path' });
    assert.equal(doc.get('default', 'note'), 'first\nsecond\n\nthird');
    assert.equal(doc.nested('default', 'region'), undefined);
  });

  it('lists entries in order and knows their lines', () => {
    assert.deepEqual(
      doc.entries('default').map(([k]) => k),
      ['region', 's3', 'note', 'output'],
    );
    assert.deepEqual(doc.entries('missing'), []);
    assert.equal(doc.lineOf('default'), 2);
    assert.equal(doc.lineOf('default', 'output'), 11);
    assert.equal(doc.lineOf('profile admin', 'Role_Arn'), 14);
  });

  it('parses a BOM-prefixed first header', () => {
    assert.deepEqual(parse('\uFEFF[default]\nregion = x\n').sectionNames(), ['default']);
  });
});

describe('IniDocument malformed files name the file and the line', () => {
  it('a setting before any section', () => {
    assert.match(malformedMessage('# c\nregion = x\n'), /^\/home\/u\/\.aws\/config line 2: a setting appears before any \[section\] header/);
  });

  it('a line that is neither a setting, a header nor a comment', () => {
    assert.match(malformedMessage('[default]\nregion = x\njust some words\n'), /config line 3: expected "name = value"/);
  });

  it('not text after a header, which configparser ignores up to the last "]"', () => {
    const d = parse('[profile a] extra ] words\nregion = x\n[b] ; note\n');
    assert.deepEqual(d.sectionNames(), ['profile a] extra ', 'b']);
  });

  it('not an unclosed "[" line with "=", which configparser reads as a setting', () => {
    assert.equal(parse('[default]\n[x = 1\n').get('default', '[x'), '1');
  });

  it('a header without its closing bracket', () => {
    assert.match(malformedMessage('[default]\n\n[profile admin\n'), /config line 3: section header is missing its closing "\]"/);
  });


  it('a nested line without "="', () => {
    assert.match(malformedMessage('[default]\ns3 =\n  bogus\n'), /config line 3: nested setting under s3/);
  });

  it('duplicate sections, which the AWS CLI refuses too', () => {
    const line = malformedMessage('[profile a]\nregion = x\n\n[profile b]\n\n[profile a]\noutput = json\n');
    assert.match(line, /config line 6: section \[profile a\] already appears at line 1/);
    assert.match(line, /AWS CLI refuses/);
  });

  it('a key set twice in a section, in any letter case', () => {
    assert.match(malformedMessage('[default]\nregion = a\nRegion = b\n'), /config line 3: Region is already set in \[default\] at line 2/);
  });

  it('a malformed line in CRLF text still reports the right line', () => {
    assert.match(malformedMessage('[default]\r\nregion = a\r\n\r\noops\r\n'), /config line 4:/);
  });
});

describe('IniDocument.set', () => {
  it('replaces a value in place, keeping the spacing style', () => {
    assert.equal(
      edited('[default]\nregion=us-east-1\noutput   :   json\n', (d) => {
        d.set('default', 'region', 'eu-west-1');
        d.set('default', 'output', 'text');
      }),
      '[default]\nregion=eu-west-1\noutput   :   text\n',
    );
  });

  it('appends after the last key, before comments that lead into the next section', () => {
    const text = '[default]\nregion = a\n\n# admin role\n[profile admin]\nrole_arn = r\n';
    assert.equal(
      edited(text, (d) => d.set('default', 'output', 'json')),
      '[default]\nregion = a\noutput = json\n\n# admin role\n[profile admin]\nrole_arn = r\n',
    );
  });

  it('appends after a nested block, copying the spacing of the section', () => {
    const text = '[default]\nregion=a\ns3 =\n  max_concurrent_requests = 10\n\n[profile b]\n';
    assert.equal(
      edited(text, (d) => d.set('default', 'output', 'json')),
      '[default]\nregion=a\ns3 =\n  max_concurrent_requests = 10\noutput=json\n\n[profile b]\n',
    );
  });

  it('never indents a new key deeper than the key above it, which would make it a continuation', () => {
    const text = '[p]\n  a = 1\nb =\n  x = 1\n';
    const doc = parse(text);
    doc.set('p', 'c', '3');
    assert.equal(doc.toString(), '[p]\n  a = 1\nb =\n  x = 1\nc = 3\n');
    assert.equal(doc.get('p', 'c'), '3');
    assert.deepEqual(doc.nested('p', 'b'), { x: '1' });
  });

  it('puts the first key of an empty section right under its header', () => {
    assert.equal(edited('[default]\n\n[profile b]\nx = 1\n', (d) => d.set('default', 'region', 'a')), '[default]\nregion = a\n\n[profile b]\nx = 1\n');
  });

  it('uses the file\'s CRLF line endings', () => {
    assert.equal(edited('[default]\r\nregion = a\r\n', (d) => d.set('default', 'output', 'json')), '[default]\r\nregion = a\r\noutput = json\r\n');
  });

  it('keeps a file without a final newline without one', () => {
    assert.equal(edited('[default]\nregion = a', (d) => d.set('default', 'output', 'json')), '[default]\nregion = a\noutput = json');
    assert.equal(edited('[default]\nregion = a', (d) => d.set('default', 'region', 'b')), '[default]\nregion = b');
  });

  it('replaces a nested value and its indented lines', () => {
    assert.equal(
      edited('[default]\ns3 =\n  a = 1\n  b = 2\nregion = x\n', (d) => d.set('default', 's3', 'none')),
      '[default]\ns3 = none\nregion = x\n',
    );
  });

  it('changes nothing, not even trailing spaces, when the value is the same', () => {
    const doc = parse('[default]\nregion = a   \n');
    doc.set('default', 'region', 'a');
    assert.equal(doc.toString(), '[default]\nregion = a   \n');
    assert.equal(doc.version, 0);
  });

  it('adds the section when it is missing', () => {
    assert.equal(edited('[default]\nregion = a\n', (d) => d.set('profile b', 'output', 'json')), '[default]\nregion = a\n\n[profile b]\noutput = json\n');
  });

  it('writes an empty value without a trailing space', () => {
    assert.equal(edited('[default]\nregion = a\n', (d) => d.set('default', 'region', '')), '[default]\nregion =\n');
  });

  it('refuses names and values that would change the file\'s structure', () => {
    const doc = parse('[default]\nregion = a\n');
    for (const key of ['', 'a=b', 'a:b', ' padded', '[x', '#x', 'two\nlines']) {
      assert.throws(() => doc.set('default', key, 'v'), { code: 'config-invalid' }, key);
    }
    assert.throws(() => doc.set('default', 'k', 'one\ntwo'), { code: 'config-invalid' });
    assert.equal(doc.toString(), '[default]\nregion = a\n');
  });

  it('indents a key added under an empty section so that an indented header below stays a header', () => {
    const text = '[profile a]\n# notes\n  [profile b]\nregion = x\n';
    const out = edited(text, (d) => d.set('profile a', 'credential_process', 'k'));
    assert.equal(out, '[profile a]\n  credential_process = k\n# notes\n  [profile b]\nregion = x\n');
    assert.deepEqual(parse(out).sectionNames(), ['profile a', 'profile b']);
  });

  it('sets an existing key named in another letter case on its own line, as the AWS CLI would read it', () => {
    assert.equal(edited('[default]\nregion = a\n', (d) => d.set('default', 'Region', 'b')), '[default]\nregion = b\n');
  });
});

describe('IniDocument.rename and delete', () => {
  it('renames on the same line, keeping position, spacing and value', () => {
    assert.equal(
      edited('[p]\na = 1\nrole_arn  =  arn:x # c\nb = 2\n', (d) => assert.ok(d.rename('p', 'role_arn', 'keytray_role_arn'))),
      '[p]\na = 1\nkeytray_role_arn  =  arn:x # c\nb = 2\n',
    );
  });

  it('reports a missing key and refuses to create a case twin', () => {
    const doc = parse('[p]\na = 1\nb = 2\n');
    assert.equal(doc.rename('p', 'missing', 'x'), false);
    assert.throws(() => doc.rename('p', 'a', 'B'), { code: 'config-invalid' });
    assert.equal(doc.toString(), '[p]\na = 1\nb = 2\n');
  });

  it('deletes a key with its nested lines and nothing else', () => {
    assert.equal(
      edited('[p]\ns3 =\n  a = 1\n\n  b = 2\n# about region\nregion = x\n', (d) => assert.ok(d.delete('p', 's3'))),
      '[p]\n# about region\nregion = x\n',
    );
    assert.equal(edited('[p]\na = 1\nb = 2', (d) => d.delete('p', 'b')), '[p]\na = 1');
    assert.equal(parse('[p]\n').delete('p', 'x'), false);
  });
});

describe('IniDocument.addSection and removeSection', () => {
  it('appends after one blank line', () => {
    assert.equal(
      edited('[default]\nregion = a\n', (d) => d.addSection('profile b', [['region', 'b'], ['output', 'json']])),
      '[default]\nregion = a\n\n[profile b]\nregion = b\noutput = json\n',
    );
    assert.equal(edited('[default]\nregion = a\n\n', (d) => d.addSection('x', [])), '[default]\nregion = a\n\n[x]\n');
    assert.equal(edited('', (d) => d.addSection('default', [['region', 'a']])), '[default]\nregion = a\n');
    assert.equal(edited('[a]\r\nk=v\r\n', (d) => d.addSection('b', [['k', 'w']])), '[a]\r\nk=v\r\n\r\n[b]\r\nk=w\r\n');
    assert.equal(edited('[a]\nk = v', (d) => d.addSection('b', [])), '[a]\nk = v\n\n[b]');
  });

  it('refuses a section that exists', () => {
    assert.throws(() => parse('[a]\n').addSection('a', []), { code: 'config-invalid' });
  });

  it('removes a middle section but keeps the next section\'s leading comment', () => {
    const text = '[default]\nregion = a\n\n# admin\n[profile admin]\nrole_arn = r\n# stray\n\n# about b\n[profile b]\nk = v\n';
    assert.equal(
      edited(text, (d) => assert.ok(d.removeSection('profile admin'))),
      '[default]\nregion = a\n\n# about b\n[profile b]\nk = v\n',
    );
  });

  it('removes the last section with the blank line that separated it', () => {
    assert.equal(edited('# top\n\n[a]\nk = v\n\n[b]\nk = w\n', (d) => d.removeSection('b')), '# top\n\n[a]\nk = v\n');
    assert.equal(edited('# top\n\n[a]\nk = v\n', (d) => d.removeSection('a')), '# top\n');
  });

  it('undoes addSection byte for byte', () => {
    for (const text of ['[a]\nk = v\n', '[a]\nk = v', '[a]\r\nk = v\r\n', '', '# only a comment\n', '[a]\ns3 =\n  x = 1\n']) {
      assert.equal(
        edited(text, (d) => {
          d.addSection('profile new', [['region', 'eu-west-1']]);
          d.removeSection('profile new');
        }),
        text,
        JSON.stringify(text),
      );
    }
  });

  it('keeps the byte order mark when the first section goes', () => {
    assert.equal(edited('\uFEFF[a]\nk = v\n\n# b\n[b]\n', (d) => d.removeSection('a')), '\uFEFF# b\n[b]\n');
  });

  it('returns false for a missing section', () => {
    assert.equal(parse('[a]\n').removeSection('b'), false);
  });
});
