/** The shapes of the API's answers that the playground reads (README, "Using the API"). */

export interface ServedModel {
  id: string;
  languages: string[];
  default_voice: string;
  capabilities: { clone: 'none' | 'approximate' | 'full'; design: 'none' | 'approximate' | 'full' };
}
/** OpenAI's model names, each standing for a served model. */
export interface ModelAlias {
  id: string;
  alias_of: string;
}
export type ModelEntry = ServedModel | ModelAlias;
export const isAlias = (model: ModelEntry): model is ModelAlias => 'alias_of' in model;

export interface Voice {
  id: string;
  name: string;
  type: 'preset' | 'clone' | 'design';
  /** Null for a clone whose language was neither given nor told from the clip. */
  language: string | null;
  /** A preset's model, or the model an account's own voice was made with. */
  model: string;
  gender?: string | null;
}

export interface List<T> {
  data: T[];
  next_cursor?: string | null;
}

export interface DesignedVoice extends Voice {
  preview?: { format: string; sample_rate: number; duration_seconds: number; audio: string };
}

export interface UsageRow {
  date?: string;
  model?: string;
  characters: number;
}
export interface Usage {
  data: UsageRow[];
  /** Credits left (being added to the API; older edges answer without it). */
  balance?: number;
}

/** A long-form job (`GET /v1/audio/jobs/{id}`; edge/jobs/job-schemas.ts has the full shape). */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type JobFormat = 'mp3' | 'opus' | 'aac' | 'wav';
export interface JobView {
  id: string;
  status: JobStatus;
  model: string;
  voice: string;
  response_format: JobFormat;
  characters: number;
  chunks: number;
  progress: {
    chunks_done: number;
    chunks_in_flight: number;
    chunks_failed: number;
    retries: number;
    characters_done: number;
    audio_ms: number;
    bytes: number;
    fraction: number;
    estimated_seconds_left: number | null;
  };
  error: { code: string; message: string } | null;
  webhook: { status: 'none' | 'pending' | 'delivered' | 'failed'; attempts?: number; last_error?: string };
  created_at: string;
  finished_at: string | null;
  version: number;
}
/** A row of `GET /v1/audio/jobs`: its status as of its last change. */
export interface JobListEntry {
  id: string;
  status: JobStatus;
  model: string;
  voice: string;
  response_format: string;
  characters: number;
  chunks: number;
  created_at: string;
  finished_at: string | null;
}
export interface JobList {
  data: JobListEntry[];
  has_more: boolean;
  next_after: string | null;
}
