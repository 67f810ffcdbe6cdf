// A new complaint in four short steps: what (category), the details and media, where, then nearby
// similar complaints, the acceptable-use warning and submit. The complaint goes through the outbox, so
// it is kept on the phone until the portal has it.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Lang } from '../../shared/i18n.js';
import { Banner, Button, Field, Page } from '../../shared/ui.js';
import { api, type Category, type Nearby, nameIn } from '../api.js';
import { errorText } from '../errors.js';
import { t, useLang } from '../i18n.js';
import { lazyComponent } from '../lazy.js';
import { PhotoError, preparePhoto } from '../media/photo.js';
import { outboxDb } from '../offline/db.js';
import { enqueue, sendWaiting } from '../offline/outbox.js';
import { navigate } from '../router.js';
import { useStore } from '../store.js';
import { StatusBadge } from './complaints.js';

const VoiceRecorder = lazyComponent(() => import('../media/recorder.js'));
const PinMap = lazyComponent(() => import('../media/map.js'));

const MAX_PHOTOS = 5;
const MAX_VIDEO_BYTES = 100 * 1024 * 1024;

type Step = 'category' | 'details' | 'location' | 'review';
const STEPS: Step[] = ['category', 'details', 'location', 'review'];

interface Place {
  lat: number;
  lng: number;
  accuracy: number | null;
}
interface Draft {
  category: Category | null;
  description: string;
  photos: File[];
  voice: File | null;
  video: File | null;
  place: Place | null;
  district: number | null;
  address: string;
}

export function NewComplaintScreen() {
  const [step, setStep] = useState<Step>('category');
  const [draft, setDraft] = useState<Draft>({
    category: null,
    description: '',
    photos: [],
    voice: null,
    video: null,
    place: null,
    district: null,
    address: '',
  });
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const index = STEPS.indexOf(step);
  const back = index > 0 ? () => setStep(STEPS[index - 1]!) : () => navigate('/');

  return (
    <Page title={t('new.title')}>
      <p class="steps" aria-live="polite">
        {t('new.stepOf', { step: index + 1, total: STEPS.length })}: <strong>{t(`new.step.${step}`)}</strong>
      </p>
      {step === 'category' && (
        <CategoryStep
          value={draft.category}
          onPick={(category) => {
            update({ category });
            setStep('details');
          }}
        />
      )}
      {step === 'details' && <DetailsStep draft={draft} update={update} onNext={() => setStep('location')} />}
      {step === 'location' && <LocationStep draft={draft} update={update} onNext={() => setStep('review')} />}
      {step === 'review' && <ReviewStep draft={draft} />}
      <p>
        <Button variant="link" onClick={back}>
          <span class="arrow-back" aria-hidden="true">
            ←
          </span>{' '}
          {t('common.back')}
        </Button>
      </p>
    </Page>
  );
}

/** Folds case and the Arabic-script letter variants, so "کچرا" finds "كچرا" and "Water" finds "water". */
function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/[يى]/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/[ۀة]/g, 'ه')
    .replace(/[\u064B-\u065F\u0670]/g, '');
}

