import { buildPlayground } from '../../playground/build.ts';

/**
 * Vitest's globalSetup: builds the playground once before any test file runs, since the edge in
 * workerd serves it as static assets (wrangler.toml `[assets]`) and Miniflare needs the folder.
 */
export default async function setup(): Promise<void> {
  await buildPlayground();
}
