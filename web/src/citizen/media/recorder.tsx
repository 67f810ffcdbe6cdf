// The voice note recorder: loaded only when the citizen opens it. Records with MediaRecorder, then
// offers the recording for playback before it is attached.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Banner, Button } from '../../shared/ui.js';
import { t } from '../i18n.js';

const MAX_SECONDS = 120;

function pickType(): string {
  // MP4 (AAC) first: the portal recognises it as audio by its brand, where a WebM file reads as video.
  for (const type of ['audio/mp4', 'audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm']) {
    if (typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type)) return type;
  }
  return '';
}

export default function VoiceRecorder(props: { onDone: (file: File | null) => void }) {
  const [phase, setPhase] = useState<'idle' | 'recording' | 'recorded'>('idle');
  const [seconds, setSeconds] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const recorder = useRef<MediaRecorder | null>(null);
  const recorded = useRef<File | null>(null);

  useEffect(
    () => () => {
      for (const track of recorder.current?.stream.getTracks() ?? []) track.stop();
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );

  useEffect(() => {
    if (phase !== 'recording') return;
    const timer = setInterval(() => {
      setSeconds((s) => {
        if (s + 1 >= MAX_SECONDS) recorder.current?.stop();
        return s + 1;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [phase]);

  async function start() {
    setError(null);
    if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      setError(t('voice.unsupported'));
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setError(t('voice.denied'));
      return;
    }
    const type = pickType();
    const rec = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks: Blob[] = [];
    rec.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    rec.onstop = () => {
      for (const track of stream.getTracks()) track.stop();
      const mime = (rec.mimeType || type || 'audio/webm').split(';')[0]!;
      const ext = mime.includes('mp4') ? 'm4a' : mime.includes('ogg') ? 'ogg' : 'webm';
      const file = new File(chunks, `voice-note.${ext}`, { type: mime });
      recorded.current = file;
      setUrl(URL.createObjectURL(file));
      setPhase('recorded');
    };
    recorder.current = rec;
    rec.start(1000);
    setSeconds(0);
    setPhase('recording');
  }

  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return (
    <div class="recorder">
      {error && <Banner tone="error">{error}</Banner>}
      {phase === 'idle' && (
        <Button variant="secondary" onClick={start}>
          {t('voice.start')}
        </Button>
      )}
      {phase === 'recording' && (
        <div class="recorder__live">
          <span class="recorder__dot" aria-hidden="true" />
          <span role="timer" aria-live="off" dir="ltr">
            {clock}
          </span>
          <span class="visually-hidden" role="status">
            {t('voice.recording')}
          </span>
          <Button onClick={() => recorder.current?.stop()}>{t('voice.stop')}</Button>
        </div>
      )}
      {phase === 'recorded' && url && (
        <div class="recorder__review">
          <p>{t('voice.listen')}</p>
          {/* biome-ignore lint/a11y/useMediaCaption: the citizen's own voice note, played back before sending */}
          <audio controls src={url} aria-label={t('voice.playback')} />
          <div class="row">
            <Button onClick={() => props.onDone(recorded.current)}>{t('voice.attach')}</Button>
            <Button
              variant="secondary"
              onClick={() => {
                setPhase('idle');
                setUrl(null);
              }}
            >
              {t('voice.again')}
            </Button>
          </div>
        </div>
      )}
      <Button variant="link" onClick={() => props.onDone(null)}>
        {t('common.cancel')}
      </Button>
    </div>
  );
}
