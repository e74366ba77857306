// The same suite against the sandbox serving the published 3.0.0 form-field shape (field_id, is_required,
// options as { value, text }, text_area): the reader must normalize it to the one internal shape.
process.env.SANDBOX_FORMS = 'v3';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the env is set (an import would be hoisted above it)
require('../campaign.e2e.test');
