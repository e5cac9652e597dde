import { elevenLabsSpeechEndpoint } from '../speech/speech-endpoint.ts';
import { speakAudio, speakAudioDocs } from './v1_text_to_speech.ts';

/** `POST /elevenlabs/v1/text-to-speech/{voice_id}/stream`: ElevenLabs' `textToSpeech.stream`, the same as `convert` here. */
export const elevenLabsTextToSpeechStreamRoute = elevenLabsSpeechEndpoint(
  '/v1/text-to-speech/:voice_id/stream',
  speakAudioDocs('elevenLabsTextToSpeechStream', 'Stream speech (ElevenLabs)', '/v1/text-to-speech/{voice_id}/stream'),
  speakAudio,
);
