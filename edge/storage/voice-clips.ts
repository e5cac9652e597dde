/** Voices' reference clips in R2 (mono 24 kHz WAV), one object per voice, under its account. */
export const clipKey = (accountId: string, voiceId: string) => `clips/${accountId}/${voiceId}.wav`;

export class R2VoiceClips {
  private readonly bucket: R2Bucket;
  constructor(bucket: R2Bucket) {
    this.bucket = bucket;
  }

  async put(key: string, wav: Uint8Array, sha256: string | null): Promise<void> {
    await this.bucket.put(key, wav, { httpMetadata: { contentType: 'audio/wav' }, ...(sha256 ? { customMetadata: { upload_sha256: sha256 } } : {}) });
  }

  async get(key: string): Promise<Uint8Array | null> {
    const object = await this.bucket.get(key);
    return object ? new Uint8Array(await object.arrayBuffer()) : null;
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}
