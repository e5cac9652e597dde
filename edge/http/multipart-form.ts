import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

/** What reading a multipart form refuses; the route's own field checks add theirs. */
export const MULTIPART_FORM_ERRORS = errorCatalogue({ 400: ['invalid_form'], 415: ['unsupported_media_type'] });

export interface MultipartForm {
  form: FormData;
  /** A text field's value; undefined when absent, empty, or a file. */
  text(name: string): string | undefined;
  /** The file parts of a field, in the order sent. */
  files(name: string): File[];
}

/**
 * A `multipart/form-data` body (415 when it is another type, 400 when it cannot be read), with
 * its text fields and file parts. `expects` says what the route takes, for the 415's message.
 */
export async function readMultipartForm(request: Request, expects: string): Promise<MultipartForm> {
  if (!/^multipart\/form-data/i.test(request.headers.get('content-type') ?? '')) {
    throw new ApiError(415, 'invalid_request_error', 'unsupported_media_type', `${expects} takes multipart/form-data.`);
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw invalidRequest('invalid_form', 'The multipart body could not be read.');
  }
  return {
    form,
    text(name) {
      const value = form.get(name);
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    },
    // workerd hands file parts as File (its types still say string).
    files: (name) => (form.getAll(name) as Array<File | string>).filter((part): part is File => typeof part !== 'string'),
  };
}
