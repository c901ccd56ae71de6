import { render } from 'preact';
import { App } from './App.tsx';
import { loadConfig } from './config.ts';

const root = document.getElementById('app') as HTMLElement;
loadConfig().then(
  (config) => {
    // The "Loading" placeholder is not Preact's: it would stay next to the app.
    root.textContent = '';
    render(<App config={config} />, root);
  },
  (error: Error) => {
    root.innerHTML = '';
    const alert = document.createElement('p');
    alert.setAttribute('role', 'alert');
    alert.className = 'alert';
    alert.textContent = `The chat cannot start: ${error.message}`;
    root.append(alert);
  },
);
