import { LANGUAGES } from '../../shared/i18n.js';
import { i18n } from '../i18n.js';

/** The first screen on a new phone: the choice is offered in each language's own script. */
export function LanguageScreen() {
  return (
    <main class="page page--center" id="main" tabIndex={-1}>
      <h1 class="welcome__title">
        <span lang="en">Citizen Portal</span>
        <span lang="ur" dir="rtl">
          شہری پورٹل
        </span>
      </h1>
      <fieldset class="welcome__choices">
        <legend class="welcome__prompt">
          <span lang="en">Choose your language</span> · <span lang="ur">اپنی زبان منتخب کریں</span> ·{' '}
          <span lang="ps">خپله ژبه وټاکئ</span>
        </legend>
        {LANGUAGES.map((l) => (
          <button
            type="button"
            key={l.code}
            class="btn btn--secondary btn--block welcome__choice"
            lang={l.code}
            dir={l.dir}
            onClick={() => void i18n().change(l.code)}
          >
            {l.name}
          </button>
        ))}
      </fieldset>
    </main>
  );
}
