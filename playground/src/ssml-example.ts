/** What "Insert example" puts in Speak's text box: the common SSML elements, each once (a file of its own, so tests can import it). */
export const SSML_EXAMPLE = `<speak>
  Welcome to the <sub alias="World Wide Web">WWW</sub> tour. <break time="700ms"/>
  It has <say-as interpret-as="cardinal">1024</say-as> stops, and a
  <phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> at each.
  <prosody rate="slow">Take it slowly,</prosody> and <emphasis level="strong">enjoy</emphasis> it.
</speak>`;
