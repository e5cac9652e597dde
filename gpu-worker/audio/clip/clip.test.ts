import { beforeAll, describe, expect, it } from 'vitest';
import { chord, ffmpeg, hasSharedAudio, SHARED_AUDIO_MISSING, sharedClip, type SpeechSource, speechSource, wavBytes, wavSamples } from './fixtures.ts';
import { CLIP_SAMPLE_RATE, ClipError, readReferenceClip, type ReferenceClip } from './index.ts';

/** A usable clip: 24 kHz mono samples as long as the source, and mostly speech. */
function expectClip(clip: ReferenceClip, format: string, seconds: number) {
  expect(clip.format).toBe(format);
  expect(clip.sampleRate).toBe(CLIP_SAMPLE_RATE);
  expect(Math.abs(clip.durationSeconds - seconds)).toBeLessThan(0.1);
  expect(Math.abs(clip.samples.length / CLIP_SAMPLE_RATE - seconds)).toBeLessThan(0.1);
  expect(clip.speechSeconds).toBeGreaterThan(2);
  expect(clip.speechSeconds).toBeLessThanOrEqual(clip.durationSeconds + 0.1);
  expect(clip.samples.every((sample) => sample >= -1 && sample <= 1)).toBe(true);
}

/** The ClipError a clip is refused with (failing the test if it is accepted or fails otherwise). */
async function refusal(bytes: Uint8Array, options?: Parameters<typeof readReferenceClip>[1]): Promise<ClipError> {
  const error: unknown = await readReferenceClip(bytes, options).then(
    (clip) => new Error(`accepted: ${clip.durationSeconds} s, ${clip.speechSeconds} s of speech`),
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ClipError);
  return error as ClipError;
}

async function expectRefusal(bytes: Uint8Array, status: number, code: string, message: RegExp) {
  const error = await refusal(bytes);
  expect({ status: error.status, code: error.code }).toEqual({ status, code });
  expect(error.message).toMatch(message);
}

const needsProvided = hasSharedAudio ? '' : ` (${SHARED_AUDIO_MISSING})`;

describe('the provided clips (../shared/audio)', () => {
  const usable = [
    ['ref-en-3s.wav', 'wav', 3.2],
    ['ref-en-10s-16k.wav', 'wav', 10],
    ['ref-en-10s-44k-stereo.wav', 'wav', 10],
    ['ref-en-10s.mp3', 'mp3', 10],
    ['ref-en-10s.ogg', 'opus', 10],
    ['ref-en-10s.flac', 'flac', 10],
    ['synthetic-fr-espeak.wav', 'wav', 3.888], // 22.05 kHz: 85 724 samples by its header
  ] as const;
  for (const [name, format, seconds] of usable) {
    it.skipIf(!hasSharedAudio)(`${name} is a ${seconds} s ${format} clip with speech${needsProvided}`, async () => {
      expectClip(await readReferenceClip(sharedClip(name)), format, seconds);
    });
  }

  const refused = [
    ['too-short-1s.wav', 422, 'clip_too_short', /^The clip is 1\.0 s long; a voice clip must be 3 to 30 seconds long/],
    ['silence-5s.wav', 422, 'clip_silent', /digital silence/],
    ['noise-5s.wav', 422, 'clip_no_speech', /^No speech detected; it sounds like noise or music/],
    ['truncated.wav', 422, 'truncated_audio', /cut short: its header announces 3\.2 s of audio but the file holds only 0\.06 s/],
    ['bogus-header.wav', 422, 'undecodable_audio', /WAV file could not be decoded: its header is damaged/],
    ['random-bytes.wav', 422, 'undecodable_audio', /not audio in any format we recognise/],
  ] as const;
  for (const [name, status, code, message] of refused) {
    it.skipIf(!hasSharedAudio)(`${name} is refused: ${status} ${code}${needsProvided}`, async () => {
      await expectRefusal(sharedClip(name), status, code, message);
    });
  }
});

