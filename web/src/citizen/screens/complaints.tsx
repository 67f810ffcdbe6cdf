// My complaints, and one complaint: status, due date, office, media, the public timeline, feedback
// after resolution and a reply to the office.
import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../../shared/i18n.js';
import { Banner, Button, Field, Page } from '../../shared/ui.js';
import { api, type Complaint, type ComplaintSummary, nameIn, type Status } from '../api.js';
import { errorText } from '../errors.js';
import { t, useLang } from '../i18n.js';
import { OutboxList, useOutbox } from '../outbox-list.js';
import { useStore } from '../store.js';

export function StatusBadge({ status }: { status: Status | string }) {
  return <span class={`status-badge status-badge--${status}`}>{t(`status.${status}`)}</span>;
}

export function ComplaintsScreen() {
  const lang = useLang();
  const { online } = useStore();
  const outbox = useOutbox();
  const sent = outbox.filter((e) => e.state === 'sent').length;
  const [items, setItems] = useState<ComplaintSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reloaded when the phone comes back online and when a kept complaint has been sent.
  useEffect(() => {
    api
      .get<{ items: ComplaintSummary[] }>('/complaints', { limit: 50 })
      .then((r) => {
        setItems(r.items);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  }, [online, sent]);

  return (
    <Page title={t('complaints.title')} back={{ href: '/', label: t('nav.home') }}>
      <a class="btn btn--primary" href="/new">
        {t('home.newComplaint')}
      </a>
      <OutboxList />
      {error && online && <Banner tone="error">{error}</Banner>}
      {!online && items === null && <p class="muted">{t('complaints.offline')}</p>}
      {items === null && !error && <p>{t('common.loading')}</p>}
      {items?.length === 0 && <p>{t('complaints.none')}</p>}
      {items && items.length > 0 && (
        <ul class="cards">
          {items.map((c) => (
            <li key={c.id} class="card">
              <a class="card__link" href={`/complaints/${c.id}`}>
                <span class="card__title">
                  <bdi dir="ltr">{c.trackingNumber}</bdi> · {nameIn(c.category, lang)}
                </span>
              </a>
              <StatusBadge status={c.status} />
              <dl class="facts">
                <dt>{t('complaint.office')}</dt>
                <dd>{c.office ? nameIn(c.office, lang) : t('complaint.noOffice')}</dd>
                <dt>{t('complaint.due')}</dt>
                <dd class={c.overdue ? 'overdue' : undefined}>
                  {formatDate(c.dueAt, lang)}
                  {c.overdue && ` · ${t('complaint.overdue')}`}
                </dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

export function ComplaintScreen({ id }: { id: number }) {
  const lang = useLang();
  const [complaint, setComplaint] = useState<Complaint | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api
      .get<Complaint>(`/complaints/${id}`)
      .then(setComplaint)
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [id]);

  if (!complaint) {
    return (
      <Page title={t('complaint.title')} back={{ href: '/complaints', label: t('complaints.title') }}>
        {error ? <Banner tone="error">{error}</Banner> : <p>{t('common.loading')}</p>}
      </Page>
    );
  }
  const c = complaint;
  return (
    <Page
      title={`${t('complaint.title')} ${c.trackingNumber}`}
      back={{ href: '/complaints', label: t('complaints.title') }}
    >
      <p>
        <StatusBadge status={c.status} />
      </p>
      <dl class="facts">
        <dt>{t('complaint.category')}</dt>
        <dd>{nameIn(c.category, lang)}</dd>
        <dt>{t('complaint.office')}</dt>
        <dd>{c.office ? nameIn(c.office, lang) : t('complaint.noOffice')}</dd>
        <dt>{t('complaint.district')}</dt>
        <dd>{nameIn(c.district, lang)}</dd>
        <dt>{t('complaint.filed')}</dt>
        <dd>{formatDate(c.createdAt, lang, true)}</dd>
        <dt>{t('complaint.due')}</dt>
        <dd class={c.overdue ? 'overdue' : undefined}>
          {formatDate(c.dueAt, lang)}
          {c.overdue && ` · ${t('complaint.overdue')}`}
        </dd>
        {c.supportCount > 0 && (
          <>
            <dt>{t('complaint.supporters')}</dt>
            <dd>{c.supportCount}</dd>
          </>
        )}
      </dl>
      <p class="description">{c.description}</p>
      {c.rejectionReason && <Banner tone="warning">{c.rejectionReason}</Banner>}
      {c.media.length > 0 && (
        <section aria-labelledby="media-title">
          <h2 id="media-title">{t('complaint.media')}</h2>
          <ul class="media-list">
            {c.media.map((m) => (
              <li key={m.id}>
                <MediaView item={m} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {c.canGiveFeedback && <FeedbackForm id={c.id} onDone={load} />}
      {c.feedback && (
        <Banner tone="info" live={false}>
          {c.feedback.satisfied ? t('feedback.thanksYes') : t('feedback.thanksNo')}
        </Banner>
      )}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('complaint.timeline')}</h2>
        <ol class="timeline">
          {c.timeline.map((e) => (
            <li key={e.id}>
              <p class="timeline__what">
                {t(`event.${e.type}`, { defaultValue: e.type })}
                {e.office && ` · ${nameIn(e.office, lang)}`}
              </p>
              <p class="timeline__when">{formatDate(e.createdAt, lang, true)}</p>
              {e.message && <p class="timeline__message">{e.message}</p>}
            </li>
          ))}
        </ol>
      </section>
      {!['closed', 'rejected'].includes(c.status) && <ReplyForm id={c.id} onDone={load} />}
    </Page>
  );
}

function MediaView({ item }: { item: Complaint['media'][number] }) {
  if (item.kind === 'photo') {
    return (
      <a href={item.url} target="_blank" rel="noopener">
        <img src={item.thumbUrl ?? item.url} alt={t('complaint.photo')} loading="lazy" />
      </a>
    );
  }
  if (item.kind === 'audio') {
    // biome-ignore lint/a11y/useMediaCaption: citizens' and officers' recordings come without captions
    return <audio controls preload="none" src={item.url} aria-label={t('complaint.audio')} />;
  }
  // biome-ignore lint/a11y/useMediaCaption: citizens' and officers' recordings come without captions
  return <video controls preload="none" src={item.url} aria-label={t('complaint.video')} />;
}

function FeedbackForm({ id, onDone }: { id: number; onDone: () => void }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function send(satisfied: boolean) {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/complaints/${id}/feedback`, {
        satisfied,
        ...(rating ? { rating } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="feedback" aria-labelledby="feedback-title">
      <h2 id="feedback-title">{t('feedback.title')}</h2>
      <p>{t('feedback.intro')}</p>
      {error && <Banner tone="error">{error}</Banner>}
      <fieldset class="rating">
        <legend>{t('feedback.rating')}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input
              type="radio"
              name="rating"
              value={n}
              checked={rating === n}
              onChange={() => setRating(n)}
            />
            <span>{n}</span>
          </label>
        ))}
      </fieldset>
      <Field label={t('feedback.comment')} id="feedback-comment">
        <textarea
          id="feedback-comment"
          value={comment}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
        />
      </Field>
      <div class="row">
        <Button busy={busy} onClick={() => void send(true)}>
          {t('feedback.yes')}
        </Button>
        <Button variant="secondary" busy={busy} onClick={() => void send(false)}>
          {t('feedback.no')}
        </Button>
      </div>
    </section>
  );
}

function ReplyForm({ id, onDone }: { id: number; onDone: () => void }) {
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function send(event: Event) {
    event.preventDefault();
    if (!message.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/complaints/${id}/messages`, { message: message.trim() });
      setMessage('');
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="reply" onSubmit={send}>
      {error && <Banner tone="error">{error}</Banner>}
      <Field label={t('complaint.reply')} id="reply-message">
        <textarea
          id="reply-message"
          value={message}
          onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
        />
      </Field>
      <Button type="submit" variant="secondary" busy={busy}>
        {t('complaint.send')}
      </Button>
    </form>
  );
}
