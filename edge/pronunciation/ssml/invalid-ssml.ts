import { ApiError } from '../../../shared/errors.ts';

/**
 * The 400 for SSML the edge will not speak: `problem` says what (an element, attribute or
 * construct), and the message adds where, so a user can find it in what they sent.
 * `at` is a UTF-16 index into `input` (what string methods and saxes count in); the message
 * gives a 1-based line and column and the 0-based offset in code points.
 */
export function invalidSsml(problem: string, input: string, at: number): ApiError {
  const { line, column, character } = locate(input, at);
  return new ApiError(400, 'invalid_request_error', 'invalid_ssml', `${problem} at line ${line}, column ${column} (character ${character}).`, {
    param: 'input',
  });
}

/** Line breaks as XML counts them: LF, CR LF, or a lone CR. Columns count code points. */
function locate(input: string, at: number): { line: number; column: number; character: number } {
  let line = 1;
  let column = 1;
  let character = 0;
  for (let index = 0; index < at && index < input.length; index++) {
    const unit = input.charCodeAt(index);
    if (unit >= 0xdc00 && unit <= 0xdfff && index > 0 && isHighSurrogate(input.charCodeAt(index - 1))) continue;
    character++;
    if (unit === 0x0a && index > 0 && input.charCodeAt(index - 1) === 0x0d) continue;
    if (unit === 0x0a || unit === 0x0d) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column, character };
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
