import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../../shared/errors.ts';
import { MAX_RULES_PER_DICTIONARY, type PronunciationRule, PronunciationRuleSchema } from '../../../shared/schemas/pronunciation.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../../http/json-body.ts';
import { MULTIPART_FORM_ERRORS, readMultipartForm } from '../../http/multipart-form.ts';
import { errorCatalogue, mergeCatalogues } from '../../openapi/error-catalogue.ts';
import { DictionaryDescriptionSchema, DictionaryNameSchema, RuleListSchema } from './dictionary-object.ts';
import { checkCount, checkPhonemes, ruleOfList, withoutRepeats } from './dictionary-rules.ts';
import { invalidPls, PLS_ERRORS, RULE_ERRORS } from './errors.ts';
import { readPls } from './pls-read.ts';

/**
 * The bodies of the dictionary routes, read and checked: rules as JSON, or a PLS file in a form.
 * 1,000 rules of long strings are far over the 64 KiB of other JSON bodies, so these take 1 MiB.
 */

export const MAX_PLS_BYTES = 1024 * 1024;
export const MAX_DICTIONARY_BODY_BYTES = MAX_PLS_BYTES + 64 * 1024;

export const CreateJsonSchema = z.object({
  name: DictionaryNameSchema,
  description: DictionaryDescriptionSchema.optional(),
  rules: RuleListSchema,
});

export const CreateFormSchema = z.object({
  name: DictionaryNameSchema,
  description: DictionaryDescriptionSchema.optional(),
  file: z.file().describe(`A PLS 1.0 document (W3C Pronunciation Lexicon), UTF-8, up to ${MAX_PLS_BYTES / 1024 / 1024} MB.`),
});

export const RulesBodySchema = z.object({ rules: RuleListSchema });
export const RuleStringsBodySchema = z.object({
  rule_strings: z.array(z.string().min(1)).min(1).max(MAX_RULES_PER_DICTIONARY).describe('The `string_to_replace` of each rule to remove.'),
});

export const CREATE_BODY_ERRORS = mergeCatalogues(
  JSON_BODY_ERRORS,
  MULTIPART_FORM_ERRORS,
  RULE_ERRORS,
  PLS_ERRORS,
  errorCatalogue({ 400: ['missing_file'], 413: ['file_too_large'] }),
);
export const RULES_BODY_ERRORS = mergeCatalogues(JSON_BODY_ERRORS, RULE_ERRORS);

export interface NewDictionary {
  name: string;
  description: string | null;
  rules: PronunciationRule[];
}

/** Rules sent as JSON under `field`: each phoneme checked, one rule per string. */
export function checkedRules(rules: PronunciationRule[], field = 'rules'): PronunciationRule[] {
  checkPhonemes(rules, ruleOfList(field));
  return withoutRepeats(rules);
}

const isMultipart = (c: Context) => /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');

/** `POST /v1/pronunciation-dictionaries`'s body: JSON with rules, or a form with a PLS file. */
export async function readNewDictionary(c: Context): Promise<NewDictionary> {
  if (!isMultipart(c)) {
    const body = await readJsonBody(c, CreateJsonSchema, MAX_DICTIONARY_BODY_BYTES);
    return { name: body.name, description: body.description ?? null, rules: checkedRules(body.rules) };
  }
  const { text, files } = await readMultipartForm(c.req.raw, 'POST /v1/pronunciation-dictionaries with a PLS file');
  const fields = CreateFormSchema.omit({ file: true }).safeParse({ name: text('name'), description: text('description') });
  if (!fields.success) {
    const issue = fields.error.issues[0]!;
    const param = issue.path.join('.');
    throw invalidRequest('invalid_parameter', `${param}: ${issue.message}`, param);
  }
  const [file] = files('file');
  if (!file) throw invalidRequest('missing_file', 'Attach the PLS document as the `file` field.', 'file');
  if (file.size > MAX_PLS_BYTES) throw new ApiError(413, 'invalid_request_error', 'file_too_large', `The PLS file is over ${MAX_PLS_BYTES / 1024 / 1024} MB.`, { param: 'file' });
  return { name: fields.data.name, description: fields.data.description ?? null, rules: rulesOfPls(await file.arrayBuffer()) };
}

/** A PLS file's rules, checked as JSON rules are; each refusal names the line of its lexeme. */
export function rulesOfPls(bytes: ArrayBuffer): PronunciationRule[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidPls('the file is not UTF-8.', 1, 1);
  }
  const read = readPls(text);
  const rules = read.map(({ line, ...rule }) => {
    const parsed = PronunciationRuleSchema.safeParse(rule);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidPls(`the lexeme of "${rule.string_to_replace.slice(0, 40)}": ${issue.path.join('.')}: ${issue.message}`, line, 1);
    }
    return parsed.data;
  });
  if (rules.length === 0) throw invalidPls('the lexicon has no <lexeme>.', 1, 1);
  checkPhonemes(rules, (index) => ({ label: `the lexeme at line ${read[index]!.line}`, param: 'file' }));
  return checkCount(withoutRepeats(rules), 'file');
}
