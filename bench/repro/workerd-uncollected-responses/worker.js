// The smallest worker that shows the growth: every request answers the same 64 KiB body.
// With `?gc=N` (and workerd's V8 flag --expose-gc) it forces a full collection every N requests:
// the control that shows the memory is garbage V8 has not collected, not memory still in use.
const body = new Uint8Array(64 * 1024);
let requests = 0;

export default {
  fetch(request) {
    const every = Number(new URL(request.url).searchParams.get('gc'));
    if (every > 0 && ++requests % every === 0) globalThis.gc();
    return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
  },
};
