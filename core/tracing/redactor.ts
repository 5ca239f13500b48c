import { TrellisError } from '../errors.js';

/** What to mask (the `tracing.redact` config section). */
export interface RedactionSettings {
  readonly emails: boolean;
  readonly phoneNumbers: boolean;
  /** API keys and bearer tokens: Trellis keys, sk-…, Bearer …, AWS access keys, JWTs, GitHub and Slack tokens. */
  readonly apiKeys: boolean;
  /** Regular expressions (JavaScript syntax); every match becomes `[REDACTED]`. */
  readonly patterns: readonly string[];
}

/** Masks secrets and personal data in one string; returns the same string when there is nothing to mask. */
export type Redactor = (text: string) => string;

interface Rule {
  readonly pattern: RegExp;
  readonly replacement: string;
  /** A cheap test that must pass before the regular expression runs (most values hold no `@`, so skip the scan). */
  readonly mayMatch?: (text: string) => boolean;
}

const EMAIL: Rule = {
  pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  replacement: '[REDACTED:email]',
  mayMatch: (text) => text.includes('@'),
};

// Numbers written the way people write phone numbers: an optional +country code, then groups split by spaces, dots,
// dashes or parentheses (or + and 8 to 15 digits run together). Dates (2024-01-31), versions, ids and IP addresses
// do not have that shape, so they survive.
const PHONE: Rule = {
  pattern:
    /(?<![\w.+])(?!\d{1,3}(?:\.\d{1,3}){3}(?!\d))(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?|\d{1,4}[\s.-])\d{2,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w]|[.-]\d)|(?<![\w+])\+\d{8,15}(?!\d)/g,
  replacement: '[REDACTED:phone]',
  mayMatch: (text) => /\d[\s.()-]?\d/.test(text),
};

const KEYS: readonly Rule[] = [
  // Trellis API keys (trl_<id>_<secret>), whatever their exact lengths.
  { pattern: /\btrl_[A-Za-z0-9]{6,}_[A-Za-z0-9_-]{16,}/g, replacement: '[REDACTED:key]', mayMatch: (text) => text.includes('trl_') },
  // OpenAI, Anthropic and Langfuse secret keys: sk-…, sk-proj-…, sk-ant-…, sk-lf-….
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replacement: '[REDACTED:key]', mayMatch: (text) => text.includes('sk-') },
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, replacement: 'Bearer [REDACTED:key]', mayMatch: (text) => /bearer/i.test(text) },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, replacement: '[REDACTED:jwt]', mayMatch: (text) => text.includes('eyJ') },
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replacement: '[REDACTED:key]', mayMatch: (text) => text.includes('AKIA') || text.includes('ASIA') },
  {
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})/g,
    replacement: '[REDACTED:key]',
    mayMatch: (text) => text.includes('_') || text.includes('xox'),
  },
  // key=value and "key": "value" pairs whose name says they hold a secret; the name stays, for debugging.
  {
    pattern: /\b((?:api[_-]?key|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|password|passwd)["']?\s*[:=]\s*["']?)[^\s"',;&}]{6,}/gi,
    replacement: '$1[REDACTED]',
    mayMatch: (text) => /key|secret|token|passw/i.test(text),
  },
];

/**
 * Builds the one redactor every span attribute goes through before any sink sees it. Each rule replaces what it
 * matches with a marker naming what was there (`[REDACTED:email]`), so a trace still reads as a conversation.
 *
 * @example
 * const redact = createRedactor({ emails: true, phoneNumbers: true, apiKeys: true, patterns: ['ACME-\\d{6}'] });
 * redact('mail jane@example.com, key sk-abc…');  // 'mail [REDACTED:email], key [REDACTED:key]'
 */
export function createRedactor(settings: RedactionSettings): Redactor {
  const rules: Rule[] = [];
  // Keys first: a JWT or a key may contain what looks like an email or a phone number.
  if (settings.apiKeys) rules.push(...KEYS);
  if (settings.emails) rules.push(EMAIL);
  if (settings.phoneNumbers) rules.push(PHONE);
  for (const source of settings.patterns) rules.push({ pattern: compile(source), replacement: '[REDACTED]' });
  if (rules.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const rule of rules) {
      if (rule.mayMatch && !rule.mayMatch(result)) continue;
      rule.pattern.lastIndex = 0;
      result = result.replace(rule.pattern, rule.replacement);
    }
    return result;
  };
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source, 'g');
  } catch (error) {
    throw new TrellisError('CONFIG_INVALID', `tracing.redact.patterns: ${JSON.stringify(source)} is not a valid regular expression`, {
      hint: 'Fix or remove the pattern in tracing.redact.patterns (JavaScript regular expression syntax, no slashes).',
      cause: error,
    });
  }
}
