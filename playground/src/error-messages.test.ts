import { describe, expect, it } from 'vitest';
import { ApiFailure } from './api.ts';
import { describeError } from './error-messages.ts';

describe('describeError', () => {
  it('says how long to wait when the API says (Retry-After)', () => {
    expect(describeError(new ApiFailure(429, 'rate_limit_requests', 'The account’s limit of 60 requests per minute is reached.', undefined, 12))).toBe(
      'Too many requests this minute for this account. Try again in 12 seconds.',
    );
    expect(describeError(new ApiFailure(503, 'no_worker_available', 'No speech worker is available: all busy', undefined, 1))).toMatch(/in 1 second\.$/);
    expect(describeError(new ApiFailure(503, 'no_worker_available', 'No speech worker is available.'))).toMatch(/in a moment\.$/);
  });

  it('words the failures a person meets, never the code', () => {
    const cases: Array<[number, string, string]> = [
      [401, 'invalid_api_key', 'The API key is not valid.'],
      [402, 'insufficient_credits', 'This request costs 12 credits and the account has 3. Add credits to continue.'],
      [404, 'voice_not_found', 'Voice "x" does not exist. GET /v1/voices lists the voices.'],
      [413, 'input_too_long', 'input has 5000 characters; the maximum is 4096. Split longer text into several requests.'],
      [422, 'clip_too_short', 'The clip has 1.2 s of audio; at least 3 s is needed.'],
    ];
    for (const [status, code, message] of cases) {
      const sentence = describeError(new ApiFailure(status, code, message));
      expect(sentence, code).not.toContain(code);
      expect(sentence, code).toMatch(/^[A-Z].*\.$/);
    }
    expect(describeError(new ApiFailure(413, 'input_too_long', cases[3]![2]))).toBe(
      'The text is too long: 5000 characters, and one request takes at most 4096. Split it and speak it in parts.',
    );
  });

  it('says where SSML went wrong and which dictionary is missing, in the API\'s own words', () => {
    const ssml = describeError(new ApiFailure(400, 'invalid_ssml', 'Unknown SSML element <audio> at line 2, column 7 (character 14).', 'input'));
    expect(ssml).toMatch(/^The SSML is not valid.*Unknown SSML element <audio> at line 2, column 7/);
    expect(describeError(new ApiFailure(404, 'pronunciation_dictionary_not_found', 'Pronunciation dictionary "pd_x" does not exist.'))).toMatch(/^A chosen pronunciation dictionary .* "pd_x"/);
    expect(describeError(new ApiFailure(404, 'pronunciation_dictionary_version_not_found', 'Dictionary "pd_x" has no version 9.'))).toMatch(/latest\. Dictionary "pd_x" has no version 9\.$/);
    expect(describeError(new ApiFailure(400, 'invalid_pls', 'Unclosed <lexeme> at line 4, column 3.'))).toMatch(/PLS.*line 4, column 3/);
    for (const code of ['invalid_ssml', 'pronunciation_dictionary_not_found', 'pronunciation_dictionary_version_not_found', 'invalid_pls']) {
      expect(describeError(new ApiFailure(400, code, 'Detail.')), code).not.toContain(code);
    }
  });

  it("falls back to the API's message for a code it does not know", () => {
    expect(describeError(new ApiFailure(418, 'brand_new_code', 'Something new happened.'))).toBe('Something new happened.');
  });

  it('tells a request that got no answer from an API error', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
    expect(describeError(new DOMException('Permission denied', 'NotAllowedError'))).toMatch(/microphone/);
  });
});
