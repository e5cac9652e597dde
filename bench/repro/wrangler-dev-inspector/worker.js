// The smallest worker that shows the growth: one log line per request, and a streamed subrequest.
export default {
  async fetch(request, env) {
    console.log(JSON.stringify({ level: 'info', message: 'request', path: new URL(request.url).pathname }));
    const upstream = await fetch(env.UPSTREAM);
    return new Response(upstream.body, { headers: { 'content-type': 'application/octet-stream' } });
  },
};
