// Accessible building blocks shared by the apps: every control has a visible label, errors are tied to
// their field (aria-describedby) and announced, and status lines speak through live regions.
import type { ButtonHTMLAttributes, ComponentChildren, InputHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'label'>;

export function Field(
  props: InputProps & {
    label: string;
    error?: string | null;
    hint?: string;
    /** Renders a select or textarea in place of the input. */
    children?: ComponentChildren;
  },
) {
  const { label, error, hint, children, id: given, ...input } = props;
  const auto = useId();
  const id = (given as string | undefined) ?? `f${auto}`;
  const described =
    [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children ?? (
        <input
          id={id}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          {...(input as Record<string, unknown>)}
        />
      )}
      {error && (
        <p class="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function Button(
  props: ButtonHTMLAttributes<HTMLButtonElement> & {
    variant?: 'primary' | 'secondary' | 'link' | 'danger';
    busy?: boolean;
  },
) {
  const { variant = 'primary', busy, class: extra, children, disabled, ...rest } = props;
  return (
    <button
      type="button"
      class={`btn btn--${variant}${extra ? ` ${extra}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}

export function Page(props: {
  title: string;
  back?: { href: string; label: string };
  children: ComponentChildren;
}) {
  return (
    <main class="page" id="main" tabIndex={-1}>
      {props.back && (
        <a class="page__back" href={props.back.href}>
          <span class="arrow-back" aria-hidden="true">
            ←
          </span>{' '}
          {props.back.label}
        </a>
      )}
      <h1>{props.title}</h1>
      {props.children}
    </main>
  );
}

export function Banner(props: {
  tone: 'info' | 'success' | 'warning' | 'error' | 'emergency';
  children: ComponentChildren;
  /** Errors and emergencies interrupt a screen reader; the rest wait their turn. */
  live?: boolean;
}) {
  const urgent = props.tone === 'error' || props.tone === 'emergency';
  return (
    <div
      class={`banner banner--${props.tone}`}
      role={props.live === false ? undefined : urgent ? 'alert' : 'status'}
      aria-live={props.live === false ? undefined : urgent ? 'assertive' : 'polite'}
    >
      {props.children}
    </div>
  );
}