function CategoryStep(props: { value: Category | null; onPick: (c: Category) => void }) {
  const lang = useLang();
  const { categories } = useStore();
  const [query, setQuery] = useState('');
  const byId = useMemo(() => new Map(categories.map((c) => [c.id, c])), [categories]);
  const label = (c: Category, l: Lang) => {
    const parent = c.parentId ? byId.get(c.parentId) : null;
    // The arrow points from the group to the category in the reading direction.
    return parent ? `${nameIn(parent, l)} ${l === 'en' ? '›' : '‹'} ${nameIn(c, l)}` : nameIn(c, l);
  };
  const shown = useMemo(() => {
    const q = fold(query.trim());
    const parents = new Set(categories.map((c) => c.parentId).filter(Boolean));
    // Leaf categories only: a complaint goes to one precise kind of problem.
    return categories
      .filter((c) => !parents.has(c.id))
      .filter((c) => {
        if (!q) return true;
        const parent = c.parentId ? byId.get(c.parentId) : null;
        const haystack = [c, parent]
          .filter((x): x is Category => !!x)
          .flatMap((x) => [x.name, x.nameUr, x.namePs, ...(x.keywords ?? [])])
          .map(fold)
          .join(' ');
        return q.split(/\s+/).every((word) => haystack.includes(word));
      })
      .sort((a, b) => label(a, lang).localeCompare(label(b, lang), lang));
  }, [categories, query, lang]);

  return (
    <section>
      <Field
        label={t('new.searchCategory')}
        hint={t('new.searchHint')}
        type="search"
        value={query}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
      />
      <p class="visually-hidden" role="status">
        {t('new.matches', { count: shown.length })}
      </p>
      {categories.length === 0 && <Banner tone="warning">{t('new.noCategories')}</Banner>}
      <ul class="pick-list">
        {shown.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              class={`pick${props.value?.id === c.id ? ' pick--chosen' : ''}`}
              aria-pressed={props.value?.id === c.id}
              onClick={() => props.onPick(c)}
            >
              {label(c, lang)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function DetailsStep(props: { draft: Draft; update: (p: Partial<Draft>) => void; onNext: () => void }) {
  const { draft, update } = props;
  const lang = useLang();
  const [error, setError] = useState<string | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const [recording, setRecording] = useState(false);
  const previews = useMemo(() => draft.photos.map((p) => URL.createObjectURL(p)), [draft.photos]);
  const voiceUrl = useMemo(() => (draft.voice ? URL.createObjectURL(draft.voice) : null), [draft.voice]);
  useEffect(
    () => () => {
      for (const url of previews) URL.revokeObjectURL(url);
    },
    [previews],
  );

  async function addPhotos(event: Event) {
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    setMediaError(null);
    setWorking(true);
    const added: File[] = [];
    for (const file of files.slice(0, MAX_PHOTOS - draft.photos.length)) {
      try {
        added.push(await preparePhoto(file));
      } catch (err) {
        setMediaError(
          err instanceof PhotoError && err.reason === 'heic' ? t('media.heic') : t('media.unreadable'),
        );
      }
    }
    if (files.length > MAX_PHOTOS - draft.photos.length)
      setMediaError(t('media.tooMany', { count: MAX_PHOTOS }));
    update({ photos: [...draft.photos, ...added] });
    setWorking(false);
  }

  function addVideo(event: Event) {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    setMediaError(null);
    if (!file) return;
    if (file.size > MAX_VIDEO_BYTES) {
      setMediaError(t('media.videoTooBig', { mb: MAX_VIDEO_BYTES / 1024 / 1024 }));
      return;
    }
    update({ video: file });
  }

  function next() {
    if (!draft.description.trim()) {
      setError(t('new.describeMissing'));
      document.getElementById('description')?.focus();
      return;
    }
    props.onNext();
  }

  return (
    <section>
      <p class="chosen">
        {t('new.category')}: <strong>{draft.category ? nameIn(draft.category, lang) : ''}</strong>
      </p>
      <Field label={t('new.description')} id="description" error={error}>
        <textarea
          id="description"
          maxLength={4000}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'description-error' : undefined}
          value={draft.description}
          onInput={(e) => {
            update({ description: (e.target as HTMLTextAreaElement).value });
            setError(null);
          }}
        />
      </Field>

      <h2>{t('new.media')}</h2>
      {mediaError && <Banner tone="error">{mediaError}</Banner>}
      {working && <p role="status">{t('media.preparing')}</p>}
      <div class="row">
        <label class="btn btn--secondary file-button">
          {t('media.camera')}
          <input
            type="file"
            accept="image/*"
            capture="environment"
            class="visually-hidden"
            onChange={addPhotos}
          />
        </label>
        <label class="btn btn--secondary file-button">
          {t('media.gallery')}
          <input
            type="file"
            accept="image/*,.heic,.heif"
            multiple
            class="visually-hidden"
            data-testid="photo-input"
            onChange={addPhotos}
          />
        </label>
      </div>
      {draft.photos.length > 0 && (
        <ul class="thumbs" aria-label={t('media.photos')}>
          {draft.photos.map((photo, i) => (
            <li key={previews[i]}>
              <img src={previews[i]} alt={t('media.photoN', { n: i + 1 })} />
              <Button
                variant="link"
                onClick={() => update({ photos: draft.photos.filter((p) => p !== photo) })}
                aria-label={t('media.removePhoto', { n: i + 1 })}
              >
                {t('common.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}

      <h3>{t('voice.title')}</h3>
      {draft.voice && voiceUrl ? (
        <div class="attached">
          {/* biome-ignore lint/a11y/useMediaCaption: the citizen's own voice note */}
          <audio controls src={voiceUrl} aria-label={t('voice.playback')} />
          <Button variant="link" onClick={() => update({ voice: null })}>
            {t('common.remove')}
          </Button>
        </div>
      ) : recording ? (
        <VoiceRecorder
          fallback={<p>{t('common.loading')}</p>}
          onDone={(file: File | null) => {
            setRecording(false);
            if (file) update({ voice: file });
          }}
        />
      ) : (
        <Button variant="secondary" onClick={() => setRecording(true)}>
          {t('voice.open')}
        </Button>
      )}

      <h3>{t('media.video')}</h3>
      {draft.video ? (
        <p class="attached">
          {draft.video.name} ({Math.ceil(draft.video.size / 1024 / 1024)} MB)
          <Button variant="link" onClick={() => update({ video: null })}>
            {t('common.remove')}
          </Button>
        </p>
      ) : (
        <label class="btn btn--secondary file-button">
          {t('media.addVideo')}
          <input
            type="file"
            accept="video/*"
            capture="environment"
            class="visually-hidden"
            onChange={addVideo}
          />
        </label>
      )}

      <p>
        <Button class="btn--block" onClick={next} disabled={working}>
          {t('common.next')}{' '}
          <span class="arrow-forward" aria-hidden="true">
            →
          </span>
        </Button>
      </p>
    </section>
  );
}

interface AppConfig {
  mapTileUrl: string | null;
  mapAttribution: string;
}
let appConfig: Promise<AppConfig> | null = null;
const loadAppConfig = () => {
  appConfig ??= fetch('/app-config.json')
    .then((r) => r.json() as Promise<AppConfig>)
    .catch(() => {
      appConfig = null;
      return { mapTileUrl: null, mapAttribution: '' };
    });
  return appConfig;
};

function LocationStep(props: { draft: Draft; update: (p: Partial<Draft>) => void; onNext: () => void }) {
  const lang = useLang();
  const { draft, update } = props;
  const { districts, online, user } = useStore();
  const [status, setStatus] = useState<'locating' | 'found' | 'failed' | 'idle'>('idle');
  const [districtName, setDistrictName] = useState<string | null>(null);
  const [outside, setOutside] = useState(false);
  const [config, setConfig] = useState<AppConfig | null>(null);

  useEffect(() => {
    void loadAppConfig().then(setConfig);
    if (!draft.place) locate();
  }, []);

  // The district under the pin, from the portal when online; the citizen chooses it when offline.
  useEffect(() => {
    if (!draft.place) return;
    if (!online) return;
    api
      .get<{ district: { id: number; name: string; nameUr: string; namePs: string } }>('/geo/locate', {
        lat: draft.place.lat,
        lng: draft.place.lng,
      })
      .then((r) => {
        setOutside(false);
        setDistrictName(nameIn(r.district, lang));
        update({ district: r.district.id });
      })
      .catch(() => {
        setOutside(true);
        setDistrictName(null);
      });
  }, [draft.place?.lat, draft.place?.lng, online]);

  function locate() {
    if (!navigator.geolocation) {
      setStatus('failed');
      return;
    }
    setStatus('locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        update({
          place: {
            lat: position.coords.latitude,
            lng: position.coords.longitude,
            accuracy: Math.round(position.coords.accuracy),
          },
        });
        setStatus('found');
      },
      () => setStatus('failed'),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 30_000 },
    );
  }

  const place = draft.place;
  const canGo = !!place || !!draft.district;
  return (
    <section>
      <div role="status" aria-live="polite">
        {status === 'locating' && <p>{t('location.locating')}</p>}
        {status === 'failed' && <Banner tone="warning">{t('location.failed')}</Banner>}
      </div>
      {place && (
        <dl class="facts" data-testid="location-facts">
          <dt>{t('location.coordinates')}</dt>
          <dd dir="ltr" class="coords">
            {place.lat.toFixed(5)}, {place.lng.toFixed(5)}
          </dd>
          {place.accuracy !== null && (
            <>
              <dt>{t('location.accuracy')}</dt>
              <dd>{t('location.metres', { count: place.accuracy })}</dd>
            </>
          )}
          <dt>{t('complaint.district')}</dt>
          <dd data-testid="location-district">
            {districtName ??
              (outside ? t('location.outside') : online ? t('common.loading') : t('location.offline'))}
          </dd>
        </dl>
      )}
      {place && config?.mapTileUrl && online && (
        <PinMap
          lat={place.lat}
          lng={place.lng}
          tileUrl={config.mapTileUrl}
          attribution={config.mapAttribution}
          label={t('location.map')}
          onMove={(lat: number, lng: number) => update({ place: { lat, lng, accuracy: null } })}
          fallback={<p>{t('common.loading')}</p>}
        />
      )}
      {place && config?.mapTileUrl && online && <p class="muted">{t('location.drag')}</p>}
      <p>
        <Button variant="secondary" onClick={locate}>
          {t('location.again')}
        </Button>
      </p>
      {(!place || !online || outside) && (
        <Field label={t('register.district')} id="complaint-district">
          <select
            id="complaint-district"
            value={String(draft.district ?? '')}
            onChange={(e) => update({ district: Number((e.target as HTMLSelectElement).value) || null })}
          >
            <option value="">{t('register.chooseDistrict')}</option>
            {districts.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {nameIn(d, lang)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field
        label={t('location.address')}
        hint={t('location.addressHint')}
        value={draft.address}
        maxLength={500}
        onInput={(e) => update({ address: (e.target as HTMLInputElement).value })}
      />
      <Button
        class="btn--block"
        disabled={!canGo}
        onClick={() => {
          if (!draft.district && user) update({ district: user.districtId });
          props.onNext();
        }}
      >
        {t('common.next')}{' '}
        <span class="arrow-forward" aria-hidden="true">
          →
        </span>
      </Button>
    </section>
  );
}

function ReviewStep({ draft }: { draft: Draft }) {
  const lang = useLang();
  const { user, online } = useStore();
  const [nearby, setNearby] = useState<Nearby[] | null>(null);
  const [different, setDifferent] = useState(false);
  const [supported, setSupported] = useState<number | null>(null);
  const [consent, setConsent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ sent: boolean; tracking?: string; id?: number } | null>(null);

  useEffect(() => {
    if (!draft.place || !draft.category || !online) {
      setNearby([]);
      return;
    }
    api
      .get<{ items: Nearby[] }>('/complaints/nearby', {
        lat: draft.place.lat,
        lng: draft.place.lng,
        category: draft.category.id,
      })
      .then((r) => setNearby(r.items))
      .catch(() => setNearby([]));
  }, []);

  async function support(id: number) {
    setError(null);
    try {
      await api.post(`/complaints/${id}/support`);
      setSupported(id);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (!consent || !user || !draft.category) return;
    setBusy(true);
    setError(null);
    const fields: Record<string, string> = {
      category: String(draft.category.id),
      description: draft.description.trim(),
      consent: 'true',
    };
    if (draft.place) {
      fields.lat = String(draft.place.lat);
      fields.lng = String(draft.place.lng);
      if (draft.place.accuracy !== null) fields.accuracy = String(draft.place.accuracy);
    } else if (draft.district) {
      fields.district = String(draft.district);
    }
    if (draft.address.trim()) fields.address = draft.address.trim();
    const files = [
      ...draft.photos,
      ...(draft.voice ? [draft.voice] : []),
      ...(draft.video ? [draft.video] : []),
    ].map((f) => ({ name: f.name, type: f.type, blob: f as Blob }));
    try {
      const entry = await enqueue(user.id, fields, files);
      await sendWaiting().catch(() => undefined);
      const after = await outboxDb.get(entry.id);
      if (after?.state === 'failed') {
        setError(after.error ?? t('errors.unexpected'));
        return;
      }
      setResult(
        after?.state === 'sent'
          ? { sent: true, tracking: after.trackingNumber, id: after.complaintId }
          : { sent: false },
      );
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  if (result) {
    return result.sent ? (
      <Banner tone="success">
        <p>
          {t('new.sent')} <bdi dir="ltr">{result.tracking}</bdi>
        </p>
        <a href={`/complaints/${result.id}`}>{t('new.follow')}</a>
      </Banner>
    ) : (
      <Banner tone="info">
        <p>{t('new.savedOffline')}</p>
        <a href="/complaints">{t('complaints.title')}</a>
      </Banner>
    );
  }

  if (supported !== null) {
    return (
      <Banner tone="success">
        <p>{t('nearby.supported')}</p>
        <a href="/">{t('nav.home')}</a>
      </Banner>
    );
  }

  if (nearby === null) return <p>{t('nearby.checking')}</p>;

  if (nearby.length > 0 && !different) {
    return (
      <section aria-labelledby="nearby-title">
        <h2 id="nearby-title">{t('nearby.title')}</h2>
        <p>{t('nearby.intro')}</p>
        {error && <Banner tone="error">{error}</Banner>}
        <ul class="cards">
          {nearby.map((n) => (
            <li key={n.id} class="card">
              <p class="card__title">
                <bdi dir="ltr">{n.trackingNumber}</bdi> · {nameIn(n.category, lang)}
              </p>
              <p class="card__meta">
                <StatusBadge status={n.status} /> · {t('nearby.distance', { count: n.distanceM })} ·{' '}
                {t('nearby.supporters', { count: n.supportCount })}
              </p>
              <Button onClick={() => void support(n.id)}>{t('nearby.support')}</Button>
            </li>
          ))}
        </ul>
        <Button variant="secondary" class="btn--block" onClick={() => setDifferent(true)}>
          {t('nearby.different')}
        </Button>
      </section>
    );
  }

  return (
    <form onSubmit={submit}>
      <h2>{t('new.check')}</h2>
      <dl class="facts">
        <dt>{t('new.category')}</dt>
        <dd>{draft.category ? nameIn(draft.category, lang) : ''}</dd>
        <dt>{t('new.description')}</dt>
        <dd class="description">{draft.description}</dd>
        <dt>{t('new.media')}</dt>
        <dd>
          {t('new.mediaSummary', {
            photos: draft.photos.length,
            voice: draft.voice ? 1 : 0,
            video: draft.video ? 1 : 0,
          })}
        </dd>
        <dt>{t('new.step.location')}</dt>
        <dd dir={draft.place ? 'ltr' : undefined}>
          {draft.place ? `${draft.place.lat.toFixed(5)}, ${draft.place.lng.toFixed(5)}` : t('location.none')}
        </dd>
      </dl>
      <Banner tone="warning" live={false}>
        <strong>{t('consent.title')}</strong>
        <p>{t('consent.body')}</p>
      </Banner>
      <label class="choice consent">
        <input
          type="checkbox"
          checked={consent}
          onChange={(e) => setConsent((e.target as HTMLInputElement).checked)}
        />
        <span>{t('consent.agree')}</span>
      </label>
      {!online && <Banner tone="info">{t('new.offlineNote')}</Banner>}
      {error && <Banner tone="error">{error}</Banner>}
      <Button type="submit" class="btn--block" busy={busy} disabled={!consent}>
        {t('new.submit')}
      </Button>
    </form>
  );
}
