/**
 * The view follows the loudness (a peak that decays by this much a frame), so quiet speech fills
 * it too; below MIN_PEAK it stops zooming, so silence stays a flat line rather than magnified noise.
 */
const PEAK_DECAY = 0.97;
const MIN_PEAK = 0.05;

/**
 * Draws what the analyser hears on the canvas, a frame at a time, while audio plays; a flat line
 * otherwise. Colours come from CSS: the canvas's `color` is the line's.
 */
export interface Waveform {
  start(analyser: AnalyserNode): void;
  stop(): void;
}

export function waveform(canvas: HTMLCanvasElement): Waveform {
  const context = canvas.getContext('2d')!;
  let frame = 0;

  /** The canvas's pixels follow its laid-out size, so the line stays sharp on any screen. */
  const fit = () => {
    const width = Math.round(canvas.clientWidth * devicePixelRatio);
    const height = Math.round(canvas.clientHeight * devicePixelRatio);
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  };

  let peak = MIN_PEAK;
  const draw = (samples: Float32Array | undefined) => {
    fit();
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    context.strokeStyle = getComputedStyle(canvas).color;
    context.lineWidth = Math.max(1, devicePixelRatio * 1.5);
    context.beginPath();
    if (!samples) {
      context.moveTo(0, height / 2);
      context.lineTo(width, height / 2);
    } else {
      let loudest = 0;
      for (const sample of samples) loudest = Math.max(loudest, Math.abs(sample));
      peak = Math.max(loudest, peak * PEAK_DECAY, MIN_PEAK);
      const scale = 0.9 / peak;
      for (let i = 0; i < samples.length; i++) {
        const x = (i / (samples.length - 1)) * width;
        const y = ((1 - samples[i]! * scale) / 2) * height;
        if (i === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      }
    }
    context.stroke();
  };

  new ResizeObserver(() => {
    if (!frame) draw(undefined);
  }).observe(canvas);

  return {
    start(analyser) {
      cancelAnimationFrame(frame);
      const samples = new Float32Array(analyser.fftSize);
      const loop = () => {
        analyser.getFloatTimeDomainData(samples);
        draw(samples);
        frame = requestAnimationFrame(loop);
      };
      loop();
    },
    stop() {
      cancelAnimationFrame(frame);
      frame = 0;
      draw(undefined);
    },
  };
}
