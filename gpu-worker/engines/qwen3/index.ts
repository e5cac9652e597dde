/** What the worker needs from the Qwen3-TTS engine. */
export { loadQwen3Engine, Qwen3Engine, ENGINE_NAME, DEFAULT_VOICE_ID } from './engine.ts';
export type { Qwen3EngineOptions, GenerationEvent, XVectorData, InContextData, DesignData } from './engine.ts';
export { PackError } from './pack.ts';
export type { Manifest } from './pack.ts';
export type { ExecutionProvider } from './sessions.ts';
