import { describe, expect, it } from 'vitest';
import { toIpa } from './phonetic.ts';

describe('toIpa', () => {
  it('converts X-SAMPA symbol for symbol, longest symbol first', () => {
    expect(toIpa('"si:kw@l', 'x-sampa')).toEqual({ ok: true, ipa: 'ˈsiːkwəl' });
    expect(toIpa('t_SIp', 'x-sampa')).toEqual({ ok: true, ipa: 't͡ʃɪp' });
    expect(toIpa('r\\`', 'x-sampa')).toEqual({ ok: true, ipa: 'ɻ' });
    expect(toIpa('{nd', 'x-sampa')).toEqual({ ok: true, ipa: 'ænd' });
    expect(toIpa('b_<', 'x-sampa')).toEqual({ ok: true, ipa: 'ɓ' });
  });

  it('names the first character that is not X-SAMPA', () => {
    expect(toIpa('ab#c', 'x-sampa')).toEqual({ ok: false, error: '"#" at character 3 is not an X-SAMPA symbol.' });
  });

  it('takes IPA as typed, with an ASCII apostrophe and colon', () => {
    expect(toIpa('ˈsiːkwəl', 'ipa')).toEqual({ ok: true, ipa: 'ˈsiːkwəl' });
    expect(toIpa("'si:kwəl", 'ipa')).toEqual({ ok: true, ipa: 'ˈsiːkwəl' });
    expect(toIpa('nɑ̃', 'ipa')).toEqual({ ok: true, ipa: 'nɑ̃' });
  });

  it('refuses what is not IPA, and empty strings', () => {
    expect(toIpa('SQL', 'ipa')).toMatchObject({ ok: false, error: expect.stringContaining('"S" at character 1') });
    expect(toIpa('<b>', 'ipa').ok).toBe(false);
    expect(toIpa('  ', 'ipa')).toEqual({ ok: false, error: 'The phoneme string is empty.' });
  });
});
