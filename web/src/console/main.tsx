import { render } from 'preact';
import { App } from './app.js';
import { startTranslations } from './strings.js';
import './console.css';

await startTranslations();
render(<App />, document.getElementById('app')!);
