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
