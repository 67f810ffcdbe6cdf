import { api, type MediaItem } from '../api.js';
import { useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { ErrorRegion } from '../widgets.js';

/**
 * Photos open full size in a new tab; audio and video stream through the players (the server answers
 * Range requests, so seeking works without downloading the whole file).
 */
export function MediaGallery({
  media,
  label,
  onChanged,
}: {
  media: MediaItem[];
  /** Names each file for screen readers: "Attachment 1", "Evidence 1". */
  label: string;
  onChanged?: () => void;
}) {
  if (media.length === 0) return <p class="muted">{t('complaint.noMedia')}</p>;
  return (
    <ul class="gallery">
      {media.map((m, i) => (
        <li
          key={m.id}
          class={`media media-${m.kind} ${m.moderation && m.moderation !== 'ok' ? 'hidden-media' : ''}`}
        >
          <MediaPlayer item={m} name={`${label} ${i + 1}`} />
          {m.moderation && m.moderation !== 'ok' && <p class="badge">Hidden as {m.moderation}</p>}
          {onChanged && <ModerationControl item={m} onChanged={onChanged} />}
        </li>
      ))}
    </ul>
  );
}

function MediaPlayer({ item, name }: { item: MediaItem; name: string }) {
  switch (item.kind) {
    case 'photo':
      return (
        <a href={item.url} target="_blank" rel="noreferrer">
          <img src={item.thumbUrl ?? item.url} alt={name} loading="lazy" />
        </a>
      );
    case 'audio':
      return (
        // biome-ignore lint/a11y/useMediaCaption: citizens' voice notes come without captions
        <audio controls preload="metadata" src={item.url} aria-label={`${name} (voice note)`} />
      );
    case 'video':
      return (
        // biome-ignore lint/a11y/useMediaCaption: citizens' videos come without captions
        <video controls preload="metadata" src={item.url} aria-label={`${name} (video)`} />
      );
    default:
      return <a href={item.url}>{name}</a>;
  }
}

/** A file that is illegal or beside the point can be hidden from everyone but admins. */
function ModerationControl({ item, onChanged }: { item: MediaItem; onChanged: () => void }) {
  const { busy, error, run } = useSubmit();
  const hidden = item.moderation !== undefined && item.moderation !== 'ok';
  return (
    <div class="moderation">
      {hidden ? (
        <button
          type="button"
          class="small"
          disabled={busy}
          onClick={() => run(() => api.moderateMedia(item.id, 'ok')).then((ok) => ok && onChanged())}
        >
          Show again
        </button>
      ) : (
        <>
          <button
            type="button"
            class="small"
            disabled={busy}
            onClick={() =>
              run(() => api.moderateMedia(item.id, 'irrelevant')).then((ok) => ok && onChanged())
            }
          >
            Hide as irrelevant
          </button>
          <button
            type="button"
            class="small"
            disabled={busy}
            onClick={() => run(() => api.moderateMedia(item.id, 'illegal')).then((ok) => ok && onChanged())}
          >
            Hide as illegal
          </button>
        </>
      )}
      <ErrorRegion error={error} />
    </div>
  );
}