describe('clips made here with ffmpeg', () => {
  let source: SpeechSource;
  beforeAll(async () => {
    source = await speechSource();
  });

  const recorded = [
    ['WebM/Opus', 'webm', ['-c:a', 'libopus', '-b:a', '32k'], 'webm'],
    ['M4A/AAC, its index at the end', 'm4a', ['-c:a', 'aac', '-b:a', '64k'], 'm4a'],
    ['fragmented M4A/AAC', 'm4a', ['-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov'], 'm4a'],
    ['ADTS AAC', 'aac', ['-c:a', 'aac', '-f', 'adts'], 'aac'],
    ['Ogg/Vorbis', 'ogg', ['-c:a', 'libvorbis'], 'oga'],
    ['MP3', 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k'], 'mp3'],
  ] as const;
  for (const [label, extension, args, format] of recorded) {
    it(`${label} is a clip`, async () => {
      expectClip(await readReferenceClip(await ffmpeg(source.wav, extension, args)), format, source.seconds);
    });
  }

  it('a 48 kHz stereo float WAV is downmixed and resampled', async () => {
    const clip = await readReferenceClip(await ffmpeg(source.wav, 'wav', ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_f32le']));
    expectClip(clip, 'wav', source.seconds);
    expect({ rate: clip.sourceSampleRate, channels: clip.sourceChannels }).toEqual({ rate: 48_000, channels: 2 });
  });

  it('a streamed WAV (sizes 0xFFFFFFFF) is read to its end', async () => {
    const { samples, sampleRate } = wavSamples(source.wav);
    expectClip(await readReferenceClip(wavBytes(samples, sampleRate, true)), 'wav', source.seconds);
  });

  it('a 35 s WAV is too long, and decoding stops past 31 s', async () => {
    await expectRefusal(await ffmpeg(source.wav, 'wav', ['-t', '35'], ['-stream_loop', '-1']), 422, 'clip_too_long', /^The clip is over 30 s long/);
  });

  it('a 35 s M4A is too long by its header, before decoding', async () => {
    await expectRefusal(await ffmpeg(source.wav, 'm4a', ['-t', '35', '-c:a', 'aac'], ['-stream_loop', '-1']), 422, 'clip_too_long', /^The clip is 35\.\d s long/);
  });

  it('a nearly silent clip (speech at -70 dB) is silent', async () => {
    await expectRefusal(await ffmpeg(source.wav, 'wav', ['-af', 'volume=-70dB', '-c:a', 'pcm_f32le']), 422, 'clip_silent', /nearly silent \(peak -\d+ dBFS/);
  });

  it('a loud tone or chord holds no speech (the VAD calls a loud steady tone speech: its steady level gives it away)', async () => {
    const tone = Float32Array.from({ length: 5 * 24_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 24_000));
    await expectRefusal(wavBytes(tone, 24_000), 422, 'clip_no_speech', /noise or music/);
    await expectRefusal(wavBytes(chord(5, 24_000), 24_000), 422, 'clip_no_speech', /noise or music/);
  });

  it('speech under noise as loud as the voice is still a clip', async () => {
    const { samples, sampleRate } = wavSamples(source.wav);
    const rms = Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
    let state = 1;
    const noise = () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32 - 0.5) * Math.sqrt(12) * rms;
    expectClip(await readReferenceClip(wavBytes(samples.map((sample) => sample + noise()), sampleRate)), 'wav', source.seconds);
  });

  it('0.7 s of speech in a 5 s clip is too little speech', async () => {
    const { samples, sampleRate } = wavSamples(source.wav);
    const clip = new Float32Array(5 * sampleRate);
    clip.set(samples.subarray(0, Math.round(0.7 * sampleRate)));
    await expectRefusal(wavBytes(clip, sampleRate), 422, 'clip_too_little_speech', /^Only \d\.\d s of the 5\.0 s clip is speech; a voice clip needs at least 2 s/);
  });

  it('a PNG is not audio (422); a MIDI file is audio but not a recording (415)', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(7)]);
    await expectRefusal(png, 422, 'undecodable_audio', /not audio in any format we recognise\. Upload a recording in WAV, MP3/);
    const midi = Uint8Array.from([...new TextEncoder().encode('MThd'), 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, ...new TextEncoder().encode('MTrk'), 0, 0, 0, 4, 0, 0xff, 0x2f, 0]);
    await expectRefusal(midi, 415, 'unsupported_audio_format', /^MIDI files hold notes to play, not a recording of a voice\. Upload a recording in WAV, MP3, FLAC/);
  });

  it('a file over 10 MB is refused before anything is read (413)', async () => {
    await expectRefusal(new Uint8Array(10 * 2 ** 20 + 1), 413, 'file_too_large', /^The file is 10\.0 MB, over the 10 MB limit/);
  });

  it('leaves the caller its bytes', async () => {
    const bytes = await ffmpeg(source.wav, 'mp3', ['-c:a', 'libmp3lame']);
    const copy = bytes.slice();
    await readReferenceClip(bytes);
    expect(bytes).toEqual(copy);
  });
});
