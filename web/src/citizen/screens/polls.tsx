import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../../shared/i18n.js';
import { Banner, Button, Page } from '../../shared/ui.js';
import { api, type Poll } from '../api.js';
import { errorText } from '../errors.js';
import { t, useLang } from '../i18n.js';

export function PollsScreen() {
  const lang = useLang();
  const [polls, setPolls] = useState<Poll[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ items: Poll[] }>('/polls')
      .then((r) => setPolls(r.items))
      .catch((err) => setError(errorText(err)));
  }, []);
  return (
    <Page title={t('polls.title')} back={{ href: '/', label: t('nav.home') }}>
      {error && <Banner tone="error">{error}</Banner>}
      {polls?.length === 0 && <p>{t('polls.none')}</p>}
      <ul class="cards">
        {polls?.map((p) => (
          <li key={p.id} class="card">
            <a class="card__link" href={`/polls/${p.id}`}>
              <span class="card__title">{p.question}</span>
            </a>
            <p class="card__meta">
              {t(`polls.state.${p.state}`)} · {t('polls.closes', { date: formatDate(p.closesAt, lang) })}
              {p.voted && ` · ${t('polls.voted')}`}
            </p>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function PollScreen({ id }: { id: number }) {
  const [poll, setPoll] = useState<Poll | null>(null);
  const [chosen, setChosen] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    api
      .get<Poll>(`/polls/${id}`)
      .then(setPoll)
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [id]);

  async function vote(event: Event) {
    event.preventDefault();
    if (chosen.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/polls/${id}/votes`, { optionIds: chosen });
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  if (!poll) {
    return (
      <Page title={t('polls.title')} back={{ href: '/polls', label: t('polls.title') }}>
        {error ? <Banner tone="error">{error}</Banner> : <p>{t('common.loading')}</p>}
      </Page>
    );
  }
  const multiple = poll.kind === 'multiple';
  const toggle = (optionId: number) =>
    setChosen(
      multiple
        ? chosen.includes(optionId)
          ? chosen.filter((o) => o !== optionId)
          : [...chosen, optionId]
        : [optionId],
    );
  return (
    <Page title={poll.question} back={{ href: '/polls', label: t('polls.title') }}>
      {error && <Banner tone="error">{error}</Banner>}
      {poll.voted && <Banner tone="success">{t('polls.thanks')}</Banner>}
      {poll.canVote && !poll.voted && (
        <form onSubmit={vote}>
          <fieldset class="choices">
            <legend>{multiple ? t('polls.chooseMany') : t('polls.chooseOne')}</legend>
            {poll.options.map((o) => (
              <label key={o.id} class="choice">
                <input
                  type={multiple ? 'checkbox' : 'radio'}
                  name="option"
                  checked={chosen.includes(o.id)}
                  onChange={() => toggle(o.id)}
                />
                <span>{o.label}</span>
              </label>
            ))}
          </fieldset>
          <Button type="submit" busy={busy} disabled={chosen.length === 0}>
            {t('polls.vote')}
          </Button>
        </form>
      )}
      {!poll.canVote && !poll.voted && <p>{t('polls.cannotVote')}</p>}
      {poll.resultsVisible && poll.results && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">{t('polls.results', { count: poll.results.voters })}</h2>
          <ul class="results">
            {poll.options.map((o) => {
              const r = poll.results!.options.find((x) => x.optionId === o.id);
              const percent = Math.round(r?.percent ?? 0);
              return (
                <li key={o.id}>
                  <span class="results__label">{o.label}</span>
                  <span class="results__bar" aria-hidden="true">
                    <span style={{ inlineSize: `${percent}%` }} />
                  </span>
                  <span class="results__value" dir="ltr">
                    {percent}% ({r?.votes ?? 0})
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {!poll.resultsVisible && poll.voted && <p>{t('polls.resultsLater')}</p>}
    </Page>
  );
}
